"""The dashboard uses the whole screen: the Timeline's order, copying, the footer's keys."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from tui_helpers import dashboard, make_app, notices, press, run_async, screen_text, settle

from store import Event, Position, Repository, Source, SourceKind
from tui.clipboard import citation
from tui.views.base import TableView
from tui.views.timeline import TimelineView
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import RecordTable


def _timeline_dates(view: TableView) -> list[str]:
    return [row.cells[0] for row in view.table.rows]  # type: ignore[misc]


@run_async
async def test_the_timeline_shows_the_newest_first_and_F_flips_it(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        view = dashboard(app).active_view
        assert isinstance(view, TimelineView)
        dates = _timeline_dates(view)
        assert dates == sorted(dates, reverse=True) and dates[0] != dates[-1]
        newest = view.selected()
        # The key is in the footer, and the heading says which way the dates run.
        assert "F Flip order" in screen_text(app).splitlines()[-1]
        assert "Date ↓" in screen_text(app)
        await press(pilot, "F")
        assert _timeline_dates(view) == sorted(dates)
        assert "Date ↑" in screen_text(app)
        # The cursor stays on the entry it was on, now at the other end.
        assert view.selected() == newest
        assert view.table.cursor_row == view.table.row_count - 1
        await press(pilot, "F")
        assert _timeline_dates(view) == dates


@run_async
async def test_y_copies_the_selection_s_text_and_Y_its_citation(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        view = dashboard(app).active_view
        assert isinstance(view, TimelineView)
        # Down to the first event that cites a source.
        while not (isinstance(view.selected(), Event) and view.selected().source_ids):  # type: ignore[union-attr]
            await press(pilot, "j")
        event = view.selected()
        assert isinstance(event, Event)
        await press(pilot, "y")
        assert event.title in app.clipboard and event.text in app.clipboard
        assert "[" not in app.clipboard or "[" in event.text  # plain text, no markup
        await press(pilot, "Y")
        sources = [seeded.get_as(Source, s) for s in event.source_ids]
        assert app.clipboard == "\n".join(citation(s) for s in sources)
        assert sources[0].title in app.clipboard
        assert notices(app)[-1].message.startswith("Copied")


@run_async
async def test_copying_a_stance_from_the_gap_board(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right", "right")
        position = dashboard(app).selected()
        assert isinstance(position, Position)
        await press(pilot, "y")
        assert position.stance in app.clipboard


@run_async
async def test_the_footer_at_80_columns_shows_whole_keys_with_help(seeded: Repository) -> None:
    """The focused table's keys and ? come first; what does not fit goes whole, and the
    palette's key never covers another."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for view_key, first in (("2", "⏎ Open"), ("6", "F Flip order"), ("1", "⏎ Open")):
            await press(pilot, view_key)
            footer = app.screen.query_one(KeyFooter)
            bottom = screen_text(app).splitlines()[-1]
            assert bottom.startswith(first) or bottom.startswith("⏎ Open " + first)
            assert "? Keys" in bottom and "^p Find" in bottom
            shown = [k for k in footer.children if k.display]
            hidden = [k for k in footer.children if not k.display]
            assert hidden, "at 80 columns some keys must go"
            # Every key shown is whole, left of the palette's key, which ends the line.
            left = [k for k in shown if not k.has_class("-command-palette")]
            palette = next(k for k in shown if k.has_class("-command-palette"))
            assert all(k.region.right <= palette.region.x for k in left), [
                (k.key, k.region.x, k.region.right) for k in shown
            ][-4:]
            for key in left:
                label = f"{key.key_display} {key.description}"  # type: ignore[attr-defined]
                assert label in bottom
            assert cell_len(bottom.rstrip()) <= 80
        # Wider, the keys that went come back.
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert all(k.display for k in app.screen.query_one(KeyFooter).children)


def _with_urls(repo: Repository) -> None:
    """Two sources newer than the seed's: one with a web page, one with a script URL."""
    for source_id, url in (("web", "https://example.org/report"), ("script", "javascript:x()")):
        repo.add(
            Source(
                id=source_id,
                outlet="Wire",
                title=f"Report {source_id}",
                published=date(2024, 9, 1 if source_id == "web" else 2),
                source_kind=SourceKind.WIRE,
                url=url,
            )
        )


@run_async
async def test_w_opens_a_source_s_web_page_and_only_a_web_page(seeded: Repository) -> None:
    _with_urls(seeded)
    app = make_app(seeded)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "7")
        assert dashboard(app).selected().id == "script"  # type: ignore[union-attr]
        await press(pilot, "w")
        assert opened == [] and "no web URL" in notices(app)[-1].message
        await press(pilot, "j", "w")
        assert opened == ["https://example.org/report"]
        # From the sources of the selection too.
        await press(pilot, "o", "w")
        assert opened[-1] == "https://example.org/report" and len(opened) == 2


@run_async
async def test_the_timeline_s_flip_key_is_in_the_help(seeded: Repository) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "question_mark")
        rows = [row.cells for row in app.screen.query_one("#help-keys", RecordTable).rows]
        assert ("F", "Flip order", "Timeline view") in rows
        assert ("y", "Copy the selection's text", "Dashboard") in rows
