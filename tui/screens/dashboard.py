"""The main screen: a tab per view, the header with track and date, the footer with keys."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, TabbedContent, TabPane

from store import Position, Proposal, Record, Round, StickingPoint, StoreError
from tui.forms import KIND_NAMES, Forms
from tui.screens.choice import ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import FormResult
from tui.screens.history import HistoryScreen
from tui.views.actors import ActorsView
from tui.views.base import TableView, View
from tui.views.overview import OverviewView
from tui.views.points import PointsView
from tui.views.positions import PositionsView
from tui.views.rounds import RoundsView
from tui.views.sources import SourcesView
from tui.views.timeline import TimelineView
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import ParleyApp

VIEWS: tuple[type[View], ...] = (
    OverviewView,
    RoundsView,
    PointsView,
    PositionsView,
    ActorsView,
    TimelineView,
    SourcesView,
)
VIEW_BY_KEY = {view.key: view for view in VIEWS}
# Seconds between building one hidden view and the next, after the first screen.
PRELOAD_PAUSE = 0.05
# Where the palette sends each kind of record.
VIEW_FOR_KIND = {
    "round": "rounds",
    "point": "points",
    "position": "timeline",
    "proposal": "timeline",
    "event": "timeline",
    "assessment": "timeline",
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
            Binding(str(n), f"show_view('{view.key}')", f"{view.title} view", show=False)
            for n, view in enumerate(VIEWS, start=1)
        ),
        # Ahead of the other keys, so it shows even where a narrow footer cuts the rest.
        Binding("question_mark", "app.help", "Keys"),
        Binding("slash", "filter", "Filter"),
        Binding("o", "sources", "Sources of the selection", show=False),
        Binding("s", "set_status", "Status"),
        Binding("p", "add_position", "Position"),
        Binding("r", "add('round')", "Round"),
        Binding("a", "respond", "Response"),
        Binding("n", "add('event')", "Event"),
        Binding("plus", "add_any", "Add…", show=False),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("h", "history", "History"),
        Binding("H", "history_all", "All history", show=False),
        Binding("t", "as_of", "As of"),
        Binding("escape", "back", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="§")
        with TabbedContent(id="views"):
            for n, view in enumerate(VIEWS, start=1):
                with TabPane(f"{n} {view.tab_label or view.title}", id=f"tab-{view.key}"):
                    # Only the first view is built now; each other one when first shown,
                    # which keeps start-up short.
                    if n == 1:
                        yield view()
        yield KeyFooter(compact=True)

    @property
    def active_view(self) -> View:
        """The view on show; NoMatches while it is still being built."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            raise NoMatches("no view is active")
        return pane.query_one(View)

    async def view(self, key: str) -> View:
        """The view with that key, built and mounted if it had not been yet."""
        pane = self.query_one(f"#tab-{key}", TabPane)
        found = pane.query(View)
        if found:
            return found.first()
        view = VIEW_BY_KEY[key]()
        await pane.mount(view)
        return view

    def on_mount(self) -> None:
        self.active_view.refresh_view()
        self.active_view.focus_main()
        self.watch(self.app, "as_of", self._mark_as_of)
        self.call_after_refresh(self.set_timer, PRELOAD_PAUSE, self._preload)

    async def _preload(self) -> None:
        """Build one view not yet shown, then come back for the next after a pause.

        On a large store the first visit to a view costs a tenth of a second or more
        (mounting it, building its records); done while nobody is typing, every visit
        is as quick as a later one. One view at a time, so a key pressed meanwhile
        waits for one view at most.
        """
        for view_class in VIEWS:
            pane = self.query_one(f"#tab-{view_class.key}", TabPane)
            if not pane.query(View):
                view = await self.view(view_class.key)
                view.refresh_view()
                self.set_timer(PRELOAD_PAUSE, self._preload)
                return
        self.parley.views_built()

    def _mark_as_of(self) -> None:
        # Looking at the past should be impossible to miss.
        self.query_one(Header).set_class(self.parley.as_of is not None, "-as-of")

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = await self.view((event.pane.id or "").removeprefix("tab-"))
        view.refresh_view()
        view.focus_main()
        self.refresh_bindings()

    def action_show_view(self, key: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{key}"

    def action_filter(self) -> None:
        try:
            view = self.active_view
        except NoMatches:
            return
        if isinstance(view, TableView):
            view.start_filter()
        else:
            self.notify("This view has nothing to filter; try Rounds or Timeline.", timeout=3)

    def action_back(self) -> None:
        try:
            view = self.active_view
        except NoMatches:
            return
        if isinstance(view, TableView) and view.clear_filter():
            return
        if self.parley.as_of is not None:
            self.parley.as_of = None
            self.notify("Back to today.", timeout=3)
            return
        view.focus_main()

    def action_sources(self) -> None:
        from tui.screens.record_sources import RecordSourcesScreen

        try:
            record = self.active_view.selected()
        except NoMatches:
            return
        if record is None:
            self.notify("Select a record first.", severity="warning", timeout=3)
            return
        self.app.push_screen(RecordSourcesScreen(record))

    # -- quick actions ---------------------------------------------------------

    @property
    def parley(self) -> ParleyApp:
        return cast("ParleyApp", self.app)

    def forms(self) -> Forms:
        app = self.parley
        return Forms(app.repo, app.track_id, app.today())

    def selected(self) -> Record | None:
        """The selected record as stored now (views may show it as of a past date)."""
        try:
            record = self.active_view.selected()
        except NoMatches:
            return None
        if record is None or not self.parley.repo.exists(record.kind, record.id):
            return None
        return self.parley.repo.get(record.kind, record.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Whether an action applies depends on what the view in front can select, not on
        # the row under the cursor: redrawing the footer on cursor moves is costly.
        needs = {
            "set_status": {"round", "point"},
            "add_position": {"point", "position"},
            "edit": None,
            "delete": None,
            "history": None,
        }
        if action not in needs or not self.is_mounted:
            return True
        try:
            selects = set(self.active_view.selects)
        except NoMatches:
            return True
        wanted = needs[action]
        return bool(selects & wanted) if wanted is not None else bool(selects)

    def _saved(self, result: FormResult | None) -> None:
        if result is None or result.record is None:
            return
        record = result.record
        self.notify(f"Saved {record.kind}: {record.label}", timeout=3)
        if record.kind == "track" and record.id != self.parley.track_id:
            # A new track has nothing in it yet; it is shown so that it can be filled in.
            self.parley.track_id = record.id
        # Stay in the view the form was opened from; show the record there if it lists it.
        self.call_after_refresh(self._select_saved, record.kind, record.id)

    def _select_saved(self, kind: str, record_id: str) -> None:
        with contextlib.suppress(NoMatches):
            self.active_view.show_record(kind, record_id)

    def action_add(self, kind: str) -> None:
        self.app.push_screen(self.forms().record_form(kind), self._saved)

    def action_add_any(self) -> None:
        def chosen(kind: str | None) -> None:
            if kind:
                self.action_add(kind)

        self.app.push_screen(
            ChoiceScreen("Add a record", [(k, v) for k, v in KIND_NAMES.items()]), chosen
        )

    def action_add_position(self) -> None:
        record = self.selected()
        preset: dict[str, str] = {}
        if isinstance(record, StickingPoint):
            preset["point_id"] = record.id
        elif isinstance(record, Position):
            preset.update(point_id=record.point_id, actor_id=record.actor_id)
        self.app.push_screen(self.forms().record_form("position", preset=preset), self._saved)

    def action_set_status(self) -> None:
        record = self.selected()
        if isinstance(record, Round | StickingPoint):
            self.app.push_screen(self.forms().status_form(record), self._saved)
        else:
            self.notify("Select a round or a sticking point first.", severity="warning")

    def action_respond(self) -> None:
        record = self.selected()
        proposal = record if isinstance(record, Proposal) else None
        if proposal is None:
            proposals = self.parley.repo.proposals(self.parley.track_id)
            if not proposals:
                self.notify("This track has no proposal to respond to.", severity="warning")
                return
            pending = [p for p in proposals if any(r.status == "pending" for r in p.responses)]
            proposal = (pending or proposals)[-1]
        self.app.push_screen(self.forms().response_form(proposal), self._saved)

    def action_edit(self) -> None:
        record = self.selected()
        if record is None:
            self.notify("Select a record first.", severity="warning")
        else:
            self.app.push_screen(self.forms().record_form(record.kind, record), self._saved)

    def action_delete(self) -> None:
        record = self.selected()
        if record is None:
            return
        repo = self.parley.repo
        users = repo.referrers(record.kind, record.id)
        if users:
            names = ", ".join(f"{r.kind} {r.label!r}" for r in users[:3])
            more = f" and {len(users) - 3} more" if len(users) > 3 else ""
            self.notify(
                f"Cannot delete {record.kind} {record.label!r}: {names}{more} refer to it. "
                "Nothing was deleted.",
                severity="error",
                timeout=8,
            )
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                repo.delete(record.kind, record.id)
            except StoreError as exc:
                self.notify(f"{exc}. Nothing was deleted.", severity="error", timeout=8)
                return
            self.parley.store_changed()
            self.notify(f"Deleted {record.kind} {record.label!r}. u undoes it.", timeout=5)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete {record.kind}?", f"Delete {record.kind} {record.label!r}? u undoes it."
            ),
            answered,
        )

    def action_undo(self) -> None:
        try:
            change = self.parley.repo.undo()
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        if change is None:
            self.notify("Nothing to undo.", timeout=3)
            return
        self.parley.store_changed()
        self.notify(change.summary.replace("undid:", "Undid:", 1), timeout=5)

    def action_history(self) -> None:
        record = self.selected()
        if record is not None:
            self.app.push_screen(HistoryScreen(record.kind, record.id))

    def action_history_all(self) -> None:
        self.app.push_screen(HistoryScreen())

    def action_as_of(self) -> None:
        app = self.parley
        if app.as_of is not None:
            app.as_of = None
            self.notify("Back to today.", timeout=3)
            return

        def chosen(result: FormResult | None) -> None:
            if result is not None and result.values.get("date"):
                app.as_of = date.fromisoformat(result.values["date"])

        self.app.push_screen(self.forms().as_of_form(app.as_of), chosen)

    async def on_open_record(self, message: OpenRecord) -> None:
        key = VIEW_FOR_KIND.get(message.kind)
        if key is None:
            return
        self.action_show_view(key)
        view = await self.view(key)
        view.refresh_view()
        # The tab switch lands after this handler; place the cursor once it has.
        self.call_after_refresh(view.show_record, message.kind, message.record_id)
