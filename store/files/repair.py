"""Mending a store whose journal ends in damage: what ``parley repair`` does.

A crash can only tear the journal's last line short, and a torn line (no newline)
is ignored already. A line that ends in a newline yet is not an entry Parley could
have written (a disk that wrote garbage, a hand edit, a copy taken mid-write) stops
the store from opening. Repair keeps every valid entry before the first such line
and moves that line and everything after it, byte for byte, to a dated
``.damaged`` file beside the store, where it can be read and entered again by hand.

A line is valid when the store would take it in on opening: it parses as a journal
entry, and each record it writes passes its model (as opening checks), each change
its model too (as ``parley check`` does).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import CorruptStore, describe
from ..models import RECORD_TYPES, Change
from . import access
from .atomic import FileFailed, write_atomic
from .disk import disk_error, read_file
from .journal import CHANGES, parse_journal_entry
from .lock import lock_path_of, open_lock, take_lock
from .snapshot import parse_snapshot
from .state import Op


@dataclass(frozen=True)
class Repair:
    """What a repair found, and did or would do."""

    journal: Path
    kept: int  # entries before the first damaged line
    set_aside: int  # lines from it on (a torn last line counts as one)
    first_bad: int | None  # the number of the first damaged line; None if there is none
    reason: str  # what is wrong with it
    damaged: Path | None  # where the lines set aside go
    applied: bool  # were they moved there

    @property
    def needed(self) -> bool:
        return self.first_bad is not None


def _op_problem(op: Op) -> str | None:
    table, doc_id, doc = op
    if table != CHANGES and table not in RECORD_TYPES:
        return f"unknown table {table[:40]!r}"
    if doc is None:
        return None
    cls: Any = Change if table == CHANGES else RECORD_TYPES[table]
    try:
        record = cls.model_validate(doc)
    except ValidationError as exc:
        return f"{table} {doc_id[:40]!r}: {describe(exc)}"
    if table != CHANGES and record.id != doc_id:
        return f"{table} {doc_id[:40]!r} is stored under a different id"
    return None


def _line_problem(line: bytes, generation: int) -> str | None:
    try:
        entry_generation, ops = parse_journal_entry(line)
    except ValueError as exc:
        return str(exc)
    if entry_generation != generation:
        return None  # folded into the snapshot already: skipped on reading
    return next(filter(None, map(_op_problem, ops)), None)


def _damaged_path(journal: Path, now: datetime) -> Path:
    stem = f"{journal.name}.{now:%Y-%m-%dT%H%M%S}"
    candidate, n = journal.with_name(f"{stem}.damaged"), 2
    try:
        while candidate.exists():
            candidate, n = journal.with_name(f"{stem}-{n}.damaged"), n + 1
    except OSError as exc:
        raise disk_error(
            exc, "reading the folder of", journal, "the journal is as it was"
        ) from None
    return candidate


def repair_journal(
    path: str | os.PathLike[str], apply: bool = False, now: datetime | None = None
) -> Repair:
    """Find the first damaged line of the journal of the store at ``path``; with
    ``apply``, move it and the rest to a dated ``.damaged`` file beside the store.

    Raises CorruptStore when the snapshot itself is damaged (repair mends only the
    journal), DiskError when a file cannot be read or written; a failed repair
    leaves the journal as it was.
    """
    path = Path(path)
    journal = path.with_name(path.name + ".journal")
    # Only the store's own regular files: never a link's target, never another's file.
    access.check((path, journal, lock_path_of(path)))
    lock = open_lock(path)
    try:
        take_lock(lock, fcntl.LOCK_EX if apply else fcntl.LOCK_SH, path)
        raw = read_file(path)
        generation = 0
        if raw is not None:
            try:
                generation = parse_snapshot(path, raw)[1]
            except CorruptStore as exc:
                raise CorruptStore(f"{exc}; repair mends only the journal") from None
            del raw
        data = read_file(journal) or b""
        kept, offset, first_bad, reason = 0, 0, None, ""
        end = data.rfind(b"\n") + 1
        for lineno, line in enumerate(data[: max(end - 1, 0)].split(b"\n"), start=1):
            problem = _line_problem(line, generation) if line.strip() else None
            if problem is not None:
                first_bad, reason = lineno, problem
                break
            kept += bool(line.strip())
            offset += len(line) + 1
        if first_bad is None:
            return Repair(journal, kept, 0, None, "", None, False)
        rest = data[offset:]
        set_aside = rest.count(b"\n") + (not rest.endswith(b"\n"))
        damaged = _damaged_path(journal, now or datetime.now())
        if apply:
            _set_aside(journal, damaged, rest, offset)
        return Repair(journal, kept, set_aside, first_bad, reason, damaged, apply)
    finally:
        with contextlib.suppress(OSError):
            os.close(lock)


def _set_aside(journal: Path, damaged: Path, rest: bytes, keep: int) -> None:
    """Copy ``rest`` to ``damaged`` durably, then cut the journal to ``keep`` bytes."""
    try:
        write_atomic(damaged, rest)
    except FileFailed as exc:
        with contextlib.suppress(OSError):
            os.unlink(damaged)
        raise disk_error(exc.error, exc.doing, exc.target, "the journal is as it was") from None
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_NOFOLLOW)
        try:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise disk_error(
            exc, "cutting the damaged lines off", journal, f"a copy of them is in {damaged}"
        ) from None
