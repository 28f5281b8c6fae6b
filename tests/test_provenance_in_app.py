"""Provenance inside the app: a new source typed for a status change is the one cited,
or the form says it was not taken; `b` writes the Markdown brief on the track and date
in view to a file beside the store and copies it to the clipboard."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input
from tui_helpers import SEED_TRACK, make_app, notices, press, run_async, screen_text, settle

from store import Repository, Source, StickingPoint, open_store
from store.reading.brief import build_brief
from tui.brief import render_markdown
from tui.dialogs.form import FormScreen
from tui.widgets.picker import Picker


@run_async
async def test_a_typed_source_not_taken_is_not_silently_replaced(
    seeded: Repository, store_path: Path
) -> None:
    """The status form starts with the last source chosen; typing a new one and saving
    without taking it would cite the old one. The form says so, and writes nothing."""
    app = make_app(seeded)
    point_id = seeded.points(SEED_TRACK)[0].id
    changes = len(seeded.history())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "s", "n")
        # The source offered is the point's own (Xinhua): type another over it.
        picker = app.screen.query_one("#field-source_ids", Picker)
        assert app.focused is not None and app.focused.parent is picker
        assert picker.value == ["xinhua-2024-08-21-blinken-tour"]
        await pilot.press(*"Reuters: Talks resume, 2024-08-25, wire")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormScreen), "the form stays open"
        assert "is typed but not taken" in screen_text(app)
        assert len(seeded.history()) == changes, "nothing was written"
        await press(pilot, "enter", "ctrl+s")
        assert not isinstance(app.screen, FormScreen)
    with open_store(store_path) as fresh:
        entry = fresh.get_as(StickingPoint, point_id).status_log[-1]
        assert entry.status == "narrowing"
        [cited] = entry.source_ids
        assert fresh.get_as(Source, cited).title == "Talks resume"


@run_async
async def test_b_writes_the_brief_as_of_the_date_in_view_and_copies_it(
    seeded: Repository, store_path: Path
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Look at the talks as they stood on 19 August, then ask for the brief.
        await press(pilot, "t")
        field = app.screen.query_one(Input)
        field.value = "2024-08-19"
        await press(pilot, "enter")
        assert app.as_of == date(2024, 8, 19)
        await press(pilot, "b")
        written = store_path.parent / f"brief-{SEED_TRACK}-2024-08-19.md"
        assert written.is_file()
        text = written.read_text(encoding="utf-8")
        assert text == render_markdown(build_brief(seeded, SEED_TRACK, as_of=date(2024, 8, 19)))
        assert "As of 2024-08-19 ·" in text
        # 21 August's stances are not yet in a brief of the 19th.
        assert "2024-08-21" not in text.split("## Sources")[0]
        assert app.clipboard == text
        said = notices(app)[-1]
        assert str(written) in said.message and "clipboard" in said.message
        assert said.severity == "information"


@run_async
async def test_b_says_in_one_line_when_it_cannot_write(
    seeded: Repository, store_path: Path
) -> None:
    app = make_app(seeded)
    # A folder where the file should go: the write fails, nothing is copied.
    (store_path.parent / f"brief-{SEED_TRACK}-{seeded.today().isoformat()}.md").mkdir()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        said = notices(app)[-1]
        assert said.severity == "error" and said.message.startswith("Cannot write the brief")
        assert "\n" not in said.message
        assert app.clipboard == ""
