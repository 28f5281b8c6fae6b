"""Shared helpers for the dashboard's tests: apps on a fixed clock, settling, screen text."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path

from conftest import fixed_clock
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input

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
from store.seed import seed
from tui.app import ParleyApp
from tui.screens.dashboard import DashboardScreen

THEME = "textual-dark"
SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
SEED_TRACK = "gaza-ceasefire-hostage-talks"
SECOND_TRACK = "sudan-talks"


def run_async(test: Callable[..., Coroutine[None, None, None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (the project has no asyncio pytest plugin)."""

    @functools.wraps(test)
    def wrapper(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


def seeded_store(path: Path) -> Repository:
    """A fresh store at ``path`` on the fixed clock, filled with the seed data."""
    repo = open_store(path, clock=fixed_clock)
    seed(repo)
    return repo


def make_app(repo: Repository, track_id: str | None = None) -> ParleyApp:
    """The dashboard as tests want it: no polling, one theme, whatever the host's default."""
    app = ParleyApp(repo, track_id=track_id, poll=False)
    app.theme = THEME
    return app


def crash_quickly(app: ParleyApp) -> None:
    """On an unhandled error, exit without rendering a traceback with locals.

    Textual renders every local of every frame, which takes seconds; the error
    itself still reaches the test, re-raised by ``run_test``.
    """
    app._fatal_error = app._close_messages_no_wait  # type: ignore[method-assign]


def no_blink(app: ParleyApp) -> None:
    """Stop every text cursor blinking, on every screen, so screenshots are stable."""
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False


async def settle(pilot: Pilot[None]) -> None:
    """Let messages, layout and animations finish."""
    no_blink(pilot.app)  # type: ignore[arg-type]
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    no_blink(pilot.app)  # type: ignore[arg-type]


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys one at a time, letting each land before the next, then settle."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await settle(pilot)


def dashboard(app: ParleyApp) -> DashboardScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, DashboardScreen), screen
    return screen


def screen_text(app: ParleyApp) -> str:
    """The screen as plain text: what a person would read, modal layers included."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


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
