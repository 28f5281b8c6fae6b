"""Store text is data: every widget shows it through these helpers, never as markup.

``Content`` never parses markup, so ``[bold]``, ``[/`` or ``[@click=app.quit]``
in a record stay literal text; control characters are shown as visible escapes
so no record can drive the terminal. So are the characters that change how the text
around them reads without being seen themselves (direction overrides, embeddings and
isolates, direction marks, zero-width spaces, line and paragraph separators, the byte
order mark): a record keeps them as data, and the screen shows where they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from textual.content import Content

_ESCAPES: dict[int, str] = {}
# Invisible characters that reorder, hide or break the text around them: the Arabic
# letter mark, zero-width space, non-joiner and joiner, LRM and RLM, line and paragraph
# separators, the bidi embeddings and overrides (U+202A-E), the word joiner, the bidi
# isolates (U+2066-9) and the byte order mark (zero-width no-break space).
_INVISIBLE = "\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
# Shown as \uXXXX escapes: lone surrogates, which cannot be drawn, and the above.
_HIDDEN = re.compile(f"[\ud800-\udfff{_INVISIBLE}]")
# What plain() changes: controls (tab and newline included), lone surrogates, the above.
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_INVISIBLE}]")
# Zero-width non-joiner and joiner are also how Persian, the Indic scripts and emoji
# sequences (👨\u200d👩) are written; between two such characters they are seen in
# what they join and stay, anywhere else they are escaped like the rest.
_JOINERS = "\u200c\u200d"
_NOT_SHAPED = ("LATIN", "GREEK", "CYRILLIC")


def _escape_map() -> dict[int, str]:
    if not _ESCAPES:
        for code in list(range(0x20)) + list(range(0x7F, 0xA0)):
            _ESCAPES[code] = f"\\x{code:02x}"
    return _ESCAPES


def _joins(ch: str) -> bool:
    """Whether a joiner beside ``ch`` shapes what is seen: an emoji, or a letter or mark
    of a script written with joiners (Arabic, Persian, the Indic scripts...)."""
    if ord(ch) < 0x0590 or unicodedata.category(ch)[0] not in "LMS":
        return False
    return not unicodedata.name(ch, "").startswith(_NOT_SHAPED)


def _hidden(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _JOINERS:
        text, at = match.string, match.start()
        if 0 < at < len(text) - 1 and _joins(text[at - 1]) and _joins(text[at + 1]):
            return ch
    return f"\\u{ord(ch):04x}"


def plain(value: object, one_line: bool = True) -> str:
    """Text safe to put in a cell: control and invisible characters made visible,
    lines joined."""
    text = "" if value is None else str(value)
    # Nearly all text has nothing to escape: a table of thousands of rows passes each
    # cell through here, so answer those with one search.
    if not _UNSAFE.search(text):
        return text
    if one_line:
        text = " ".join(text.split("\n"))
        text = text.replace("\t", " ")
        mapping = _escape_map()
    else:
        keep = {ord("\n"): "\n", ord("\t"): "    "}
        mapping = {**_escape_map(), **keep}
    return _HIDDEN.sub(_hidden, text.translate(mapping))


def reveal(text: str) -> str:
    """Text with control and invisible characters escaped as in :func:`plain`, but its
    line breaks and tabs kept: for outputs that lay the text out themselves (the brief)."""
    if not _UNSAFE.search(text):
        return text
    keep = {ord("\n"): "\n", ord("\t"): "\t"}
    return _HIDDEN.sub(_hidden, text.translate({**_escape_map(), **keep}))


def literal(value: object, style: str = "", one_line: bool = False) -> Content:
    """Content showing ``value`` exactly as typed, optionally in one style."""
    content = Content(plain(value, one_line=one_line))
    return content.stylize(style) if style else content


def line(*parts: object | tuple[object, str]) -> Content:
    """One line assembled from literal pieces and (text, style) pairs."""
    pieces: list[str | tuple[str, str]] = []
    for part in parts:
        if isinstance(part, tuple):
            pieces.append((plain(part[0], one_line=False), part[1]))
        else:
            pieces.append(plain(part, one_line=False))
    return Content.assemble(*pieces)


def lines(items: Iterable[Content]) -> Content:
    return Content("\n").join(items)


def shorten(text: str, width: int) -> str:
    """The first words of text, cut at a word boundary with an ellipsis."""
    text = plain(text)
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > width // 2 else text[: width - 1]) + "…"
