"""How the store's files are read, and how a failure of the system is said: one line
naming the file, what was being done to it, and what it means for the store."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic_core

from ..errors import DiskError

# What a user is told happened when a write fails.
NOTHING_SAVED = "nothing was saved"
UNCHANGED = "the store is unchanged"

# How an OSError is put to a user; other errors take the system's own words.
_REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "input/output error",
    # O_NOFOLLOW met a symbolic link: the store writes only files of its own.
    errno.ELOOP: "symbolic link found",
}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while building many containers.

    A snapshot parses into hundreds of thousands of dicts and lists with no
    cycles among them, yet each allocation counts towards a collection, and each
    full collection walks every container built so far: left on, the collector
    costs about as much as the parse itself.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def disk_error(exc: OSError, doing: str, target: str | Path, outcome: str = "") -> DiskError:
    """One line: what the system said, what was being done to which file, and what it
    means for the store ("disk full writing parley.json.journal; nothing was saved").
    ``doing`` puts the file where its ``{}`` is, or else after it."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc) or "failed").lower()
    what = doing.format(target) if "{}" in doing else f"{doing} {target}"
    return DiskError(f"{reason} {what}" + (f"; {outcome}" if outcome else ""))


def close_quietly(fd: int) -> None:
    """Close a descriptor that only read, or whose writes were flushed to disk already:
    a failure to close it loses nothing, and is no reason to fail what was done."""
    with contextlib.suppress(OSError):
        os.close(fd)


@contextlib.contextmanager
def system(doing: str, target: str | Path, outcome: str = "") -> Iterator[None]:
    """The calls inside, any OSError of theirs said as a DiskError naming the file and
    what was being done to it."""
    try:
        yield
    except OSError as exc:
        raise disk_error(exc, doing, target, outcome) from None


def read_file(path: Path, offset: int = 0, size: int = -1) -> bytes | None:
    """``size`` bytes of a file from ``offset`` (all of it by default); None when there is
    no such file, and a DiskError when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise disk_error(exc, "opening", path) from None
    try:
        with open(fd, "rb", closefd=False) as fh:
            fh.seek(offset)
            return fh.read(size)
    except OSError as exc:
        raise disk_error(exc, "reading", path) from None
    finally:
        close_quietly(fd)


def loads(raw: bytes) -> Any:
    """One JSON value as Parley writes them; ValueError for anything else.

    pydantic-core's parser, as for the snapshot, not the json module: on a damaged
    line that raises RecursionError (deep nesting), a bare ValueError (an integer of
    over 4,300 digits) or reads Infinity and NaN, which no Parley file holds. This one
    stops at a depth of 200 and says each of those as a ValueError.
    """
    return pydantic_core.from_json(raw, allow_inf_nan=False)
