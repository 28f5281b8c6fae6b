"""Choose one of a few things: a track to follow, a kind of record to add."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.dialogs.dialog import Dialog
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock


class ChoiceScreen(Dialog[str | None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel")]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None
    ) -> None:
        super().__init__()
        self.title_text, self.choices, self.current = title, list(choices), current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield TextBlock(literal(self.title_text), classes="dialog-title")
            yield OptionList(*(Option(literal(label), id=key) for key, label in self.choices))
        yield KeyFooter()

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        for index, (key, _) in enumerate(self.choices):
            if key == self.current:
                option_list.highlighted = index
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
