"""The keys that read rather than write: the sources of the selection, the reader,
the brief, copying, history, search and compare. The dashboard inherits them, as it
does the keys that write (``CaptureScreen``)."""

from __future__ import annotations

from datetime import date

from textual.css.query import NoMatches

from store import StoreError
from store.reading.compare import news_window
from store.reading.words import record_words
from tui.brief import brief_file
from tui.clipboard import citations, record_text
from tui.dialogs.compare import CompareScreen, compare_form
from tui.dialogs.form_result import FormResult
from tui.dialogs.history import HistoryScreen
from tui.dialogs.record_sources import RecordSourcesScreen
from tui.dialogs.search import SearchScreen
from tui.screens.article import paste_article, reader_for
from tui.screens.capture import CaptureScreen


class ReadingScreen(CaptureScreen):
    def action_sources(self) -> None:
        try:
            record = self.active_view.selected()
        except NoMatches:
            return
        if record is None:
            self.notify("Select a record first.", severity="warning", timeout=3)
            return
        self.app.push_screen(RecordSourcesScreen(self.repo, record))

    def action_capture_article(self) -> None:
        paste_article(self)

    def action_read(self) -> None:
        """v: the article of the selected source, or the passage the selection quotes."""
        try:
            record = self.active_view.selected()
        except NoMatches:
            record = None
        reader = reader_for(self.repo, self.commands, record, self.track_id)
        if isinstance(reader, str):
            self.notify(reader, severity="warning", timeout=5)
        else:
            self.app.push_screen(reader)

    def action_brief(self) -> None:
        """The Markdown brief on the track and date in view: to a file, and to the
        clipboard to paste into a message."""
        try:
            path, text = brief_file(self.repo, self.track_id or None, self.as_of)
        except (OSError, StoreError) as exc:
            self.notify(f"Cannot write the brief: {exc}", severity="error", timeout=8)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Brief written to {path} and copied to the clipboard.", timeout=6)

    def action_copy(self) -> None:
        record = self.selected()
        if record is None:
            self.notify("Select a record first.", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(record_text(self.repo, record, self.as_of))
        self.notify(f"Copied the text of {record_words(self.repo, record)}.", timeout=3)

    def action_copy_citation(self) -> None:
        record = self.selected()
        if record is None:
            self.notify("Select a record first.", severity="warning", timeout=3)
            return
        text = citations(self.repo, record)
        if not text:
            self.notify("It cites no source: nothing copied.", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(text)
        count = text.count("\n") + 1
        self.notify(f"Copied {count} citation{'s' if count > 1 else ''}.", timeout=3)

    def action_history(self) -> None:
        record = self.selected()
        if record is not None:
            self.app.push_screen(HistoryScreen(self.repo, record.kind, record.id))

    def action_history_all(self) -> None:
        self.app.push_screen(HistoryScreen(self.repo))

    def action_find(self) -> None:
        self.app.push_screen(SearchScreen(self.repo))

    def action_compare(self) -> None:
        if not self.track_id:
            return
        forms = self.forms()

        def chosen(result: FormResult | None) -> None:
            if result is None:
                return
            start = date.fromisoformat(result.values["start"])
            end = date.fromisoformat(result.values["end"])
            self.app.push_screen(CompareScreen(self.repo, self.track_id, start, end, forms.options))

        # The week up to the latest news on the track, not an empty one up to today.
        start, end = news_window(self.repo, self.track_id, self.as_of)
        self.app.push_screen(compare_form(start, end, forms.options), chosen)
