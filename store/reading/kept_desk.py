"""The desk as the last session left it, kept beside the store to be drawn at once.

Reading a large store takes most of a second, and the desk needs every track's
positions. So when the dashboard closes a store it leaves at rest (its journal
folded into the snapshot), it keeps the desk's lines in ``parley.json.desk``,
keyed on the snapshot's inode, size and mtime and on the day. The next start
finds the same snapshot and an empty journal, draws the kept lines, and reads the
store after: the lines are those the store would give, since it is the same.

Anything else (another snapshot, a write in the journal, another day, a file
that does not read) and the kept lines are not used: it is only ever a head start.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import StoreError
from ..files.atomic import write_atomic
from ..files.storage import at_rest
from ..records.repository import Repository
from .desk import DeskRow, desk

# Raised when what is kept changes shape: a file of another format is not read.
FORMAT = 1
# More than any desk's lines: a larger file is not one this wrote.
LARGEST = 4 * 1024 * 1024
_ROWS = TypeAdapter(list[DeskRow])


@dataclass(frozen=True)
class KeptDesk:
    """The desk's lines, and the store's tracks in its own order (``tracks()``)."""

    rows: list[DeskRow]
    tracks: list[str]
    snapshot: tuple[int, int, int]


def kept_path(path: Path) -> Path:
    return path.with_name(path.name + ".desk")


def keep(repo: Repository) -> bool:
    """Keep the desk as the store now gives it, if the store is at rest; True if kept.
    A file that cannot be written is left be: the next start reads the store first."""
    snapshot = repo.at_rest()
    if snapshot is None:
        return False
    found = {
        "format": FORMAT,
        "snapshot": list(snapshot),
        "day": repo.today().isoformat(),
        "tracks": [t.id for t in repo.tracks()],
        "rows": _ROWS.dump_python(desk(repo), mode="json"),
    }
    with contextlib.suppress(StoreError, OSError):
        write_atomic(kept_path(repo.path), json.dumps(found, ensure_ascii=False), sync_folder=False)
        return True
    return False


def kept(path: Path, today: date) -> KeptDesk | None:
    """The desk kept for the store at ``path``, if the store is as it was then and the
    day is the same; None otherwise."""
    snapshot = at_rest(path)
    if snapshot is None:
        return None
    try:
        with open(kept_path(path), "rb") as fh:
            raw = fh.read(LARGEST + 1)
        if len(raw) > LARGEST:
            return None
        found: dict[str, Any] = json.loads(raw)
        if (
            found.get("format") != FORMAT
            or tuple(found.get("snapshot", ())) != snapshot
            or found.get("day") != today.isoformat()
        ):
            return None
        tracks = [str(t) for t in found["tracks"]]
        return KeptDesk(_ROWS.validate_python(found["rows"]), tracks, snapshot)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None
