"""What a command is given and gives back (a new source or actor named beside a record,
a citation, the ``Outcome``), the ``Draft`` that gathers every field's fault before
anything is written, and what every command shares: citing sources, anchoring quotes,
writing the records in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRecord, field_errors
from ..kinds import ActorKind, Kind, SourceKind
from ..models import Assessment, Change, Event, Position, Source
from ..record import Record, quoted
from .repository import Repository

# The kinds of record that keep quotes, and so may be corroborated.
QUOTING = (Position, Event, Assessment)
# Said when a statement names no source, no new one, and is not marked unsourced.
NO_SOURCE = "choose a source, add a new one, or tick “No source”"
BOTH_SOURCED_AND_UNSOURCED = "a record with sources cannot be marked unsourced"


@dataclass(frozen=True)
class Outcome:
    """What a command changed: the change records, and the records as now stored
    (the one the command is about last; a new source it created before it)."""

    changes: tuple[Change, ...] = ()
    records: tuple[Record, ...] = ()

    @property
    def record(self) -> Record | None:
        return self.records[-1] if self.records else None

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class NewSource:
    """A source first named while recording what it reports."""

    outlet: str = ""
    title: str = ""
    published: date | str | None = None
    source_kind: str | None = None
    url: str = ""

    @property
    def given(self) -> bool:
        return bool(self.outlet or self.title)

    @classmethod
    def from_text(cls, text: str) -> NewSource:
        """A new source typed on one line: "Reuters, 2024-08-25, wire", or with a title
        after the outlet: "Reuters: Talks resume in Cairo, 2024-08-25, wire". The parts
        may come in any order; a title left out is made from the outlet and date."""
        published: str | None = None
        source_kind: str | None = None
        words = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if published is None and is_iso_date(part):
                published = part
                continue
            kinds = [k.value for k in SourceKind if k.value.startswith(part.casefold())]
            if source_kind is None and len(part) >= 2 and len(kinds) == 1:
                source_kind = kinds[0]
                continue
            words.append(part)
        outlet, _, title = ", ".join(words).partition(":")
        outlet, title = outlet.strip(), title.strip()
        if outlet and not title:
            title = f"{outlet} report" + (f", {published}" if published else "")
        return cls(outlet=outlet, title=title, published=published, source_kind=source_kind)


@dataclass(frozen=True)
class NewActor:
    """An actor a new track names before it is stored: made with the track."""

    name: str
    actor_kind: str
    role: str  # a Role value: what the actor is in the track

    @classmethod
    def from_text(cls, text: str, role: str) -> NewActor:
        """An actor typed on one line, its kind after the last comma: "Rapid Support
        Forces, paramilitary". A kind may be cut short ("para") where only one kind
        starts so. ValueError says, in a few words, what is missing or wrong."""
        name, comma, typed = text.rpartition(",")
        if not comma or not name.strip():
            raise ValueError("give a name and a kind: Name, kind")
        word = " ".join(typed.casefold().split())
        kinds = [k.value for k in ActorKind]
        starting = [k for k in kinds if k.startswith(word)] if word else []
        kind = word if word in kinds else starting[0] if len(starting) == 1 else None
        if kind is None:
            raise ValueError(f"{typed.strip()!r} is no actor kind ({', '.join(kinds)})")
        return cls(name.strip(), kind, role)


@dataclass(frozen=True)
class Citation:
    """Where a statement comes from: stored sources, a new one, or explicitly none."""

    source_ids: Sequence[str] = ()
    new_source: NewSource | None = None
    unsourced: bool = False


@dataclass
class Draft:
    """What a command is about to write, and every problem found on the way."""

    records: list[Record] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def check(self, cls: type[Any], data: Mapping[str, Any], prefix: str = "") -> Any:
        """A model built from data, or None with its problems noted."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for key, message in field_errors(exc).items():
                self.errors.setdefault(prefix + _placed(key, message), message)
            return None

    def raise_errors(self, what: str) -> None:
        if self.errors:
            first = next(iter(self.errors.items()))
            name = f"{first[0]}: " if first[0] else ""
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise InvalidRecord(f"{what}: {name}{first[1]}{more}", fields=self.errors)


def _placed(key: str, message: str) -> str:
    """The field a model-wide check is about, which pydantic leaves unnamed."""
    if key == "" and Kind.SOURCE in message:
        return "source_ids"
    if key == "" and message.startswith("end "):
        return "end"
    return key


class Drafting:
    """What every command shares: the repository, citing, anchoring, writing."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        # The newest change when this session began: changes after it by the same author
        # are the session's own, which undo takes back without asking.
        newest = repo.history(limit=1)
        self.session_start = newest[0].seq if newest else 0

    def _check_anchor(self, draft: Draft, record: Record | None) -> None:
        """A quote written with an anchor must be the words its source has there; so
        must each corroboration's."""
        if record is None:
            return
        from ..articles.anchors import quoted_fault

        for item in quoted(record):
            if item.anchor is None:
                continue
            source = None
            if self.repo.exists(Kind.SOURCE, item.anchor.source_id):
                source = self.repo.get_as(Source, item.anchor.source_id)
            fault = quoted_fault(item, source)
            if fault:
                field = "quote" if item.corroboration is None else "corroborations"
                draft.errors.setdefault(field, fault)

    def _reanchor(self, record: Record, quote: str) -> dict[str, Any] | None:
        from ..articles.anchors import anchor_quote

        anchor = getattr(record, "anchor", None)
        if anchor is None or not quote or not self.repo.exists(Kind.SOURCE, anchor.source_id):
            return None
        source = self.repo.get_as(Source, anchor.source_id)
        moved = anchor_quote(source, quote, near=anchor.start)
        return moved.model_dump() if moved is not None else None

    def _put(
        self, records: list[Record], expect: dict[tuple[str, str], int] | None = None
    ) -> Outcome:
        changes = self.repo.put_many(records, expect)
        return Outcome(tuple(changes), tuple(records))

    def _cite(self, draft: Draft, data: dict[str, Any], cite: Citation, required: bool) -> None:
        """Put the cited source ids into ``data``; a new source joins the draft."""
        ids = list(cite.source_ids)
        new = cite.new_source
        if new is not None and new.given:
            source = draft.check(
                Source,
                {
                    "id": self.repo.make_id(Kind.SOURCE, new.title or new.outlet),
                    "outlet": new.outlet,
                    "title": new.title,
                    "published": new.published,
                    "source_kind": new.source_kind,
                    "url": new.url,
                },
                prefix="new_source.",
            )
            if source is not None:
                ids.append(source.id)
                draft.records.append(source)
        adding = new is not None and new.given
        if required and not ids and not adding and not cite.unsourced:
            draft.errors["source_ids"] = NO_SOURCE
        if (ids or adding) and cite.unsourced:
            draft.errors["unsourced"] = BOTH_SOURCED_AND_UNSOURCED
        data["source_ids"] = ids
        if required:
            # While the sources are at fault the rest is still checked, as though they
            # were settled: the model would otherwise report them again.
            data["unsourced"] = not ids if draft.errors else cite.unsourced


def is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def name_for_id(kind: str, data: Mapping[str, Any]) -> str:
    """The text a new record's id is made from."""
    if kind == Kind.POSITION:
        parts = (data.get("actor_id"), data.get("point_id"), data.get("date"))
        return " ".join(str(p) for p in parts if p) or kind
    if kind == Kind.PERSON and data.get("name"):
        # A person's title is their role ("Hamas official"), which many share.
        return str(data["name"])
    for name in ("title", "name", "analyst", "outlet"):
        if data.get(name):
            return str(data[name])
    return kind
