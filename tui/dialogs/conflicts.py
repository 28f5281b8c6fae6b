"""`X`: the conflicts sync found, each with both values, who set them, when, where.

A conflict is a field two machines set to different values before either had seen
the other's change (or a record deleted on one and changed on the other). The record
holds one value by a fixed rule; here a person settles it: `a` accepts what the record
holds now, `o` takes the other value, `e` opens the record to edit it (then `a`).
Settling is a change of the store, which the next sync takes to every machine.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content

from store import Repository, StoreError
from store.records.commands import Commands
from store.sync import Side, SyncConflict, SyncRepo, shown_value, side_time
from tui.dialogs.dialog import Dialog
from tui.format import MUTED, heading
from tui.messages import OpenRecord
from tui.text import line, literal
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock


def _who(side: Side) -> str:
    return f"{side.author or 'unknown'}, {side_time(side)}"


def conflict_detail(conflict: SyncConflict) -> Content:
    """Both sides in full: the value, who set it, when, on which machine, citing what."""
    where = conflict.field or "the whole record"
    parts = [heading(f"{conflict.kind} {conflict.record_id}: {where}"), Content("")]
    for label, side in (("kept ", conflict.kept), ("other", conflict.lost)):
        parts.append(line((f"{label}  ", "bold"), shown_value(side.value)))
        said = f"       by {_who(side)} on machine {side.machine}"
        if side.sources:
            said += ", citing " + ", ".join(side.sources)
        parts.append(line((said, MUTED)))
    return Content("\n").join(parts)


class ConflictsScreen(Dialog[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [
        Binding("a", "keep", "Accept what it holds", id="conflicts.keep"),
        Binding("o", "other", "Take the other", id="conflicts.other"),
        Binding("e", "edit", "Open to edit", id="conflicts.edit"),
        Binding("escape,q", "dismiss", "Back", id="conflicts.back"),
    ]

    def __init__(self, repo: Repository, commands: Commands) -> None:
        super().__init__()
        self.repo, self.commands = repo, commands
        self.sync_repo = SyncRepo(repo)
        self.conflicts: dict[str, SyncConflict] = {}

    def compose(self) -> ComposeResult:
        table = RecordTable(
            [
                Column("Record", min_width=16, ratio=2),
                Column("Field", width=12),
                Column("Kept", min_width=12, ratio=2),
                Column("Other", min_width=12, ratio=2),
            ],
            id="conflicts",
            empty_text="No conflicts: every machine's changes were laid together.",
        )
        with Vertical(classes="dialog wide"):
            yield TextBlock(id="conflicts-title", classes="dialog-title")
            yield table
            with VerticalScroll(classes="conflict-detail"):
                yield TextBlock(id="conflict-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load()
        self.query_one(RecordTable).focus()

    def _load(self) -> None:
        found = self.sync_repo.conflicts() if self.sync_repo.ready else []
        self.conflicts = {c.id: c for c in found}
        title = f"Sync conflicts: {len(found)} to settle"
        self.query_one("#conflicts-title", TextBlock).update(literal(title))
        table = self.query_one(RecordTable)
        table.set_rows(
            [
                Row(
                    c.id,
                    (
                        f"{c.kind} {c.record_id}",
                        c.field or "(deleted)",
                        f"{shown_value(c.kept.value)} ({c.kept.author})",
                        f"{shown_value(c.lost.value)} ({c.lost.author})",
                    ),
                )
                for c in found
            ]
        )
        self._show(table.cursor_key)

    def _show(self, key: str | None) -> None:
        conflict = self.conflicts.get(key or "")
        self.query_one("#conflict-detail", TextBlock).update(
            conflict_detail(conflict) if conflict else Content("")
        )

    def on_record_table_highlighted(self, event: RecordTable.Highlighted) -> None:
        self._show(event.key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        self.action_edit()

    def _selected(self) -> SyncConflict | None:
        return self.conflicts.get(self.query_one(RecordTable).cursor_key or "")

    def _settle(self, conflict: SyncConflict, value: Any, field: str | None) -> None:
        try:
            self.commands.resolve(conflict.kind, conflict.record_id, field, value, conflict.id)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Settled: {conflict.kind} {conflict.record_id}; the next sync sends it.")
        self._load()

    def action_keep(self) -> None:
        conflict = self._selected()
        if conflict is None:
            return
        kind, record_id = conflict.kind, conflict.record_id
        current = (
            self.repo.get(kind, record_id).model_dump(mode="json")
            if self.repo.exists(kind, record_id)
            else None
        )
        if conflict.field is None or current is None:
            self._settle(conflict, current, None)
        else:
            self._settle(conflict, current.get(conflict.field), conflict.field)

    def action_other(self) -> None:
        conflict = self._selected()
        if conflict is None:
            return
        exists = self.repo.exists(conflict.kind, conflict.record_id)
        if conflict.field is not None and not exists:
            self.notify("The record is gone: put it back with a or o on its delete first.")
            return
        self._settle(conflict, conflict.lost.value, conflict.field)

    def action_edit(self) -> None:
        conflict = self._selected()
        if conflict is None or not self.repo.exists(conflict.kind, conflict.record_id):
            return
        self.dismiss()
        self.app.post_message(OpenRecord(conflict.kind, conflict.record_id))
