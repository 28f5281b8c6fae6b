"""The Parley app: the store, the track and date in view, and the keys that work everywhere.

The app owns what is in view (the track, the "as of" date) and the store's version,
and hands them down: its screen binds them, and the views bind the screen's. Screens
ask for a change of view with messages; writes go through the store's commands, and
the repository's change notice bumps the version, which redraws every view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.actions import SkipAction
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette
from textual.driver import Driver
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.widgets import Input, TextArea
from textual.worker import get_current_worker

import tui.compat  # noqa: F401  (patches Textual before any widget renders)
from store import Kind, Record, Repository, StoreError, Track, track_of
from store.reading.compare import last_day
from store.reading.words import long_day
from store.records.commands import Commands
from store.sync import SyncRepo, SyncReport, SyncRound, when
from tui import failures
from tui.compat import hangup
from tui.config import Config
from tui.dialogs.dialog import Palette
from tui.messages import LeaveDesk, OpenRecord, ShowAsOf, ShowTrack
from tui.screens.desk import DeskScreen
from tui.text import plain, reveal
from tui.trends import use_web_glyphs

if TYPE_CHECKING:
    from store.reading.kept_desk import KeptDesk

    # Imported when first built (``_dashboard_screen``): opened on the desk, Parley
    # reads the dashboard's modules (and the forms, the help, ...: a tenth of a
    # second) once the desk is up.
    from tui.screens.dashboard import DashboardScreen

POLL_SECONDS = 1.0
# Seconds after the desk is first drawn before the dashboard's code is read.
DASHBOARD_IMPORT_PAUSE = 0.05
# Seconds after a kept desk is first drawn before the store is read: the frame is written
# out by Textual's writer thread, which reading a large store would hold up.
READ_PAUSE = 0.05


def _import_dashboard() -> None:
    import tui.screens.dashboard  # noqa: F401


class ParleyApp(App[None]):
    """A dashboard of negotiation tracks over one store."""

    TITLE = "Parley"
    CSS_PATH = "app.tcss"
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("T", "show_desk", "Desk", id="switch-track"),
        Binding("ctrl+p", "command_palette", "Find", show=False, id="find"),
        Binding("ctrl+g", "sync", "Sync with the desk (git)", show=False, id="sync"),
        Binding("X", "conflicts", "Sync conflicts", show=False, id="sync-conflicts"),
        # In any line of text or text area: select it all (Textual's ctrl+a goes home).
        Binding("ctrl+a", "select_all", "Select all", show=False, priority=True, id="select-all"),
    ]

    track_id: reactive[str] = reactive("")
    as_of: reactive[date | None] = reactive(None)
    # Bumped whenever the store changes, here or in another process.
    version: reactive[int] = reactive(0)
    # True: a failure inside a screen or widget ends the app as Textual would (tests,
    # which then fail on it); False: it is reported and the app goes on.
    raise_failures = False

    def __init__(
        self,
        repo: Repository,
        *,
        track_id: str | None = None,
        poll: bool = True,
        on_shown: Callable[[], None] | None = None,
        on_views_built: Callable[[], None] | None = None,
        config: Config | None = None,
        on_theme: Callable[[str], None] | None = None,
        notices: Sequence[str] = (),
        on_dialog: Callable[[bool], None] | None = None,
        on_visit: Callable[[str, date], None] | None = None,
        kept: KeptDesk | None = None,
    ) -> None:
        """``on_shown`` is called once, when the dashboard is first on screen;
        ``on_views_built`` once every view has been built behind it. ``config`` gives
        the theme and the keymap, ``on_theme`` is told of each change of theme (the
        palette's "Theme"), and ``notices`` are shown once the app is up. ``on_visit``
        is told of each track shown and the latest news on it then, for the next
        session's "since my last visit". ``kept``: the desk the last session left, drawn
        first when ``repo`` is not read yet (``defer``); the store is read right after."""
        super().__init__()
        self._config = config or Config()
        self._on_theme = on_theme
        self._notices = notices
        self.repo = repo
        self._kept = kept
        # Set when a store opened after its kept desk was drawn fails to read.
        self.open_failed: StoreError | None = None
        self._commands = Commands(repo) if repo.is_open else None
        self.sync_repo = SyncRepo(repo)
        # True from ctrl+g until what the sync took in is on the store (or it failed).
        self.syncing = False
        # The failures survived (``survive``), oldest first.
        self.failures: list[Exception] = []
        self._poll = poll
        self._on_shown = on_shown
        self._on_views_built = on_views_built
        self._on_dialog = on_dialog
        self._on_visit = on_visit
        # Each built when first shown, then kept for the session (``_desk_screen``).
        self._desk: DeskScreen | None = None
        self._dashboard: DashboardScreen | None = None
        tracks = self._track_ids()
        # A track asked for by name opens at once; otherwise the start setting decides.
        self._track_given = track_id is not None
        self.set_reactive(ParleyApp.track_id, track_id or (tracks[0] if tracks else ""))
        # Given now, these are not set again (with their watchers called) once mounted:
        # that would have every view reload what it has just loaded.
        self.set_reactive(ParleyApp.as_of, None)
        self.set_reactive(ParleyApp.version, 0)

    @property
    def commands(self) -> Commands:
        # Made once the store is read: a session's own changes are those after its start.
        if self._commands is None:
            self._commands = Commands(self.repo)
        return self._commands

    def _track_ids(self) -> list[str]:
        if self._kept is not None and not self.repo.is_open:
            return self._kept.tracks
        return [t.id for t in self.repo.tracks()]

    def get_driver_class(self) -> type[Driver]:
        # One that ends the app when the terminal goes away (tui/compat/hangup.py).
        return hangup.driver_for(super().get_driver_class())

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        # Messages quote record names; those are data and must never run as markup.
        # Widget.notify passes markup=True on its callers' behalf, so it is ignored here.
        del markup
        # Names in it are data: invisible and direction-changing characters show escaped.
        message = reveal(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def survive(self, error: Exception, where: MessagePump) -> bool:
        """A handler of a screen or widget raised (``tui.compat.keep_going``): log it,
        say so in one line, and go on with the form and what was typed in it."""
        if self.raise_failures or not self.is_running or not self.screen_stack:
            return False
        self.failures.append(error)
        self.notify(failures.report(error, where), severity="error", timeout=15)
        return True

    def today(self) -> date:
        return self.repo.today()

    def on_mount(self) -> None:
        # In a browser (parley serve) the trend strips take glyphs its font has.
        use_web_glyphs(self.is_web)
        if self._config.theme:
            self.theme = self._config.theme
        if self._config.keymap:
            self.set_keymap(self._config.keymap)
        on_theme = self._on_theme
        if on_theme is not None:
            self.theme_changed_signal.subscribe(self, lambda theme: on_theme(theme.name))
        for notice in self._notices:
            self.notify(notice, severity="warning", timeout=10)
        # Every write, by this app or another process, reaches the views this way.
        self._unsubscribe = self.repo.subscribe(self._store_changed)
        if self._config.opens_on_desk(len(self._track_ids()), self._track_given):
            # The dashboard is built on the first Enter, not beneath the desk: building
            # it (and its views, in the background) would hold up the desk. Its code is
            # read once the desk is up, while the person reads it.
            self.push_screen(self._desk_screen())
            self.call_after_refresh(self.set_timer, DASHBOARD_IMPORT_PAUSE, _import_dashboard)
        else:
            self.push_screen(self._dashboard_screen())
        if self._poll:
            self.set_interval(POLL_SECONDS, self.poll_store)

    def on_unmount(self) -> None:
        self._unsubscribe()

    def poll_store(self) -> None:
        """Take in what other processes wrote; the change notice shows it."""
        try:
            self.repo.refresh()
        except StoreError as exc:
            # The next poll tries again; the screen keeps what it last read.
            self.notify(str(exc), severity="error", timeout=8)

    def _store_changed(self, version: int) -> None:
        if self.track_id and not self.repo.exists(Kind.TRACK, self.track_id):
            # The track in view is gone (deleted, or its adding undone): nothing of it
            # stays on show, and the person picks the next, if there is one.
            self.track_id = ""
            if self.repo.tracks():
                self.call_later(self.show_desk)
        elif not self.track_id:
            # None was in view, and one is there now (the seed's adding redone, say).
            tracks = self.repo.tracks()
            if tracks:
                self.track_id = tracks[0].id
        self.version = version

    def _first_shown(self) -> None:
        """The first screen, the desk or the dashboard, is on screen."""
        if not self.repo.is_open:
            # Drawn from the kept desk: the store is read once the frame is out.
            self.set_timer(READ_PAUSE, self._read_store)
            return
        if self._on_shown is not None:
            self._on_shown()
            self._on_shown = None

    def _read_store(self) -> None:
        """Read the store whose kept desk is on screen; keys pressed meanwhile wait."""
        try:
            self.repo.open()
        except StoreError as exc:
            self.open_failed = exc
            self.exit(return_code=1)
            return
        self.commands  # noqa: B018  (the session starts now)
        kept = self._kept
        if kept is not None and self.repo.at_rest() != kept.snapshot:
            # Written to since the desk was kept (or taken in at opening): read afresh.
            self.version = self.repo.version
        self._first_shown()

    def _desk_screen(self) -> DeskScreen:
        """The desk, built once and kept (installed) while the dashboard is in front."""
        if self._desk is None:
            kept = self._kept.rows if self._kept is not None else None
            self._desk = DeskScreen(self.repo, self.track_id, self._first_shown, kept)
            self._desk.data_bind(ParleyApp.track_id, ParleyApp.as_of, ParleyApp.version)
            self.install_screen(self._desk, "desk")
        return self._desk

    def _dashboard_screen(self) -> DashboardScreen:
        """The dashboard, built the first time a track is shown and kept from then on."""
        if self._dashboard is None:
            from tui.screens.dashboard import DashboardScreen

            self._dashboard = DashboardScreen(
                self.repo,
                self.commands,
                on_shown=self._first_shown,
                on_views_built=self._on_views_built,
                on_dialog=self._on_dialog,
                visits=self._config.visits,
            )
            self._dashboard.data_bind(ParleyApp.track_id, ParleyApp.as_of, ParleyApp.version)
            self.install_screen(self._dashboard, "dashboard")
            self._update_subtitle()
            self._visited()
        return self._dashboard

    def watch_track_id(self) -> None:
        self._update_subtitle()
        self._visited()

    def _visited(self) -> None:
        # A track is visited once its dashboard shows it; the desk visits none.
        if self._dashboard is None or self._on_visit is None:
            return
        if not self.repo.exists(Kind.TRACK, self.track_id):
            return
        latest = last_day(self.repo, self.track_id)
        if latest is not None:
            self._on_visit(self.track_id, latest)

    def watch_as_of(self) -> None:
        self._update_subtitle()

    def watch_version(self) -> None:
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        if self._dashboard is None:
            # Only the dashboard shows it (the desk has its own): read once it is built.
            return
        if not self.track_id or not self.repo.exists(Kind.TRACK, self.track_id):
            self.sub_title = "no track yet"
            return
        title = plain(self.repo.get_as(Track, self.track_id).title)
        # Said always, so that a track followed in the past reads as history.
        latest = last_day(self.repo, self.track_id, self.as_of)
        news = f"latest news: {long_day(latest)} · " if latest else ""
        # The dates first: on a narrow screen the header cuts the end of the line.
        shown = f"as of {self.as_of.isoformat()} · " if self.as_of else ""
        # A sync under way first, too: it is news for a few seconds only.
        syncing = "syncing… · " if self.syncing else ""
        self.sub_title = syncing + shown + news + title + self._sync_said()

    def _sync_said(self) -> str:
        """For a store that syncs: what is not yet pushed, the last sync, the conflicts."""
        if not self.sync_repo.ready:
            return ""
        try:
            status = self.sync_repo.status()
        except StoreError:
            return " · sync: unreadable state"
        said = f" · {status.unpushed} unpushed · synced {when(status.last_sync)}"
        if status.conflicts:
            said += f" · {len(status.conflicts)} conflict(s): X"
        return said

    def action_sync(self) -> None:
        """Send what was written here and take in the desk's changes.

        Git runs in a thread of its own (a fetch and a push may wait on the network)
        while the dashboard goes on: edits made meanwhile are kept, and the next sync
        sends them. What came in is laid on the store back on the app's thread, in one
        transaction through the store's take-in: the store is read and written on
        that thread alone (its caches and its lock are not shared between threads)."""
        if not self.sync_repo.ready:
            self.notify(
                "This store does not sync yet: run parley sync --init REMOTE once.",
                severity="warning",
            )
            return
        if self.syncing:
            self.notify("A sync is under way: the header says when it is done.")
            return
        try:
            round_ = self.sync_repo.begin()
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.syncing = True
        self._update_subtitle()
        self._sync_in_background(round_)

    @work(thread=True, group="sync")
    def _sync_in_background(self, round_: SyncRound) -> None:
        try:
            try:
                round_.exchange()
            except StoreError as exc:
                round_.close()  # before ctrl+g can start the next
                self._from_thread(self._synced, None, str(exc))
                return
            if not get_current_worker().is_cancelled:
                # Not when the app is closing: the next sync lays what came in on the store.
                self._from_thread(self._take_in, round_)
        except Exception as exc:
            round_.close()
            # A fault in the sync's own code: said and logged as any other, and ctrl+g
            # works again; where failures end the app (tests), it ends it.
            if not self._from_thread(self._survived, exc):
                raise
        finally:
            round_.close()

    def _from_thread(self, callback: Callable[..., bool | None], *args: object) -> bool:
        """Run ``callback`` on the app's thread: what it answers, or False if the app
        is no longer there to run it."""
        try:
            return self.call_from_thread(callback, *args) is not False
        except RuntimeError:
            if self.is_running:
                raise
            return False

    def _take_in(self, round_: SyncRound) -> None:
        try:
            report = round_.finish()
        except StoreError as exc:
            round_.close()
            self._synced(None, str(exc))
        else:
            round_.close()
            self._synced(report, None)

    def _survived(self, error: Exception) -> bool:
        self._synced(None, None)
        return self.survive(error, self)

    def _synced(self, report: SyncReport | None, error: str | None) -> None:
        self.syncing = False
        self._update_subtitle()
        if error is not None:
            self.notify(error, severity="error", timeout=10)
        elif report is not None:
            self.notify(report.summary().capitalize() + ".")

    def action_conflicts(self) -> None:
        # Imported here, as the help is: the desk opens without the forms they read.
        from tui.dialogs.conflicts import ConflictsScreen

        if isinstance(self.screen, ConflictsScreen):
            return
        self.push_screen(
            ConflictsScreen(self.repo, self.commands), lambda _: self._update_subtitle()
        )

    def action_select_all(self) -> None:
        focused = self.focused
        if not isinstance(focused, Input | TextArea):
            raise SkipAction()
        focused.select_all()

    def action_command_palette(self) -> None:
        # Textual's own, with a palette that closes once however fast Enter comes.
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen, keymap=self._config.keymap))

    def action_show_desk(self) -> None:
        self.show_desk()

    def show_desk(self) -> None:
        """Every track on one screen (``T``); Enter there opens one. Also where to go
        when the track in view is gone."""
        if isinstance(self.screen, DeskScreen):
            return
        # Over the dashboard (or a dialog on it), which stays built beneath; Enter pops
        # the desk, kept built too. Not in the dashboard's place: a screen switched
        # back to is restyled whole (Textual's ScreenResume), a tenth of a second or
        # more, where one uncovered by an opaque screen is only redrawn.
        self.push_screen(self._desk_screen())

    def on_show_track(self, message: ShowTrack) -> None:
        self.track_id = message.track_id
        self._leave_desk()

    def on_leave_desk(self, message: LeaveDesk) -> None:
        if self.track_id:
            self._leave_desk()

    async def _left_desk(self) -> None:
        """``_leave_desk``, once the dashboard is mounted."""
        leaving = self._leave_desk()
        if leaving is not None:
            await leaving

    def _leave_desk(self) -> AwaitComplete | None:
        """Back to the dashboard (or the dialog on it) the desk was shown over; at start,
        with none beneath, the dashboard built and put in the desk's place."""
        if not isinstance(self.screen, DeskScreen):
            return None
        dashboard = self._dashboard_screen()
        if dashboard in self.screen_stack:
            return self.pop_screen()
        return self.switch_screen(dashboard)

    def on_show_as_of(self, message: ShowAsOf) -> None:
        self.as_of = message.as_of

    async def on_open_record(self, message: OpenRecord) -> None:
        """Bring a record into view: its track, the view that lists it, the cursor on it."""
        kind, record_id = message.kind, message.record_id
        if not self.repo.exists(kind, record_id):
            self.notify(f"No {kind} {record_id!r} any more.", severity="warning")
            return
        record: Record = self.repo.get(kind, record_id)
        if isinstance(record, Track):
            self.track_id = record.id
            await self._left_desk()
            return
        track_id = track_of(record)
        if track_id and track_id != self.track_id:
            self.track_id = track_id
        # Found from the desk (ctrl+p): shown on the dashboard, as from anywhere else.
        await self._left_desk()
        screen = self.screen
        if screen is self._dashboard and self._dashboard is not None:
            self._dashboard.show_record(kind, record_id)
