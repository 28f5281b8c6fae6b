"""Forms a keyboard user can trust: keys land where the user looks, the focus is plain to
see and always in view, enter picks every time, a changed form is not lost to one esc,
and what is pasted is kept.

Each test drives the dashboard with key presses, as a person would, and where it writes
opens the store file afresh to see what reached the disk.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from conftest import fixed_clock
from test_updates import (
    choose,
    cursor_to,
    fill,
    form,
    keys,
    new_ids,
    pick,
    save,
    send,
    shown_errors,
    store_files,
    tabs_to,
    tick,
    type_text,
)
from textual import events
from textual.color import Color
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea
from textual.widgets._select import SelectOverlay
from tui_helpers import (
    Compare,
    make_app,
    one_size,
    run_async,
    settle,
    sizes,
    snapshot_keys,
)

from store import Position, Repository, Round, open_store
from tui.app import ParleyApp
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.form import FormScreen
from tui.screens.dashboard import DashboardScreen
from tui.widgets.ref_chooser import RefChooser


@asynccontextmanager
async def running(
    repo: Repository, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[ParleyApp, Pilot[None]]]:
    app = make_app(repo)
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


def search_box(screen: FormScreen, name: str) -> Input:
    return screen.query_one(f"#field-{name}", RefChooser).query_one(".ref-search", Input)


def colour(app: ParleyApp, name: str) -> Color:
    """A colour of the theme, as the stylesheet has it."""
    return Color.parse(app.get_css_variables()[name])


def row_of(widget: Widget) -> Widget:
    node: Widget | None = widget
    while node is not None and not node.has_class("form-row"):
        node = node.parent if isinstance(node.parent, Widget) else None
    assert node is not None, f"{widget!r} is in no form row"
    return node


# -- enter in a multi-select ---------------------------------------------------------


@run_async
async def test_enter_picks_again_and_again_in_a_multi_select(
    seeded: Repository, store_path: Path
) -> None:
    """`r`: three mediators typed in one after the other, each taken with enter. The focus
    stays in the search box, which empties after each pick; the round is saved with all
    three, in the order picked."""
    before = set(seeded.ids("round"))
    async with running(seeded) as (app, pilot):
        await keys(pilot, "2", "R")
        screen = form(app)
        await fill(pilot, "title", "Cairo talks")
        await send(pilot, *tabs_to(app, "mediator_ids"))
        box = search_box(screen, "mediator_ids")
        for typed in ("Eg", "Qat", "united"):
            await type_text(pilot, typed)
            assert app.focused is box
            assert box.value == typed
            await send(pilot, "enter")
            await settle(pilot)
            assert app.focused is box, f"after {typed!r} the focus left the search box"
            assert box.value == ""
        chooser = screen.query_one("#field-mediator_ids", RefChooser)
        assert chooser.value == ["egypt", "qatar", "united-states"]
        await save(pilot)
    with open_store(store_path, clock=fixed_clock) as fresh:
        (new,) = new_ids(before, fresh, "round")
        assert fresh.get_as(Round, new).mediator_ids == ["egypt", "qatar", "united-states"]


@run_async
async def test_arrows_move_the_match_and_enter_unticks_it(seeded: Repository) -> None:
    """Up and down move the highlight while the focus stays in the search box; enter on a
    chosen record reached that way unticks it. Enter with nothing typed goes on to the
    next field. The list is no Tab stop of its own."""
    async with running(seeded) as (app, pilot):
        await keys(pilot, "2", "R")
        screen = form(app)
        chooser = screen.query_one("#field-mediator_ids", RefChooser)
        assert not any(w in screen.focus_chain for w in chooser.query("SelectionList"))
        await send(pilot, *tabs_to(app, "mediator_ids"))
        await type_text(pilot, "Eg")
        await send(pilot, "enter")
        await type_text(pilot, "Qat")
        await send(pilot, "enter")
        assert chooser.value == ["egypt", "qatar"]
        # Nothing typed: the chosen are on top; down reaches Egypt, enter unticks it.
        await send(pilot, "down")
        assert app.focused is search_box(screen, "mediator_ids")
        await send(pilot, "enter")
        await settle(pilot)
        assert chooser.value == ["qatar"]
        assert app.focused is search_box(screen, "mediator_ids")
        await send(pilot, "enter")
        assert app.focused is search_box(screen, "participant_ids")


# -- esc -----------------------------------------------------------------------------


@run_async
async def test_esc_on_a_changed_form_asks_first(seeded: Repository, store_path: Path) -> None:
    """Esc on a form with something typed asks; `n` goes back to the form with the text
    kept; `y` closes it and nothing is written."""
    before = store_files(store_path)
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "N")
        screen = form(app)
        await fill(pilot, "title", "Talks resume in Cairo")
        await fill(pilot, "text", "Delegations arrive.")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard changes?" in str(app.screen.title_text)
        await keys(pilot, "n")
        assert app.screen is screen
        assert screen.query_one("#field-title", Input).value == "Talks resume in Cairo"
        assert screen.query_one("#field-text", TextArea).text == "Delegations arrive."
        assert app.focused is screen.query_one("#field-text", TextArea)
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await keys(pilot, "y")
        assert isinstance(app.screen, DashboardScreen)
    assert store_files(store_path) == before


# -- paste ---------------------------------------------------------------------------


@run_async
async def test_a_pasted_three_line_stance_keeps_its_lines(
    seeded: Repository, store_path: Path
) -> None:
    """`p` on a sticking point: a stance of three lines pasted (as a terminal sends a
    paste) is stored with its three lines. So is a note of a status change."""
    stance = "Troops stay on the corridor.\nA monitored pull-back may follow.\nNo date given."
    before = set(seeded.ids("position"))
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "points", "philadelphi-corridor")
        await keys(pilot, "P")
        await pick(pilot, "actor_id", "Israel", "israel")
        await choose(pilot, "firmness", "demand")
        await send(pilot, *tabs_to(app, "stance"))
        area = form(app).query_one("#field-stance", TextArea)
        assert app.focused is area
        app.post_message(events.Paste(stance))
        await settle(pilot)
        assert area.text == stance
        await tick(pilot, "unsourced")
        await save(pilot)
    with open_store(store_path, clock=fixed_clock) as fresh:
        (new,) = new_ids(before, fresh, "position")
        assert fresh.get_as(Position, new).stance.splitlines() == stance.splitlines()


@run_async
async def test_long_text_fields_are_text_areas(seeded: Repository) -> None:
    """The status and response forms' notes take several lines, like stances and outcomes."""
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "A")
        assert isinstance(form(app).query_one("#field-note"), TextArea)
        await keys(pilot, "escape")
        await cursor_to(pilot, "rounds", "blinken-tour-2024-08")
        await keys(pilot, "S")
        assert isinstance(form(app).query_one("#field-note"), TextArea)


# -- a failed save -------------------------------------------------------------------


@run_async
async def test_a_failed_save_focuses_and_marks_the_first_field_at_fault(
    seeded: Repository, store_path: Path
) -> None:
    """`p` saved empty: the fields at fault are marked ``-invalid`` (their boxes drawn in
    the error colour) and the focus is on the first of them, the party's search box, in
    view; the marks go once the fields are put right."""
    before = store_files(store_path)
    async with running(seeded, size=(80, 24)) as (app, pilot):
        await cursor_to(pilot, "points", "philadelphi-corridor")
        await keys(pilot, "P")
        screen = form(app)
        await send(pilot, *tabs_to(app, "quote"))
        await keys(pilot, "ctrl+s")
        errors = shown_errors(screen)
        assert {"actor_id", "firmness", "stance", "source_ids"} <= set(errors), errors
        assert app.focused is search_box(screen, "actor_id")
        for field in screen.fields:
            row = screen.query_one(f"#row-{field.name}")
            widget = screen.query_one(f"#field-{field.name}")
            marked = field.name in errors
            assert row.has_class("-invalid") is marked, field.name
            assert widget.has_class("-invalid") is marked, field.name
        row = screen.query_one("#row-actor_id")
        assert row.styles.border_top[1] == colour(app, "error")
        assert in_view(row)
        assert store_files(store_path) == before

        await pick(pilot, "actor_id", "Israel", "israel")
        await choose(pilot, "firmness", "demand")
        await fill(pilot, "stance", "Troops stay.")
        await keys(pilot, "ctrl+s")
        errors = shown_errors(screen)
        assert set(errors) == {"source_ids"}, errors
        assert not screen.query_one("#row-actor_id").has_class("-invalid")
        assert app.focused is search_box(screen, "source_ids")


# -- the focus: seen, and in view ----------------------------------------------------


def in_view(row: Widget) -> bool:
    """The row's box, its label in the top edge, is inside the scrolled body (its top at
    least, if it is taller than the body)."""
    body = row.screen.query_one(".dialog-body").content_region
    region = row.region
    if region.height > body.height:
        return body.y <= region.y < body.bottom
    return body.y <= region.y and region.bottom <= body.bottom


@sizes
@run_async
async def test_every_tab_stop_is_scrolled_into_view_with_its_label(
    seeded: Repository, size: tuple[int, int]
) -> None:
    """Tab through the whole round form, and shift+tab back: at each stop the focused
    field's box (its label in the top edge) is in view; a field in the new-source group
    is boxed in that group, whose title shows with its first field. Then Esc: the form,
    moved through but unchanged, closes at once, without asking."""
    async with running(seeded, size=size) as (app, pilot):
        await keys(pilot, "2", "R")
        screen = form(app)
        stops = len(screen.focus_chain)
        # One stop per field: the choosers' lists are driven from their search boxes.
        assert stops == len(screen.fields)
        seen = []
        for key in ["tab"] * stops + ["shift+tab"] * stops:
            # Landed and laid out (the pause refreshes the screen): no settle needed,
            # with animations off.
            await pilot.press(key)
            await pilot.pause()
            assert app.focused is not None
            row = row_of(app.focused)
            seen.append(row.id)
            assert in_view(row), f"{key} to {row.id}: not in view"
            group = row.parent
            assert isinstance(group, Widget)
            if group.has_class("form-group") and group.children[0] is row:
                assert in_view(group), "the group's title is out of view"
        assert "row-new_outlet" in seen and "row-new_url" in seen
        outlet = screen.query_one("#row-new_outlet")
        assert outlet.parent is not None and outlet.parent.has_class("form-group")
        assert "new source" in str(outlet.parent.border_title)
        await keys(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


@run_async
async def test_every_field_has_a_focus_ring_that_takes_no_extra_space(
    seeded: Repository,
) -> None:
    """Each field's box is drawn in the accent colour when it has the focus and in a dim
    one when not, with the same one-cell edge either way: nothing moves. An open
    drop-down's list has a border of its own, to stand out from the table behind it."""
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6", "N")
        screen = form(app)
        accent = colour(app, "accent")
        for _ in range(len(screen.fields)):
            focused = row_of(app.focused)  # type: ignore[arg-type]
            for row in screen.query(".form-row"):
                kind, edge = row.styles.border_top
                assert kind != "" and row.styles.gutter.top == 1, row.id
                if row is focused:
                    assert edge == accent, row.id
                else:
                    assert edge != accent, row.id
            sizes_before = {row.id: row.outer_size for row in screen.query(".form-row")}
            await keys(pilot, "tab")
            assert {row.id: row.outer_size for row in screen.query(".form-row")} == sizes_before
        await send(pilot, *tabs_to(app, "event_kind"))
        await keys(pilot, "enter")
        select = form(app).query_one("#field-event_kind", Select)
        assert select.expanded
        overlay = select.query_one(SelectOverlay)
        assert overlay.styles.border_top[0] not in ("", "none", "hidden")
        assert overlay.styles.border_bottom[0] not in ("", "none", "hidden")


# -- snapshot ------------------------------------------------------------------------


@one_size
def test_failed_save_focus_ring(snap_compare: Compare, seeded: Repository, size: tuple[int, int]):
    """`r`, a title, a start and an end before it, tab on to Mediators, ctrl+s: the focus
    goes back to End, whose box is drawn heavy in the error colour with the reason inside
    it; the other boxes stay dim."""
    app = make_app(seeded)
    keys_ = ("2", "R", *"Backwards", "tab", "ctrl+u", *"2024-08-24", "tab", *"2024-08-22")
    keys_ += ("tab", "tab", "tab", "tab", "ctrl+s")
    assert snap_compare(app, terminal_size=size, run_before=snapshot_keys(*keys_))


@run_async
async def test_closed_forms_leave_no_text_area_behind(seeded: Repository) -> None:
    """A form's text areas watch the app's theme; once the form is closed they go."""
    async with running(seeded) as (app, pilot):
        await keys(pilot, "6")
        before = alive(TextArea)
        for _ in range(3):
            await keys(pilot, "N")
            assert isinstance(app.screen, FormScreen)
            await keys(pilot, "escape")
        assert alive(TextArea) <= before


def alive(cls: type) -> int:
    gc.collect()
    return sum(isinstance(o, cls) for o in gc.get_objects())
