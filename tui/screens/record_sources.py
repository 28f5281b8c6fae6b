"""The sources of one record: where what it says comes from (`o`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content

from store import Kind, Record, Repository, Source
from tui.format import MUTED, UNSOURCED, heading
from tui.passage import passage_lines
from tui.screens.detail import DetailScreen
from tui.text import line


class RecordSourcesScreen(DetailScreen):
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
        # Where the record's quote stands in its source, when it was taken from one.
        parts += passage_lines(repo, self.record)
        self.body = Content("\n").join(parts)
        yield from super().compose()
