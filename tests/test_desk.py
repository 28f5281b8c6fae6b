"""The desk (every track on one screen), the Overview's Since section, and readings
reckoned from the data rather than the clock: driven through the app, checked on the
screen and in the store."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import fixed_clock
from desk_store import PORTS, SUDAN
from textual.widgets import Input
from tui_helpers import (
    SEED_TRACK,
    dashboard,
    make_app,
    press,
    run_async,
    run_cli,
    screen_text,
    settle,
)

from store import Actor, ActorKind, Firmness, PointStatus, Repository, open_store
from store.brief import build_brief
from store.commands import Citation, Commands
from store.compare import compare, last_day, news_window
from store.desk import BETTER, WORSE, desk, trend
from store.exchange import export_document, import_json
from tui import config
from tui.brief import plain_text
from tui.config import Config
from tui.messages import ShowAsOf
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.screens.form import FormScreen
from tui.views.base import TableView
from tui.views.overview import OverviewView

SOURCE = "xinhua-2024-08-21-blinken-tour"
CITE = Citation(source_ids=[SOURCE])


@pytest.fixture
def three(three_tracks: Repository) -> Repository:
    return three_tracks


def test_each_track_reads_one_way_with_its_reason(three: Repository) -> None:
    rows = {r.track.id: r for r in desk(three)}
    # The freshest news first.
    assert [r.track.id for r in desk(three)] == [SEED_TRACK, SUDAN, PORTS]
    sudan, ports, gaza = rows[SUDAN], rows[PORTS], rows[SEED_TRACK]
    assert (sudan.trend, sudan.why) == (
        WORSE,
        "Aid corridors deadlocked; gap widened on Aid corridors",
    )
    assert (ports.trend, ports.why) == (
        BETTER,
        "Joint inspections narrowing; gap narrowed on Joint inspections",
    )
    # The hostage deal went from narrowing back to open on the 20th.
    assert (gaza.trend, gaza.why) == (WORSE, "Hostage-release deal open")
    assert sudan.window == (date(2023, 5, 11), date(2023, 5, 18))
    assert (sudan.open_points, sudan.deadlocked, sudan.changes) == (0, 1, 2)
    assert sudan.latest_round is not None and sudan.latest_round.id == "jeddah-first-round"


@pytest.mark.parametrize("as_of", [None, date(2024, 8, 20), date(2023, 5, 14)])
def test_the_desk_reads_each_track_as_its_own_reading_does(
    three: Repository, as_of: date | None
) -> None:
    """The desk reads every track's positions, events and assessments in one pass over
    the stored documents, not their models: each line still says what the track's own
    readings say (its latest news, the changes compare finds, the trend from models)."""
    Commands(three).create(
        "assessment",
        {"analyst": "A regional analyst", "date": date(2023, 5, 17), "gist": "Terms harden."},
        track_id=SUDAN,
        cite=Citation(source_ids=["horn-desk-2023-05-18"]),
    )
    for row in desk(three, as_of):
        start, end = news_window(three, row.track.id, as_of)
        assert row.latest_news == last_day(three, row.track.id, as_of)
        assert row.window == (start, end)
        assert row.changes == len(compare(three, row.track.id, start, end).changes)
        assert (row.trend, row.why) == trend(three, row.track.id, start, end)
    assert desk(three)[1].changes == 3  # Sudan: the status change, a position, the analyst


@run_async
async def test_the_desk_opens_first_and_enter_opens_a_track(three: Repository) -> None:
    app = make_app(three)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        text = screen_text(app)
        assert "Parley — every track" in text
        for words in ("↓ worse", "Sudan: Jeddah talks", "↑ better", "18 May 2023"):
            assert words in text
        assert "Aid corridors deadlocked; gap" in text
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == SUDAN
        assert "latest news: 18 May 2023 · Sudan: Jeddah talks" in screen_text(app)
        # T brings the desk back, the cursor on the track in view; esc goes back.
        await press(pilot, "T")
        assert isinstance(app.screen, DeskScreen)
        assert app.screen.desk_view.table.cursor_key == SUDAN
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == SUDAN
        # `/` filters like every list; enter on what is left opens it.
        await press(pilot, "T", "slash", *"port", "enter", "enter")
        assert app.track_id == PORTS
    # Reading the desk wrote nothing.
    assert len(three.history()) == len(open_store(three.path, clock=fixed_clock).history())


@run_async
async def test_one_track_opens_on_its_dashboard_and_a_setting_chooses(
    seeded: Repository,
) -> None:
    async with make_app(seeded).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, DashboardScreen)
    app = make_app(seeded, config=Config(start="desk"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)


def _since_text(app: object) -> str:
    overview = dashboard(app).active_view  # type: ignore[arg-type]
    assert isinstance(overview, OverviewView)
    return str(overview.query_one(".since").render())


@run_async
async def test_the_week_on_the_overview(seeded: Repository) -> None:
    """A status change, a position and a round recorded: all three in the Since
    section, newest first, with old → new and their footnotes; the board marks them."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = Commands(seeded)
        commands.set_status(
            "point",
            "philadelphi-corridor",
            PointStatus.DEADLOCKED,
            on=date(2024, 8, 26),
            cite=CITE,
        )
        commands.record_position(
            track_id=SEED_TRACK,
            point_id="philadelphi-corridor",
            actor_id="israel",
            on=date(2024, 8, 25),
            firmness=Firmness.RED_LINE.value,
            stance="Troops stay on the corridor.",
            cite=CITE,
        )
        commands.add_round(
            track_id=SEED_TRACK,
            title="Cairo round",
            start=date(2024, 8, 24),
            status="concluded",
            cite=CITE,
        )
        await settle(pilot)
        text = _since_text(app)
        lines = text.splitlines()
        assert lines[0] == "Since 19 Aug 2024 (the week up to the latest news)"
        assert lines[1].startswith("2024-08-26  status   [1]  Philadelphi Corridor")
        assert "open → deadlocked" in lines[1]
        assert lines[2].startswith("2024-08-25  position [1]  Israel on Philadelphi")
        assert "demand → red line" in lines[2]
        assert lines[3].startswith("2024-08-24  round    [1]  Cairo round (proximity)")
        assert "[1] Xinhua" in text
        board = screen_text(app)
        assert "• Philadelphi" in board and "• red line" in board
        assert "latest news: 26 Aug 2024" in board
    # What the screen shows is what the store holds.
    point = seeded.get("point", "philadelphi-corridor")
    assert point.status == PointStatus.DEADLOCKED  # type: ignore[attr-defined]
    assert seeded.exists("round", "cairo-round")


@run_async
async def test_the_window_moves_with_a_day_and_with_the_last_visit(
    seeded: Repository, tmp_path: Path
) -> None:
    settings = tmp_path / "config.toml"

    def visited(track_id: str, day: date) -> None:
        assert config.remember_visit(settings, track_id, day) is None

    # The first session: the latest news then, the 21st, is kept as seen.
    async with make_app(seeded, on_visit=visited).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert config.load(settings).config.visits == {SEED_TRACK: date(2024, 8, 21)}
    Commands(seeded).set_status(
        "point",
        "philadelphi-corridor",
        PointStatus.DEADLOCKED,
        on=date(2024, 8, 30),
        cite=CITE,
    )
    # The second: W shows what came after the last visit.
    app = make_app(seeded, config=config.load(settings).config, on_visit=visited)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _since_text(app).startswith("Since 23 Aug 2024 (the week up to")
        await press(pilot, "W")
        text = _since_text(app).splitlines()
        assert text[0] == "Since 21 Aug 2024 (your last visit)"
        assert len([t for t in text if t.startswith("2024-")]) == 1
        # w takes any day.
        await press(pilot, "w")
        app.screen.query_one("#field-since", Input).value = "2024-08-19"
        await press(pilot, "ctrl+s")
        assert _since_text(app).startswith("Since 19 Aug 2024 (the day chosen)")
    assert config.load(settings).config.visits == {SEED_TRACK: date(2024, 8, 30)}


@run_async
async def test_before_its_first_status_a_point_is_not_yet_recorded(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(ShowAsOf(date(2024, 8, 17)))
        await settle(pilot)
        row = next(r for r in screen_text(app).splitlines() if "Philadelphi" in r)
        assert "not yet recorded" in row and " open " not in row
        await press(pilot, "3")
        row = next(r for r in screen_text(app).splitlines() if "Philadelphi" in r)
        assert "not yet recorded" in row


@run_async
async def test_the_timeline_lists_status_changes_and_names_the_point(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        text = screen_text(app)
        assert "status" in text and "Hostage-release deal: narrowing → open" in text
        assert "Israel" in text and "Philadelphi Corridor: Israeli troops" in text


def test_brief_all_gives_the_desk_as_text(
    three: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    path = three.path
    three.close()
    code, out, err = run_cli(["--db", str(path), "brief", "--all"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Desk: 3 tracks"
    assert lines[2] == "↓ worse   Gaza ceasefire and hostage-release talks"
    sudan = lines.index("↓ worse   Sudan: Jeddah talks")
    assert lines[sudan + 1].strip() == "Aid corridors deadlocked; gap widened on Aid corridors"
    assert "0 open, 1 deadlocked · 2 changes since 11 May 2023" in lines[sudan + 2]
    assert "↑ better  Port inspection talks" in lines
    code, _, err = run_cli(["--db", str(path), "brief", "--all", "--track", PORTS], capsys)
    assert code != 0 and "--all gives the desk as text" in err


def test_a_response_in_the_window_reads_old_to_new(seeded: Repository) -> None:
    """Responses keep their history: compare and the Since section say what the party's
    answer moved from; the brief gives the latest with its date."""
    Commands(seeded).record_response(
        "us-bridging-proposal-2024-08", "hamas", "rejected", date(2024, 8, 25), cite=CITE
    )
    changes = compare(seeded, SEED_TRACK, date(2024, 8, 21), date(2024, 8, 25)).changes
    said = [c.text for c in changes if c.section == "proposals"]
    assert said == ["Hamas: pending → rejected, US bridging proposal, August 2024"]
    brief = plain_text(build_brief(seeded, SEED_TRACK))
    assert "Hamas (rejected · 2024-08-25)" in brief
    assert "Hamas (pending" not in brief


@run_async
async def test_a_form_on_another_track_never_proposes_this_tracks_source(
    three: Repository,
) -> None:
    """A response saved on Gaza with its source; on Sudan the quick form proposes no
    Gaza source, and its date is Sudan's latest news, as the full form's is."""
    app = make_app(three)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # Gaza, the freshest, is first on the desk
        assert app.track_id == SEED_TRACK
        await press(pilot, "a", "r", "ctrl+s")
        gaza = three.get("proposal", "us-bridging-proposal-2024-08")
        assert gaza.response_of("hamas").source_ids == [SOURCE]  # type: ignore[attr-defined]
        await press(pilot, "T", "down", "enter")
        assert app.track_id == SUDAN
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, FormScreen)
        values = form.values()
        assert SOURCE not in (values.get("source_ids") or [])
        assert values["date"] == "2023-05-18"
        await press(pilot, "escape")
        await press(pilot, "N")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.values()["date"] == "2023-05-18"


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_store_written_before_this_change_opens_unchanged(tmp_path: Path) -> None:
    """A store and its export as written by the Parley before the desk (the seed, an
    organisation and a coalition added): opened now, every record reads as it did,
    and its export is the same record for record, change for change."""
    for name in ("store-6de1483.json", "store-6de1483.json.history"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    path = tmp_path / "store-6de1483.json"
    assert json.loads(path.read_text())["schema"] == 1
    then = json.loads((FIXTURES / "export-6de1483.json").read_text())
    with open_store(path, clock=fixed_clock) as repo:
        now = export_document(repo)
        kinds = {a.id: a.actor_kind for a in repo.list_as(Actor)}
    assert now["records"] == then["records"]
    assert now["changes"] == then["changes"]
    assert kinds["arab-league"] is ActorKind.ORGANISATION
    assert kinds["quartet"] is ActorKind.COALITION
    assert kinds["hamas"] is ActorKind.MOVEMENT
    # The old export imports into a fresh store as it is.
    with open_store(tmp_path / "fresh.json", clock=fixed_clock) as fresh:
        report = import_json(fresh, (FIXTURES / "export-6de1483.json").read_text())
        assert not report.problems
        assert export_document(fresh)["records"] == then["records"]


@run_async
async def test_people_take_part_in_a_round_with_the_actor_they_speak_for(
    three: Repository,
) -> None:
    people = "Antony Blinken (United States), Benjamin Netanyahu (Israel)"
    brief = plain_text(build_brief(three, SEED_TRACK))
    assert f"People: {people}" in " ".join(brief.split())
    app = make_app(three, track_id=SEED_TRACK)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        assert view.table.move_to_key("blinken-tour-2024-08")
        await press(pilot, "enter")
        assert f"People: {people}" in " ".join(screen_text(app).split())
