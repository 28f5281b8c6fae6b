"""Everything Parley takes from TinyDB, and why: the one place to look.

At rest ``parley.json`` is a TinyDB database, in TinyDB's own layout: one table
per kind of record, each a JSON object of documents under TinyDB's document ids
(whole numbers, written as strings), each document a record with its own ``id``
and its revision (``_rev``). Parley's own facts about the file (format, schema,
generation, the last change's number, the digest of the tables) are the one
document of the table ``_parley``. So stock TinyDB opens it as it is::

    db = TinyDB("parley.json", access_mode="r")
    db.tables()                                  # {"_parley", "actor", "point", ...}
    db.table("point").search(where("status") == "deadlocked")

Document ids are handed out afresh, in stored order, each time the file is
written: Parley keys records by their ``id``, never by TinyDB's number.

What Parley uses:

``tinydb.storages.Storage`` (public)
    the base of ``SnapshotFile``, TinyDB's extension point for where a database
    lives. ``read()`` gives the database as TinyDB lays it out; ``write(data)``
    replaces the file whole (``store.files.atomic``: a temporary file, fsync,
    ``os.replace``), so that the file is always either the old database or the new one. Stock
    ``JSONStorage`` is not used for writing: it rewrites the file in place (a
    crash can leave it spliced) and in proportion to the store on every write.

Nothing else: no private method of TinyDB is used or overridden, and while
Parley runs its writes are appended to the journal beside the file (its
write-ahead log, ``store/files/storage.py``), folded in by a checkpoint.

A file written by another program (TinyDB, a text editor) no longer carries the
digest Parley wrote; the repository then checks it record by record and takes
what changed in as one change of its own (``Repository``'s outside changes).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pydantic_core
from tinydb.storages import Storage

from .atomic import FileFailed, write_atomic

# Parley's own table, and the one document in it.
META = "_parley"
META_ID = "1"
# How every Parley file starts: its own table first, so the tables after it can be
# digested as written without parsing.
_START = b'{"' + META.encode() + b'":{"' + META_ID.encode() + b'":'
Layout = dict[str, dict[str, dict[str, Any]]]


def digest(tables_bytes: bytes | memoryview) -> str:
    return hashlib.blake2b(tables_bytes, digest_size=20).hexdigest()


def tables_part(raw: bytes) -> memoryview:
    """The bytes of the record tables as Parley writes them: after its own table.

    A view, not a copy: the file may be tens of megabytes. The meta document holds
    no object, so its table ends at the first ``}}``.
    """
    if not raw.startswith(_START):
        return memoryview(b"")
    start = raw.find(b"}}") + 2
    end = raw.rfind(b"}")
    return memoryview(raw)[start:end] if 1 < start <= end else memoryview(b"")


def _dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as json.dumps with ensure_ascii=False writes it. orjson, several
    times faster than pydantic-core's serializer; that one still for what orjson refuses
    (a whole number past 64 bits)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return pydantic_core.to_json(value)


def _tables_json(tables: Layout, renumber: bool, chunk: int = 4096) -> Iterator[bytes]:
    """The tables as JSON, each after a comma, a few thousand documents at a time: a
    large store is never held as one string. ``renumber``: the documents are keyed as
    TinyDB keys them, by number in stored order, whatever their keys in ``tables``."""
    for name, table in tables.items():
        yield b"," + _dumps(name) + b":{"
        keys = [str(n) for n in range(1, len(table) + 1)] if renumber else list(table)
        documents = list(table.values())
        for start in range(0, len(documents), chunk):
            end = start + chunk
            if start:
                yield b","
            yield _dumps(dict(zip(keys[start:end], documents[start:end], strict=True)))[1:-1]
        yield b"}"


class SnapshotFile(Storage):
    """``parley.json`` through TinyDB's Storage interface, written whole and atomically.

    ``raw``: the file's bytes read already (the caller's read-ahead), parsed by
    ``read()`` in place of the file's.
    """

    def __init__(self, path: str | os.PathLike[str], raw: bytes | None = None) -> None:
        self.path = Path(path)
        self.raw = raw
        # After write(): the descriptor of the file written, left open for the caller
        # to hold (an open file keeps its inode from going to another).
        self.fd: int | None = None

    def read(self) -> dict[str, Any] | None:
        """The file's JSON value (None when there is no file); ValueError when it is
        not JSON, ``FileFailed`` when it cannot be read. The caller checks the layout
        (``store.files.storage``)."""
        raw = self.raw
        if raw is None:
            # Not through a symbolic link, as every file of a store is opened.
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise FileFailed(exc, "opening", str(self.path)) from None
            try:
                with open(fd, "rb", closefd=False) as fh:
                    raw = fh.read()
            except OSError as exc:
                raise FileFailed(exc, "reading", str(self.path)) from None
            finally:
                with contextlib.suppress(OSError):
                    os.close(fd)
        # pydantic-core's parser reads the bytes without a decoded copy and shares
        # repeated strings (keys, ids, dates, enum values): opening a 100k-record
        # store peaks at about a third less memory than with json.loads.
        value: dict[str, Any] | None = pydantic_core.from_json(
            raw, cache_strings="all", allow_inf_nan=False
        )
        return value

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the file whole with ``data`` (TinyDB's layout, ``META`` first), through
        ``store.files.atomic``; the folder is left for the caller to flush.

        The meta document's ``digest`` is worked out here, over the tables as written.
        Raises ``FileFailed`` and leaves the file as it was should anything fail.
        """
        records = {name: table for name, table in data.items() if name != META}
        self._write(dict(data[META][META_ID]), records, renumber=False)

    def write_records(self, meta: dict[str, Any], tables: Layout) -> None:
        """``write`` of Parley's facts ``meta`` and its tables, each keyed by record id: the
        documents are numbered as they are written, with no copy of the store made to
        number them first."""
        self._write(dict(meta), tables, renumber=True)

    def _write(self, meta: dict[str, Any], tables: Layout, renumber: bool) -> None:
        hashed = hashlib.blake2b(digest_size=20)

        def head() -> bytes:
            return _START + _dumps(meta) + b"}"

        def pieces() -> Iterator[bytes]:
            # Room for the head, written over once the tables are digested: a digest is
            # always as long.
            meta["digest"] = digest(b"")
            yield head()
            for part in _tables_json(tables, renumber):
                hashed.update(part)
                yield part
            yield b"}\n"
            meta["digest"] = hashed.hexdigest()

        # No other writer runs under the store's exclusive lock: the temporary files of
        # one that a crash cut short are cleared.
        self.fd = write_atomic(
            self.path, pieces(), sync_folder=False, keep_open=True, clear_stale=True, head=head
        )

    def close(self) -> None:
        self.raw = None
