"""The repository: the only reader and writer of a Parley store.

It returns models, never raw dicts; refuses writes that would leave a dangling
reference; records every write as a Change; and answers the questions the
dashboard asks, today or as of a past date.
"""

from __future__ import annotations

import builtins
import contextlib
import getpass
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from os import PathLike
from typing import Any, TypeVar

from pydantic import ValidationError

from ..errors import (
    Conflict,
    CorruptStore,
    DuplicateId,
    IntegrityError,
    InvalidRecord,
    NotFound,
    StoreError,
    describe,
)
from ..files.disk import collector_paused
from ..files.journal import CHANGES as STORED_CHANGES
from ..files.journal import is_seq
from ..files.state import Op, Preread
from ..files.storage import JournalStorage
from ..models import (
    RECORD_TYPES,
    REVISION,
    TRACK_KINDS,
    Assessment,
    Change,
    Event,
    PointStatus,
    Position,
    Proposal,
    Record,
    Role,
    Round,
    RoundStatus,
    StickingPoint,
    Track,
    model_for,
    revision_of,
    slugify,
    track_of,
)
from ..reading.words import capitalised, change_summary, change_words, changed_by, what_of
from .references import dangling, move_blocker

R = TypeVar("R", bound=Record)
Clock = Callable[[], datetime]
CHANGES = STORED_CHANGES
# Fold the journal into the snapshot (a checkpoint) once it outgrows this, and when
# the last process to have the store open closes it.
COMPACT_AT_BYTES = 4 * 1024 * 1024
# Who a change taken in from the snapshot, as another program left it, is by.
OUTSIDE = "outside Parley"


def system_clock() -> datetime:
    return datetime.now(UTC)


# Names who writes, for a dashboard or a command whose login is not the right name
# (a served session, a shared account).
AUTHOR_ENV = "PARLEY_USER"
AUTHOR_LENGTH = 80


def author_name(text: str) -> str:
    """A name fit for the history: one line of printable characters, not too long."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:AUTHOR_LENGTH]


def default_author() -> str:
    """Who the changes are by: ``$PARLEY_USER``, else the login; "" when neither is known."""
    named = author_name(os.environ.get(AUTHOR_ENV, ""))
    if named:
        return named
    try:
        return author_name(getpass.getuser())
    except (OSError, KeyError):  # no login name: a container's nameless uid
        return ""


def _dump(record: Record) -> dict[str, Any]:
    return record.model_dump(mode="json")


class _AsWritten:
    """The records a write names: those it adds or rewrites as it leaves them, the rest
    (those it deletes too) as stored, so that a name is found wherever there is one."""

    def __init__(self, repo: Repository, pending: dict[tuple[str, str], Record | None]) -> None:
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


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of a track's timeline."""

    date: date
    kind: str  # a record kind, or "response" for a party's response to a proposal
    record: Record
    text: str
    actor_ids: tuple[str, ...] = ()


class Repository:
    """Typed access to one store file. Open it with :func:`store.open_store`."""

    def __init__(
        self,
        path: str | PathLike[str],
        clock: Clock | None = None,
        preread: Preread | None = None,
        author: str | None = None,
        read_only: bool = False,
    ) -> None:
        self.clock: Clock = clock or system_clock
        # Every change written through this repository is recorded as by them.
        self.author = default_author() if author is None else author_name(author)
        self.storage = JournalStorage(path, preread=preread)
        # The store's files: closing them (``db.close()``) leaves them as they are.
        self.db = self.storage
        self.path = self.storage.path
        self.version = 0
        # Fold a long journal into the snapshot on closing; a command that only reads
        # (``parley check``) turns it off, and leaves the files as it found them.
        self.compact_on_close = not read_only
        # Models are built from the stored documents when first asked for: a large
        # store opens without building a hundred thousand of them.
        self._cache: dict[str, dict[str, Record]] = {}
        # Answers of list() by (kind, filters), dropped when a record of that kind
        # changes. A status change redraws views that list the track's positions and
        # events again, which have not changed.
        self._lists: dict[str, dict[tuple[Any, ...], builtins.list[Record]]] = {}
        # kind -> track -> the ids of its records of that kind; a track's ids are
        # gathered when first asked for, so opening needs no pass over every record.
        self._by_track: dict[str, dict[str, dict[str, None]]] = {}
        # Revisions of records written before records carried one, read from the history.
        self._derived: dict[tuple[str, str], int] = {}
        self._listeners: builtins.list[Callable[[int], None]] = []
        try:
            with collector_paused():
                self._load()
            if read_only:
                pass
            elif self.storage.old_layout:
                self._move_over()
            elif not self.storage.trusted and self.storage.snapshot_found:
                self._take_outside_changes()
        except StoreError:
            self.db.close()
            raise
        self.storage.on_foreign_ops = self._take_ops
        self.storage.on_reload = self._reloaded

    # -- loading ---------------------------------------------------------------

    def _load(self) -> None:
        """Check what was read.

        A snapshot Parley wrote whole (its digest matches) holds only records that
        were validated when written, so only the journal's records are validated
        again; any other snapshot is validated record by record.
        """
        storage = self.storage
        for table_name, table in storage.tables.items():
            if table_name == CHANGES:
                continue
            if table_name not in RECORD_TYPES:
                raise CorruptStore(f"{self.path}: unknown table {table_name!r}")
            cls = RECORD_TYPES[table_name]
            if not storage.trusted:
                for doc_id, doc in table.items():
                    self._validate(cls, doc_id, doc)
            elif storage.replayed:
                for doc_id, doc in table.items():
                    if (table_name, doc_id) in storage.replayed:
                        self._validate(cls, doc_id, doc)
        changes = storage.tables.get(CHANGES, {})
        bad = next((k for k in changes if not is_seq(k)), None)
        if bad is not None:
            raise CorruptStore(f"{self.path}: change {bad[:20]!r} is not numbered")
        self._cache = {kind: {} for kind in RECORD_TYPES}
        self._lists = {}
        self._by_track = {kind: {} for kind in TRACK_KINDS}
        self._derived = {}
        self.version += 1

    def _move_over(self) -> None:
        """Checkpoint a store written before the file was a TinyDB database into
        TinyDB's layout, once its records are checked: one atomic replacement, its
        history file and change numbers kept as they are."""
        storage = self.storage
        with storage.locked():
            if storage.catch_up():
                self._load()
            if storage.old_layout:
                storage.compact()

    def _take_outside_changes(self) -> None:
        """Take in, as one change by ``OUTSIDE``, what another program changed in the
        snapshot (TinyDB, an editor): the records as Parley last wrote them are those its
        history leaves. Refused (CorruptStore, one line, nothing written) when a record
        changed does not validate or a reference would not stand."""
        history = self.storage.history()
        left: dict[tuple[str, str], dict[str, Any] | None] = {}
        revision: dict[tuple[str, str], int] = {}
        for seq in sorted(history):
            change = history[seq]
            key = (change.get("record_kind", ""), change.get("record_id", ""))
            left[key], revision[key] = change.get("after"), seq
        items: builtins.list[tuple[str, str, Record | None, str]] = []
        for kind, cls in RECORD_TYPES.items():
            docs = self._docs(kind)
            for record_id, doc in docs.items():
                key = (kind, record_id)
                found = {name: value for name, value in doc.items() if name != REVISION}
                if left.get(key) == found or (key not in left and REVISION in doc):
                    continue
                items.append((kind, record_id, self._validate(cls, record_id, found), "put"))
            for (left_kind, record_id), was in left.items():
                if left_kind == kind and was is not None and record_id not in docs:
                    items.append((kind, record_id, None, "delete"))
        if not items:
            return
        # Back to the records as Parley left them, for the change to go from.
        for kind, record_id, _, _ in items:
            was = left.get((kind, record_id))
            table = self.storage.tables.setdefault(kind, {})
            if was is None:
                table.pop(record_id, None)
            else:
                table[record_id] = {**was, REVISION: revision[(kind, record_id)]}
        self._load()
        author, self.author = self.author, OUTSIDE
        try:
            self._write(items)
        except StoreError as exc:
            raise CorruptStore(
                f"{self.path}: changed outside Parley, and refused: {exc}; nothing was changed"
            ) from None
        finally:
            self.author = author

    def _reloaded(self) -> None:
        self._load()
        self._changed()

    # -- the change notice -----------------------------------------------------

    def subscribe(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """Call ``listener`` with the new version after every change to the store, made
        here or taken in from another process; returns the function that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _changed(self) -> None:
        self.version += 1
        for listener in builtins.list(self._listeners):
            listener(self.version)

    def _validate(self, cls: type[Record], doc_id: str, doc: dict[str, Any]) -> Record:
        try:
            record = cls.model_validate(doc)
        except ValidationError as exc:
            raise CorruptStore(f"{self.path}: {cls.kind} {doc_id!r}: {describe(exc)}") from None
        if record.id != doc_id:
            raise CorruptStore(
                f"{self.path}: {cls.kind} {doc_id!r} is stored under a different id ({record.id!r})"
            )
        return record

    def _docs(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.storage.tables.get(kind, {})

    def _track_ids(self, kind: str, track_id: str) -> dict[str, None]:
        """The ids of a track's records of a kind that belongs to tracks, in stored order."""
        tracks = self._by_track[kind]
        ids = tracks.get(track_id)
        if ids is None:
            ids = tracks[track_id] = {
                doc_id: None
                for doc_id, doc in self._docs(kind).items()
                if doc.get("track_id") == track_id
            }
        return ids

    def _record(self, kind: str, record_id: str) -> Record:
        """The model of a stored record; KeyError when there is none."""
        cached = self._cache[kind].get(record_id)
        if cached is None:
            doc = self._docs(kind)[record_id]
            cached = self._validate(RECORD_TYPES[kind], record_id, doc)
            self._cache[kind][record_id] = cached
        return cached

    def _maybe(self, kind: str, record_id: str) -> Record | None:
        return self._record(kind, record_id) if record_id in self._docs(kind) else None

    def _all(self, kind: str) -> Iterator[Record]:
        for record_id in builtins.list(self._docs(kind)):
            yield self._record(kind, record_id)

    @property
    def _max_seq(self) -> int:
        return self.storage.last_seq

    def _take_ops(self, ops: builtins.list[Op]) -> None:
        """Bring the models in line with operations another process wrote."""
        for table_name, doc_id, doc in ops:
            if table_name == CHANGES:
                continue
            cls = model_for(table_name)
            self._index(
                table_name, doc_id, None if doc is None else self._validate(cls, doc_id, doc)
            )
        self._changed()

    def _index(self, kind: str, record_id: str, record: Record | None) -> None:
        self._cache[kind].pop(record_id, None)
        self._derived.pop((kind, record_id), None)
        self._lists.pop(kind, None)
        if kind in self._by_track:
            # The old track is not known once the document is replaced: look in each.
            for ids in self._by_track[kind].values():
                ids.pop(record_id, None)
            if record is not None:
                # A track not gathered yet will find the record when it is.
                gathered = self._by_track[kind].get(record.track_id)  # type: ignore[attr-defined]
                if gathered is not None:
                    gathered[record_id] = None
        if record is not None:
            self._cache[kind][record_id] = record

    def refresh(self) -> bool:
        """Take in other processes' writes; True if anything changed."""
        return self.storage.catch_up()

    def close(self) -> None:
        """Close the files, folding a long journal in first; should that fail (a DiskError),
        the files are closed all the same, the journal holding every write."""
        try:
            storage = self.storage
            if self.compact_on_close and (
                storage.journal_size() > COMPACT_AT_BYTES or storage.last_open()
            ):
                with storage.locked():
                    storage.catch_up()
                    if storage.journal_size():
                        storage.compact()
        finally:
            self.db.close()

    def compact(self) -> None:
        with self.storage.locked():
            self.storage.catch_up()
            self.storage.compact()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def today(self) -> date:
        return self.clock().date()

    # -- reading ---------------------------------------------------------------

    def get(self, kind: str, record_id: str) -> Record:
        model_for(kind)
        try:
            return self._record(kind, record_id)
        except KeyError:
            raise NotFound(f"no {kind} with id {record_id!r}") from None

    def get_as(self, cls: type[R], record_id: str) -> R:
        record = self.get(cls.kind, record_id)
        assert isinstance(record, cls)
        return record

    def exists(self, kind: str, record_id: str) -> bool:
        return kind in RECORD_TYPES and record_id in self._docs(kind)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return sum(len(self._docs(k)) for k in RECORD_TYPES)
        return len(self._docs(model_for(kind).kind))

    def list(self, kind: str, **filters: Any) -> builtins.list[Record]:
        """Records of a kind, oldest first; a filter on a list field matches a member."""
        model_for(kind)
        try:
            key = tuple(sorted(filters.items()))
            hash(key)
        except TypeError:  # a list among the filters: answered afresh each time
            return self._list(kind, **filters)
        known = self._lists.setdefault(kind, {})
        if key not in known:
            known[key] = self._list(kind, **filters)
        return builtins.list(known[key])

    def _list(self, kind: str, **filters: Any) -> builtins.list[Record]:
        track_id = filters.pop("track_id", None)
        if track_id is not None and kind in self._by_track:
            ids = builtins.list(self._track_ids(kind, track_id))
            candidates: Iterable[Record] = (self._record(kind, i) for i in ids)
        else:
            candidates = self._all(kind)
            if track_id is not None:
                filters["track_id"] = track_id
        found = []
        for record in candidates:
            for name, wanted in filters.items():
                value = getattr(record, name)
                if isinstance(value, list) and not isinstance(wanted, list):
                    if wanted not in value:
                        break
                elif value != wanted:
                    break
            else:
                found.append(record)
        found.sort(key=lambda r: (r.sort_date or date.min, r.id))
        return found

    def list_as(self, cls: type[R], **filters: Any) -> builtins.list[R]:
        return [r for r in self.list(cls.kind, **filters) if isinstance(r, cls)]

    def ids(self, kind: str) -> builtins.list[str]:
        return builtins.list(self._docs(model_for(kind).kind))

    def documents(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every stored document of a kind, read-only, without building models: for
        scans of the whole store (the text search), where validating each would cost
        more than the scan."""
        yield from self._docs(model_for(kind).kind).items()

    def document(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        """One stored document, read-only, without building its model; None if none."""
        return self._docs(model_for(kind).kind).get(record_id)

    def find(self, kind: str, text: str, limit: int = 50) -> builtins.list[Record]:
        """Records whose label contains text, case-insensitively."""
        needle = text.casefold()
        found = []
        for record in self._all(model_for(kind).kind):
            if needle in record.label.casefold() or needle in record.id:
                found.append(record)
                if len(found) >= limit:
                    break
        return found

    # -- revisions -------------------------------------------------------------

    def revision(self, kind: str, record_id: str) -> int:
        """The record's revision: the number of the change that last wrote it (0 when no
        change is recorded). An edit names it, and is refused once the record moves on."""
        doc = self._docs(model_for(kind).kind).get(record_id)
        if doc is None:
            raise NotFound(f"no {kind} with id {record_id!r}")
        stored = revision_of(doc)
        if stored:
            return stored
        # Written before records carried their revision: the history knows it.
        key = (kind, record_id)
        if key not in self._derived:
            last = self.last_change(kind, record_id)
            self._derived[key] = last.seq if last is not None else 0
        return self._derived[key]

    def last_change(self, kind: str, record_id: str) -> Change | None:
        """The newest change to a record; None when the history has none."""
        return next(iter(self.history(kind, record_id, limit=1)), None)

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
        doc: dict[str, Any] | None = _dump(self.get(kind, record_id)) if exists else None
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

    def _stands_as(self, kind: str, record_id: str, doc: dict[str, Any] | None) -> bool:
        """Does the record read as ``doc`` (None: is it absent)? Both are read through the
        model, so a document an older version wrote compares by what it says."""
        current = self._maybe(kind, record_id)
        if current is None or doc is None:
            return current is None and doc is None
        try:
            return _dump(current) == _dump(model_for(kind).model_validate(doc))
        except ValidationError:
            return False

    def _check_steps(self, targets: builtins.list[Change], doing: str) -> None:
        """Refuse to undo (or redo) changes whose records moved on since: each must read
        as its change left it, or the step would overwrite what came after."""
        state: dict[tuple[str, str], dict[str, Any] | None] = {}
        for target in targets:  # newest first: each step finds what the newer left
            key = (target.record_kind, target.record_id)
            if key in state:
                stands = state[key] == target.after
            else:
                stands = self._stands_as(*key, target.after)
            if not stands:
                kind, record_id = key
                last = self.last_change(kind, record_id)
                doc = target.after or target.before or {"id": record_id}
                what = what_of(self, kind, doc)
                if last is not None and last.seq > target.seq:
                    how = f"has since been {changed_by(last)}"
                else:
                    how = "no longer reads as that change left it"
                step = change_summary(self, targets[-1], prefix=False)
                raise Conflict(
                    f"cannot {doing} {step}: {what} {how}; nothing was {doing}ne",
                    kind=kind,
                    record_id=record_id,
                    expected=target.seq,
                    revision=self.revision(kind, record_id) if self.exists(kind, record_id) else 0,
                    change=last,
                )
            state[key] = target.before

    # -- writing ---------------------------------------------------------------

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
                before = _dump(before_record) if before_record is not None else None
                after = _dump(record) if record is not None else None
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
            if storage.journal_size() > COMPACT_AT_BYTES:
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
                (kind, record_id, {**_dump(record), REVISION: revisions.get((kind, record_id), 0)})
                for (kind, record_id), record in pending.items()
                if record is not None
            ]
            ops += [(CHANGES, str(c.seq), c.model_dump(mode="json")) for c in history]
            storage.commit(ops)
            for (kind, record_id), record in pending.items():
                self._index(kind, record_id, record)
        self._changed()

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

    def referrers(self, kind: str, record_id: str) -> builtins.list[Record]:
        """Every record that refers to the given one.

        A scan of the stored documents, not of models: deletes and checks are rare,
        and an index of every reference would cost more memory than the scan costs time.
        """
        found: builtins.list[Record] = []
        for other_kind, cls in RECORD_TYPES.items():
            for doc_id, doc in self._docs(other_kind).items():
                if any(k == kind and r == record_id for _, k, r in cls.refs_of(doc)):
                    found.append(self._record(other_kind, doc_id))
        return found

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

    # -- history and undo ------------------------------------------------------

    def history(
        self, kind: str | None = None, record_id: str | None = None, limit: int | None = None
    ) -> builtins.list[Change]:
        """Changes, newest first, optionally of one kind or one record."""
        # The id as the history file spells it, to pass over other records' lines unread.
        needle = (
            json.dumps({"record_id": record_id}, ensure_ascii=False, separators=(",", ":"))[1:-1]
            if record_id is not None
            else None
        )
        found = []
        for doc in self.storage.newest_changes(needle.encode("utf-8") if needle else None):
            if kind is not None and doc.get("record_kind") != kind:
                continue
            if record_id is not None and doc.get("record_id") != record_id:
                continue
            found.append(Change.model_validate(doc))
            if limit is not None and len(found) >= limit:
                break
        return found

    def changes_since(self, seq: int) -> Iterator[Change]:
        """The changes numbered above ``seq``, newest first, read only that far back."""
        for doc in self.change_documents_since(seq):
            yield Change.model_validate(doc)

    def change_documents_since(self, seq: int) -> Iterator[Mapping[str, Any]]:
        """The same as stored, read-only and without building models: for counting."""
        for doc in self.storage.newest_changes():
            if doc.get("seq", 0) <= seq:
                break
            yield doc

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
                after = None if record is None else _dump(record)
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

    def undoable(self) -> builtins.list[Change]:
        """The changes ``undo()`` would revert, newest first: the newest write not undone
        and not an undo, with the rest of its transaction.

        A redo counts as a write of its own, so it can be undone in turn.
        """
        undone: set[int] = set()

        def wanted(doc: dict[str, Any]) -> bool:
            if doc.get("origin") is not None:  # another machine's change, taken in by sync
                return False
            if doc.get("undoes") is not None:
                undone.add(doc["undoes"])
                return False
            return doc.get("seq") not in undone

        return self._newest_transaction(wanted)

    def redoable(self) -> builtins.list[Change]:
        """The undos ``redo()`` would take back, newest first.

        Undos not yet redone stack up at the newest end of the log; any other write
        ends the stack, so a new write after an undo leaves nothing to redo.
        """
        redone: set[int] = set()

        def wanted(doc: dict[str, Any]) -> bool | None:
            if doc.get("redoes") is not None:
                redone.add(doc["redoes"])
                return False
            if doc.get("undoes") is None:
                return None
            return doc.get("seq") not in redone

        return self._newest_transaction(wanted)

    def _newest_transaction(
        self, wanted: Callable[[dict[str, Any]], bool | None]
    ) -> builtins.list[Change]:
        """The newest change ``wanted`` takes, with the others of its transaction;
        none once ``wanted`` says None (stop)."""
        found: builtins.list[Change] = []
        for doc in self.storage.newest_changes():
            if found:
                if found[0].batch is not None and doc.get("batch") == found[0].batch:
                    found.append(Change.model_validate(doc))
                    continue
                break
            verdict = wanted(doc)
            if verdict is None:
                break
            if verdict:
                found.append(Change.model_validate(doc))
                if found[0].batch is None:
                    break
        return found

    def undo(self) -> builtins.list[Change]:
        """Revert the newest write not yet undone, its whole transaction; returns the
        changes that did it (none when there is nothing to undo)."""
        with self.storage.locked():
            self.storage.catch_up()
            targets = self.undoable()
            if not targets:
                return []
            self._check_steps(targets, "undo")
            try:
                return self._write([self._revert(t) for t in targets], reverts=targets)
            except IntegrityError as exc:
                what = change_summary(self, targets[-1], prefix=False)
                raise IntegrityError(f"cannot undo {what}: {exc}") from None

    def redo(self) -> builtins.list[Change]:
        """Take back the newest undo not yet redone, its whole transaction; returns the
        changes that did it (none when the newest write is not an undo)."""
        with self.storage.locked():
            self.storage.catch_up()
            targets = self.redoable()
            if not targets:
                return []
            self._check_steps(targets, "redo")
            try:
                return self._write([self._revert(t) for t in targets], reverts=targets, redo=True)
            except IntegrityError as exc:
                what = change_summary(self, targets[-1], prefix=False)
                raise IntegrityError(f"cannot redo {what}: {exc}") from None

    @staticmethod
    def _revert(change: Change) -> tuple[str, str, Record | None, str]:
        """The write that puts a record back as it was before ``change``."""
        kind, record_id = change.record_kind, change.record_id
        if change.before is None:
            return (kind, record_id, None, "delete")
        return (kind, record_id, model_for(kind).model_validate(change.before), "put")

    # -- what the dashboard asks -----------------------------------------------

    def tracks(self) -> builtins.list[Track]:
        return sorted(self.list_as(Track), key=lambda t: t.title.casefold())

    def parties(self, track_id: str) -> builtins.list[str]:
        track = self.get_as(Track, track_id)
        return track.actors_with(Role.PARTY)

    def rounds(self, track_id: str, as_of: date | None = None) -> builtins.list[Round]:
        """A track's rounds by start date; as of a date, those known by then with their status."""
        rounds = self.list_as(Round, track_id=track_id)
        if as_of is None:
            return rounds
        shown = []
        for r in rounds:
            logged = r.status_on(as_of)
            if r.start > as_of and logged is None:
                continue
            if logged is None:
                if r.start > as_of:
                    logged = RoundStatus.SCHEDULED
                elif r.end is None or r.end >= as_of:
                    logged = RoundStatus.UNDER_WAY if r.end != r.start else r.status
                else:
                    logged = r.status
            shown.append(r.model_copy(update={"status": RoundStatus(logged)}))
        return shown

    def points(self, track_id: str, as_of: date | None = None) -> builtins.list[StickingPoint]:
        """A track's sticking points, by priority then title; as of a date, with the status then."""
        order = {"high": 0, "medium": 1, "low": 2}
        points = sorted(
            self.list_as(StickingPoint, track_id=track_id),
            key=lambda p: (order[p.priority.value], p.title.casefold()),
        )
        if as_of is None:
            return points
        shown = []
        for p in points:
            if p.raised is not None and p.raised > as_of:
                continue
            logged = p.status_on(as_of)
            if logged is None and p.status_log:
                logged = PointStatus.OPEN
            shown.append(
                p.model_copy(update={"status": PointStatus(logged)}) if logged is not None else p
            )
        return shown

    def positions(
        self,
        track_id: str,
        point_id: str | None = None,
        actor_id: str | None = None,
        as_of: date | None = None,
    ) -> builtins.list[Position]:
        """Positions, newest first."""
        filters: dict[str, Any] = {"track_id": track_id}
        if point_id is not None:
            filters["point_id"] = point_id
        if actor_id is not None:
            filters["actor_id"] = actor_id
        found = [p for p in self.list_as(Position, **filters) if as_of is None or p.date <= as_of]
        found.reverse()
        return found

    def latest_positions(
        self, track_id: str, as_of: date | None = None
    ) -> dict[tuple[str, str], Position]:
        """Each party's latest position on each sticking point: (point, actor) -> position."""
        latest: dict[tuple[str, str], Position] = {}
        for position in reversed(self.positions(track_id, as_of=as_of)):
            latest[(position.point_id, position.actor_id)] = position
        return latest

    def proposals(self, track_id: str, as_of: date | None = None) -> builtins.list[Proposal]:
        found = []
        for proposal in self.list_as(Proposal, track_id=track_id):
            if as_of is not None:
                if proposal.date > as_of:
                    continue
                proposal = self._proposal_as_of(proposal, as_of)
            found.append(proposal)
        return found

    def proposal(self, proposal_id: str, as_of: date | None = None) -> Proposal:
        """A proposal with each party's response, as they stood on ``as_of``."""
        proposal = self.get_as(Proposal, proposal_id)
        return proposal if as_of is None else self._proposal_as_of(proposal, as_of)

    @staticmethod
    def _proposal_as_of(proposal: Proposal, as_of: date) -> Proposal:
        # Each party's latest response by then; one given only later reads as pending.
        return proposal.model_copy(update={"responses": proposal.current_responses(as_of)})

    def events(self, track_id: str, as_of: date | None = None) -> builtins.list[Event]:
        return [
            e for e in self.list_as(Event, track_id=track_id) if as_of is None or e.date <= as_of
        ]

    def assessments(self, track_id: str, as_of: date | None = None) -> builtins.list[Assessment]:
        return [
            a
            for a in self.list_as(Assessment, track_id=track_id)
            if as_of is None or a.date <= as_of
        ]

    def timeline(self, track_id: str, as_of: date | None = None) -> builtins.list[TimelineEntry]:
        """Rounds, status changes, positions (each naming its point), proposals,
        responses, events and analysts' assessments of a track, in date order."""
        entries: builtins.list[TimelineEntry] = []
        for r in self.rounds(track_id, as_of):
            actors = tuple(r.mediator_ids + r.participant_ids)
            entries.append(TimelineEntry(r.start, "round", r, r.title, actors))
            entries += self._status_entries(r, as_of)
        titles = {}
        for point in self.points(track_id, as_of):
            titles[point.id] = point.title
            entries += self._status_entries(point, as_of)
        for p in self.positions(track_id, as_of=as_of):
            # A position names its point: the row says what the stance is about.
            text = f"{titles.get(p.point_id, p.point_id)}: {p.gist or p.stance}"
            entries.append(TimelineEntry(p.date, "position", p, text, (p.actor_id,)))
        for pr in self.proposals(track_id, as_of):
            entries.append(TimelineEntry(pr.date, "proposal", pr, pr.title, tuple(pr.by_ids)))
            for resp in pr.responses:
                if resp.date is not None:
                    actor = self._maybe("actor", resp.actor_id)
                    who = actor.label if actor is not None else resp.actor_id
                    text = f"{who}: {resp.status.value} ({pr.title})"
                    entries.append(TimelineEntry(resp.date, "response", pr, text, (resp.actor_id,)))
        for e in self.events(track_id, as_of):
            entries.append(TimelineEntry(e.date, "event", e, e.title, tuple(e.actor_ids)))
        for a in self.assessments(track_id, as_of):
            entries.append(TimelineEntry(a.date, "assessment", a, f"{a.analyst}: {a.gist}"))
        order = {
            "round": 0,
            "status": 0,
            "proposal": 1,
            "response": 2,
            "position": 3,
            "event": 4,
            "assessment": 5,
        }
        entries.sort(key=lambda t: (t.date, order[t.kind], t.record.id))
        return entries

    @staticmethod
    def _status_entries(
        record: Round | StickingPoint, as_of: date | None
    ) -> builtins.list[TimelineEntry]:
        """Each logged status of a round or point as a line: what it moved from, to what."""
        entries = []
        was: str | None = None
        for entry in sorted(record.status_log, key=lambda e: e.date):
            if as_of is not None and entry.date > as_of:
                break
            moved = f"{was} → {entry.status}" if was and was != entry.status else entry.status
            entries.append(TimelineEntry(entry.date, "status", record, f"{record.title}: {moved}"))
            was = entry.status
        return entries

    def citing(self, source_id: str, track_id: str | None = None) -> builtins.list[Record]:
        """Every record that cites a source; of one track only, when given (much faster)."""
        if track_id is None:
            return self.referrers("source", source_id)
        found: builtins.list[Record] = []
        for kind in TRACK_KINDS:
            cls = RECORD_TYPES[kind]
            docs = self._docs(kind)
            for doc_id in builtins.list(self._track_ids(kind, track_id)):
                if any(r == source_id for _, k, r in cls.refs_of(docs[doc_id]) if k == "source"):
                    found.append(self._record(kind, doc_id))
        return found

    # -- checking --------------------------------------------------------------

    def problems(self) -> builtins.list[str]:
        """Every problem in the store: invalid records, dangling references, bad changes."""
        found = []
        for kind, cls in RECORD_TYPES.items():
            for doc_id, doc in self._docs(kind).items():
                try:
                    self._validate(cls, doc_id, doc)
                except CorruptStore as exc:
                    found.append(str(exc).removeprefix(f"{self.path}: "))
                    continue
                for field, ref_kind, ref in cls.refs_of(doc):
                    if ref not in self._docs(ref_kind):
                        found.append(
                            f"{kind} {doc_id!r}: {field} refers to missing {ref_kind} {ref!r}"
                        )
        try:
            history = self.storage.history()
        except CorruptStore as exc:
            return [*found, str(exc)]
        for seq, doc in history.items():
            try:
                Change.model_validate(doc)
            except ValidationError as exc:
                found.append(f"change {seq}: {describe(exc)}")
        return found
