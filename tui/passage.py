"""A quote shown where it stands in its source: the record's detail and `o` use it."""

from __future__ import annotations

from textual.content import Content

from store import Kind, Record, Repository, Source
from store.anchors import anchor_fault, passage
from tui.format import MUTED
from tui.text import line, shorten

# How much of the paragraph around a quote is shown on each side.
CONTEXT = 240


def passage_lines(repo: Repository, record: Record) -> list[Content]:
    """The record's anchored quote in its paragraph, the quote picked out; nothing for
    a record without an anchor."""
    anchor = getattr(record, "anchor", None)
    if anchor is None:
        return []
    source = (
        repo.get_as(Source, anchor.source_id)
        if repo.exists(Kind.SOURCE, anchor.source_id)
        else None
    )
    head = line(("In the article", "bold"), (f" ({source.label})" if source else "", MUTED), ":")
    fault = anchor_fault(record, source)
    if fault or source is None:
        return [head, line(("  " + (fault or "its source is gone") + "; see parley check", "bold"))]
    before, quoted, after = passage(source.text, anchor.start, anchor.end)
    before = before[-CONTEXT:]
    if len(before) == CONTEXT:
        before = "…" + before.split(" ", 1)[-1]
    after_text = shorten(after, CONTEXT) if after.strip() else ""
    return [
        head,
        line(
            "  ",
            (" ".join(before.split()) + (" " if before.strip() else ""), MUTED),
            (" ".join(quoted.split()), "bold underline"),
            (" " + " ".join(after_text.split()) if after_text else "", MUTED),
        ),
    ]
