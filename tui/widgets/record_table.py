"""A virtual table: renders only the rows on screen, whatever the number of rows.

Textual's DataTable measures every cell before its first paint, which takes
seconds on large stores. Here column widths come from the columns' declared
sizes and the widget's width, so setting 100,000 rows costs only building the
list, and a repaint costs only the visible lines. Cells are plain text
rendered as segments: nothing in a cell is ever read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.text import plain

# A cell is text, or text with a style string ("bold $text-error"): theme variables
# are looked up in the running theme when the cell is drawn.
Cell = str | tuple[str, str]


@dataclass(frozen=True)
class Column:
    label: str
    width: int | None = None  # fixed width; None shares the room left
    min_width: int = 8
    ratio: int = 1


@dataclass
class Row:
    key: str
    cells: tuple[Cell, ...]
    haystack: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.cells = tuple(
            (plain(c[0]), c[1]) if isinstance(c, tuple) else plain(c) for c in self.cells
        )
        self.haystack = " ".join(c[0] if isinstance(c, tuple) else c for c in self.cells).casefold()


def _fit(text: str, width: int) -> str:
    """Text padded or cut to exactly ``width`` terminal cells (wide characters take two)."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""


class RecordTable(ScrollView, can_focus=True):
    """Rows of records with a cursor on a row, or on a cell when ``cell_cursor`` is set."""

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    RecordTable > .record-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    RecordTable > .record-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RecordTable:focus > .record-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    RecordTable > .record-table--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--cursor",
        "record-table--empty",
    }

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("left", "cursor_left", "Left", show=False, id="table.left"),
        Binding("right", "cursor_right", "Right", show=False, id="table.right"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page-down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=True, id="table.open"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_column: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, table: RecordTable, key: str | None, column: int) -> None:
            super().__init__()
            self.table, self.key, self.column = table, key, column

        @property
        def control(self) -> RecordTable:
            return self.table

    class Selected(Message):
        def __init__(self, table: RecordTable, key: str, column: int) -> None:
            super().__init__()
            self.table, self.key, self.column = table, key, column

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        cell_cursor: bool = False,
        empty_text: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[Column] = list(columns)
        self.cell_cursor = cell_cursor
        self.empty_text = empty_text
        self._all_rows: list[Row] = []
        self.rows: list[Row] = []
        # Cell styles resolved against the theme and the table's colours; a theme
        # change restyles the widget, which empties this.
        self._cell_styles: dict[str, Style] = {}
        self.filter_text = ""

    # -- data ------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.cursor_column = min(self.cursor_column, max(len(self.columns) - 1, 0))
        self.refresh()

    def set_rows(self, rows: Sequence[Row], keep_key: bool = True) -> None:
        """Replace the rows, keeping the cursor on the same record where it still shows."""
        key = self.cursor_key if keep_key else None
        self._all_rows = list(rows)
        self._apply_filter(key)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._apply_filter(self.cursor_key)

    def _apply_filter(self, key: str | None) -> None:
        needle = self.filter_text.casefold()
        self.rows = (
            [r for r in self._all_rows if needle in r.haystack] if needle else self._all_rows
        )
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        index = 0
        if key is not None:
            for i, row in enumerate(self.rows):
                if row.key == key:
                    index = i
                    break
        self.cursor_row = index
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row].key
        return None

    def move_to_key(self, key: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.key == key:
                self.cursor_row = i
                return True
        return False

    # -- geometry --------------------------------------------------------------

    def _widths(self) -> list[int]:
        """Fixed columns keep their width; flexible ones share what is left by ratio."""
        total = max(self.scrollable_content_region.width, 1)
        room = total - max(len(self.columns) - 1, 0)
        fixed = sum(c.width or 0 for c in self.columns)
        flexible = [c for c in self.columns if c.width is None]
        left = max(room - fixed, 0)
        shares = sum(c.ratio for c in flexible) or 1
        # Each flexible column gets its minimum, then a share of what is left by ratio;
        # below the minimums, they share what there is rather than overflow.
        minimums = sum(c.min_width for c in flexible)
        tight = left < minimums
        extra = left - minimums
        widths = []
        given = 0
        for column in self.columns:
            if column.width is not None:
                widths.append(column.width)
                continue
            if tight:
                width = max(left * column.ratio // shares, 3)
            else:
                width = column.min_width + extra * column.ratio // shares
            widths.append(width)
            given += width
        if flexible and given < left:
            # Hand the rounding remainder to the last flexible column.
            last = max(i for i, c in enumerate(self.columns) if c.width is None)
            widths[last] += left - given
        return widths

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self.rows:
            clamped = max(0, min(new, len(self.rows) - 1))
            if clamped != new:
                self.cursor_row = clamped
                return
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_key, self.cursor_column))

    def watch_cursor_column(self) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_key, self.cursor_column))

    def _scroll_cursor_into_view(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self._scroll_cursor_into_view()

    # -- rendering -------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cell_styles.clear()

    def _cell_style(self, style: str) -> Style:
        """A cell's style string as a Rich style, its $variables taken from the theme.

        Laid over the table's own style, so a colour with alpha ($text-muted) blends
        with the table's background as it would in any Textual widget.
        """
        found = self._cell_styles.get(style)
        if found is None:
            if style:
                parsed = self.app.stylesheet.parse_style(style)
                found = (self.visual_style + parsed).rich_style
            else:
                found = Style()
            self._cell_styles[style] = found
        return found

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("record-table--header")
            cells = [(c.label, "") for c in self.columns]
            return self._strip(cells, base + header, width)
        index = int(self.scroll_y) + y - 1
        if not self.rows:
            if y == 1:
                style = base + self.get_component_rich_style("record-table--empty")
                return Strip([Segment(_fit(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cells = [c if isinstance(c, tuple) else (c, "") for c in row.cells]
        if index == self.cursor_row:
            cursor = self.get_component_rich_style("record-table--cursor")
            if self.cell_cursor:
                return self._strip(cells, base, width, highlight=(self.cursor_column, cursor))
            return self._strip(cells, base + cursor, width, cursor_row=True)
        return self._strip(cells, base, width)

    def _strip(
        self,
        cells: list[tuple[str, str]],
        base: Style,
        width: int,
        highlight: tuple[int, Style] | None = None,
        cursor_row: bool = False,
    ) -> Strip:
        segments = []
        for i, ((text, style), w) in enumerate(zip(cells, self._widths(), strict=False)):
            if i:
                segments.append(Segment(" ", base))
            cell_style = base if cursor_row else base + self._cell_style(style)
            if highlight is not None and highlight[0] == i:
                cell_style = cell_style + highlight[1]
            segments.append(Segment(_fit(text, w), cell_style))
        strip = Strip(segments)
        return strip.adjust_cell_length(width, base)

    # -- input -----------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_up(self) -> None:
        self.cursor_row = max(self.cursor_row - 1, 0)

    def action_cursor_down(self) -> None:
        self.cursor_row = min(self.cursor_row + 1, max(len(self.rows) - 1, 0))

    def action_cursor_left(self) -> None:
        if self.cell_cursor:
            self.cursor_column = max(self.cursor_column - 1, 0)

    def action_cursor_right(self) -> None:
        if self.cell_cursor:
            self.cursor_column = min(self.cursor_column + 1, max(len(self.columns) - 1, 0))

    def action_page_up(self) -> None:
        self.cursor_row = max(self.cursor_row - self._visible_rows(), 0)

    def action_page_down(self) -> None:
        self.cursor_row = min(self.cursor_row + self._visible_rows(), max(len(self.rows) - 1, 0))

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = max(len(self.rows) - 1, 0)

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, key, self.cursor_column))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        index = int(self.scroll_y) + event.y - 1
        if not 0 <= index < len(self.rows):
            return
        column = self.cursor_column
        if self.cell_cursor:
            x = 0
            for i, w in enumerate(self._widths()):
                if x <= event.x < x + w + 1:
                    column = i
                    break
                x += w + 1
        again = index == self.cursor_row and column == self.cursor_column
        self.cursor_column = column
        self.cursor_row = index
        if again or event.chain > 1:
            self.action_select()
