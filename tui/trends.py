"""Trends drawn in text cells: a step strip of firmness, and the gap reading.

The numbers are ``store.trends``'s; here they become a few characters a table
cell can hold, one block a stated position, taller the firmer.
"""

from __future__ import annotations

from store.trends import TOP, Convergence, Step

# A block a level: accepted is the lowest, a red line or a rejection the highest.
BLOCKS = "▁▃▄▆█"
# Steps drawn at most: the latest ones; an ellipsis says there were more.
SHOWN = 6
assert len(BLOCKS) == TOP + 1

READING_MARK = {
    "narrowing": "↓",
    "widening": "↑",
    "unchanged": "=",
    "new": "new",
    "no reading": "",
}


def strip(steps: list[Step], shown: int = SHOWN) -> str:
    """The latest ``shown`` steps as blocks, oldest first: ``▄▆█``."""
    blocks = "".join(BLOCKS[s.level] for s in steps[-shown:])
    return ("…" if len(steps) > shown else "") + blocks


def gap_text(reading: Convergence | None) -> str:
    """A point's gap and which way it moved: ``5 ↓7`` (was 7), ``5 =``, ``5 new``; ``—``
    without two parties' positions."""
    if reading is None or reading.gap is None:
        return "—"
    mark = READING_MARK[reading.reading]
    if reading.reading in ("narrowing", "widening"):
        return f"{reading.gap} {mark}{reading.gap_then}"
    return f"{reading.gap} {mark}".rstrip()


def reading_words(reading: Convergence | None) -> str:
    """The reading in a sentence, for a detail pane."""
    if reading is None or reading.gap is None:
        return "No gap reading: fewer than two parties have stated a position."
    since = reading.since.isoformat()
    if reading.gap_then is None:
        return f"Gap {reading.gap} of {2 * TOP}; no two parties had stated a position by {since}."
    return f"Gap {reading.gap} of {2 * TOP}, {reading.gap_then} on {since}: {reading.reading}."
