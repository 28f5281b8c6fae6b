"""The checkpoint: the journal folded into a new snapshot, its changes appended to the
history first; on the last close, past a bound, and on ``parley compact``."""

from __future__ import annotations

import contextlib
import fcntl
import os

from . import migrations
from .atomic import FileFailed, fsync_dir
from .disk import UNCHANGED, collector_paused, disk_error
from .history import ChangeHistory
from .journal import CHANGES
from .lock import StoreLock
from .snapshot import FORMAT, HeldSnapshot
from .tinydb_adapter import SnapshotFile

# Fold the journal into the snapshot (a checkpoint) once it outgrows this, and when
# the last process to have the store open closes it.
COMPACT_AT_BYTES = 4 * 1024 * 1024


class Checkpoint(ChangeHistory, HeldSnapshot, StoreLock):
    """Folding the journal into a new snapshot, atomically."""

    def checkpoint_due(self) -> bool:
        """Has the journal outgrown its bound? The write that took it there checkpoints."""
        return self._journal_offset > COMPACT_AT_BYTES

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
            raise disk_error(exc, "creating the folder", self.path.parent, UNCHANGED) from None
        changes = self.tables.get(CHANGES, {})
        records = {name: table for name, table in self.tables.items() if name != CHANGES}
        generation = self.generation + 1 if self._snapshot_stat is not None else 0
        meta = {
            "format": FORMAT,
            "schema": migrations.CURRENT_SCHEMA,
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
                raise disk_error(exc.error, exc.doing, exc.target, UNCHANGED) from None
            raise
        fd = snapshot.fd
        # The new snapshot is in place: from here the tables are those it holds.
        self.tables.pop(CHANGES, None)
        if self._history is not None:
            for seq, doc in changes.items():
                self._history[int(seq)] = doc
        self.generation, self.schema, self.trusted = generation, migrations.CURRENT_SCHEMA, True
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
            fsync_dir(self.path.parent)
        except OSError as exc:
            self._folder_unsynced = True
            raise disk_error(
                exc,
                "flushing to disk the folder of",
                self.path,
                "every write is still in its journal",
            ) from None
        self._folder_unsynced = False
        try:
            self._empty_journal()
        except OSError as exc:
            raise disk_error(
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
