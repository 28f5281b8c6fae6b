"""The journal, ``parley.json.journal``: one JSON line per transaction, its generation
and its operations, appended and flushed before a write returns; and what a line read
back must be."""

from __future__ import annotations

from pathlib import Path

from ..errors import CorruptStore
from .disk import loads
from .state import Op

CHANGES = "change"


def is_seq(key: str) -> bool:
    """A change's number as Parley writes it: digits, no leading zero, not absurdly long."""
    return key.isascii() and key.isdigit() and len(key) <= 18 and str(int(key)) == key


REPAIR_HINT = "parley repair can set the damaged end of the journal aside"
# A snapshot older than the journal or the history written after it: one copied back
# from a backup, or a replacement the disk lost. Writing on would number new changes
# with numbers already taken, so the store is refused until the newer one is back.
ROLLED_BACK = (
    "the snapshot is older than the files written after it (restored from a backup?); "
    "put the newer snapshot back, or move the journal and history aside to keep this one"
)


def parse_journal_entry(line: bytes) -> tuple[int, list[Op]]:
    """A journal line's generation and operations; ValueError saying what is wrong."""
    try:
        entry = loads(line)
    except ValueError:
        raise ValueError("not a valid journal entry") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("g"), int):
        raise ValueError("a journal entry needs a generation number")
    ops = entry.get("ops")
    if not isinstance(ops, list):
        raise ValueError("a journal entry needs a list of operations")
    parsed: list[Op] = []
    for op in ops:
        if (
            not isinstance(op, list)
            or len(op) != 3
            or not isinstance(op[0], str)
            or not isinstance(op[1], str)
            or not (op[2] is None or isinstance(op[2], dict))
        ):
            raise ValueError(f"malformed operation {str(op)[:60]}")
        if op[0] == CHANGES and not is_seq(op[1]):
            raise ValueError(f"change {op[1][:20]!r} is not numbered")
        parsed.append((op[0], op[1], op[2]))
    return entry["g"], parsed


def parse_journal_line(path: Path, lineno: int, line: bytes) -> tuple[int, list[Op]]:
    try:
        return parse_journal_entry(line)
    except ValueError as exc:
        raise CorruptStore(f"{path} line {lineno}: {exc} ({REPAIR_HINT})") from None
