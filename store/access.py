"""Who may read and write a store's files: their owner alone, or their owner and group.

Every file Parley makes for a store (the snapshot, the journal, the history, the
lock, a set-aside damaged journal) and every export it writes is made readable
and writable by its owner only (0600). A team that shares a store through a
folder belonging to its group sets ``shared_group`` (``--shared-group``, or
``shared_group = true`` in the settings), and the files are made 0660.

The mode is set on the file itself after it is made, so the process's umask
(commonly 022, which would take the group's write away) decides nothing.

A store whose files someone else could write is refused at open: any user of the
machine (world-writable), or the file's group when the store is not shared with
it. Such a file could be changed under Parley's feet, its journal lines or lock
included, by a user who should not.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import StoreError

OWNER_ONLY = 0o600
OWNER_AND_GROUP = 0o660


class OpenToOthers(StoreError):
    """A file of the store can be written by users other than its owner."""


class Access:
    """The process-wide choice: is the store shared with its files' group?"""

    shared_group = False


def share_with_group(shared: bool) -> None:
    """Set once at start, from ``--shared-group`` or the settings."""
    Access.shared_group = shared


def file_mode() -> int:
    return OWNER_AND_GROUP if Access.shared_group else OWNER_ONLY


def create(path: str | os.PathLike[str], flags: int) -> int:
    """``os.open(path, flags | O_CREAT)`` with the store's mode: a descriptor on the file.

    A file this makes is given the mode whatever the umask; one that was there
    already (a lock file another process made) keeps its own.
    """
    mode = file_mode()
    existed = not flags & os.O_EXCL and os.path.exists(path)
    fd = os.open(path, flags | os.O_CREAT, mode)
    if not existed:
        try:
            os.fchmod(fd, mode)
        except OSError:
            os.close(fd)
            raise
    return fd


def check(paths: Iterable[Path]) -> None:
    """Refuse, in one sentence, a store one of whose files others than its owner can write."""
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError:
            continue  # reading it will say what is wrong
        if mode & stat.S_IWOTH:
            raise OpenToOthers(
                f"{path} can be written by every user of this machine (mode "
                f"{stat.S_IMODE(mode):04o}); refusing to open the store: run "
                f"chmod o-w on its files"
            )
        if mode & stat.S_IWGRP and not Access.shared_group:
            raise OpenToOthers(
                f"{path} can be written by its group (mode {stat.S_IMODE(mode):04o}); "
                f"refusing to open the store: run chmod g-w on its files, or use "
                f"--shared-group if the group is the team sharing it"
            )
