"""What every view shares: reloading when the track, the date or the store changes."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from store import Record, Repository
from store.reading.words import capitalised, changed_by
from tui.dialogs.detail import DetailScreen
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_view import TextView


def last_changed(repo: Repository, record: Record) -> str:
    """Who last wrote a record, and when: ``Changed by amal at 10:42 on 3 Dec 2026``."""
    if not repo.exists(record.kind, record.id):
        return ""
    last = repo.last_change(record.kind, record.id)
    if last is None:
        return ""
    return f"{capitalised(changed_by(last))} (revision {repo.revision(record.kind, record.id)})"


class View(Vertical):
    """A tab of the dashboard. Reloads lazily: only when shown and out of date.

    It is handed the repository; the track and date in view and the store's version
    are bound to its screen's, which has them from the app.
    """

    title = ""
    key = ""
    # The tab's label; short, so that all seven tabs fit in 80 columns.
    tab_label = ""
    # The kinds of record its cursor can select, which decide the quick actions shown.
    selects: tuple[str, ...] = ()

    track_id: reactive[str] = reactive("", init=False)
    as_of: reactive[date | None] = reactive(None, init=False)
    version: reactive[int] = reactive(0, init=False)

    def __init__(self, repo: Repository) -> None:
        super().__init__(id=f"view-{self.key}", classes="view")
        self.repo = repo
        self._stale = True

    def watch_track_id(self) -> None:
        self._invalidate()

    def watch_as_of(self) -> None:
        self._invalidate()

    def watch_version(self) -> None:
        self._invalidate()

    def _invalidate(self) -> None:
        self._stale = True
        if self.is_active:
            self.refresh_view()

    @property
    def is_active(self) -> bool:
        parent = self.parent
        return bool(parent is not None and isinstance(parent, Widget) and parent.display)

    def refresh_view(self) -> None:
        """Reload if the data changed since the last load. With no track in view (its
        adding undone, say) nothing of the last one stays on show."""
        if not self._stale:
            return
        self._stale = False
        self.set_class(not self.track_id, "-no-track")
        if self.track_id:
            self.reload()

    def reload(self) -> None:
        raise NotImplementedError

    def selected(self) -> Record | None:
        """The record under the cursor, for actions such as showing its sources."""
        return None

    def show_record(self, kind: str, record_id: str) -> bool:
        """Put the cursor on a record; False if this view doesn't show it."""
        return False

    def start_filter(self) -> None:
        """Begin filtering what the view lists, where it lists anything."""

    def focus_main(self) -> None:
        self.focus()


class FilterInput(Input):
    """The `/` filter: hidden until asked for; esc clears it."""

    BINDINGS = [Binding("escape", "dismiss", "Clear filter", id="filter.clear")]

    class Dismissed(Message):
        pass

    def action_dismiss(self) -> None:
        self.post_message(self.Dismissed())


# The detail pane beside a table, on a screen wide enough for both: never narrower than
# this (its text would wrap to a ribbon), nor wider (a wide screen's room goes to the
# table's columns).
DETAIL_LEAST, DETAIL_MOST = 36, 60


class TableView(View):
    """A table of records with the highlighted record's detail beside or below it.

    Beside it, the table takes the width its cells want and the pane the rest, down to
    ``DETAIL_LEAST``: a cell is cut only when both are full."""

    columns: tuple[Column, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def selects(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.kinds

    def compose(self) -> ComposeResult:
        with Horizontal(classes="split"):
            yield RecordTable(
                self.columns,
                id=f"{self.key}-table",
                classes="main-table",
                beside=(DETAIL_LEAST, DETAIL_MOST),
            )
            yield TextView(classes="detail-pane detail")
        yield FilterInput(placeholder="filter: type to narrow, esc to clear", classes="filter")

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def reload(self) -> None:
        self.show_rows()

    # The track the rows were last filled for.
    _filled_for: str | None = None

    def show_rows(self) -> None:
        """Fill the table afresh, and the detail of the row the cursor lands on. On
        another track the cursor starts at the top: the record it was on (an actor,
        a source, shared by the tracks) says nothing of the new one."""
        same_track = self._filled_for in (None, self.track_id)
        self._filled_for = self.track_id
        self.table.set_rows(self.rows(), keep_key=same_track)
        self._detail_key = None
        self._show_detail(self.table.cursor_key)

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def record_for(self, key: str) -> Record | None:
        raise NotImplementedError

    def detail(self, key: str) -> Content:
        raise NotImplementedError

    def selected(self) -> Record | None:
        key = self.table.cursor_key
        return self.record_for(key) if key else None

    # The row whose detail is on show, until the rows are filled afresh. One save
    # highlights the same row several times over (reload, filter reset, cursor
    # placed); a long detail is built once.
    _detail_key: str | None = None

    def _show_detail(self, key: str | None) -> None:
        if key is not None and key == self._detail_key:
            return
        self._detail_key = key
        detail = self.query_one(".detail", TextView)
        detail.update(self.detail(key) if key else Content("Nothing selected."))

    def on_record_table_highlighted(self, event: RecordTable.Highlighted) -> None:
        self._show_detail(event.key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        record = self.record_for(event.key)
        changed = last_changed(self.repo, record) if record is not None else ""
        self.app.push_screen(DetailScreen(self.detail(event.key), self.title, changed))

    def show_record(self, kind: str, record_id: str) -> bool:
        if kind not in self.kinds:
            return False
        self.refresh_view()
        table = self.table
        table.set_filter("")
        self.query_one(FilterInput).value = ""
        found = table.move_to_key(self.key_for(kind, record_id))
        table.focus()
        return found

    def key_for(self, kind: str, record_id: str) -> str:
        return record_id

    def start_filter(self) -> None:
        filter_input = self.query_one(FilterInput)
        filter_input.add_class("-shown")
        filter_input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterInput):
            self.table.set_filter(event.value)
            self._show_detail(self.table.cursor_key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterInput):
            self.table.focus()

    def on_filter_input_dismissed(self, event: FilterInput.Dismissed) -> None:
        event.stop()
        self.clear_filter()

    def clear_filter(self) -> bool:
        filter_input = self.query_one(FilterInput)
        if not filter_input.has_class("-shown") and not self.table.filter_text:
            return False
        filter_input.value = ""
        filter_input.remove_class("-shown")
        self.table.set_filter("")
        self.table.focus()
        return True

    def focus_main(self) -> None:
        self.table.focus()
