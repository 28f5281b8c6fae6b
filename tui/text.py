"""Store text is data: every widget shows it through these helpers, never as markup.

``Content`` never parses markup, so ``[bold]``, ``[/`` or ``[@click=app.quit]``
in a record stay literal text; control characters are shown as visible escapes
so no record can drive the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.content import Content

_ESCAPES: dict[int, str] = {}
_SURROGATE = re.compile("[\ud800-\udfff]")
# What plain() changes: controls (tab and newline included) and lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape_map() -> dict[int, str]:
    if not _ESCAPES:
        for code in list(range(0x20)) + list(range(0x7F, 0xA0)):
            _ESCAPES[code] = f"\\x{code:02x}"
    return _ESCAPES


def plain(value: object, one_line: bool = True) -> str:
    """Text safe to put in a cell: control characters made visible, lines joined."""
    text = "" if value is None else str(value)
    # Nearly all text has nothing to escape: a table of thousands of rows passes each
    # cell through here, so answer those with one search.
    if not _UNSAFE.search(text):
        return text
    if one_line:
        text = " ".join(text.split("\n"))
        text = text.replace("\t", " ")
        return text.translate(_escape_map())
    keep = {ord("\n"): "\n", ord("\t"): "    "}
    mapping = {**_escape_map(), **keep}
    # Lone surrogates cannot be drawn either: escape them the same way.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text.translate(mapping))


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
