"""Reading the talks: search everything, compare two dates, trends of firmness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import fixed_clock
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import (
    SEED_TRACK,
    Compare,
    dashboard,
    make_app,
    one_size,
    press,
    run_async,
    screen_text,
    settle,
    shoot,
    type_fast,
)

from store import Firmness, Position, Repository, StickingPoint, open_store
from store.exchange.seed import seed
from store.reading.compare import compare, news_window
from store.reading.search import search
from store.reading.trends import (
    LEVEL,
    Convergence,
    convergence,
    default_since,
    firmness_history,
    gap,
)
from store.records.commands import Commands
from tui.app import ParleyApp
from tui.dialogs.compare import CompareScreen
from tui.dialogs.search import SearchScreen
from tui.trends import gap_text, strip
from tui.views.base import TableView
from tui.views.details import POSITIONS_SHOWN, point_detail

# A word found in one field of one record of the seed, and nowhere else.
ONLY_IN = {
    "stance": ("hostilities", "position", "israel-permanent-ceasefire-2024-08-21"),
    "quote": ("sincere", "assessment", "doster-2024-08-21"),
    "outcome": ("delegations", "round", "doha-round-2024-08"),
    "source title": ("mideast", "source", "xinhua-2024-08-21-blinken-tour"),
}
SIZES_3 = [(80, 24), (120, 40), (200, 50)]
SIZE_IDS_3 = ["80x24", "120x40", "200x50"]
sizes_3 = pytest.mark.parametrize("size", SIZES_3, ids=SIZE_IDS_3)


# -- search --------------------------------------------------------------------------


@pytest.mark.parametrize("field", list(ONLY_IN))
def test_a_word_in_one_field_finds_its_record(seeded: Repository, field: str) -> None:
    word, kind, record_id = ONLY_IN[field]
    results = search(seeded, word.upper())
    assert [(f.kind, f.record_id) for f in results.found] == [(kind, record_id)]
    found = results.found[0]
    assert found.field == ("title" if field == "source title" else field)
    assert word in found.passage.casefold()


def test_search_wants_every_word_and_ranks_names_first(seeded: Repository) -> None:
    # Both words are in the tour's outcome or title; "qatar" alone is in many records.
    alone = search(seeded, "qatar")
    both = search(seeded, "qatar zzzznotaword")
    assert alone.total > 1 and both.total == 0
    named = search(seeded, "philadelphi")
    assert named.found[0].in_name and named.found[0].record_id == "philadelphi-corridor"


def test_search_sees_a_write(seeded: Repository) -> None:
    assert search(seeded, "quixotic").total == 0
    Commands(seeded).edit("point", "philadelphi-corridor", {"description": "A quixotic demand."})
    assert [f.record_id for f in search(seeded, "quixotic").found] == ["philadelphi-corridor"]


def test_curly_and_straight_quotes_find_each_other(seeded: Repository) -> None:
    # The seed's source prints "Won’t"; typed with ' or ’, the words find it.
    source = ("source", "xinhua-2024-08-21-blinken-tour")
    typed = search(seeded, "WON'T resolve")
    assert source in [(f.kind, f.record_id) for f in typed.found]
    assert typed.found == search(seeded, "won’t resolve").found
    # And the other way round: a straight apostrophe stored, a curly one typed.
    Commands(seeded).edit(
        "point", "philadelphi-corridor", {"description": "Israel's quixotic line."}
    )
    found = search(seeded, "israel’s quixotic").found
    assert [f.record_id for f in found] == ["philadelphi-corridor"]
    assert "Israel's quixotic" in found[0].passage


async def _shown(pilot: Pilot[None], kind: str, record_id: str) -> None:
    """The dashboard shows the record: the view listing it has its cursor on it. The
    tab switch and the cursor land a refresh or two after the dialog closed, later on
    a busy machine than Pilot's wait for an idle app: up to two seconds is allowed."""
    app = pilot.app
    assert isinstance(app, ParleyApp)
    for _ in range(40):
        view = dashboard(app).active_view
        record = view.selected()
        if record is not None and (record.kind, record.id) == (kind, record_id):
            return
        await pilot.pause(0.05)
    assert record is not None and (record.kind, record.id) == (kind, record_id), view.key


@run_async
async def test_the_search_screen_opens_what_a_word_finds(seeded: Repository) -> None:
    """`f`, a word found in one field of one record (each of ``ONLY_IN`` in turn, on one
    app), Enter: the dashboard shows that record. Reading writes nothing."""
    changes = len(seeded.history())
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for field, (word, kind, record_id) in ONLY_IN.items():
            await press(pilot, "f")
            assert isinstance(app.screen, SearchScreen), field
            await type_fast(pilot, word)
            assert "1 record holds every word" in screen_text(app), field
            await press(pilot, "enter")
            assert not isinstance(app.screen, SearchScreen), field
            await _shown(pilot, kind, record_id)
    assert len(seeded.history()) == changes  # reading writes nothing


# A word of each field as above, and a word with a straight apostrophe that finds the
# curly one the seed's source prints ("Won’t").
PALETTE_WORDS = {
    **ONLY_IN,
    "straight apostrophe": ("won't resolve", "source", "xinhua-2024-08-21-blinken-tour"),
}


@run_async
async def test_the_palette_opens_what_a_word_finds(seeded: Repository) -> None:
    """ctrl+p and a word (each of ``PALETTE_WORDS`` in turn, on one app): one command,
    and Enter shows its record on the dashboard, a curly apostrophe found by a straight
    one typed."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for field, (word, kind, record_id) in PALETTE_WORDS.items():
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette), field
            keys = {" ": "space", "'": "apostrophe"}
            await pilot.press(*(keys.get(c, c) for c in word))
            command_list = app.screen.query_one(CommandList)
            for _ in range(100):
                await pilot.pause(0.02)
                if command_list.option_count:
                    break
            assert command_list.option_count == 1, field
            await press(pilot, "enter")
            await settle(pilot)
            await _shown(pilot, kind, record_id)


@run_async
async def test_the_palette_reaches_compare_and_search(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for words, screen in (("search every", SearchScreen), ("compare two", None)):
            await press(pilot, "ctrl+p", *words)
            await pilot.pause(0.2)
            await press(pilot, "enter")
            if screen is not None:
                assert isinstance(app.screen, screen)
            else:
                assert "Compare two dates" in screen_text(app)
            await press(pilot, "escape")


# -- compare two dates -----------------------------------------------------------------


def _in(day: date) -> bool:
    return date(2024, 8, 16) < day <= date(2024, 8, 21)


def test_compare_the_seed_16_to_21_august(seeded: Repository) -> None:
    """The tour, the bridging proposal and Israel's acceptance of it, the positions,
    status changes and events dated after the 16th up to the 21st; nothing dated
    before (the Doha round, its joint statement, the death toll), and no pending
    response (Hamas's), which is no change."""
    result = compare(seeded, SEED_TRACK, date(2024, 8, 16), date(2024, 8, 21))
    ids = {key: [(c.kind, c.record_id) for c in result.section(key)] for key in ("rounds",)}
    assert ids["rounds"] == [("round", "blinken-tour-2024-08")]
    proposals = result.section("proposals")
    assert [c.actor_id for c in proposals] == [None, "israel"]
    assert proposals[1].text.startswith("Israel: accepted")
    positions = seeded.positions(SEED_TRACK)
    assert sorted(c.record_id for c in result.section("positions")) == sorted(
        p.id for p in positions if _in(p.date)
    )
    assert len(result.section("positions")) == 12
    assert sorted(c.record_id for c in result.section("events")) == sorted(
        e.id for e in seeded.events(SEED_TRACK) if _in(e.date)
    )
    status = [(c.record_id, c.date) for c in result.section("status")]
    assert status == [
        ("hostage-release-deal", date(2024, 8, 20)),
        ("dismantling-hamas", date(2024, 8, 21)),
        ("permanent-vs-temporary-ceasefire", date(2024, 8, 21)),
        ("philadelphi-corridor", date(2024, 8, 21)),
    ]
    assert result.section("status")[0].text.endswith("narrowing → open")
    everything = {c.record_id for c in result.changes}
    for before in ("doha-round-2024-08", "doha-joint-statement-2024-08-16"):
        assert before not in everything
    assert "gaza-death-toll-40000-2024-08-15" not in everything
    assert not any(c.actor_id == "hamas" for c in proposals)
    assert all(_in(c.date) for c in result.changes)
    # Each change cites what its own record, log entry or response cites.
    assert all(c.source_ids for c in result.changes)


def test_compare_tells_firmness_before_and_after(seeded: Repository) -> None:
    Commands(seeded).put(
        [
            Position(
                id="israel-philadelphi-2024-08-25",
                track_id=SEED_TRACK,
                point_id="philadelphi-corridor",
                actor_id="israel",
                date=date(2024, 8, 25),
                stance="Ready to thin out the troops on the corridor.",
                gist="fewer troops",
                firmness=Firmness.CONDITIONAL,
                source_ids=["xinhua-2024-08-21-blinken-tour"],
            )
        ]
    )
    result = compare(seeded, SEED_TRACK, date(2024, 8, 21), date(2024, 8, 31))
    [change] = result.changes
    assert change.text.startswith("demand → conditional")
    # Dates given the other way round compare the same window.
    assert compare(seeded, SEED_TRACK, date(2024, 8, 31), date(2024, 8, 21)) == result


@run_async
async def test_the_compare_screen_from_the_form(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        app.screen.query_one("#field-start", Input).value = "2024-08-16"
        app.screen.query_one("#field-end", Input).value = "2024-08-21"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CompareScreen)
        text = screen_text(app)
        assert "Blinken's ninth Middle East tour" in text
        assert "Israel: accepted" in text
        assert "Doha round" not in text
        # Other dates, from the screen itself.
        await press(pilot, "C")
        app.screen.query_one("#field-start", Input).value = "2024-08-14"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CompareScreen)
        assert "Doha round" in screen_text(app)


@run_async
async def test_the_compare_form_refuses_a_bad_date(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        form = app.screen
        form.query_one("#field-end", Input).value = "2024-02-30"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert "'2024-02-30' is not an ISO date" in screen_text(app)


# -- trends ----------------------------------------------------------------------------


def test_levels_run_from_accepting_to_red_lines() -> None:
    assert LEVEL[Firmness.ACCEPTED] < LEVEL[Firmness.FLEXIBLE] < LEVEL[Firmness.CONDITIONAL]
    assert LEVEL[Firmness.CONDITIONAL] < LEVEL[Firmness.DEMAND] < LEVEL[Firmness.RED_LINE]
    assert LEVEL[Firmness.REJECTED] == LEVEL[Firmness.RED_LINE]


def test_gap_is_the_two_firmest_added() -> None:
    assert gap([]) is None and gap([3]) is None
    assert gap([0, 0]) == 0
    assert gap([1, 4, 2]) == 6


def _position(n: int, actor: str, day: date, firmness: Firmness) -> Position:
    return Position(
        id=f"trend-{n}",
        track_id=SEED_TRACK,
        point_id="philadelphi-corridor",
        actor_id=actor,
        date=day,
        stance="A stance.",
        firmness=firmness,
        source_ids=["xinhua-2024-08-21-blinken-tour"],
    )


def test_the_history_and_the_reading_of_a_point(seeded: Repository) -> None:
    commands = Commands(seeded)
    later = date(2024, 9, 10)
    commands.put([_position(1, "israel", date(2024, 9, 1), Firmness.CONDITIONAL)])
    commands.put([_position(2, "hamas", date(2024, 9, 5), Firmness.FLEXIBLE)])
    history = firmness_history(seeded, SEED_TRACK, later)
    levels = [s.level for s in history[("philadelphi-corridor", "israel")]]
    assert levels == [LEVEL[Firmness.DEMAND], LEVEL[Firmness.CONDITIONAL]]
    reading = convergence(seeded, SEED_TRACK, later, since=date(2024, 8, 25))
    point = reading["philadelphi-corridor"]
    # 21 Aug: demand 3 + rejected 4; now conditional 2 + flexible 1.
    assert (point.gap_then, point.gap, point.reading) == (7, 3, "narrowing")
    assert gap_text(point) == "3 ↓7"
    # As of a day before the new positions, nothing moved.
    before = convergence(seeded, SEED_TRACK, date(2024, 8, 30), since=date(2024, 8, 25))
    assert before["philadelphi-corridor"].reading == "unchanged"
    # A point where one party has spoken has no reading.
    assert reading["hostage-release-deal"].gap is not None
    assert Convergence("x", None, later, None).reading == "no reading"


def test_a_widening_gap(seeded: Repository) -> None:
    Commands(seeded).put([_position(3, "israel", date(2024, 9, 1), Firmness.RED_LINE)])
    point = convergence(seeded, SEED_TRACK, date(2024, 9, 2), since=date(2024, 8, 25))
    assert point["philadelphi-corridor"].reading == "widening"
    assert gap_text(point["philadelphi-corridor"]) == "8 ↑7"


def test_the_default_day_compared_with(seeded: Repository) -> None:
    # The week up to the latest news (the 21st) began before the first position: that one.
    assert default_since(seeded, SEED_TRACK, date(2024, 8, 21)) == date(2024, 8, 19)


def test_the_gap_is_read_against_the_week_up_to_the_latest_news(tmp_path: Path) -> None:
    # Reckoned from the data, not the clock: two years on, still the week up to the
    # latest dated record (a position of the 26th), 19-26 Aug 2024.
    with open_store(
        tmp_path / "late.json", clock=lambda: datetime(2026, 11, 7, tzinfo=UTC)
    ) as repo:
        seed(repo)
        Commands(repo).put([_position(1, "israel", date(2024, 8, 26), Firmness.RED_LINE)])
        assert default_since(repo, SEED_TRACK) == date(2024, 8, 19)
        assert default_since(repo, SEED_TRACK, date(2024, 10, 1)) == date(2024, 8, 19)
        reading = convergence(repo, SEED_TRACK)["philadelphi-corridor"]
        assert reading.since == date(2024, 8, 19)
        assert news_window(repo, SEED_TRACK) == (date(2024, 8, 19), date(2024, 8, 26))
        # As of a day before it, the week up to the news known by then.
        assert news_window(repo, SEED_TRACK, date(2024, 8, 25)) == (
            date(2024, 8, 14),
            date(2024, 8, 21),
        )


def test_the_strip_shows_the_latest_steps(seeded: Repository) -> None:
    history = firmness_history(seeded, SEED_TRACK)
    assert strip(history[("hostage-release-deal", "hamas")]) == "██"
    assert strip(history[("hostage-release-deal", "israel")]) == "▁"
    many = history[("hostage-release-deal", "hamas")] * 5
    assert strip(many) == "…██████"


@run_async
async def test_the_matrix_shows_every_party_and_mediator(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        board = dashboard(app).active_view.query_one("#matrix")
        assert [c.label for c in board.columns] == [  # type: ignore[attr-defined]
            "Sticking point",
            "Status",
            "Gap",
            "Israel",
            "Hamas",
            "United States",
            "Egypt",
            "Qatar",
        ]
        # Too wide for 80 columns: it scrolls sideways to the last, the title kept.
        await press(pilot, *["right"] * 7)
        header = next(row for row in screen_text(app).splitlines() if "Sticking point" in row)
        assert "Qatar" in header and "Status" not in header


# -- snapshots -------------------------------------------------------------------------


@sizes_3
def test_positions_with_trends(snap_compare: Compare, seeded: Repository, size: tuple[int, int]):
    assert shoot(snap_compare, seeded, size, "4")


@one_size
def test_compare_screen(snap_compare: Compare, seeded: Repository, size: tuple[int, int]):
    # The form offers the week up to the day in view: 14 to 21 August 2024.
    assert shoot(snap_compare, seeded, size, "C", "ctrl+s")


@one_size
def test_search_screen(snap_compare: Compare, seeded: Repository, size: tuple[int, int]):
    assert shoot(snap_compare, seeded, size, "f", *"blinken")


@run_async
async def test_the_filter_reads_every_column(seeded: Repository) -> None:
    """`/` narrows on any column shown, not only the title: the Rounds' format."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "slash", *"shuttle")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        assert [row.key for row in view.table.rows] == ["blinken-tour-2024-08"]


@run_async
async def test_w_chooses_the_day_the_gap_is_compared_with(seeded: Repository) -> None:
    """On the seed every point's gap is new since the 19th; compared with the 21st, when
    both parties had spoken on every point, it is unchanged."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        board = dashboard(app).active_view.query_one("#matrix")
        gaps = [row.cells[2] for row in board.rows]  # type: ignore[attr-defined]
        assert gaps == ["8 new", "4 new", "5 new", "7 new"]
        await press(pilot, "w")
        app.screen.query_one("#field-since", Input).value = "2024-08-21"
        await press(pilot, "ctrl+s")
        gaps = [row.cells[2] for row in board.rows]  # type: ignore[attr-defined]
        assert gaps == ["8 =", "4 =", "5 =", "7 ="]


@run_async
async def test_the_compare_form_offers_the_week_up_to_the_latest_news(store_path: Path) -> None:
    """Months after the seed's news, the form opens on the week up to it, not on an
    empty week up to today."""
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
    later = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)
    with open_store(store_path, clock=lambda: later) as repo:
        track = "gaza-ceasefire-hostage-talks"
        latest = max([p.date for p in repo.positions(track)] + [e.date for e in repo.events(track)])
        assert repo.today() > latest + timedelta(days=7)
        app = make_app(repo)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "C")
            assert app.screen.query_one("#field-end", Input).value == latest.isoformat()
            start = app.screen.query_one("#field-start", Input).value
            assert start == (latest - timedelta(days=7)).isoformat()
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CompareScreen)
            assert "Positions (0)" not in screen_text(app)


def test_a_points_detail_shows_each_partys_latest_positions_and_counts_the_rest(
    seeded: Repository,
) -> None:
    point = seeded.get_as(StickingPoint, "philadelphi-corridor")
    before = len(seeded.positions(SEED_TRACK, point_id=point.id, actor_id="egypt"))
    added = POSITIONS_SHOWN + 3
    Commands(seeded).put(
        [
            _position(100 + n, "egypt", date(2024, 9, 1) + timedelta(days=n), Firmness.FLEXIBLE)
            for n in range(added)
        ]
    )
    text = point_detail(seeded, seeded.get_as(StickingPoint, point.id)).plain
    assert f"Egypt ({before + added})" in text
    assert f"… {before + added - POSITIONS_SHOWN} earlier" in text
    newest = date(2024, 9, 1) + timedelta(days=added - 1)
    assert newest.isoformat() in text or f"{newest.day} Sep 2024" in text
    oldest_added = date(2024, 9, 1)
    assert oldest_added.isoformat() not in text and "1 Sep 2024" not in text
