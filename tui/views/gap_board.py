"""The gap board: each sticking point against each actor's latest stance, by firmness.

The Overview shows it for the parties; the Positions view for every actor who
stated a position. Both are this one table, so a cell reads and selects the same
in either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.cells import cell_len
from textual.containers import ScrollableContainer
from textual.strip import Strip

from store import Kind, Position, Record, Repository, StickingPoint
from store.reading.trends import Convergence, Step
from tui.dialogs.position_history import PositionHistoryScreen
from tui.format import FIRMNESS_STYLE, name_of, point_status, status_width
from tui.trends import gap_text, strip
from tui.views.base import View
from tui.widgets.record_table import Cell, Column, RecordTable, Row

NO_POSITION: Cell = ("no stated position", "dim italic")
# Where an actor has stated nothing on any point: one mark, so that its column takes
# little of the room that the stances need.
SILENT: Cell = ("—", "dim")
# Leads a cell or a point's title that changed in the window the Overview reads.
CHANGED = "• "


def gap_cell(position: Position | None, trend: str = "") -> Cell:
    """One actor's latest stance on one point: its firmness over time as a strip of
    blocks (``trend``), its latest firmness, then its gist."""
    if position is None:
        return NO_POSITION
    words = position.gist or position.stance
    lead = f"{trend} " if trend else ""
    return (f"{lead}{position.firmness.value}: {words}", FIRMNESS_STYLE[position.firmness])


class GapBoard(RecordTable):
    """Sticking points down, actors across; the cursor is on a cell.

    With ``fit_text``, each column is as wide as its text needs while the room
    lasts; when it runs out, the widest give way first, down to their minimum. With
    ``scroll_sideways``, below the minimums the board scrolls sideways, the point's
    title kept in view, rather than cut every cell short.
    """

    # Sideways, no gutter is kept for a vertical scroll bar: with one kept and only
    # the horizontal bar shown, Textual sizes that bar's thumb for the gutter in one
    # pass and without it in another, and which came last showed (Textual 8.2).
    DEFAULT_CSS = """
    GapBoard.-sideways {
        overflow-x: auto;
        scrollbar-gutter: auto;
    }
    """

    # The point's title and its status stand before the actors' columns; the gap
    # reading too, where the board shows trends.
    LEADING = 2

    def __init__(
        self,
        *,
        point_width: int,
        actor_width: int,
        id: str,
        fit_text: bool = False,
        scroll_sideways: bool = False,
        pages_scroll: bool = False,
    ) -> None:
        """``pages_scroll``: the board stands whole on a page that scrolls (the
        Overview), and PgUp / PgDn scroll that page rather than move the cursor."""
        super().__init__(cell_cursor=True, empty_text="No sticking points.", id=id)
        self.pages_scroll = pages_scroll
        self.point_width = point_width
        self.actor_width = actor_width
        self.actors: list[str] = []
        self.leading = self.LEADING
        self.fit_text, self.scroll_sideways = fit_text, scroll_sideways
        self.set_class(scroll_sideways, "-sideways")
        # Each column's widest text, header included, as last filled.
        self._natural: list[int] = []
        self._laid_out: tuple[int, list[int]] | None = None

    def show(
        self,
        repo: Repository,
        points: Sequence[StickingPoint],
        actors: Sequence[str],
        latest: dict[tuple[str, str], Position],
        *,
        history: dict[tuple[str, str], list[Step]] | None = None,
        readings: dict[str, Convergence] | None = None,
        as_of: date | None = None,
        marked: frozenset[tuple[str, str | None]] = frozenset(),
    ) -> None:
        """Fill the board: one row a point, one column an actor, from ``latest`` positions;
        with ``history``, each cell leads with its firmness over time; with ``readings``,
        a column gives each point's gap between the parties; ``as_of``, the day the
        statuses are read on; ``marked``, the (point, actor) cells that changed lately
        (actor None: the point's own status), which lead with a mark."""
        self.actors = list(actors)
        leading = [
            # The stances take the room before the point's title does.
            Column("Sticking point", min_width=self.point_width, ratio=1),
            Column("Status", width=status_width(list(points), as_of)),
        ]
        if readings is not None:
            leading.append(Column("Gap", width=7))
        self.leading = len(leading)
        spoke = {a for _, a in latest}
        silent = {a for a in self.actors if a not in spoke} if self.fit_text else set()
        self.set_columns(
            leading
            + [
                Column(
                    name := name_of(repo, Kind.ACTOR, a),
                    min_width=cell_len(name) if a in silent else self.actor_width,
                    ratio=2,
                )
                for a in self.actors
            ]
        )
        rows = []
        for point in points:
            title = f"{CHANGED}{point.title}" if (point.id, None) in marked else point.title
            cells: list[Cell] = [title, point_status(point, as_of)]
            if readings is not None:
                cells.append(gap_text(readings.get(point.id)))
            for a in self.actors:
                if a in silent:
                    cells.append(SILENT)
                    continue
                trend = strip(history.get((point.id, a), [])) if history is not None else ""
                cell = gap_cell(latest.get((point.id, a)), trend)
                if (point.id, a) in marked:
                    cell = (f"{CHANGED}{cell[0]}", cell[1])
                cells.append(cell)
            rows.append(Row(point.id, tuple(cells)))
        self._natural = [cell_len(c.label) for c in self.columns]
        for row in rows:
            for i, cell in enumerate(row.cells):
                text = cell[0] if isinstance(cell, tuple) else cell
                self._natural[i] = max(self._natural[i], cell_len(text))
        self._laid_out = None
        self.set_rows(rows)

    # -- geometry: the room goes where the text is ----------------------------------

    def _gaps(self) -> int:
        return max(len(self.columns) - 1, 0)

    def _table_width(self) -> int:
        shown = max(self.scrollable_content_region.width, 1)
        if not self.scroll_sideways:
            return shown
        least = sum(c.width if c.width is not None else c.min_width for c in self.columns)
        return max(shown, least + self._gaps())

    def _widths(self) -> list[int]:
        if not self.fit_text or len(self._natural) != len(self.columns):
            return super()._widths()
        total = self._table_width()
        if self._laid_out is not None and self._laid_out[0] == total:
            return self._laid_out[1]
        room = total - self._gaps()
        flexible = [i for i, c in enumerate(self.columns) if c.width is None]
        left = room - sum(c.width or 0 for c in self.columns)
        need = {i: max(self._natural[i], self.columns[i].min_width) for i in flexible}
        least = {i: self.columns[i].min_width for i in flexible}
        if sum(least.values()) > left:
            return super()._widths()
        # The largest cap that fits: each column gets what it needs, up to the cap,
        # never below its minimum.
        low, high = 0, max(need.values(), default=0)
        while low < high:
            cap = (low + high + 1) // 2
            if sum(max(min(need[i], cap), least[i]) for i in flexible) <= left:
                low = cap
            else:
                high = cap - 1
        given = {i: max(min(need[i], low), least[i]) for i in flexible}
        spare = left - sum(given.values())
        # What is left: one more cell each to the columns still cut, then, once every
        # text fits, to the point's title, which wraps least gracefully.
        for i in flexible:
            if spare and given[i] < need[i]:
                given[i] += 1
                spare -= 1
        if spare and flexible:
            given[flexible[0]] += spare
        widths = [c.width if c.width is not None else given[i] for i, c in enumerate(self.columns)]
        self._laid_out = (total, widths)
        return widths

    def _frozen(self) -> int:
        """Cells at the left that stay put when the board scrolls sideways: the point's
        title and the space after it, so that each row still says what it is about."""
        widths = self._widths()
        return widths[0] + 1 if widths else 0

    def render_line(self, y: int) -> Strip:
        width = self._table_width()
        shown = self.scrollable_content_region.width
        line = self._line(y, width)
        if width <= shown:
            return line
        frozen = min(self._frozen(), shown)
        left = frozen + int(self.scroll_x)
        return Strip.join([line.crop(0, frozen), line.crop(left, left + shown - frozen)])

    def column_at(self, x: int) -> int | None:
        """Scrolled sideways, the title stays at the left and the rest moves under it."""
        frozen = self._frozen()
        if x < frozen or self._table_width() <= self.scrollable_content_region.width:
            return self._column_at_offset(x)
        return self._column_at_offset(x + int(self.scroll_x))

    def watch_cursor_column(self) -> None:
        super().watch_cursor_column()
        # Sideways, the cursor's cell comes into view whole, beside the frozen title.
        shown = self.scrollable_content_region.width
        if self.cursor_column == 0 or self._table_width() <= shown:
            return
        widths = self._widths()
        start = sum(w + 1 for w in widths[: self.cursor_column])
        end = start + widths[self.cursor_column]
        left = int(self.scroll_x)
        if start - self._frozen() < left:
            self.scroll_to(x=start - self._frozen(), animate=False, immediate=True)
        elif end > left + shown:
            self.scroll_to(x=end - shown, animate=False, immediate=True)

    def action_page_down(self) -> None:
        if self.pages_scroll and isinstance(self.parent, ScrollableContainer):
            self.parent.scroll_page_down(animate=False)
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.pages_scroll and isinstance(self.parent, ScrollableContainer):
            self.parent.scroll_page_up(animate=False)
        else:
            super().action_page_up()

    def actor_at(self, column: int) -> str | None:
        """The actor whose column ``column`` is; None on the point's own columns."""
        index = column - self.leading
        return self.actors[index] if 0 <= index < len(self.actors) else None

    def selected_record(self, repo: Repository, track_id: str, as_of: date | None) -> Record | None:
        """The position under the cursor; the point itself where its actor stated none."""
        key = self.cursor_key
        # The board may not have taken in yet that its point is gone (undone, deleted).
        if key is None or not repo.exists(Kind.POINT, key):
            return None
        actor = self.actor_at(self.cursor_column)
        if actor is not None:
            found = repo.latest_positions(track_id, as_of).get((key, actor))
            if found is not None:
                return found
        return repo.get(Kind.POINT, key)


class GapBoardView(View):
    """A view built round one gap board: its cursor selects, Enter opens the history."""

    @property
    def board(self) -> GapBoard:
        return self.query_one(GapBoard)

    def selected(self) -> Record | None:
        return self.board.selected_record(self.repo, self.track_id, self.as_of)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        actor = self.board.actor_at(event.column)
        self.app.push_screen(PositionHistoryScreen(self.repo, event.key, actor, self.as_of))

    def focus_main(self) -> None:
        self.board.focus()
