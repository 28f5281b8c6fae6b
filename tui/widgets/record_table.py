"""A virtual table: renders only the rows on screen, whatever the number of rows.

Textual's DataTable measures every cell before its first paint, which takes
seconds on large stores. Here column widths come from the columns' declared
sizes and the widget's width, so setting 100,000 rows costs only building the
list, and a repaint costs only the visible lines. Cells are plain text
rendered as segments: nothing in a cell is ever read as markup.

Any table sorts by any column: `>` and `<` step through the columns, each
ascending then descending, and back to the table's own order; a click on a
heading sorts by it, again reverses, a third time goes back. The heading of the
sorted column shows ▲ or ▼, and the cursor stays on the record it was on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.reading.search import fold
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
    # What a column sorts by where its text would not ("14–16 Aug 2024" by its ISO date):
    # a string for each column, "" where the text itself does.
    sort: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.cells = tuple(
            (plain(c[0]), c[1]) if isinstance(c, tuple) else plain(c) for c in self.cells
        )
        # Folded as the store's search folds: curly and straight quotes alike.
        self.haystack = fold(" ".join(c[0] if isinstance(c, tuple) else c for c in self.cells))


ASCENDING, DESCENDING = "▲", "▼"
_DIGITS = re.compile(r"(\d+)")


def _padded(number: re.Match[str]) -> str:
    return number.group().zfill(20)


def sort_key(text: str) -> str:
    """Text as it sorts for a person: case aside, and numbers by their value (9 before 10):
    each run of digits padded to one width, so that plain string order does the rest
    (a string compares far faster than a tuple of parts on a big table)."""
    return _DIGITS.sub(_padded, text.casefold())


def sorted_rows(rows: Sequence[Row], column: int, reverse: bool = False) -> list[Row]:
    """``rows`` by the text of ``column`` (or what the row sorts it by), ties in their
    own order; rows with nothing in the column last, either way."""

    def text(row: Row) -> str:
        given = row.sort[column] if column < len(row.sort) else ""
        if given:
            return given
        cell = row.cells[column] if column < len(row.cells) else ""
        return cell[0] if isinstance(cell, tuple) else cell

    keyed = [(text(row), row) for row in rows]
    filled = [(sort_key(t), row) for t, row in keyed if t.strip()]
    filled.sort(key=lambda pair: pair[0], reverse=reverse)
    return [row for _, row in filled] + [row for t, row in keyed if not t.strip()]


def split_width(wanted: int, room: int, pane_min: int, pane_max: int) -> int:
    """How wide a table is beside a detail pane in ``room`` cells: as wide as its cells
    want while the pane keeps ``pane_min``, and never leaving the pane more than
    ``pane_max``. So a cell is cut only once the pane is down to its least."""
    return max(min(wanted, room - pane_min), room - pane_max, 1)


def _fit(text: str, width: int) -> str:
    """Text padded or cut to exactly ``width`` terminal cells (wide characters take two)."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""


@dataclass(frozen=True)
class _Pass:
    """What every line of one repaint shares."""

    width: int
    base: Style
    widths: list[int]


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
        Binding(
            "greater_than_sign", "sort(1)", "Sort by the next column", show=False, id="table.sort"
        ),
        Binding(
            "less_than_sign",
            "sort(-1)",
            "Sort by the previous column",
            show=False,
            id="table.sort-back",
        ),
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
        beside: tuple[int, int] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # Beside a pane of (least, most) cells: with ``width: auto`` the table is as
        # wide as its cells want while the pane keeps its least (``split_width``).
        self.beside = beside
        self.columns: list[Column] = list(columns)
        self.cell_cursor = cell_cursor
        self.empty_text = empty_text
        self._all_rows: list[Row] = []
        self.rows: list[Row] = []
        # Cell styles resolved against the theme and the table's colours; a theme
        # change restyles the widget, which empties this.
        self._cell_styles: dict[str, Style] = {}
        # What every line of one repaint shares: see render_lines.
        self._pass: _Pass | None = None
        self._in_pass = False
        # Each column's longest cell, for _widths; None until measured.
        self._measured: list[int] | None = None
        self.filter_text = ""
        # The column the rows are sorted by (None: the table's own order), and which way.
        self.sort_column: int | None = None
        self.sort_reverse = False
        # The rows in that order, and the (column, reverse) they were sorted by.
        self._sorted: tuple[tuple[int, bool], list[Row]] | None = None

    # -- data ------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self._measured = None
        self.cursor_column = min(self.cursor_column, max(len(self.columns) - 1, 0))
        if self.sort_column is not None and self.sort_column >= len(self.columns):
            self.sort_column, self.sort_reverse = None, False
        self.refresh()

    def set_rows(self, rows: Sequence[Row], keep_key: bool = True) -> None:
        """Replace the rows, keeping the cursor on the same record where it still shows."""
        key = self.cursor_key if keep_key else None
        self._all_rows = list(rows)
        self._measured = None
        self._sorted = None
        self._apply_filter(key)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._apply_filter(self.cursor_key)

    def _apply_filter(self, key: str | None) -> None:
        needle = fold(self.filter_text)
        ordered = self._all_rows
        if self.sort_column is not None:
            # Sorted once for these rows and this order: each letter of a filter typed
            # then only filters the sorted rows, which keeps their order.
            way = (self.sort_column, self.sort_reverse)
            if self._sorted is None or self._sorted[0] != way:
                self._sorted = (way, sorted_rows(self._all_rows, *way))
            ordered = self._sorted[1]
        self.rows = [r for r in ordered if needle in r.haystack] if needle else ordered
        if self.beside is not None:
            # What the cells want may have changed, and with it the split.
            self.refresh(layout=True)
        self.virtual_size = Size(max(self.size.width, self._table_width()), len(self.rows) + 1)
        index = 0
        if key is not None:
            for i, row in enumerate(self.rows):
                if row.key == key:
                    index = i
                    break
        self.cursor_row = index
        self.refresh()

    def sort_by(self, column: int | None, reverse: bool = False) -> None:
        """Sort the rows by ``column`` (None: the table's own order), the cursor kept on
        its record."""
        if column is not None and not 0 <= column < len(self.columns):
            column = None
        self.sort_column, self.sort_reverse = column, reverse and column is not None
        self._apply_filter(self.cursor_key)

    def action_sort(self, step: int) -> None:
        """`>` / `<`: the next or previous way to sort, each column ascending then
        descending, then the table's own order again."""
        ways: list[tuple[int | None, bool]] = [(None, False)]
        ways += [(i, reverse) for i in range(len(self.columns)) for reverse in (False, True)]
        now = (self.sort_column, self.sort_reverse)
        at = ways.index(now) if now in ways else 0
        self.sort_by(*ways[(at + step) % len(ways)])

    def sort_by_heading(self, column: int) -> None:
        """A click on a heading: sort by it; again, the other way; again, as before."""
        if self.sort_column != column:
            self.sort_by(column)
        elif not self.sort_reverse:
            self.sort_by(column, reverse=True)
        else:
            self.sort_by(None)

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

    def _table_width(self) -> int:
        """The width the columns are laid out in: the widget's own here; a table that
        scrolls sideways lays them out wider (see ``GapBoard``)."""
        return max(self.scrollable_content_region.width, 1)

    def _wants(self) -> list[int]:
        """Each column's widest cell, and room for the arrow in the sorted one's heading."""
        needs = list(self._needs())
        if self.sort_column is not None and self.sort_column < len(needs):
            label = cell_len(self.columns[self.sort_column].label) + 2
            needs[self.sort_column] = max(needs[self.sort_column], label)
        return needs

    def _fixed_widths(self) -> list[int]:
        """Each fixed column's width, no wider than its widest cell (heading included):
        the room a column would leave blank goes to the columns whose text is cut.
        Flexible columns: 0."""
        needs = self._wants()
        return [
            min(c.width, max(needs[i], 1)) if c.width is not None else 0
            for i, c in enumerate(self.columns)
        ]

    def wanted_width(self) -> int:
        """The width that shows every cell whole, scroll bar included: what the table
        asks of a split it shares with a detail pane."""
        needs = self._wants()
        widths = [
            fixed or max(needs[i], self.columns[i].min_width)
            for i, fixed in enumerate(self._fixed_widths())
        ]
        gutter = self.styles.scrollbar_size_vertical
        return sum(widths) + max(len(widths) - 1, 0) + gutter

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """With ``width: auto`` beside a pane: worked out in the layout pass itself, so
        the table and the pane take their widths in the same frame."""
        if self.beside is None:
            return super().get_content_width(container, viewport)
        # The width asked for holds the scroll bar's gutter: Textual takes it from it.
        return split_width(self.wanted_width(), container.width, *self.beside)

    def _widths(self) -> list[int]:
        """Fixed columns keep their width (less what their text leaves blank); flexible
        ones share what is left.

        Each flexible column gets its minimum, then, round by round, a share of the
        rest by ratio until its longest cell fits; what is left once every cell
        fits goes to them by ratio. So a wider table cuts fewer cells, and a short
        column (a venue, a list of mediators) is not cut to widen a long one.
        Below the minimums, they share what there is rather than overflow.
        """
        total = self._table_width()
        room = total - max(len(self.columns) - 1, 0)
        widths = self._fixed_widths()
        fixed = sum(widths)
        flexible = [i for i, c in enumerate(self.columns) if c.width is None]
        left = max(room - fixed, 0)
        if not flexible:
            return widths
        shares = sum(self.columns[i].ratio for i in flexible) or 1
        minimums = sum(self.columns[i].min_width for i in flexible)
        if left < minimums:
            for i in flexible:
                widths[i] = max(left * self.columns[i].ratio // shares, 3)
            return widths
        needs = self._wants()
        for i in flexible:
            widths[i] = self.columns[i].min_width
        spare = left - minimums
        wanting = [i for i in flexible if widths[i] < needs[i]]
        while spare > 0 and wanting:
            weight = sum(self.columns[i].ratio for i in wanting)
            unit = spare // weight
            for i in sorted(wanting, key=lambda i: -self.columns[i].ratio):
                give = min(needs[i] - widths[i], max(unit * self.columns[i].ratio, 1), spare)
                widths[i] += give
                spare -= give
            wanting = [i for i in wanting if widths[i] < needs[i]]
        if spare > 0:
            given = 0
            for i in flexible:
                extra = spare * self.columns[i].ratio // shares
                widths[i] += extra
                given += extra
            # The rounding remainder to the last flexible column.
            widths[flexible[-1]] += spare - given
        return widths

    def _needs(self) -> list[int]:
        """Each column's longest cell, heading included, in terminal cells: measured
        once for each set of rows (all of them, so a filter does not move columns)."""
        if self._measured is None:
            measured = [cell_len(c.label) for c in self.columns]
            for row in self._all_rows:
                for i, cell in enumerate(row.cells[: len(measured)]):
                    text = cell[0] if isinstance(cell, tuple) else cell
                    size = len(text) if text.isascii() else cell_len(text)
                    if size > measured[i]:
                        measured[i] = size
            self._measured = measured
        return self._measured

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
        self.virtual_size = Size(max(self.size.width, self._table_width()), len(self.rows) + 1)
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

    def render_lines(self, crop: Region) -> list[Strip]:
        # The table's style is worked out from its ancestors' on every read, which
        # made it a third of the cost of a line; the column widths likewise. One
        # repaint reads them once.
        self._pass = None
        self._in_pass = True
        try:
            return super().render_lines(crop)
        finally:
            self._pass, self._in_pass = None, False

    def _shared(self) -> _Pass:
        shared = self._pass
        if shared is None:
            shared = _Pass(self._table_width(), self.rich_style, self._widths())
            if self._in_pass:
                self._pass = shared
        return shared

    def render_line(self, y: int) -> Strip:
        width = self._shared().width
        strip = self._line(y, width)
        shown = self.scrollable_content_region.width
        if width <= shown:
            return strip
        left = int(self.scroll_x)
        return strip.crop(left, left + shown)

    def _line(self, y: int, width: int) -> Strip:
        base = self._shared().base
        if y == 0:
            header = self.get_component_rich_style("record-table--header")
            cells = [(self._heading(i), "") for i in range(len(self.columns))]
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

    def _heading(self, column: int) -> str:
        """A column's heading; the sorted one's with its arrow, kept in view when the
        column is too narrow for both."""
        label = self.columns[column].label
        if column != self.sort_column:
            return label
        arrow = DESCENDING if self.sort_reverse else ASCENDING
        widths = self._shared().widths
        width = widths[column] if column < len(widths) else 0
        if cell_len(label) + 2 > width:
            label = _fit(label, max(width - 2, 0)).rstrip()
        return f"{label} {arrow}" if label else arrow

    def _strip(
        self,
        cells: list[tuple[str, str]],
        base: Style,
        width: int,
        highlight: tuple[int, Style] | None = None,
        cursor_row: bool = False,
    ) -> Strip:
        segments = []
        for i, ((text, style), w) in enumerate(zip(cells, self._shared().widths, strict=False)):
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

    def column_at(self, x: int) -> int | None:
        """The column drawn at ``x`` cells from the table's left edge, as scrolled."""
        return self._column_at_offset(x + int(self.scroll_x))

    def _column_at_offset(self, offset: int) -> int | None:
        """The column at ``offset`` cells from the left of the whole table."""
        start = 0
        for i, w in enumerate(self._widths()):
            if start <= offset < start + w + 1:
                return i
            start += w + 1
        return None

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            heading = self.column_at(event.x)
            if heading is not None:
                self.sort_by_heading(heading)
            return
        index = int(self.scroll_y) + event.y - 1
        if not 0 <= index < len(self.rows):
            return
        column = self.cursor_column
        if self.cell_cursor:
            at = self.column_at(event.x)
            column = at if at is not None else column
        again = index == self.cursor_row and column == self.cursor_column
        self.cursor_column = column
        self.cursor_row = index
        if again or event.chain > 1:
            self.action_select()
