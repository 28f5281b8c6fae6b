"""The text view wraps like a Static, draws only what is on screen, and scrolls from the keys."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from tui_helpers import run_async

from tui.text import line, lines, literal
from tui.widgets.text_view import TextView

# What is tested here is how the view draws: every frame is drawn, as in a terminal.
pytestmark = pytest.mark.every_frame

WORDS = [
    "ceasefire",
    "corridor",
    "withdrawal",
    "hostages",
    "guarantees",
    "phase",
    "crossing",
    "envoy",
]


def long_text(paragraphs: int) -> Content:
    body = []
    for n in range(paragraphs):
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(3 + n % 17))
        body.append(line((f"#{n:04d}", "bold"), " ", words))
        if n % 7 == 0:
            body.append(Content(""))
    return lines(body)


class ViewApp(App[None]):
    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        yield TextView(self.content)


def shown(view: TextView) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.scrollable_content_region.height)]


@run_async
async def test_wraps_as_content_does() -> None:
    """Line for line what Textual's own wrapping gives, at every width tried."""
    content = long_text(60)
    app = ViewApp(content)
    async with app.run_test(size=(50, 20)) as pilot:
        view = app.query_one(TextView)
        for columns in (50, 31, 77):
            await pilot.resize_terminal(columns, 20)
            await pilot.pause()
            width = view.scrollable_content_region.width
            expected = [c.plain.rstrip() for c in content.wrap(width)]
            assert view.line_count == len(expected)
            got: dict[int, str] = {}
            for top in range(0, len(expected), view.scrollable_content_region.height):
                view.scroll_to(y=top, animate=False, immediate=True)
                # The last page stops where the text ends, above ``top``.
                start = int(view.scroll_y)
                got.update((start + i, text) for i, text in enumerate(shown(view)))
            assert [got[i] for i in range(len(expected))] == expected


@run_async
async def test_keys_reach_the_end_and_new_text_starts_at_the_top() -> None:
    app = ViewApp(long_text(2000))
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        view.focus()
        await pilot.press("end")
        await pilot.pause()
        assert any("#1999" in text for text in shown(view))
        await pilot.press("home", "pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        view.update(literal("[bold]one line[/] \x1b[2J"))
        await pilot.pause()
        assert view.scroll_y == 0
        assert shown(view)[0] == "[bold]one line[/] \\x1b[2J"
        assert view.line_count == 1


@run_async
async def test_only_visible_paragraphs_are_rendered() -> None:
    app = ViewApp(long_text(5000))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(TextView)
        assert view.line_count > 5000
        assert 0 < view.cached_paragraphs <= 20


@run_async
async def test_wrapped_lines_keep_the_indent_of_their_paragraph() -> None:
    """A stance indented under its position wraps under itself, not under the date."""
    stance = " ".join(WORDS * 3)
    content = lines([line(("2024-08-21", "bold"), "  demand"), line("  ", stance), line(stance)])
    app = ViewApp(content)
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(TextView)
        text = shown(view)
        indented = text[1 : 1 + view.line_count - 1]
        first_unindented = next(i for i, t in enumerate(indented) if not t.startswith("  "))
        wrapped, rest = indented[:first_unindented], indented[first_unindented:]
        assert len(wrapped) > 1 and all(t.startswith("  ") and t[2] != " " for t in wrapped)
        # The words, in order, and no more lines than the height was measured at.
        assert " ".join(t.strip() for t in wrapped) == stance
        assert view.line_count == 1 + len(wrapped) + len([t for t in rest if t])
        # A paragraph without an indent wraps to the left edge.
        assert rest[1] and not rest[1].startswith(" ")
