"""One meaning per key: Enter runs a dialog of one action, ctrl+s is labelled by what it
does, a date field is replaced by what is typed into it, ctrl+a selects all."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input
from tui_helpers import make_app, press, run_async, screen_text, settle

from store import Repository
from tui.screens.compare import CompareScreen
from tui.screens.form import FormScreen


@run_async
async def test_enter_runs_compare_and_ctrl_s_says_compare(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        assert isinstance(app.screen, FormScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "^s Compare" in footer and "Save" not in footer, footer
        await press(pilot, "enter")
        assert isinstance(app.screen, CompareScreen)


@run_async
async def test_typing_a_date_replaces_it(seeded: Repository) -> None:
    """As of: the date is selected when the dialog opens, so typing replaces it, and
    Enter applies it; ctrl+s is labelled Apply."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert "^s Apply" in screen_text(app).splitlines()[-1]
        await press(pilot, *"2024-08-17", "enter")
        assert app.as_of == date(2024, 8, 17)
        # In a full form too: Tab onto a date, type, and the date is what was typed.
        await press(pilot, "2", "G", "e", "tab")
        form = app.screen
        assert isinstance(form, FormScreen)
        start = form.query_one("#field-start", Input)
        assert app.focused is start
        await press(pilot, *"2024-08-18")
        assert start.value == "2024-08-18"


@run_async
async def test_ctrl_a_selects_all_of_a_line(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "G", "e")
        title = app.screen.query_one("#field-title", Input)
        assert app.focused is title
        await press(pilot, "end", "ctrl+a", *"Cairo")
        assert title.value == "Cairo"
