"""Durable, shared storage for TinyDB: a snapshot plus an append-only journal.

Stock ``JSONStorage`` rewrites the whole file in place on every write, so a
crash mid-write can leave a spliced file and an update costs time in
proportion to the store. Here instead:

* ``parley.json`` is a snapshot, only ever replaced whole (temp file, fsync,
  ``os.replace``, directory fsync), so it is always either the old or the new one;
* ``parley.json.journal`` gets one JSON line per transaction, appended and
  fsync'd before the write returns, so a write costs time in proportion to
  the record, not the store. A line cut short by a crash has no newline and
  is ignored (and cut off by the next writer): that write was never acknowledged;
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

Each storage keeps the snapshot it read open. While it is open its inode
number cannot go to another file, so a replaced snapshot always shows a new
inode, even where timestamps are too coarse to tell two snapshots apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import glob
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic_core

from .errors import CorruptStore, LockedStore
from .migrations import CURRENT_SCHEMA, migrate

# What Parley takes from TinyDB, and why, is all in tinydb_adapter.
from .tinydb_adapter import READ_ONLY, Storage
from .tinydb_adapter import ParleyDB as ParleyDB

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
_SEQ_RE = re.compile(rb'\{"seq":(\d+)[,}]')


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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest(tables_bytes: bytes | memoryview) -> str:
    return hashlib.blake2b(tables_bytes, digest_size=20).hexdigest()


def _tables_bytes(raw: bytes) -> memoryview:
    """The bytes of the tables as Parley writes them: last in the file, after the header.

    A view, not a copy: the file may be tens of megabytes.
    """
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
        self.result = _digest(view)

    def digest(self) -> str:
        self.join()
        return self.result


def _parse_snapshot(path: Path, raw: bytes) -> tuple[int, int, int, bool, Tables]:
    """Check a snapshot's bytes; return (schema, generation, last seq, digest ok, tables)."""
    name = str(path)
    if raw.isspace() or not raw:
        raise CorruptStore(f"{name}: the file is empty; it is not a Parley store")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise CorruptStore(f"{name}: the file starts with a byte-order mark; save it without one")
    digester = _Digester(raw)
    digester.start()
    try:
        # pydantic-core's parser reads the bytes without a decoded copy and shares
        # repeated strings (keys, ids, dates, enum values): opening a 100k-record
        # store peaks at about a third less memory than with json.loads.
        with collector_paused():
            data = pydantic_core.from_json(raw, cache_strings="all")
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
    if data.get("format") != FORMAT:
        raise CorruptStore(f'{name}: not a Parley store (no "format": "{FORMAT}" at the top)')
    schema = data.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise CorruptStore(f'{name}: "schema" must be a positive whole number')
    if schema > CURRENT_SCHEMA:
        raise CorruptStore(
            f"{name}: written by a newer Parley (schema {schema}; this one reads up to "
            f"{CURRENT_SCHEMA}); upgrade Parley to open it"
        )
    generation = data.get("generation")
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise CorruptStore(f'{name}: "generation" must be a whole number')
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
    last_seq = data.get("last_seq", 0)
    if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
        raise CorruptStore(f'{name}: "last_seq" must be a whole number')
    unknown = set(data) - {"format", "schema", "generation", "last_seq", "digest", "tables"}
    if unknown:
        raise CorruptStore(f"{name}: unexpected top-level key {sorted(unknown)[0]!r}")
    digest = data.get("digest")
    trusted = isinstance(digest, str) and digest == digester.digest()
    return schema, generation, last_seq, trusted, tables


def _parse_journal_line(path: Path, lineno: int, line: bytes) -> tuple[int, list[Op]]:
    where = f"{path} line {lineno}"
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CorruptStore(f"{where}: not a valid journal entry") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("g"), int):
        raise CorruptStore(f"{where}: a journal entry needs a generation number")
    ops = entry.get("ops")
    if not isinstance(ops, list):
        raise CorruptStore(f"{where}: a journal entry needs a list of operations")
    parsed: list[Op] = []
    for op in ops:
        if (
            not isinstance(op, list)
            or len(op) != 3
            or not isinstance(op[0], str)
            or not isinstance(op[1], str)
            or not (op[2] is None or isinstance(op[2], dict))
        ):
            raise CorruptStore(f"{where}: malformed operation {str(op)[:60]}")
        parsed.append((op[0], op[1], op[2]))
    return entry["g"], parsed


class JournalStorage(Storage):
    """A TinyDB storage over a snapshot file and its journal; see the module doc."""

    def __init__(
        self, path: str | os.PathLike[str], create: bool = True, preread: Preread | None = None
    ) -> None:
        """``preread`` is the snapshot as read without the lock; this takes its descriptor
        over, and uses its bytes only if the file is still the snapshot once locked."""
        self.path = Path(path)
        self._preread = preread
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
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
        self._snapshot_stat: tuple[int, int, int] | None = None
        self._snapshot_fd: int | None = None
        self._journal_offset = 0
        self._journal_fd: int | None = None
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._lock_mode = 0
        # Called with the ops another process wrote, after they are applied.
        self.on_foreign_ops: Callable[[list[Op]], None] | None = None
        self.on_reload: Callable[[], None] | None = None
        try:
            with self.locked(shared=True):
                self._load()
            if self.schema < CURRENT_SCHEMA:
                # Read again under the exclusive lock, so that nothing is appended to
                # the old schema's journal between reading and folding it in.
                with self.locked():
                    self._load()
                    if self.schema < CURRENT_SCHEMA:
                        self.compact()
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
            if not self.lock_path.parent.exists():
                if not self.create:
                    raise CorruptStore(f"{self.path}: no such store")
                self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(self._lock_fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockedStore(
                        f"{self.path}: another process has held the store's lock for "
                        f"{LOCK_TIMEOUT:.0f} s; try again"
                    ) from None
                time.sleep(0.002)
        self._lock_depth, self._lock_mode = 1, mode
        try:
            yield
        finally:
            self._lock_depth, self._lock_mode = 0, 0
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    # -- reading ---------------------------------------------------------------

    def _stat_snapshot(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _hold_snapshot(self, fd: int | None) -> None:
        """Keep ``fd`` (the snapshot just read or written) open in place of the last one."""
        if self._snapshot_fd is not None:
            os.close(self._snapshot_fd)
        self._snapshot_fd = fd
        if fd is None:
            self._snapshot_stat = None
        else:
            st = os.fstat(fd)
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
        os.close(fd)
        return None, None

    def _load(self) -> None:
        """Read the snapshot, replay the journal and migrate the result; never writes."""
        fd, raw = self._take_preread()
        if fd is None:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                fd = None
            except OSError as exc:
                raise CorruptStore(f"{self.path}: cannot read the file: {exc.strerror}") from None
        tables: Tables = {}
        schema, generation, last_seq, trusted = CURRENT_SCHEMA, 0, 0, True
        if fd is not None:
            try:
                if raw is None:
                    with open(fd, "rb", closefd=False) as fh:
                        raw = fh.read()
                schema, generation, last_seq, trusted, tables = _parse_snapshot(self.path, raw)
                del raw
            except BaseException as exc:
                os.close(fd)
                if isinstance(exc, OSError):
                    raise CorruptStore(
                        f"{self.path}: cannot read the file: {exc.strerror}"
                    ) from None
                raise
        self._hold_snapshot(fd)
        self.schema, self.generation, self.tables = schema, generation, tables
        self.trusted, self.last_seq, self.replayed = trusted, last_seq, set()
        self._history = None
        self._journal_offset = 0
        self._replay()
        if self.schema < CURRENT_SCHEMA:
            # The journal's lines were written under the snapshot's schema too.
            self.tables = migrate(self.tables, self.schema)

    def _replay(self) -> list[Op]:
        """Apply complete journal lines past the last offset read; return their ops."""
        try:
            with open(self.journal_path, "rb") as fh:
                fh.seek(self._journal_offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        applied: list[Op] = []
        end = data.rfind(b"\n") + 1
        # The line count is only for messages; count lines before the offset lazily.
        base_line = None
        for raw_line in data[:end].splitlines():
            if base_line is None:
                base_line = self._lines_before_offset()
            base_line += 1
            if not raw_line.strip():
                continue
            generation, ops = _parse_journal_line(self.journal_path, base_line, raw_line)
            if generation != self.generation:
                # Folded into the snapshot already by a compaction that crashed before
                # truncating the journal.
                continue
            self._apply(ops)
            applied.extend(ops)
        self._journal_offset += end
        return applied

    def _lines_before_offset(self) -> int:
        if not self._journal_offset:
            return 0
        with open(self.journal_path, "rb") as fh:
            return fh.read(self._journal_offset).count(b"\n")

    def _apply(self, ops: list[Op], replayed: bool = True) -> None:
        for table, doc_id, doc in ops:
            if table == CHANGES and doc_id.isdigit():
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

    # -- TinyDB's Storage interface -------------------------------------------

    def read(self) -> dict[str, dict[str, Any]]:
        """The record tables, for TinyDB's reads: the live tables, not copies, in a new
        outer dict (``TinyDB.drop_table`` deletes from it before it calls ``write``).

        The change table is left out: it holds only the changes since the last
        compaction; the rest are in the history file (``Repository.history``).
        """
        return {name: table for name, table in self.tables.items() if name != CHANGES}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Refused: the store is written through ``commit``, by the repository alone."""
        raise TypeError(READ_ONLY)

    def close(self) -> None:
        if self._preread is not None:
            os.close(self._preread[0])
            self._preread = None
        self._hold_snapshot(None)
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- writing ---------------------------------------------------------------

    def commit(self, ops: list[Op]) -> None:
        """Append one transaction to the journal, durably. Call under ``locked()``."""
        assert self._lock_mode == fcntl.LOCK_EX, "commit() needs the exclusive lock"
        if self._snapshot_stat is None:
            self.compact()
        if self._journal_fd is None:
            self._journal_fd = os.open(
                self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
            )
        size = os.fstat(self._journal_fd).st_size
        if size > self._journal_offset:
            # A torn line from a writer that died mid-append: it was never acknowledged.
            os.ftruncate(self._journal_fd, self._journal_offset)
        line = json.dumps(
            {"g": self.generation, "ops": ops}, ensure_ascii=False, separators=(",", ":")
        )
        payload = (line + "\n").encode("utf-8")
        try:
            written = os.write(self._journal_fd, payload)
            if written != len(payload):
                raise OSError(f"{self.journal_path}: short write; nothing was saved")
            os.fsync(self._journal_fd)
        except BaseException:
            # Not acknowledged: the line must not turn up on the next read either.
            with contextlib.suppress(OSError):
                os.ftruncate(self._journal_fd, self._journal_offset)
            raise
        self._journal_offset += len(payload)
        # Our own writes were validated before they were written.
        self._apply(ops, replayed=False)

    def journal_size(self) -> int:
        return self._journal_offset

    def compact(self) -> None:
        """Fold the journal into a new snapshot, atomically. Call under ``locked()``.

        The journal's changes go to the history file first: should a crash follow,
        the journal still holds them, and reading history drops the duplicates.
        """
        assert self._lock_mode == fcntl.LOCK_EX, "compact() needs the exclusive lock"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        changes = self.tables.pop(CHANGES, {})
        if changes:
            self._append_history(changes)
            if self._history is not None:
                for seq, doc in changes.items():
                    self._history[int(seq)] = doc
        generation = self.generation + 1 if self._snapshot_stat is not None else 0
        tables_bytes = json.dumps(self.tables, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
        header = json.dumps(
            {
                "format": FORMAT,
                "schema": CURRENT_SCHEMA,
                "generation": generation,
                "last_seq": self.last_seq,
                "digest": _digest(tables_bytes),
            },
            separators=(",", ":"),
        ).encode("utf-8")
        # No other compaction runs under the exclusive lock: a temporary file found
        # now was left by one that a crash cut short.
        prefix = f".{self.path.name}."
        for stale in self.path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
            if stale.name[len(prefix) : -len(".tmp")].isdigit():
                with contextlib.suppress(OSError):
                    stale.unlink()
        tmp = self.path.with_name(f"{prefix}{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(header[:-1] + TABLES_KEY + tables_bytes + b"}\n")
            fh.flush()
            os.fsync(fh.fileno())
        del tables_bytes
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        self.generation, self.schema, self.trusted = generation, CURRENT_SCHEMA, True
        self.replayed = set()
        self._hold_snapshot(os.open(self.path, os.O_RDONLY))
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self.journal_path.exists():
            with open(self.journal_path, "r+b") as fh:
                fh.truncate(0)
                fh.flush()
                os.fsync(fh.fileno())
        self._journal_offset = 0

    # -- history ---------------------------------------------------------------

    def _append_history(self, changes: dict[str, dict[str, Any]]) -> None:
        with open(self.history_path, "ab") as fh:
            size = fh.tell()
            if size:
                # Cut a line torn by a crash mid-append: it was never part of a snapshot.
                with open(self.history_path, "rb") as rh:
                    rh.seek(max(size - 1, 0))
                    if rh.read(1) != b"\n":
                        rh.seek(0)
                        good = rh.read().rfind(b"\n") + 1
                        fh.truncate(good)
            lines = [
                json.dumps(changes[k], ensure_ascii=False, separators=(",", ":"))
                for k in sorted(changes, key=int)
            ]
            fh.write(("\n".join(lines) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())

    def history(self) -> dict[int, dict[str, Any]]:
        """Every change ever written, by number: the history file and the journal's."""
        if self._history is None:
            found: dict[int, dict[str, Any]] = {}
            try:
                with open(self.history_path, "rb") as fh:
                    data = fh.read()
            except FileNotFoundError:
                data = b""
            end = data.rfind(b"\n") + 1
            for lineno, line in enumerate(data[:end].splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    seq = int(doc["seq"])
                except (ValueError, KeyError, TypeError):
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
                seq = int(doc["seq"])
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
            doc: dict[str, Any] = json.loads(line)
            int(doc["seq"])  # anything but an object fails here too
        except (ValueError, KeyError, TypeError):
            raise CorruptStore(
                f"{self.history_path}: the line at byte {offset} is not a valid change"
            ) from None
        return doc

    def _history_lines_backwards(self) -> Iterator[tuple[int, bytes]]:
        """(byte offset, line) of each complete line of the history file, last first."""
        try:
            fh = self.history_path.open("rb")
        except FileNotFoundError:
            return
        with fh:
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
            position, carry = end, b""
            while position > 0:
                size = min(HISTORY_BLOCK, position)
                position -= size
                fh.seek(position)
                lines = (fh.read(size) + carry).split(b"\n")
                carry = lines[0]
                start = position + len(carry) + 1
                found = []
                for line in lines[1:]:
                    found.append((start, line))
                    start += len(line) + 1
                for line_offset, line in reversed(found):
                    if line.strip():
                        yield line_offset, line
            if carry.strip():
                yield 0, carry
