"""A fix for a leak in Textual 8.2, applied when the app is imported.

``StylesCache.get_inner_outer`` is memoised with ``functools.lru_cache`` but is
a plain method, so every call keys the cache on the ``StylesCache`` itself: up
to 1,024 caches of widgets long gone stay alive, each with the lines it last
rendered. Every modal opened and closed left about 1.2 MB behind this way
(measured on a 100,000-record store), until the cache was full some 50 MB
later. The colours alone decide the result, so they alone are the key here.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
