"""Changes in words.

What a write did, said the way a person would say it: "added Hamas's position on
Philadelphi Corridor, 25 Aug 2024", "marked Philadelphi Corridor deadlocked, as of
25 Aug 2024". The repository stores it as the change's summary; the dashboard says it
back as a confirmation; the history shows it, and each field it touched, the same way.
Everything works on the stored documents (``Change.before`` / ``after``), so a change
to a record since deleted, or one written by an older version, still reads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..models import Change
from .words import (
    BLANK,
    Doc,
    Records,
    author_of,
    capitalised,
    field_words,
    kind_words,
    long_day,
    model_of,
    names,
    possessive,
    ref_name,
    title_of,
    what_of,
)

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
    text = (
        f"{ref_name(records, 'actor', response.get('actor_id'))}: {response.get('status') or BLANK}"
    )
    if response.get("date"):
        text += f", {long_day(response['date'])}"
    text += _cited(records, response)
    if response.get("note"):
        text += f" ({response['note']})"
    return text


def _item(records: Records, kind: str, field: str, value: Any) -> str:
    """One value of a field, or one item of a list field, in words."""
    cls = model_of(kind)
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
            return f"{ref_name(records, 'actor', value.get('actor_id'))} ({value.get('role')})"
        return "; ".join(
            f"{field_words(str(k))}: {_item(records, kind, str(k), v)}"
            for k, v in value.items()
            if v not in (None, "", [])
        )
    if cls is not None and field in cls.refs and isinstance(value, str):
        return ref_name(records, cls.refs[field], value)
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
            who = ref_name(records, "actor", actor)
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
    who = ref_name(records, "actor", response.get("actor_id"))
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
