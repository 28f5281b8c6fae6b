"""Each section of a brief, read from the store: where the track stands, its sticking
points, its proposals, what happened since a day, what was recorded since, its events
and its assessments; every entry citing its own sources."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..kinds import ResponseStatus, Role
from ..models import Change, Position, Proposal, Round, StickingPoint, Track
from .brief_data import Builder, Entry, Section
from .change_words import change_summary, new_corroborations
from .citations import Claim, change_claim, current_status, own_claim, response_claim, status_claim
from .words import author_of, participant_names, span, speaker_name


def _status_entry(b: Builder, record: Round | StickingPoint, as_of: date | None) -> list[Entry]:
    """The status as logged last by ``as_of``, cited to that log entry's own sources."""
    claim = current_status(record, as_of)
    if claim is None:
        return []
    logged = record.status_log[claim.index or 0]
    text = f"{logged.status} as of {logged.date.isoformat()}"
    text += f". {logged.note}" if logged.note else ""
    return [Entry(lead="Status", text=text, **b.noted(claim))]


def _round_entry(b: Builder, lead: str, r: Round, as_of: date | None) -> Entry:
    meta = [span(r.start, r.end, compact=False)]
    if r.venues:
        meta.append(", ".join(r.venues))
    meta += [r.format.value, r.status.value]
    own = b.noted(own_claim(b.repo, "round", r))
    children = _status_entry(b, r, as_of)
    if r.mediator_ids:
        children.append(Entry(lead="Mediators", text=b.names("actor", r.mediator_ids), **own))
    if r.participant_ids:
        text = b.names("actor", r.participant_ids)
        children.append(Entry(lead="Participants", text=text, **own))
    if r.person_ids:
        text = participant_names(b.repo, r.person_ids)
        children.append(Entry(lead="People", text=text, **own))
    if r.outcome:
        children.append(Entry(lead="Outcome", text=r.outcome, **own))
    return Entry(lead=lead, meta=tuple(meta), text=r.title, children=tuple(children), **own)


def standing(b: Builder, track: Track, day: date, as_of: date | None) -> Section:
    repo = b.repo
    rounds = repo.rounds(track.id, as_of)
    past = [r for r in rounds if r.start <= day]
    upcoming = [r for r in rounds if r.start > day]
    entries = []
    if past:
        entries.append(_round_entry(b, "Latest round", past[-1], as_of))
    else:
        entries.append(Entry(lead="Latest round", text="none on record"))
    if upcoming:
        entries.append(_round_entry(b, "Next round", upcoming[0], as_of))
    else:
        entries.append(Entry(lead="Next round", text="none scheduled on record"))
    for role, label in (
        (Role.PARTY, "Parties"),
        (Role.MEDIATOR, "Mediators"),
        (Role.GUARANTOR, "Guarantors"),
        (Role.OBSERVER, "Observers"),
    ):
        ids = track.actors_with(role)
        if ids:
            entries.append(Entry(lead=label, text=b.names("actor", ids)))
    points = repo.points(track.id, as_of)
    if points:
        tally: dict[str, int] = {}
        for p in points:
            tally[p.status.value] = tally.get(p.status.value, 0) + 1
        counts = ", ".join(f"{n} {status}" for status, n in sorted(tally.items()))
        entries.append(Entry(lead="Sticking points", text=f"{len(points)} in all: {counts}"))
    return Section("standing", "Where the talks stand", tuple(entries))


def _actor_order(b: Builder, track: Track, actor_ids: Iterable[str]) -> list[str]:
    """Parties first in the track's order, then anyone else by name."""
    parties = track.actors_with(Role.PARTY)
    others = sorted(
        {a for a in actor_ids if a not in parties}, key=lambda a: b.name("actor", a).casefold()
    )
    return parties + others


def _stance(b: Builder, position: Position) -> Entry:
    meta = [position.firmness.value, position.date.isoformat()]
    speaker = speaker_name(b.repo, position.speaker_id)
    if speaker:
        meta.append(speaker)
    return Entry(
        lead=b.name("actor", position.actor_id),
        meta=tuple(meta),
        text=position.stance,
        quote=position.quote,
        **b.noted(own_claim(b.repo, "position", position)),
    )


def points(b: Builder, track: Track, as_of: date | None) -> Section:
    latest = b.repo.latest_positions(track.id, as_of)
    entries = []
    for point in b.repo.points(track.id, as_of):
        by_actor = {actor: pos for (pid, actor), pos in latest.items() if pid == point.id}
        children = _status_entry(b, point, as_of)
        for actor_id in _actor_order(b, track, by_actor):
            if actor_id in by_actor:
                children.append(_stance(b, by_actor[actor_id]))
            else:
                name = b.name("actor", actor_id)
                children.append(Entry(lead=name, text="no stated position on record"))
        meta = [point.status.value, f"{point.priority.value} priority"]
        if point.raised:
            meta.append(f"raised {point.raised.isoformat()}")
        entries.append(
            Entry(
                lead=point.title,
                meta=tuple(meta),
                text=point.description,
                children=tuple(children),
                **b.noted(own_claim(b.repo, "point", point)),
            )
        )
    return Section("points", "Sticking points", tuple(entries), empty="No sticking points.")


def _settled(track: Track, proposal: Proposal) -> bool:
    """Accepted outright by every party."""
    parties = track.actors_with(Role.PARTY)
    if not parties:
        return False
    for actor_id in parties:
        response = proposal.response_of(actor_id)
        if response is None or response.status != ResponseStatus.ACCEPTED:
            return False
    return True


def proposals(b: Builder, track: Track, as_of: date | None) -> Section:
    proposals = b.repo.proposals(track.id, as_of)
    open_ = [p for p in proposals if not _settled(track, p)]
    entries = []
    for proposal in reversed(open_):
        responses = {r.actor_id: r for r in proposal.current_responses()}
        children = []
        for actor_id in _actor_order(b, track, responses):
            name = b.name("actor", actor_id)
            response = responses.get(actor_id)
            if response is None:
                children.append(Entry(lead=name, text="no response on record"))
                continue
            meta = [response.status.value]
            if response.date:
                meta.append(response.date.isoformat())
            # A pending response with nothing said about it states nothing.
            bare = response.status == ResponseStatus.PENDING and not response.note
            claim = None if bare and not response.source_ids else response_claim(b.repo, response)
            children.append(
                Entry(lead=name, meta=tuple(meta), text=response.note, **b.noted(claim))
            )
        meta = [proposal.date.isoformat()]
        if proposal.by_ids:
            meta.append("by " + b.names("actor", proposal.by_ids))
        if proposal.point_ids:
            meta.append("on " + b.names("point", proposal.point_ids))
        entries.append(
            Entry(
                lead=proposal.title,
                meta=tuple(meta),
                text=proposal.summary,
                children=tuple(children),
                **b.noted(own_claim(b.repo, "proposal", proposal)),
            )
        )
    settled = len(proposals) - len(open_)
    note = f"{settled} proposal(s) accepted by every party are not shown." if settled else ""
    return Section("proposals", "Open proposals", tuple(entries), note, "No open proposals.")


def _in(day: date, since: date, until: date) -> bool:
    return since <= day <= until


def happened(b: Builder, track: Track, as_of: date | None, since: date, day: date) -> Section:
    """Dated records on or after ``since``: what happened, was said or was decided since."""
    repo = b.repo
    # (date, order of kinds on one day, tie-break, label, text, the claim it rests on)
    dated: list[tuple[date, int, str, str, str, Claim | None]] = []
    for r in repo.rounds(track.id, as_of):
        if _in(r.start, since, day):
            own = own_claim(repo, "round", r)
            dated.append((r.start, 0, r.id, "round", f"{r.title} began", own))
        for i, e in enumerate(r.status_log):
            if _in(e.date, since, day):
                text = f"{r.title}: {e.status}" + (f". {e.note}" if e.note else "")
                dated.append((e.date, 0, f"{r.id} {i:06d}", "round", text, status_claim(r, i)))
    for p in repo.points(track.id, as_of):
        if p.raised is not None and _in(p.raised, since, day):
            text = f"Raised: {p.title}"
            own = own_claim(repo, "point", p)
            dated.append((p.raised, 1, p.id, "sticking point", text, own))
        for i, e in enumerate(p.status_log):
            if _in(e.date, since, day):
                text = f"{p.title}: {e.status}" + (f". {e.note}" if e.note else "")
                key = f"{p.id} {i:06d}"
                dated.append((e.date, 1, key, "sticking point", text, status_claim(p, i)))
    for pr in repo.proposals(track.id, as_of):
        if _in(pr.date, since, day):
            by = b.names("actor", pr.by_ids) or "unnamed authors"
            text = f"{pr.title} put forward by {by}"
            dated.append((pr.date, 2, pr.id, "proposal", text, own_claim(repo, "proposal", pr)))
        for resp in pr.responses:
            if resp.date is not None and _in(resp.date, since, day):
                text = f"{b.name('actor', resp.actor_id)}: {resp.status.value}, {pr.title}"
                text += f". {resp.note}" if resp.note else ""
                key = pr.id + resp.actor_id
                dated.append((resp.date, 3, key, "response", text, response_claim(repo, resp)))
    for pos in repo.positions(track.id, as_of=as_of):
        if _in(pos.date, since, day):
            point = b.name("point", pos.point_id)
            text = f"{b.name('actor', pos.actor_id)} on {point}: {pos.gist or pos.stance}"
            label = f"position, {pos.firmness.value}"
            dated.append((pos.date, 4, pos.id, label, text, own_claim(repo, "position", pos)))
    for ev in repo.events(track.id, as_of):
        if _in(ev.date, since, day):
            label = f"event, {ev.event_kind.value}"
            dated.append((ev.date, 5, ev.id, label, ev.title, own_claim(repo, "event", ev)))
    for a in repo.assessments(track.id, as_of):
        if _in(a.date, since, day):
            text = f"{a.analyst}: {a.gist}"
            dated.append((a.date, 6, a.id, "assessment", text, own_claim(repo, "assessment", a)))
    entries = tuple(
        Entry(lead=when.isoformat(), meta=(label,), text=text, **b.noted(claim))
        for when, _, _, label, text, claim in sorted(dated, key=lambda d: d[:3])
    )
    title = f"What happened since {since.isoformat()}"
    return Section("since", title, entries, empty="Nothing dated in that time.")


def _about_track(doc: dict[str, Any] | None, track: Track, actors: set[str]) -> bool:
    if not doc:
        return False
    return doc.get("track_id") == track.id or doc.get("id") in actors


# The groups of "recorded since", in the order they are read: what a reader most
# wants to know first.
CHANGE_GROUPS = (
    ("position", "New positions"),
    ("status", "Status changes"),
    ("response", "Responses to proposals"),
    ("round", "New rounds"),
    ("proposal", "New proposals"),
    ("point", "New sticking points"),
    ("event", "New events"),
    ("assessment", "New assessments"),
    ("corroborated", "Reported by another outlet too"),
    ("added", "Other records added"),
    ("edited", "Edits"),
    ("deleted", "Deletions"),
    ("undone", "Undone"),
)


# A transaction that wrote more records than this at once (the seed, an import) is a
# bulk load: one line, not a line per record.
BULK = 5


def _group_of(change: Change, claim: Claim | None) -> str:
    if change.undoes is not None:
        return "undone"
    if change.after is None:
        return "deleted"
    if change.before is None:
        kind = change.record_kind
        return kind if kind in dict(CHANGE_GROUPS) else "added"
    if claim is not None and claim.part == "status_log":
        return "status"
    if claim is not None and claim.part == "responses":
        return "response"
    if change.before is not None and new_corroborations(change.before, change.after):
        return "corroborated"
    return "edited"


def _change_entry(b: Builder, change: Change, claim: Claim | None) -> Entry:
    """One change in words, cited to what the change itself rests on."""
    when = change.at.date().isoformat()
    return Entry(
        lead=when,
        meta=(f"by {author_of(change)}",),
        text=change_summary(b.repo, change),
        **b.noted(claim),
    )


def _bulk_entry(changes: list[Change], first_ever: bool) -> Entry:
    """A transaction that wrote many records at once, as one line: the seed, an import."""
    if all(c.undoes is not None for c in changes):
        verb = "took back"
    elif first_ever:
        verb = "seeded"
    else:
        verb = "imported"
    when = min(c.at for c in changes).date().isoformat()
    authors = sorted({author_of(c) for c in changes})
    return Entry(
        lead=when, meta=(f"by {', '.join(authors)}",), text=f"{verb} {len(changes)} records"
    )


def recorded(b: Builder, track: Track, since: date, day: date, limit: int) -> Section:
    """Changes written to the store on or after ``since`` that concern this track,
    grouped by what they did; a bulk load (the seed, an import) as one line."""
    actors = {p.actor_id for p in track.participants}
    history = b.repo.history()
    batches: dict[int, list[Change]] = {}
    for change in history:
        if change.batch is not None:
            batches.setdefault(change.batch, []).append(change)
    first_seq = min((c.seq for c in history), default=0)
    found: list[Change] = []
    bulks: list[Entry] = []
    seen_batches: set[int] = set()
    for change in reversed(history):
        if not since <= change.at.date() <= day:
            continue
        own_track = change.record_kind == "track" and change.record_id == track.id
        concerns = own_track or any(
            _about_track(doc, track, actors if change.record_kind == "actor" else set())
            for doc in (change.after, change.before)
        )
        if not concerns:
            continue
        batch = batches.get(change.batch) if change.batch is not None else None
        if batch is not None and len(batch) > BULK:
            if change.batch not in seen_batches:
                seen_batches.add(change.batch)  # type: ignore[arg-type]
                bulks.append(_bulk_entry(batch, change.batch == first_seq))
            continue
        found.append(change)
    shown = found[-limit:]
    grouped: dict[str, list[Entry]] = {}
    for change in shown:
        claim = change_claim(b.repo, change)
        grouped.setdefault(_group_of(change, claim), []).append(_change_entry(b, change, claim))
    entries = list(reversed(bulks))
    entries += [
        Entry(lead=title, meta=(str(len(grouped[key])),), children=tuple(grouped[key]))
        for key, title in CHANGE_GROUPS
        if key in grouped
    ]
    note = f"The latest {len(shown)} of {len(found)} changes." if len(found) > len(shown) else ""
    title = f"Recorded in the store since {since.isoformat()}"
    return Section("recorded", title, tuple(entries), note, "No changes recorded in that time.")


def events(b: Builder, track: Track, as_of: date | None, limit: int) -> Section:
    events = b.repo.events(track.id, as_of)
    shown = list(reversed(events))[:limit]
    entries = []
    for ev in shown:
        meta = [ev.date.isoformat(), ev.event_kind.value]
        if ev.actor_ids:
            meta.append(b.names("actor", ev.actor_ids))
        entries.append(
            Entry(
                lead=ev.title,
                meta=tuple(meta),
                text=ev.text,
                **b.noted(own_claim(b.repo, "event", ev)),
            )
        )
    note = f"The latest {len(shown)} of {len(events)}." if len(events) > len(shown) else ""
    return Section("events", "Recent events", tuple(entries), note, "No events on record.")


def assessments(b: Builder, track: Track, as_of: date | None) -> Section:
    entries = []
    for a in reversed(b.repo.assessments(track.id, as_of)):
        meta = tuple(x for x in (a.affiliation, a.date.isoformat()) if x)
        entries.append(
            Entry(
                lead=a.analyst,
                meta=meta,
                text=a.gist,
                quote=a.quote,
                **b.noted(own_claim(b.repo, "assessment", a)),
            )
        )
    return Section("assessments", "Assessments", tuple(entries), empty="No assessments on record.")
