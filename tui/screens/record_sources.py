"""The sources of one record: where what it says comes from (`o`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from store import Kind, Record, Repository, Source
from tui.clipboard import cited_sources, web_url
from tui.format import MUTED, UNSOURCED, heading
from tui.screens.detail import DetailScreen
from tui.text import line
from tui.views.sources import open_source_url


class RecordSourcesScreen(DetailScreen):
    BINDINGS = [Binding("w", "open_url", "Open URL")]

    def action_open_url(self) -> None:
        """The web page of the first source that has one."""
        sources = cited_sources(self.repo, self.record)
        linked = next((s for s in sources if web_url(s)), None)
        if linked is None and sources:
            linked = sources[0]
        if linked is None:
            self.notify("This record cites no source.", severity="warning", timeout=4)
            return
        open_source_url(self, linked)

    def __init__(self, repo: Repository, record: Record) -> None:
        self.repo, self.record = repo, record
        super().__init__(Content(""), title=f"Sources of {record.kind} {record.label}")

    def compose(self) -> ComposeResult:
        repo = self.repo
        ids: list[str] = []
        for _, kind, ref in self.record.references():
            if kind == Kind.SOURCE and ref not in ids:
                ids.append(ref)
        parts: list[Content] = []
        if not ids:
            unsourced = getattr(self.record, "unsourced", False)
            parts.append(
                line(
                    (
                        "Marked unsourced: no source was given for this record."
                        if unsourced
                        else "This record cites no source.",
                        UNSOURCED,
                    )
                )
            )
        for source_id in ids:
            if not repo.exists(Kind.SOURCE, source_id):
                parts.append(line((f"missing source {source_id}", MUTED)))
                continue
            source = repo.get_as(Source, source_id)
            parts += [
                heading(source.label),
                line(("Published: ", "bold"), source.published.isoformat()),
                line(("Kind: ", "bold"), source.source_kind.value),
                line(("URL: ", "bold"), source.url or "—"),
                line(("Reliability: ", "bold"), source.reliability or "—"),
                Content(""),
            ]
        self.body = Content("\n").join(parts)
        yield from super().compose()
