"""`?` lists Parley's keys first, grouped by where they work, and filters as you type."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import make_app, press, run_async, screen_text, settle

from store import Repository
from tui.config import Config
from tui.screens.help import HelpScreen
from tui.widgets.record_table import RecordTable

# Textual's own keys, which every Textual app has.
TEXTUALS = {"Focus Next", "Focus Previous", "Copy selected text"}


def shown(app: object) -> list[tuple[str, str, str]]:
    """The help's rows as they stand, filter applied: (keys, does, where)."""
    screen = getattr(app, "screen", None)
    assert isinstance(screen, HelpScreen), screen
    table = screen.query_one("#help-keys", RecordTable)
    return [(str(k), str(d), str(w)) for k, d, w in (row.cells for row in table.rows)]


@run_async
async def test_parleys_keys_come_first_grouped_by_place(seeded: Repository) -> None:
    """On the Rounds list: the Dashboard's keys, then the view's and the list's, then
    those that work everywhere, a form's and the reader's; Textual's own (focus next,
    copy) last."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "question_mark")
        rows = shown(app)
    places = [where for _, _, where in rows]
    order = list(dict.fromkeys(places))
    assert order[0] == "Dashboard", order
    assert order.index("lists") < order.index("forms") < order.index("reader"), order
    textuals = [i for i, (_, does, _) in enumerate(rows) if does in TEXTUALS]
    parleys = [i for i, (_, _, where) in enumerate(rows) if where != "everywhere"]
    assert len(textuals) >= 3 and min(textuals) > max(parleys), rows
    # A form's keys are listed by what they do, the reader's with their own words.
    assert [row for row in rows if row[0] == "ctrl+s"] == [
        ("ctrl+s", "Save (Apply, Compare, Find)", "forms")
    ]
    assert ("/", "Search", "reader") in rows
    assert ("u", "Undo", "Dashboard") in rows
    # Printable keys as typed, not by their names.
    assert (">", "Sort by the next column", "lists") in rows
    assert ("<", "Sort by the previous column", "lists") in rows


@run_async
async def test_typing_filters_and_esc_clears_then_closes(seeded: Repository) -> None:
    """ "undo" leaves the rows that say it; a word of a place ("reader") leaves that
    place's; nothing matching says so; esc empties the filter, and esc again closes."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        everything = shown(app)
        assert isinstance(app.focused, Input)
        await press(pilot, *"undo")
        rows = shown(app)
        assert rows and all("undo" in " ".join(row).casefold() for row in rows), rows
        assert ("u", "Undo", "Dashboard") in rows
        await press(pilot, *["backspace"] * 4, *"reader")
        assert {where for _, _, where in shown(app)} == {"reader"}
        await press(pilot, *"zzq")
        assert shown(app) == []
        assert "No key does that here" in screen_text(app)
        await press(pilot, "escape")
        assert shown(app) == everything
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


@run_async
async def test_the_places_not_on_show_list_the_keys_as_rebound(seeded: Repository) -> None:
    """A key rebound in the settings (the reader's search on ctrl+f) is listed as it now
    is, though the reader is not open."""
    app = make_app(seeded, config=Config(keymap={"reader.search": "ctrl+f"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark", *"search")
        rows = shown(app)
    assert ("ctrl+f", "Search", "reader") in rows, rows
    assert ("/", "Search", "reader") not in rows
