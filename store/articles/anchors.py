"""Quotes held to the words of their sources.

A position, an event or an assessment taken from an article keeps its quote's
anchor: the source, and where in that source's text the quote stands. Here the
anchor is made when a quote is written and checked when asked (`parley check`):
an anchor whose words are no longer there, a quote that is nowhere in the text
its record cites, a source text that no longer matches the hash it was kept with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Assessment, Event, Position, Source
from ..record import Anchor, Quoted, Record, quoted
from ..records.repository import Repository
from .article import Sentence, paragraph_spans, sentences, text_hash

# The kinds of record that keep a quote, and so may keep its anchor.
QUOTING = (Position, Event, Assessment)
# A quote may leave words out ("do everything possible … get Hamas on board").
_GAP = re.compile(r"\s*(?:…|\.\.\.)\s*")


# Curly and straight quotes and apostrophes are one to a reader: a quote typed with '
# is found where the article prints ’. One character for one, so offsets hold.
_PLAIN = str.maketrans(dict.fromkeys("‘’‚‛", "'") | dict.fromkeys("“”„‟", '"'))


def plain(text: str) -> str:
    """The text with its curly quotes and apostrophes made straight."""
    return text.translate(_PLAIN)


def find_quote(text: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """The span of ``quote`` in ``text`` nearest ``near``; None when it is not there."""
    if not quote:
        return None
    best: tuple[int, int] | None = None
    for found in re.finditer(re.escape(plain(quote)), plain(text)):
        if best is None or abs(found.start() - near) < abs(best[0] - near):
            best = (found.start(), found.end())
    return best


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote stands in ``text``, from its first word to its last, where it
    leaves words out too; None when it is not there."""
    parts = [p for p in _GAP.split(plain(quote).strip()) if p]
    text = plain(text)
    if not parts:
        return None
    start = text.find(parts[0])
    position = start
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return None
        position = found + len(part)
    return start, position


def quoted_in(text: str, quote: str) -> bool:
    """Whether ``text`` holds ``quote``, its parts in order where it leaves words out."""
    return quote_span(text, quote) is not None


def anchor_quote(source: Source, quote: str, near: int = 0) -> Anchor | None:
    """The anchor of ``quote`` in the source's text, or None when the text lacks it."""
    span = find_quote(source.text, quote, near)
    if span is None:
        return None
    return Anchor(source_id=source.id, start=span[0], end=span[1], text=quote)


def anchor_fault(record: Record, source: Source | None) -> str:
    """What is wrong with the record's anchor; "" when it holds the record's quote
    where its source's text has it."""
    anchor: Anchor | None = getattr(record, "anchor", None)
    quote = str(getattr(record, "quote", ""))
    return _fault(quote, anchor, source)


def quoted_fault(item: Quoted, source: Source | None) -> str:
    """What is wrong with the anchor of one of a record's quotes (its own, or another
    outlet's that corroborates it); "" when it holds."""
    return _fault(item.quote, item.anchor, source)


def _fault(quote: str, anchor: Anchor | None, source: Source | None) -> str:
    if anchor is None:
        return ""
    if anchor.text != quote:
        return "the quote is not the text its anchor holds"
    if source is None or not source.text:
        return f"the quote is anchored in source {anchor.source_id!r}, which keeps no text"
    if plain(source.text[anchor.start : anchor.end]) != plain(anchor.text):
        if not quoted_in(source.text, quote):
            return f"the quote does not appear in the text of source {source.id!r} at all"
        return (
            f"the quote's anchor ({anchor.start}-{anchor.end}) no longer matches the text "
            f"of source {source.id!r}"
        )
    return ""


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


def passage(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The paragraph around the span ``start``-``end``: what comes before it, the span
    itself, and what follows, for showing a quote in context."""
    para_start, para_end = start, end
    for first, last in paragraph_spans(text):
        if first <= start < last or first < end <= last:
            para_start, para_end = min(first, start), max(last, end)
            break
    return text[para_start:start], text[start:end], text[end:para_end]


def sentence_at(found: list[Sentence], offset: int) -> int:
    """The index of the sentence holding ``offset`` (else the one after it)."""
    for index, sentence in enumerate(found):
        if offset < sentence.end:
            return index
    return max(len(found) - 1, 0)


__all__ = [
    "QUOTING",
    "QuoteProblem",
    "anchor_fault",
    "anchor_quote",
    "find_quote",
    "passage",
    "quote_problems",
    "quote_span",
    "quoted_fault",
    "quoted_in",
    "quoting_records",
    "sentence_at",
    "sentences",
]
