"""Writing the repository: every write in one transaction under the store's lock, caught
up first; the checks it passes (validation, references, moves between tracks, the
revision it was made from); the Change it records, in words; a restored history, and
what sync takes in."""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import (
    Conflict,
    DuplicateId,
    IntegrityError,
    InvalidRecord,
    NotFound,
    StoreError,
    describe,
)
from ..files.journal import CHANGES
from ..files.state import Op
from ..models import RECORD_TYPES, Change, model_for
from ..reading.change_words import change_summary, change_words
from ..reading.words import capitalised, changed_by, what_of
from ..record import REVISION, Record, track_of
from ..values import slugify
from .cache import R, RecordCache, dump_record
from .reads import Reads
from .references import dangling, move_blocker


class _AsWritten:
    """The records a write names: those it adds or rewrites as it leaves them, the rest
    (those it deletes too) as stored, so that a name is found wherever there is one."""

    def __init__(self, repo: RecordCache, pending: dict[tuple[str, str], Record | None]) -> None:
        self.repo, self.pending = repo, pending

    def _find(self, kind: str, record_id: str) -> Record | None:
        if kind not in RECORD_TYPES:
            return None
        return self.pending.get((kind, record_id)) or self.repo._maybe(kind, record_id)

    def exists(self, kind: str, record_id: str) -> bool:
        return self._find(kind, record_id) is not None

    def get(self, kind: str, record_id: str) -> Record:
        record = self._find(kind, record_id)
        if record is None:
            raise NotFound(f"no {kind} with id {record_id!r}")
        return record


class Writes(Reads):
    """The repository's write methods; ``store.records.commands`` is their one caller."""

    # -- revisions -----------------------------------------------------------

    @contextlib.contextmanager
    def one_read(self) -> Iterator[None]:
        """Hold the store's lock shared, caught up with every other process: records and
        revisions read inside belong together, since nobody writes or compacts until it
        ends (a revision read after the record could name a later writer's change)."""
        with self.storage.locked(shared=True):
            self.storage.catch_up()
            yield

    @contextlib.contextmanager
    def latest(self) -> Iterator[None]:
        """Hold the store's write lock, caught up with every other process: a command
        that reads a record and writes it back inside finds it as it is, and nobody
        writes in between."""
        with self.storage.locked():
            self.storage.catch_up()
            yield

    def check_revision(
        self, kind: str, record_id: str, expected: int, outcome: str = "nothing was saved"
    ) -> None:
        """Refuse (``Conflict``, its message ending in ``outcome``) unless the record stands
        at revision ``expected``; call inside ``latest()`` for an answer that holds until
        the write."""
        exists = self.exists(kind, record_id)
        current = self.revision(kind, record_id) if exists else 0
        if exists and current == expected:
            return
        last = self.last_change(kind, record_id)
        doc: dict[str, Any] | None = dump_record(self.get(kind, record_id)) if exists else None
        if doc is None and last is not None:
            doc = last.before or last.after
        what = capitalised(what_of(self, kind, doc or {"id": record_id}))
        revisions = f"revision {expected}, now {current}" if exists else f"revision {expected}"
        if exists and expected > current:
            said = f"{what} is at revision {current}, not {expected}"
        elif last is not None and (last.seq > expected or not exists):
            said = f"{what} was {changed_by(last)} since it was read ({revisions})"
        elif not exists:
            said = f"{what} is no longer there ({revisions})"
        else:
            said = f"{what} has changed since it was read ({revisions})"
        raise Conflict(
            f"{said}; {outcome}",
            kind=kind,
            record_id=record_id,
            expected=expected,
            revision=current,
            change=last,
        )

    # -- writing -------------------------------------------------------------

    def make_id(self, kind: str, text: str) -> str:
        """A new slug for a record of ``kind`` named ``text``, unique among that kind."""
        base = slugify(text)
        bucket = self._docs(model_for(kind).kind)
        candidate, n = base, 2
        while candidate in bucket:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def add(self, record: R) -> R:
        self._write([(record.kind, record.id, record, "add")])
        return record

    def update(
        self, record: R, revision: int | None = None, resolves: builtins.list[str] | None = None
    ) -> R:
        """Replace a record; with ``revision``, only if it still stands at it. ``resolves``:
        the sync conflicts the edit settles; it is then recorded even if nothing changed."""
        expect = {(str(record.kind), record.id): revision} if revision is not None else None
        self._write([(record.kind, record.id, record, "update")], expect=expect, resolves=resolves)
        return record

    def delete(self, kind: str, record_id: str, revision: int | None = None) -> Record:
        record = self.get(kind, record_id)
        self.remove(kind, record_id, revision)
        return record

    def remove(
        self, kind: str, record_id: str, revision: int | None = None
    ) -> builtins.list[Change]:
        """Delete a record no other record refers to; with ``revision``, only if it still
        stands at it. Returns the change made."""
        expect = {(kind, record_id): revision} if revision is not None else None
        if expect is None:
            self.get(kind, record_id)
        return self._write([(kind, record_id, None, "delete")], expect=expect)

    def add_many(self, records: Iterable[Record]) -> builtins.list[Change]:
        """Add records in one transaction: all are written, or none."""
        return self._write([(r.kind, r.id, r, "add") for r in records])

    def put_many(
        self,
        records: Iterable[Record],
        revisions: dict[tuple[str, str], int] | None = None,
    ) -> builtins.list[Change]:
        """Add or replace records in one transaction: all are written, or none.
        ``revisions``: (kind, id) -> the revision a record must still stand at."""
        return self._write([(r.kind, r.id, r, "put") for r in records], expect=revisions)

    def _write(
        self,
        items: builtins.list[tuple[str, str, Record | None, str]],
        reverts: builtins.list[Change] | None = None,
        redo: bool = False,
        expect: dict[tuple[str, str], int] | None = None,
        resolves: builtins.list[str] | None = None,
    ) -> builtins.list[Change]:
        """Write items in one transaction. ``reverts`` (one per item) are the changes
        an undo reverts, or with ``redo`` the undos a redo takes back; ``expect`` the
        revisions records must stand at, checked once every other writer's lines are in."""
        storage = self.storage
        with storage.locked():
            storage.catch_up()
            for (kind, record_id), revision in (expect or {}).items():
                self.check_revision(kind, record_id, revision)
            pending: dict[tuple[str, str], Record | None] = {}
            planned = []
            for kind, record_id, record, action in items:
                key = (kind, record_id)
                exists = (
                    pending[key] is not None
                    if key in pending
                    else record_id in self._docs(model_for(kind).kind)
                )
                if action == "put":
                    action = "update" if exists else "add"
                if action == "add" and exists:
                    raise DuplicateId(f"a {kind} with id {record_id!r} already exists")
                if action in ("update", "delete") and not exists:
                    raise NotFound(f"no {kind} with id {record_id!r}")
                if record is not None:
                    self._revalidate(record)
                pending[key] = record
                planned.append((kind, record_id, record, action))
            for (kind, record_id), record in pending.items():
                if record is None:
                    self._check_unreferenced(kind, record_id, pending)
                else:
                    self._check_references(record, pending)
                    self._check_move(record, pending)
            ops: builtins.list[Op] = []
            changes = []
            seq = self._max_seq
            at = self.clock()
            # What each record is before each step: a batch may write one record twice.
            current: dict[tuple[str, str], Record | None] = {}
            first_seq = seq + 1
            for n, (kind, record_id, record, action) in enumerate(planned):
                reverted = reverts[n] if reverts else None
                undoes = reverted if reverted and not redo else None
                redoes = reverted if reverted and redo else None
                key = (kind, record_id)
                before_record = current[key] if key in current else self._maybe(kind, record_id)
                current[key] = record
                before = dump_record(before_record) if before_record is not None else None
                after = dump_record(record) if record is not None else None
                if action == "update" and before == after and not resolves:
                    continue
                seq += 1
                change = Change(
                    seq=seq,
                    at=at,
                    action=action,
                    record_kind=kind,
                    record_id=record_id,
                    before=before,
                    after=after,
                    undoes=undoes.seq if undoes else None,
                    redoes=redoes.seq if redoes else None,
                    batch=first_seq if len(planned) > 1 else None,
                    summary=self._summary(kind, before, after, undoes, redoes, pending),
                    author=self.author,
                    resolves=resolves or None,
                )
                ops.append((kind, record_id, None if after is None else {**after, REVISION: seq}))
                ops.append((CHANGES, str(change.seq), change.model_dump(mode="json")))
                changes.append(change)
            if not ops:
                return []
            storage.commit(ops)
            for kind, record_id, record, _ in planned:
                self._index(kind, record_id, record)
            if storage.checkpoint_due():
                # The write is in the journal already: a checkpoint that fails is tried
                # again on the next write or on closing.
                with contextlib.suppress(StoreError):
                    storage.compact()
        self._changed()
        return changes

    def restore(self, records: Iterable[Record], changes: Iterable[Change]) -> None:
        """Fill an empty store with records and the history that led to them, in one
        transaction: what an import of a whole exported store does."""
        storage = self.storage
        with storage.locked():
            storage.catch_up()
            if self.count() or storage.history():
                raise StoreError(f"{self.path}: a history can only be restored into an empty store")
            pending: dict[tuple[str, str], Record | None] = {(r.kind, r.id): r for r in records}
            for record in pending.values():
                assert record is not None
                self._revalidate(record)
                self._check_references(record, pending)
            history = sorted(changes, key=lambda c: c.seq)
            # Each record's revision is the last change the history has of it.
            revisions = {(c.record_kind, c.record_id): c.seq for c in history}
            ops: builtins.list[Op] = [
                (
                    kind,
                    record_id,
                    {**dump_record(record), REVISION: revisions.get((kind, record_id), 0)},
                )
                for (kind, record_id), record in pending.items()
                if record is not None
            ]
            ops += [(CHANGES, str(c.seq), c.model_dump(mode="json")) for c in history]
            storage.commit(ops)
            for (kind, record_id), record in pending.items():
                self._index(kind, record_id, record)
        self._changed()

    def take_in(
        self,
        writes: Mapping[tuple[str, str], Mapping[str, Any] | None],
        entries: Iterable[Change],
    ) -> builtins.list[Change]:
        """What sync writes, in one transaction: records as every machine's changes
        leave them, as documents (None: gone), and the history entries that carry
        those changes here (their ``seq`` is given anew, in order). Each record written
        takes the number of the last entry naming it as its revision. Each document is
        validated here, once: it comes from another machine."""
        storage = self.storage
        with storage.locked():
            storage.catch_up()
            pending: dict[tuple[str, str], Record | None] = {}
            for (kind, record_id), doc in writes.items():
                pending[(kind, record_id)] = (
                    None if doc is None else self._taken_in(kind, record_id, doc)
                )
            for (kind, record_id), record in pending.items():
                doc = writes[(kind, record_id)]
                if record is None or doc is None:
                    self._check_unreferenced(kind, record_id, pending)
                else:
                    # Its references read from the document: no need to write it out again.
                    self._check_references(record, pending, RECORD_TYPES[kind].refs_of(doc))
            seq = self._max_seq
            ops: builtins.list[Op] = []
            changes: builtins.list[Change] = []
            revisions: dict[tuple[str, str], int] = {}
            for entry in entries:
                seq += 1
                change = entry.model_copy(update={"seq": seq})
                revisions[(change.record_kind, change.record_id)] = seq
                changes.append(change)
            for (kind, record_id), record in pending.items():
                after = None if record is None else dump_record(record)
                rev = revisions.get((kind, record_id), seq)
                ops.append((kind, record_id, None if after is None else {**after, REVISION: rev}))
            ops += [(CHANGES, str(c.seq), c.model_dump(mode="json")) for c in changes]
            if not ops:
                return []
            storage.commit(ops)
            for (kind, record_id), record in pending.items():
                self._index(kind, record_id, record)
        self._changed()
        return changes

    def _summary(
        self,
        kind: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        undoes: Change | None,
        redoes: Change | None,
        pending: dict[tuple[str, str], Record | None],
    ) -> str:
        """The change in words (``store.reading.words``), names looked up as the write leaves
        them."""
        records = _AsWritten(self, pending)
        if undoes is not None:
            return "undid: " + change_summary(records, undoes, prefix=False)
        if redoes is not None:
            return "redid: " + change_summary(records, redoes, prefix=False)
        return change_words(records, kind, before, after)

    @staticmethod
    def _taken_in(kind: str, record_id: str, doc: Mapping[str, Any]) -> Record:
        try:
            record = model_for(kind).model_validate(doc)
        except ValidationError as exc:
            raise InvalidRecord(f"{kind} {record_id!r}: {describe(exc)}") from None
        if record.id != record_id:
            raise InvalidRecord(f"{kind} {record_id!r}: written under another id ({record.id!r})")
        return record

    @staticmethod
    def _revalidate(record: Record) -> None:
        # Models are frozen but model_copy(update=...) skips validation: check again.
        try:
            type(record).model_validate(record.model_dump())
        except ValidationError as exc:
            raise InvalidRecord(f"{record.kind} {record.id!r}: {describe(exc)}") from None

    def _lookup(
        self, kind: str, record_id: str, pending: dict[tuple[str, str], Record | None]
    ) -> Record | None:
        if (kind, record_id) in pending:
            return pending[(kind, record_id)]
        return self._maybe(kind, record_id)

    def _check_references(
        self,
        record: Record,
        pending: dict[tuple[str, str], Record | None],
        refs: builtins.list[tuple[str, str, str]] | None = None,
    ) -> None:
        """Refuse the write on the first reference that cannot stand. ``refs``: the
        record's references read from its document; the targets are then looked up as
        stored documents too, without building their models."""

        def stored(kind: str, ref: str) -> Record | Mapping[str, Any] | None:
            if (kind, ref) in pending:
                return pending[(kind, ref)]
            return self._docs(kind).get(ref)

        lookup = stored if refs is not None else lambda k, r: self._lookup(k, r, pending)
        problem = next(dangling(record, lookup, refs), None)
        if problem is not None:
            where = f"{problem.field} " if problem.missing else ""
            raise IntegrityError(f"{record.kind} {record.id!r}: {where}{problem.reason()}")

    def _check_move(self, record: Record, pending: dict[tuple[str, str], Record | None]) -> None:
        """Refuse moving a record to another track while records of its old track refer to it."""
        after = move_blocker(
            record,
            self._maybe(record.kind, record.id),
            lambda: (
                pending.get((r.kind, r.id), r) for r in self.referrers(record.kind, record.id)
            ),
        )
        if after is not None:
            raise IntegrityError(
                f"cannot move {record.kind} {record.id!r} to track {track_of(record)!r}: "
                f"{after.kind} {after.id!r} of track {track_of(after)!r} refers to it"
            )

    def _check_unreferenced(
        self, kind: str, record_id: str, pending: dict[tuple[str, str], Record | None]
    ) -> None:
        users = []
        for r in self.referrers(kind, record_id):
            # Records rewritten in this same transaction count as they will be after it.
            after = pending.get((r.kind, r.id), r)
            if after is not None and any(
                k == kind and i == record_id for _, k, i in after.references()
            ):
                users.append(after)
        if users:
            names = ", ".join(f"{r.kind} {r.id!r}" for r in users[:3])
            more = f" and {len(users) - 3} more" if len(users) > 3 else ""
            raise IntegrityError(
                f"cannot delete {kind} {record_id!r}: it is referred to by {names}{more}"
            )
