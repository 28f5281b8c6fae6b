"""What every record is built on: ``Record`` (an id, a label, its references), a record
that belongs to a track, and a sourced one with its quote's anchor and corroborations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .kinds import Kind
from .limits import TEXT_CHARS
from .values import Slug, Text


class Model(BaseModel):
    # Every string of every record is bounded (store/limits.py), a field added later too.
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, str_max_length=TEXT_CHARS
    )


# The key under which a stored document carries its revision: the number of the change
# that last wrote it. It is the store's bookkeeping, not a field of the record, and no
# field can be named so (pydantic keeps names with a leading underscore private).
REVISION = "_rev"


def revision_of(doc: Mapping[str, Any]) -> int:
    """A stored document's revision; 0 for one written before records carried one."""
    value = doc.get(REVISION)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class Record(Model):
    """A stored record: its kind names its table, its id is a slug unique per kind."""

    kind: ClassVar[Kind]
    # References to other records: field name -> kind of record referred to.
    refs: ClassVar[dict[str, str]] = {}

    id: Slug

    @model_validator(mode="before")
    @classmethod
    def _stored(cls, data: Any) -> Any:
        # A stored document carries its revision beside the fields: read past it.
        if isinstance(data, dict) and REVISION in data:
            data = dict(data)  # the stored document itself stays as it is
            del data[REVISION]
        return data

    @property
    def label(self) -> str:
        """How the record is named in lists and messages."""
        for name in ("title", "name", "outlet"):
            value = getattr(self, name, None)
            if value:
                return str(value)
        return self.id

    def references(self) -> list[tuple[str, str, str]]:
        """Every (field, kind, id) this record refers to."""
        return self.refs_of(self.model_dump(mode="json"))

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """The references in a stored document of this kind, without building the model."""
        found: list[tuple[str, str, str]] = []
        for field, kind in cls.refs.items():
            value = doc.get(field)
            if value is None:
                continue
            for ref in value if isinstance(value, list) else [value]:
                found.append((field, kind, ref))
        return found

    @property
    def sort_date(self) -> dt.date | None:
        return None


class TrackRecord(Record):
    """A record that belongs to one track: everything but tracks, actors, people and
    sources. Each kind declares ``track_id`` among its own fields, in its own place."""

    if TYPE_CHECKING:
        track_id: str


def track_of(record: Record) -> str | None:
    """The track a record belongs to; None for a track, an actor, a person, a source."""
    return record.track_id if isinstance(record, TrackRecord) else None


class Sourced(TrackRecord):
    """A claim that must say where it comes from, or say explicitly that nothing does."""

    source_ids: list[Slug] = Field(default_factory=list)
    unsourced: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> Sourced:
        if not self.source_ids and not self.unsourced:
            raise ValueError("give at least one source, or mark the record as unsourced")
        if self.source_ids and self.unsourced:
            raise ValueError("a record with sources cannot also be marked unsourced")
        return self


class Anchor(Model):
    """Where a quotation stands in the text its source keeps: the characters from
    ``start`` up to ``end``, which were ``text`` when it was taken. Whether they still
    are is for `parley check` to say: a store whose source text was changed behind
    Parley's back still opens."""

    source_id: Slug
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: Text


class Corroboration(Model):
    """The same news from another outlet: the source that reports it too, and the words
    it reports it in, anchored where they stand in that source's text, as the record's
    own quote is in its own source's. The source is one of the record's sources."""

    source_id: Slug
    quote: Text = ""
    anchor: Anchor | None = None


@dataclass(frozen=True)
class Quoted:
    """One source of a record with the words it was quoted in: the record's own quote
    (``corroboration`` None) or a corroboration's (its index)."""

    source_id: str | None
    quote: str
    anchor: Anchor | None
    corroboration: int | None = None

    def may_be_in(self, source_id: str) -> bool:
        """Whether these words may be looked for in ``source_id``: a corroboration's in its
        own source; the record's own unanchored quote in any source the record cites."""
        return self.corroboration is None or self.source_id == source_id


def anchor_refs(doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    anchor = doc.get("anchor")
    if isinstance(anchor, Mapping) and anchor.get("source_id"):
        found.append(("anchor", "source", str(anchor["source_id"])))
    for item in doc.get("corroborations") or []:
        if not isinstance(item, Mapping):
            continue
        if item.get("source_id"):
            found.append(("corroborations", "source", str(item["source_id"])))
        inner = item.get("anchor")
        if isinstance(inner, Mapping) and inner.get("source_id"):
            found.append(("corroborations", "source", str(inner["source_id"])))
    return found


def anchored(
    quote: str,
    anchor: Anchor | None,
    source_ids: list[str],
    corroborations: list[Corroboration],
) -> None:
    """An anchor stands in a source the record cites; each corroboration's source is one
    the record cites, other than its own quote's, once, its anchor in that source. (That
    an anchor holds its quote is checked where quotes are written, and by `parley check`.)"""
    if anchor is not None and anchor.source_id not in source_ids:
        raise ValueError(f"the quote is anchored in {anchor.source_id!r}, which it does not cite")
    seen = {anchor.source_id} if anchor is not None else set()
    for item in corroborations:
        if item.source_id not in source_ids:
            raise ValueError(f"corroborated by {item.source_id!r}, which it does not cite")
        if item.source_id in seen:
            raise ValueError(f"source {item.source_id!r} is quoted twice")
        seen.add(item.source_id)
        if item.anchor is not None and item.anchor.source_id != item.source_id:
            raise ValueError(
                f"the words of {item.source_id!r} are anchored in {item.anchor.source_id!r}"
            )


def no_corroborations(items: list[Corroboration]) -> bool:
    return not items


class QuotingRecord(TrackRecord):
    """A record that may quote its sources (a position, an event, an assessment): its
    quote's anchor and its corroborations refer to sources, and stand in sources it
    cites. Each kind declares ``quote``, ``anchor`` and ``corroborations`` among its own
    fields, in its own place: a stored record keeps the order of its fields."""

    if TYPE_CHECKING:
        quote: str
        anchor: Anchor | None
        source_ids: list[str]
        corroborations: list[Corroboration]

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        return super().refs_of(doc) + anchor_refs(doc)

    @model_validator(mode="after")
    def _anchored(self) -> QuotingRecord:
        anchored(self.quote, self.anchor, self.source_ids, self.corroborations)
        return self


def quoted(record: Record) -> list[Quoted]:
    """Each source of a record with the words it was quoted in: its own quote first (in
    its anchor's source, else its first source), then each corroboration. A record with
    one quote reads as a record with one anchored quote; one with none, as none."""
    found: list[Quoted] = []
    quote = str(getattr(record, "quote", "") or "")
    anchor: Anchor | None = getattr(record, "anchor", None)
    if quote or anchor is not None:
        sources: list[str] = list(getattr(record, "source_ids", []) or [])
        source = anchor.source_id if anchor is not None else (sources[0] if sources else None)
        found.append(Quoted(source, quote, anchor))
    for index, item in enumerate(getattr(record, "corroborations", []) or []):
        found.append(Quoted(item.source_id, item.quote, item.anchor, index))
    return found
