"""`?`: every key that works where you are, and the app's own."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen

from tui.format import heading
from tui.text import line
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock

# Keys that every list and view understands, handled by widgets rather than bindings.
MOVES = [
    ("j / ↓, k / ↑", "move down / up"),
    ("← / →", "move between cells (matrix, gap board)"),
    ("g / home, G / end", "first / last row"),
    ("pgup / pgdn", "page up / down"),
    ("enter", "open the highlighted record"),
    ("esc", "back: close a dialog, clear the filter"),
    ("tab / shift+tab", "move focus between panes"),
    ("1 … 7", "switch view"),
]


KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "plus": "+",
    "escape": "esc",
    "pageup": "pgup",
    "pagedown": "pgdn",
}


def _key_label(key: str) -> str:
    return KEY_NAMES.get(key, key)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

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
            where = {0: "this screen", 1: "everywhere"}.get(order, type(node).__name__)
            what = binding.description or binding.action
            group = (order, where, binding.action, what)
            grouped.setdefault(group, []).append(_key_label(key))
        rows = [
            Row(f"{order}:{action}", (" / ".join(keys), what, where))
            for (order, where, action, what), keys in sorted(grouped.items(), key=lambda i: i[0][0])
        ]
        for key, what in MOVES:
            rows.append(Row(f"move:{key}", (key, what, "lists")))
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
                    "  ctrl+p finds any track, round, point, actor or source by name.",
                ),
                classes="hint",
            )
        yield KeyFooter()
