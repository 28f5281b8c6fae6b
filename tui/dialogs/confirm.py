"""A yes/no question before something that cannot be taken back lightly."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content

from tui.dialogs.dialog import Dialog
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock


class ConfirmScreen(Dialog[bool]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text, self.question = title, question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield TextBlock(literal(self.title_text), classes="dialog-title")
            yield TextBlock(literal(self.question))
            yield TextBlock(Content("y: yes    n or esc: no"), classes="hint")
        yield KeyFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
