"""How domain values read as plain words: records' names and titles, dates
and spans of dates, who made a change and when.

One place for the wording that the dashboard (``tui.format``) and the brief
(``store.reading.brief``) both use. Everything here returns a plain string, with no
styles or markup, so any front end can show it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

from ..models import RECORD_TYPES, Change, Person, Position
from ..record import Record

# What a missing value reads as in a table cell or a field.
BLANK = "—"


class Records(Protocol):
    """Where names are looked up: a Repository, or the records as a write will leave them.

    (Not the Repository class itself, which imports this module for its summaries.)
    """

    def exists(self, kind: str, record_id: str) -> bool: ...

    def get(self, kind: str, record_id: str) -> Record: ...


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


def name_of(repo: Records, kind: str, record_id: str | None, blank: str = BLANK) -> str:
    """A record's label, its id when it no longer exists, or ``blank`` when there is no id."""
    if not record_id:
        return blank
    if repo.exists(kind, record_id):
        return repo.get(kind, record_id).label
    return record_id


def names(repo: Records, kind: str, ids: Iterable[str], blank: str = BLANK) -> str:
    """The records' names, comma-separated, or ``blank`` when there are none."""
    return ", ".join(name_of(repo, kind, i) for i in ids) or blank


def speaker_name(repo: Records, person_id: str | None) -> str:
    """Who spoke: a person's name and title (``Name (title)``), their id if they are gone."""
    if not person_id:
        return ""
    if not repo.exists("person", person_id):
        return person_id
    person = repo.get("person", person_id)
    assert isinstance(person, Person)
    return f"{person.name} ({person.title})" if person.title else person.name


def participant_names(repo: Records, person_ids: Iterable[str]) -> str:
    """People taking part, each with the actor they speak for: ``William Burns
    (United States)``; ``blank`` when there are none."""
    said = []
    for person_id in person_ids:
        if not repo.exists("person", person_id):
            said.append(person_id)
            continue
        person = repo.get("person", person_id)
        assert isinstance(person, Person)
        actor = name_of(repo, "actor", person.actor_id) if person.actor_id else ""
        said.append(f"{person.name} ({actor})" if actor else person.name)
    return ", ".join(said) or BLANK


def describe(repo: Records, record: Record) -> str:
    """A record's label for a reader: a position by who said it on what, not by ids."""
    if isinstance(record, Position):
        who = name_of(repo, "actor", record.actor_id)
        what = name_of(repo, "point", record.point_id)
        return f"{who} on {what}, {record.date.isoformat()}"
    return record.label


Doc = Mapping[str, Any]


# What the kinds are called where a person reads them.
KIND_WORDS = {"point": "sticking point"}


# What the fields are called: no ids, no underscores.
FIELD_WORDS = {
    "track_id": "track",
    "point_id": "sticking point",
    "point_ids": "sticking points",
    "actor_id": "actor",
    "actor_ids": "actors",
    "speaker_id": "speaker",
    "round_id": "round",
    "source_ids": "sources",
    "mediator_ids": "mediators",
    "participant_ids": "participants",
    "person_ids": "people taking part",
    "by_ids": "put forward by",
    "status_log": "status log",
    "event_kind": "kind",
    "actor_kind": "kind",
    "source_kind": "kind",
    "url": "URL",
}


def kind_words(kind: str) -> str:
    """A kind of record as a person calls it: ``point`` is a sticking point."""
    return KIND_WORDS.get(kind, kind)


def field_words(name: str) -> str:
    """A field as a person calls it: ``source_ids`` are the sources."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    if name.endswith("_ids"):
        name = name.removesuffix("_ids") + "s"
    return name.removesuffix("_id").replace("_", " ")


def long_day(value: date | str | None, blank: str = BLANK) -> str:
    """A day as people write it: ``25 Aug 2024``; ``blank`` when there is none."""
    if not value:
        return blank
    if isinstance(value, str):
        try:
            return long_day(date.fromisoformat(value), blank)
        except ValueError:
            return value
    return f"{value.day} {value:%b %Y}"


def possessive(name: str) -> str:
    return f"{name}'s"


def ref_name(records: Records, kind: str, record_id: object) -> str:
    return name_of(records, kind, str(record_id)) if record_id else BLANK


def model_of(kind: str) -> type[Record] | None:
    return RECORD_TYPES.get(kind)


def title_of(records: Records, kind: str, doc: Doc) -> str:
    """A record's name, from its stored document, with names in place of ids."""
    if kind == "position":
        who = ref_name(records, "actor", doc.get("actor_id"))
        what = ref_name(records, "point", doc.get("point_id"))
        return f"{possessive(who)} position on {what}, {long_day(doc.get('date'))}"
    if kind == "assessment":
        analyst = str(doc.get("analyst") or BLANK)
        return f"{possessive(analyst)} assessment, {long_day(doc.get('date'))}"
    if kind == "source":
        return f"{doc.get('outlet') or BLANK}: {doc.get('title') or BLANK}"
    if kind == "event":
        return f"{doc.get('title') or BLANK}, {long_day(doc.get('date'))}"
    for name in ("name", "title"):  # a person's title is their office
        if doc.get(name):
            return str(doc[name])
    return str(doc.get("id") or BLANK)


def what_of(records: Records, kind: str, doc: Doc) -> str:
    """A record as a sentence names it: its kind, then its name, unless the name says it."""
    name = title_of(records, kind, doc)
    if kind in ("position", "assessment"):
        return name
    return f"{kind_words(kind)} {name}"


def record_words(records: Records, record: Record) -> str:
    """``what_of`` for a record: ``sticking point Philadelphi Corridor``."""
    return what_of(records, record.kind, record.model_dump(mode="json"))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# Who wrote a change that was written before changes recorded their author.
UNKNOWN_AUTHOR = "unknown"


def author_of(change: Change) -> str:
    return change.author or UNKNOWN_AUTHOR


def moment(change: Change) -> str:
    """When a change was written, as a sentence says it: ``10:42 on 3 Dec 2026``."""
    return f"{change.at:%H:%M} on {long_day(change.at.date())}"


def changed_by(change: Change) -> str:
    """Who last wrote a record, and when: ``changed by amal at 10:42 on 3 Dec 2026``."""
    verb = {"add": "added", "delete": "deleted"}.get(change.action, "changed")
    return f"{verb} by {author_of(change)} at {moment(change)}"
