"""The commands on any record: a new one (a track with the actors it names), an edit,
a delete, a conflict settled, records put, the seed, a restored history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import StoreError
from ..kinds import Kind, Role
from ..models import TRACK_KINDS, Actor, Change, Source, Track, model_for
from ..record import Record, Sourced
from .drafts import Citation, Draft, Drafting, NewActor, Outcome, name_for_id


class RecordCommands(Drafting):
    """Adding, editing and deleting any record."""

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
        draft = Draft()
        if cite is not None or issubclass(cls, Sourced):
            self._cite(draft, data, cite or Citation(), required=issubclass(cls, Sourced))
        if kind in TRACK_KINDS:
            if not track_id or not self.repo.exists(Kind.TRACK, track_id):
                raise StoreError(f"no track {track_id!r} to add the {kind} to")
            data["track_id"] = track_id
        data["id"] = self.repo.make_id(kind, name_for_id(kind, data))
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
            draft = Draft()
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
            data["id"] = self.repo.make_id(Kind.TRACK, name_for_id(Kind.TRACK, data))
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
            draft = Draft()
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
