"""The record table's layout: columns fit the widget, and stay aligned whatever the text."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from tui_helpers import SIZES, dashboard, make_app, press, run_async, screen_text, settle

from store import Repository, Round, RoundFormat, RoundStatus
from store.exchange.seed import seed
from tui.views.base import TableView
from tui.widgets.record_table import RecordTable

TABLE_VIEW_KEYS = {"rounds": "2", "points": "3", "actors": "5", "timeline": "6", "sources": "7"}


@run_async
async def test_columns_fit_the_table(repo: Repository) -> None:
    """Flexible columns share what is left, never more: the last column is never cut off.

    (Raising a column to its minimum width once took room nobody gave back: the Rounds
    columns needed 73 cells of 70 at 120x40, and Status read "conclud".)
    """
    seed(repo)
    app = make_app(repo)
    overflowing = []
    async with app.run_test(size=SIZES[0]) as pilot:
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            for view, key in TABLE_VIEW_KEYS.items():
                await press(pilot, key)
                table = dashboard(app).active_view.query_one(RecordTable)
                widths = table._widths()
                needed = sum(widths) + len(widths) - 1
                room = table.scrollable_content_region.width
                if needed > room:
                    overflowing.append(f"{view} at {size}: {needed} > {room}")
    assert not overflowing


@run_async
async def test_wide_characters_keep_columns_aligned(repo: Repository) -> None:
    """Cells are padded and cut by terminal cells, so wide (CJK) text keeps columns aligned."""
    seed(repo)
    track = repo.tracks()[0].id
    repo.add(
        Round(
            id="wide-round",
            track_id=track,
            title="停火谈判第三轮",
            start=date(2024, 8, 22),
            format=RoundFormat.DIRECT,
            status=RoundStatus.SCHEDULED,
        )
    )
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        lines = screen_text(app).split("\n")
        header = next(line for line in lines if "Dates" in line and "Format" in line)
        wide = next(line for line in lines if "停火谈判第三轮" in line)
        ascii_row = next(line for line in lines if line.startswith("2024-08-15"))

        def column_at(line: str, text: str) -> int:
            return cell_len(line[: line.index(text)])

        assert column_at(ascii_row, "proximity") == column_at(header, "Format")
        assert column_at(wide, "direct") == column_at(header, "Format")
