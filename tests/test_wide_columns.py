"""Cut text takes the free width first: a fixed column is no wider than its widest
cell, a table beside a detail pane takes the room its cells want while the pane keeps
its least, and History's list has the whole width when the detail goes below it. So
a cell is cut only when the screen is full. Measured on the screen, at 80 and 120
columns (and 200, where everything fits)."""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget
from tui_helpers import make_app, press, run_async, screen_text, settle

from store import Repository, Round
from tui.dialogs.history import DETAIL_LEAST as HISTORY_DETAIL_LEAST
from tui.views.base import DETAIL_LEAST
from tui.widgets.record_table import RecordTable, split_width

DOHA = "doha-round-2024-08"
EDITED = "Edited round Doha talks, 15-16 August 2024 (title)"


def lines_of(app: App[object], widget: Widget) -> list[str]:
    """The widget's lines as they read on the screen."""
    region = widget.region
    text = screen_text(app).splitlines()
    return [
        text[y][region.x : region.x + region.width].ljust(region.width)
        for y in range(region.y, region.y + region.height)
    ]


def shown_of(line: str, whole: str) -> str:
    """How much of ``whole`` the line shows: all of it, or the part before the "…"."""
    if whole in line:
        return whole
    at = line.index(whole[:8])
    cut = line[at:].split("…")[0]
    assert whole.startswith(cut), (line, whole)
    return cut


def edit_doha(repo: Repository) -> None:
    doha = repo.get_as(Round, DOHA)
    repo.update(doha.model_copy(update={"title": "Doha talks, 15-16 August 2024"}))


def test_a_table_takes_what_it_wants_while_the_pane_keeps_its_least() -> None:
    assert split_width(wanted=140, room=120, pane_min=36, pane_max=60) == 84
    assert split_width(wanted=70, room=120, pane_min=36, pane_max=60) == 70
    # On a wide screen the pane stops at its most, and the table has the rest.
    assert split_width(wanted=70, room=200, pane_min=36, pane_max=60) == 140


@run_async
async def test_history_at_80_columns_gives_the_change_the_whole_width(
    seeded: Repository,
) -> None:
    """The detail goes below the list, and the change's words take every cell the
    list has after the time and the author (it showed "Adde…")."""
    edit_doha(seeded)
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "h")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        detail = app.screen.query_one(".history-detail", Widget)
        assert detail.region.y >= table.region.bottom
        heading, first = lines_of(app, table)[:2]
        change_at = heading.index("Change")
        shown = shown_of(first, EDITED)
        assert first.index(shown) == change_at
        # To the table's right edge, less its scroll bar's gutter.
        gutter = table.styles.scrollbar_size_vertical
        assert change_at + len(shown) + 1 >= table.region.width - gutter, first
        assert len(shown) >= 38


@run_async
async def test_history_beside_its_detail_cuts_a_change_only_once_the_detail_is_least(
    seeded: Repository,
) -> None:
    """At 120 columns the change is cut, the detail beside it at its least; at 200
    the change is whole, and the detail has the rest."""
    edit_doha(seeded)
    for size, whole in (((120, 40), False), ((200, 50), True)):
        app = make_app(seeded)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "2", "h")
            await settle(pilot)
            table = app.screen.query_one(RecordTable)
            detail = app.screen.query_one(".history-detail", Widget)
            assert detail.region.x >= table.region.right
            first = lines_of(app, table)[1]
            assert (EDITED in first) is whole, first
            if whole:
                assert detail.region.width > HISTORY_DETAIL_LEAST
            else:
                assert detail.region.width == HISTORY_DETAIL_LEAST
                assert len(shown_of(first, EDITED)) >= 38


@run_async
async def test_rounds_at_120_columns_cut_titles_only_once_the_pane_is_at_its_least(
    seeded: Repository,
) -> None:
    """The Rounds table wants more than 120 columns: the detail pane gives way to its
    least, the dates column is as wide as its dates, and the titles show more than the
    14 characters they had."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        view = app.screen.query_one("#rounds-table", RecordTable)
        pane = view.parent.query_one(".detail-pane", Widget) if view.parent else None
        assert pane is not None
        assert pane.region.width == DETAIL_LEAST
        heading, *rows = lines_of(app, view)
        dates = [r.start for r in seeded.list_as(Round)]
        assert heading.index("Title") == len("2024-08-15–16") + 1
        titles = [r.title for r in seeded.list_as(Round)]
        shown = [shown_of(line, title) for title in titles for line in rows if title[:8] in line]
        assert len(shown) == len(dates) and min(len(s) for s in shown) > 20, shown


@run_async
async def test_rounds_at_200_columns_show_every_cell_whole(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        table = app.screen.query_one("#rounds-table", RecordTable)
        text = "\n".join(lines_of(app, table))
        assert "…" not in text, text
        for title in (r.title for r in seeded.list_as(Round)):
            assert title in text
