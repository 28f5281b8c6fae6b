"""Choosing existing records by typing part of their name.

Stores can hold thousands of sources or actors, so the list shows only the
best matches of what was typed. The search box is the chooser's one Tab stop
and keeps the focus throughout: typing narrows the list and highlights the
best match not yet chosen, enter takes it (and, choosing several, empties the
search for the next one), up and down move the highlight, and enter on a
highlight moved there by hand ticks or unticks it. So what is typed always
lands in the box the user is looking at, and enter picks again and again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, SelectionList
from textual.widgets.selection_list import Selection

from tui.text import literal, plain
from tui.widgets.chooser import Chooser
from tui.widgets.field_widgets import FieldInput, StyledWhenMounted
from tui.widgets.text_block import TextBlock

SHOWN = 30


class MatchList(StyledWhenMounted, SelectionList[str], can_focus=False):
    """The matches, driven from the search box; a click still ticks or unticks."""

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Keep the highlight to itself. ``SelectionList`` turns each highlight into a
        message by reading the option at its index when the message arrives; typing
        refills the list in the meantime ("z" highlights a match, "zz" leaves none), and
        that read failed (``OptionDoesNotExist``), ending the list and then the form.
        The chooser follows the highlight itself, so the message is not needed."""
        event.stop()
        event.prevent_default()


class NewOffer(TextBlock):
    """ "+ new …", shown when nothing matches what was typed: enter or a click takes it."""

    class Chosen(Message):
        pass

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Chosen())


class RefChooser(Chooser):
    """A full form's chooser: the matches listed, each ticked or not."""

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        multiple: bool,
        chosen: Sequence[str] = (),
        noun: str = "record",
        id: str | None = None,
        new_kind: str = "",
    ) -> None:
        super().__init__(
            options,
            multiple=multiple,
            chosen=chosen,
            noun=noun,
            id=id,
            classes="ref-chooser",
            new_kind=new_kind,
        )
        # True once up or down moved the highlight: enter then toggles what it is on.
        self.moved = False
        self._offer: NewOffer | None = None

    def compose(self) -> ComposeResult:
        """The parts, filled before they are mounted: filled once mounted, each asked
        for a layout of the form again as it opened."""
        verb = "tick" if self.multiple else "choose"
        self._search = FieldInput(
            placeholder=f"type to search {self.noun}, enter to {verb}…",
            classes="ref-search",
            compact=True,
        )
        self._matches = MatchList(classes="ref-list", compact=True)
        self._summary = TextBlock(classes="ref-summary")
        self._fill("")
        yield self._search
        yield self._matches
        yield self._summary

    @property
    def search(self) -> Input:
        return self._search

    @property
    def matches(self) -> MatchList:
        return self._matches

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focusing the chooser focuses its search box, where keys go."""
        self.search.focus(scroll_visible)
        return self

    def _ranked(self, text: str) -> list[str]:
        """Keys to list for ``text``: with no text, the chosen first and then the rest;
        else the matches, those whose name starts with it first, then those with a
        word starting with it, then any that hold it."""
        needle = text.strip().casefold()
        if not needle:
            shown = [k for k in self.chosen if k in self.labels]
            rest = [k for k, _ in self.options if k not in self.chosen]
            return shown + rest[:SHOWN]
        ranks: tuple[list[str], list[str], list[str]] = ([], [], [])
        for key, label in self.options:
            folded = label.casefold()
            if folded.startswith(needle):
                ranks[0].append(key)
            elif any(word.startswith(needle) for word in folded.split()):
                ranks[1].append(key)
            elif needle in folded or needle in key:
                ranks[2].append(key)
        return (ranks[0] + ranks[1] + ranks[2])[:SHOWN]

    def _fill(self, text: str) -> None:
        shown = self._ranked(text)
        matches = self.matches
        matches.clear_options()
        matches.add_options(
            [Selection(literal(self.labels[k]), k, k in self.chosen) for k in shown]
        )
        if text.strip() and shown:
            # The best match not chosen yet: enter takes it.
            best = next((i for i, k in enumerate(shown) if k not in self.chosen), 0)
            matches.highlighted = best
        else:
            matches.highlighted = None
        offered = bool(self.new_kind and text.strip() and not shown)
        offer = self._offer
        if offer is None and offered:
            # Made the first time nothing matches: most choosers never offer it.
            offer = self._offer = NewOffer(classes="ref-new")
            self.mount(offer, before=self._summary)
        if offer is not None:
            offer.update(
                Content.assemble(plain(self.new_offer(text)), ("  ⏎", "dim")) if offered else ""
            )
            offer.set_class(offered, "-shown")
        self._summarise(self.missing(text, bool(shown)))

    def _summarise(self, before: Content | None = None) -> None:
        names = [self.labels.get(k, k) for k in self.chosen]
        text = ", ".join(names) if names else "none"
        self._summary.update(Content.assemble(before or "", ("chosen: ", "dim"), plain(text)))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.moved = False
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: take the highlighted match. With nothing typed and the highlight not
        moved, enter is left to the form (which goes on to the next field)."""
        matches = self.matches
        index = matches.highlighted
        typed = bool(event.value.strip())
        if not typed and not self.moved:
            return
        event.stop()
        if typed and not matches.option_count and self.new_kind:
            self.post_message(self.NewWanted(self, event.value))
            return
        if index is None or index >= matches.option_count:
            return
        value = matches.get_option_at_index(index).value
        if self.moved and value in self.chosen:
            self._toggle(value, False)
        elif value not in self.chosen:
            self._toggle(value, True)
        self._clear()

    def on_new_offer_chosen(self, event: NewOffer.Chosen) -> None:
        event.stop()
        self.post_message(self.NewWanted(self, self.search.value))

    def add_new(self, key: str, label: str) -> None:
        super().add_new(key, label)
        self.moved = False
        self._toggle(key, True)
        self._clear()

    def _clear(self) -> None:
        self.moved = False
        if self.search.value:
            self.search.value = ""  # the Changed message refills the list
        else:
            self._fill("")

    def action_move(self, step: int) -> None:
        matches = self.matches
        if not matches.option_count:
            return
        index = matches.highlighted
        if index is None:
            index = 0 if step > 0 else matches.option_count - 1
        else:
            index = max(0, min(matches.option_count - 1, index + step))
        matches.highlighted = index
        self.moved = True

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        # A click on a match ticks or unticks it; the keys stay with the search box.
        event.stop()
        value = event.selection.value
        self._toggle(value, value in event.selection_list.selected)
        self.search.focus()

    def _toggle(self, value: str, on: bool) -> None:
        if on:
            if self.multiple:
                if value not in self.chosen:
                    self.chosen.append(value)
            else:
                self.chosen = [value]
        elif value in self.chosen:
            self.chosen.remove(value)
        self._fill(self.search.value)
        self.post_message(self.Changed(self))

    def on_selection_list_selection_highlighted(
        self, event: SelectionList.SelectionHighlighted[str]
    ) -> None:
        event.stop()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
