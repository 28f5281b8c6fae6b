"""Shared helpers for the dashboard's tests: apps on a fixed clock, settling, screen text,
snapshots. Only Textual's public API: what a test sees is what a person would.

Fixtures (stores, the seed, the sample) are in ``conftest.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import html
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from rich.cells import cell_len
from textual import events
from textual.app import App
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from store import (
    Participant,
    Repository,
    Role,
    Round,
    RoundFormat,
    RoundStatus,
    Track,
    open_store,
)
from store.exchange.seed import seed
from tui.app import ParleyApp
from tui.cli import main
from tui.compat.private import HeadlessFrames
from tui.dialogs.form import FormScreen
from tui.screens.dashboard import DashboardScreen

ROOT = Path(__file__).resolve().parents[1]
THEME = "textual-dark"
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
SEED_TRACK = "gaza-ceasefire-hostage-talks"
SECOND_TRACK = "sudan-talks"
# Long enough for the slowest test on a busy machine; a hang fails instead of stalling.
TIME_LIMIT = 120

# Each snapshot test at a small and a large terminal.
sizes = pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
# And a wide one, for the screens that spread out on it.
three_sizes = pytest.mark.parametrize("size", [*SIZES, (200, 50)], ids=[*SIZE_IDS, "200x50"])
# A dialog has no width breakpoints: laid out alike at any size, it is shot at the
# smallest, where a cut or a wrap shows first.
one_size = pytest.mark.parametrize("size", SIZES[:1], ids=SIZE_IDS[:1])

Compare = Callable[..., bool]


def run_async(test: Callable[..., Coroutine[None, None, None]]) -> Callable[..., None]:
    """Run an async test on its own event loop (the project has no asyncio pytest plugin),
    with a time limit so a hang fails."""

    @functools.wraps(test)
    def wrapper(*args: object, **kwargs: object) -> None:
        asyncio.run(asyncio.wait_for(test(*args, **kwargs), timeout=TIME_LIMIT))

    return wrapper


def seeded_store(path: Path) -> Repository:
    """A fresh store at ``path`` on the fixed clock, filled with the seed data."""
    repo = open_store(path, clock=fixed_clock)
    seed(repo)
    return repo


@dataclass(frozen=True)
class Notice:
    """A notification as the app sent it."""

    message: str
    title: str
    severity: str


class NoticeRecorder:
    """Stands in for ``app.notify``: keeps what was sent, then notifies as before."""

    def __init__(self, notify: Callable[..., None]) -> None:
        self.notify = notify
        self.sent: list[Notice] = []

    def __call__(self, message: str, **kwargs: Any) -> None:
        severity = kwargs.get("severity", "information")
        self.sent.append(Notice(str(message), kwargs.get("title", ""), severity))
        self.notify(message, **kwargs)


def make_app(
    repo: Repository, track_id: str | None = None, *, poll: bool = False, **hooks: Any
) -> ParleyApp:
    """The dashboard as tests want it: no polling, one theme whatever the host's default,
    and the notifications it sends kept for ``notices``. ``hooks`` go to the app
    (``on_dialog=...``)."""
    app = ParleyApp(repo, track_id=track_id, poll=poll, **hooks)
    app.theme = THEME
    app.notify = NoticeRecorder(app.notify)  # type: ignore[method-assign]
    return app


def notices(app: App[Any]) -> list[Notice]:
    """Every notification the app has sent (made by ``make_app``), oldest first."""
    recorder = app.notify
    assert isinstance(recorder, NoticeRecorder), "an app made by make_app records notices"
    return recorder.sent


def no_blink(app: App[Any]) -> None:
    """Stop every text cursor blinking, on every screen, so screenshots are stable."""
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            assert isinstance(widget, Input | TextArea)
            widget.cursor_blink = False


# Set while a test runs with frames drawn only when it looks (conftest's ``frames``).
UNDRAWN: list[HeadlessFrames] = []


async def draw(pilot: Pilot[None]) -> None:
    """Draw the screen whole, and what drawing it sets off, as a terminal would have."""
    for frames in UNDRAWN:
        frames.drawing = True
        try:
            pilot.app.screen.refresh()
            await pilot.pause()
            await pilot.pause()
        finally:
            frames.drawing = False


async def settle(pilot: Pilot[None]) -> None:
    """Let messages, layout and animations finish."""
    no_blink(pilot.app)  # type: ignore[arg-type]
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    no_blink(pilot.app)  # type: ignore[arg-type]


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys one at a time, letting each land before the next, then settle. Pilot's
    press waits for the app to go idle after each key; the screen is refreshed once, at
    the end, as a terminal's is when keys come faster than frames."""
    for key in keys:
        await pilot.press(key)
    await settle(pilot)


def key_of(character: str) -> str:
    """The key Textual names for a typed character: itself for a letter or a digit, else
    its Unicode name in lower case with underscores, shortened as Textual shortens some
    ("/" is "slash")."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


async def type_fast(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` into the field with the focus as a terminal sends fast typing: each
    character posted to the app as its driver posts it, without waiting for the screen
    between them, then one settle. Text only: a key that runs a binding (Enter, Tab)
    reaches it later than typed characters reach a field, so it goes through ``press``."""
    app = pilot.app
    for character in text:
        event = events.Key(key_of(character), character)
        event.set_sender(app)
        app.post_message(event)
    await settle(pilot)


async def edit_latest_round(app: ParleyApp, pilot: Pilot[None]) -> FormScreen:
    """Settle, then open the edit form of the Rounds view's last round (``2 G e``)."""
    await settle(pilot)
    await press(pilot, "2", "G", "e")
    form = app.screen
    assert isinstance(form, FormScreen), form
    return form


def dashboard(app: ParleyApp) -> DashboardScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, DashboardScreen), screen
    return screen


# One run of text in the SVG of a screenshot: its x, its length, the screen line it is on.
_SVG_TEXT = re.compile(
    r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"[^>]*?-line-(\d+)\)">(.*?)</text>'
)


def screen_text(app: App[Any]) -> str:
    """The screen as plain text: what a person would read, modal layers included.

    Read from ``App.export_screenshot``: each run of text in the SVG stands at
    x = column * (its textLength / its length in characters).
    """
    rows: dict[int, list[tuple[int, str]]] = {}
    for x, length, line, escaped in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(escaped).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text)))
        rows.setdefault(int(line), []).append((column, text))
    lines = []
    for y in range(app.size.height):
        row, at = "", 0
        for column, text in sorted(rows.get(y, [])):
            row += " " * max(column - at, 0) + text
            at = column + cell_len(text)
        lines.append(row)
    return "\n".join(lines)


# -- snapshots -------------------------------------------------------------------------


def snapshot_keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A run_before that settles, presses ``pressed`` one by one, and settles again,
    with every text cursor kept still."""

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.theme = THEME
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
        await settle(pilot)

    return run_before


def shoot(snap_compare: Compare, repo: Repository, size: tuple[int, int], *pressed: str) -> Any:
    """Compare the dashboard on ``repo``, after ``pressed``, with its snapshot."""
    return snap_compare(make_app(repo), terminal_size=size, run_before=snapshot_keys(*pressed))


def add_second_track(repo: Repository) -> None:
    """A second negotiation track with one round, sharing the seed's actors."""
    repo.add(
        Track(
            id=SECOND_TRACK,
            title="Sudan: Jeddah talks",
            region="Horn of Africa",
            started=date(2023, 5, 6),
            participants=[Participant(actor_id="united-states", role=Role.MEDIATOR)],
        )
    )
    repo.add(
        Round(
            id="jeddah-round-one",
            track_id=SECOND_TRACK,
            title="Jeddah round one",
            start=date(2023, 5, 6),
            end=date(2023, 5, 20),
            venues=["Jeddah"],
            mediator_ids=["united-states"],
            format=RoundFormat.PROXIMITY,
            status=RoundStatus.STALLED,
        )
    )


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``parley ARGS`` in this process: its exit status, standard output and error."""
    try:
        code = main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- parley in a terminal -----------------------------------------------------------------


def start_in_terminal(
    db: Path, cwd: Path, *, controlling: bool = True
) -> tuple[subprocess.Popen[bytes], int]:
    """``parley --db DB`` in a new 80x24 pseudo-terminal: the process and the terminal's
    other side (the window's, which the test reads and writes and closes). With
    ``controlling``, it is the process's controlling terminal, which sends it SIGHUP
    when closed."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def take_terminal() -> None:
        # In the child, a session leader: the terminal becomes its controlling terminal.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=take_terminal if controlling else None,
    )
    os.close(slave)
    return process, master


@contextlib.contextmanager
def in_terminal(db: Path, cwd: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``start_in_terminal``, the process killed if still running at the end, and the
    terminal closed."""
    process, master = start_in_terminal(db, cwd)
    try:
        yield process, master
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def exit_status(process: subprocess.Popen[bytes], master: int, timeout: float = 20) -> int:
    """The process's exit status, its terminal read meanwhile: a program whose output
    nobody reads blocks writing it once the terminal's buffer is full, and never ends."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        assert time.monotonic() < deadline, f"the process did not end in {timeout} s"
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:  # the other side has closed: the process has ended
                break
    return process.wait(timeout=max(deadline - time.monotonic(), 1))


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 60) -> None:
    """Read the terminal's output into ``seen`` until ``wanted`` shows, or fail."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never showed; the screen ended with {bytes(seen[-300:])!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the other side has closed: the process has ended
                raise AssertionError(f"the process ended: {bytes(seen[-300:])!r}") from None
