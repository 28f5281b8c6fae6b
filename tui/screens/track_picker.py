"""`T`: choose which negotiation track the dashboard follows."""

from __future__ import annotations

from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from tui.text import literal
from tui.widgets.text_block import TextBlock


class TrackPickerScreen(ModalScreen[str | None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        from tui.app import ParleyApp

        app = cast(ParleyApp, self.app)
        options = [Option(literal(t.title), id=t.id) for t in app.repo.tracks()]
        with Vertical(classes="dialog"):
            yield TextBlock(Content("Switch track"), classes="dialog-title")
            option_list = OptionList(*options, id="tracks")
            yield option_list
        yield Footer()

    def on_mount(self) -> None:
        from tui.app import ParleyApp

        option_list = self.query_one(OptionList)
        current = cast(ParleyApp, self.app).track_id
        for index, option in enumerate(option_list.options):
            if option.id == current:
                option_list.highlighted = index
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
