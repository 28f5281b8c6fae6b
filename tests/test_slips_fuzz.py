"""Random typing into every form, picker and dialog of the dashboard and the reader: fast
typing, pastes, Backspace, Tab, Esc, Enter, ctrl+u and arrows. The app must neither exit,
nor fail, nor lose its dashboard, whatever is typed.

Each dialog is a case of its own: the test opens it (and checks that it did), types a
random sequence into it at speed, and checks the app. Starting an app costs more than
many sequences, so one app serves the dialogs in turn (see ``Bench``): a dialog the
sequence left open takes the next sequence as it is, one it closed is opened again.
Sequences run ``PARLEY_FUZZ_EXAMPLES`` in all (600 in the test run, 20,000 in ``make
fuzz``), shared out among the dialogs.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import math
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.command import CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input
from tui_helpers import draw, edit_latest_round, make_app, press, run_async, seeded_store, settle

from store import Kind, Repository, Source, open_store
from tui.app import ParleyApp
from tui.cli import main as cli_main
from tui.dialogs.choice import ChoiceScreen
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.detail import DetailScreen
from tui.dialogs.dialog import Dialog as DialogScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.ref_chooser import MatchList, RefChooser

REPORT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"
EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "600"))
# Where the reader opens: the report, kept as a source with its text.
READER = "reader"
# An article to paste, numbered afresh each time (``{n}``) so that it is never one
# kept already.
ARTICLE = """Mediators return to Cairo for a further round
By our correspondent · 3 September 2024

Negotiators from both sides are expected in Cairo on Tuesday, officials said, for a
round of indirect talks on a phased truce (report {n}). Egypt and Qatar will carry
proposals between the delegations, who are not due to meet face to face."""


@dataclass(frozen=True)
class Dialog:
    """A dialog, the way to it from the dashboard, and how to know it is open.

    ``path``: keys pressed one at a time, each left to take effect (a view's number
    first where it matters); ``READER`` opens the reader on the report; ``do:ACTION``
    runs an action of the screen in front; ``paste:TEXT`` pastes into the focused field.
    ``screen``: the class of the screen it opens; ``title``: how its title starts;
    ``quick``: a quick form (each label beside its field) rather than a full one.
    """

    name: str
    path: tuple[str, ...]
    screen: str
    title: str = ""
    quick: bool = False


DIALOGS: list[Dialog] = [
    # The dashboard's forms, quick and full.
    Dialog("round-edit", ("2", "G", "e"), "FormScreen", "Edit round"),
    Dialog("round", ("2", "r"), "FormScreen", "New round", quick=True),
    Dialog("round-full", ("2", "R"), "FormScreen", "New round"),
    Dialog("status", ("3", "s"), "FormScreen", "Status", quick=True),
    Dialog("status-full", ("3", "S"), "FormScreen", "Set status"),
    Dialog("position", ("3", "p"), "FormScreen", "New position", quick=True),
    Dialog("position-full", ("3", "P"), "FormScreen", "New position"),
    Dialog("response", ("1", "a"), "FormScreen", "Response", quick=True),
    Dialog("response-full", ("1", "A"), "FormScreen", "Record a response"),
    Dialog("event", ("n",), "FormScreen", "New event", quick=True),
    Dialog("event-full", ("N",), "FormScreen", "New event"),
    Dialog("assessment", ("i",), "FormScreen", "New assessment", quick=True),
    Dialog("assessment-full", ("I",), "FormScreen", "New assessment"),
    Dialog("add", ("plus",), "ChoiceScreen", "Add a record"),
    *(
        Dialog(f"new-{kind}", (f"do:add('{kind}')",), "FormScreen", "New ")
        for kind in (Kind.TRACK, Kind.ACTOR, Kind.PERSON, Kind.SOURCE, Kind.POINT, Kind.PROPOSAL)
    ),
    Dialog("point-edit", ("3", "e"), "FormScreen", "Edit sticking point"),
    Dialog("actor-edit", ("5", "e"), "FormScreen", "Edit actor"),
    Dialog("source-edit", ("7", "e"), "FormScreen", "Edit source"),
    Dialog("delete", ("2", "d"), "ConfirmScreen", "Delete"),
    Dialog("undo", ("u",), "ConfirmScreen", "Undo"),
    Dialog("discard", ("n", "z", "escape"), "ConfirmScreen", "Discard"),
    Dialog("as-of", ("t",), "FormScreen", "As of"),
    Dialog("since", ("1", "w"), "FormScreen", "Since"),
    Dialog("gap-since", ("3", "w"), "FormScreen", "Gap since"),
    Dialog("compare", ("C",), "FormScreen", "Compare"),
    Dialog("compared", ("C", "ctrl+s"), "CompareScreen"),
    Dialog("paste-article", ("c",), "FormScreen", "Paste an article"),
    Dialog(
        "keep-article",
        ("c", f"paste:{ARTICLE}", "ctrl+s"),
        "FormScreen",
        "Keep the article as this source?",
        quick=True,
    ),
    Dialog("detail", ("2", "enter"), "DetailScreen"),
    Dialog("record-sources", ("3", "o"), "RecordSourcesScreen"),
    Dialog("position-history", ("4", "enter"), "PositionHistoryScreen"),
    Dialog("history", ("2", "h"), "HistoryScreen"),
    Dialog("history-all", ("H",), "HistoryScreen"),
    Dialog("search", ("f",), "SearchScreen"),
    Dialog("palette", ("ctrl+p",), "Palette"),
    Dialog("help", ("question_mark",), "HelpScreen"),
    Dialog("desk", ("T",), "DeskScreen"),
    # The reader and its dialogs.
    Dialog("reader", (READER,), "ReaderScreen"),
    Dialog("reader-position", (READER, "p"), "FormScreen", "New position", quick=True),
    Dialog("reader-position-full", (READER, "P"), "FormScreen", "New position"),
    Dialog("reader-event", (READER, "n"), "FormScreen", "New event", quick=True),
    Dialog("reader-assessment", (READER, "i"), "FormScreen", "New assessment", quick=True),
    Dialog("reader-status-of", (READER, "s"), "ChoiceScreen", "Status of"),
    Dialog("reader-status", (READER, "s", "enter"), "FormScreen", "Status", quick=True),
    Dialog("reader-response", (READER, "a"), "FormScreen", "Response", quick=True),
    Dialog("reader-find", (READER, "slash"), "FormScreen", "Find in the article"),
]
PER_DIALOG = math.ceil(EXAMPLES / len(DIALOGS))

# Typing: letters that are no key of the dashboard's that leaves the app (q) or the
# machine (w opens a browser, b writes a file, y copies), with the editing keys.
TYPED = ["z", "e", "g", "x", "k", "0", "2", "space", "minus", "comma"]
EDITING = [
    "backspace",
    "tab",
    "shift+tab",
    "escape",
    "enter",
    "ctrl+u",
    "left",
    "right",
    "up",
    "down",
    "home",
    "end",
    "ctrl+a",
    "ctrl+s",
]
PASTES = ["Egypt", "zzz", "2024-08-19", "line one\nline two", "[bold]x[/bold]", " ", "Doha, Qatar"]

key = st.sampled_from(TYPED + EDITING)
burst = st.lists(st.sampled_from(TYPED), min_size=2, max_size=6).map(tuple)
paste = st.sampled_from(PASTES).map(lambda text: ("paste", text))
step = st.one_of(key, burst, paste)
sequence = st.lists(step, min_size=1, max_size=12)

Step = Callable[[Pilot[None]], Awaitable[None]]


class Session:
    """One app under Pilot, driven by one task on a loop of its own that runs only while
    a job does (the app's context lives in that task)."""

    def __init__(self, app: ParleyApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.work: asyncio.Queue[tuple[Step | None, asyncio.Future[None]]] = asyncio.Queue()
        self.started: asyncio.Future[None] = self.loop.create_future()
        self.task = self.loop.create_task(self._drive())
        self.loop.run_until_complete(asyncio.wait_for(asyncio.shield(self.started), 60))

    async def _drive(self) -> None:
        async with self.app.run_test(size=(80, 24)) as pilot:
            self.started.set_result(None)
            while True:
                job, done = await self.work.get()
                if job is None:
                    done.set_result(None)
                    return
                try:
                    await job(pilot)
                except BaseException as exc:  # handed to the test, which fails on it
                    done.set_exception(exc)
                else:
                    done.set_result(None)

    def run(self, job: Step | None) -> None:
        done: asyncio.Future[None] = self.loop.create_future()
        self.work.put_nowait((job, done))
        self.loop.run_until_complete(asyncio.wait_for(asyncio.shield(done), 60))

    def close(self) -> None:
        if not self.task.done():
            self.run(None)
        self.loop.run_until_complete(self.task)
        self.loop.close()


class Bench:
    """An app for every dialog in turn, on a store of its own.

    Starting an app costs more than many sequences, so one serves one dialog after
    another. A dialog starts from the state a fresh start shows: the app is started
    again, on a fresh copy of the store, when the dialog before wrote to the store or
    moved the app to another track or day, and when what a sequence wrote leaves the
    dialog out of reach (the last round deleted, say).
    """

    def __init__(self, folder: Path, pristine: Path) -> None:
        self.folder, self.pristine = folder, pristine
        self.dialog: Dialog | None = None
        self.opened: Screen[Any] | None = None
        self.session = self._start()
        self.track_id = self.app.track_id

    def _start(self) -> Session:
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.copytree(self.pristine, self.folder)
        app = make_app(open_store(self.folder / "parley.json", clock=fixed_clock))
        app.raise_failures = False  # counted below instead, with the sequence that failed
        return Session(app)

    @property
    def app(self) -> ParleyApp:
        return self.session.app

    def begin(self, dialog: Dialog) -> None:
        """Ready for ``dialog``'s first sequence."""
        if dialog == self.dialog:
            return
        self.dialog, self.opened = dialog, None
        moved = self.app.track_id != self.track_id or self.app.as_of is not None
        if moved or _files(self.folder) != _files(self.pristine):
            self.restart()

    def restart(self) -> None:
        # The app is thrown away, checked after each of its sequences already: keys of
        # its last one may still be queued as it stops, which Textual's shutdown does
        # not always take quietly.
        with contextlib.suppress(Exception):
            self.session.close()
        self.session = self._start()
        self.opened = None

    def close(self) -> None:
        self.session.close()


def _files(folder: Path) -> dict[str, bytes]:
    """A store's files as they are (the lock file aside, which only says it is open)."""
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.suffix != ".lock"}


def title_of(screen: Screen[Any]) -> str:
    for name in ("form_title", "title_text"):
        value = getattr(screen, name, None)
        if isinstance(value, str):
            return value
    return ""


def send(app: ParleyApp, key: str) -> None:
    """A key as the terminal sends it, without waiting for the screen: typing at speed."""
    named = {"space": " ", "minus": "-", "comma": ",", "plus": "+", "slash": "/"}
    char = named.get(key, key if len(key) == 1 else None)
    if key == "question_mark":
        char = "?"
    event = events.Key(key, char)
    event.set_sender(app)
    app.post_message(event)


def paste_into(app: ParleyApp, text: str) -> None:
    """A paste as the terminal sends it: to the app, which hands it to whatever has the
    focus once the keys before it have landed."""
    event = events.Paste(text)
    event.set_sender(app)
    app.post_message(event)


def report_id(app: ParleyApp) -> str:
    return next(s.id for s in app.repo.list_as(Source) if s.text)


async def back_to_dashboard(pilot: Pilot[None]) -> None:
    """Every screen above the dashboard closed, its filter cleared."""
    app = pilot.app
    assert isinstance(app, ParleyApp)
    for _ in range(20):
        if isinstance(app.screen, DashboardScreen):
            break
        if isinstance(app.screen, DeskScreen) and not has_dashboard(app):
            # The desk in the dashboard's place: Esc goes back (a filter first).
            await pilot.press("escape")
            continue
        assert has_home(app), "neither the dashboard nor the desk is open"
        await app.pop_screen()
        await pilot.pause()
    assert isinstance(app.screen, DashboardScreen), "no way back to the dashboard"
    if isinstance(app.focused, Input):  # the filter, which keeps what was typed in it
        await pilot.press("escape")


PASTED = itertools.count(1)


async def open_dialog(pilot: Pilot[None], dialog: Dialog) -> Screen[Any]:
    """Open ``dialog`` from the dashboard; the screen it opened.

    A reader dialog whose reader is still in front (the sequence closed only the
    dialog) is opened again from that reader: opening the reader costs as much as the
    dialog. Each key of the way is sent as the terminal sends it and left to land
    (one pause), not pressed with Pilot's two waits for an idle app and one for
    animations."""
    app = pilot.app
    assert isinstance(app, ParleyApp)
    path = dialog.path
    if path[:1] == (READER,) and _reader_in_front(app):
        path = path[1:]
    else:
        await back_to_dashboard(pilot)
    for item in path:
        if item == READER:
            app.push_screen(ReaderScreen(app.repo, app.commands, report_id(app), app.track_id))
        elif item.startswith("do:"):
            await app.screen.run_action(item.removeprefix("do:"))
        elif item.startswith("paste:"):
            number = str(next(PASTED))
            paste_into(app, item.removeprefix("paste:").replace("{n}", number))
        else:
            send(app, item)
        await pilot.pause()
    await pilot.pause()
    return app.screen


def _reader_in_front(app: ParleyApp) -> bool:
    """The reader on the report, straight over the dashboard, nothing over it."""
    stack = app.screen_stack
    return (
        len(stack) >= 2
        and isinstance(stack[-1], ReaderScreen)
        and isinstance(stack[-2], DashboardScreen)
        and not isinstance(app.focused, Input)
    )


def is_open(screen: Screen[Any], dialog: Dialog) -> bool:
    return (
        type(screen).__name__ == dialog.screen
        and title_of(screen).startswith(dialog.title)
        and getattr(screen, "compact", False) == dialog.quick
    )


async def type_at_speed(pilot: Pilot[None], steps: list[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ParleyApp)
    for item in steps:
        if isinstance(item, tuple) and item and item[0] == "paste":
            paste_into(app, item[1])
        elif isinstance(item, tuple):
            for name in item:
                send(app, name)
        else:
            send(app, item)
    await pilot.pause()
    # What the typing left is drawn whole: a failure while drawing ends the app as surely
    # as one in a key's handler.
    await draw(pilot)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, with the report kept as a source so that the reader has an article."""
    folder = tmp_path_factory.mktemp("pristine")
    path = folder / "parley.json"
    seeded_store(path).close()
    args = ["--db", str(path), "capture", str(REPORT), "--date", "2024-08-21", "--kind", "state"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(args)
    assert code == 0, err.getvalue()
    return folder


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory, pristine: Path) -> Iterator[Bench]:
    running = Bench(tmp_path_factory.mktemp("fuzz") / "store", pristine)
    yield running
    running.close()


def has_dashboard(app: ParleyApp) -> bool:
    return any(isinstance(s, DashboardScreen) for s in app.screen_stack)


def has_home(app: ParleyApp) -> bool:
    """The dashboard, or the desk, which takes its place, is open under any dialog."""
    return any(isinstance(s, DashboardScreen | DeskScreen) for s in app.screen_stack)


def check(app: ParleyApp, what: str) -> None:
    assert app.is_running, f"the app exited {what}"
    assert not app.failures, f"{app.failures[0]!r} {what}"
    assert has_home(app), f"the dashboard was closed {what}"


@pytest.mark.parametrize("dialog", DIALOGS, ids=[d.name for d in DIALOGS])
@settings(
    max_examples=PER_DIALOG,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps=sequence)
def test_random_typing_into_a_dialog_never_ends_the_app(
    bench: Bench, dialog: Dialog, steps: list[Any]
) -> None:
    bench.begin(dialog)
    # What a sequence found is reported with it, not with the ones Hypothesis tries next.
    bench.app.failures.clear()

    async def reopen(pilot: Pilot[None]) -> None:
        bench.opened = await open_dialog(pilot, dialog)

    if bench.opened is None or bench.app.screen is not bench.opened:
        bench.session.run(reopen)
        if bench.opened is None or not is_open(bench.opened, dialog):
            # What earlier sequences wrote may have taken away what it opens on.
            bench.restart()
            bench.session.run(reopen)
        assert bench.opened is not None and is_open(bench.opened, dialog), (
            f"{dialog.path} opened {type(bench.opened).__name__} {title_of(bench.opened)!r}"
            if bench.opened is not None
            else f"{dialog.path} opened nothing"
        )
    bench.session.run(lambda pilot: type_at_speed(pilot, steps))
    check(bench.app, f"after {dialog.path} {steps}")


# Regressions the random typing found, and the sequence that once lost an edit.


@run_async
async def test_typing_zzz_then_backspace_in_participants_keeps_the_round_edit(
    seeded: Repository,
) -> None:
    """``2 G e``, Tab to Participants, ``zzz`` typed (and pasted) faster than the list
    redraws, Backspace: once the app exited 0 here and the edit was gone."""
    app = make_app(seeded)
    app.raise_failures = False
    async with app.run_test(size=(80, 24)) as pilot:
        form = await edit_latest_round(app, pilot)
        chooser = form.query_one("#field-participant_ids", RefChooser)
        search = chooser.query_one(".ref-search", Input)
        for _ in range(20):
            if app.focused is search:
                break
            await pilot.press("tab")
        assert app.focused is search, "Tab never reached Participants"
        for name in ("z", "z", "z", "backspace"):
            send(app, name)
        paste_into(app, "zzz")
        send(app, "backspace")
        await settle(pilot)
        assert app.is_running and app.screen is form and not app.failures
        assert search.value == "zzzz"
        assert chooser.query(MatchList), "the list of matches is still there"
    assert app.return_code in (None, 0)


@run_async
async def test_enter_twice_on_a_choice_opens_one_form_over_the_dashboard(
    seeded: Repository,
) -> None:
    """``+`` then Enter twice before the list has gone: one form opens, and the
    dashboard stays under it (the second Enter used to close the dashboard)."""
    app = make_app(seeded)
    app.raise_failures = False
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "plus")
        assert isinstance(app.screen, ChoiceScreen)
        send(app, "enter")
        send(app, "enter")
        await settle(pilot)
        stack = [type(s).__name__ for s in app.screen_stack[1:]]
        assert stack == ["DashboardScreen", "FormScreen"], stack
        assert title_of(app.screen) == "New track"
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen) and not app.failures


@run_async
async def test_a_dialog_answered_twice_closes_only_itself(seeded: Repository) -> None:
    """A question, a choice and a form each dismissed twice at once (``y y``, Enter
    twice, ctrl+s twice): each answer is taken once and the screen under stays."""
    app = make_app(seeded)
    app.raise_failures = False
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        under = app.screen
        dialogs: list[DialogScreen[Any]] = [
            ConfirmScreen("Delete?", "Delete it?"),
            ChoiceScreen("Pick", [("a", "A"), ("b", "B")]),
            DetailScreen(Content("A detail"), "Detail"),
        ]
        for dialog in dialogs:
            answers: list[object] = []
            app.push_screen(dialog, answers.append)
            await settle(pilot)
            dialog.dismiss()
            dialog.dismiss()
            await settle(pilot)
            assert app.screen is under, type(dialog).__name__
            assert len(answers) == 1, type(dialog).__name__
        assert not app.failures


@run_async
async def test_enter_twice_in_the_palette_keeps_the_dashboard(seeded: Repository) -> None:
    """ctrl+p, a name, Enter twice before the palette has gone: Textual's palette
    dismissed itself twice, and the second took the dashboard with it."""
    app = make_app(seeded)
    app.raise_failures = False
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for steps in (["enter", "enter"], [("paste", "Doha"), "enter", "enter"]):
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await type_at_speed(pilot, steps)
            await settle(pilot)
            assert any(isinstance(s, DashboardScreen) for s in app.screen_stack), steps
            await back_to_dashboard(pilot)
        assert not app.failures
