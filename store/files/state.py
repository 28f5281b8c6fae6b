"""What the parts of the storage share: the types of what is read and written, and the
state one ``JournalStorage`` keeps, declared once for its parts (the lock, the snapshot,
the history, the checkpoint)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Tables = dict[str, dict[str, dict[str, Any]]]
# One operation: (table, doc id, the new document or None to remove it).
Op = tuple[str, str, dict[str, Any] | None]
# The snapshot read ahead of opening the store: an open descriptor, the file's bytes,
# and its modification time (ns) as it was before they were read.
Preread = tuple[int, bytes, int]


class StorageState:
    """The attributes ``JournalStorage.__init__`` sets, as its parts read them."""

    path: Path
    journal_path: Path
    lock_path: Path
    history_path: Path
    create: bool
    _preread: Preread | None
    trusted: bool
    replayed: set[tuple[str, str]]
    last_seq: int
    _history: dict[int, dict[str, Any]] | None
    tables: Tables
    generation: int
    schema: int
    old_layout: bool
    _snapshot_stat: tuple[int, int, int] | None
    _snapshot_fd: int | None
    _journal_offset: int
    _journal_fd: int | None
    _folder_unsynced: bool
    _snapshot_found: bool
    _lock_fd: int | None
    _lock_depth: int
    _lock_mode: int
    _marked_open: bool
    on_foreign_ops: Callable[[list[Op]], None] | None
    on_reload: Callable[[], None] | None
