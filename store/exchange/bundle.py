"""What an export holds once read (``Bundle``), what is wrong with it (``Problem``: file,
record, field and reason), and what an import did (``ImportReport``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..files.journal import CHANGES
from ..models import Change
from ..record import Record

EXPORT_FORMAT = "parley-export"
EXPORT_SCHEMA = 1
CHANGE_FILE = f"{CHANGES}.csv"

# Called as progress(done, total) while records are checked.
Progress = Callable[[int, int], None]


def _printable(text: str) -> str:
    """Text safe to print on one terminal line: control characters shown as escapes."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def show_value(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


@dataclass(frozen=True)
class Problem:
    """One reason an import cannot go ahead: where it is and why."""

    file: str
    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        parts = [self.file, self.record, self.field, self.reason]
        return _printable(": ".join(p for p in parts if p))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problems(
    file: str, record: str, exc: ValidationError, prefix: str = ""
) -> list[Problem]:
    found = []
    for error in exc.errors():
        where = _loc(tuple(error["loc"]))
        if prefix:
            where = f"{prefix}.{where}" if where else prefix
        reason = str(error["msg"]).removeprefix("Value error, ")
        found.append(Problem(file, record, where or "(record)", reason))
    return found


@dataclass
class Bundle:
    """What an export holds, validated record by record (references not yet checked)."""

    records: list[Record] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # Where each record came from, for problems found later: (kind, id) -> (file, record).
    origin: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The file or folder read, and the file the history came from.
    name: str = ""
    history_file: str = ""


@dataclass
class ImportReport:
    """What an import found, and what it did (or, in a dry run, would do)."""

    problems: list[Problem] = field(default_factory=list)
    added: list[Record] = field(default_factory=list)
    changed: list[tuple[Record, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    history_restored: int = 0
    history_note: str = ""
    written: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{verb} {len(self.added)}, "
            f"{'would change' if self.dry_run else 'changed'} {len(self.changed)}, "
            f"unchanged {self.unchanged}"
        )
        if self.history_restored:
            restored = "would restore" if self.dry_run else "restored"
            text += f"; {restored} {self.history_restored} history entries"
        elif self.history_note:
            text += f"; {self.history_note}"
        return text

    def lines(self) -> list[str]:
        """One line per record added or changed."""
        out = [f"add {r.kind} {r.id!r}" for r in self.added]
        out += [f"change {r.kind} {r.id!r} ({', '.join(fields)})" for r, fields in self.changed]
        return [_printable(line) for line in out]
