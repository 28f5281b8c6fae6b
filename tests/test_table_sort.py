"""Any record table sorts by any column: `>` / `<` step through the columns (each
ascending, then descending, then the table's own order), a click on a heading sorts by
it; the heading shows ▲ or ▼, and the cursor stays on its record."""

from __future__ import annotations

from textual.app import App
from tui_helpers import make_app, press, run_async, screen_text, settle

from store import Repository
from store.records.commands import Commands
from tui.views.gap_board import GapBoard
from tui.widgets.record_table import RecordTable, Row, sort_key, sorted_rows

TRACK = "gaza-ceasefire-hostage-talks"


def table_of(app: App[object], selector: str) -> RecordTable:
    return app.screen.query_one(selector, RecordTable)


def heading_line(app: App[object], table: RecordTable) -> str:
    """The table's heading as it reads on the screen, from its left edge."""
    line = screen_text(app).splitlines()[table.region.y]
    return line[table.region.x : table.region.x + table.region.width]


def keys(table: RecordTable) -> list[str]:
    return [row.key for row in table.rows]


def test_text_sorts_as_a_person_reads_it() -> None:
    """Numbers by their value, case aside."""
    words = ["round 10", "Round 9", "round 1", "accord"]
    assert sorted(words, key=sort_key) == ["accord", "round 1", "Round 9", "round 10"]


def test_empty_cells_sort_last_either_way_and_ties_keep_their_order() -> None:
    rows = [Row("a", ("b", "")), Row("b", ("a", "x")), Row("c", ("c", "y")), Row("d", ("d", "x"))]
    assert [r.key for r in sorted_rows(rows, 1)] == ["b", "d", "c", "a"]
    assert [r.key for r in sorted_rows(rows, 1, reverse=True)] == ["c", "b", "d", "a"]
    # A row may say what a column sorts by: a date in words by its day.
    days = [
        Row("x", ("14 Aug 2024",), sort=("2024-08-14",)),
        Row("y", ("9 Sep 2024",), sort=("2024-09-09",)),
    ]
    assert [r.key for r in sorted_rows(days, 0)] == ["x", "y"]


@run_async
async def test_sort_by_a_column_and_back_with_the_keys(seeded: Repository) -> None:
    """On Actors: `>` sorts by the name, again the other way, then by the kind; `<`
    three times is back in the table's own order. The cursor stays on the record it
    was on, and the heading shows the arrow."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "j", "j")
        table = table_of(app, "#actors-table")
        own = keys(table)
        on = table.cursor_key
        assert on is not None and len(own) > 5
        name = {row.key: str(row.cells[0]) for row in table.rows}
        kind = {row.key: str(row.cells[1]) for row in table.rows}
        by_name = sorted(name.values(), key=sort_key)
        assert by_name != [name[k] for k in own]  # else sorting would show nothing

        await press(pilot, "greater_than_sign")
        assert table.cursor_key == on
        assert [name[k] for k in keys(table)] == by_name
        assert "Name ▲" in heading_line(app, table)

        await press(pilot, "greater_than_sign")
        assert [name[k] for k in keys(table)] == by_name[::-1]
        assert "Name ▼" in heading_line(app, table)
        assert table.cursor_key == on

        await press(pilot, "greater_than_sign")
        assert [kind[k] for k in keys(table)] == sorted(kind.values(), key=sort_key)
        assert "Kind ▲" in heading_line(app, table) and "▼" not in heading_line(app, table)

        await press(pilot, "less_than_sign", "less_than_sign", "less_than_sign")
        assert keys(table) == own and table.cursor_key == on
        assert "▲" not in heading_line(app, table) and "▼" not in heading_line(app, table)

        # A filter typed on a sorted table keeps the order.
        await press(pilot, "greater_than_sign", "slash", *"an")
        assert len(keys(table)) < len(own)
        holding = {row.key for row in table.rows}
        assert [name[k] for k in keys(table)] == sorted((name[k] for k in holding), key=sort_key)


@run_async
async def test_a_click_on_a_heading_sorts_again_reverses_then_back(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        table = table_of(app, "#rounds-table")
        own = keys(table)
        titles = {row.key: str(row.cells[1]) for row in table.rows}
        at = heading_line(app, table).index("Title")
        await pilot.click(table, offset=(at + 1, 0))
        await settle(pilot)
        assert (table.sort_column, table.sort_reverse) == (1, False)
        assert [titles[k] for k in keys(table)] == sorted(titles.values(), key=sort_key)
        await pilot.click(table, offset=(at + 1, 0))
        await settle(pilot)
        assert (table.sort_column, table.sort_reverse) == (1, True)
        assert "Title ▼" in heading_line(app, table)
        await pilot.click(table, offset=(at + 1, 0))
        await settle(pilot)
        assert table.sort_column is None and keys(table) == own


@run_async
async def test_the_sort_holds_when_the_rows_are_filled_again(seeded: Repository) -> None:
    """Rounds by date, newest first; a round added meanwhile takes its place in that
    order, and the cursor stays on the round it was on."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "greater_than_sign", "greater_than_sign")
        table = table_of(app, "#rounds-table")
        on = table.cursor_key
        Commands(seeded).create(
            "round",
            {"title": "Cairo round", "start": "2024-08-25", "format": "proximity"}
            | {"status": "scheduled"},
            track_id=TRACK,
        )
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        assert next(str(row.cells[1]) for row in table.rows) == "Cairo round"
        assert table.cursor_key == on


@run_async
async def test_a_heading_click_on_the_sideways_board_sorts_the_column_under_it(
    seeded: Repository,
) -> None:
    """The Positions board at 80 columns scrolls sideways with the point's title kept
    at the left: a click on a heading sorts by the column drawn there, and a click on
    the title's heading by the title."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4", *["right"] * 6)
        board = app.screen.query_one("#matrix", GapBoard)
        assert board.scroll_x > 0
        heading = heading_line(app, board)
        # The last actor whose name shows whole on the heading as scrolled.
        names = [str(c.label) for c in board.columns[board.leading :]]
        shown = [n for n in names if f" {n} " in f" {heading} "]
        assert shown, heading
        name = shown[-1]
        at = f" {heading} ".index(f" {name} ")
        await pilot.click(board, offset=(at + 1, 0))
        await settle(pilot)
        assert board.sort_column == [str(c.label) for c in board.columns].index(name)
        # The arrow stands in the column's heading (a narrow one cuts the name for it).
        arrow = heading_line(app, board).index("▲")
        assert at - 1 <= arrow <= at + len(name) + 1, heading_line(app, board)
        await pilot.click(board, offset=(1, 0))
        await settle(pilot)
        assert board.sort_column == 0
        titles = [str(row.cells[0]) for row in board.rows]
        assert titles == sorted(titles, key=sort_key)


@run_async
async def test_a_heading_click_on_the_overviews_board_sorts_by_that_party(
    seeded: Repository,
) -> None:
    """The Overview's board stands whole on a page that scrolls: its heading is its own
    first line, and a click there sorts by the party under it; the cursor keeps its
    point."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.screen.query_one("#gap-board", GapBoard)
        on = board.cursor_key
        heading = heading_line(app, board)
        at = heading.index("Hamas")
        await pilot.click(board, offset=(at + 1, 0))
        await settle(pilot)
        assert str(board.columns[board.sort_column or 0].label) == "Hamas"
        assert "Hamas ▲" in heading_line(app, board)
        assert board.cursor_key == on
