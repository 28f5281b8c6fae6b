"""The desk: every track on one screen, a line each (``store.reading.desk``); Enter opens one.

Parley opens on it when the store holds more than one track (the ``start`` setting
chooses), and ``T`` brings it back over the dashboard. It lists like every other
list: ``/`` filters, the cursor's track is read beside the table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header

from store import Kind, Record, Repository, Round
from store.reading.desk import BETTER, TREND_WORDS, UNCHANGED, WORSE, DeskRow, desk
from store.reading.words import day, long_day, span
from tui.format import ERROR, MUTED, SUCCESS, heading
from tui.messages import LeaveDesk, ShowTrack
from tui.text import line, literal
from tui.views.base import TableView
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Cell, Column, RecordTable, Row

ARROW: dict[str, Cell] = {
    BETTER: (TREND_WORDS[BETTER], f"bold {SUCCESS}"),
    WORSE: (TREND_WORDS[WORSE], f"bold {ERROR}"),
}
UNCHANGED_CELL: Cell = (TREND_WORDS[UNCHANGED], MUTED)


def round_words(rnd: Round | None) -> str:
    return f"{rnd.title}  {span(rnd.start, rnd.end)}" if rnd is not None else "—"


# Below this many columns the desk keeps the columns a line needs to be told apart
# (trend, track, latest news, points, latest round), each wide enough to read; the
# why, the changes and the next round are in the detail below the table.
NARROW_BELOW = 110
# The cells of a row the narrow layout keeps, by their place in the wide one.
NARROW_CELLS = (0, 1, 3, 4, 5, 7)


class DeskView(TableView):
    """The tracks as a table; it needs no track in view, only the store."""

    title = "Desk"
    key = "desk"
    kinds = (Kind.TRACK,)
    columns = (
        Column("Trend", width=9),
        Column("Track", min_width=18, ratio=2),
        Column("Why", min_width=24, ratio=5),
        Column("Latest news", width=11),
        Column("Open", width=4),
        Column("Dead", width=4),
        Column("Changes", width=7),
        Column("Latest round", min_width=12, ratio=1),
        Column("Next round", min_width=10, ratio=1),
    )
    narrow_columns = (
        Column("Trend", width=8),
        Column("Track", min_width=16, ratio=3),
        Column("Latest news", width=11),
        Column("Open", width=4),
        Column("Dead", width=4),
        Column("Latest round", min_width=12, ratio=2),
    )

    _rows: dict[str, DeskRow] = {}
    narrow = False

    def __init__(self, repo: Repository, kept: list[DeskRow] | None = None) -> None:
        """``kept``: the lines to show until ``repo`` is read (``kept_desk``)."""
        super().__init__(repo)
        self._kept = kept

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_BELOW
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.table.set_columns(self.narrow_columns if narrow else self.columns)
        if not self._stale:
            self.show_rows()

    @property
    def is_active(self) -> bool:
        # Kept built behind the dashboard: a write there is read here when the desk
        # is next in front, not on every save.
        return self.screen.is_current

    def refresh_view(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()

    def rows(self) -> list[Row]:
        if self._kept is not None and not self.repo.is_open:
            found = self._kept
        else:
            found, self._kept = desk(self.repo, self.as_of), None
        self._rows = {r.track.id: r for r in found}
        rows = []
        for r in found:
            cells: tuple[Cell, ...] = (
                ARROW.get(r.trend, UNCHANGED_CELL),
                r.track.title,
                r.why,
                long_day(r.latest_news),
                str(r.open_points),
                (str(r.deadlocked), f"bold {ERROR}") if r.deadlocked else "0",
                str(r.changes),
                r.latest_round.title if r.latest_round else "—",
                r.next_round.title if r.next_round else "—",
            )
            # The latest news sorts by its ISO day, not its words.
            sort: tuple[str, ...] = ("", "", "", day(r.latest_news, ""))
            if self.narrow:
                cells = tuple(cells[i] for i in NARROW_CELLS)
                sort = ("", "", sort[3])
            rows.append(Row(r.track.id, cells, sort=sort))
        return rows

    def record_for(self, key: str) -> Record | None:
        row = self._rows.get(key)
        return row.track if row else None

    def detail(self, key: str) -> Content:
        row = self._rows.get(key)
        if row is None:
            return Content("")
        start, end = row.window
        track = row.track
        return Content("\n").join(
            [
                heading(track.title),
                line(ARROW.get(row.trend, UNCHANGED_CELL), "  ", (row.why, MUTED)),
                line(("Latest news   ", "bold"), long_day(row.latest_news)),
                line(
                    ("Window        ", "bold"),
                    f"{long_day(start)} – {long_day(end)}: {row.changes} changes",
                ),
                line(
                    ("Points        ", "bold"),
                    f"{row.open_points} open, {row.deadlocked} deadlocked",
                ),
                line(("Latest round  ", "bold"), round_words(row.latest_round)),
                line(("Next round    ", "bold"), round_words(row.next_round)),
                line(("Region        ", "bold"), track.region or "—"),
                line(("Actors        ", "bold"), row.parties),
                literal(track.description or "—"),
            ]
        )

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        # Enter opens the track, not the detail dialog the other lists open.
        event.prevent_default()
        event.stop()
        self.post_message(ShowTrack(event.key))


class DeskScreen(Screen[None]):
    """The desk, full screen. It is handed the repository; the date in view and the
    store's version are bound to the app's."""

    CSS_PATH = ["dashboard.tcss", "desk.tcss"]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="help"),
        Binding("slash", "filter", "Filter", id="desk.filter"),
        Binding("escape", "back", "Back", id="desk.back"),
    ]

    # The track in view: the cursor is on it whenever the desk comes back.
    track_id: reactive[str] = reactive("", init=False)
    as_of: reactive[date | None] = reactive(None, init=False)
    version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        repo: Repository,
        track_id: str = "",
        on_shown: Callable[[], None] | None = None,
        kept: list[DeskRow] | None = None,
    ) -> None:
        """``track_id``: the track in view, which the cursor starts on; ``on_shown`` is
        called once the desk is first on screen; ``kept``: the lines to show until
        ``repo`` is read."""
        super().__init__()
        self.repo, self._on_shown, self._kept = repo, on_shown, kept
        self.set_reactive(DeskScreen.track_id, track_id)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="§")
        yield DeskView(self.repo, self._kept).data_bind(DeskScreen.as_of, DeskScreen.version)
        yield KeyFooter(compact=True)

    @property
    def desk_view(self) -> DeskView:
        return self.query_one(DeskView)

    def on_mount(self) -> None:
        self.sub_title = "every track"
        self.desk_view.refresh_view()
        self.desk_view.focus_main()
        if self.track_id:
            self.desk_view.table.move_to_key(self.track_id)
        if self._on_shown is not None:
            self.call_after_refresh(self._on_shown)

    def on_screen_resume(self) -> None:
        # Back on the desk (T): what changed meanwhile read, the cursor on the track
        # that was in view.
        if not self.is_mounted:
            return
        self.desk_view.refresh_view()
        if self.track_id:
            self.desk_view.table.move_to_key(self.track_id)

    def action_filter(self) -> None:
        self.desk_view.start_filter()

    def action_back(self) -> None:
        if self.desk_view.clear_filter():
            return
        # Back to the track in view (at start, the first).
        self.post_message(LeaveDesk())
