"""A scrolling text view that wraps and draws only the lines on screen.

A ``Static`` in a scrolling container renders every line of its text whenever
it is laid out: the detail of an actor with a thousand positions is several
thousand lines, and showing it took most of a second. Here the text is kept as
paragraphs; a width change measures each one (wrapping without styles), and a
repaint renders only the paragraphs that are visible.

Like ``TextBlock``, it takes ``Content`` only, so nothing in it is read as markup.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from tui.compat.private import wrap_offsets

# Paragraphs rendered and kept for repaints; far more than a screen shows.
CACHED_PARAGRAPHS = 256


# Wrapped heights by (text, width). A detail built again after a save, or shown
# again as the cursor comes back, is mostly the same paragraphs: measured once.
_HEIGHTS: dict[tuple[str, int], int] = {}
HEIGHTS_KEPT = 50_000


def _indent(text: str, width: int) -> int:
    """The paragraph's leading spaces, which its wrapped lines keep (a hanging indent);
    none where that would leave less than half the width for the words."""
    indent = len(text) - len(text.lstrip(" "))
    return indent if indent * 2 <= width else 0


def _height(paragraph: Content, width: int) -> int:
    """Lines the paragraph wraps to: as ``Content`` wraps it, without building the lines."""
    if paragraph.cell_length <= width:
        return 1
    key = (paragraph.plain, width)
    height = _HEIGHTS.get(key)
    if height is None:
        if len(_HEIGHTS) >= HEIGHTS_KEPT:
            _HEIGHTS.clear()
        indent = _indent(paragraph.plain, width)
        body = paragraph.plain[indent:]
        height = _HEIGHTS[key] = len(wrap_offsets(body, width - indent)) + 1
    return height


class TextView(ScrollView, can_focus=True):
    """Literal text, wrapped to the widget's width, scrolled with the keys or the mouse."""

    DEFAULT_CSS = """
    TextView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(
        self,
        content: Content | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.content = Content("")
        self._paragraphs: list[Content] = []
        # Line number where each paragraph starts, at the width last measured.
        self._starts: list[int] = [0]
        self._width = -1
        self._strips: dict[int, list[Strip]] = {}
        self.update(content or Content(""))

    def update(self, content: Content) -> None:
        """Show new text, from its first line."""
        self.content = content
        self._paragraphs = content.split("\n", allow_blank=True) if content.plain else []
        self._width = -1
        self._strips.clear()
        if self.is_mounted:
            self._measure()
            self.scroll_to(0, 0, animate=False, immediate=True)
            self.refresh()

    @property
    def cached_paragraphs(self) -> int:
        """Paragraphs rendered and kept for repaints (those on screen, and some before)."""
        return len(self._strips)

    @property
    def line_count(self) -> int:
        """Lines of text at the current width."""
        self._measure()
        return self._starts[-1]

    def _measure(self) -> None:
        width = self.scrollable_content_region.width
        if width == self._width or width <= 0:
            return
        self._width = width
        self._strips.clear()
        self._starts = [0, *accumulate(_height(p, width) for p in self._paragraphs)]
        self.virtual_size = Size(width, self._starts[-1])

    def on_mount(self) -> None:
        self._measure()

    def on_resize(self) -> None:
        self._measure()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _paragraph_strips(self, index: int, width: int) -> list[Strip]:
        strips = self._strips.get(index)
        if strips is None:
            if len(self._strips) >= CACHED_PARAGRAPHS:
                self._strips.clear()
            style = self.visual_style
            rich_style = style.rich_style
            paragraph = self._paragraphs[index]
            indent = _indent(paragraph.plain, width) if paragraph.cell_length > width else 0
            body = paragraph[indent:] if indent else paragraph
            rendered = Visual.to_strips(self, body, width - indent, None, style)
            if indent:
                margin = Strip.blank(indent, rich_style)
                rendered = [Strip.join([margin, strip]) for strip in rendered]
            strips = [strip.extend_cell_length(width, rich_style) for strip in rendered]
            self._strips[index] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        self._measure()
        width = self._width
        line = int(self.scroll_y) + y
        blank = Strip.blank(max(width, 0), self.visual_style.rich_style)
        if width <= 0 or line >= self._starts[-1]:
            return blank
        index = bisect_right(self._starts, line) - 1
        strips = self._paragraph_strips(index, width)
        offset = line - self._starts[index]
        return strips[offset] if offset < len(strips) else blank
