"""Type-ahead choosing: type a few letters, Enter takes the best match.

In a picker that takes several (mediators, sources), Enter takes the best match
again and again, the search box emptied after each, so "egy ⏎ qat ⏎ us ⏎" chooses
three. Enter on an empty search box moves on; backspace on it lets go of the last
choice. A picker may also offer entries that are not records yet (a new source
typed as "Reuters, 2024-08-25, wire"), through ``extra``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui.text import literal, plain
from tui.widgets.chooser import Chooser
from tui.widgets.field_widgets import FieldOptionList, StyledWhenMounted
from tui.widgets.text_block import TextBlock

SHOWN = 6
# The id of the "+ new …" entry: never a record's (ids are slugs), nor a typed source's.
NEW_RECORD = "\x00new"

# Entries offered for what was typed: (value, how it is shown), or none.
Extra = Callable[[str], list[tuple[str, str]]]


def rank(query: str, label: str, terms: Sequence[str] = ()) -> int | None:
    """How well ``query`` matches a name (lower is better); None when it does not."""
    needle = query.casefold().strip()
    best: int | None = None
    for n, text in enumerate((label, *terms)):
        hay = text.casefold()
        if hay == needle:
            score = 0
        elif hay.startswith(needle):
            score = 1
        elif any(word.startswith(needle) for word in hay.replace("-", " ").split()):
            score = 2
        elif needle in hay:
            score = 3
        else:
            continue
        # A match on the name itself beats the same match on an alias.
        score = score * 2 + (1 if n else 0)
        best = score if best is None else min(best, score)
    return best


class SearchBox(StyledWhenMounted, Input):
    """The picker's search box: backspace on an empty box lets go of the last choice."""

    class EmptyBackspace(Message):
        pass

    def action_delete_left(self) -> None:
        if not self.value:
            self.post_message(self.EmptyBackspace())
            return
        super().action_delete_left()


class Picker(Chooser):
    """A quick form's chooser: type a few letters, Enter takes the best match."""

    DEFAULT_CSS = """
    Picker {
        height: auto;
    }
    Picker .pick-list {
        height: auto;
        max-height: 6;
        border-left: tall $accent;
        background: $boost;
    }
    Picker .pick-list.-empty {
        display: none;
    }
    Picker .pick-chosen {
        color: $text-muted;
    }
    """

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        multiple: bool,
        chosen: Sequence[str] = (),
        noun: str = "record",
        aliases: Mapping[str, Sequence[str]] | None = None,
        extra: Extra | None = None,
        labels: Mapping[str, str] | None = None,
        soft: bool = False,
        id: str | None = None,
        new_kind: str = "",
    ) -> None:
        """``aliases``: other names a record is found by; ``extra``: entries offered for
        what was typed; ``labels``: names of chosen values that are not options;
        ``soft``: what is chosen at first is a default, which the first pick replaces."""
        super().__init__(
            options,
            multiple=multiple,
            chosen=chosen,
            noun=noun,
            id=id,
            classes="picker",
            new_kind=new_kind,
        )
        self.labels.update(labels or {})
        self.aliases = aliases or {}
        self.extra = extra
        self.soft = soft and bool(self.chosen)
        self._matches: list[str] = []

    def compose(self) -> ComposeResult:
        """The parts, filled before they are mounted: filled once mounted, each asked
        for a layout of the form again as it opened."""
        hint = f"type to find {self.noun}, ⏎ takes the best match"
        self._search = SearchBox(placeholder=hint, classes="pick-search", compact=True)
        self._list = FieldOptionList(classes="pick-list -empty", compact=True)
        self._list.can_focus = False
        self._chosen = TextBlock(classes="pick-chosen")
        self._fill("")
        yield self._search
        yield self._list
        yield self._chosen

    def set_chosen(self, chosen: Sequence[str]) -> None:
        self.chosen = [c for c in chosen if c]
        self.soft = False
        self._summarise()

    def label_of(self, key: str) -> str:
        return self.labels.get(key, key)

    def matches(self, text: str) -> list[tuple[str, str]]:
        """The best matches of ``text``, best first: (value, shown)."""
        if not text.strip():
            return []
        scored = []
        for order, (key, label) in enumerate(self.options):
            if key in self.chosen:
                continue
            score = rank(text, label, self.aliases.get(key, ()))
            if score is not None:
                scored.append((score, order, key, label))
        scored.sort()
        found = [(key, label) for _, _, key, label in scored[:SHOWN]]
        extra = self.extra(text) if self.extra else []
        if not found and not extra and self.new_kind:
            # Nothing stored is called that: offer to add it.
            return [(NEW_RECORD, self.new_offer(text))]
        # What was typed comes first when nothing stored matches it.
        return [*found, *extra] if found else [*extra, *found]

    def _fill(self, text: str) -> None:
        found = self.matches(text)
        for key, shown in found:
            if key != NEW_RECORD:
                self.labels.setdefault(key, shown)
        self._matches = [key for key, _ in found]
        option_list = self._list
        option_list.clear_options()
        option_list.add_options([Option(literal(shown), id=key) for key, shown in found])
        option_list.set_class(not found, "-empty")
        if found:
            option_list.highlighted = 0
        self._summarise(self.missing(text, any(key != NEW_RECORD for key in self._matches)))

    def _summarise(self, before: Content | None = None) -> None:
        names = [self.label_of(k) for k in self.chosen]
        if names and self.soft:
            text = Content.assemble(
                ("chosen: ", "dim"), plain(" · ".join(names)), (" (until you pick another)", "dim")
            )
        elif names:
            text = Content.assemble(("chosen: ", "dim"), plain(" · ".join(names)))
        else:
            text = Content.assemble(("none chosen", "dim"))
        self._chosen.update(Content.assemble(before or "", text))

    def action_move(self, step: int) -> None:
        option_list = self._list
        if option_list.option_count:
            current = option_list.highlighted or 0
            option_list.highlighted = (current + step) % option_list.option_count

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option_list = self._list
        highlighted = option_list.highlighted_option
        if not event.value.strip() or highlighted is None or highlighted.id is None:
            if not event.value.strip():
                self.screen.focus_next()
            return
        self.take(highlighted.id)
        if not self.multiple and highlighted.id != NEW_RECORD:
            self.screen.focus_next()

    @property
    def pending(self) -> str:
        """What was typed in the search box and not taken: saving then would keep what
        was chosen before, not what the person typed (a new source typed on one line)."""
        return self._search.value.strip()

    def take(self, key: str) -> None:
        """Choose ``key`` (in a single picker, instead of what was chosen); "+ new …"
        asks for the new record, which is chosen once it is saved."""
        if key == NEW_RECORD:
            self.post_message(self.NewWanted(self, self.pending))
            return
        if self.soft:
            self.chosen, self.soft = [], False
        if self.multiple:
            if key not in self.chosen:
                self.chosen.append(key)
        else:
            self.chosen = [key]
        self._search.value = ""
        self._fill("")
        self.post_message(self.Changed(self))

    def add_new(self, key: str, label: str) -> None:
        super().add_new(key, label)
        self.take(key)

    def on_search_box_empty_backspace(self, event: SearchBox.EmptyBackspace) -> None:
        event.stop()
        if self.chosen:
            self.soft = False
            self.chosen.pop()
            self._summarise()
            self.post_message(self.Changed(self))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A click on a match takes it, as Enter does.
        event.stop()
        if event.option.id is not None:
            self.take(event.option.id)
