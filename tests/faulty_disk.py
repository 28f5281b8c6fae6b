"""Disks that fail and machines that lose power, for the store's fault tests.

``Faults`` makes the Nth call of ``os.open``, ``os.write``, ``os.fsync``, ``os.replace``
or ``os.ftruncate`` fail, the way SQLite's I/O-error tests do; those are the calls
through which the storage reaches the disk (``store/files/storage.py``).

``Disk`` keeps what a power cut would leave of one folder: the content of each file as
of its last fsync, and the folder's entries as of the folder's last fsync. It can cut
the power before the Nth call that changes the folder, after which nothing more
reaches the disk, and then lay out what a restart would find.

Also here: the small store the fault tests start from, and what a user can see of it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import actor, event, fixed_clock, source

from store import Repository, open_store
from store.models import Track

# The calls counted, and the error each one fails with.
FAULTS: dict[str, int] = {
    "open": errno.EMFILE,
    "write": errno.ENOSPC,
    "fsync": errno.EIO,
    "replace": errno.EIO,
    "ftruncate": errno.ENOSPC,
}


class Faults:
    """Counts the calls of FAULTS while ``armed``; fails the Nth (and, persistent, the rest)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.fail_at: int | None = None
        self.persistent = False
        self.armed = False
        self.failed: list[str] = []
        self.done: list[str] = []
        self.only: str | None = None
        for name, code in FAULTS.items():
            monkeypatch.setattr(os, name, self._wrap(name, code, getattr(os, name)))

    def _wrap(self, name: str, code: int, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.armed and self.only in (None, name):
                self.calls += 1
                if self.fail_at is not None and (
                    self.calls == self.fail_at or (self.persistent and self.calls > self.fail_at)
                ):
                    self.failed.append(name)
                    raise OSError(code, os.strerror(code))
                result = real(*args, **kwargs)
                self.done.append(name)
                return result
            return real(*args, **kwargs)

        return call

    @contextlib.contextmanager
    def armed_at(
        self, n: int | None, persistent: bool = False, only: str | None = None
    ) -> Iterator[None]:
        """Count (only ``only`` calls, if given) and fail the ``n``th."""
        self.calls, self.fail_at, self.persistent, self.failed = 0, n, persistent, []
        self.done = []
        self.only = only
        self.armed = True
        try:
            yield
        finally:
            self.armed = False


class PowerCut(BaseException):
    """The machine stops: no handler runs on to the disk (they catch Exception, or
    OSError, or re-raise), and every later call that would change the folder fails."""


# What a restart finds of a write the disk was not told to make durable.
LOSSES = {
    # all of it lost: each file as at its last fsync
    "lost": lambda tail: b"",
    # the first half of it written: a torn line
    "torn": lambda tail: tail[: len(tail) // 2],
    # its blocks allocated but never written: the file grew by zeros
    "zeros": lambda tail: b"\0" * len(tail),
}


class Disk:
    """The folder of one store as a power cut would leave it; see the module doc.

    Files are told apart by an id given when they are created, not by inode number: an
    inode freed by one file (a replaced snapshot) may be given to the next.
    """

    MUTATIONS = ("open", "write", "fsync", "replace", "ftruncate", "unlink")

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.folder = folder.resolve()
        self.calls = 0
        self.steps: list[str] = []
        self.cut_at: int | None = None
        self.dead = False
        # Fail (once, with EIO) the next fsync of the folder itself.
        self.fail_folder_sync = False
        self._ids: dict[int, int] = {}  # inode -> file id
        self._next_id = 0
        self.synced: dict[int, bytes] = {}  # file id -> its bytes at its last fsync
        self.entries: dict[str, int] = {}  # name -> file id at the folder's last fsync
        for name in self.MUTATIONS:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    # -- what is on the disk ---------------------------------------------------

    def _id(self, inode: int) -> int:
        if inode not in self._ids:
            self._next_id += 1
            self._ids[inode] = self._next_id
        return self._ids[inode]

    def _listing(self) -> dict[str, int]:
        """The folder's entries now: name -> file id."""
        return {
            p.name: self._id(p.stat().st_ino)
            for p in self.folder.iterdir()
            if p.is_file() and not p.name.endswith(".lock")
        }

    def start(self) -> None:
        """Count everything in the folder now as durable."""
        self.calls, self.steps, self.dead = 0, [], False
        self.entries = self._listing()
        for name, file_id in self.entries.items():
            self.synced[file_id] = (self.folder / name).read_bytes()

    def restart(self, loss: str, folder_synced: bool, into: Path) -> Path:
        """Lay out in ``into`` what a restart after the cut finds, and return its store path.

        ``loss`` (one of LOSSES) is what became of bytes written since a file's last
        fsync; with ``folder_synced`` the folder's entries are those of its last fsync,
        else those it has now (its changes all made it, as on most file systems).
        """
        now = self._listing()
        current = {file_id: self.folder / name for name, file_id in now.items()}
        into.mkdir()
        for name, file_id in (self.entries if folder_synced else now).items():
            synced = self.synced.get(file_id, b"")
            data = synced
            if file_id in current:
                live = current[file_id].read_bytes()
                if live.startswith(synced):
                    data = synced + LOSSES[loss](live[len(synced) :])
            (into / name).write_bytes(data)
        return into / "parley.json"

    # -- the calls -------------------------------------------------------------

    def _in_folder(self, name: str, args: tuple[Any, ...]) -> bool:
        target = args[0]
        if name in ("write", "fsync", "ftruncate"):
            try:
                target = os.readlink(f"/proc/self/fd/{target}")
            except OSError:
                return False
        elif name == "open" and not args[1] & os.O_CREAT:
            return False
        path = Path(os.path.realpath(os.fsdecode(target)))
        return self.folder in (path, path.parent) and not path.name.endswith(".lock")

    def _wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if not self._in_folder(name, args):
                return real(*args, **kwargs)
            if self.dead:
                raise PowerCut
            self.calls += 1
            if self.calls == self.cut_at:
                self.dead = True
                raise PowerCut
            self.steps.append(name)
            if name == "open":
                existed = os.path.exists(args[0])
                fd = real(*args, **kwargs)
                if not existed:
                    # A new file, though its inode number may have been another's.
                    self._next_id += 1
                    self._ids[os.fstat(fd).st_ino] = self._next_id
                return fd
            if name == "fsync":
                mode = os.fstat(args[0]).st_mode
                if stat.S_ISDIR(mode) and self.fail_folder_sync:
                    self.fail_folder_sync = False
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
                real(*args, **kwargs)
                if stat.S_ISDIR(mode):
                    self.entries = self._listing()
                else:
                    file_id = self._id(os.fstat(args[0]).st_ino)
                    with open(f"/proc/self/fd/{args[0]}", "rb") as fh:
                        self.synced[file_id] = fh.read()
                return None
            return real(*args, **kwargs)

        return call


# -- the store the fault tests start from ---------------------------------------------


def build_store(path: Path) -> None:
    """A store with all three files: a snapshot, a history, and a journal with writes."""
    with open_store(path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # closed as a crash leaves it: the journal kept
        repo.add(Track(id="t", title="Talks"))
        repo.add_many([source("s1"), event("e1", "s1")])
        repo.add(actor("israel"))
        repo.compact()
        repo.add(actor("hamas"))
        repo.update(actor("israel", "State of Israel"))


def files_of(folder: Path) -> dict[str, bytes]:
    """The bytes of each file in a folder but the lock (which holds none)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".lock")
    }


def lay_out(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder / "parley.json"


def state(repo: Repository) -> dict[str, Any]:
    """What a user of the repository can see: every record, and the whole history."""
    return {
        "records": {
            kind: sorted(r.model_dump_json() for r in repo._all(kind)) for kind in repo._cache
        },
        "history": [c.model_dump_json() for c in repo.history()],
    }
