"""The dashboard driven from the keyboard, as a person would use it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.screen import ModalScreen
from textual.widgets import TabbedContent
from tui_helpers import (
    SECOND_TRACK,
    SEED_TRACK,
    add_second_track,
    dashboard,
    make_app,
    notices,
    press,
    run_async,
    screen_text,
    seeded_store,
    settle,
)

from store import Position, Repository, Source
from store.exchange.seed import seed
from store.reading.words import describe
from tui.app import ParleyApp
from tui.compat.private import footer_key_class
from tui.compat.styles_cache import styles_cache_class
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.views.base import FilterInput, TableView, View
from tui.widgets.text_view import TextView

FooterKey = footer_key_class()

# Number key -> view key, and a text only that view shows on the seed track.
VIEWS = [
    ("2", "rounds", "Doha round, mid-August 2024"),
    ("3", "points", "Hostage-release deal"),
    ("4", "positions", "United States"),
    ("5", "actors", "Antony Blinken"),
    ("6", "timeline", "every actor"),
    ("7", "sources", "Xinhua News Agency"),
    ("1", "overview", "Gap board: each party's latest stance"),
]


@pytest.fixture
def app(seeded: Repository) -> ParleyApp:
    return make_app(seeded)


def alive(cls: type) -> int:
    """Objects of a class still reachable once the collector has run."""
    gc.collect()
    return sum(isinstance(o, cls) for o in gc.get_objects())


def detail_text(app: ParleyApp) -> str:
    """What the active view's detail pane says."""
    view = dashboard(app).active_view
    return str(view.query_one(".detail", TextView).content)


@run_async
async def test_number_keys_reach_every_view(app: ParleyApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = dashboard(app)
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "tab-overview"
        for key, view_key, text in VIEWS:
            await press(pilot, key)
            assert tabs.active == f"tab-{view_key}", key
            view = screen.active_view
            assert view.key == view_key
            assert view.is_active and view.region.area > 0
            # Every other view is hidden.
            for other in screen.query(View):
                assert other is view or not other.is_active
            # The view's main widget has the keyboard, and the view shows its data.
            assert app.focused is not None and view in app.focused.ancestors_with_self
            assert text in screen_text(app), (view_key, text)


@run_async
async def test_palette_finds_a_sticking_point(app: ParleyApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"philadelphi")
        command_list = app.screen.query_one(CommandList)
        for _ in range(100):
            await pilot.pause(0.02)
            if command_list.option_count:
                break
        assert command_list.option_count >= 1
        first = str(command_list.get_option_at_index(0).prompt)
        assert "Philadelphi Corridor" in first and "(point)" in first
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        view = app.screen.active_view
        assert view.key == "points"
        assert isinstance(view, TableView)
        assert view.table.cursor_key == "philadelphi-corridor"
        assert app.focused is view.table
        detail = detail_text(app)
        assert detail.startswith('Philadelphi Corridor: Israeli troops staying "the day after"')
        assert "Israel (" in detail and "Hamas (" in detail


@run_async
async def test_filter_narrows_rounds_and_esc_clears(app: ParleyApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        table = view.table
        everything = [row.key for row in table.rows]
        assert len(everything) == 2
        await press(pilot, "slash")
        filter_input = view.query_one(FilterInput)
        assert filter_input.display and app.focused is filter_input
        await pilot.press(*"DOHA")
        await settle(pilot)
        assert table.filter_text == "DOHA"
        assert table.row_count == 1 < len(everything)
        assert [row.key for row in table.rows] == ["doha-round-2024-08"]
        assert table.cursor_key == "doha-round-2024-08"
        assert detail_text(app).startswith("Doha round, mid-August 2024")
        text = screen_text(app)
        assert "Doha round, mid" in text and "Blinken's ninth" not in text
        # Nothing matches: the table says so, and nothing is selected.
        await pilot.press(*"zzz")
        await settle(pilot)
        assert table.row_count == 0 and table.cursor_key is None
        assert "Nothing selected." in detail_text(app)
        # With nothing selected, `o` says so rather than failing.
        await press(pilot, "enter", "o")
        assert isinstance(app.screen, DashboardScreen)
        assert any("Select a record first" in n.message for n in notices(app))
        await press(pilot, "slash")
        await press(pilot, "escape")
        assert table.filter_text == "" and filter_input.value == ""
        assert not filter_input.display
        assert [row.key for row in table.rows] == everything
        assert app.focused is table
        # A second esc is harmless.
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


@run_async
async def test_enter_opens_detail_esc_closes_G_and_g_jump_and_q_quits(app: ParleyApp) -> None:
    """One session at 80x24: enter opens a round's detail and esc closes it on the same
    row; G jumps to the last timeline entry, g back to the first; q ends the app."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "down")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        assert view.table.cursor_key == "blinken-tour-2024-08"
        await press(pilot, "enter")
        assert isinstance(app.screen, ModalScreen)
        text = screen_text(app)
        assert "Blinken's ninth Middle East tour, 19–20 August 2024" in text
        assert "Venues: Israel, Egypt, Qatar" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        assert app.focused is view.table
        assert view.table.cursor_key == "blinken-tour-2024-08"

        await press(pilot, "6")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        table = view.table
        last = table.rows[-1].key
        await press(pilot, "G")
        assert table.cursor_row == table.row_count - 1 and table.cursor_key == last
        assert table.scroll_y > 0
        await press(pilot, "g")
        assert table.cursor_row == 0 and table.scroll_y == 0

        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
        assert not app.is_running


@run_async
async def test_track_switch(tmp_path: Path) -> None:
    repo = seeded_store(tmp_path / "two.json")
    add_second_track(repo)
    app = make_app(repo, track_id=SEED_TRACK)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            # A track asked for opens at once, even where the store holds several.
            assert app.track_id == SEED_TRACK
            gaza = "Gaza ceasefire and hostage-release talks"
            assert app.sub_title == f"latest news: 21 Aug 2024 · {gaza}"
            await press(pilot, "2")
            view = dashboard(app).active_view
            assert isinstance(view, TableView)
            assert len(view.table.rows) == 2
            await press(pilot, "T")
            assert isinstance(app.screen, DeskScreen)
            desk = app.screen.desk_view.table
            assert [row.key for row in desk.rows] == [SEED_TRACK, SECOND_TRACK]
            assert desk.cursor_key == SEED_TRACK
            await press(pilot, "down", "enter")
            assert isinstance(app.screen, DashboardScreen)
            assert app.track_id == SECOND_TRACK
            assert app.sub_title == "latest news: 20 May 2023 · Sudan: Jeddah talks"
            assert "Sudan: Jeddah talks" in screen_text(app).splitlines()[0]
            # The view in front reloads at once; the others when next shown.
            assert [row.key for row in view.table.rows] == ["jeddah-round-one"]
            await press(pilot, "1")
            assert "Sudan: Jeddah talks" in screen_text(app)
            assert "Doha round" not in screen_text(app)
            # And back; esc on the desk changes nothing.
            await press(pilot, "T", "escape")
            assert app.track_id == SECOND_TRACK
            await press(pilot, "T", "up", "enter")
            assert app.track_id == SEED_TRACK
            assert "Blinken's ninth Middle East tour" in screen_text(app)
    finally:
        repo.close()


@run_async
async def test_o_on_a_position_shows_its_source(app: ParleyApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The gap board's cursor starts on the first point; the third column is Israel's.
        await press(pilot, "right", "right")
        selected = dashboard(app).active_view.selected()
        assert isinstance(selected, Position)
        assert selected.actor_id == "israel"
        source = app.repo.get_as(Source, selected.source_ids[0])
        await press(pilot, "o")
        assert isinstance(app.screen, ModalScreen)
        text = screen_text(app)
        # Named in words, not by ids; each source with the passage it backs.
        assert f"Sources of position {describe(app.repo, selected)}" in text
        assert f"Backs: stance: {selected.gist}" in text
        assert source.outlet == "Xinhua News Agency"
        assert f"{source.outlet}: {source.title}" in text
        assert "Kind: state media" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


@run_async
async def test_cursor_moves_closed_forms_and_dialogs_leave_nothing_behind(app: ParleyApp) -> None:
    """One session, three counts of what is still alive: cursor moves pile up no footer
    keys; each tab switch and each closed form redraws the footer, and the old keys go;
    closed dialogs leave no render caches behind (Textual 8.2 memoised a method on its
    widgets' render caches, keeping them alive)."""
    StylesCache = styles_cache_class()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        before = alive(FooterKey)
        mounted = len(app.screen.query(FooterKey))
        for _ in range(10):
            await pilot.press("j")
        await settle(pilot)
        assert alive(FooterKey) - before <= mounted, "cursor moves pile up footer keys"

        await press(pilot, "3")
        before = alive(FooterKey)
        for _ in range(5):
            await press(pilot, "s", "escape", "2", "3")
        mounted = len(app.screen.query(FooterKey))
        assert alive(FooterKey) <= before + mounted, "footer keys outlive their footer"

        await press(pilot, "question_mark", "escape")
        before = alive(StylesCache)
        for _ in range(5):
            await press(pilot, "question_mark", "escape", "s", "escape")
        assert alive(StylesCache) <= before, "closed dialogs keep their render caches"


@run_async
async def test_every_view_is_built_behind_the_first_screen(repo: Repository) -> None:
    """Once the first screen is up, the other views are built while nobody types,
    and the app says so once they all are."""
    seed(repo)
    calls: list[int] = []
    app = ParleyApp(repo, poll=False, on_views_built=lambda: calls.append(1))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            if calls:
                break
            await pilot.pause(0.05)
        screen = dashboard(app)
        assert calls == [1]
        assert len(screen.query(View)) == 7
        assert screen.query_one(TabbedContent).active == "tab-overview"
        # Built and loaded: showing one now draws what is there, without a reload.
        points = await screen.view("points")
        assert not points._stale
