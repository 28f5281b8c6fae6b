"""The snapshot, ``parley.json``: a TinyDB database (``tinydb_adapter``) with Parley's
facts in a table of their own, checked when read, its digest worked out beside the
parse; and the descriptor each storage keeps on the snapshot it read."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from ..errors import CorruptStore
from . import migrations
from .disk import close_quietly, collector_paused, disk_error
from .state import StorageState, Tables

# What Parley takes from TinyDB, and why, is all in tinydb_adapter.
from .tinydb_adapter import META, META_ID, SnapshotFile, digest, tables_part

FORMAT = "parley"
TABLES_KEY = b',"tables":'
# A stat no file has: the snapshot must be read again before it is trusted.
UNREAD = (-1, -1, -1)


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


def parse_snapshot(path: Path, raw: bytes) -> tuple[int, int, int, bool, Tables, bool]:
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
    if schema > migrations.CURRENT_SCHEMA:
        raise CorruptStore(
            f"{name}: written by a newer Parley (schema {schema}; this one reads up to "
            f"{migrations.CURRENT_SCHEMA}); upgrade Parley to open it"
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


class HeldSnapshot(StorageState):
    """The snapshot's descriptor, kept open: while it is, its inode cannot go to another
    file, so a replaced snapshot always shows a new inode."""

    @property
    def snapshot_found(self) -> bool:
        return self._snapshot_found

    def _stat_snapshot(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise disk_error(exc, "reading", self.path) from None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _hold_snapshot(self, fd: int | None) -> None:
        """Keep ``fd`` (the snapshot just read or written) open in place of the last one."""
        if self._snapshot_fd is not None:
            close_quietly(self._snapshot_fd)
        self._snapshot_fd = fd
        if fd is None:
            self._snapshot_stat = None
            return
        try:
            st = os.fstat(fd)
        except OSError:
            # Read again before it is trusted, rather than fail what was done.
            self._snapshot_stat = UNREAD
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
        close_quietly(fd)
        return None, None
