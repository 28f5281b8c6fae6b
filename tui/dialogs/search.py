"""`f`: search everything. Every record holding all the words typed, ranked; enter
opens the one under the cursor where the dashboard lists it.

The store's index of words is built once per version of the store, in a thread
when the screen opens, so that the first key does not wait for it on a large store.
"""

from __future__ import annotations

import contextlib

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from store import Repository
from store.reading.search import index_ready, search_index
from store.reading.words import kind_words
from tui.dialogs.dialog import Dialog
from tui.messages import OpenRecord
from tui.palette import Ranked, rank
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock


class SearchInput(Input):
    """The query: down moves to the results, enter opens the first."""

    BINDINGS = [Binding("down", "screen.results", "Results", show=False, id="search.results")]


class SearchScreen(Dialog[None]):
    CSS_PATH = ["modal.tcss", "search.tcss"]
    BINDINGS = [
        Binding("escape", "dismiss", "Back", id="search.back"),
        Binding("ctrl+f", "query", "Edit the search", show=False, id="search.query"),
    ]

    def __init__(self, repo: Repository, query: str = "") -> None:
        super().__init__()
        self.repo, self.query_text = repo, query
        self.ranked: dict[str, Ranked] = {}
        self._indexing = False
        self._shown: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide search"):
            yield TextBlock(Content("Search everything"), classes="dialog-title")
            yield SearchInput(
                self.query_text,
                placeholder="words from any title, stance, quote, note, outcome or source",
                id="search-query",
            )
            yield TextBlock(
                Content("Type to search; every word must be in the record."), id="search-count"
            )
            yield RecordTable(
                [
                    Column("Kind", width=14),
                    Column("Record", min_width=16, ratio=2),
                    Column("Found in", min_width=20, ratio=3),
                ],
                empty_text="Nothing found.",
                id="search-results",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(SearchInput).focus()
        if index_ready(self.repo):
            self._show(self.query_one(SearchInput).value)
        else:
            self._indexing = True
            self._build_index()

    @work(thread=True, exclusive=True, group="search-index")
    def _build_index(self) -> None:
        # A write changing the store under the scan stops it; the first search then
        # builds the index afresh.
        with contextlib.suppress(RuntimeError):
            search_index(self.repo)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "search-index" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._indexing = False
            self._show(self.query_one(SearchInput).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self._indexing:
            self._show(event.value)
        else:
            self.query_one("#search-count", TextBlock).update(Content("Reading the store…"))

    def _show(self, query: str) -> None:
        self._shown = query
        table = self.query_one(RecordTable)
        count = self.query_one("#search-count", TextBlock)
        if not query.strip():
            self.ranked = {}
            table.set_rows([], keep_key=False)
            count.update(Content("Type to search; every word must be in the record."))
            return
        total, ranked = rank(self.repo, query)
        self.ranked = {f"{r.found.kind}:{r.found.record_id}": r for r in ranked}
        table.set_rows(
            [
                Row(key, (kind_words(r.found.kind), r.label, r.where))
                for key, r in self.ranked.items()
            ],
            keep_key=False,
        )
        shown = f", the best {len(ranked)} shown" if total > len(ranked) else ""
        records = "record holds" if total == 1 else "records hold"
        count.update(literal(f"{total} {records} every word{shown}. Enter opens."))

    def action_results(self) -> None:
        table = self.query_one(RecordTable)
        if table.row_count:
            table.focus()

    def action_query(self) -> None:
        self.query_one(SearchInput).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._indexing:
            return
        if event.value != self._shown:
            self._show(event.value)
        key = self.query_one(RecordTable).cursor_key
        if key is not None:
            self._open(key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        self._open(event.key)

    def _open(self, key: str) -> None:
        found = self.ranked[key].found
        self.dismiss()
        self.app.post_message(OpenRecord(found.kind, found.record_id))
