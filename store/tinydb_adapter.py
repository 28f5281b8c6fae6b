"""Everything Parley takes from TinyDB, and why: the one place to look.

Parley's store is TinyDB's model of the data (named tables of JSON documents
under string ids), kept by Parley's own storage (``store/storage.py``: a
snapshot replaced whole plus an fsync'd append-only journal). What it uses:

Public API
  ``tinydb.storages.Storage``
      the base of ``JournalStorage``, TinyDB's extension point for where data
      lives. ``read()`` gives TinyDB the live record tables; ``write()``
      refuses (see "Writes"). Stock ``JSONStorage`` is never used: it rewrites
      the whole file in place on every write (a crash can leave it spliced,
      and a write costs time in proportion to the store), so ``ParleyDB``
      has no default storage and must be handed one.
  ``tinydb.TinyDB``
      subclassed as ``ParleyDB`` only to set ``table_class`` (documented).
      ``db.table(kind)`` is a read-only view of one kind of record.
  ``tinydb.table.Table``
      its reads: ``get``, ``search`` (with ``tinydb.Query``), ``all``,
      ``count``, ``contains``, ``len``, iteration. Two documented class
      settings: ``document_id_class = str``, since records are keyed by their
      slug (``Document.doc_id == "philadelphi"``), never by a number; and
      ``query_cache_class``, set to keep nothing, because the tables change
      behind the Table's back (the repository's commands and other processes
      write through the journal) and TinyDB empties its query cache only on
      its own writes.
  ``tinydb.table.Document``
      what those reads return (a dict copied one level deep, plus its
      ``doc_id``): treat nested values as read-only.

Writes
  Not through TinyDB. The repository is the store's only writer: each write is
  validated, checked for dangling references, recorded as a Change, and
  appended to the journal in one transaction (``JournalStorage.commit``), and
  the repository's own indexes follow. TinyDB's write path does none of that;
  it reads the whole database, changes the documents in place and hands the
  whole database back to ``Storage.write``. So every TinyDB write is refused
  with ``TypeError`` before anything is touched, in memory or on disk.

Private API (checked against TinyDB 4.8 and 4.9; see ``SUPPORTED``)
  ``Table._update_table(updater)``
      every write method of a Table (``insert``, ``insert_multiple``,
      ``update``, ``update_multiple``, ``upsert``, ``remove``, ``truncate``,
      and ``persist_empty=True``) funnels through it, and it runs the updater
      on the live documents before it calls ``Storage.write``: refusing in
      ``write()`` alone would be too late for ``update()``, and overriding the
      public methods one by one would miss any that a release adds.
  ``Table._get_next_id()``
      ``insert`` and ``insert_multiple`` ask it for an id before they reach
      ``_update_table``. TinyDB's answer is the largest integer id plus one,
      so it hands out again the id of a deleted last document, and on slug
      ids it fails with "can only concatenate str (not "int") to str".
      Parley's ids are slugs made by ``Repository.make_id`` and change numbers
      come from ``JournalStorage.last_seq``, which survives compaction; TinyDB
      is never asked. Refusing here gives the same plain refusal as above.
  Nothing else: ``Table._read_table`` is TinyDB's own, reading ``Storage.read()``.

A TinyDB outside ``SUPPORTED`` stops the import with ``ImportError``: check the
two private methods above against its source before widening the range (the
same range as the dependency in ``pyproject.toml``).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table
from tinydb.utils import LRUCache

__all__ = ["READ_ONLY", "SUPPORTED", "ParleyDB", "ReadOnlyTable", "Storage", "check_tinydb"]

# TinyDB versions the private overrides below were checked against: from the
# first up to, not including, the second.
SUPPORTED = ((4, 8), (5, 0))

READ_ONLY = (
    "TinyDB's tables are read-only here: records are keyed by their slug and written "
    "through the repository's commands, which validate them and record each change"
)


def check_tinydb(version: str) -> str:
    """``version`` if it is in ``SUPPORTED``; ``ImportError`` otherwise."""
    (low, high), found = SUPPORTED, re.match(r"(\d+)\.(\d+)", version)
    if found is None or not low <= (int(found[1]), int(found[2])) < high:
        raise ImportError(
            f"Parley needs tinydb >={low[0]}.{low[1]},<{high[0]}.{high[1]}, found {version!r}: "
            "store/tinydb_adapter.py overrides Table._update_table and Table._get_next_id "
            "as they are in those versions"
        )
    return version


try:
    TINYDB_VERSION = check_tinydb(importlib.metadata.version("tinydb"))
except importlib.metadata.PackageNotFoundError:
    raise ImportError("Parley cannot tell which tinydb is installed: it has no metadata") from None


class _NoQueryCache(LRUCache[Any, Any]):
    """A query cache that keeps nothing: every search reads the tables as they are."""

    def set(self, key: Any, value: Any) -> None:
        pass


class ReadOnlyTable(Table):
    """One kind of record, read through TinyDB's Table API; writes are refused."""

    document_id_class = str  # type: ignore[assignment]
    query_cache_class = _NoQueryCache

    def _update_table(self, updater: Callable[[dict[int, Mapping[Any, Any]]], None]) -> NoReturn:
        # Private: the one funnel of every Table write, reached before any document
        # is changed. See the module doc.
        raise TypeError(READ_ONLY)

    def _get_next_id(self) -> NoReturn:
        # Private: insert() asks it for an integer id before _update_table, and
        # Parley has none to give. See the module doc.
        raise TypeError(READ_ONLY)


class ParleyDB(TinyDB):
    """TinyDB over a Parley store: read-only tables keyed by slug."""

    table_class = ReadOnlyTable

    def __init__(self, *args: Any, storage: type[Storage], **kwargs: Any) -> None:
        # No default: TinyDB's is JSONStorage, which would rewrite the file in place.
        super().__init__(*args, storage=storage, **kwargs)
