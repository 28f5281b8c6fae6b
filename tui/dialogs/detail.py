"""A record's detail, full screen: what enter opens, esc closes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen

from tui.dialogs.dialog import Dialog
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock
from tui.widgets.text_view import TextView


def scroll_body(screen: Screen[Any], direction: str) -> None:
    """j/k in a dialog: scroll its ``.dialog-body`` without focusing it."""
    body = screen.query_one(".dialog-body", TextView)
    if direction == "down":
        body.scroll_down()
    else:
        body.scroll_up()


class DetailScreen(Dialog[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="detail.back"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="detail.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="detail.up"),
    ]

    def __init__(self, body: Content, title: str = "", changed: str = "") -> None:
        """``changed``: who last changed the record, and when."""
        super().__init__()
        self.body, self.heading, self.changed = body, title, changed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield TextBlock(literal(self.heading), classes="dialog-title")
            yield TextView(self.body, classes="dialog-body")
            if self.changed:
                yield TextBlock(literal(self.changed), classes="hint")
        yield KeyFooter()

    def action_scroll(self, direction: str) -> None:
        scroll_body(self, direction)
