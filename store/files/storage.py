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
import errno
import fcntl
import gc
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic_core

from .. import limits
from ..errors import CorruptStore, DiskError, LockedStore, TooLarge
from . import access
from .atomic import FileFailed, write_all
from .atomic import fsync_dir as _fsync_dir
from .migrations import CURRENT_SCHEMA, migrate

# What Parley takes from TinyDB, and why, is all in tinydb_adapter.
from .tinydb_adapter import (
    META,
    META_ID,
    SnapshotFile,
    digest,
    tables_part,
)

FORMAT = "parley"
CHANGES = "change"
TABLES_KEY = b',"tables":'
Tables = dict[str, dict[str, dict[str, Any]]]
# One operation: (table, doc id, the new document or None to remove it).
Op = tuple[str, str, dict[str, Any] | None]
# The snapshot read ahead of opening the store: an open descriptor, the file's bytes,
# and its modification time (ns) as it was before they were read.
Preread = tuple[int, bytes, int]
LOCK_TIMEOUT = 10.0
# The history file is read backwards in blocks of this many bytes.
HISTORY_BLOCK = 256 * 1024
# A change as Parley writes it starts with its number.
_SEQ_RE = re.compile(rb'\{"seq":(\d{1,18})[,}]')
# What a user is told happened when a write fails.
NOTHING_SAVED = "nothing was saved"
UNCHANGED = "the store is unchanged"
# A stat no file has: the snapshot must be read again before it is trusted.
_UNREAD = (-1, -1, -1)
# How an OSError is put to a user; other errors take the system's own words.
_REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "input/output error",
    # O_NOFOLLOW met a symbolic link: the store writes only files of its own.
    errno.ELOOP: "symbolic link found",
}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while building many containers.

    A snapshot parses into hundreds of thousands of dicts and lists with no
    cycles among them, yet each allocation counts towards a collection, and each
    full collection walks every container built so far: left on, the collector
    costs about as much as the parse itself.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _disk_error(exc: OSError, doing: str, target: str | Path, outcome: str = "") -> DiskError:
    """One line: what the system said, what was being done to which file, and what it
    means for the store ("disk full writing parley.json.journal; nothing was saved").
    ``doing`` puts the file where its ``{}`` is, or else after it."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc) or "failed").lower()
    what = doing.format(target) if "{}" in doing else f"{doing} {target}"
    return DiskError(f"{reason} {what}" + (f"; {outcome}" if outcome else ""))


def _close(fd: int) -> None:
    """Close a descriptor that only read, or whose writes were flushed to disk already:
    a failure to close it loses nothing, and is no reason to fail what was done."""
    with contextlib.suppress(OSError):
        os.close(fd)


@contextlib.contextmanager
def _system(doing: str, target: str | Path, outcome: str = "") -> Iterator[None]:
    """The calls inside, any OSError of theirs said as a DiskError naming the file and
    what was being done to it."""
    try:
        yield
    except OSError as exc:
        raise _disk_error(exc, doing, target, outcome) from None


def _read_file(path: Path, offset: int = 0, size: int = -1) -> bytes | None:
    """``size`` bytes of a file from ``offset`` (all of it by default); None when there is
    no such file, and a DiskError when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _disk_error(exc, "opening", path) from None
    try:
        with open(fd, "rb", closefd=False) as fh:
            fh.seek(offset)
            return fh.read(size)
    except OSError as exc:
        raise _disk_error(exc, "reading", path) from None
    finally:
        _close(fd)


def _loads(raw: bytes) -> Any:
    """One JSON value as Parley writes them; ValueError for anything else.

    pydantic-core's parser, as for the snapshot, not the json module: on a damaged
    line that raises RecursionError (deep nesting), a bare ValueError (an integer of
    over 4,300 digits) or reads Infinity and NaN, which no Parley file holds. This one
    stops at a depth of 200 and says each of those as a ValueError.
    """
    return pydantic_core.from_json(raw, allow_inf_nan=False)


def is_seq(key: str) -> bool:
    """A change's number as Parley writes it: digits, no leading zero, not absurdly long."""
    return key.isascii() and key.isdigit() and len(key) <= 18 and str(int(key)) == key


def change_seq(doc: Any) -> int:
    """The number of a change as read from the history; ValueError when it has none."""
    seq = doc.get("seq") if isinstance(doc, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("not a valid change")
    return seq


def _tables_bytes(raw: bytes) -> memoryview:
    """The bytes of the tables as Parley writes them, in either layout.

    A view, not a copy: the file may be tens of megabytes.
    """
    if not raw.startswith(b'{"format"'):
        return tables_part(raw)
    # The layout before the file was a TinyDB database: the tables last, after a header.
    start = raw.find(TABLES_KEY)
    end = raw.rfind(b"}")
    return memoryview(raw)[start + len(TABLES_KEY) : end] if 0 <= start < end else memoryview(b"")


class _Digester(threading.Thread):
    """The digest of a snapshot's tables, worked out beside the parse.

    hashlib lets go of the interpreter lock while it hashes, and the parser holds
    it throughout, so the two take no time from each other on a machine with a
    spare core: on a large store that is the whole of the hashing time.
    """

    def __init__(self, raw: bytes) -> None:
        super().__init__(name="snapshot digest", daemon=True)
        self.raw = raw
        self.result = ""
        self._hashing = threading.Event()

    def start(self) -> None:
        super().start()
        # Return only once the hash is about to run: the parser, once started, would
        # keep this thread waiting for the lock until it finishes.
        self._hashing.wait()

    def run(self) -> None:
        view = _tables_bytes(self.raw)
        self._hashing.set()
        self.result = digest(view)

    def digest(self) -> str:
        self.join()
        return self.result


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _parse_snapshot(path: Path, raw: bytes) -> tuple[int, int, int, bool, Tables, bool]:
    """Check a snapshot's bytes; return (schema, generation, last seq, digest ok, tables,
    written in the old layout). The tables are keyed by each record's id, in either layout."""
    name = str(path)
    if raw.isspace() or not raw:
        raise CorruptStore(f"{name}: the file is empty; it is not a Parley store")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise CorruptStore(f"{name}: the file starts with a byte-order mark; save it without one")
    digester = _Digester(raw)
    digester.start()
    try:
        with collector_paused():
            data = SnapshotFile(path, raw).read()
    except ValueError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise CorruptStore(f"{name}: byte {bad.start} is not valid UTF-8") from None
        raise CorruptStore(f"{name}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CorruptStore(
            f"{name}: expected a JSON object at the top level, found {type(data).__name__}"
        )
    old = META not in data
    if old:
        meta, tables = _old_layout(name, data)
        trusted = isinstance(meta.get("digest"), str) and meta["digest"] == digester.digest()
    else:
        meta = _tinydb_meta(name, data)
        trusted = isinstance(meta.get("digest"), str) and meta["digest"] == digester.digest()
        tables = _tinydb_tables(name, data, trusted)
    schema = meta.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise CorruptStore(f'{name}: "schema" must be a positive whole number')
    if schema > CURRENT_SCHEMA:
        raise CorruptStore(
            f"{name}: written by a newer Parley (schema {schema}; this one reads up to "
            f"{CURRENT_SCHEMA}); upgrade Parley to open it"
        )
    generation = meta.get("generation")
    if not isinstance(generation, int) or not _whole(generation):
        raise CorruptStore(f'{name}: "generation" must be a whole number')
    last_seq = meta.get("last_seq", 0)
    if not isinstance(last_seq, int) or not _whole(last_seq):
        raise CorruptStore(f'{name}: "last_seq" must be a whole number')
    return schema, generation, last_seq, bool(trusted), tables, old


def _old_layout(name: str, data: dict[str, Any]) -> tuple[dict[str, Any], Tables]:
    """The header and tables of a snapshot as Parley wrote it before it was a TinyDB file."""
    if data.get("format") != FORMAT:
        raise CorruptStore(
            f'{name}: not a Parley store (no "{META}" table, nor "format": "{FORMAT}" at the top)'
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise CorruptStore(f'{name}: "tables" must be an object of tables')
    for table_name, table in tables.items():
        if not isinstance(table, dict):
            raise CorruptStore(f'{name}: table "{table_name}" must be an object of records')
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                raise CorruptStore(
                    f'{name}: record "{doc_id}" in table "{table_name}" must be an object'
                )
    unknown = set(data) - {"format", "schema", "generation", "last_seq", "digest", "tables"}
    if unknown:
        raise CorruptStore(f"{name}: unexpected top-level key {sorted(unknown)[0]!r}")
    return data, tables


def _tinydb_meta(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Parley's facts about a snapshot in TinyDB's layout."""
    meta_table = data[META]
    meta = meta_table.get(META_ID) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict) or len(meta_table) != 1:
        raise CorruptStore(f'{name}: table "{META}" must hold one document, "{META_ID}"')
    if meta.get("format") != FORMAT:
        raise CorruptStore(f'{name}: not a Parley store (no "format": "{FORMAT}" in "{META}")')
    return meta


def _tinydb_tables(name: str, data: dict[str, Any], trusted: bool) -> Tables:
    """The tables of a snapshot in TinyDB's layout, keyed by record id. One Parley wrote
    (``trusted``: its digest matches) holds objects with ids of their own, no two alike."""
    if trusted:
        return {
            table_name: {doc["id"]: doc for doc in table.values()}
            for table_name, table in data.items()
            if table_name != META
        }
    tables: Tables = {}
    for table_name, table in data.items():
        if table_name == META:
            continue
        if not isinstance(table, dict):
            raise CorruptStore(f'{name}: table "{table_name}" must be an object of documents')
        records = tables[table_name] = {}
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                raise CorruptStore(
                    f'{name}: document {doc_id} in table "{table_name}" must be an object'
                )
            record_id = doc.get("id")
            if not isinstance(record_id, str):
                raise CorruptStore(f'{name}: document {doc_id} in table "{table_name}" has no "id"')
            if record_id in records:
                raise CorruptStore(
                    f'{name}: two documents in table "{table_name}" have the id {record_id!r}'
                )
            records[record_id] = doc
    return tables


REPAIR_HINT = "parley repair can set the damaged end of the journal aside"
# A snapshot older than the journal or the history written after it: one copied back
# from a backup, or a replacement the disk lost. Writing on would number new changes
# with numbers already taken, so the store is refused until the newer one is back.
ROLLED_BACK = (
    "the snapshot is older than the files written after it (restored from a backup?); "
    "put the newer snapshot back, or move the journal and history aside to keep this one"
)


def parse_journal_entry(line: bytes) -> tuple[int, list[Op]]:
    """A journal line's generation and operations; ValueError saying what is wrong."""
    try:
        entry = _loads(line)
    except ValueError:
        raise ValueError("not a valid journal entry") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("g"), int):
        raise ValueError("a journal entry needs a generation number")
    ops = entry.get("ops")
    if not isinstance(ops, list):
        raise ValueError("a journal entry needs a list of operations")
    parsed: list[Op] = []
    for op in ops:
        if (
            not isinstance(op, list)
            or len(op) != 3
            or not isinstance(op[0], str)
            or not isinstance(op[1], str)
            or not (op[2] is None or isinstance(op[2], dict))
        ):
            raise ValueError(f"malformed operation {str(op)[:60]}")
        if op[0] == CHANGES and not is_seq(op[1]):
            raise ValueError(f"change {op[1][:20]!r} is not numbered")
        parsed.append((op[0], op[1], op[2]))
    return entry["g"], parsed


def _parse_journal_line(path: Path, lineno: int, line: bytes) -> tuple[int, list[Op]]:
    try:
        return parse_journal_entry(line)
    except ValueError as exc:
        raise CorruptStore(f"{path} line {lineno}: {exc} ({REPAIR_HINT})") from None


def lock_path_of(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def open_lock(path: Path) -> int:
    """A descriptor on the lock file of the store at ``path``, made if need be.

    The lock file holds nothing: should a crash lose its directory entry, the next
    open makes it again, so unlike the store's other files it needs no directory fsync.
    """
    lock_path = lock_path_of(path)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        return access.create(lock_path, os.O_RDWR)
    except OSError as exc:
        raise _disk_error(exc, "opening the lock file", lock_path) from None


def take_lock(fd: int, mode: int, path: Path) -> None:
    """flock ``fd`` in ``mode``, waiting up to LOCK_TIMEOUT for other processes."""
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise LockedStore(
                    f"{path}: another process has held the store's lock for "
                    f"{LOCK_TIMEOUT:.0f} s; try again"
                ) from None
            time.sleep(0.002)
        except OSError as exc:
            raise _disk_error(exc, "locking", lock_path_of(path)) from None


def _end_of_last_line(fd: int, size: int) -> int:
    """The offset just past the last newline in the first ``size`` bytes of ``fd``."""
    position = size
    while position > 0:
        block = min(HISTORY_BLOCK, position)
        position -= block
        newline = os.pread(fd, block, position).rfind(b"\n")
        if newline >= 0:
            return position + newline + 1
    return 0


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


class JournalStorage:
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
        self.schema = CURRENT_SCHEMA
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
            if self.schema < CURRENT_SCHEMA:
                # Read again under the exclusive lock, so that nothing is appended to
                # the old schema's journal between reading and folding it in.
                with self.locked():
                    self._load()
                    if self.schema < CURRENT_SCHEMA:
                        self.compact()
            self._mark_open()
        except BaseException:
            self.close()
            raise

    # -- locking ---------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, shared: bool = False) -> Iterator[None]:
        """Hold the store's lock; re-entrant, and an exclusive hold covers a shared one."""
        if self._lock_depth and (shared or self._lock_mode == fcntl.LOCK_EX):
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if self._lock_depth:
            raise RuntimeError("cannot upgrade a shared lock to an exclusive one")
        if self._lock_fd is None:
            with _system("reading the folder of", self.path):
                missing = not self.lock_path.parent.exists()
            if missing and not self.create:
                raise CorruptStore(f"{self.path}: no such store")
            self._lock_fd = open_lock(self.path)
            if self._marked_open:
                # Closing the last descriptor let the record lock go with it.
                self._mark_open()
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        take_lock(self._lock_fd, mode, self.path)
        self._lock_depth, self._lock_mode = 1, mode
        try:
            yield
        finally:
            self._lock_depth, self._lock_mode = 0, 0
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            except OSError:
                # Closing the descriptor lets the lock go all the same.
                _close(self._lock_fd)
                self._lock_fd = None

    def _mark_open(self) -> None:
        """Say, for as long as this process has the store open, that it has: a shared
        record lock on the lock file's first byte, which the last to close finds free.

        A record (fcntl) lock, not a flock: the two do not meet, so it never stands in
        the way of the store's lock. Record locks belong to the process, so two
        repositories of one process count as one.
        """
        if self._lock_fd is None:
            # An unlock that failed closed the descriptor (see ``locked``): the mark
            # needs one open.
            self._lock_fd = open_lock(self.path)
        self._marked_open = True
        with contextlib.suppress(OSError):
            fcntl.lockf(self._lock_fd, fcntl.LOCK_SH, 1, 0)

    def last_open(self) -> bool:
        """Is no other process holding the store open? (Then closing checkpoints it.)"""
        if self._lock_fd is None:
            return False
        try:
            fcntl.lockf(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
        except OSError:
            return False
        return True

    @property
    def snapshot_found(self) -> bool:
        return self._snapshot_found

    # -- reading ---------------------------------------------------------------

    def _stat_snapshot(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _disk_error(exc, "reading", self.path) from None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _hold_snapshot(self, fd: int | None) -> None:
        """Keep ``fd`` (the snapshot just read or written) open in place of the last one."""
        if self._snapshot_fd is not None:
            _close(self._snapshot_fd)
        self._snapshot_fd = fd
        if fd is None:
            self._snapshot_stat = None
            return
        try:
            st = os.fstat(fd)
        except OSError:
            # Read again before it is trusted, rather than fail what was done.
            self._snapshot_stat = _UNREAD
            return
        self._snapshot_stat = (st.st_ino, st.st_size, st.st_mtime_ns)

    def _take_preread(self) -> tuple[int | None, bytes | None]:
        """The bytes read ahead, if the file they came from is the snapshot now.

        A snapshot is only ever replaced whole, and the open descriptor keeps its
        inode from going to another file, so the same inode means no replacement.
        A write in place (a hand edit) keeps the inode, so the size must still be
        that of the bytes and the mtime the one taken before they were read: the mtime
        of the descriptor now would have moved with any such write.
        """
        preread, self._preread = self._preread, None
        if preread is None:
            return None, None
        fd, raw, mtime_ns = preread
        try:
            if self._stat_snapshot() == (os.fstat(fd).st_ino, len(raw), mtime_ns):
                return fd, raw
        except OSError:
            pass
        _close(fd)
        return None, None

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
                self._snapshot_stat = _UNREAD
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
        schema, generation, last_seq, trusted, old = CURRENT_SCHEMA, 0, 0, True, False
        if fd is not None:
            try:
                if raw is None:
                    with open(fd, "rb", closefd=False) as fh:
                        raw = fh.read()
                parsed = _parse_snapshot(self.path, raw)
                schema, generation, last_seq, trusted, tables, old = parsed
                if old and tables.get(CHANGES):
                    # A snapshot older still kept its changes in a table, and no count.
                    numbered = [int(k) for k in tables[CHANGES] if is_seq(k)]
                    last_seq = max([last_seq, *numbered])
                del raw
            except BaseException as exc:
                _close(fd)
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
        if self.schema < CURRENT_SCHEMA:
            # The journal's lines were written under the snapshot's schema too.
            self.tables = migrate(self.tables, self.schema)

    def _replay(self) -> list[Op]:
        """Apply complete journal lines past the last offset read; return their ops.

        Every line is parsed before any is applied: a damaged line leaves the tables
        as they were.
        """
        data = _read_file(self.journal_path, self._journal_offset)
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
            generation, ops = _parse_journal_line(self.journal_path, lineno, raw_line)
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

    def _check_history_end(self) -> None:
        """Refuse a snapshot older than the history file: its next write would number a
        change with a number the history holds already.

        Only the last line is read: changes are appended in order, so it holds the
        highest number. A compaction cut short leaves changes in the history that are
        still in the journal, whose numbers ``last_seq`` counts. A last line that does
        not parse is left to ``problems()`` to report.
        """
        try:
            # The number starts the line as Parley writes it: the rest of a long last
            # change need not be read at every open.
            found = _SEQ_RE.match(self._last_history_head())
            if found:
                newest = int(found.group(1))
            else:
                _, line = next(iter(self._history_lines_backwards()), (0, b""))
                newest = change_seq(_loads(line))
        except ValueError:
            return
        if newest > self.last_seq:
            kept = f"{self.path} ends at change {self.last_seq}"
            if not self._snapshot_found:
                kept = f"there is no {self.path} and its journal ends at change {self.last_seq}"
            raise CorruptStore(
                f"{self.history_path} holds change {newest}, but {kept}: {ROLLED_BACK}"
            )

    def _last_history_head(self, size: int = 40) -> bytes:
        """The first ``size`` bytes of the history's last complete line (none if none)."""
        try:
            fd = os.open(self.history_path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise _disk_error(exc, "opening", self.history_path) from None
        try:
            with _system("reading", self.history_path):
                end = _end_of_last_line(fd, os.fstat(fd).st_size)
                if not end:
                    return b""
                start = _end_of_last_line(fd, end - 1)
                return os.pread(fd, min(size, end - 1 - start), start)
        finally:
            _close(fd)

    def _lines_before_offset(self) -> int:
        if not self._journal_offset:
            return 0
        data = _read_file(self.journal_path, 0, self._journal_offset)
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
            _close(self._preread[0])
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
                _fsync_dir(self.path.parent)
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
                raise _disk_error(exc, doing, self.journal_path, NOTHING_SAVED) from None
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
            _fsync_dir(self.path.parent)
        except OSError as exc:
            _close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.journal_path)
            raise _disk_error(
                exc, "flushing to disk the folder of the new", self.journal_path, NOTHING_SAVED
            ) from None
        return fd

    def journal_size(self) -> int:
        return self._journal_offset

    def compact(self) -> None:
        """Fold the journal into a new snapshot, atomically. Call under ``locked()``.

        The journal's changes go to the history file first: should a crash follow,
        the journal still holds them, and reading history drops the duplicates.

        Up to the snapshot's replacement a failure undoes what was done (the history
        file cut back, the temporary file removed) and leaves the tables as they were.
        Once the new snapshot is in place the tables are those of the new snapshot;
        the journal is emptied only after the directory is synced, so that should the
        replacement itself not survive a crash, the old snapshot and the journal still
        hold every write.
        """
        assert self._lock_mode == fcntl.LOCK_EX, "compact() needs the exclusive lock"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _disk_error(exc, "creating the folder", self.path.parent, UNCHANGED) from None
        changes = self.tables.get(CHANGES, {})
        records = {name: table for name, table in self.tables.items() if name != CHANGES}
        generation = self.generation + 1 if self._snapshot_stat is not None else 0
        meta = {
            "format": FORMAT,
            "schema": CURRENT_SCHEMA,
            "generation": generation,
            "last_seq": self.last_seq,
        }
        history_end = self._append_history(changes) if changes else None
        snapshot = SnapshotFile(self.path)
        try:
            # Each chunk written is a container of thousands, in no cycle: a collection
            # walking the whole store meanwhile would only take time.
            with collector_paused():
                snapshot.write_records(meta, records)
        except BaseException as exc:
            if history_end is not None:
                self._cut_history(history_end)
            if isinstance(exc, FileFailed):
                raise _disk_error(exc.error, exc.doing, exc.target, UNCHANGED) from None
            raise
        fd = snapshot.fd
        # The new snapshot is in place: from here the tables are those it holds.
        self.tables.pop(CHANGES, None)
        if self._history is not None:
            for seq, doc in changes.items():
                self._history[int(seq)] = doc
        self.generation, self.schema, self.trusted = generation, CURRENT_SCHEMA, True
        self.old_layout = False
        self.replayed = set()
        # The descriptor written through is the snapshot's now: held, it keeps the inode.
        self._hold_snapshot(fd)
        if self._journal_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._journal_fd)
            self._journal_fd = None
        # Lines of the old generation left in the journal are skipped when read, and
        # cut off by the next write.
        self._journal_offset = 0
        try:
            _fsync_dir(self.path.parent)
        except OSError as exc:
            self._folder_unsynced = True
            raise _disk_error(
                exc,
                "flushing to disk the folder of",
                self.path,
                "every write is still in its journal",
            ) from None
        self._folder_unsynced = False
        try:
            self._empty_journal()
        except OSError as exc:
            raise _disk_error(
                exc, "emptying", self.journal_path, "every write is in the new snapshot"
            ) from None

    def _empty_journal(self) -> None:
        try:
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        try:
            os.ftruncate(fd, 0)
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- history ---------------------------------------------------------------

    def _append_history(self, changes: dict[str, dict[str, Any]]) -> int:
        """Append changes to the history file, durably; return where they start, for
        ``_cut_history`` should the compaction fail after. A failure here cuts the file
        back and raises a DiskError."""
        path = self.history_path
        fd, created, start, doing = None, False, 0, "opening"
        try:
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW)
            except FileNotFoundError:
                fd = access.create(path, os.O_RDWR | os.O_APPEND | os.O_EXCL)
                created = True
            doing = "reading"
            size = start = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # Cut a line torn by a crash mid-append: it was never part of a snapshot.
                start = _end_of_last_line(fd, size)
                doing = "writing"
                os.ftruncate(fd, start)
            lines = [
                json.dumps(changes[k], ensure_ascii=False, separators=(",", ":"))
                for k in sorted(changes, key=int)
            ]
            doing = "writing"
            write_all(fd, ("\n".join(lines) + "\n").encode("utf-8"))
            doing = "flushing {} to disk"
            os.fsync(fd)
            if created:
                doing = "flushing to disk the folder of"
                _fsync_dir(path.parent)
        except BaseException as exc:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                with contextlib.suppress(OSError):
                    os.close(fd)
            if created:
                # Made again, and its folder synced, by the next compaction.
                with contextlib.suppress(OSError):
                    os.unlink(path)
            if isinstance(exc, OSError):
                raise _disk_error(exc, doing, path, UNCHANGED) from None
            raise
        with contextlib.suppress(OSError):
            os.close(fd)
        return start

    def _cut_history(self, end: int) -> None:
        """Take back what a failed compaction appended to the history file, if it can;
        should it not, the journal's copies of those changes are the ones history reads."""
        with contextlib.suppress(OSError):
            if not end:
                # Nothing was in it before (it may have been made for this compaction):
                # the next compaction makes it again, and syncs its folder.
                os.unlink(self.history_path)
                return
            fd = os.open(self.history_path, os.O_WRONLY | os.O_NOFOLLOW)
            try:
                os.ftruncate(fd, end)
                os.fsync(fd)
            finally:
                os.close(fd)

    def history(self) -> dict[int, dict[str, Any]]:
        """Every change ever written, by number: the history file and the journal's."""
        if self._history is None:
            found: dict[int, dict[str, Any]] = {}
            data = _read_file(self.history_path) or b""
            end = data.rfind(b"\n") + 1
            for lineno, line in enumerate(data[: max(end - 1, 0)].split(b"\n"), start=1):
                if not line.strip():
                    continue
                try:
                    doc = _loads(line)
                    seq = change_seq(doc)
                except ValueError:
                    raise CorruptStore(
                        f"{self.history_path} line {lineno}: not a valid change"
                    ) from None
                found[seq] = doc
            self._history = found
        merged = dict(self._history)
        for key, doc in self.tables.get(CHANGES, {}).items():
            merged[int(key)] = doc
        return merged

    def newest_changes(self, containing: bytes | None = None) -> Iterator[dict[str, Any]]:
        """Changes, newest first, read from the end of the history file only as far
        as the caller goes: the last change, or a screenful of them, costs no more on a
        store with a hundred thousand changes than on a new one, and nothing is kept.

        ``containing``: skip, without parsing them, history lines without these bytes
        (a pre-filter only: the caller still checks what it gets).
        Yields what ``history()`` holds, in the same order, duplicates left out.
        """
        journal = self.tables.get(CHANGES, {})
        lowest: int | None = None
        for seq in sorted((int(k) for k in journal), reverse=True):
            lowest = seq
            yield journal[str(seq)]
        if self._history is not None:
            for seq in sorted(self._history, reverse=True):
                if lowest is None or seq < lowest:
                    yield self._history[seq]
            return
        for offset, line in self._history_lines_backwards():
            found = _SEQ_RE.match(line)
            doc = None
            if found is None:
                doc = self._history_doc(offset, line)
                seq = change_seq(doc)
            else:
                seq = int(found.group(1))
            # A compaction cut short may have written some changes twice; the copy
            # written last is the one history() keeps, and the first met here.
            if lowest is not None and seq >= lowest:
                continue
            lowest = seq
            if containing is not None and containing not in line:
                continue
            yield doc if doc is not None else self._history_doc(offset, line)

    def _history_doc(self, offset: int, line: bytes) -> dict[str, Any]:
        try:
            doc: dict[str, Any] = _loads(line)
            change_seq(doc)  # anything but an object fails here too
        except ValueError:
            raise CorruptStore(
                f"{self.history_path}: the line at byte {offset} is not a valid change"
            ) from None
        return doc

    def _history_lines_backwards(self) -> Iterator[tuple[int, bytes]]:
        """(byte offset, line) of each complete line of the history file, last first."""
        try:
            yield from self._read_history_backwards()
        except OSError as exc:
            raise _disk_error(exc, "reading", self.history_path) from None

    def _read_history_backwards(self) -> Iterator[tuple[int, bytes]]:
        try:
            # Through os.open, as every other file of the store is opened.
            fd = os.open(self.history_path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        with open(fd, "rb") as fh:
            position = fh.seek(0, os.SEEK_END)
            # Bytes after the last newline are a line torn by a crash: never part of
            # a snapshot, and ignored as history() ignores them.
            end = 0
            while position > 0:
                size = min(HISTORY_BLOCK, position)
                position -= size
                fh.seek(position)
                newline = fh.read(size).rfind(b"\n")
                if newline >= 0:
                    end = position + newline + 1
                    break
            # The line being read, in blocks, last first: joined once, when its start is
            # found, so that a line of many blocks costs its length, not its square.
            position, carry = end, []
            while position > 0:
                size = min(HISTORY_BLOCK, position)
                position -= size
                fh.seek(position)
                block = fh.read(size)
                if b"\n" not in block:
                    carry.append(block)
                    continue
                lines = block.split(b"\n")
                lines[-1] += b"".join(reversed(carry))
                carry = [lines[0]]
                start = position + len(lines[0]) + 1
                found = []
                for line in lines[1:]:
                    found.append((start, line))
                    start += len(line) + 1
                for line_offset, line in reversed(found):
                    if line.strip():
                        yield line_offset, line
            first = b"".join(reversed(carry))
            if first.strip():
                yield 0, first
