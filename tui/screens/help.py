"""`?`: every key that works where you are, and the app's own."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen

from store.trends import TOP
from tui.format import heading
from tui.screens.dialog import Dialog
from tui.text import line
from tui.trends import legend
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
    """How the Points and Positions views draw trends (see store.trends for the
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


def _key_label(key: str) -> str:
    *mods, last = key.split("+") if key != "plus" else [key]
    return "+".join([*mods, KEY_NAMES.get(last, last)])


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


class HelpScreen(Dialog[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.under = screen

    def compose(self) -> ComposeResult:
        # One row per action, its keys together: the screen's first, then the app's,
        # then those of the focused widget.
        grouped: dict[tuple[int, str, str, str], list[str]] = {}
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            node = active.node
            order = 0 if node is self.under else 1 if node is self.app else 2
            where = {0: "this screen", 1: "everywhere"}.get(order) or _place(node)
            what = binding.description or binding.action
            group = (order, where, binding.action, what)
            grouped.setdefault(group, []).append(_key_label(key))
        rows = [
            Row(f"{order}:{action}", (" / ".join(keys), what, where))
            for (order, where, action, what), keys in sorted(grouped.items(), key=lambda i: i[0][0])
        ]
        bound = set(self.under.active_bindings)
        for keys, label, what in MOVES:
            if not bound.intersection(keys):
                rows.append(Row(f"move:{label}", (label, what, "lists")))
        with Vertical(classes="dialog wide"):
            yield TextBlock(Content("Keys"), classes="dialog-title")
            table = RecordTable(
                [
                    Column("Key", width=18),
                    Column("Does", min_width=20, ratio=3),
                    Column("Where", width=16),
                ],
                id="help-keys",
            )
            table.set_rows(rows)
            yield table
            yield TextBlock(
                line(
                    heading("Tip"),
                    "  ctrl+p or f finds any record by any words in it; C compares two dates.",
                ),
                classes="hint",
            )
            yield TextBlock(trends_hint(), classes="hint")
        yield KeyFooter()
