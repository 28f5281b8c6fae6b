"""Every quote of the store held to the words of its sources (``parley check``): a source
text that no longer matches the hash it was kept with, an anchor whose words are no
longer there, a quote that is nowhere in the text its record cites."""

from __future__ import annotations

from dataclasses import dataclass

from ..articles.anchors import quoted_fault, quoted_in
from ..models import Assessment, Event, Position, Source
from ..record import quoted
from ..records.repository import Repository
from ..values import text_hash


@dataclass(frozen=True)
class QuoteProblem:
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.reason}"


def quote_problems(repo: Repository) -> list[QuoteProblem]:
    """Every source text that no longer matches its hash, every anchor that no longer
    matches its source's text, and every quote that appears nowhere in the texts of
    the sources its record cites (when they keep any)."""
    sources = {s.id: s for s in repo.list_as(Source)}
    found = [
        QuoteProblem(f"source {s.id!r}", "its text no longer matches the hash it was kept with")
        for s in sources.values()
        if s.text and s.text_sha256 and text_hash(s.text) != s.text_sha256
    ]
    for record in quoting_records(repo):
        where = f"{record.kind} {record.id!r}"
        own = [q for q in quoted(record) if q.corroboration is None]
        if own and own[0].anchor is None:
            quote = own[0].quote
            texts = [sources[s].text for s in record.source_ids if s in sources and sources[s].text]
            if quote.strip() and texts and not any(quoted_in(t, quote) for t in texts):
                cited = ", ".join(repr(s) for s in record.source_ids)
                found.append(
                    QuoteProblem(where, f"the quote does not appear in the text of {cited} at all")
                )
        for item in quoted(record):
            # Each anchor of the record: its own quote's, and each other outlet's.
            said = (
                where
                if item.corroboration is None
                else f"{where}, as {item.source_id!r} reports it"
            )
            if item.anchor is not None:
                fault = quoted_fault(item, sources.get(item.anchor.source_id))
                if fault:
                    found.append(QuoteProblem(said, fault))
                continue
            if item.corroboration is None or not item.quote.strip():
                continue
            text = sources[item.source_id].text if item.source_id in sources else ""
            if text and not quoted_in(text, item.quote):
                reason = f"the quote does not appear in the text of {item.source_id!r} at all"
                found.append(QuoteProblem(said, reason))
    return found


def quoting_records(repo: Repository) -> list[Position | Event | Assessment]:
    """Every record that may keep a quote."""
    return [*repo.list_as(Position), *repo.list_as(Event), *repo.list_as(Assessment)]
