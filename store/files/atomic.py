"""Writing a file whole: the one way Parley replaces a file so that a crash leaves the
old one or the new one, never a mix.

The snapshot, a set-aside journal end, the files of a CSV export, the briefing and
the export written to a path, the user's settings and the sync state all go through
``write_atomic``: a temporary file beside the target, written with the store's mode,
flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from . import access

# Pieces are gathered and written this many bytes at a time, not a system call each.
WRITE_AT = 1 << 20


class FileFailed(OSError):
    """An OSError while reading or writing a file, with what was being done (``doing``,
    where ``{}`` stands for the file) and to which file (``target``), for the caller to
    say in one line. It is the system's error still: ``errno`` and ``strerror`` are its."""

    def __init__(self, error: OSError, doing: str, target: str) -> None:
        super().__init__(error.errno, error.strerror)
        self.error, self.doing, self.target = error, doing, target


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte; a write the system cuts short is carried on where it stopped."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(5, "the system wrote nothing")
        view = view[written:]


def fsync_dir(path: Path) -> None:
    """Make the directory's entries (a file created, renamed, removed) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(path: Path, clear_stale: bool) -> Path:
    prefix = f".{path.name}."
    if clear_stale:
        # Only under a lock that no other writer of ``path`` can hold at once: a temporary
        # file found now was left by one that a crash cut short.
        with contextlib.suppress(OSError):
            for stale in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
                if stale.name[len(prefix) : -len(".tmp")].isdigit():
                    with contextlib.suppress(OSError):
                        stale.unlink()
    return path.with_name(f"{prefix}{os.getpid()}.tmp")


def write_atomic(
    path: Path,
    data: str | bytes | Iterable[bytes],
    *,
    sync_folder: bool = True,
    keep_open: bool = False,
    clear_stale: bool = False,
    head: Callable[[], bytes] | None = None,
) -> int | None:
    """Replace ``path`` whole with ``data`` (text is written as UTF-8, its line ends as
    they are; an iterable of pieces is written in order, never held as one string).

    ``sync_folder``: flush the folder too, so that the new file survives a crash once
    this returns (a caller that must say something else should that flush fail does it
    itself). ``keep_open``: return the descriptor of the file written, for the caller to
    hold. ``clear_stale``: remove temporary files a crashed writer left; only for a
    caller holding a lock that excludes every other writer. ``head``: called once every
    piece is written, its bytes written again at the start of the file, over as many:
    for a header that sums up what follows, its room kept by the first piece. A missing
    folder is made.

    Raises ``FileFailed`` and leaves ``path`` as it was should anything fail before the
    rename; once renamed, a failure to flush the folder is a ``FileFailed`` too.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileFailed(exc, "creating the folder of", str(path)) from None
    if isinstance(data, str):
        data = data.encode("utf-8")
    pieces: Iterable[bytes] = (data,) if isinstance(data, bytes) else data
    tmp = _temporary(path, clear_stale)
    fd: int | None = None
    doing, target = "creating", str(tmp)
    try:
        # The store's mode (owner only, or shared with the group), not the umask's.
        fd = access.create(tmp, os.O_WRONLY | os.O_TRUNC)
        doing = "writing"
        pending: list[bytes] = []
        size = 0
        for piece in pieces:
            if size + len(piece) >= WRITE_AT and pending:
                write_all(fd, b"".join(pending))
                pending, size = [], 0
            if len(piece) >= WRITE_AT:
                # Written as it is: joined, a large piece would be copied first.
                write_all(fd, piece)
                continue
            pending.append(piece)
            size += len(piece)
        if pending:
            write_all(fd, b"".join(pending))
        if head is not None:
            summed_up = head()
            os.lseek(fd, 0, os.SEEK_SET)
            write_all(fd, summed_up)
        doing = "flushing {} to disk"
        os.fsync(fd)
        doing, target = "renaming", f"{tmp} to {path.name}"
        os.replace(tmp, path)
    except BaseException as exc:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, FileFailed):
            raise FileFailed(exc, doing, target) from None
        raise
    if not keep_open:
        with contextlib.suppress(OSError):
            os.close(fd)
        fd = None
    if sync_folder:
        try:
            fsync_dir(path.parent)
        except OSError as exc:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
            raise FileFailed(exc, "flushing to disk the folder of", str(path)) from None
    return fd
