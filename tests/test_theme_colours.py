"""Colours on screen are the theme's: style strings name theme variables, never hex codes."""

from __future__ import annotations

from textual.app import App
from tui_helpers import THEME, run_async

from tui.format import MUTED


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
