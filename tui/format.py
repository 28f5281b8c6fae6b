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

# Colours are the theme's: "$text-error" and the like are looked up in the running
# theme when drawn (Content resolves them, and so does RecordTable), so a theme
# change recolours every view and no colour is fixed here. The $text-* shades are
# the ones each theme makes readable on its background.
ERROR = "$text-error"
WARNING = "$text-warning"
SUCCESS = "$text-success"
INFO = "$text-primary"
OTHER = "$text-secondary"

FIRMNESS_STYLE = {
    # The hardest stance stands out on a wash of its own colour.
    Firmness.RED_LINE: f"bold {ERROR} on $error-muted",
    Firmness.DEMAND: f"bold {WARNING}",
    Firmness.CONDITIONAL: f"italic {WARNING}",
    Firmness.FLEXIBLE: INFO,
    Firmness.ACCEPTED: f"bold {SUCCESS}",
    Firmness.REJECTED: f"bold {ERROR}",
}

STATUS_STYLE = {
    PointStatus.OPEN: WARNING,
    PointStatus.NARROWING: INFO,
    PointStatus.BRIDGED: f"bold {INFO}",
    PointStatus.AGREED: f"bold {SUCCESS}",
    PointStatus.DEADLOCKED: f"bold {ERROR}",
    RoundStatus.SCHEDULED: INFO,
    RoundStatus.UNDER_WAY: "bold $text-accent",
    RoundStatus.CONCLUDED: SUCCESS,
    RoundStatus.STALLED: WARNING,
    RoundStatus.COLLAPSED: f"bold {ERROR}",
}

RESPONSE_STYLE = {
    ResponseStatus.PENDING: WARNING,
    ResponseStatus.ACCEPTED: f"bold {SUCCESS}",
    ResponseStatus.ACCEPTED_WITH_CONDITIONS: INFO,
    ResponseStatus.REJECTED: f"bold {ERROR}",
}

# A record that cites no source, said where it shows.
UNSOURCED = f"bold {WARNING}"
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
            return line(("Sources: ", "bold"), ("unsourced", UNSOURCED))
        return line(("Sources: ", "bold"), ("none given", MUTED))
    return line(("Sources: ", "bold"), names(repo, "source", ids))
