"""How domain values read as plain words: records' names, dates and spans of dates.

One place for the wording that the dashboard (``tui.format``) and the brief
(``store.reading.brief``) both use. Everything here returns a plain string, with no
styles or markup, so any front end can show it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple, Protocol

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


# -- changes in words -------------------------------------------------------------------
#
# What a write did, said the way a person would say it: "added Hamas's position on
# Philadelphi Corridor, 25 Aug 2024", "marked Philadelphi Corridor deadlocked, as of
# 25 Aug 2024". The repository stores it as the change's summary; the dashboard says it
# back as a confirmation; the history shows it, and each field it touched, the same way.
# Everything works on the stored documents (``Change.before`` / ``after``), so a change
# to a record since deleted, or one written by an older version, still reads.

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

# Fields of free text, shown whole on lines of their own rather than as "old → new".
LONG_FIELDS = frozenset(
    {"description", "stance", "outcome", "text", "quote", "summary", "reliability", "gist"}
)


class Said(NamedTuple):
    """One field a change touched, in words: ``text`` for a short value or a list's
    additions and removals; ``before`` and ``after`` for long text."""

    field: str
    text: str = ""
    before: str | None = None
    after: str | None = None


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


def _ref(records: Records, kind: str, record_id: object) -> str:
    return name_of(records, kind, str(record_id)) if record_id else BLANK


def _cls(kind: str) -> type[Record] | None:
    return RECORD_TYPES.get(kind)


def title_of(records: Records, kind: str, doc: Doc) -> str:
    """A record's name, from its stored document, with names in place of ids."""
    if kind == "position":
        who = _ref(records, "actor", doc.get("actor_id"))
        what = _ref(records, "point", doc.get("point_id"))
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


def _cited(records: Records, doc: Doc) -> str:
    ids = doc.get("source_ids") or []
    if ids:
        return ", citing " + names(records, "source", ids)
    return ", unsourced" if doc.get("unsourced") else ""


def status_entry_words(records: Records, entry: Doc) -> str:
    """A line of a status log: ``deadlocked as of 25 Aug 2024, citing Reuters: ...``."""
    text = f"{entry.get('status') or BLANK} as of {long_day(entry.get('date'))}"
    text += _cited(records, entry)
    if entry.get("note"):
        text += f" ({entry['note']})"
    return text


def response_words(records: Records, response: Doc) -> str:
    """A party's response: ``Hamas: accepted, 25 Aug 2024, citing ...``."""
    text = f"{_ref(records, 'actor', response.get('actor_id'))}: {response.get('status') or BLANK}"
    if response.get("date"):
        text += f", {long_day(response['date'])}"
    text += _cited(records, response)
    if response.get("note"):
        text += f" ({response['note']})"
    return text


def _item(records: Records, kind: str, field: str, value: Any) -> str:
    """One value of a field, or one item of a list field, in words."""
    cls = _cls(kind)
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if field == "status_log":
            return status_entry_words(records, value)
        if field == "responses":
            return response_words(records, value)
        if field == "participants":
            return f"{_ref(records, 'actor', value.get('actor_id'))} ({value.get('role')})"
        return "; ".join(
            f"{field_words(str(k))}: {_item(records, kind, str(k), v)}"
            for k, v in value.items()
            if v not in (None, "", [])
        )
    if cls is not None and field in cls.refs and isinstance(value, str):
        return _ref(records, cls.refs[field], value)
    if isinstance(value, list):
        return ", ".join(_item(records, kind, field, v) for v in value) or BLANK
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return long_day(value)
    return str(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _list_change(records: Records, kind: str, field: str, old: list[Any], new: list[Any]) -> str:
    """A list field's change: what came in (``+``) and what went (``−``)."""
    if field == "responses":
        return _responses_change(records, old, new)
    # Matched one for one, so that a value listed twice counts twice.
    removed = list(old)
    added = []
    for value in new:
        if value in removed:
            removed.remove(value)
        else:
            added.append(value)
    parts = [f"+ {_item(records, kind, field, v)}" for v in added]
    parts += [f"− {_item(records, kind, field, v)}" for v in removed]
    return "; ".join(parts) or "put in another order"


def _responses_change(records: Records, old: list[Any], new: list[Any]) -> str:
    before = {r.get("actor_id"): r for r in old if isinstance(r, Mapping)}
    after = {r.get("actor_id"): r for r in new if isinstance(r, Mapping)}
    parts = []
    for actor, response in after.items():
        was = before.get(actor)
        if was is None:
            parts.append(f"+ {response_words(records, response)}")
        elif was != response:
            who = _ref(records, "actor", actor)
            now = response_words(records, response).removeprefix(f"{who}: ")
            parts.append(f"{who}: {was.get('status')} → {now}")
    parts += [f"− {response_words(records, r)}" for a, r in before.items() if a not in after]
    return "; ".join(parts) or "put in another order"


def _is_long(field: str, *values: Any) -> bool:
    return field in LONG_FIELDS or any(
        isinstance(v, str) and ("\n" in v or len(v) > 60) for v in values
    )


def fields_said(records: Records, kind: str, before: Doc | None, after: Doc | None) -> list[Said]:
    """Each field a change touched, in words, in the record's own order of fields.

    A new record lists what it was given; a deleted one what it held; an edit what
    changed. The id is left out: it is the record's name that says which it is.
    """
    old, new = before or {}, after or {}
    said: list[Said] = []
    keys = [*old, *(k for k in new if k not in old)]
    # A new status before the log entry that dated it; where a claim comes from after
    # the claim.
    if "status_log" in keys and "status" in keys:
        keys.remove("status_log")
        keys.insert(keys.index("status") + 1, "status_log")
    keys.sort(key=lambda k: k in ("source_ids", "unsourced"))
    for key in keys:
        if key == "id":
            continue
        was, now = old.get(key), new.get(key)
        if was == now or (before is None and now in (None, "", [], False)):
            continue
        if after is None and was in (None, "", [], False):
            continue
        label = field_words(key)
        if (
            before is not None
            and after is not None
            and isinstance(was or [], list)
            and isinstance(now or [], list)
        ):
            said.append(Said(label, _list_change(records, kind, key, was or [], now or [])))
        elif _is_long(key, was, now) and before is not None and after is not None:
            said.append(
                Said(
                    label,
                    before=_item(records, kind, key, was),
                    after=_item(records, kind, key, now),
                )
            )
        elif before is None:
            said.append(Said(label, _item(records, kind, key, now)))
        elif after is None:
            said.append(Said(label, _item(records, kind, key, was)))
        else:
            said.append(
                Said(label, f"{_item(records, kind, key, was)} → {_item(records, kind, key, now)}")
            )
    return said


def _changed_fields(before: Doc, after: Doc) -> set[str]:
    return {k for k in {*before, *after} if before.get(k) != after.get(k)}


def _new_status(before: Doc, after: Doc) -> Doc | None:
    """The status-log entry a status change added, when that is all the change did."""
    old, new = before.get("status_log") or [], after.get("status_log") or []
    if _changed_fields(before, after) <= {"status", "status_log"} and len(new) == len(old) + 1:
        entry = new[-1]
        return entry if isinstance(entry, Mapping) else None
    return None


def _new_response(before: Doc, after: Doc) -> Doc | None:
    """The one response a change recorded, when that is all it did."""
    if _changed_fields(before, after) != {"responses"}:
        return None
    old = before.get("responses") or []
    fresh = [r for r in after.get("responses") or [] if r not in old and isinstance(r, Mapping)]
    return fresh[0] if len(fresh) == 1 else None


def new_corroborations(before: Doc, after: Doc) -> list[str]:
    """The sources a change added as other outlets' reports of the same news, when that
    is all it did (``Commands.corroborate``)."""
    if not _changed_fields(before, after) <= {"corroborations", "source_ids", "unsourced"}:
        return []
    old = {c.get("source_id") for c in before.get("corroborations") or [] if isinstance(c, Mapping)}
    return [
        str(c["source_id"])
        for c in after.get("corroborations") or []
        if isinstance(c, Mapping) and c.get("source_id") and c["source_id"] not in old
    ]


def _corroborated_said(records: Records, kind: str, doc: Doc, source_ids: list[str]) -> str:
    outlets = ", ".join(_outlet(records, s) for s in source_ids)
    return f"{outlets} as another source of {what_of(records, kind, doc)}"


def _outlet(records: Records, source_id: str) -> str:
    if records.exists("source", source_id):
        return str(getattr(records.get("source", source_id), "outlet", source_id))
    return source_id


def _response_said(records: Records, proposal: Doc, response: Doc) -> str:
    who = _ref(records, "actor", response.get("actor_id"))
    text = f"{possessive(who)} response to {title_of(records, 'proposal', proposal)}: "
    text += str(response.get("status") or BLANK)
    if response.get("date"):
        text += f", {long_day(response['date'])}"
    return text


def change_words(records: Records, kind: str, before: Doc | None, after: Doc | None) -> str:
    """What a write did, in words, starting with a lower-case verb."""
    if after is None and before is None:
        return f"changed a {kind_words(kind)}"
    if before is None:
        assert after is not None
        return f"added {what_of(records, kind, after)}"
    if after is None:
        return f"deleted {what_of(records, kind, before)}"
    entry = _new_status(before, after)
    if entry is not None:
        name = title_of(records, kind, after)
        return (
            f"set the status of {name} to {entry.get('status')}, "
            f"as of {long_day(entry.get('date'))}"
        )
    response = _new_response(before, after)
    if response is not None:
        return "recorded " + _response_said(records, after, response)
    added = new_corroborations(before, after)
    if added:
        return "added " + _corroborated_said(records, kind, after, added)
    fields = ", ".join(s.field for s in fields_said(records, kind, before, after))
    return f"edited {what_of(records, kind, after)}" + (f" ({fields})" if fields else "")


def change_summary(records: Records, change: Change, *, prefix: bool = True) -> str:
    """A change in words, as the history lists it; an undo or a redo as what it undid
    or redid (``undid: added ...``), without that ``undid:`` when ``prefix`` is off."""
    kind = change.record_kind
    if change.resolves:
        # Settling a sync conflict may change nothing (the value kept stands): say so.
        doc = change.after or change.before
        what = what_of(records, kind, doc) if doc else f"{kind_words(kind)} {change.record_id}"
        settled = f"settled a sync conflict over {what}"
        if change.before == change.after or None in (change.before, change.after):
            return settled
        return f"{settled}: {change_words(records, kind, change.before, change.after)}"
    if change.undoes is not None:
        # An undo writes back what the change it undoes found: its after is that before.
        said = change_words(records, kind, change.after, change.before)
        return f"undid: {said}" if prefix else said
    said = change_words(records, kind, change.before, change.after)
    if change.redoes is not None and prefix:
        return f"redid: {said}"
    return said


def saved_words(records: Records, change: Change) -> str:
    """What a form's save did, said back to the person who saved it."""
    kind, before, after = change.record_kind, change.before, change.after
    if before is not None and after is not None:
        entry = _new_status(before, after)
        if entry is not None:
            name = title_of(records, kind, after)
            status, on = entry.get("status"), long_day(entry.get("date"))
            if after.get("status") == status:
                return f"{name} is now {status}, as of {on}"
            return f"{name} was {status} as of {on}; its latest status is {after.get('status')}"
        response = _new_response(before, after)
        if response is not None:
            return "Recorded " + _response_said(records, after, response)
        added = new_corroborations(before, after)
        if added:
            return "Added " + _corroborated_said(records, kind, after, added)
    if after is None:
        return capitalised(change_words(records, kind, before, after))
    return f"Saved {what_of(records, kind, after)}"


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


# A step of undo or redo of more changes than this is named by its first and a count.
STEP_LISTED = 3


def step_words(records: Records, step: Sequence[Change], *, seed: bool, me: str) -> str:
    """A step of undo or redo (one transaction, its changes in the order to say them) in
    a short line: ``the seed: 54 records, 21 Aug 2024``; ``edited round X (title)``; a
    long one by its first change and a count; another author's by name, with its day."""
    when = long_day(min(c.at for c in step).date())
    if seed:
        return f"the seed: {len(step)} records, {when}"
    said = [change_summary(records, c, prefix=False) for c in step]
    if len(said) > STEP_LISTED:
        text = f"{said[0]}, and {len(said) - 1} more changes"
    else:
        text = "; ".join(said)
    authors = sorted({author_of(c) for c in step} - {me})
    if authors:
        text += f" (by {', '.join(authors)}, {when})"
    return text
