"""How domain values read on screen: names, dates, and the colours of stances."""

from __future__ import annotations

from datetime import date

from textual.content import Content

from store import (
    NOT_RECORDED,
    Firmness,
    Kind,
    PointStatus,
    Record,
    Repository,
    ResponseStatus,
    RoundStatus,
    StickingPoint,
)
from store.reading.change_words import saved_words

# The words for names and dates are the store's (shared with the brief); the views
# import them from here with the styles.
from store.reading.citations import Claim, own_claim
from store.reading.words import day as day
from store.reading.words import describe as describe
from store.reading.words import name_of as name_of
from store.reading.words import names as names
from store.reading.words import record_words
from store.reading.words import span as span
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


def status_width(points: list[StickingPoint], as_of: date | None) -> int:
    """How wide a Status column must be for these points as of a day: ten cells, more
    where a point is not yet recorded."""
    return max([10, *(len(point_status(p, as_of)[0]) for p in points)])


def point_status(point: StickingPoint, as_of: date | None) -> tuple[str, str]:
    """A point's status and its style as of a day; "not yet recorded" before its first
    logged status, rather than a status nobody had stated by then."""
    if as_of is not None and not point.recorded_by(as_of):
        return (NOT_RECORDED, "dim italic")
    return (point.status.value, STATUS_STYLE[point.status])


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


def heading(text: str) -> Content:
    return line((text, HEADING))


def field(label: str, value: object) -> Content:
    return line((f"{label}: ", "bold"), value)


def sources_line(repo: Repository, record: Record) -> Content:
    """Where a record's own fields come from, or a warning that they have no source."""
    claim = own_claim(repo, record.kind, record)
    return line(("Sources: ", "bold"), *cited_parts(repo, claim))


def cited_parts(repo: Repository, claim: Claim | None) -> list[tuple[str, str] | str]:
    """The sources one claim cites, by name; "unsourced" only where the record marks it
    so, "none given" where it simply gives none."""
    if claim is None or not claim.cited:
        if claim is not None and claim.unsourced:
            return [("unsourced", UNSOURCED)]
        return [("none given", MUTED)]
    return [names(repo, Kind.SOURCE, claim.source_ids)]


def saved_notice(repo: Repository, record: Record) -> str:
    """What a form's save did, in words (``Philadelphi Corridor is now deadlocked, as of
    25 Aug 2024``): told from the record's newest change, which the save just wrote."""
    newest = repo.history(record.kind, record.id, limit=1)
    if newest and newest[0].after == record.model_dump(mode="json"):
        return saved_words(repo, newest[0])
    return f"Saved {record_words(repo, record)}"
