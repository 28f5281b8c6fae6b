"""`h`: the change log of a record or of the whole store: when, what, before and after.

Enter on a change opens the record it changed in the dashboard, if it still exists.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen

from store import Change, Repository
from tui.format import MUTED, heading
from tui.messages import OpenRecord
from tui.text import line, literal
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock

SHOWN = 2000


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return str(value)


def change_detail(change: Change) -> Content:
    """The fields a change touched, each as before → after."""
    before, after = change.before or {}, change.after or {}
    parts = [
        heading(change.summary),
        line(
            (f"#{change.seq}  {change.at.isoformat(timespec='seconds')}  ", MUTED),
            f"{change.action} {change.record_kind} {change.record_id}",
        ),
        Content(""),
    ]
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        parts.append(line((key, "bold")))
        if change.before is not None:
            parts.append(line(("  before  ", "#ff5f5f"), _show(old)))
        if change.after is not None:
            parts.append(line(("  after   ", "#5fd75f"), _show(new)))
    return Content("\n").join(parts)


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,q", "dismiss", "Back")]

    def __init__(
        self, repo: Repository, kind: str | None = None, record_id: str | None = None
    ) -> None:
        super().__init__()
        self.repo, self.kind, self.record_id = repo, kind, record_id
        self.changes: dict[str, Change] = {}

    def compose(self) -> ComposeResult:
        repo = self.repo
        changes = repo.history(self.kind, self.record_id, limit=SHOWN)
        self.changes = {str(c.seq): c for c in changes}
        what = f"{self.kind} {self.record_id}" if self.record_id else "everything"
        if len(changes) == SHOWN:
            # Counting them all would mean reading the whole change log.
            title = f"History of {what}: the newest {SHOWN:,} changes, newest first"
        else:
            title = f"History of {what}: {len(changes)} change(s), newest first"
        table = RecordTable(
            [Column("When", width=19), Column("Change", min_width=20, ratio=3)],
            id="changes",
            empty_text="No changes recorded.",
        )
        table.set_rows(
            [Row(str(c.seq), (c.at.strftime("%Y-%m-%d %H:%M:%S"), c.summary)) for c in changes]
        )
        with Vertical(classes="dialog wide"):
            yield TextBlock(literal(title), classes="dialog-title")
            with Horizontal(classes="history-split"):
                yield table
                with VerticalScroll(classes="history-detail"):
                    yield TextBlock(id="change-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(RecordTable)
        table.focus()
        self._show(table.cursor_key)

    def _show(self, key: str | None) -> None:
        change = self.changes.get(key or "")
        self.query_one("#change-detail", TextBlock).update(
            change_detail(change) if change else Content("")
        )

    def on_record_table_highlighted(self, event: RecordTable.Highlighted) -> None:
        self._show(event.key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        change = self.changes.get(event.key)
        if change is None:
            return
        kind, record_id = change.record_kind, change.record_id
        if not self.repo.exists(kind, record_id):
            # Stay: the change's before and after are all that is left of the record.
            self.notify(f"No {kind} {record_id!r} any more: it was deleted.", severity="warning")
            return
        # The history leaves the stack at once, so the dashboard is the screen the
        # record is opened on.
        self.dismiss()
        self.app.post_message(OpenRecord(kind, record_id))
