"""`?`: Parley's keys, grouped by where they work, and filtered as you type.

The keys of the screen under the help come first (the Dashboard's, the reader's),
then those of the view and list in focus, those that work everywhere, and those of
the places one key away (a form, the reader); Textual's own keys (focus, copy)
come last. Each is read from the bindings themselves, with the user's keymap, so a
key rebound in the settings is listed as it now is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import Input

from store.reading.trends import TOP
from tui.dialogs.dialog import Dialog
from tui.dialogs.form import FormScreen
from tui.format import heading
from tui.screens.reader import ReaderScreen
from tui.text import line
from tui.trends import legend
from tui.widgets.chooser import Chooser
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock

# Keys that every list and view understands, handled by widgets rather than bindings:
# the keys (as bindings name them), how they read, what they do. A row is left out
# where one of its keys is bound, since the binding's own row says it.
MOVES = [
    (("j", "down", "k", "up"), "j / ↓, k / ↑", "move down / up"),
    (("left", "right"), "← / →", "move between cells (matrix, gap board)"),
    (("g", "home", "G", "end"), "g / home, G / end", "first / last row"),
    (("pageup", "pagedown"), "pgup / pgdn", "page up / down"),
    (("enter",), "enter", "open the highlighted record"),
    (("escape",), "esc", "back: close a dialog, clear the filter"),
    (("tab", "shift+tab"), "tab / shift+tab", "move focus between panes"),
    (("1", "2", "3", "4", "5", "6", "7"), "1 … 7", "switch view"),
]


def trends_hint() -> Content:
    """How the Points and Positions views draw trends (see store.reading.trends for the
    reasoning), in the glyphs this app draws them with."""
    return line(
        heading("Trends"),
        f"  {legend()} or rejected. Gap: the two firmest parties' levels added,"
        f" 0–{2 * TOP}; ↓7 narrowed from 7, ↑ widened, = same, new: none to compare,"
        " since the day w sets (a month back, or the first position).",
    )


KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "plus": "+",
    "escape": "esc",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}

# Where a key works, as a person sees the place: by the widget's class, or the class it
# is built on (the first match up its ancestry).
PLACES = {
    "RecordTable": "lists",
    "TextView": "text panes",
    "FilterInput": "the filter",
    "Input": "text fields",
    "TextArea": "text boxes",
    "SelectCurrent": "choices",
    "SelectOverlay": "choices",
    "Select": "choices",
    "RefChooser": "pickers",
    "Checkbox": "check boxes",
    "Tabs": "tabs",
    "TabbedContent": "tabs",
    "OptionList": "menus",
    "ScrollableContainer": "scrolling panes",
}


# A screen as a person calls it.
SCREENS = {"DashboardScreen": "Dashboard", "ReaderScreen": "reader", "DeskScreen": "desk"}

# What a form's keys do, where the binding's own word says less than it does.
FORM_WORDS = {
    "form.save": "Save (Apply, Compare, Find)",
    "form.enter-save": "Next field, or a picker's match",
    "form.new-line": "New line in a text box",
    "chooser.next": "Next match in a picker",
    "chooser.previous": "Previous match in a picker",
}
# Bindings listed by another's row: ctrl+s is one key, named in the footer by what it does.
UNLISTED = {"help", "form.apply", "form.compare", "form.find"}
# Keys of a form's widgets that no binding holds.
FORM_KEYS = [
    ("backspace", "On an empty picker: let go of the last choice"),
    ("a letter", "Pick the choice it marks (status, firmness, kind)"),
]


def _key_label(key: str) -> str:
    *mods, last = key.split("+") if key != "plus" else [key]
    # A printable key by its character (">" for greater_than_sign), others by name.
    return "+".join([*mods, KEY_NAMES.get(last) or key_to_character(last) or last])


def _place(node: object) -> str:
    """What a person calls the place a widget's keys work in."""
    for cls in type(node).__mro__:
        if cls.__name__ in PLACES:
            return PLACES[cls.__name__]
    title = getattr(node, "title", None)
    if isinstance(title, str) and title:
        return f"{title} view"
    # Words from the class name: "GapBoard" reads "gap board".
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(node).__name__).lower()


def _screen_place(screen: object) -> str:
    name = type(screen).__name__
    return (
        SCREENS.get(name)
        or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name.removesuffix("Screen")).lower()
    )


# One row of the help: its place's order, the place, what it does, its keys.
_Entry = tuple[int, str, str, list[str]]


def _bound(
    bindings: Iterable[BindingType], keymap: Mapping[str, str], words: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(key, what it does) for each of a class's bindings, as ``keymap`` has them: the
    bindings of a place not on show (a form, the reader), listed from its class."""
    bound = BindingsMap(bindings)
    bound.apply_keymap(dict(keymap))
    return [
        (key, words.get(b.id or "", "") or b.description or b.action)
        for key, b in bound
        if b.id not in UNLISTED
    ]


class HelpScreen(Dialog[None]):
    CSS_PATH = "../dialogs/modal.tcss"
    AUTO_FOCUS = "#help-filter"
    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("down", "move(1)", "Down", show=False, id="help.down"),
        Binding("up", "move(-1)", "Up", show=False, id="help.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="help.page-down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="help.page-up"),
    ]

    def __init__(self, screen: Screen[object], keymap: Mapping[str, str] | None = None) -> None:
        """``keymap``: the user's keys by binding id, for the places not on show."""
        super().__init__()
        self.under = screen
        self.keymap = dict(keymap or {})

    def rows(self) -> list[Row]:
        """Every key, Parley's first, one row for each action in each place."""
        entries: dict[tuple[int, str, str], list[str]] = {}

        def add(order: int, where: str, what: str, key: str) -> None:
            keys = entries.setdefault((order, where, what), [])
            label = _key_label(key)
            if label not in keys:
                keys.append(label)

        here = _screen_place(self.under)
        for key, active in self.under.active_bindings.items():
            binding, node = active.binding, active.node
            what = binding.description or binding.action
            if binding.id is None:
                # Textual's own (focus, copy): after Parley's.
                add(9, "everywhere", what, key)
            elif node is self.under:
                add(0, here, what, key)
            elif node is self.app:
                add(3, "everywhere", what, key)
            else:
                add(1, _place(node), what, key)
        if here != "reader":
            for key, what in _bound(ReaderScreen.BINDINGS, self.keymap, {}):
                add(5, "reader", what, key)
        for key, what in _bound([*FormScreen.BINDINGS, *Chooser.BINDINGS], self.keymap, FORM_WORDS):
            add(4, "forms", what, key)
        for key, what in FORM_KEYS:
            add(4, "forms", what, key)
        bound = set(self.under.active_bindings)
        for keys, label, what in MOVES:
            if not bound.intersection(keys):
                entries[(1, "lists", what)] = [label]
        ordered = sorted(entries.items(), key=lambda item: item[0][0])
        return [
            Row(f"{order}:{where}:{what}", (" / ".join(keys), what, where))
            for (order, where, what), keys in ordered
        ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield TextBlock(Content("Keys"), classes="dialog-title")
            yield Input(
                placeholder="type to filter: a key, what it does, or where (forms, reader…)",
                id="help-filter",
                compact=True,
            )
            table = RecordTable(
                [
                    Column("Key", width=18),
                    Column("Does", min_width=20, ratio=3),
                    Column("Where", width=16),
                ],
                empty_text="No key does that here; esc clears the filter.",
                id="help-keys",
            )
            table.can_focus = False
            table.set_rows(self.rows())
            yield table
            yield TextBlock(trends_hint(), classes="hint")
        yield KeyFooter()

    @property
    def table(self) -> RecordTable:
        return self.query_one("#help-keys", RecordTable)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def action_move(self, step: int) -> None:
        table = self.table
        table.cursor_row = max(0, min(table.cursor_row + step, table.row_count - 1))

    def action_close(self) -> None:
        """Esc: clear the filter first, then close."""
        search = self.query_one("#help-filter", Input)
        if search.value:
            search.value = ""
        else:
            self.dismiss()
