"""`h`: the change log of a record or of the whole store: when, what, before and after.

Enter on a change opens the record it changed in the dashboard, if it still exists.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content

from store import Change, Repository
from store.reading.change_words import change_summary, fields_said
from store.reading.words import author_of, capitalised, long_day, what_of
from tui.dialogs.dialog import Dialog
from tui.format import MUTED, heading
from tui.messages import OpenRecord
from tui.text import line, literal
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock

SHOWN = 2000


def change_words(repo: Repository, change: Change) -> str:
    """The change in words, read again from its before and after, so that a change an
    older version summed up in ids reads like a new one; its stored summary if the
    record's kind is unknown now."""
    try:
        return capitalised(change_summary(repo, change))
    except ValueError:
        return change.summary


def when(change: Change) -> str:
    return f"{long_day(change.at.date())} {change.at:%H:%M}"


def change_detail(repo: Repository, change: Change) -> Content:
    """The change in words, then each field it touched: short values as before → after,
    lists as what came in and what went, long text whole."""
    parts = [
        heading(change_words(repo, change)),
        line((f"change {change.seq}, {when(change)}, by ", MUTED), author_of(change)),
        Content(""),
    ]
    for said in fields_said(repo, change.record_kind, change.before, change.after):
        if said.before is None and said.after is None:
            parts.append(line((f"{said.field}: ", "bold"), said.text))
            continue
        parts.append(line((said.field, "bold")))
        if said.before is not None:
            parts.append(line(("  before  ", "#ff5f5f"), said.before))
        if said.after is not None:
            parts.append(line(("  after   ", "#5fd75f"), said.after))
    return Content("\n").join(parts)


# The change's detail beside the list, on a screen wide enough for both: at least
# this wide, and at most (the rest goes to the list's Change column).
DETAIL_LEAST, DETAIL_MOST = 40, 70


class HistoryScreen(Dialog[None]):
    CSS_PATH = "modal.tcss"
    # Narrower, the detail goes below the list, which then has the whole width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [Binding("escape,q", "dismiss", "Back", id="history.back")]

    def __init__(
        self, repo: Repository, kind: str | None = None, record_id: str | None = None
    ) -> None:
        super().__init__()
        self.repo, self.kind, self.record_id = repo, kind, record_id
        self.changes: dict[str, Change] = {}

    def _what(self) -> str:
        """The record whose history this is, by name; as its last change left it if gone."""
        assert self.kind and self.record_id
        if self.repo.exists(self.kind, self.record_id):
            return what_of(
                self.repo,
                self.kind,
                self.repo.get(self.kind, self.record_id).model_dump(mode="json"),
            )
        last = next(iter(self.repo.history(self.kind, self.record_id, limit=1)), None)
        doc = (last.before or last.after) if last else None
        return what_of(self.repo, self.kind, doc or {"id": self.record_id})

    def compose(self) -> ComposeResult:
        repo = self.repo
        changes = repo.history(self.kind, self.record_id, limit=SHOWN)
        self.changes = {str(c.seq): c for c in changes}
        what = self._what() if self.kind and self.record_id else "everything"
        if len(changes) == SHOWN:
            # Counting them all would mean reading the whole change log.
            title = f"History of {what}: the newest {SHOWN:,} changes, newest first"
        else:
            title = f"History of {what}: {len(changes)} change(s), newest first"
        table = RecordTable(
            [
                Column("When", width=17),
                Column("Who", width=8),
                Column("Change", min_width=20, ratio=3),
            ],
            id="changes",
            empty_text="No changes recorded.",
            beside=(DETAIL_LEAST, DETAIL_MOST),
        )
        table.set_rows(
            [
                # "21 Aug 2024 09:30" sorts by the change's order, which is its time's.
                Row(
                    str(c.seq),
                    (when(c), author_of(c), change_words(repo, c)),
                    sort=(f"{c.seq:012d}",),
                )
                for c in changes
            ]
        )
        with Vertical(classes="dialog wide history"):
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
            change_detail(self.repo, change) if change else Content("")
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
            gone = what_of(self.repo, kind, change.before or change.after or {"id": record_id})
            self.notify(
                f"{capitalised(gone)} is no longer there: it was deleted.", severity="warning"
            )
            return
        # The history leaves the stack at once, so the dashboard is the screen the
        # record is opened on.
        self.dismiss()
        self.app.post_message(OpenRecord(kind, record_id))
