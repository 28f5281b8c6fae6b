"""`b` in the dashboard: the Markdown brief on the track and date in view, written to a
file beside the store and copied to the clipboard."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input
from tui_helpers import SEED_TRACK, make_app, notices, press, run_async, settle

from store import Repository
from store.brief import build_brief
from tui.brief import render_markdown


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
