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
included, by a user who should not. So is a store:

* whose files belong to another user (unless it is shared with the group): Parley
  would write, as you, files someone else owns and answers for;
* in a folder any user can write that lacks the sticky bit (as /tmp has it): anyone
  could delete the store's files or put others in their place;
* one of whose files is a symbolic link, or not a regular file: a write would go
  wherever the link points (another file grown, or cut to nothing by a repair).

Each refusal is one line saying how to make it right. Past the check, Parley opens
its files with ``O_NOFOLLOW``, so that a link put in place afterwards is not followed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import StoreError

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
    fd = os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW, mode)
    if not existed:
        try:
            os.fchmod(fd, mode)
        except OSError:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
    return fd


def _owner(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _target(link: Path) -> str:
    try:
        return f" (to {os.readlink(link)})"
    except OSError:
        return ""


def check_folder(folder: Path) -> None:
    """Refuse a folder any user can write, unless its sticky bit keeps each user's files
    their own."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return  # opening a file in it will say what is wrong
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        raise OpenToOthers(
            f"{folder.absolute()}: can be written by every user of this machine (mode "
            f"{stat.S_IMODE(mode):04o}), who could replace the store's files; refusing to "
            f"open the store: run chmod o-w on the folder, or move the store to one of yours"
        )


def check(paths: Iterable[Path]) -> None:
    """Refuse, in one sentence, a store whose folder or files are not its owner's alone:
    see the module's doc."""
    paths = list(paths)
    for folder in dict.fromkeys(path.parent for path in paths):
        check_folder(folder)
    for path in paths:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError:
            continue  # reading it will say what is wrong
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            raise OpenToOthers(
                f"{path}: a symbolic link{_target(path)}; refusing to open the "
                f"store, which writes only files of its own: put the file itself in the "
                f"link's place"
            )
        if not stat.S_ISREG(mode):
            raise OpenToOthers(
                f"{path}: not a regular file; refusing to open the store: move it aside"
            )
        if st.st_uid != os.geteuid() and not Access.shared_group:
            raise OpenToOthers(
                f"{path}: belongs to {_owner(st.st_uid)}, not to you; refusing to open the "
                f"store: open it as its owner, take the files over (chown), or use "
                f"--shared-group if the store is shared with its group"
            )
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
