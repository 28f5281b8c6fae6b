"""Nothing typed is lost by a slip: a failure inside a form keeps the form open, says one
line, and writes its details to a log beside the settings."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import edit_latest_round, make_app, notices, press, run_async, settle

from store import Repository
from tui import failures
from tui.widgets.ref_chooser import MatchList, RefChooser


@run_async
async def test_typing_fast_in_a_round_chooser_keeps_the_edit(seeded: Repository) -> None:
    """Edit a round, type "zzz" into Participants quicker than the list redraws, then
    Backspace: the list and the form stay, and the app runs on."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await edit_latest_round(app, pilot)
        chooser = form.query_one("#field-participant_ids", RefChooser)
        search = chooser.query_one(".ref-search", Input)
        search.focus()
        # Each value lands before the list has taken in the last one, as with fast typing.
        for typed in ("z", "zz", "zzz"):
            search.value = typed
        await settle(pilot)
        await press(pilot, "end", "backspace")
        assert app.is_running and app.screen is form
        assert search.value == "zz"
        assert chooser.query(MatchList), "the list of matches is still there"
        search.value = "eg"
        await settle(pilot)
        assert chooser.query_one(MatchList).option_count > 0
    assert app.return_code in (None, 0)


@run_async
async def test_a_failure_in_a_form_keeps_it_open_and_says_where_the_details_are(
    seeded: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that raises: the form stays with what was typed, one line names the
    failure and the log, and the log holds the traceback."""
    app = make_app(seeded)
    app.raise_failures = False
    async with app.run_test(size=(80, 24)) as pilot:
        form = await edit_latest_round(app, pilot)
        title = form.query_one("#field-title", Input)
        title.value = "A title typed by hand"

        def broken(self: RefChooser, event: Input.Changed) -> None:
            raise RuntimeError("the chooser broke")

        chooser = form.query_one("#field-participant_ids", RefChooser)
        monkeypatch.setattr(RefChooser, "on_input_changed", broken)
        chooser.query_one(".ref-search", Input).value = "eg"
        await settle(pilot)
        assert app.is_running and app.screen is form
        assert title.value == "A title typed by hand"
        said = [n.message for n in notices(app) if n.severity == "error"]
        assert len(said) == 1 and len(said[0].splitlines()) == 1, said
        log = failures.log_path()
        assert failures.shown_path(log) in said[0]
        assert "RuntimeError: the chooser broke" in log.read_text(encoding="utf-8")
        # The chooser still answers: what failed once is not dead.
        monkeypatch.undo()
        chooser.query_one(".ref-search", Input).value = "qat"
        await settle(pilot)
        assert chooser.query_one(MatchList).option_count > 0
    assert app.return_code in (None, 0)
