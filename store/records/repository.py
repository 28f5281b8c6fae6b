"""The repository: the only reader and writer of a Parley store.

It returns models, never raw dicts; refuses writes that would leave a dangling
reference; records every write as a Change; and answers the questions the
dashboard asks, today or as of a past date."""

from __future__ import annotations

import builtins
import getpass
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import CorruptStore, StoreError, describe
from ..files.disk import close_quietly, collector_paused
from ..files.journal import CHANGES, is_seq
from ..files.state import Preread
from ..files.storage import JournalStorage
from ..models import RECORD_TYPES, TRACK_KINDS, Change
from ..record import REVISION, Record
from .cache import Clock
from .queries import TrackQueries
from .undo import Undo

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


class Repository(Undo, TrackQueries):
    """Typed access to one store file. Open it with :func:`store.open_store`."""

    def __init__(
        self,
        path: str | PathLike[str],
        clock: Clock | None = None,
        preread: Preread | None = None,
        author: str | None = None,
        read_only: bool = False,
        defer: bool = False,
    ) -> None:
        """``defer``: read the files later, on ``open()`` or when first used, so that
        a screen kept from the last session can be drawn first."""
        self.clock: Clock = clock or system_clock
        # Every change written through this repository is recorded as by them.
        self.author = default_author() if author is None else author_name(author)
        self.path = Path(path)
        self._listeners: builtins.list[Callable[[int], None]] = []
        self._unread: tuple[Preread | None, bool] | None = (preread, read_only)
        if not defer:
            self.open()

    @property
    def is_open(self) -> bool:
        return self._unread is None

    def open(self) -> None:
        """Read the store's files, if not read yet; raises StoreError with a one-line reason."""
        if self._unread is None:
            return
        (preread, read_only), self._unread = self._unread, None
        try:
            self._read(preread, read_only)
        except BaseException:
            # Not open: closing does nothing more, and a later use tries again.
            self._unread = (None, read_only)
            raise

    def _read(self, preread: Preread | None, read_only: bool) -> None:
        self.storage = JournalStorage(self.path, preread=preread)
        # The store's files: closing them (``db.close()``) leaves them as they are.
        self.db = self.storage
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

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            # Reached only for what open() sets: a store opened with ``defer`` is read
            # when first used, whoever uses it.
            if name.startswith("__") or self.__dict__.get("_unread") is None:
                raise AttributeError(name)
            self.open()
            return getattr(self, name)

    # -- loading -------------------------------------------------------------

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

    def refresh(self) -> bool:
        """Take in other processes' writes; True if anything changed."""
        return self.storage.catch_up()

    def settle(self) -> None:
        """Fold the journal into the snapshot if it is long, or if no other process has
        the store open: what closing does before it closes the files."""
        storage = self.storage
        if self.compact_on_close and (storage.checkpoint_due() or storage.last_open()):
            with storage.locked():
                storage.catch_up()
                if storage.journal_size():
                    storage.compact()

    def at_rest(self) -> tuple[int, int, int] | None:
        """The snapshot's inode, size and mtime while it holds every record as read
        here (nothing in the journal): what ``store.files.storage.at_rest`` finds
        for the path until the next write."""
        return self.storage.at_rest() if self.is_open else None

    def close(self) -> None:
        """Close the files, folding a long journal in first; should that fail (a DiskError),
        the files are closed all the same, the journal holding every write."""
        if self._unread is not None:
            # Never read: nothing to fold in, only the snapshot read ahead to let go of.
            preread, read_only = self._unread
            self._unread = (None, read_only)
            if preread is not None:
                close_quietly(preread[0])
            return
        try:
            self.settle()
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

    # -- checking ------------------------------------------------------------

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
