"""One meaning per key: Enter runs a dialog of one action, ctrl+s is labelled by what it
does, a date field is replaced by what is typed into it, ctrl+a selects all."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import Input, TextArea
from tui_helpers import edit_latest_round, make_app, press, run_async, screen_text, settle

from store import Repository
from tui.dialogs.compare import CompareScreen
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.form import FormScreen
from tui.screens.dashboard import DashboardScreen
from tui.widgets.picker import Picker, SearchBox
from tui.widgets.ref_chooser import RefChooser


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
    Enter applies it, back on the dashboard; ctrl+s is labelled Apply."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert "^s Apply" in screen_text(app).splitlines()[-1]
        await press(pilot, *"2024-08-17", "enter")
        assert isinstance(app.screen, DashboardScreen)
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
        title = (await edit_latest_round(app, pilot)).query_one("#field-title", Input)
        assert app.focused is title
        await press(pilot, "end", "ctrl+a", *"Cairo")
        assert title.value == "Cairo"


@run_async
async def test_s_on_a_gap_board_cell_sets_its_points_status(seeded: Repository) -> None:
    """s, like p, acts on the sticking point of the cell under the cursor."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "1", "right", "right")
        await press(pilot, "s")
        form = app.screen
        assert isinstance(form, FormScreen), screen_text(app)
        assert "Dismantling Hamas" in form.form_title


@run_async
async def test_a_picker_says_no_match(seeded: Repository) -> None:
    """A quick form's picker and a full form's chooser both say when nothing matches."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await edit_latest_round(app, pilot)
        chooser = form.query_one("#field-participant_ids", RefChooser)
        chooser.focus()
        await press(pilot, *"zzq")
        assert "no match for “zzq”" in screen_text(app)
        await press(pilot, "backspace", "backspace", "backspace", *"qat")
        assert "no match" not in screen_text(app)
        await press(pilot, "escape")  # the search emptied, then the form left
        while isinstance(app.screen, FormScreen):
            await press(pilot, "escape", "y")
        await press(pilot, "2", "r")
        picker = next(iter(app.screen.query(Picker)))
        picker.query_one(SearchBox).focus()
        await press(pilot, *"zzq")
        assert "no match for “zzq”" in screen_text(app)


@run_async
async def test_the_palette_finds_actions_by_what_they_do(seeded: Repository) -> None:
    """ctrl+p "undo" finds Undo with its key, and Enter runs it (here, it asks about the
    seed, which this session did not write)."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"undo")
        await pilot.pause(0.2)
        await settle(pilot)
        text = screen_text(app)
        assert "Undo" in text and "key u" in text, text
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Undo the seed" in screen_text(app)
        await press(pilot, "n", "ctrl+p", *"brief")
        await pilot.pause(0.2)
        await settle(pilot)
        assert "key b" in screen_text(app)


@run_async
async def test_enter_in_a_quick_forms_text_moves_on(seeded: Repository) -> None:
    """In a quick form's text, Enter goes to the next field as everywhere else; shift+enter
    and ctrl+j start a new line, and a paste keeps its lines."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", *"Talks")
        text = app.screen.query_one(TextArea)
        text.focus()
        await press(pilot, *"One", "ctrl+j", *"Two", "shift+enter", *"Three")
        await press(pilot, "ctrl+j")
        app.post_message(events.Paste("Four\nFive"))  # as the terminal sends a paste
        await settle(pilot)
        assert text.text == "One\nTwo\nThree\nFour\nFive"
        await press(pilot, "enter")
        assert app.focused is not text
        assert text.text == "One\nTwo\nThree\nFour\nFive"
