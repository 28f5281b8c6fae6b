"""The sources of one record: where what it says comes from (`o`).

Every claim of the record (its own fields, each status-log entry, each party's
response) is asked of :mod:`store.reading.citations`; the screen lists each source once,
with every passage it backs, then the claims that cite none.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from store import Kind, Record, Repository, Source
from store.reading.citations import Claim, cited_ids, claims
from store.reading.words import kind_words
from tui.clipboard import cited_sources, open_source_url, web_url
from tui.dialogs.detail import DetailScreen
from tui.format import MUTED, UNSOURCED, describe, heading
from tui.passage import passage_lines
from tui.text import line


def no_source_words(claim: Claim) -> str:
    """A claim that cites nothing: "unsourced" only where the record marks it so."""
    return "marked unsourced" if claim.unsourced else "no source given"


def sources_content(repo: Repository, record: Record) -> Content:
    """Each source the record cites anywhere, with the passages it backs; then the
    passages that cite no source, and what the record says of them."""
    found = claims(repo, record)
    parts: list[Content] = []
    if not found:
        parts.append(line(("A " + record.kind + " states nothing that needs a source.", MUTED)))
    for source_id in cited_ids(found):
        # What the source backs comes first: on a small screen a long reliability note
        # would push it out of sight.
        backs = [line(("Backs: ", "bold"), c.what) for c in found if source_id in c.source_ids]
        if not repo.exists(Kind.SOURCE, source_id):
            parts += [line((f"missing source {source_id}", UNSOURCED)), *backs, Content("")]
            continue
        source = repo.get_as(Source, source_id)
        parts += [
            heading(source.label),
            *backs,
            line(("Published: ", "bold"), source.published.isoformat()),
            line(("Kind: ", "bold"), source.source_kind.value),
            line(("URL: ", "bold"), source.url or "—"),
            line(("Reliability: ", "bold"), source.reliability or "—"),
            Content(""),
        ]
    bare = [c for c in found if not c.cited]
    if bare:
        parts.append(heading("Without a source"))
        parts += [line(c.what, ("  " + no_source_words(c), UNSOURCED)) for c in bare]
    return Content("\n").join(parts)


class RecordSourcesScreen(DetailScreen):
    BINDINGS = [Binding("w", "open_url", "Open URL", id="sources.open-url")]

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
        what = f"{kind_words(record.kind)} {describe(repo, record)}"
        super().__init__(Content(""), title=f"Sources of {what}")

    def compose(self) -> ComposeResult:
        # Where the record's quote stands in its source, when it was taken from one.
        passage = passage_lines(self.repo, self.record)
        self.body = Content("\n").join([sources_content(self.repo, self.record), *passage])
        yield from super().compose()
