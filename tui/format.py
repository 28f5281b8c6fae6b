"""How domain values read on screen: names, dates, and the colours of stances."""

from __future__ import annotations

from textual.content import Content

from store import (
    Firmness,
    PointStatus,
    Record,
    Repository,
    ResponseStatus,
    RoundStatus,
)

# The words for names and dates are the store's (shared with the brief); the views
# import them from here with the styles.
from store.words import day as day
from store.words import describe as describe
from store.words import name_of as name_of
from store.words import names as names
from store.words import record_words, saved_words
from store.words import span as span
from tui.text import line

FIRMNESS_STYLE = {
    Firmness.RED_LINE: "bold #ff5f5f",
    Firmness.DEMAND: "#ff9f43",
    Firmness.CONDITIONAL: "#ffd75f",
    Firmness.FLEXIBLE: "#87d7ff",
    Firmness.ACCEPTED: "bold #5fd75f",
    Firmness.REJECTED: "bold #d75fd7",
}

STATUS_STYLE = {
    PointStatus.OPEN: "#ffd75f",
    PointStatus.NARROWING: "#87d7ff",
    PointStatus.BRIDGED: "#5fafff",
    PointStatus.AGREED: "bold #5fd75f",
    PointStatus.DEADLOCKED: "bold #ff5f5f",
    RoundStatus.SCHEDULED: "#87d7ff",
    RoundStatus.UNDER_WAY: "bold #ffd75f",
    RoundStatus.CONCLUDED: "#5fd75f",
    RoundStatus.STALLED: "#ff9f43",
    RoundStatus.COLLAPSED: "bold #ff5f5f",
}

RESPONSE_STYLE = {
    ResponseStatus.PENDING: "#ffd75f",
    ResponseStatus.ACCEPTED: "bold #5fd75f",
    ResponseStatus.ACCEPTED_WITH_CONDITIONS: "#87d7ff",
    ResponseStatus.REJECTED: "bold #ff5f5f",
}

HEADING = "bold $accent"
MUTED = "$text-muted"


def heading(text: str) -> Content:
    return line((text, HEADING))


def field(label: str, value: object) -> Content:
    return line((f"{label}: ", "bold"), value)


def sources_line(repo: Repository, record: Record) -> Content:
    """Where a record comes from, or a warning that it has no source."""
    ids = list(getattr(record, "source_ids", []) or [])
    if not ids:
        if getattr(record, "unsourced", False):
            return line(("Sources: ", "bold"), ("unsourced", "bold #ff9f43"))
        return line(("Sources: ", "bold"), ("none given", MUTED))
    return line(("Sources: ", "bold"), names(repo, "source", ids))


def saved_notice(repo: Repository, record: Record) -> str:
    """What a form's save did, in words (``Philadelphi Corridor is now deadlocked, as of
    25 Aug 2024``): told from the record's newest change, which the save just wrote."""
    newest = repo.history(record.kind, record.id, limit=1)
    if newest and newest[0].after == record.model_dump(mode="json"):
        return saved_words(repo, newest[0])
    return f"Saved {record_words(repo, record)}"
