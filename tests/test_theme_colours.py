"""Colours on screen are the theme's: style strings name theme variables, never hex codes."""

from __future__ import annotations

import re

from textual.app import App
from textual.color import Color
from tui_helpers import THEME, dashboard, make_app, run_async, settle

from store import Repository
from store.exchange.seed import seed
from tui.format import FIRMNESS_STYLE, MUTED, RESPONSE_STYLE, STATUS_STYLE
from tui.views.timeline import KIND_STYLE
from tui.widgets.record_table import RecordTable


@run_async
async def test_muted_text_is_fainter_than_the_foreground() -> None:
    """MUTED keeps its transparency when parsed, so it draws fainter than ordinary text.

    ($text-muted is "auto 60%"; named in an inline style it lost the 60% and drew at
    full strength, brighter than the text around it.)
    """
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.theme = THEME
        await pilot.pause()
        muted = app.stylesheet.parse_style(MUTED).foreground
        assert muted is not None
        assert 0 < muted.a < 1


STYLE_MAPS = {
    "firmness": FIRMNESS_STYLE,
    "status": STATUS_STYLE,
    "response": RESPONSE_STYLE,
    "timeline kind": KIND_STYLE,
}


@run_async
async def test_every_domain_colour_comes_from_the_theme() -> None:
    """No hex code in a style; each names a theme colour, which follows the theme."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        resolved: dict[str, list[object]] = {}
        for theme in (THEME, "nord"):
            app.theme = theme
            await pilot.pause()
            for name, styles in STYLE_MAPS.items():
                for value, style in styles.items():
                    assert not re.search("#[0-9a-fA-F]{3}", style), (name, value, style)
                    parsed = app.stylesheet.parse_style(style)
                    assert parsed.foreground is not None, (name, value, style)
                    resolved.setdefault(f"{name}:{value}", []).append(parsed.foreground)
        for key, (dark, nord) in resolved.items():
            assert dark != nord, key


@run_async
async def test_each_firmness_looks_different() -> None:
    """On the snapshot theme no two firmness levels share colour, weight and background."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.theme = THEME
        await pilot.pause()
        looks = set()
        for style in FIRMNESS_STYLE.values():
            parsed = app.stylesheet.parse_style(style)
            looks.add((parsed.foreground, parsed.background, parsed.bold, parsed.italic))
        assert len(looks) == len(FIRMNESS_STYLE)


def _cell_colour(board: RecordTable, row: int, text: str) -> object:
    for segment in board.render_line(row + 1):
        if segment.text.startswith(text):
            return segment.style.color if segment.style else None
    raise AssertionError(f"{text!r} not on row {row}")


@run_async
async def test_table_cells_follow_a_theme_change(repo: Repository) -> None:
    """A cell's colour is looked up when drawn: switching theme recolours the gap board."""
    seed(repo)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = dashboard(app).active_view.query_one("#gap-board", RecordTable)
        row = next(i for i, r in enumerate(board.rows) if r.cells[1][0] == "deadlocked")
        board.cursor_row = next(i for i in range(len(board.rows)) if i != row)
        before = _cell_colour(board, row, "deadlocked")
        assert before == Color.parse(app.theme_variables["text-error"]).rich_color
        app.theme = "nord"
        await settle(pilot)
        after = _cell_colour(board, row, "deadlocked")
        assert after == Color.parse(app.theme_variables["text-error"]).rich_color
        assert after != before
