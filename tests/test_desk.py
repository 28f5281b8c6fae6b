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
from test_updates import (
    choose_option,
    fill,
    form,
    keys,
    new_ids,
    reopened,
    running,
    save,
    shown_errors,
)
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

from store import Actor, ActorKind, Firmness, PointStatus, Repository, Role, Track, open_store
from store.exchange.export import export_document
from store.exchange.importing import import_json
from store.reading.brief import build_brief
from store.reading.compare import compare, last_day, news_window
from store.reading.desk import BETTER, WORSE, desk, trend
from store.records.commands import Commands
from store.records.drafts import Citation
from tui import config
from tui.brief import plain_text
from tui.config import Config
from tui.dialogs.form import FormScreen
from tui.messages import OpenRecord, ShowAsOf
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.views.base import TableView
from tui.views.overview import OverviewView
from tui.widgets.record_table import RecordTable

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
async def test_a_narrow_desk_keeps_its_titles_whole(three: Repository) -> None:
    """At 80 columns the desk's table keeps the trend, track, latest news, points and
    latest round, the titles whole; the why is read below it. Widened, every column."""
    app = make_app(three)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert [c.label for c in table.columns] == [
            "Trend",
            "Track",
            "Latest news",
            "Open",
            "Dead",
            "Latest round",
        ]
        await press(pilot, "down")
        lines = screen_text(app).splitlines()
        assert any("Sudan: Jeddah talks" in t and "Jeddah first round" in t for t in lines)
        assert any("Aid corridors deadlocked; gap widened on Aid corridors" in t for t in lines)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert len(table.columns) == 9
        assert table.cursor_key == SUDAN
        assert len(table.rows[0].cells) == 9


@run_async
async def test_a_record_found_from_the_desk_opens_on_its_track(three: Repository) -> None:
    """A record found from the desk (ctrl+p) is shown where it is listed, on its track:
    the dashboard, built then, in the desk's place; T brings back the same desk."""
    app = make_app(three)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        desk_screen = app.screen
        assert isinstance(desk_screen, DeskScreen)
        app.post_message(OpenRecord("point", "aid-corridors"))
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == SUDAN
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        assert view.table.cursor_key == "aid-corridors"
        await press(pilot, "T")
        assert app.screen is desk_screen
        assert desk_screen.desk_view.table.cursor_key == SUDAN


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


@run_async
async def test_each_track_proposes_its_own_last_round(three: Repository) -> None:
    """A round added on Gaza is what Gaza's next position proposes it was stated during;
    on Sudan the position form proposes no Gaza round, then the round added there;
    back on Gaza, the Gaza round again."""
    app = make_app(three)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert app.track_id == SEED_TRACK
        await press(pilot, "r", *"Cairo round", "ctrl+s")
        cairo = [r for r in three.rounds(SEED_TRACK) if r.title == "Cairo round"]
        assert len(cairo) == 1
        await press(pilot, "P")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.values()["round_id"] == cairo[0].id
        await press(pilot, "escape")
        await press(pilot, "T", "down", "enter")
        assert app.track_id == SUDAN
        await press(pilot, "P")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.values()["round_id"] is None
        await press(pilot, "escape")
        # A round added on Sudan is Sudan's to propose from then on.
        await press(pilot, "r", *"Jeddah second round", "ctrl+s")
        jeddah = [r for r in three.rounds(SUDAN) if r.title == "Jeddah second round"]
        assert len(jeddah) == 1
        await press(pilot, "P")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.values()["round_id"] == jeddah[0].id
        await press(pilot, "escape", "T", "up", "enter")
        assert app.track_id == SEED_TRACK
        await press(pilot, "P")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.values()["round_id"] == cairo[0].id


@run_async
async def test_the_actors_view_lists_the_tracks_own_actors_first(three: Repository) -> None:
    """On Sudan the Actors view starts with Sudan's parties and mediators, each with its
    role there, then an actor its records name (involved), and lists Gaza's actors
    after them, with none; Hamas selected on Gaza does not stay selected on Sudan: the
    cursor starts at the top."""
    # Egypt, no participant of the Sudan track, is named by one of its events.
    Commands(three).add_event(
        SUDAN,
        title="Cairo hosts Sudanese civilian groups",
        on=date(2023, 5, 16),
        event_kind="statement",
        text="Egypt invites civilian groups to talks of their own.",
        actor_ids=["egypt"],
        cite=Citation(source_ids=["horn-desk-2023-05-18"]),
    )
    app = make_app(three)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5")
        table = dashboard(app).active_view.query_one(RecordTable)
        gaza = [(row.key, row.cells[2]) for row in table.rows[:6]]
        assert gaza[:2] == [("actor:hamas", "party"), ("actor:israel", "party")]
        roles = {row.key: row.cells[2] for row in table.rows}
        assert roles["actor:sudan-army"] == "—"
        assert table.move_to_key("actor:hamas")
        await press(pilot, "T", "down", "enter")
        assert app.track_id == SUDAN
        table = dashboard(app).active_view.query_one(RecordTable)
        assert [(row.key, row.cells[2]) for row in table.rows[:5]] == [
            ("actor:rapid-support", "party"),
            ("actor:sudan-army", "party"),
            ("actor:saudi-arabia", "mediator"),
            ("actor:united-states", "mediator"),
            ("actor:egypt", "involved"),
        ]
        assert {row.key: row.cells[2] for row in table.rows}["actor:hamas"] == "—"
        assert table.cursor_key == "actor:rapid-support"
        assert "Rapid support units" in screen_text(app)


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


@run_async
async def test_a_new_track_makes_its_missing_parties_and_mediators_in_one_step(
    seeded: Repository, store_path: Path
) -> None:
    """`+ track` with parties and a mediator typed as "Name, kind": the actors not stored
    yet are made with the track in one write (a stored one, Egypt, is taken as it is),
    and one undo takes them all back. A kind that is none is refused on its field."""
    before = {kind: set(seeded.ids(kind)) for kind in ("track", "actor")}
    changes = len(seeded.history())
    async with running(seeded) as (app, pilot):
        await keys(pilot, "plus")
        await choose_option(pilot, "track")
        await fill(pilot, "title", "Sudan: Jeddah talks")
        await fill(pilot, "new_parties", "Sudanese Armed Forces, military; RSF, warband")
        await keys(pilot, "ctrl+s")
        errors = shown_errors(form(app))
        assert errors == {
            "new_parties": "'RSF, warband': 'warband' is no actor kind (state, movement, "
            "organisation, coalition, government, armed group, military, paramilitary, "
            "militia, mediator body)"
        }
        with reopened(store_path) as fresh:
            assert len(fresh.history()) == changes
        await fill(
            pilot, "new_parties", "Sudanese Armed Forces, military; Rapid Support Forces, para"
        )
        await fill(pilot, "new_mediators", "Saudi Arabia, state; egypt, state")
        await save(pilot)
        assert app.track_id == "sudan-jeddah-talks"
        with reopened(store_path) as fresh:
            # Three actors and the track, written as one change.
            made_now = fresh.history()[: len(fresh.history()) - changes]
            assert len(made_now) == 4 and {c.batch for c in made_now} == {
                min(c.seq for c in made_now)
            }
            assert new_ids(before["track"], fresh, "track") == ["sudan-jeddah-talks"]
            made = new_ids(before["actor"], fresh, "actor")
            kinds = {a: fresh.get_as(Actor, a).actor_kind for a in made}
            assert kinds == {
                "sudanese-armed-forces": ActorKind.MILITARY,
                "rapid-support-forces": ActorKind.PARAMILITARY,
                "saudi-arabia": ActorKind.STATE,
            }
            track = fresh.get_as(Track, "sudan-jeddah-talks")
            assert track.actors_with(Role.PARTY) == [
                "sudanese-armed-forces",
                "rapid-support-forces",
            ]
            assert track.actors_with(Role.MEDIATOR) == ["saudi-arabia", "egypt"]
        await keys(pilot, "u")
        with reopened(store_path) as fresh:
            assert set(fresh.ids("track")) == before["track"]
            assert set(fresh.ids("actor")) == before["actor"]
