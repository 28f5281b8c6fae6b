"""Trends drawn in text cells: a step strip of firmness, and the gap reading.

The numbers are ``store.reading.trends``'s; here they become a few characters a table
cell can hold, one block a stated position, taller the firmer.
"""

from __future__ import annotations

from store.reading.trends import TOP, Convergence, Step

# A block a level: accepted is the lowest, a red line or a rejection the highest.
BLOCKS = "▁▃▄▆█"
# The same levels for the browser view. Its font (Roboto Mono, which textual-serve's
# page asks for) has no block elements, so the browser draws them from a fallback font
# whose blocks overrun their cells and run into blotches; these it has, and they still
# grow with firmness.
WEB_BLOCKS = "_-=+#"
# Steps drawn at most: the latest ones; an ellipsis says there were more.
SHOWN = 6
assert len(BLOCKS) == len(WEB_BLOCKS) == TOP + 1

# The glyphs in use. One process draws for one terminal (parley serve runs an app per
# browser tab), so the app sets them once as it starts: see ``use_web_glyphs``.
_glyphs = BLOCKS


def use_web_glyphs(web: bool) -> None:
    """Draw strips for the browser's font (``web``) or a terminal's."""
    global _glyphs
    _glyphs = WEB_BLOCKS if web else BLOCKS


def blocks() -> str:
    """The glyphs a level, lowest first, as this app draws them."""
    return _glyphs


def legend() -> str:
    """The strip's glyphs and what the lowest and highest mean, for the keys' help."""
    glyphs = blocks()
    return f"{glyphs} a party's stances, oldest first: {glyphs[0]} accepted … {glyphs[-1]} red line"


READING_MARK = {
    "narrowing": "↓",
    "widening": "↑",
    "unchanged": "=",
    "new": "new",
    "no reading": "",
}


def strip(steps: list[Step], shown: int = SHOWN) -> str:
    """The latest ``shown`` steps as blocks, oldest first: ``▄▆█``."""
    glyphs = blocks()
    drawn = "".join(glyphs[s.level] for s in steps[-shown:])
    return ("…" if len(steps) > shown else "") + drawn


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
