"""What cites what: the one place that decides which sources back which statement.

A record makes several claims, and each has its own sources. A sticking point's
description rests on the sources the point cites; each dated change of its status
rests on the sources that status-log entry cites; a proposal's text on the proposal's
sources, and each party's response on that response's own. A statement is never
footnoted to the record's first source, nor to a neighbour's: the brief, the details,
`o` (the sources of the selection) and the recorded changes all ask here.

A :class:`Claim` is one such statement: the passage or field it stands for, in words,
and the source ids behind it. ``unsourced`` is set only where the record says so
explicitly; a claim with no source that was not marked so simply gives none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..models import CITING_KINDS, Change, Proposal, Response, Round, StickingPoint
from ..record import Record
from .words import Records, kind_words, long_day, name_of, possessive, title_of

# The kinds whose records state something that needs a source (those that cite one).
# Tracks, actors, people and sources themselves are names, not claims.
CLAIM_KINDS = frozenset(CITING_KINDS)

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class Claim:
    """One statement of a record and the sources behind it.

    ``what`` names the passage or field in words (``status deadlocked as of 25 Aug
    2024``); ``part`` says where in the record it stands (``record``, ``status_log``,
    ``responses``) and ``index`` which entry of that list."""

    what: str
    source_ids: tuple[str, ...]
    unsourced: bool = False
    part: str = "record"
    index: int | None = None
    # The passage in a few words, for lists of many (``the round itself``,
    # ``status deadlocked as of 25 Aug 2024``, ``Hamas's response``).
    short: str = ""

    @property
    def cited(self) -> bool:
        return bool(self.source_ids)


def _ids(doc: Doc) -> tuple[str, ...]:
    raw = doc.get("source_ids") or []
    return tuple(dict.fromkeys(s for s in raw if isinstance(s, str)))


def _doc(record: Record | Doc) -> Doc:
    # A model's own field values serve as its document here: no dump per record read.
    return vars(record) if isinstance(record, Record) else record


def _own_what(records: Records, kind: str, doc: Doc) -> str:
    """What a record's own sources back, in words: the passage it states."""
    if kind == "position":
        return f"stance: {doc.get('gist') or doc.get('stance') or ''}".rstrip()
    if kind == "point":
        return f"sticking point: {doc.get('title') or ''} (its description and priority)"
    if kind == "round":
        return f"round: {doc.get('title') or ''} (its dates, venues, parties and outcome)"
    if kind == "proposal":
        return f"proposal: {doc.get('title') or ''} (its date, authors and summary)"
    if kind == "assessment":
        return f"assessment: {doc.get('gist') or ''}"
    return f"{kind_words(kind)}: {title_of(records, kind, doc)}"


def own_claim(records: Records, kind: str, record: Record | Doc) -> Claim | None:
    """The claim a record makes in its own fields, with its own sources; None for a
    kind that states nothing needing a source (a track, an actor, a person, a source)."""
    if kind not in CLAIM_KINDS:
        return None
    doc = _doc(record)
    what, short = _own_what(records, kind, doc), f"the {kind_words(kind)} itself"
    return Claim(what, _ids(doc), bool(doc.get("unsourced")), "record", None, short)


def status_what(entry: Doc) -> str:
    text = f"status {entry.get('status') or ''} as of {long_day(entry.get('date'))}"
    return text + (f" ({entry['note']})" if entry.get("note") else "")


def status_claim(record: Round | StickingPoint | Doc, index: int) -> Claim:
    """A dated change of status, with the sources its own log entry cites.

    The status a round or point was created with is logged with the record's sources
    of then, or with none and no mark when it was given none; such an entry is the
    record's own statement, and rests on the sources the record cites now."""
    if isinstance(record, Round | StickingPoint):
        entry: Doc = record.status_log[index].model_dump(mode="json")
        own: Doc = {"source_ids": record.source_ids}
    else:
        entry, own = record["status_log"][index], record
    ids, unsourced = _ids(entry), bool(entry.get("unsourced"))
    if not ids and not unsourced:
        ids = _ids(own)
    short = f"status {entry.get('status') or ''} as of {long_day(entry.get('date'))}"
    return Claim(status_what(entry), ids, unsourced, "status_log", index, short)


def response_claim(records: Records, response: Response | Doc, index: int | None = None) -> Claim:
    """A party's response to a proposal, with the sources that response cites."""
    doc = response.model_dump(mode="json") if isinstance(response, Response) else response
    who = name_of(records, "actor", doc.get("actor_id"))
    short = f"{possessive(who)} response"
    what = f"{short}: {doc.get('status') or ''}"
    if doc.get("date"):
        what += f", {long_day(doc['date'])}"
    what += f" ({doc['note']})" if doc.get("note") else ""
    return Claim(what, _ids(doc), bool(doc.get("unsourced")), "responses", index, short)


def current_status(record: Round | StickingPoint, as_of: date | None = None) -> Claim | None:
    """The claim behind the status a round or point has on ``as_of`` (today when None):
    the status-log entry dated last by then (on a tie, the one logged last). None when
    nothing was logged by then, and the status rests on the record's own sources."""
    found: int | None = None
    for index, entry in sorted(enumerate(record.status_log), key=lambda ie: ie[1].date):
        if as_of is None or entry.date <= as_of:
            found = index
    return status_claim(record, found) if found is not None else None


def claims(records: Records, record: Record, as_of: date | None = None) -> list[Claim]:
    """Every claim of a record, each with its own sources: its own fields, then each
    status-log entry (newest first), then each party's response."""
    found: list[Claim] = []
    own = own_claim(records, record.kind, record)
    if own is not None:
        found.append(own)
    if isinstance(record, Round | StickingPoint):
        logged = [
            (e.date, i) for i, e in enumerate(record.status_log) if as_of is None or e.date <= as_of
        ]
        for _, index in sorted(logged, reverse=True):
            found.append(status_claim(record, index))
    if isinstance(record, Proposal):
        latest = {id(r) for r in record.current_responses(as_of)}
        for index, response in enumerate(record.responses):
            if as_of is not None and response.date is not None and response.date > as_of:
                continue
            # A "pending" with nothing said about it, since answered, states nothing.
            bare = response.status == "pending" and not (response.source_ids or response.note)
            if bare and id(response) not in latest:
                continue
            found.append(response_claim(records, response, index))
    return found


def cited_ids(found: Iterable[Claim]) -> list[str]:
    """Every source the claims cite, once each, in the order they are first cited."""
    return list(dict.fromkeys(s for claim in found for s in claim.source_ids))


def _changed(before: Doc, after: Doc) -> set[str]:
    return {k for k in {*before, *after} if before.get(k) != after.get(k)}


def change_claim(records: Records, change: Change) -> Claim | None:
    """What a write to the store rests on: a new status its log entry's sources, a
    response its own, a new or edited record its own; None for a deletion, an undo or a
    record that states nothing."""
    kind, before, after = change.record_kind, change.before, change.after
    if after is None or change.undoes is not None or kind not in CLAIM_KINDS:
        return None
    if before is not None:
        old_log, new_log = before.get("status_log") or [], after.get("status_log") or []
        one_more = len(new_log) == len(old_log) + 1 and isinstance(new_log[-1], Mapping)
        if one_more and _changed(before, after) <= {"status", "status_log"}:
            return status_claim(after, len(new_log) - 1)
        if _changed(before, after) == {"responses"}:
            old = before.get("responses") or []
            fresh = [
                (i, r)
                for i, r in enumerate(after.get("responses") or [])
                if r not in old and isinstance(r, Mapping)
            ]
            if len(fresh) == 1:
                return response_claim(records, fresh[0][1], fresh[0][0])
    return own_claim(records, kind, after)
