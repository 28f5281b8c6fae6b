"""Durable, shared storage: a TinyDB database and its write-ahead journal.

Stock ``JSONStorage`` rewrites the whole file in place on every write, so a
crash mid-write can leave a spliced file and an update costs time in
proportion to the store. Here instead:

* ``parley.json`` is a snapshot in TinyDB's layout (``tinydb_adapter``), only ever
  replaced whole (``store.files.atomic``: temp file, fsync, ``os.replace``, directory
  fsync), so it is always either the old or the new one. A checkpoint (``compact``) writes it when
  the last process closes the store, on ``parley compact``, and when the journal
  outgrows its bound; a snapshot from before the TinyDB layout is read too, and
  moved over by the repository;
* ``parley.json.journal`` gets one JSON line per transaction, appended and
  fsync'd before the write returns, so a write costs time in proportion to
  the record, not the store. A line cut short by a crash has no newline and
  is ignored (and cut off by the next writer): that write was never acknowledged.
  The directory is fsync'd when the journal or the history file is created, so
  that a crash cannot take the file away with the writes in it;
* ``parley.json.lock`` is held exclusively while writing and shared while
  reading, and every writer first catches up with what other processes
  appended, so two processes on one file both keep their edits.

Compaction folds the journal into a new snapshot with the next generation
number; journal lines from an older generation are then skipped on replay,
which makes a crash between the snapshot's replacement and the journal's
truncation harmless.

The snapshot carries a digest of its tables. A snapshot whose digest matches was
written whole by Parley from validated records, so opening it need not validate
each record again; any other (a hand-edited file) is validated record by record.
The change history is not in the snapshot: compaction appends the journal's
changes to ``parley.json.history``, which is read only when history is asked for.

A snapshot older than what was written after it (a journal line of a later
generation, a change in the history past the last the snapshot and journal hold)
is refused on reading: it was copied back from a backup, or the disk lost its
replacement, and a write on it would give a change a number the history holds.

Every failure of the operating system to read or write one of these files is a
``DiskError`` naming the file and what failed, never an ``OSError``. A write that
fails leaves the files and this object's tables as they were: the journal is cut
back to its last acknowledged line, a half-written snapshot is removed, and the
history file is cut back to where the failed compaction started appending.

Each storage keeps the snapshot it read open. While it is open its inode
number cannot go to another file, so a replaced snapshot always shows a new
inode, even where timestamps are too coarse to tell two snapshots apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import limits
from ..errors import CorruptStore, DiskError, TooLarge
from . import access, migrations
from .atomic import fsync_dir, write_all
from .checkpoint import Checkpoint
from .disk import NOTHING_SAVED, close_quietly, disk_error, read_file
from .journal import CHANGES, ROLLED_BACK, is_seq, parse_journal_line
from .lock import lock_path_of
from .snapshot import UNREAD, parse_snapshot
from .state import Op, Preread, Tables


def at_rest(path: Path) -> tuple[int, int, int] | None:
    """The snapshot's inode, size and mtime when the journal beside it is empty, as
    the last process to close a store leaves it (the snapshot then holds every record);
    None while the journal holds writes, or when a file cannot be read."""
    try:
        st = os.stat(path)
        if os.stat(path.with_name(path.name + ".journal")).st_size:
            return None
    except FileNotFoundError as exc:
        if exc.filename == str(path):
            return None
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# What reading the files sets: put back as it was when a read fails part way.
_LOADED = (
    "schema",
    "generation",
    "tables",
    "trusted",
    "last_seq",
    "replayed",
    "_history",
    "_journal_offset",
    "_snapshot_found",
    "old_layout",
)


class JournalStorage(Checkpoint):
    """A TinyDB database (the snapshot) and its write-ahead journal; see the module doc."""

    def __init__(
        self, path: str | os.PathLike[str], create: bool = True, preread: Preread | None = None
    ) -> None:
        """``preread`` is the snapshot as read without the lock; this takes its descriptor
        over, and uses its bytes only if the file is still the snapshot once locked."""
        self.path = Path(path)
        self._preread = preread
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = lock_path_of(self.path)
        self.history_path = self.path.with_name(self.path.name + ".history")
        self.create = create
        # Set by _load: was the snapshot written whole by Parley, and which records
        # came from the journal since (those are validated again on open)?
        self.trusted = False
        self.replayed: set[tuple[str, str]] = set()
        self.last_seq = 0
        self._history: dict[int, dict[str, Any]] | None = None
        self.tables: Tables = {}
        self.generation = 0
        self.schema = migrations.CURRENT_SCHEMA
        # Was the snapshot read written in the layout from before it was a TinyDB file?
        self.old_layout = False
        self._snapshot_stat: tuple[int, int, int] | None = None
        self._snapshot_fd: int | None = None
        self._journal_offset = 0
        self._journal_fd: int | None = None
        # Set when a compaction replaced the snapshot but could not sync the folder: until
        # the folder is synced, the journal still holds writes the old snapshot lacks.
        self._folder_unsynced = False
        self._snapshot_found = False
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._lock_mode = 0
        # Does this process hold the record lock that says the store is open?
        self._marked_open = False
        # Called with the ops another process wrote, after they are applied.
        self.on_foreign_ops: Callable[[list[Op]], None] | None = None
        self.on_reload: Callable[[], None] | None = None
        files = (self.path, self.journal_path, self.history_path, self.lock_path)
        try:
            access.check(files)
            with self.locked(shared=True):
                self._load()
            if self.schema < migrations.CURRENT_SCHEMA:
                # Read again under the exclusive lock, so that nothing is appended to
                # the old schema's journal between reading and folding it in.
                with self.locked():
                    self._load()
                    if self.schema < migrations.CURRENT_SCHEMA:
                        self.compact()
            self._mark_open()
        except BaseException:
            self.close()
            raise

    # -- reading ---------------------------------------------------------------

    def _load(self) -> None:
        """Read the snapshot, replay the journal and migrate the result; never writes.

        All or nothing: should the files not read, the tables stay as they were, and
        the snapshot is read again next time.
        """
        before = {name: getattr(self, name) for name in _LOADED}
        held = self._snapshot_fd
        try:
            self._read_files()
        except BaseException:
            for name, value in before.items():
                setattr(self, name, value)
            if self._snapshot_fd != held:
                self._snapshot_stat = UNREAD
            raise

    def _read_files(self) -> None:
        fd, raw = self._take_preread()
        if fd is None:
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
            except FileNotFoundError:
                fd = None
            except OSError as exc:
                raise DiskError(f"{self.path}: cannot read the file: {exc.strerror}") from None
        tables: Tables = {}
        schema, generation, last_seq, trusted, old = migrations.CURRENT_SCHEMA, 0, 0, True, False
        if fd is not None:
            try:
                if raw is None:
                    with open(fd, "rb", closefd=False) as fh:
                        raw = fh.read()
                parsed = parse_snapshot(self.path, raw)
                schema, generation, last_seq, trusted, tables, old = parsed
                if old and tables.get(CHANGES):
                    # A snapshot older still kept its changes in a table, and no count.
                    numbered = [int(k) for k in tables[CHANGES] if is_seq(k)]
                    last_seq = max([last_seq, *numbered])
                del raw
            except BaseException as exc:
                close_quietly(fd)
                if isinstance(exc, OSError):
                    raise DiskError(f"{self.path}: cannot read the file: {exc.strerror}") from None
                raise
        self._hold_snapshot(fd)
        self.schema, self.generation, self.tables = schema, generation, tables
        self.trusted, self.last_seq, self.replayed = trusted, last_seq, set()
        self.old_layout = old
        self._history = None
        self._journal_offset = 0
        self._snapshot_found = fd is not None
        self._replay()
        self._check_history_end()
        if self.schema < migrations.CURRENT_SCHEMA:
            # The journal's lines were written under the snapshot's schema too.
            self.tables = migrations.migrate(self.tables, self.schema)

    def _replay(self) -> list[Op]:
        """Apply complete journal lines past the last offset read; return their ops.

        Every line is parsed before any is applied: a damaged line leaves the tables
        as they were.
        """
        data = read_file(self.journal_path, self._journal_offset)
        end = data.rfind(b"\n") + 1 if data else 0
        if not end:
            return []
        assert data is not None
        applied: list[Op] = []
        # The line count is only for messages: lines before the offset are counted
        # only when there are lines to read.
        lineno = self._lines_before_offset()
        for raw_line in data[: end - 1].split(b"\n"):
            lineno += 1
            if not raw_line.strip():
                continue
            generation, ops = parse_journal_line(self.journal_path, lineno, raw_line)
            if generation > self.generation:
                raise CorruptStore(
                    f"{self.journal_path} line {lineno} was written after generation "
                    f"{generation} of the snapshot, but {self._snapshot_said()}: "
                    f"{ROLLED_BACK}"
                )
            if generation < self.generation:
                # Folded into the snapshot already by a compaction that crashed before
                # truncating the journal.
                continue
            applied.extend(ops)
        self._apply(applied)
        self._journal_offset += end
        return applied

    def _snapshot_said(self) -> str:
        if not self._snapshot_found:
            return f"there is no {self.path}"
        return f"{self.path} is generation {self.generation}"

    def _lines_before_offset(self) -> int:
        if not self._journal_offset:
            return 0
        data = read_file(self.journal_path, 0, self._journal_offset)
        return data.count(b"\n") if data else 0

    def _apply(self, ops: list[Op], replayed: bool = True) -> None:
        for table, doc_id, doc in ops:
            if table == CHANGES and is_seq(doc_id):
                self.last_seq = max(self.last_seq, int(doc_id))
            elif replayed:
                self.replayed.add((table, doc_id))
            if doc is None:
                self.tables.get(table, {}).pop(doc_id, None)
            else:
                self.tables.setdefault(table, {})[doc_id] = doc

    def catch_up(self) -> bool:
        """Take in what other processes wrote since we last looked; True if anything changed."""
        with self.locked(shared=True):
            stat = self._stat_snapshot()
            if stat != self._snapshot_stat:
                self._load()
                if self.on_reload:
                    self.on_reload()
                return True
            ops = self._replay()
            if ops and self.on_foreign_ops:
                self.on_foreign_ops(ops)
            return bool(ops)

    def close(self) -> None:
        if self._preread is not None:
            close_quietly(self._preread[0])
            self._preread = None
        self._hold_snapshot(None)
        for name in ("_journal_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                # Nothing is left unsaved by now: every write was fsync'd.
                with contextlib.suppress(OSError):
                    os.close(fd)

    # -- writing ---------------------------------------------------------------

    def commit(self, ops: list[Op]) -> None:
        """Append one transaction to the journal, durably. Call under ``locked()``.

        On any failure the journal is cut back to its last acknowledged line and the
        tables are left as they were: a DiskError says what failed.
        """
        assert self._lock_mode == fcntl.LOCK_EX, "commit() needs the exclusive lock"
        if self._snapshot_stat is None:
            self.compact()
        line = json.dumps(
            {"g": self.generation, "ops": ops}, ensure_ascii=False, separators=(",", ":")
        )
        payload = (line + "\n").encode("utf-8")
        if len(payload) > limits.JOURNAL_LINE_BYTES:
            what, bound = f"one write to {self.journal_path}", limits.JOURNAL_LINE_BYTES
            raise TooLarge(limits.past(what, len(payload), bound, NOTHING_SAVED))
        doing = "opening"
        try:
            if self._folder_unsynced:
                # Cutting the journal back below would lose its old lines, should a crash
                # then take the new snapshot's directory entry away.
                doing = "flushing to disk the folder of"
                fsync_dir(self.path.parent)
                self._folder_unsynced = False
                doing = "opening"
            if self._journal_fd is None:
                self._journal_fd = self._open_journal()
            doing = "reading"
            size = os.fstat(self._journal_fd).st_size
            doing = "writing"
            if size > self._journal_offset:
                # A torn line from a writer that died mid-append: it was never acknowledged.
                os.ftruncate(self._journal_fd, self._journal_offset)
            write_all(self._journal_fd, payload)
            doing = "flushing {} to disk"
            os.fsync(self._journal_fd)
        except BaseException as exc:
            # Not acknowledged: the line must not turn up on the next read either.
            if self._journal_fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._journal_fd, self._journal_offset)
            if isinstance(exc, OSError):
                raise disk_error(exc, doing, self.journal_path, NOTHING_SAVED) from None
            raise
        self._journal_offset += len(payload)
        # Our own writes were validated before they were written.
        self._apply(ops, replayed=False)

    def _open_journal(self) -> int:
        """The journal, opened to append; made, and its directory entry made durable, if
        there is none. Should the directory not sync, the new file is taken away again,
        so that the next write makes it (and syncs) anew."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW
        try:
            return os.open(self.journal_path, flags)
        except FileNotFoundError:
            pass
        fd = access.create(self.journal_path, flags | os.O_EXCL)
        try:
            fsync_dir(self.path.parent)
        except OSError as exc:
            close_quietly(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.journal_path)
            raise disk_error(
                exc, "flushing to disk the folder of the new", self.journal_path, NOTHING_SAVED
            ) from None
        return fd

    def journal_size(self) -> int:
        return self._journal_offset

    def at_rest(self) -> tuple[int, int, int] | None:
        """``at_rest(path)``, when the snapshot is the one read or written here and no
        write is in the journal: the tables here are then the snapshot's."""
        if self._journal_offset or self._snapshot_stat in (None, UNREAD):
            return None
        found = at_rest(self.path)
        return found if found == self._snapshot_stat else None
