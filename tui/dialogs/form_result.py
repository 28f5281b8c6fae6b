"""What a form is given and gives back: the values it was saved with and what
they wrote, the errors to show beside its fields, what an edit form does when its
record changed underneath it. Apart from the form's widgets, so that the code
that fills and submits forms needs none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.content import Content

from store import Conflict, Record
from store.records.drafts import Outcome

if TYPE_CHECKING:
    from textual.screen import Screen


class FormErrors(Exception):
    """Problems to show beside fields: field name -> message ("" for the whole form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


Submit = Callable[[dict[str, Any]], Outcome | None]


@dataclass(frozen=True)
class OnConflict:
    """What an edit form does when its record changed underneath it."""

    # The refusal and the other change, to show.
    describe: Callable[[Conflict], Content]
    # Given the values the form opened with, those it was saved with and the refusal:
    # the fields changed in the form written again on the record as it stands now.
    reapply: Callable[[dict[str, Any], dict[str, Any], Conflict], Outcome]
    # Given where to say it, calls it with a line each time the record moves on while
    # the form is open; returns the function that stops it.
    watch: Callable[[Callable[[str], None]], Callable[[], None]] | None = None


@dataclass(frozen=True)
class FormResult:
    """What a saved form wrote, and the values it was saved with."""

    records: list[Record]
    values: dict[str, Any]

    @property
    def record(self) -> Record | None:
        return self.records[-1] if self.records else None


# Given the field that changed and every value, new values for other fields.
Follow = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Offer:
    """A new record repeats one already stored (the same news from another outlet): what
    to show, and the two ways on, each a write that returns what it wrote."""

    title: str
    # The stored record and the new one's source, in words.
    body: Content
    # What Enter (or a) does, and what n does: "add Crescent Press and its quote to it".
    add_words: str
    new_words: str
    add: Callable[[], Outcome]
    as_new: Callable[[], Outcome]


class Corroborates(Exception):
    """Raised by a form's submit in place of writing: the form offers ``offer``."""

    def __init__(self, offer: Offer) -> None:
        super().__init__(offer.add_words)
        self.offer = offer


# Given a kind of record and what was typed in a chooser, the form that adds such a
# record named so ("+ new …"); it gives back what it saved.
NewRecord = Callable[[str, str], "Screen[FormResult | None]"]
