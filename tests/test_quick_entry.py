"""Quick entry, driven from the keyboard: each form writes exactly what was meant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from conftest import fixed_clock
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import (
    THEME,
    Compare,
    make_app,
    notices,
    one_size,
    press,
    run_async,
    screen_text,
    settle,
    snapshot_keys,
    type_fast,
)

from store import Position, Proposal, Repository, Round, Source, StickingPoint, open_store
from store.records.drafts import NewSource
from tui.app import ParleyApp
from tui.dialogs.corroboration import CorroborationScreen
from tui.dialogs.form import FormScreen
from tui.widgets.key_choice import key_letters
from tui.widgets.picker import Picker, rank

POINT = "philadelphi-corridor"
PROPOSAL = "us-bridging-proposal-2024-08"


@asynccontextmanager
async def running(repo: Repository) -> AsyncIterator[tuple[ParleyApp, Pilot[None]]]:
    app = make_app(repo)
    app.theme = THEME
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        yield app, pilot


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Typed at speed, line by line. A new line in a quick form's text area is ctrl+j
    (Enter moves on to the next field), a binding, pressed between the lines."""
    for number, line in enumerate(text.split("\n")):
        if number:
            await press(pilot, "ctrl+j")
        await type_fast(pilot, line)


def reopened(path: Path) -> Repository:
    return open_store(path, clock=fixed_clock)


def form(app: ParleyApp) -> FormScreen:
    assert isinstance(app.screen, FormScreen), app.screen
    return app.screen


# -- the parts ------------------------------------------------------------------------


def test_names_are_ranked_exact_then_prefix_then_word_then_inside() -> None:
    assert rank("hamas", "Hamas") == 0
    assert rank("ham", "Hamas") == 2
    assert rank("ham", "Dismantling Hamas") == 4
    assert rank("mas", "Hamas") == 6
    assert rank("us", "United States", ["US", "Washington"]) == 1
    assert rank("xyz", "Hamas") is None


def test_every_choice_gets_its_own_key() -> None:
    letters = key_letters(["red line", "demand", "conditional", "flexible", "accepted", "rejected"])
    assert letters == {
        "r": "red line",
        "d": "demand",
        "c": "conditional",
        "f": "flexible",
        "a": "accepted",
        "e": "rejected",
    }
    statuses = key_letters(["scheduled", "under way", "concluded", "stalled", "collapsed"])
    assert sorted(statuses.values()) == sorted(
        ["scheduled", "under way", "concluded", "stalled", "collapsed"]
    )


@pytest.mark.parametrize(
    ("typed", "outlet", "title", "published", "kind"),
    [
        (
            "Reuters, 2024-08-25, wire",
            "Reuters",
            "Reuters report, 2024-08-25",
            "2024-08-25",
            "wire",
        ),
        (
            "Reuters: Talks resume, 2024-08-25, wire",
            "Reuters",
            "Talks resume",
            "2024-08-25",
            "wire",
        ),
        ("wire, 2024-08-25, AP", "AP", "AP report, 2024-08-25", "2024-08-25", "wire"),
        ("Al Jazeera, analysis", "Al Jazeera", "Al Jazeera report", None, "analysis"),
    ],
)
def test_a_new_source_typed_on_one_line(
    typed: str, outlet: str, title: str, published: str | None, kind: str
) -> None:
    assert NewSource.from_text(typed) == NewSource(
        outlet=outlet, title=title, published=published, source_kind=kind
    )


# -- the forms, from the keyboard -------------------------------------------------------


@run_async
async def test_a_position_in_ten_keys_with_a_new_source(
    seeded: Repository, store_path: Path
) -> None:
    """From the Overview: G (the Philadelphi Corridor), p, "ham" ⏎, r, the stance, tab,
    the new source ⏎, ctrl+s. The date follows the new source."""
    async with running(seeded) as (app, pilot):
        await press(pilot, "G", "p")
        assert form(app).form_title == "New position"
        await type_text(pilot, "ham")
        await press(pilot, "enter", "r")
        await type_text(pilot, "No troops on the corridor.")
        await press(pilot, "tab")
        await type_text(pilot, "Reuters, 2024-08-25, wire")
        await press(pilot, "enter", "ctrl+s")
        assert not isinstance(app.screen, FormScreen)
    with reopened(store_path) as fresh:
        [position] = [p for p in fresh.list_as(Position) if p.date.isoformat() == "2024-08-25"]
        assert (position.point_id, position.actor_id, position.firmness.value) == (
            POINT,
            "hamas",
            "red line",
        )
        assert position.stance == "No troops on the corridor."
        # No round was held that day.
        assert position.round_id is None
        source = fresh.get_as(Source, position.source_ids[0])
        assert (source.outlet, source.published.isoformat(), source.source_kind.value) == (
            "Reuters",
            "2024-08-25",
            "wire",
        )


@run_async
async def test_the_round_follows_the_date(seeded: Repository, store_path: Path) -> None:
    """The same keys with a source of 19 August: the date follows the source, and the
    round the date, the day of Blinken's tour; a date no round holds empties it."""
    async with running(seeded) as (app, pilot):
        await press(pilot, "G", "p")
        await type_text(pilot, "ham")
        await press(pilot, "enter", "r")
        await type_text(pilot, "No troops on the corridor.")
        await press(pilot, "tab")
        await type_text(pilot, "Reuters, 2024-08-19, wire")
        await press(pilot, "enter")
        assert form(app).values()["round_id"] == "blinken-tour-2024-08"
        assert "During round" in screen_text(app)
        date = form(app).query_one("#field-date", Input)
        for day, held in (("2024-08-17", None), ("2024-08-15", "doha-round-2024-08")):
            date.value = day
            await settle(pilot)
            assert form(app).values()["round_id"] == held
        date.value = "2024-08-19"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        # The seed holds Hamas's word on the corridor of 19 August: n keeps this one apart.
        assert isinstance(app.screen, CorroborationScreen), app.screen
        await press(pilot, "n")
        assert not isinstance(app.screen, FormScreen | CorroborationScreen)
    with reopened(store_path) as fresh:
        [position] = [p for p in fresh.list_as(Position) if p.stance.startswith("No troops on")]
        assert (position.date.isoformat(), position.round_id) == (
            "2024-08-19",
            "blinken-tour-2024-08",
        )


@run_async
async def test_enter_picks_again_and_again_in_a_multi_picker(
    seeded: Repository, store_path: Path
) -> None:
    """Three mediators by typing and Enter; the status by one key; the source by default."""
    async with running(seeded) as (app, pilot):
        await press(pilot, "r")
        await type_text(pilot, "Cairo round")
        await press(pilot, "tab")
        await type_text(pilot, "2024-08-25")
        await press(pilot, "tab", "tab")
        for typed in ("egy", "qat", "us"):
            await type_text(pilot, typed)
            await press(pilot, "enter")
        picker = app.screen.query_one("#field-mediator_ids", Picker)
        assert picker.value == ["egypt", "qatar", "united-states"]
        assert app.focused is not None and app.focused.parent is picker
        await press(pilot, "enter", "u")
        # The round form has no date to follow the source: a new source is all it takes.
        await type_text(pilot, "Reuters: Cairo talks, 2024-08-25, wire")
        await press(pilot, "enter", "ctrl+s")
        assert not isinstance(app.screen, FormScreen)
    with reopened(store_path) as fresh:
        [cairo] = [r for r in fresh.list_as(Round) if r.title == "Cairo round"]
        assert fresh.get_as(Source, cairo.source_ids[0]).title == "Cairo talks"
        assert cairo.mediator_ids == ["egypt", "qatar", "united-states"]
        assert cairo.status.value == "under way"
        assert cairo.start.isoformat() == "2024-08-25"


@run_async
async def test_a_status_change_cites_the_source_used_last(
    seeded: Repository, store_path: Path
) -> None:
    """After a position citing a new source, `s` on its point needs one key and ctrl+s."""
    async with running(seeded) as (app, pilot):
        await press(pilot, "G", "p")
        await type_text(pilot, "ham")
        await press(pilot, "enter", "d")
        await type_text(pilot, "Troops must leave.")
        await press(pilot, "tab")
        await type_text(pilot, "Reuters: Corridor talks, 2024-08-25, wire")
        await press(pilot, "enter", "ctrl+s")
        await press(pilot, "s")
        assert "Reuters: Corridor talks" in screen_text(app)
        await press(pilot, "d", "ctrl+s")
    with reopened(store_path) as fresh:
        point = fresh.get_as(StickingPoint, POINT)
        entry = point.status_log[-1]
        assert (point.status.value, entry.date.isoformat()) == ("deadlocked", "2024-08-25")
        assert fresh.get_as(Source, entry.source_ids[0]).title == "Corridor talks"


@run_async
async def test_a_response_in_three_keys(seeded: Repository, store_path: Path) -> None:
    """`a` picks the proposal still awaiting an answer and the party that owes it."""
    async with running(seeded) as (app, pilot):
        await press(pilot, "a")
        assert "Proposal" in screen_text(app)
        await press(pilot, "r", "ctrl+s")
    with reopened(store_path) as fresh:
        proposal = fresh.get_as(Proposal, PROPOSAL)
        *earlier, hamas = proposal.response_history("hamas")
        assert [r.status.value for r in earlier] == ["pending"]
        assert hamas.status.value == "rejected"
        assert hamas.source_ids == ["xinhua-2024-08-21-blinken-tour"]


@run_async
async def test_no_source_is_said_in_the_source_picker(seeded: Repository, store_path: Path) -> None:
    """An event with no source: backspace lets go of the default, "no source" ⏎ says so."""
    async with running(seeded) as (_, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Delegations arrive")
        await press(pilot, "tab", "s")
        await type_text(pilot, "Hamas")
        await press(pilot, "enter", "enter")
        await type_text(pilot, "They arrived.\nBoth of them.")
        await press(pilot, "tab")
        await type_text(pilot, "no source")
        await press(pilot, "enter", "ctrl+s")
    with reopened(store_path) as fresh:
        [event] = [e for e in fresh.list("event") if e.title == "Delegations arrive"]
        assert event.unsourced and event.source_ids == []  # type: ignore[attr-defined]
        assert event.text == "They arrived.\nBoth of them."  # type: ignore[attr-defined]
        assert event.actor_ids == ["hamas"]  # type: ignore[attr-defined]


@run_async
async def test_a_failed_quick_save_writes_nothing_and_says_why(
    seeded: Repository, store_path: Path
) -> None:
    before = {p.id for p in seeded.list_as(Position)}
    async with running(seeded) as (app, pilot):
        await press(pilot, "G", "p", "ctrl+s")
        text = screen_text(app)
        assert isinstance(app.screen, FormScreen)
        assert "required" in text or "choose one" in text
        assert not notices(app)
    with reopened(store_path) as fresh:
        assert {p.id for p in fresh.list_as(Position)} == before


# -- snapshots ----------------------------------------------------------------------------

QUICK_FORMS = {
    "position-empty": ("G", "p"),
    "position-filled": ("G", "p", *"ham", "enter", "r", *"No troops.", "tab", *"Reuters, 2"),
    "position-error": ("G", "p", "ctrl+s"),
    "round-filled": ("r", *"Cairo", "tab", "tab", "tab", *"egy", "enter", *"qa"),
    "status": ("G", "s"),
    "response": ("a",),
}


@one_size
@pytest.mark.parametrize("name", list(QUICK_FORMS))
def test_quick_form(
    snap_compare: Compare, seeded: Repository, name: str, size: tuple[int, int]
) -> None:
    """Each quick form: empty, filled as the user types, and saved with what is missing."""
    assert snap_compare(
        make_app(seeded), terminal_size=size, run_before=snapshot_keys(*QUICK_FORMS[name])
    )
