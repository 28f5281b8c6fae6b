"""`?`: every key that works where you are, and the app's own."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from tui.format import heading
from tui.text import line
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


def _key_label(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "ctrl+p": "ctrl+p"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.under = screen

    def compose(self) -> ComposeResult:
        rows = []
        seen = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            description = binding.description or binding.action
            if (key, description) in seen:
                continue
            seen.add((key, description))
            where = "app" if active.node is self.app else type(active.node).__name__
            rows.append(Row(key, (_key_label(key), description, where)))
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
        yield Footer()
