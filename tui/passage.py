"""A quote shown where it stands in its source: the record's detail and `o` use it."""

from __future__ import annotations

from textual.content import Content

from store import Kind, Record, Repository, Source
from store.articles.anchors import passage, quoted_fault
from store.record import Quoted, quoted
from tui.format import MUTED
from tui.text import line, shorten

# How much of the paragraph around a quote is shown on each side.
CONTEXT = 240


def passage_lines(repo: Repository, record: Record) -> list[Content]:
    """Each of the record's anchored quotes in its paragraph, the quote picked out: its
    own, then each other outlet's that reports the same; nothing for a record without
    an anchor. Another outlet's quote kept without an anchor is shown as quoted."""
    out: list[Content] = []
    for item in quoted(record):
        if item.anchor is not None:
            out += _anchored_lines(repo, item)
        elif item.corroboration is not None:
            out.append(_also_head(repo, item.source_id))
            if item.quote:
                out.append(line("  ", ("“", MUTED), (item.quote, "italic"), ("”", MUTED)))
    return out


def _source(repo: Repository, source_id: str | None) -> Source | None:
    if source_id and repo.exists(Kind.SOURCE, source_id):
        return repo.get_as(Source, source_id)
    return None


def _also_head(repo: Repository, source_id: str | None) -> Content:
    source = _source(repo, source_id)
    label = source.label if source is not None else str(source_id)
    return line(("Also reported", "bold"), (f" ({label})", MUTED), ":")


def _anchored_lines(repo: Repository, item: Quoted) -> list[Content]:
    anchor = item.anchor
    assert anchor is not None
    source = _source(repo, anchor.source_id)
    if item.corroboration is None:
        head = line(
            ("In the article", "bold"), (f" ({source.label})" if source else "", MUTED), ":"
        )
    else:
        head = _also_head(repo, anchor.source_id)
    fault = quoted_fault(item, source)
    if fault or source is None:
        return [head, line(("  " + (fault or "its source is gone") + "; see parley check", "bold"))]
    before, quoted_words, after = passage(source.text, anchor.start, anchor.end)
    before = before[-CONTEXT:]
    if len(before) == CONTEXT:
        before = "…" + before.split(" ", 1)[-1]
    after_text = shorten(after, CONTEXT) if after.strip() else ""
    return [
        head,
        line(
            "  ",
            (" ".join(before.split()) + (" " if before.strip() else ""), MUTED),
            (" ".join(quoted_words.split()), "bold underline"),
            (" " + " ".join(after_text.split()) if after_text else "", MUTED),
        ),
    ]
