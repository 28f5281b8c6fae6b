"""The garbage collector is held off while a dialog is over the dashboard, and runs once
the dashboard is back: a save's result is never held up by a collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import fixed_clock
from textual.pilot import Pilot
from tui_helpers import dashboard, make_app, press, run_async, settle

from store import Repository, StickingPoint, open_store
from tui.cli import Collector
from tui.dialogs.form import FormScreen
from tui.screens.dashboard import DIALOG_CLOSED_PAUSE


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector enabled, as in a running app; left as it was found."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_dialog_holds_the_collector_until_it_closes(collector_on: None) -> None:
    collector = Collector()
    collector.dialog(True)
    assert not gc.isenabled()
    collector.dialog(False)
    assert gc.isenabled()
    # Told again that nothing is open: nothing to give back.
    collector.dialog(False)
    assert gc.isenabled()


def test_a_dialog_leaves_the_start_up_pause_alone(collector_on: None) -> None:
    """Start-up pauses the collector until the first screen, then freezes what it built;
    a dialog opened meanwhile must not end the pause early."""
    collector = Collector()
    collector.pause()
    collector.dialog(True)
    collector.dialog(False)
    assert not gc.isenabled()
    collector.resume()
    assert gc.isenabled()


async def _pause_past_the_dialog(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.pause(DIALOG_CLOSED_PAUSE * 3)
    await settle(pilot)


@run_async
async def test_the_dashboard_says_when_a_dialog_opens_and_once_it_has_closed(
    seeded: Repository, store_path: Path
) -> None:
    told: list[bool] = []
    app = make_app(seeded, on_dialog=told.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert told == []
        await press(pilot, "3")
        point = dashboard(app).selected()
        assert isinstance(point, StickingPoint) and point.status.value != "bridged"
        await press(pilot, "s")
        assert isinstance(app.screen, FormScreen)
        assert told == [True]
        await press(pilot, "b", "ctrl+s")
        await _pause_past_the_dialog(pilot)
        assert told == [True, False]
        # A dialog closed without saving is the same.
        await press(pilot, "s", "escape")
        await _pause_past_the_dialog(pilot)
        assert told == [True, False, True, False]
    with open_store(store_path, clock=fixed_clock) as fresh:
        assert fresh.get_as(StickingPoint, point.id).status.value == "bridged"
