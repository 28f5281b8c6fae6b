"""One key per choice, for short lists such as firmness or status.

Each choice shows the letter that picks it; pressing it picks and moves on to the
next field. Left and right step through the choices.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


def key_letters(choices: Sequence[str]) -> dict[str, str]:
    """A letter for each choice: the first of its letters no earlier choice took."""
    taken: dict[str, str] = {}
    for choice in choices:
        letter = next(
            (c for c in choice.casefold() if c.isalpha() and c not in taken),
            None,
        )
        if letter is not None:
            taken[letter] = choice
    return taken


class KeyChoice(Widget, can_focus=True):
    """Choose one of a few values with one key."""

    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False, id="keys.previous"),
        Binding("right", "step(1)", "Next", show=False, id="keys.next"),
    ]
    DEFAULT_CSS = """
    KeyChoice {
        height: auto;
    }
    """

    value: reactive[str | None] = reactive(None)

    class Changed(Message):
        def __init__(self, choice: KeyChoice) -> None:
            super().__init__()
            self.choice = choice

        @property
        def control(self) -> KeyChoice:
            return self.choice

    def __init__(
        self, choices: Sequence[str], value: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="key-choice")
        self.choices = list(choices)
        self.letters = key_letters(self.choices)
        self.set_reactive(KeyChoice.value, value if value in self.choices else None)

    def render(self) -> Content:
        by_choice = {choice: letter for letter, choice in self.letters.items()}
        parts: list[Content] = []
        for choice in self.choices:
            letter = by_choice.get(choice, " ")
            chosen = choice == self.value
            style = "reverse bold" if chosen else ""
            parts.append(Content.assemble((f" {letter} ", "bold underline"), (f"{choice} ", style)))
        return Content(" ").join(parts)

    def pick(self, choice: str) -> None:
        self.value = choice
        self.post_message(self.Changed(self))

    def on_key(self, event: Key) -> None:
        letter = (event.character or "").casefold()
        if letter in self.letters:
            event.stop()
            event.prevent_default()
            self.pick(self.letters[letter])
            self.screen.focus_next()

    def action_step(self, step: int) -> None:
        index = self.choices.index(self.value) if self.value in self.choices else -1
        self.pick(self.choices[(index + step) % len(self.choices)])
