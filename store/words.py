"""How domain values read as plain words: records' names, dates and spans of dates.

One place for the wording that the dashboard (``tui.format``) and the brief
(``store.brief``) both use. Everything here returns a plain string, with no
styles or markup, so any front end can show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .models import Person, Position, Record
from .repository import Repository

# What a missing value reads as in a table cell or a field.
BLANK = "—"


def day(value: date | None, blank: str = BLANK) -> str:
    """An ISO date, or ``blank`` when there is none."""
    return value.isoformat() if value else blank


def span(start: date, end: date | None, *, compact: bool = True) -> str:
    """A day, or the days from ``start`` to ``end``.

    Compact for a table or a line of a view (``2024-08-19–20`` within one month,
    ``2024-07-30 – 2024-08-02`` across months); ``compact=False`` spells out both
    dates for prose (``2024-08-19 to 2024-08-20``).
    """
    if end is None or end == start:
        return start.isoformat()
    if not compact:
        return f"{start.isoformat()} to {end.isoformat()}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.isoformat()}–{end.day:02d}"
    return f"{start.isoformat()} – {end.isoformat()}"


def name_of(repo: Repository, kind: str, record_id: str | None, blank: str = BLANK) -> str:
    """A record's label, its id when it no longer exists, or ``blank`` when there is no id."""
    if not record_id:
        return blank
    if repo.exists(kind, record_id):
        return repo.get(kind, record_id).label
    return record_id


def names(repo: Repository, kind: str, ids: Iterable[str], blank: str = BLANK) -> str:
    """The records' names, comma-separated, or ``blank`` when there are none."""
    return ", ".join(name_of(repo, kind, i) for i in ids) or blank


def speaker_name(repo: Repository, person_id: str | None) -> str:
    """Who spoke: a person's name and title (``Name (title)``), their id if they are gone."""
    if not person_id:
        return ""
    if not repo.exists("person", person_id):
        return person_id
    person = repo.get_as(Person, person_id)
    return f"{person.name} ({person.title})" if person.title else person.name


def describe(repo: Repository, record: Record) -> str:
    """A record's label for a reader: a position by who said it on what, not by ids."""
    if isinstance(record, Position):
        who = name_of(repo, "actor", record.actor_id)
        what = name_of(repo, "point", record.point_id)
        return f"{who} on {what}, {record.date.isoformat()}"
    return record.label
