"""The main screen: a tab per view, the header with track and date, the footer with keys."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import Header

from store import Kind, Repository
from store.records.commands import Commands
from tui.dialogs.form_result import FormResult
from tui.messages import ShowAsOf
from tui.palette import KeysProvider, RecordsProvider
from tui.screens.capture import write_keys
from tui.screens.desk import DeskScreen
from tui.screens.reading import ReadingScreen
from tui.views.base import TableView, View
from tui.views.tabs import VIEWS, ViewTabs
from tui.widgets.footer import KeyFooter

# Seconds after the dashboard is drawn again before ``on_dialog(False)``.
DIALOG_CLOSED_PAUSE = 0.1


class DashboardScreen(ReadingScreen):
    """The views of one track. It is handed the repository and the commands; the track,
    the date in view and the store's version are bound to the app's."""

    CSS_PATH = "dashboard.tcss"
    COMMANDS = {RecordsProvider, KeysProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        *(
            Binding(
                str(n),
                f"show_view('{view.key}')",
                f"{view.title} view",
                show=False,
                id=f"dashboard.view-{view.key}",
            )
            for n, view in enumerate(VIEWS, start=1)
        ),
        # Ahead of the other keys, so it shows even where a narrow footer cuts the rest.
        Binding("question_mark", "app.help", "Keys", id="help"),
        Binding("slash", "filter", "Filter", id="dashboard.filter"),
        Binding("o", "sources", "Sources of the selection", show=False, id="dashboard.sources"),
        Binding(
            "b", "brief", "Brief to a file and the clipboard", show=False, id="dashboard.brief"
        ),
        *write_keys(
            "dashboard.status",
            "dashboard.position",
            "dashboard.round",
            "dashboard.response",
            "dashboard.event",
            "dashboard.assessment",
            hidden=("dashboard.assessment",),
        ),
        Binding("c", "capture_article", "Paste an article", show=False, id="dashboard.capture"),
        Binding("v", "read", "Read the article", show=False, id="dashboard.read"),
        # The same with every field of the full form; edit, delete, undo, redo.
        *write_keys(
            "dashboard.status-form",
            "dashboard.position-form",
            "dashboard.round-form",
            "dashboard.response-form",
            "dashboard.event-form",
            "dashboard.assessment-form",
            "dashboard.add",
            "dashboard.edit",
            "dashboard.delete",
            "dashboard.undo",
            "dashboard.redo",
            hidden=(
                "dashboard.status-form",
                "dashboard.position-form",
                "dashboard.round-form",
                "dashboard.response-form",
                "dashboard.event-form",
                "dashboard.assessment-form",
                "dashboard.add",
                "dashboard.redo",
            ),
        ),
        Binding("h", "history", "History", id="dashboard.history"),
        Binding("H", "history_all", "All history", show=False, id="dashboard.history-all"),
        Binding("t", "as_of", "As of", id="dashboard.as-of"),
        Binding("y", "copy", "Copy the selection's text", show=False, id="dashboard.copy"),
        Binding(
            "Y",
            "copy_citation",
            "Copy the selection's citation",
            show=False,
            id="dashboard.copy-citation",
        ),
        Binding("f", "find", "Search everything", show=False, id="dashboard.find"),
        Binding("C", "compare", "Compare two dates", show=False, id="dashboard.compare"),
        Binding("escape", "back", "Back", show=False, id="dashboard.back"),
    ]

    def __init__(
        self,
        repo: Repository,
        commands: Commands,
        on_shown: Callable[[], None] | None = None,
        on_views_built: Callable[[], None] | None = None,
        on_dialog: Callable[[bool], None] | None = None,
        visits: Mapping[str, date] | None = None,
    ) -> None:
        """``on_shown`` is called once the dashboard is first on screen; ``on_views_built``
        once every view has been built behind it; ``on_dialog`` with True when a
        dialog opens over it, with False once it is back and drawn; ``visits``, each
        track's latest news when the user last saw it."""
        super().__init__(repo, commands)
        self._on_shown, self._on_views_built = on_shown, on_views_built
        self._on_dialog = on_dialog
        self._dialog_open = False
        self._visits = visits or {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="§")
        yield ViewTabs(
            self.repo, on_views_built=self._on_views_built, visits=self._visits
        ).data_bind(DashboardScreen.track_id, DashboardScreen.as_of, DashboardScreen.version)
        yield KeyFooter(compact=True)

    @property
    def active_view(self) -> View:
        """The view on show; NoMatches while it is still being built."""
        return self.query_one(ViewTabs).active_view

    async def view(self, key: str) -> View:
        """The view with that key, built if it had not been yet."""
        return await self.query_one(ViewTabs).view(key)

    def on_mount(self) -> None:
        if self._on_shown is not None:
            self.call_after_refresh(self._on_shown)

    def on_screen_suspend(self) -> None:
        # The desk over it (T) is no dialog: the collector held off till the dashboard
        # is back would then collect the whole store's garbage at the next key press.
        if self not in self.app.screen_stack or isinstance(self.app.screen, DeskScreen):
            return
        if self._on_dialog is not None and not self._dialog_open:
            self._dialog_open = True
            self._on_dialog(True)

    def on_screen_resume(self) -> None:
        # Told once the result of what the dialog did is on screen, and the frames
        # right after it (the saved notice) have been drawn.
        if self._dialog_open:
            self.call_after_refresh(self.set_timer, DIALOG_CLOSED_PAUSE, self._dialog_closed)

    def _dialog_closed(self) -> None:
        # Another dialog may have opened meanwhile: that one tells when it closes.
        if self._dialog_open and self.is_current and self._on_dialog is not None:
            self._dialog_open = False
            self._on_dialog(False)

    def watch_as_of(self, as_of: date | None) -> None:
        # Looking at the past should be impossible to miss.
        self.query_one(Header).set_class(as_of is not None, "-as-of")

    def action_show_view(self, key: str) -> None:
        self.query_one(ViewTabs).show(key)

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
        if self.as_of is not None:
            self.post_message(ShowAsOf(None))
            self.notify("Back to today.", timeout=3)
            return
        view.focus_main()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Whether an action applies depends on what the view in front can select, not on
        # the row under the cursor: redrawing the footer on cursor moves is costly.
        needs = {
            "set_status": {Kind.ROUND, Kind.POINT},
            "add_position": {Kind.POINT, Kind.POSITION},
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

    def action_as_of(self) -> None:
        if self.as_of is not None:
            self.post_message(ShowAsOf(None))
            self.notify("Back to today.", timeout=3)
            return

        def chosen(result: FormResult | None) -> None:
            if result is not None and result.values.get("date"):
                self.post_message(ShowAsOf(date.fromisoformat(result.values["date"])))

        self.app.push_screen(self.forms().as_of_form(self.as_of), chosen)

    def show_record(self, kind: str, record_id: str) -> None:
        """Show a record in the view that lists it."""
        # Run by the tabs themselves: a view not built yet is built there, and binds to
        # them (a dashboard just built has not built its views yet).
        tabs = self.query_one(ViewTabs)
        tabs.call_later(tabs.show_record, kind, record_id)
