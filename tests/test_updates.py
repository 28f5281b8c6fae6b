"""Updating the store from the keyboard: every quick action and form, end to end.

Each test drives the dashboard with key presses (tab between fields, type into
inputs, pick from lists, ctrl+s to save), then opens the store file afresh and
looks for the change there, so that what is checked is what was written to disk.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from conftest import fixed_clock
from textual import events
from textual.app import App
from textual.keys import KEY_NAME_REPLACEMENTS, REPLACED_KEYS, key_to_character
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Select, TabbedContent, TextArea
from tui_helpers import (
    SECOND_TRACK,
    SEED_TRACK,
    add_second_track,
    dashboard,
    make_app,
    notices,
    run_async,
    screen_text,
    settle,
)

from store import (
    Event,
    Firmness,
    Position,
    Proposal,
    Repository,
    ResponseStatus,
    Round,
    RoundStatus,
    Source,
    StatusEntry,
    StickingPoint,
    open_store,
)
from store.exchange.export import dump_export, export_document
from store.reading.words import capitalised, record_words
from store.records.commands import Commands
from tui.app import ParleyApp
from tui.dialogs.choice import ChoiceScreen
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.history import HistoryScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.widgets.record_table import RecordTable
from tui.widgets.text_block import TextBlock

SOURCE = "xinhua-2024-08-21-blinken-tour"
TODAY = date(2024, 8, 21)
PYTHON = Path(sys.executable)

# -- running the app ---------------------------------------------------------


@asynccontextmanager
async def running(
    repo: Repository, *, poll: bool = False, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[ParleyApp, Pilot[None]]]:
    app = make_app(repo, poll=poll)
    # Focusing a field scrolls it into view; without animation the test needn't wait.
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


@contextmanager
def reopened(path: Path) -> Iterator[Repository]:
    """The store as a fresh process would find it on disk."""
    with open_store(path, clock=fixed_clock) as repo:
        yield repo


def store_files(path: Path) -> dict[str, bytes]:
    """Every byte of the store: snapshot, journal and history (the lock file holds none)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(path.parent.glob(path.name + "*"))
        if not p.name.endswith(".lock")
    }


# -- keyboard helpers --------------------------------------------------------


async def keys(pilot: Pilot[None], *pressed: str) -> None:
    await pilot.press(*pressed)
    await settle(pilot)


async def send(pilot: Pilot[None], *pressed: str) -> None:
    """Press keys in one go, then wait for the app to handle them.

    These are the key events ``pilot.press`` sends, posted to the app in the same order
    as its driver posts them, only without waiting for the app to go idle after every key: that
    wait costs tens of milliseconds a key, and a test types hundreds. Keys that run
    a binding (tab, enter, ctrl+u) reach it later than typed characters reach an
    input, so one call sends keys of one sort only: bindings, or text.
    """
    app = pilot.app
    for key in pressed:
        if len(key) == 1 and not key.isalnum():
            key = key_name(key)
        event = events.Key(key, key_to_character(REPLACED_KEYS.get(key, key)))
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause()


def key_name(character: str) -> str:
    """The key Textual names for a character that is not a letter or a digit: its Unicode
    name in lower case with underscores, shortened as Textual shortens some ("/" is
    "slash"), and "tab" for a tab."""
    if character == "\t":
        return "tab"
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return KEY_NAME_REPLACEMENTS.get(name, name)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key into whatever has focus."""
    await send(pilot, *text)


def form(app: App[Any]) -> FormScreen:
    assert isinstance(app.screen, FormScreen), f"expected a form, found {app.screen!r}"
    return app.screen


def in_field(widget: Widget | None, name: str) -> bool:
    node = widget
    while node is not None:
        if node.id == f"field-{name}":
            return True
        node = node.parent if isinstance(node.parent, Widget) else None
    return False


def tabs_to(app: App[Any], name: str) -> list[str]:
    """The tab presses that take the focus from where it is to the field ``name``."""
    if in_field(app.focused, name):
        return []
    chain = app.screen.focus_chain
    here = chain.index(app.focused) if app.focused in chain else -1
    target = next(i for i, widget in enumerate(chain) if in_field(widget, name))
    return ["tab"] * ((target - here) % len(chain))


async def fill(pilot: Pilot[None], name: str, text: str) -> None:
    """Tab to a text field, clear it with the keyboard and type ``text``."""
    field = form(pilot.app).query_one(f"#field-{name}")
    if isinstance(field, TextArea):
        clear = ["f7", "backspace"] if field.text else []  # select all, delete
    else:
        clear = ["end", "ctrl+u"]  # delete everything left of the cursor
    # A form just opened gives its first field the focus after a refresh: tabs counted
    # before then would be one too many.
    for _ in range(100):
        if pilot.app.focused in pilot.app.screen.focus_chain:
            break
        await pilot.pause(0.02)
    await send(pilot, *tabs_to(pilot.app, name))
    await send(pilot, *clear)
    await type_text(pilot, text)
    assert pilot.app.focused is field
    shown = field.text if isinstance(field, TextArea) else field.value  # type: ignore[attr-defined]
    assert shown == text, f"{name}: typed {text!r}, the field shows {shown!r}"


async def choose(pilot: Pilot[None], name: str, value: str) -> None:
    """Tab to a drop-down, open it with enter, arrow to ``value`` and take it with enter."""
    select = form(pilot.app).query_one(f"#field-{name}", Select)
    await send(pilot, *tabs_to(pilot.app, name))
    await send(pilot, "enter")
    assert select.expanded, f"{name}: enter did not open the list"
    overlay = select.query_one(OptionList)
    prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    await send(pilot, "home", *["down"] * prompts.index(value), "enter")
    assert select.value == value, f"{name}: chose {value!r}, the field holds {select.value!r}"


async def pick(pilot: Pilot[None], name: str, search: str, expected: str) -> None:
    """In a record chooser: type ``search`` in its search box; enter takes the first match."""
    await send(pilot, *tabs_to(pilot.app, name))
    await type_text(pilot, search)
    await send(pilot, "enter")
    chooser = form(pilot.app).query_one(f"#field-{name}")
    assert expected in chooser.value, f"{name}: {expected!r} not chosen: {chooser.value}"  # type: ignore[attr-defined]


async def tick(pilot: Pilot[None], name: str) -> None:
    """Tab to a check box and tick it with space."""
    await send(pilot, *tabs_to(pilot.app, name))
    await send(pilot, "space")
    assert form(pilot.app).query_one(f"#field-{name}", Checkbox).value


async def save(pilot: Pilot[None]) -> None:
    """ctrl+s, and the form must close: it saved."""
    screen = pilot.app.screen
    await keys(pilot, "ctrl+s")
    if pilot.app.screen is screen and isinstance(screen, FormScreen):
        raise AssertionError(f"the form did not save: {shown_errors(screen)}")


def shown_errors(screen: FormScreen) -> dict[str, str]:
    """The error blocks on show, by field name ("" for the form as a whole)."""
    return {
        (block.id or "").removeprefix("error-"): str(block.content)
        for block in screen.query(".form-error.-shown").results(TextBlock)
    }


async def choose_option(pilot: Pilot[None], option_id: str) -> None:
    """In a ChoiceScreen: arrow down to the option and take it with enter."""
    screen = pilot.app.screen
    assert isinstance(screen, ChoiceScreen)
    options = screen.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    await send(pilot, "home", *["down"] * ids.index(option_id), "enter")
    # The screen the choice opens takes some turns to mount (a form of many fields or
    # a long drop-down more than one): a tab counted against its focus before it has
    # one would move on from where the form then puts it.
    for _ in range(100):
        if pilot.app.screen is not screen and pilot.app.screen.is_mounted and pilot.app.focused:
            return
        await pilot.pause()
    raise AssertionError(f"{option_id}: no screen with a focus opened")


async def cursor_to(pilot: Pilot[None], view: str, key: str) -> None:
    """Show a view by its number key, then arrow its table's cursor to the row ``key``
    (or, on the timeline, whose keys end in a number, the row ``key:<n>``)."""
    number = {"rounds": "2", "points": "3", "actors": "5", "timeline": "6", "sources": "7"}
    await keys(pilot, number[view])
    table = (await dashboard(pilot.app).view(view)).query_one(RecordTable)  # type: ignore[arg-type]
    assert pilot.app.focused is table
    found = [
        i
        for i, row in enumerate(table.rows)
        if row.key == key or (view == "timeline" and row.key.rsplit(":", 1)[0] == key)
    ]
    assert found, f"no row {key!r} in {view}"
    index = found[0]
    if index <= table.row_count // 2:
        await send(pilot, "home", *["down"] * index)
    else:
        await send(pilot, "end", *["up"] * (table.row_count - 1 - index))
    assert table.cursor_row == index, f"the cursor is not on {key!r} in {view}"


def new_ids(before: set[str], after: Repository, kind: str) -> list[str]:
    return [i for i in after.ids(kind) if i not in before]


def notice_text(app: ParleyApp) -> str:
    return " ".join(n.message for n in notices(app))


# -- s: status ---------------------------------------------------------------


@run_async
async def test_status_of_a_point_with_a_source(seeded: Repository, store_path: Path) -> None:
    """`s` on a sticking point: new status, a note, the source chosen by search; saved.
    The point's last status was logged today too: the newer entry still wins."""
    old = seeded.get_as(StickingPoint, "philadelphi-corridor")
    assert old.status_log[-1].date == TODAY
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "points", old.id)
        await keys(pilot, "S")
        assert form(app).form_title == f"Set status: {old.title}"
        await choose(pilot, "status", "narrowing")
        await fill(pilot, "note", "Mediators float a monitored withdrawal")
        await pick(pilot, "source_ids", "xinhua", SOURCE)
        await save(pilot)
    with reopened(store_path) as fresh:
        point = fresh.get_as(StickingPoint, old.id)
    assert point.status == "narrowing"
    assert point.status_log == [
        *old.status_log,
        StatusEntry(
            date=TODAY,
            status="narrowing",
            note="Mediators float a monitored withdrawal",
            source_ids=[SOURCE],
        ),
    ]
    assert point.model_copy(update={"status": old.status, "status_log": old.status_log}) == old


@run_async
async def test_status_of_a_round_needs_a_source_or_no_source(
    seeded: Repository, store_path: Path
) -> None:
    """`s` on a round: without a source the form refuses and writes nothing; "No source" saves."""
    old = seeded.get_as(Round, "blinken-tour-2024-08")
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "rounds", "blinken-tour-2024-08")
        await keys(pilot, "S")
        await choose(pilot, "status", "stalled")
        before = store_files(store_path)
        await keys(pilot, "ctrl+s")
        screen = form(app)  # still open
        errors = shown_errors(screen)
        assert list(errors) == ["source_ids"], errors
        assert "choose a source" in errors["source_ids"]
        assert "choose a source" in screen_text(app)
        assert store_files(store_path) == before
        await tick(pilot, "unsourced")
        await save(pilot)
    with reopened(store_path) as fresh:
        round_ = fresh.get_as(Round, "blinken-tour-2024-08")
    assert round_.status == RoundStatus.STALLED
    assert round_.status_log == [
        *old.status_log,
        StatusEntry(date=TODAY, status="stalled", source_ids=[], unsourced=True),
    ]


# -- p: positions ------------------------------------------------------------


@run_async
async def test_new_positions_sourced_and_unsourced(seeded: Repository, store_path: Path) -> None:
    """`p` on a sticking point presets the point: Israel's sourced position is typed in.
    `p` on a position (in the Timeline) presets point and party: Hamas's, marked unsourced."""
    before = set(seeded.ids("position"))
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "points", "philadelphi-corridor")
        await keys(pilot, "P")
        screen = form(app)
        assert screen.query_one("#field-point_id").value == ["philadelphi-corridor"]  # type: ignore[attr-defined]
        await pick(pilot, "actor_id", "Israel", "israel")
        await choose(pilot, "firmness", "conditional")
        await fill(pilot, "gist", "troops could thin out")
        await fill(pilot, "stance", "Would reduce forces on the corridor under monitoring.")
        await pick(pilot, "source_ids", "xinhua", SOURCE)
        await save(pilot)

        await cursor_to(pilot, "timeline", "position:hamas-philadelphi-2024-08-21")
        await keys(pilot, "P")
        screen = form(app)
        assert screen.query_one("#field-point_id").value == ["philadelphi-corridor"]  # type: ignore[attr-defined]
        assert screen.query_one("#field-actor_id").value == ["hamas"]  # type: ignore[attr-defined]
        await choose(pilot, "firmness", "red line")
        await fill(pilot, "stance", "No Israeli soldier on the corridor.")
        await tick(pilot, "unsourced")
        await save(pilot)
    with reopened(store_path) as fresh:
        added = [fresh.get_as(Position, i) for i in new_ids(before, fresh, "position")]
    by_actor = {p.actor_id: p for p in added}
    assert sorted(by_actor) == ["hamas", "israel"]
    israel, hamas = by_actor["israel"], by_actor["hamas"]
    assert (israel.point_id, israel.track_id, israel.date) == (
        "philadelphi-corridor",
        SEED_TRACK,
        TODAY,
    )
    assert israel.firmness == Firmness.CONDITIONAL
    assert israel.gist == "troops could thin out"
    assert israel.stance == "Would reduce forces on the corridor under monitoring."
    assert (israel.source_ids, israel.unsourced) == ([SOURCE], False)
    assert (hamas.point_id, hamas.track_id, hamas.date) == (
        "philadelphi-corridor",
        SEED_TRACK,
        TODAY,
    )
    assert hamas.firmness == Firmness.RED_LINE
    assert hamas.stance == "No Israeli soldier on the corridor."
    assert (hamas.source_ids, hamas.unsourced) == ([], True)


# -- r, n, a: round, event, response ------------------------------------------


@run_async
async def test_new_round(seeded: Repository, store_path: Path) -> None:
    """`r`: title, dates, venue, format and a mediator typed in; saved as a round of the track."""
    before = set(seeded.ids("round"))
    async with running(seeded) as (app, pilot):
        await keys(pilot, "2", "R")
        assert form(app).form_title == "New round"
        # The form is taller than the dialog; it opens at the top, the first label in view.
        body = form(app).query_one(".dialog-body")
        assert (body.max_scroll_y > 0, body.scroll_y) == (True, 0)
        await fill(pilot, "title", "Cairo talks")
        await fill(pilot, "start", "2024-08-24")
        await fill(pilot, "end", "2024-08-25")
        await fill(pilot, "venues", "Cairo, Egypt; Alexandria")
        await choose(pilot, "format", "direct")
        await pick(pilot, "mediator_ids", "Egypt", "egypt")
        await save(pilot)
        # Saved, it is selected in the view the form was opened from.
        rounds = (await dashboard(app).view("rounds")).query_one(RecordTable)
        assert (app.focused, rounds.cursor_key) == (rounds, "cairo-talks")
    with reopened(store_path) as fresh:
        (new,) = new_ids(before, fresh, "round")
        round_ = fresh.get_as(Round, new)
    assert new == "cairo-talks"
    assert round_.track_id == SEED_TRACK
    assert round_.title == "Cairo talks"
    assert (round_.start, round_.end) == (date(2024, 8, 24), date(2024, 8, 25))
    assert round_.venues == ["Cairo, Egypt", "Alexandria"]
    assert round_.format == "direct"
    assert round_.status == RoundStatus.SCHEDULED
    assert round_.mediator_ids == ["egypt"]
    assert round_.status_log == [StatusEntry(date=date(2024, 8, 24), status="scheduled")]


@run_async
async def test_new_event_with_a_new_source(seeded: Repository, store_path: Path) -> None:
    """`n`: an event whose source is typed into the new-source fields; both written at once."""
    before_events, before_sources = set(seeded.ids("event")), set(seeded.ids("source"))
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "N")
        assert form(app).form_title == "New event"
        await fill(pilot, "title", "Hamas delegation arrives in Cairo")
        await choose(pilot, "event_kind", "diplomatic")
        await pick(pilot, "actor_ids", "Hamas", "hamas")
        await fill(pilot, "text", "A Hamas delegation met Egyptian mediators.")
        await fill(pilot, "new_outlet", "Example Wire")
        await fill(pilot, "new_title", "Hamas team in Cairo")
        await choose(pilot, "new_source_kind", "wire")
        await save(pilot)
    with reopened(store_path) as fresh:
        (event_id,) = new_ids(before_events, fresh, "event")
        (source_id,) = new_ids(before_sources, fresh, "source")
        event = fresh.get_as(Event, event_id)
        source = fresh.get_as(Source, source_id)
        changes = fresh.history(limit=2)
    assert event.title == "Hamas delegation arrives in Cairo"
    assert (event.date, event.event_kind, event.track_id) == (TODAY, "diplomatic", SEED_TRACK)
    assert event.actor_ids == ["hamas"]
    assert event.text == "A Hamas delegation met Egyptian mediators."
    assert (event.source_ids, event.unsourced) == ([source_id], False)
    assert (source.outlet, source.title, source.published) == (
        "Example Wire",
        "Hamas team in Cairo",
        TODAY,
    )
    assert source.source_kind == "wire"
    # One transaction: both changes carry the number of its first.
    assert changes[0].batch == changes[1].batch == min(c.seq for c in changes)
    assert {(c.record_kind, c.record_id) for c in changes} == {
        ("event", event_id),
        ("source", source_id),
    }


@run_async
async def test_response_to_the_bridging_proposal(seeded: Repository, store_path: Path) -> None:
    """`a`: the proposal and the party still pending (Hamas) come preset; Hamas rejects."""
    old = seeded.get_as(Proposal, "us-bridging-proposal-2024-08")
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "A")
        screen = form(app)
        assert screen.query_one("#field-proposal_id").value == [old.id]  # type: ignore[attr-defined]
        assert screen.query_one("#field-actor_id").value == ["hamas"]  # type: ignore[attr-defined]
        await choose(pilot, "status", "rejected")
        await fill(pilot, "note", "Calls the proposal a reversal of earlier terms")
        await pick(pilot, "source_ids", "xinhua", SOURCE)
        await save(pilot)
    with reopened(store_path) as fresh:
        proposal = fresh.get_as(Proposal, old.id)
    hamas = proposal.response_of("hamas")
    assert hamas is not None
    assert hamas.status == ResponseStatus.REJECTED
    assert hamas.date == TODAY
    assert hamas.note == "Calls the proposal a reversal of earlier terms"
    assert (hamas.source_ids, hamas.unsourced) == ([SOURCE], False)
    assert proposal.response_of("israel") == old.response_of("israel")
    # Hamas's pending stays in its history, before the rejection.
    assert len(proposal.responses) == 3
    assert [r.status for r in proposal.response_history("hamas")] == [
        ResponseStatus.PENDING,
        ResponseStatus.REJECTED,
    ]


@run_async
async def test_typing_in_an_open_drop_down_finds_the_choice(seeded: Repository) -> None:
    """In the response form, enter opens the Response list; typing "rej" reaches rejected."""
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "A")
        select = form(app).query_one("#field-status", Select)
        await send(pilot, *tabs_to(app, "status"))
        await send(pilot, "enter")
        overlay = select.query_one(OptionList)
        await type_text(pilot, "rej")
        assert overlay.highlighted is not None
        assert str(overlay.get_option_at_index(overlay.highlighted).prompt) == "rejected"


# -- +: any other kind -------------------------------------------------------


@run_async
async def test_add_each_other_kind(seeded: Repository, store_path: Path) -> None:
    """`+`, a kind from the list, the form filled minimally, ctrl+s: one record of each kind,
    each added from the view that lists it, which stays on show with the new record selected."""
    before = {kind: set(seeded.ids(kind)) for kind in ADDED}
    selected: dict[str, str] = {}
    async with running(seeded) as (app, pilot):
        tabs = dashboard(app).query_one(TabbedContent)
        for kind, steps in ADDED.items():
            await keys(pilot, VIEW_KEY.get(kind, "1"), "plus")
            shown = tabs.active
            assert isinstance(app.screen, ChoiceScreen)
            await choose_option(pilot, kind)
            assert form(app).form_title.startswith("New "), kind
            for step in steps:
                await step(pilot)
            await save(pilot)
            assert tabs.active == shown, kind
            if kind in VIEW_KEY:
                current = dashboard(app).active_view.selected()
                assert current is not None and current.kind == kind, (kind, current)
                selected[kind] = current.id
    with reopened(store_path) as fresh:
        added = {kind: new_ids(before[kind], fresh, kind) for kind in ADDED}
        assert all(len(ids) == 1 for ids in added.values()), added
        assert selected == {kind: added[kind][0] for kind in VIEW_KEY}
        record = {kind: fresh.get(kind, ids[0]) for kind, ids in added.items()}
    assert record["actor"].model_dump(exclude={"id"}) == {
        "name": "Jordan",
        "actor_kind": "state",
        "aliases": ["Hashemite Kingdom", "Kingdom of Jordan"],
        "description": "",
    }
    assert record["person"].model_dump(exclude={"id"}) == {
        "name": "Ayman Safadi",
        "title": "Foreign minister",
        "actor_id": record["actor"].id,
    }
    source = record["source"]
    assert (source.outlet, source.title, source.published) == (  # type: ignore[attr-defined]
        "Example Daily",
        "Talks to resume",
        TODAY,
    )
    assert source.source_kind == "analysis"  # type: ignore[attr-defined]
    point = record["point"]
    assert isinstance(point, StickingPoint)
    assert (point.title, point.track_id, point.status, point.priority, point.raised) == (
        "Rafah crossing",
        SEED_TRACK,
        "open",
        "medium",
        TODAY,
    )
    proposal = record["proposal"]
    assert isinstance(proposal, Proposal)
    assert (proposal.title, proposal.track_id, proposal.date) == (
        "Egyptian draft",
        SEED_TRACK,
        TODAY,
    )
    assert proposal.by_ids == ["egypt"]
    # Every party of the track starts pending.
    assert [(r.actor_id, r.status) for r in proposal.responses] == [
        ("israel", "pending"),
        ("hamas", "pending"),
    ]
    assessment = record["assessment"]
    assert assessment.model_dump(include={"analyst", "date", "gist", "track_id"}) == {
        "analyst": "A. Analyst",
        "date": TODAY,
        "gist": "Both sides are playing for time.",
        "track_id": SEED_TRACK,
    }
    assert record["track"].model_dump(exclude={"id"}) == {
        "title": "Lebanon border talks",
        "description": "",
        "region": "",
        "started": TODAY,
        "participants": [],
    }


def _steps(*steps: Callable[[Pilot[None]], Awaitable[None]]) -> tuple[Any, ...]:
    return steps


def _fill(name: str, text: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    return lambda pilot: fill(pilot, name, text)


def _choose(name: str, value: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    return lambda pilot: choose(pilot, name, value)


def _pick(name: str, search: str, expected: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    return lambda pilot: pick(pilot, name, search, expected)


# Where each kind is listed (assessments and tracks are added from the overview).
VIEW_KEY = {"actor": "5", "person": "5", "source": "7", "point": "3", "proposal": "6"}

ADDED: dict[str, tuple[Any, ...]] = {
    "actor": _steps(
        _fill("name", "Jordan"),
        _choose("actor_kind", "state"),
        _fill("aliases", "Hashemite Kingdom; Kingdom of Jordan"),
    ),
    "person": _steps(
        _fill("name", "Ayman Safadi"),
        _fill("title", "Foreign minister"),
        _pick("actor_id", "Jordan", "jordan"),
    ),
    "source": _steps(
        _fill("outlet", "Example Daily"),
        _fill("title", "Talks to resume"),
        _choose("source_kind", "analysis"),
    ),
    "point": _steps(_fill("title", "Rafah crossing")),
    "proposal": _steps(_fill("title", "Egyptian draft"), _pick("by_ids", "Egypt", "egypt")),
    "assessment": _steps(
        _fill("analyst", "A. Analyst"), _fill("gist", "Both sides are playing for time.")
    ),
    "track": _steps(_fill("title", "Lebanon border talks")),
}


# -- e, h, H, u: edit, history, undo ------------------------------------------


@run_async
async def test_edit_a_round_then_see_its_history_then_undo(
    seeded: Repository, store_path: Path
) -> None:
    """`e` renames the Doha round (nothing else changes, not even its one venue "Doha,
    Qatar"); `h` shows the change before/after; `u` puts the record back exactly; `H`
    then shows every change in the store, newest first (the undo), each with its
    summary."""
    original = seeded.get_as(Round, "doha-round-2024-08")
    assert original.venues == ["Doha, Qatar"]
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "rounds", original.id)
        await keys(pilot, "e")
        assert form(app).form_title == f"Edit round: {original.title}"
        await fill(pilot, "title", "Doha summit")
        await save(pilot)
        with reopened(store_path) as fresh:
            edited = fresh.get_as(Round, original.id)
        assert edited == original.model_copy(update={"title": "Doha summit"})

        await keys(pilot, "h")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert (history.kind, history.record_id) == ("round", original.id)
        text = screen_text(app)
        assert "History of round Doha summit: 2 change(s), newest first" in text
        assert "Edited round Doha summit (title)" in text
        assert "Added round Doha rou" in text  # the summary, cut to the column
        assert [row.cells[-1] for row in history.query_one(RecordTable).rows] == [
            "Edited round Doha summit (title)",
            f"Added round {original.title}",
        ]
        # The newest change is highlighted: the one field it touched, before and after.
        detail = str(history.query_one("#change-detail", TextBlock).content)
        assert detail.endswith(f"title: {original.title} → Doha summit"), detail
        await keys(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)

        await keys(pilot, "u")
        assert "Undid: edited round Doha summit (title)" in notice_text(app)

        count = len(seeded.history())
        await keys(pilot, "H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert history.record_id is None
        text = screen_text(app)
        assert f"History of everything: {count} change(s), newest first" in text
        table = history.query_one(RecordTable)
        assert table.row_count == count
        summaries = [row.cells[-1] for row in table.rows]
        assert summaries[0] == capitalised(seeded.history(limit=1)[0].summary)
        assert "Added track Gaza ceasefire and hostage-release talks" in summaries
        assert "Added actor Hamas" in summaries
        assert summaries[:2] == [
            "Undid: edited round Doha summit (title)",
            "Edited round Doha summit (title)",
        ]
        await keys(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
    with reopened(store_path) as fresh:
        assert fresh.get_as(Round, original.id) == original
        assert fresh.history(limit=1)[0].summary == "undid: edited round Doha summit (title)"


# -- d: delete ---------------------------------------------------------------


@run_async
async def test_delete_refused_confirmed_declined_and_undone(
    seeded: Repository, store_path: Path
) -> None:
    """`d` on Hamas is refused with who refers to it; on an unreferenced person `n` keeps it,
    `y` deletes it, and `u` brings it back."""
    person = seeded.get("person", "baris-doster")
    async with running(seeded) as (app, pilot):
        before = store_files(store_path)
        await cursor_to(pilot, "actors", "actor:hamas")
        await keys(pilot, "d")
        assert isinstance(app.screen, DashboardScreen), "no confirmation for a referenced record"
        message = notice_text(app)
        users = seeded.referrers("actor", "hamas")
        assert message.startswith("Cannot delete actor Hamas: ")
        assert sum(record_words(seeded, r) in message for r in users) == 3
        assert message.endswith(f"; and {len(users) - 3} more refer to it. Nothing was deleted.")
        assert store_files(store_path) == before

        await cursor_to(pilot, "actors", "person:baris-doster")
        await keys(pilot, "d")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Delete person Baris Doster? u undoes it." in screen_text(app)
        await keys(pilot, "n")
        assert isinstance(app.screen, DashboardScreen)
        assert store_files(store_path) == before

        await keys(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await keys(pilot, "y")
        assert isinstance(app.screen, DashboardScreen)
        assert "Deleted person Baris Doster. u undoes it." in notice_text(app)
        with reopened(store_path) as fresh:
            assert not fresh.exists("person", "baris-doster")
            assert fresh.exists("actor", "hamas")

        await keys(pilot, "u")
    with reopened(store_path) as fresh:
        assert fresh.get("person", "baris-doster") == person


def exported_records(path: Path) -> str:
    """The records part of an export of the store on disk, as text."""
    with reopened(path) as fresh:
        return dump_export(export_document(fresh)["records"])


@run_async
async def test_undo_three_times_then_redo_three_times(seeded: Repository, store_path: Path) -> None:
    """`u` three times takes back three writes, `U` and `ctrl+r` bring them back (the
    store's records exported byte for byte as they were), each saying what it did;
    after a new write there is nothing to redo, and it says so and writes nothing."""
    commands = Commands(seeded)
    states = [exported_records(store_path)]
    commands.edit("actor", "hamas", {"description": "first"})
    states.append(exported_records(store_path))
    commands.edit("actor", "hamas", {"description": "second"})
    states.append(exported_records(store_path))
    commands.delete("person", "baris-doster")
    states.append(exported_records(store_path))
    async with running(seeded) as (app, pilot):
        for n in range(3):
            # Written before this session: each asks first.
            await keys(pilot, "u", "y")
            assert exported_records(store_path) == states[2 - n]
        assert "Undid: deleted person Baris Doster" in notice_text(app)
        for n, key in enumerate(("U", "ctrl+r", "U")):
            await keys(pilot, key)
            assert exported_records(store_path) == states[n + 1]
        assert "Redid: deleted person Baris Doster" in notice_text(app)
        await keys(pilot, "u")
        commands.edit("actor", "qatar", {"description": "a new write"})
        before = store_files(store_path)
        await keys(pilot, "U")
        assert notices(app)[-1].message == "Nothing to redo: the last change was not an undo."
        assert store_files(store_path) == before


# -- invalid and cancelled forms write nothing --------------------------------


@run_async
async def test_invalid_then_cancelled_form_writes_nothing(
    seeded: Repository, store_path: Path
) -> None:
    """A round ending before it starts is refused with the reason shown; esc then asks
    whether to discard what was typed, and `y` cancels."""
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        await keys(pilot, "R")
        await fill(pilot, "title", "Backwards round")
        await fill(pilot, "start", "2024-08-24")
        await fill(pilot, "end", "2024-08-22")
        await keys(pilot, "ctrl+s")
        screen = form(app)
        assert shown_errors(screen) == {"end": "end 2024-08-22 is before start 2024-08-24"}
        assert "end 2024-08-22 is before start 2024-08-24" in screen_text(app)
        assert store_files(store_path) == before
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await keys(pilot, "y")
        assert isinstance(app.screen, DashboardScreen)
    assert store_files(store_path) == before
    with reopened(store_path) as fresh:
        assert not fresh.exists("round", "backwards-round")


# -- t: as of ----------------------------------------------------------------


@run_async
async def test_as_of_a_date_and_back(seeded: Repository, store_path: Path) -> None:
    """`t`, 2024-08-16, ctrl+s: the talks as they stood then; `t` or esc return to today."""
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        title = app.sub_title
        assert title == "latest news: 21 Aug 2024 · Gaza ceasefire and hostage-release talks"
        board = (await dashboard(app).view("overview")).query_one("#gap-board", RecordTable)
        assert any("no stated position" not in str(row.cells) for row in board.rows)

        await keys(pilot, "t")
        assert form(app).form_title == "As of"
        await fill(pilot, "date", "2024-08-16")
        await save(pilot)
        assert app.as_of == date(2024, 8, 16)
        # The latest news as it stood that day: the Doha round ending on the 16th.
        gaza = "Gaza ceasefire and hostage-release talks"
        assert app.sub_title == f"as of 2024-08-16 · latest news: 16 Aug 2024 · {gaza}"
        assert "as of 2024-08-16" in screen_text(app)
        # Every position was stated on 19 August or later: none shows as of the 16th.
        assert board.rows
        for row in board.rows:
            assert row.cells[2:] == (("no stated position", "dim italic"),) * 2, row.cells
        assert "no stated position" in screen_text(app)

        await keys(pilot, "t")
        assert app.as_of is None
        assert app.sub_title == title

        await keys(pilot, "t")
        await fill(pilot, "date", "2024-08-16")
        await save(pilot)
        assert app.as_of == date(2024, 8, 16)
        await keys(pilot, "escape")
        assert app.as_of is None
        assert app.sub_title == title
        assert any("no stated position" not in str(row.cells) for row in board.rows)
    assert store_files(store_path) == before  # looking back writes nothing


@run_async
async def test_the_as_of_date_shows_at_80_columns(seeded: Repository) -> None:
    """The header leads with the date, so a narrow terminal cuts the title, not the date."""
    async with running(seeded, size=(80, 24)) as (app, pilot):
        await keys(pilot, "t")
        await fill(pilot, "date", "2024-08-16")
        await save(pilot)
        assert app.as_of == date(2024, 8, 16)
        assert "2024-08-16" in screen_text(app).splitlines()[0]


# -- another process writes while the app is open -----------------------------

WRITER = """
import sys
from datetime import date
from store import Round, Event, open_store

with open_store(sys.argv[1]) as repo:
    if sys.argv[2] == "round":
        repo.add(Round(
            id="cairo-round-2024-08", track_id="gaza-ceasefire-hostage-talks",
            title="Cairo round, late August 2024", start=date(2024, 8, 24),
            format="proximity", status="scheduled",
        ))
    else:
        repo.add(Event(
            id="cairo-talks-resume-2024-08-22", track_id="gaza-ceasefire-hostage-talks",
            date=date(2024, 8, 22), event_kind="diplomatic", title="Cairo talks resume",
            text="Negotiators gather again in Cairo.", unsourced=True,
        ))
"""


async def write_from_another_process(path: Path, what: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(PYTHON), "-c", WRITER, str(path), what, stderr=subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], seconds: float = 3.0) -> float:
    """Let the app run until ``check()`` holds; how long that took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not seen within {seconds} s")
        await pilot.pause(0.1)
    return time.monotonic() - start


@run_async
async def test_other_processes_writes_show_and_an_open_form_keeps_its_text(
    seeded: Repository, store_path: Path
) -> None:
    """With polling on, a round and an event written by another process appear within 3 s;
    a form being filled in meanwhile keeps what was typed, and saves it."""
    async with running(seeded, poll=True) as (app, pilot):
        await cursor_to(pilot, "rounds", "blinken-tour-2024-08")
        table = (await dashboard(app).view("rounds")).query_one(RecordTable)
        assert len(table.rows) == 2
        await write_from_another_process(store_path, "round")
        await wait_until(pilot, lambda: "cairo-round-2024-08" in [r.key for r in table.rows])
        await settle(pilot)
        # The new row on screen, its title cut to the column.
        assert re.search(r"^2024-08-24 +Cairo round", screen_text(app), re.MULTILINE)

        await keys(pilot, "e")
        screen = form(app)
        await fill(pilot, "outcome", "Ended without a breakthrough.")
        await fill(pilot, "title", "Blinken's shuttle tour")
        version = app.version
        await write_from_another_process(store_path, "event")
        await wait_until(pilot, lambda: app.version > version)
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#field-title", Input).value == "Blinken's shuttle tour"
        assert screen.query_one("#field-outcome", TextArea).text == (
            "Ended without a breakthrough."
        )
        assert app.focused is screen.query_one("#field-title", Input)
        await save(pilot)
        # The newest entry of the timeline, at its top.
        await keys(pilot, "6", "g")
        timeline = (await dashboard(app).view("timeline")).query_one(RecordTable)
        assert any(row.key.startswith("event:cairo-talks-resume") for row in timeline.rows)
        assert "Cairo talks resume" in screen_text(app)
    with reopened(store_path) as fresh:
        round_ = fresh.get_as(Round, "blinken-tour-2024-08")
        assert round_.title == "Blinken's shuttle tour"
        assert round_.outcome == "Ended without a breakthrough."
        assert fresh.exists("round", "cairo-round-2024-08")
        assert fresh.exists("event", "cairo-talks-resume-2024-08-22")


# -- one save shows every error ----------------------------------------------


@run_async
async def test_an_empty_position_form_shows_every_error_at_once(
    seeded: Repository, store_path: Path
) -> None:
    """`p` on a sticking point, saved with no party, firmness, stance or source: one ctrl+s
    shows the missing source and each other missing field, each beside its field, and
    writes nothing; with all of them put right, the next ctrl+s saves."""
    before = store_files(store_path)
    positions = set(seeded.ids("position"))
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "points", "philadelphi-corridor")
        await keys(pilot, "P")
        await keys(pilot, "ctrl+s")
        screen = form(app)  # still open
        errors = shown_errors(screen)
        assert "choose a source" in errors.get("source_ids", ""), errors
        assert {"actor_id", "firmness", "stance"} <= set(errors), errors
        assert "" not in errors, errors
        assert store_files(store_path) == before

        # The source alone put right, the others still show.
        await tick(pilot, "unsourced")
        await keys(pilot, "ctrl+s")
        errors = shown_errors(form(app))
        assert "source_ids" not in errors and "unsourced" not in errors, errors
        assert {"actor_id", "firmness", "stance"} <= set(errors), errors
        assert store_files(store_path) == before

        await pick(pilot, "actor_id", "Israel", "israel")
        await choose(pilot, "firmness", "demand")
        await fill(pilot, "stance", "Troops stay on the corridor.")
        await save(pilot)
    with reopened(store_path) as fresh:
        (new,) = new_ids(positions, fresh, "position")
        position = fresh.get_as(Position, new)
    assert (position.actor_id, position.point_id) == ("israel", "philadelphi-corridor")
    assert (position.source_ids, position.unsourced) == ([], True)


@run_async
async def test_a_status_change_shows_the_source_error_with_the_others(
    seeded: Repository, store_path: Path
) -> None:
    """`s` with the date cleared and no source: both errors show from one ctrl+s."""
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "rounds", "blinken-tour-2024-08")
        await keys(pilot, "S")
        await send(pilot, *tabs_to(app, "date"))
        await send(pilot, "end", "ctrl+u")
        await keys(pilot, "ctrl+s")
        errors = shown_errors(form(app))
        assert set(errors) == {"date", "source_ids"}, errors
        assert store_files(store_path) == before


@run_async
async def test_a_response_shows_the_source_error_with_the_others(
    seeded: Repository, store_path: Path
) -> None:
    """`a` with no response chosen and no source: both errors show from one ctrl+s."""
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "A")
        await keys(pilot, "ctrl+s")
        errors = shown_errors(form(app))
        assert set(errors) == {"status", "source_ids"}, errors
        assert store_files(store_path) == before


# -- enter in the history ------------------------------------------------------


async def history_cursor_to(pilot: Pilot[None], summary: str) -> None:
    """In the open history: arrow the cursor to the newest change with that summary."""
    history = pilot.app.screen
    assert isinstance(history, HistoryScreen)
    table = history.query_one(RecordTable)
    index = next(i for i, row in enumerate(table.rows) if row.cells[-1] == summary)
    await send(pilot, "home", *["down"] * index)
    assert table.cursor_row == index


@run_async
async def test_enter_in_the_history_opens_the_changed_record(
    seeded: Repository, store_path: Path
) -> None:
    """`H`, enter on a change of a round of another track: the history closes, the app
    switches to that track and the Rounds view shows with the round selected."""
    add_second_track(seeded)
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        # Two tracks: the desk comes first, esc goes to the first track's dashboard.
        assert isinstance(app.screen, DeskScreen)
        await keys(pilot, "escape")
        assert app.track_id == SEED_TRACK
        await keys(pilot, "H")
        await history_cursor_to(pilot, "Added round Jeddah round one")
        await keys(pilot, "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == SECOND_TRACK
        assert app.sub_title == "latest news: 20 May 2023 · Sudan: Jeddah talks"
        tabs = dashboard(app).query_one(TabbedContent)
        assert tabs.active == "tab-rounds"
        rounds = (await dashboard(app).view("rounds")).query_one(RecordTable)
        assert (app.focused, rounds.cursor_key) == (rounds, "jeddah-round-one")
    assert store_files(store_path) == before


@run_async
async def test_enter_in_the_history_on_a_deleted_record_says_so_and_stays(
    seeded: Repository, store_path: Path
) -> None:
    """Enter on the change that deleted a person: one line says it is gone; the history
    stays open."""
    seeded.delete("person", "baris-doster")
    async with running(seeded) as (app, pilot):
        await keys(pilot, "H")
        history = app.screen
        await history_cursor_to(pilot, "Deleted person Baris Doster")
        await keys(pilot, "enter")
        assert app.screen is history
        assert notice_text(app) == "Person Baris Doster is no longer there: it was deleted."


# -- +: a new track is shown ---------------------------------------------------


@run_async
async def test_a_new_track_is_switched_to(seeded: Repository, store_path: Path) -> None:
    """`+` → track, a title, ctrl+s: the app shows the new (empty) track, as `T` would."""
    before = set(seeded.ids("track"))
    async with running(seeded) as (app, pilot):
        await keys(pilot, "plus")
        await choose_option(pilot, "track")
        assert form(app).form_title == "New track"
        await fill(pilot, "title", "Lebanon border talks")
        await save(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == "lebanon-border-talks"
        assert app.sub_title == "Lebanon border talks"
        assert "Lebanon border talks" in screen_text(app).splitlines()[0]
        assert "Saved track Lebanon border talks" in notice_text(app)
        # The views list the new track's records: none yet.
        await keys(pilot, "2")
        rounds = (await dashboard(app).view("rounds")).query_one(RecordTable)
        assert rounds.rows == []
    with reopened(store_path) as fresh:
        assert new_ids(before, fresh, "track") == ["lebanon-border-talks"]
        assert fresh.get("track", "lebanon-border-talks").label == "Lebanon border talks"


@run_async
async def test_undoing_the_seed_leaves_the_dashboard_running_with_no_track(
    seeded: Repository, store_path: Path
) -> None:
    async with running(seeded, size=(120, 40)) as (app, pilot):
        await keys(pilot, "u", "y")
        await keys(pilot, *"1234567")
        assert app.is_running
        assert app.track_id == ""
        assert "no track yet" in app.sub_title
    with open_store(store_path) as reopened:
        assert reopened.tracks() == []
