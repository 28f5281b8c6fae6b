"""Choosing existing records by typing part of their name.

Stores can hold thousands of sources or actors, so the list shows only the
best matches of what was typed, with the chosen records always on top.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, SelectionList
from textual.widgets.selection_list import Selection

from tui.text import literal, plain
from tui.widgets.text_block import TextBlock

SHOWN = 30


class RefChooser(Vertical):
    """One record (``multiple=False``) or several, chosen from ``options`` (id, label)."""

    class Changed(Message):
        def __init__(self, chooser: RefChooser) -> None:
            super().__init__()
            self.chooser = chooser

        @property
        def control(self) -> RefChooser:
            return self.chooser

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        multiple: bool,
        chosen: Sequence[str] = (),
        noun: str = "record",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="ref-chooser")
        self.options = [(key, plain(label)) for key, label in options]
        self.labels = dict(self.options)
        self.multiple = multiple
        self.chosen: list[str] = list(chosen)
        self.noun = noun

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"type to search {self.noun}…", classes="ref-search", compact=True)
        yield SelectionList[str](classes="ref-list", compact=True)
        yield TextBlock(classes="ref-summary")

    def on_mount(self) -> None:
        self._fill("")

    @property
    def value(self) -> list[str]:
        return list(self.chosen)

    def _fill(self, text: str) -> None:
        needle = text.casefold()
        shown = [k for k in self.chosen if k in self.labels]
        for key, label in self.options:
            if len(shown) >= SHOWN + len(self.chosen):
                break
            if key in shown:
                continue
            if not needle or needle in label.casefold() or needle in key:
                shown.append(key)
        selection_list = self.query_one(SelectionList)
        selection_list.clear_options()
        selection_list.add_options(
            [Selection(literal(self.labels[k]), k, k in self.chosen) for k in shown]
        )
        self._summarise()

    def _summarise(self) -> None:
        names = [self.labels.get(k, k) for k in self.chosen]
        text = ", ".join(names) if names else "none"
        self.query_one(".ref-summary", TextBlock).update(
            Content.assemble(("chosen: ", "dim"), plain(text))
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in the search box takes the first match when nothing is chosen yet.
        event.stop()
        selection_list = self.query_one(SelectionList)
        if selection_list.option_count and (self.multiple or not self.chosen):
            first = selection_list.get_option_at_index(0)
            value = first.value
            if value not in self.chosen:
                self._toggle(value, True)
        selection_list.focus()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        value = event.selection.value
        self._toggle(value, value in event.selection_list.selected)

    def _toggle(self, value: str, on: bool) -> None:
        if on:
            if self.multiple:
                if value not in self.chosen:
                    self.chosen.append(value)
            else:
                self.chosen = [value]
        elif value in self.chosen:
            self.chosen.remove(value)
        search = self.query_one(".ref-search", Input).value
        self._fill(search)
        selection_list = self.query_one(SelectionList)
        for index in range(selection_list.option_count):
            if selection_list.get_option_at_index(index).value == value:
                selection_list.highlighted = index
        self.post_message(self.Changed(self))

    def on_selection_list_selection_highlighted(
        self, event: SelectionList.SelectionHighlighted
    ) -> None:
        event.stop()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
