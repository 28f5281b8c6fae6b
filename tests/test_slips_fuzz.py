"""Random typing into every form, picker and dialog of the dashboard and the reader: fast
typing, pastes, Backspace, Tab, Esc, Enter, ctrl+u and arrows. The app must neither exit
nor fail, whatever is typed.

One app serves every sequence (starting one per sequence would take minutes): after
each, the dialogs it left open are closed and the next starts on the dashboard.
``PARLEY_FUZZ_EXAMPLES`` sets how many sequences run: 200 in ``make test`` (the same 200
every run, each opener met several times), 20,000 in ``make fuzz``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.pilot import Pilot
from tui_helpers import make_app, run_cli, seeded_store

from store import open_store
from tui.app import ParleyApp
from tui.screens.dashboard import DashboardScreen

REPORT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"
EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "200"))

# The keys that open each form, picker and dialog from the dashboard (a view's number
# first where it matters).
OPENERS: list[tuple[str, ...]] = [
    ("2", "G", "e"),
    ("2", "r"),
    ("2", "R"),
    ("3", "s"),
    ("3", "S"),
    ("3", "p"),
    ("3", "P"),
    ("1", "a"),
    ("1", "A"),
    ("n",),
    ("N",),
    ("i",),
    ("I",),
    ("plus",),
    ("5", "e"),
    ("7", "e"),
    ("t",),
    ("C",),
    ("T",),
    ("f",),
    ("ctrl+p",),
    ("question_mark",),
    ("slash",),
    ("c",),
    ("h",),
    ("o",),
    ("7", "v"),
    ("7", "v", "n"),
    ("7", "v", "p"),
    ("7", "v", "s"),
    ("7", "v", "slash"),
]
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
Step = Callable[[Pilot[None]], Awaitable[None]]
PASTES = ["Egypt", "zzz", "2024-08-19", "line one\nline two", "[bold]x[/bold]", " ", "Doha, Qatar"]

key = st.sampled_from(TYPED + EDITING)
burst = st.lists(st.sampled_from(TYPED), min_size=2, max_size=6).map(tuple)
paste = st.sampled_from(PASTES).map(lambda text: ("paste", text))
step = st.one_of(key, burst, paste)
sequence = st.lists(step, min_size=1, max_size=12)


class Session:
    """One app under Pilot, driven by one task on a loop of its own that runs only while
    a sequence does (the app's context lives in that task)."""

    def __init__(self, app: ParleyApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.work: asyncio.Queue[tuple[Step | None, asyncio.Future[None]]] = asyncio.Queue()
        self.pilot: Pilot[None] | None = None
        self.started: asyncio.Future[None] = self.loop.create_future()
        self.task = self.loop.create_task(self._drive())
        self.loop.run_until_complete(asyncio.wait_for(asyncio.shield(self.started), 60))

    async def _drive(self) -> None:
        async with self.app.run_test(size=(80, 24)) as pilot:
            self.pilot = pilot
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
        self.run(None)
        self.loop.run_until_complete(self.task)
        self.loop.close()


@pytest.fixture
def session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Session]:
    path = tmp_path / "parley.json"
    seeded_store(path).close()
    # The report kept as a source, so that the reader has an article to open.
    args = ["--db", str(path), "capture", str(REPORT), "--date", "2024-08-21", "--kind", "state"]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    app = make_app(open_store(path, clock=fixed_clock))
    app.raise_failures = False  # counted below instead, with the sequence that failed
    running = Session(app)
    yield running
    running.close()


def send(app: ParleyApp, key: str) -> None:
    """A key as the terminal sends it, without waiting for the screen: typing at speed."""
    named = {"space": " ", "minus": "-", "comma": ",", "plus": "+", "slash": "/"}
    char = named.get(key, key if len(key) == 1 else None)
    if key == "question_mark":
        char = "?"
    event = events.Key(key, char)
    event.set_sender(app)
    app.post_message(event)


async def play(pilot: Pilot[None], opener: tuple[str, ...], steps: list[Any]) -> None:
    """Type ``steps`` into what is open; on the dashboard, open a dialog with ``opener``
    first. A sequence that leaves a dialog open leaves it to the next one."""
    app = pilot.app
    assert isinstance(app, ParleyApp)
    if isinstance(app.screen, DashboardScreen):
        for key in opener:
            send(app, key)
    for item in steps:
        if isinstance(item, tuple) and item and item[0] == "paste":
            target = app.focused or app.screen
            target.post_message(events.Paste(item[1]))
        elif isinstance(item, tuple):
            for key in item:
                send(app, key)
        else:
            send(app, item)
    await pilot.pause()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opener=st.sampled_from(OPENERS), steps=sequence)
def test_random_typing_never_ends_the_app(
    session: Session, opener: tuple[str, ...], steps: list[Any]
) -> None:
    app = session.app
    session.run(lambda pilot: play(pilot, opener, steps))
    assert app.is_running, f"the app exited after {opener} {steps}"
    assert not app.failures, f"{app.failures[0]!r} after {opener} {steps}"
