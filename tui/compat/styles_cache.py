"""A fix for a leak in Textual 8.2, applied when ``tui.compat`` is imported.

``StylesCache.get_inner_outer`` is memoised with ``functools.lru_cache`` but is
a plain method (its first parameter is even named ``cls``), so every call keys
the cache on the ``StylesCache`` itself: up to 1,024 caches of widgets long gone
stay alive, each with the lines it last rendered. Every modal opened and closed
left about 1.2 MB behind this way (measured on a 100,000-record store), until
the cache was full some 50 MB later. The colours alone decide the result, so
they alone are the key here.

Upstream: https://github.com/Textualize/textual/issues/6665 (open). Applied only
to the versions in ``pins.STYLES_CACHE_LEAK``; outside them nothing is patched
and ``tui.compat`` warns.
"""

from __future__ import annotations

from functools import lru_cache

from textual.color import Color
from textual.style import Style

from tui.compat.pins import STYLES_CACHE_LEAK


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    return Style(background=base_background + background), Style(background=base_background)


def styles_cache_class() -> type:
    """Textual's private ``StylesCache``: the class patched here, and counted by the leak test."""
    # Private: the leak is in this class, and Textual exports it nowhere.
    from textual._styles_cache import StylesCache

    return StylesCache


def _get_inner_outer(
    self: object, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def apply() -> bool:
    """Patch ``StylesCache`` if the installed Textual is one the fix is for; say if it was."""
    if not STYLES_CACHE_LEAK.holds():
        return False
    styles_cache_class().get_inner_outer = _get_inner_outer  # type: ignore[attr-defined]
    return True


def applied() -> bool:
    """Whether ``StylesCache`` is patched now."""
    return getattr(styles_cache_class(), "get_inner_outer", None) is _get_inner_outer
