"""What every chooser of records shares: its options, what is chosen, its message."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message

from store.reading.words import kind_words
from tui.text import plain


class Chooser(Vertical):
    """One record (``multiple=False``) or several, chosen from ``options`` (id, name)."""

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="chooser.next"),
        Binding("up", "move(-1)", "Previous match", show=False, id="chooser.previous"),
    ]

    class Changed(Message):
        """What is chosen changed."""

        def __init__(self, chooser: Chooser) -> None:
            super().__init__()
            self.chooser = chooser

        @property
        def control(self) -> Chooser:
            return self.chooser

    class NewWanted(Message):
        """The person chose "+ new …": a new record of the chooser's kind, named ``text``."""

        def __init__(self, chooser: Chooser, text: str) -> None:
            super().__init__()
            self.chooser = chooser
            self.text = text

        @property
        def control(self) -> Chooser:
            return self.chooser

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        multiple: bool,
        chosen: Sequence[str] = (),
        noun: str = "record",
        id: str | None = None,
        classes: str = "",
        new_kind: str = "",
    ) -> None:
        """``new_kind``: the kind of record "+ new …" adds when nothing matches what was
        typed; none offered when empty."""
        super().__init__(id=id, classes=classes)
        self.new_kind = new_kind
        self.options = [(key, plain(label)) for key, label in options]
        self.labels = dict(self.options)
        self.multiple = multiple
        self.chosen: list[str] = [c for c in chosen if c]
        self.noun = noun

    def missing(self, text: str, found: bool) -> Content:
        """What a search that found nothing says, ahead of what is chosen: nothing when
        something was found or nothing typed."""
        if found or not text.strip():
            return Content("")
        return Content.assemble(
            ("no match for ", "bold"), plain(f"“{text.strip()}”"), (" · ", "dim")
        )

    def new_offer(self, text: str) -> str:
        """How "+ new …" reads for ``text``."""
        return f"+ new {kind_words(self.new_kind)}: {text.strip()}"

    def add_new(self, key: str, label: str) -> None:
        """A record made from "+ new …": listed from now on, and chosen."""
        self.options.append((key, plain(label)))
        self.labels[key] = plain(label)

    @property
    def value(self) -> list[str]:
        return list(self.chosen)

    def action_move(self, step: int) -> None:
        """Move the highlight among the matches."""
