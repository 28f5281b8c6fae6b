"""The main screen: a tab per view, the header with track and date, the footer with keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from tui.views.actors import ActorsView
from tui.views.base import TableView, View
from tui.views.overview import OverviewView
from tui.views.points import PointsView
from tui.views.positions import PositionsView
from tui.views.rounds import RoundsView
from tui.views.sources import SourcesView
from tui.views.timeline import TimelineView

VIEWS: tuple[type[View], ...] = (
    OverviewView,
    RoundsView,
    PointsView,
    PositionsView,
    ActorsView,
    TimelineView,
    SourcesView,
)
# Where the palette sends each kind of record.
VIEW_FOR_KIND = {
    "round": "rounds",
    "point": "points",
    "position": "timeline",
    "proposal": "timeline",
    "event": "timeline",
    "actor": "actors",
    "person": "actors",
    "source": "sources",
}


class OpenRecord(Message):
    """Show a record in the view that lists it."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__()
        self.kind, self.record_id = kind, record_id


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        *(
            Binding(str(n), f"show_view('{view.key}')", view.title, show=False)
            for n, view in enumerate(VIEWS, start=1)
        ),
        Binding("slash", "filter", "Filter"),
        Binding("o", "sources", "Sources"),
        Binding("escape", "back", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="§")
        with TabbedContent(id="views"):
            for n, view in enumerate(VIEWS, start=1):
                with TabPane(f"{n} {view.title}", id=f"tab-{view.key}"):
                    yield view()
        yield Footer()

    @property
    def active_view(self) -> View:
        pane = self.query_one(TabbedContent).active_pane
        assert pane is not None
        return pane.query_one(View)

    def view(self, key: str) -> View:
        return self.query_one(f"#view-{key}", View)

    def on_mount(self) -> None:
        self.active_view.refresh_view()
        self.active_view.focus_main()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = event.pane.query_one(View)
        view.refresh_view()
        view.focus_main()

    def action_show_view(self, key: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{key}"

    def action_filter(self) -> None:
        view = self.active_view
        if isinstance(view, TableView):
            view.start_filter()
        else:
            self.notify("This view has nothing to filter; try Rounds or Timeline.", timeout=3)

    def action_back(self) -> None:
        view = self.active_view
        if isinstance(view, TableView) and view.clear_filter():
            return
        view.focus_main()

    def action_sources(self) -> None:
        from tui.screens.record_sources import RecordSourcesScreen

        record = self.active_view.selected()
        if record is None:
            self.notify("Select a record first.", severity="warning", timeout=3)
            return
        self.app.push_screen(RecordSourcesScreen(record))

    def on_open_record(self, message: OpenRecord) -> None:
        key = VIEW_FOR_KIND.get(message.kind)
        if key is None:
            return
        self.action_show_view(key)
        view = self.view(key)
        view.refresh_view()
        # The tab switch lands after this handler; place the cursor once it has.
        self.call_after_refresh(view.show_record, message.kind, message.record_id)
