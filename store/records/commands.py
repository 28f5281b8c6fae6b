"""Commands: the one road by which anything is written to a store.

Each command is one thing a user does: set a status, record a position, add a
round, record a response, add an event, add, edit or delete any record, undo,
redo. It validates what it is given, writes in one transaction (durable before
it returns) and returns what changed. The dashboard, the CLI, the seed and the
import all write through here, and nothing else calls the repository's write
methods; the repository's change notice then tells every view.

An edit or a delete may name the revision of the record it was made from
(``Repository.revision``): it is refused with a ``Conflict`` naming who changed
the record, and when, if the record has moved on since. Without one, an edit
changes the fields it names on the record as it stands when written. Commands
that only add to a record (a status, a response) read it and write it back under
the store's lock, so they never conflict and never lose another's write.

A command that refuses raises a ``StoreError`` with one sentence. Refused field
values raise ``InvalidRecord`` whose ``fields`` say which field is wrong and why,
every wrong field at once, so that a form can show each beside its field; the
fields of a new source given with the command are named ``new_source.<field>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from ..articles.article import text_hash
from ..errors import InvalidRecord, StoreError, field_errors
from ..kinds import ActorKind, Kind, PointStatus, ResponseStatus, Role, RoundStatus, SourceKind
from ..models import (
    TRACK_KINDS,
    Actor,
    Assessment,
    Change,
    Event,
    Position,
    Proposal,
    Response,
    Round,
    Source,
    StatusEntry,
    StickingPoint,
    Track,
    model_for,
)
from ..record import Anchor, Record, Sourced, quoted
from .repository import Repository

# Said when a statement names no source, no new one, and is not marked unsourced.
# The kinds of record that keep quotes, and so may be corroborated.
QUOTING = (Position, Event, Assessment)
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
            if published is None and _is_iso_date(part):
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
class _Draft:
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


class Commands:
    """Every write to one store."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        # The newest change when this session began: changes after it by the same author
        # are the session's own, which undo takes back without asking.
        newest = repo.history(limit=1)
        self.session_start = newest[0].seq if newest else 0

    # -- any record ------------------------------------------------------------

    def create(
        self,
        kind: str,
        values: Mapping[str, Any],
        *,
        track_id: str | None = None,
        cite: Citation | None = None,
    ) -> Outcome:
        """A new record of ``kind`` from its field values, with an id made from its
        name. A record of a track belongs to ``track_id``; a new round or sticking
        point logs its first status; a new proposal awaits each party's response.
        Its id is made under the store's lock: two writers adding one name both succeed."""
        with self.repo.latest():
            return self._create(kind, values, track_id, cite)

    def _create(
        self,
        kind: str,
        values: Mapping[str, Any],
        track_id: str | None,
        cite: Citation | None,
    ) -> Outcome:
        cls = model_for(kind)
        data = dict(values)
        draft = _Draft()
        if cite is not None or issubclass(cls, Sourced):
            self._cite(draft, data, cite or Citation(), required=issubclass(cls, Sourced))
        if kind in TRACK_KINDS:
            if not track_id or not self.repo.exists(Kind.TRACK, track_id):
                raise StoreError(f"no track {track_id!r} to add the {kind} to")
            data["track_id"] = track_id
        data["id"] = self.repo.make_id(kind, _name_for_id(kind, data))
        if kind in (Kind.ROUND, Kind.POINT) and data.get("status"):
            when = data.get("start") or data.get("raised") or self.repo.today().isoformat()
            data.setdefault(
                "status_log",
                [
                    {
                        "date": when,
                        "status": data["status"],
                        "source_ids": data.get("source_ids", []),
                    }
                ],
            )
        if kind == Kind.PROPOSAL and track_id and "responses" not in data:
            track = self.repo.get_as(Track, track_id)
            data["responses"] = [
                {"actor_id": a, "status": "pending", "unsourced": True}
                for a in track.actors_with(Role.PARTY)
            ]
        record = draft.check(cls, data)
        self._check_anchor(draft, record)
        draft.raise_errors(f"new {kind}")
        return self._put([*draft.records, record])

    def add_track(self, values: Mapping[str, Any], new_actors: Sequence[NewActor] = ()) -> Outcome:
        """A new track, with the actors it names that are not stored yet (a party, a
        mediator), all in one write: one undo takes the track and them back. A new
        actor whose name (or an alias) an actor already stored bears, in any case, is
        that actor. A problem with the n-th new actor is named ``new_actors.n.field``."""
        with self.repo.latest():
            draft = _Draft()
            data = dict(values)
            participants = list(data.get("participants") or [])
            known = {
                name.casefold(): actor.id
                for actor in self.repo.list_as(Actor)
                for name in (actor.name, *actor.aliases)
            }
            made: set[str] = set()
            for n, new in enumerate(new_actors):
                actor_id = known.get(new.name.strip().casefold())
                if actor_id is None:
                    actor_id = self.repo.make_id(Kind.ACTOR, new.name)
                    # Two new actors of one name in one write: each an id of its own.
                    base, k = actor_id, 2
                    while actor_id in made:
                        actor_id, k = f"{base}-{k}", k + 1
                    record = draft.check(
                        Actor,
                        {"id": actor_id, "name": new.name, "actor_kind": new.actor_kind},
                        prefix=f"new_actors.{n}.",
                    )
                    if record is None:
                        continue
                    made.add(actor_id)
                    known[new.name.strip().casefold()] = actor_id
                    draft.records.append(record)
                entry = {"actor_id": actor_id, "role": new.role}
                if entry not in participants:
                    participants.append(entry)
            data["participants"] = participants
            data["id"] = self.repo.make_id(Kind.TRACK, _name_for_id(Kind.TRACK, data))
            track = draft.check(Track, data)
            draft.raise_errors("new track")
            return self._put([*draft.records, track])

    def edit(
        self,
        kind: str,
        record_id: str,
        values: Mapping[str, Any],
        *,
        cite: Citation | None = None,
        revision: int | None = None,
    ) -> Outcome:
        """Change some fields of a stored record; the others stay as they are, as they
        stand when written. With ``revision``: only if the record still stands at it."""
        with self.repo.latest():
            if revision is not None:
                self.repo.check_revision(kind, record_id, revision)
            current = self.repo.get(kind, record_id)
            data = current.model_dump()
            data.update(values)
            data["id"] = record_id
            draft = _Draft()
            if cite is not None:
                self._cite(draft, data, cite, required=isinstance(current, Sourced))
            if data.get("corroborations"):
                # A source taken off the record takes its report's quote with it.
                cited = set(data.get("source_ids") or [])
                data["corroborations"] = [
                    c for c in data["corroborations"] if c.get("source_id") in cited
                ]
            if isinstance(current, Source) and current.text and data.get("text") != current.text:
                draft.errors["text"] = (
                    "a source's text never changes once kept; capture the new version as a "
                    "new source"
                )
            if getattr(current, "anchor", None) is not None and data.get("quote") != getattr(
                current, "quote", None
            ):
                # A quote edited after it was taken: anchored again where the new words
                # stand in the same source, else no longer anchored (`parley check` says so).
                data["anchor"] = self._reanchor(current, str(data.get("quote") or ""))
            record = draft.check(type(current), data)
            self._check_anchor(draft, record)
            draft.raise_errors(f"{kind} {record_id!r}")
            expect = {(kind, record_id): revision} if revision is not None else None
            return self._put([*draft.records, record], expect)

    def delete(self, kind: str, record_id: str, *, revision: int | None = None) -> Outcome:
        """Delete a record no other record refers to; with ``revision``, only if it
        still stands at it."""
        with self.repo.latest():
            if revision is not None:
                self.repo.check_revision(kind, record_id, revision, "nothing was deleted")
            record = self.repo.get(kind, record_id)
            changes = self.repo.remove(kind, record_id, revision)
            return Outcome(tuple(changes), (record,))

    def resolve(
        self, kind: str, record_id: str, field: str | None, value: Any, conflict_id: str
    ) -> Outcome:
        """Settle a sync conflict: ``field`` takes ``value`` (for a conflict over a
        delete, ``field`` is None and ``value`` the whole record to keep, or None to
        leave it gone). The change records the conflict it settles, and syncs."""
        with self.repo.latest():
            exists = self.repo.exists(kind, record_id)
            if field is None and value is None:
                if exists:
                    self.repo.remove(kind, record_id)
                record = None
            elif field is None:
                record = model_for(kind).model_validate(value)
            else:
                data = self.repo.get(kind, record_id).model_dump()
                data[field] = value
                record = model_for(kind).model_validate(data)
            if record is not None and not exists:
                changes = self.repo.add_many([record])
            elif record is not None:
                self.repo.update(record, resolves=[conflict_id])
                return Outcome((), (record,))
            else:
                changes = []
            # Nothing left to write (or a delete or add, which carry no mark): a note
            # that the conflict is settled, which syncs like any change.
            note = Change(
                seq=0,
                at=self.repo.clock(),
                action="delete" if record is None else "add",
                record_kind=kind,
                record_id=record_id,
                summary=f"settled a sync conflict over {kind} {record_id}",
                author=self.repo.author,
                resolves=[conflict_id],
            )
            changes += self.repo.take_in({}, [note])
            return Outcome(tuple(changes), () if record is None else (record,))

    def put(self, records: Iterable[Record]) -> Outcome:
        """Add or replace whole records, all or none (an import)."""
        return self._put(list(records))

    def seed(self, records: Iterable[Record], *, again: bool = False) -> Outcome:
        """Fill an empty store; nothing is written into one that has records. ``again``:
        write back the seed records the store does not hold (its seed was undone)."""
        if again:
            written = [r for r in records if not self.repo.exists(r.kind, r.id)]
        elif self.repo.count() > 0:
            return Outcome()
        else:
            written = list(records)
        return Outcome(tuple(self.repo.add_many(written)), tuple(written))

    def restore(self, records: Iterable[Record], changes: Iterable[Change]) -> Outcome:
        """Fill an empty store with records and the history that led to them."""
        written = list(records)
        self.repo.restore(written, changes)
        return Outcome((), tuple(written))

    # -- what happens every day ------------------------------------------------

    def set_status(
        self,
        kind: str,
        record_id: str,
        status: str,
        on: date | str | None,
        *,
        note: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A round's or sticking point's status as of a date, with where that is reported.
        It adds to the record's log, on the record as it stands: it never conflicts."""
        with self.repo.latest():
            return self._set_status(kind, record_id, status, on, note, cite)

    def _set_status(
        self,
        kind: str,
        record_id: str,
        status: str,
        on: date | str | None,
        note: str,
        cite: Citation | None,
    ) -> Outcome:
        record = self.repo.get(kind, record_id)
        if not isinstance(record, Round | StickingPoint):
            raise StoreError(f"a {kind} has no status to set")
        choices = {s.value for s in (RoundStatus if isinstance(record, Round) else PointStatus)}
        draft = _Draft()
        entry_data: dict[str, Any] = {"date": on, "status": status, "note": note or ""}
        self._cite(draft, entry_data, cite or Citation(), required=True)
        entry = draft.check(StatusEntry, entry_data)
        if status not in choices:
            draft.errors["status"] = "choose one of " + ", ".join(sorted(choices))
        draft.raise_errors(f"status of {kind} {record_id!r}")
        data = record.model_dump()
        data["status_log"] = [*data.get("status_log", []), entry.model_dump()]
        # The entry dated last wins; on a tie, the one logged last.
        data["status"] = sorted(data["status_log"], key=lambda e: e["date"])[-1]["status"]
        updated = draft.check(type(record), data)
        draft.raise_errors(f"status of {kind} {record_id!r}")
        return self._put([*draft.records, updated])

    def record_position(
        self,
        track_id: str,
        *,
        point_id: str,
        actor_id: str,
        on: date | str | None,
        firmness: str,
        stance: str,
        gist: str = "",
        speaker_id: str | None = None,
        quote: str = "",
        round_id: str | None = None,
        cite: Citation | None = None,
    ) -> Outcome:
        """A side's stance on a sticking point, as stated on a date. A new statement is
        always a new position: earlier ones stay, so the history of who said what stays."""
        values = {
            "point_id": point_id,
            "actor_id": actor_id,
            "date": on,
            "firmness": firmness,
            "stance": stance,
            "gist": gist,
            "speaker_id": speaker_id,
            "quote": quote,
            "round_id": round_id,
        }
        return self.create(Kind.POSITION, values, track_id=track_id, cite=cite)

    def add_round(
        self,
        track_id: str,
        *,
        title: str,
        start: date | str | None,
        end: date | str | None = None,
        venues: Sequence[str] = (),
        format: str = "proximity",
        status: str = "scheduled",
        mediator_ids: Sequence[str] = (),
        participant_ids: Sequence[str] = (),
        outcome: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A meeting or a shuttle tour."""
        values = {
            "title": title,
            "start": start,
            "end": end,
            "venues": list(venues),
            "format": format,
            "status": status,
            "mediator_ids": list(mediator_ids),
            "participant_ids": list(participant_ids),
            "outcome": outcome,
        }
        return self.create(Kind.ROUND, values, track_id=track_id, cite=cite)

    def add_event(
        self,
        track_id: str,
        *,
        title: str,
        on: date | str | None,
        event_kind: str,
        text: str,
        actor_ids: Sequence[str] = (),
        cite: Citation | None = None,
    ) -> Outcome:
        """Anything else on the timeline: a statement, a strike, a sale, a toll."""
        values = {
            "title": title,
            "date": on,
            "event_kind": event_kind,
            "text": text,
            "actor_ids": list(actor_ids),
        }
        return self.create(Kind.EVENT, values, track_id=track_id, cite=cite)

    def record_response(
        self,
        proposal_id: str | None,
        actor_id: str | None,
        status: str | None,
        on: date | str | None,
        *,
        note: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A party's response to a proposal: a dated, sourced entry added to that party's
        history of responses (undo takes it back alone), on the proposal as it stands:
        it never conflicts."""
        with self.repo.latest():
            return self._record_response(proposal_id, actor_id, status, on, note, cite)

    def _record_response(
        self,
        proposal_id: str | None,
        actor_id: str | None,
        status: str | None,
        on: date | str | None,
        note: str,
        cite: Citation | None,
    ) -> Outcome:
        draft = _Draft()
        data: dict[str, Any] = {
            "actor_id": actor_id,
            "status": status,
            "date": on,
            "note": note or "",
        }
        self._cite(draft, data, cite or Citation(), required=True)
        if not proposal_id:
            draft.errors["proposal_id"] = "choose the proposal"
        if not actor_id:
            draft.errors["actor_id"] = "choose the party that responded"
        if not status:
            draft.errors["status"] = "choose the response"
        elif status not in {s.value for s in ResponseStatus}:
            draft.errors["status"] = "choose one of " + ", ".join(s.value for s in ResponseStatus)
        if not draft.errors:
            draft.check(Response, data)
        draft.raise_errors("response")
        assert proposal_id is not None
        proposal = self.repo.get_as(Proposal, proposal_id)
        stored = proposal.model_dump()
        stored["responses"] = [*stored["responses"], data]
        updated = draft.check(Proposal, stored)
        draft.raise_errors("response")
        return self._put([*draft.records, updated])

    def capture(
        self,
        text: str,
        *,
        outlet: str,
        title: str,
        published: date | str | None,
        source_kind: str | None,
        url: str = "",
        via: str = "",
    ) -> Outcome:
        """An article kept with its source: a new source, or the stored one of the same
        outlet, title and date that keeps no text yet. The text is never changed after."""
        kept = self.kept_already(text, url)
        if kept is not None:
            raise StoreError(f"this article is already kept, as source {kept.id!r}")
        digest = text_hash(text)
        values = {
            "outlet": outlet,
            "title": title,
            "published": published,
            "source_kind": source_kind,
            "url": url,
            "via": via,
            "text": text,
            "text_sha256": digest,
        }
        if not text.strip():
            raise InvalidRecord("new source: text: the article is empty", {"text": "is empty"})
        same = [
            s
            for s in self.repo.list_as(Source)
            if not s.text
            and s.outlet.casefold() == outlet.strip().casefold()
            and s.title.casefold() == title.strip().casefold()
            and s.published.isoformat() == str(published)
        ]
        if same:
            keep = {"text": text, "text_sha256": digest, "url": same[0].url or url}
            return self.edit(Kind.SOURCE, same[0].id, keep)
        return self.create(Kind.SOURCE, values)

    def kept_already(self, text: str, url: str = "") -> Source | None:
        """The source that keeps this very text, or an article from this URL."""
        digest = text_hash(text)
        for source in self.repo.list_as(Source):
            if source.text_sha256 == digest or (url and source.text and source.url == url):
                return source
        return None

    # -- the same news from two outlets ---------------------------------------

    def corroborate(
        self,
        kind: str,
        record_id: str,
        *,
        cite: Citation,
        quote: str = "",
        anchor: Anchor | Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Another outlet's report of what a stored position, event or assessment says:
        its source joins the record's sources, with the words it reports it in and
        their anchor (made here when the source keeps its text and none is given). One
        write, on the record as it stands; undo takes it back whole."""
        with self.repo.latest():
            record = self.repo.get(kind, record_id)
            if not isinstance(record, QUOTING):
                raise StoreError(f"a {kind} keeps no quotes to add another source's to")
            draft = _Draft()
            cited: dict[str, Any] = {}
            self._cite(draft, cited, cite, required=True)
            if cite.unsourced:
                draft.errors["source_ids"] = "choose the source that reports it too"
            draft.raise_errors(f"{kind} {record_id!r}")
            fresh = [s for s in cited["source_ids"] if s not in record.source_ids]
            if not fresh:
                said = ", ".join(repr(s) for s in cited["source_ids"])
                raise StoreError(f"{kind} {record_id!r} cites {said} already; nothing to add")
            given = Anchor.model_validate(anchor) if anchor is not None else None
            items = [
                self._corroboration(draft, s, quote, given, alone=len(fresh) == 1) for s in fresh
            ]
            data = record.model_dump()
            data["source_ids"] = [*record.source_ids, *fresh]
            if isinstance(record, Sourced):
                data["unsourced"] = False
            data["corroborations"] = [*data.get("corroborations", []), *items]
            updated = draft.check(type(record), data)
            self._check_anchor(draft, updated)
            draft.raise_errors(f"{kind} {record_id!r}")
            return self._put([*draft.records, updated])

    def _corroboration(
        self, draft: _Draft, source_id: str, quote: str, anchor: Anchor | None, alone: bool
    ) -> dict[str, Any]:
        """A source's corroboration: the quote and its anchor when they are this source's
        (or it is the only source added), the anchor made where the source keeps text."""
        from ..articles.anchors import anchor_quote

        if anchor is not None and anchor.source_id != source_id:
            return {"source_id": source_id}
        if anchor is None and not alone:
            return {"source_id": source_id}
        item: dict[str, Any] = {"source_id": source_id, "quote": quote}
        if anchor is None and quote.strip() and self.repo.exists(Kind.SOURCE, source_id):
            source = self.repo.get_as(Source, source_id)
            if source.text:
                anchor = anchor_quote(source, quote)
                if anchor is None:
                    draft.errors.setdefault(
                        "quote", f"these words are not in the text of source {source_id!r}"
                    )
        if anchor is not None:
            item["anchor"] = anchor.model_dump()
        return item

    # -- undo and redo ---------------------------------------------------------

    def undo(self) -> Outcome:
        """Revert the newest change not yet undone; nothing changes when there is none."""
        return Outcome(tuple(self.repo.undo()))

    def redo(self) -> Outcome:
        """Take back the newest undo; nothing changes when the last write was not an undo."""
        return Outcome(tuple(self.repo.redo()))

    def own(self, step: Sequence[Change]) -> bool:
        """Whether every change of ``step`` was written in this session by its author."""
        return all(c.author == self.repo.author and c.seq > self.session_start for c in step)

    # -- shared ----------------------------------------------------------------

    def _check_anchor(self, draft: _Draft, record: Record | None) -> None:
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

    def _cite(self, draft: _Draft, data: dict[str, Any], cite: Citation, required: bool) -> None:
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


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _name_for_id(kind: str, data: Mapping[str, Any]) -> str:
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
