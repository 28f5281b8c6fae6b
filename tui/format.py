"""How domain values read on screen: names, dates, and the colours of stances."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from textual.content import Content

from store import (
    Firmness,
    PointStatus,
    Position,
    Record,
    Repository,
    ResponseStatus,
    RoundStatus,
)
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
# Not $text-muted: its value is "auto 60%", and an inline style that names it keeps
# the "auto" but drops the "60%" (Textual 8.2), so it drew as full-strength text.
# $foreground-muted is the theme's foreground at the same 60%, and keeps it.
MUTED = "$foreground-muted"


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def span(start: date, end: date | None) -> str:
    if end is None or end == start:
        return start.isoformat()
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.isoformat()}–{end.day:02d}"
    return f"{start.isoformat()} – {end.isoformat()}"


def name_of(repo: Repository, kind: str, record_id: str | None) -> str:
    """A record's label, or its id when it no longer exists."""
    if not record_id:
        return "—"
    if repo.exists(kind, record_id):
        return repo.get(kind, record_id).label
    return record_id


def describe(repo: Repository, record: Record) -> str:
    """A record's label for a reader: a position by who said it on what, not by ids."""
    if isinstance(record, Position):
        who = name_of(repo, "actor", record.actor_id)
        what = name_of(repo, "point", record.point_id)
        return f"{who} on {what}, {record.date.isoformat()}"
    return record.label


def names(repo: Repository, kind: str, ids: Iterable[str]) -> str:
    return ", ".join(name_of(repo, kind, i) for i in ids) or "—"


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
