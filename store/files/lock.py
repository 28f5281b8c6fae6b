"""The store's lock: a flock on ``parley.json.lock``, held exclusively while writing and
shared while reading; and the record lock on its first byte that says a process has the
store open, which the last to close finds free."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import CorruptStore, LockedStore
from . import access
from .disk import close_quietly, disk_error, system
from .state import StorageState

LOCK_TIMEOUT = 10.0


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
        raise disk_error(exc, "opening the lock file", lock_path) from None


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
            raise disk_error(exc, "locking", lock_path_of(path)) from None


class StoreLock(StorageState):
    """Taking the store's lock and letting it go, and saying the store is open."""

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
            with system("reading the folder of", self.path):
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
                close_quietly(self._lock_fd)
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
