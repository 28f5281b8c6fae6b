"""The dashboard's views, a tab each: built when first shown, or in the background.

The views are handed the repository; the track and date in view and the store's
version are bound to these tabs', which the screen binds to the app's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import TabbedContent, TabPane

from store import Kind, Repository
from tui.views.actors import ActorsView
from tui.views.base import View
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
VIEW_BY_KEY = {view.key: view for view in VIEWS}
# Seconds between building one hidden view and the next, after the first screen.
PRELOAD_PAUSE = 0.05
# The view that lists each kind of record.
VIEW_FOR_KIND: dict[str, str] = {
    Kind.ROUND: "rounds",
    Kind.POINT: "points",
    Kind.POSITION: "timeline",
    Kind.PROPOSAL: "timeline",
    Kind.EVENT: "timeline",
    Kind.ASSESSMENT: "timeline",
    Kind.ACTOR: "actors",
    Kind.PERSON: "actors",
    Kind.SOURCE: "sources",
}


class ViewTabs(Vertical):
    """Every view of one track, a tab each."""

    track_id: reactive[str] = reactive("", init=False)
    as_of: reactive[date | None] = reactive(None, init=False)
    version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        repo: Repository,
        on_views_built: Callable[[], None] | None = None,
        visits: Mapping[str, date] | None = None,
    ) -> None:
        """``on_views_built`` is called once every view has been built; ``visits``
        (each track's latest news when the user last saw it) go to the Overview."""
        super().__init__(id="view-tabs")
        self.repo = repo
        self._on_views_built = on_views_built
        self._visits = visits or {}

    def _new_view(self, view: type[View]) -> View:
        made = view(self.repo)
        if isinstance(made, OverviewView):
            made.visits = self._visits
        return made.data_bind(ViewTabs.track_id, ViewTabs.as_of, ViewTabs.version)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="views"):
            for n, view in enumerate(VIEWS, start=1):
                with TabPane(f"{n} {view.tab_label or view.title}", id=f"tab-{view.key}"):
                    # Only the first view is built now; each other one when first shown,
                    # which keeps start-up short.
                    if n == 1:
                        yield self._new_view(view)

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
        view = self._new_view(VIEW_BY_KEY[key])
        await pane.mount(view)
        return view

    def on_mount(self) -> None:
        self.active_view.refresh_view()
        self.active_view.focus_main()
        self.call_after_refresh(self.set_timer, PRELOAD_PAUSE, self._preload)

    async def _preload(self) -> None:
        """Build the next piece of a view not yet shown, then come back for the next
        after a pause.

        On a large store the first visit to a view costs a tenth of a second or more
        (mounting it, filling its rows, its detail); done while nobody is typing, every
        visit is as quick as a later one. One piece at a time (``View.preload``), so a
        key pressed meanwhile waits for one piece at most. Held while another screen
        (the desk, a dialog) is over the dashboard: no view can be shown from there,
        and that screen's keys would wait on the pieces; ``resume_preload`` goes on.
        """
        # Not is_current, which holds for the screen beneath the top one too.
        if not self.screen.is_active:
            self._preload_held = True
            return
        for view_class in VIEWS:
            pane = self.query_one(f"#tab-{view_class.key}", TabPane)
            found = pane.query(View)
            if not found:
                view = await self.view(view_class.key)
                # The app may have begun to exit while the view mounted: its
                # children are then gone, and there is nothing left to build for.
                if not view.is_attached:
                    return
            else:
                view = found.first()
                try:
                    if not view.preload():
                        continue
                except NoMatches:
                    return
            self.set_timer(PRELOAD_PAUSE, self._preload)
            return
        if self._on_views_built is not None:
            self._on_views_built()
            self._on_views_built = None

    # Set when the preload stopped for a screen over the dashboard.
    _preload_held = False

    def resume_preload(self) -> None:
        """The dashboard is in front again: go on building the views not yet built."""
        if self._preload_held:
            self._preload_held = False
            # Once the dashboard is drawn: its keys come first.
            self.call_after_refresh(self.set_timer, PRELOAD_PAUSE, self._preload)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = await self.view((event.pane.id or "").removeprefix("tab-"))
        view.refresh_view()
        view.focus_main()
        self.screen.refresh_bindings()

    def show(self, key: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{key}"

    async def show_record(self, kind: str, record_id: str) -> None:
        """Show a record in the view that lists it, the cursor on it."""
        key = VIEW_FOR_KIND.get(kind)
        if key is None:
            return
        self.show(key)
        view = await self.view(key)
        view.refresh_view()
        # The tab switch lands after this; place the cursor once it has.
        self.call_after_refresh(view.show_record, kind, record_id)
