"""Sources: where every fact comes from, how far to trust it, and what cites it."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from store import Kind, Record, Repository, Source
from store.reading.citations import claims
from store.reading.words import kind_words
from tui.clipboard import open_source_url
from tui.format import MUTED, day, describe, field, heading
from tui.text import line, literal
from tui.views.base import TableView
from tui.widgets.record_table import Column, Row


class SourcesView(TableView):
    title = "Sources"
    key = "sources"
    kinds = (Kind.SOURCE,)
    columns = (
        Column("Published", width=10),
        Column("Outlet", min_width=10, ratio=1),
        Column("Title", min_width=16, ratio=3),
        Column("Kind", width=18),
    )
    BINDINGS = [Binding("w", "open_url", "Open URL", id="sources-view.open-url")]

    def action_open_url(self) -> None:
        source = self.selected()
        if not isinstance(source, Source):
            return
        open_source_url(self, source)

    def rows(self) -> list[Row]:
        sources = sorted(self.repo.list_as(Source), key=lambda s: (s.published, s.id), reverse=True)
        return [
            Row(s.id, (day(s.published), s.outlet, s.title, s.source_kind.value)) for s in sources
        ]

    def record_for(self, key: str) -> Record | None:
        return self.repo.get(Kind.SOURCE, key) if self.repo.exists(Kind.SOURCE, key) else None

    def detail(self, key: str) -> Content:
        source = self.record_for(key)
        if not isinstance(source, Source):
            return Content("")
        return source_detail(self.repo, source, self.track_id)


def source_detail(repo: Repository, source: Source, track_id: str) -> Content:
    citing = repo.citing(source.id, track_id)
    parts = [
        heading(source.title),
        field("Outlet", source.outlet),
        # Only where it relies on another's report: most sources have no via.
        *([field("Via", source.via)] if source.via else []),
        field("Published", day(source.published)),
        field("Kind", source.source_kind.value),
        field("URL", source.url or "—"),
        field("Reliability", source.reliability or "—"),
        field(
            "Article",
            f"kept, {len(source.text):,} characters; v reads it"
            if source.text
            else "not kept; c pastes one in",
        ),
        Content(""),
        heading(f"Cited on this track by ({len(citing)})"),
    ]
    for record in citing[:200]:
        parts.append(line((kind_words(record.kind), MUTED), "  ", describe(repo, record)))
        # Which of the record's statements this source backs: the record itself, a
        # change of its status, a party's response.
        backed = [c.short for c in claims(repo, record) if source.id in c.source_ids]
        parts.append(line(("  backs " + "; ".join(backed), MUTED)))
    if len(citing) > 200:
        parts.append(literal(f"… and {len(citing) - 200} more", MUTED))
    return Content("\n").join(parts)
