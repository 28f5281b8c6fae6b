"""When a record being saved repeats one already stored: the same news from another
outlet. The stored record is named, with its sources, and one key adds this source and
its anchored quote to it; n saves the new record all the same; esc goes back to the
form as it was typed. Nothing is written until the choice is made.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content

from store import Event, Kind, Position, Repository, Source
from store.reading.corroboration import WINDOW, Match, as_written
from store.reading.words import kind_words
from tui.dialogs.detail import scroll_body
from tui.dialogs.dialog import Dialog
from tui.dialogs.form_result import Offer
from tui.format import FIRMNESS_STYLE, MUTED, day, name_of
from tui.text import line, literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock
from tui.widgets.text_view import TextView

ADD, NEW = "add", "new"


def _outlets(repo: Repository, source_ids: Sequence[str]) -> list[str]:
    return [repo.get_as(Source, s).label if repo.exists(Kind.SOURCE, s) else s for s in source_ids]


def _why(match: Match) -> str:
    """Why the two are taken for the same news, in words."""
    record = match.record
    if isinstance(record, Position):
        same, text = "party and sticking point", f"{record.stance} {record.quote}"
    else:
        same, text = "kind and actors", f"{record.title} {record.text} {record.quote}"
    words = ", ".join(as_written(text, match.words))
    return f"Same {same}, {match.apart} (at most {WINDOW.days}), in like words: {words}."


def offer_body(
    repo: Repository, match: Match, source_ids: Sequence[str], new_source: str, quote: str
) -> Content:
    """The stored record whole (what, when, its quotes and sources), why it is taken for
    the same news, and what this form would add to it."""
    record = match.record
    parts: list[Content] = []
    if isinstance(record, Position):
        parts.append(
            line(
                (day(record.date), "bold"),
                "  ",
                (name_of(repo, Kind.ACTOR, record.actor_id), "bold"),
                " on ",
                name_of(repo, Kind.POINT, record.point_id),
                "  ",
                (record.firmness.value, FIRMNESS_STYLE[record.firmness]),
            )
        )
        parts.append(line("  ", record.stance))
    elif isinstance(record, Event):
        parts.append(
            line(
                (day(record.date), "bold"),
                "  ",
                (record.title, "bold"),
                ("  " + record.event_kind.value, MUTED),
            )
        )
    shown = record.stance if isinstance(record, Position) else record.text
    for said in [record.quote, *(c.quote for c in record.corroborations)]:
        # A quote that is the stance word for word is shown once.
        if said and " ".join(said.split()) != " ".join(shown.split()):
            parts.append(line("  ", ("“", MUTED), (said, "italic"), ("”", MUTED)))
    cited = _outlets(repo, record.source_ids)
    parts.append(line(("  Sources: ", "bold"), "; ".join(cited) or "none"))
    parts.append(line((_why(match), MUTED)))
    parts.append(Content(""))
    from_ = "; ".join([*_outlets(repo, source_ids), *([new_source] if new_source else [])])
    parts.append(line(("This report: ", "bold"), from_))
    if quote:
        parts.append(line("  ", ("“", MUTED), (quote, "italic"), ("”", MUTED)))
    return Content("\n").join(parts)


def offer_title(match: Match) -> str:
    return f"This {kind_words(match.kind)} may be recorded already"


class CorroborationScreen(Dialog[str | None]):
    """Answers ``ADD``, ``NEW``, or None to go back to the form."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [
        Binding("enter,a", "answer('add')", "Add to it", priority=True, id="corroborate.add"),
        Binding("n", "answer('new')", "Save as new", id="corroborate.new"),
        Binding("escape", "answer", "Back to the form", id="corroborate.back"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="corroborate.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="corroborate.up"),
    ]

    def __init__(self, offer: Offer) -> None:
        super().__init__()
        self.offer = offer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog corroboration"):
            yield TextBlock(literal(self.offer.title), classes="dialog-title")
            # The choice first, where a small terminal shows it whatever the body's length.
            yield TextBlock(
                literal(
                    f"⏎/a: {self.offer.add_words} · n: {self.offer.new_words} · "
                    "esc: back to the form"
                ),
                classes="offer-keys",
            )
            yield TextView(self.offer.body, classes="dialog-body")
        yield KeyFooter()

    def action_answer(self, choice: str | None = None) -> None:
        self.dismiss(choice)

    def action_scroll(self, direction: str) -> None:
        scroll_body(self, direction)
