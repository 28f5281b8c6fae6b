"""What a briefing on one negotiation track says, read from the store.

:func:`build_brief` reads the store once into a neutral :class:`Brief`: a title,
sections of entries and a numbered list of sources. Every entry that states a
fact carries the numbers of the sources it rests on (an empty tuple says it is
unsourced; ``None`` marks lines that are not claims, such as a count). The
numbers are given out in reading order, so the first source cited is [1].

The Brief is plain data (strings, dates as ISO text, tuples) and knows nothing of
how it is shown: the renderers in ``tui.brief`` turn it into terminal text,
Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import NotFound
from .models import Position, Proposal, ResponseStatus, Role, Round, Source, Track
from .repository import Repository
from .words import author_of, name_of, names, span, speaker_name

RECENT_EVENTS = 10
RECENT_CHANGES = 50

# None: not a claim (a count, a heading); (): a claim with no source; (1, 3): sources [1], [3].
Notes = tuple[int, ...] | None


@dataclass(frozen=True)
class Entry:
    """One statement of the brief: ``lead`` (meta · meta): text “quote” [notes]."""

    lead: str = ""
    meta: tuple[str, ...] = ()
    text: str = ""
    quote: str = ""
    notes: Notes = None
    children: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: tuple[Entry, ...]
    note: str = ""
    empty: str = "Nothing on record."


@dataclass(frozen=True)
class Citation:
    """A numbered source, as the brief lists it at the end."""

    number: int
    source_id: str
    outlet: str = ""
    title: str = ""
    published: str = ""
    kind: str = ""
    url: str = ""
    reliability: str = ""
    missing: bool = False


@dataclass(frozen=True)
class Brief:
    track_id: str
    title: str
    facts: tuple[str, ...]
    description: str
    sections: tuple[Section, ...]
    sources: tuple[Citation, ...]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# -- building ------------------------------------------------------------------


def pick_track(repo: Repository, track_id: str | None) -> Track:
    """The track asked for, or the store's only (else first by title) track."""
    if track_id:
        if not repo.exists("track", track_id):
            known = ", ".join(t.id for t in repo.tracks()[:5]) or "none"
            raise NotFound(f"no track with id {track_id!r} (tracks: {known})")
        return repo.get_as(Track, track_id)
    tracks = repo.tracks()
    if not tracks:
        raise NotFound("the store holds no track yet; run `parley seed` or `parley import`")
    return tracks[0]


class _Builder:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.numbers: dict[str, int] = {}

    def cite(self, source_ids: Iterable[str]) -> Notes:
        found = []
        for source_id in source_ids:
            if source_id not in self.numbers:
                self.numbers[source_id] = len(self.numbers) + 1
            found.append(self.numbers[source_id])
        return tuple(dict.fromkeys(found))

    def name(self, kind: str, record_id: str | None) -> str:
        return name_of(self.repo, kind, record_id, blank="")

    def names(self, kind: str, ids: Iterable[str]) -> str:
        return names(self.repo, kind, ids, blank="")

    def citations(self) -> tuple[Citation, ...]:
        found = []
        for source_id, number in self.numbers.items():
            if not self.repo.exists("source", source_id):
                found.append(Citation(number, source_id, missing=True))
                continue
            s = self.repo.get_as(Source, source_id)
            found.append(
                Citation(
                    number,
                    source_id,
                    outlet=s.outlet,
                    title=s.title,
                    published=s.published.isoformat(),
                    kind=s.source_kind.value,
                    url=s.url,
                    reliability=s.reliability,
                )
            )
        return tuple(found)


def _round_entry(b: _Builder, lead: str, r: Round) -> Entry:
    meta = [span(r.start, r.end, compact=False)]
    if r.venues:
        meta.append(", ".join(r.venues))
    meta += [r.format.value, r.status.value]
    notes = b.cite(r.source_ids + [s for e in r.status_log for s in e.source_ids])
    children = []
    if r.mediator_ids:
        children.append(Entry(lead="Mediators", text=b.names("actor", r.mediator_ids), notes=notes))
    if r.participant_ids:
        text = b.names("actor", r.participant_ids)
        children.append(Entry(lead="Participants", text=text, notes=notes))
    if r.outcome:
        children.append(Entry(lead="Outcome", text=r.outcome, notes=notes))
    return Entry(lead=lead, meta=tuple(meta), text=r.title, notes=notes, children=tuple(children))


def _standing(b: _Builder, track: Track, day: date, as_of: date | None) -> Section:
    repo = b.repo
    rounds = repo.rounds(track.id, as_of)
    past = [r for r in rounds if r.start <= day]
    upcoming = [r for r in rounds if r.start > day]
    entries = []
    if past:
        entries.append(_round_entry(b, "Latest round", past[-1]))
    else:
        entries.append(Entry(lead="Latest round", text="none on record"))
    if upcoming:
        entries.append(_round_entry(b, "Next round", upcoming[0]))
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


def _actor_order(b: _Builder, track: Track, actor_ids: Iterable[str]) -> list[str]:
    """Parties first in the track's order, then anyone else by name."""
    parties = track.actors_with(Role.PARTY)
    others = sorted(
        {a for a in actor_ids if a not in parties}, key=lambda a: b.name("actor", a).casefold()
    )
    return parties + others


def _stance(b: _Builder, position: Position) -> Entry:
    meta = [position.firmness.value, position.date.isoformat()]
    speaker = speaker_name(b.repo, position.speaker_id)
    if speaker:
        meta.append(speaker)
    return Entry(
        lead=b.name("actor", position.actor_id),
        meta=tuple(meta),
        text=position.stance,
        quote=position.quote,
        notes=b.cite(position.source_ids),
    )


def _points(b: _Builder, track: Track, as_of: date | None) -> Section:
    latest = b.repo.latest_positions(track.id, as_of)
    entries = []
    for point in b.repo.points(track.id, as_of):
        by_actor = {actor: pos for (pid, actor), pos in latest.items() if pid == point.id}
        children = []
        for actor_id in _actor_order(b, track, by_actor):
            if actor_id in by_actor:
                children.append(_stance(b, by_actor[actor_id]))
            else:
                name = b.name("actor", actor_id)
                children.append(Entry(lead=name, text="no stated position on record"))
        logged = [e for e in point.status_log if as_of is None or e.date <= as_of]
        notes = b.cite(point.source_ids + (logged[-1].source_ids if logged else []))
        meta = [point.status.value, f"{point.priority.value} priority"]
        if point.raised:
            meta.append(f"raised {point.raised.isoformat()}")
        entries.append(
            Entry(
                lead=point.title,
                meta=tuple(meta),
                text=point.description,
                notes=notes,
                children=tuple(children),
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


def _proposals(b: _Builder, track: Track, as_of: date | None) -> Section:
    proposals = b.repo.proposals(track.id, as_of)
    open_ = [p for p in proposals if not _settled(track, p)]
    entries = []
    for proposal in reversed(open_):
        responses = {r.actor_id: r for r in proposal.responses}
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
            bare = response.status == ResponseStatus.PENDING and not response.note
            notes = None if bare and not response.source_ids else b.cite(response.source_ids)
            children.append(Entry(lead=name, meta=tuple(meta), text=response.note, notes=notes))
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
                notes=b.cite(proposal.source_ids),
                children=tuple(children),
            )
        )
    settled = len(proposals) - len(open_)
    note = f"{settled} proposal(s) accepted by every party are not shown." if settled else ""
    return Section("proposals", "Open proposals", tuple(entries), note, "No open proposals.")


def _in(day: date, since: date, until: date) -> bool:
    return since <= day <= until


def _happened(b: _Builder, track: Track, as_of: date | None, since: date, day: date) -> Section:
    """Dated records on or after ``since``: what happened, was said or was decided since."""
    repo = b.repo
    # (date, order of kinds on one day, tie-break, label, text, source ids)
    dated: list[tuple[date, int, str, str, str, list[str]]] = []
    for r in repo.rounds(track.id, as_of):
        if _in(r.start, since, day):
            dated.append((r.start, 0, r.id, "round", f"{r.title} began", r.source_ids))
        for e in r.status_log:
            if _in(e.date, since, day):
                text = f"{r.title}: {e.status}" + (f". {e.note}" if e.note else "")
                dated.append((e.date, 0, r.id + e.status, "round", text, e.source_ids))
    for p in repo.points(track.id, as_of):
        if p.raised is not None and _in(p.raised, since, day):
            text = f"Raised: {p.title}"
            dated.append((p.raised, 1, p.id, "sticking point", text, p.source_ids))
        for e in p.status_log:
            if _in(e.date, since, day):
                text = f"{p.title}: {e.status}" + (f". {e.note}" if e.note else "")
                dated.append((e.date, 1, p.id + e.status, "sticking point", text, e.source_ids))
    for pr in repo.proposals(track.id, as_of):
        if _in(pr.date, since, day):
            by = b.names("actor", pr.by_ids) or "unnamed authors"
            text = f"{pr.title} put forward by {by}"
            dated.append((pr.date, 2, pr.id, "proposal", text, pr.source_ids))
        for resp in pr.responses:
            if resp.date is not None and _in(resp.date, since, day):
                text = f"{b.name('actor', resp.actor_id)}: {resp.status.value}, {pr.title}"
                text += f". {resp.note}" if resp.note else ""
                key = pr.id + resp.actor_id
                dated.append((resp.date, 3, key, "response", text, resp.source_ids))
    for pos in repo.positions(track.id, as_of=as_of):
        if _in(pos.date, since, day):
            point = b.name("point", pos.point_id)
            text = f"{b.name('actor', pos.actor_id)} on {point}: {pos.gist or pos.stance}"
            label = f"position, {pos.firmness.value}"
            dated.append((pos.date, 4, pos.id, label, text, pos.source_ids))
    for ev in repo.events(track.id, as_of):
        if _in(ev.date, since, day):
            label = f"event, {ev.event_kind.value}"
            dated.append((ev.date, 5, ev.id, label, ev.title, ev.source_ids))
    for a in repo.assessments(track.id, as_of):
        if _in(a.date, since, day):
            dated.append((a.date, 6, a.id, "assessment", f"{a.analyst}: {a.gist}", a.source_ids))
    entries = tuple(
        Entry(lead=when.isoformat(), meta=(label,), text=text, notes=b.cite(source_ids))
        for when, _, _, label, text, source_ids in sorted(dated, key=lambda d: d[:3])
    )
    title = f"What happened since {since.isoformat()}"
    return Section("since", title, entries, empty="Nothing dated in that time.")


def _about_track(doc: dict[str, Any] | None, track: Track, actors: set[str]) -> bool:
    if not doc:
        return False
    return doc.get("track_id") == track.id or doc.get("id") in actors


def _recorded(b: _Builder, track: Track, since: date, day: date, limit: int) -> Section:
    """Changes written to the store on or after ``since`` that concern this track."""
    actors = {p.actor_id for p in track.participants}
    found = []
    for change in reversed(b.repo.history()):
        if not since <= change.at.date() <= day:
            continue
        own_track = change.record_kind == "track" and change.record_id == track.id
        concerns = own_track or any(
            _about_track(doc, track, actors if change.record_kind == "actor" else set())
            for doc in (change.after, change.before)
        )
        if concerns:
            found.append(change)
    shown = found[-limit:]
    entries = []
    for change in shown:
        doc = change.after or change.before or {}
        raw_ids = doc.get("source_ids")
        notes: Notes = None
        if isinstance(raw_ids, list):
            # Cite what the record rests on; a record kind with no sources is not a claim.
            ids = [s for s in raw_ids if isinstance(s, str) and b.repo.exists("source", s)]
            notes = b.cite(ids)
        entries.append(
            Entry(
                lead=change.at.date().isoformat(),
                meta=(change.action, f"by {author_of(change)}"),
                text=change.summary or f"{change.action} {change.record_kind}",
                notes=notes,
            )
        )
    note = f"The latest {len(shown)} of {len(found)}." if len(found) > len(shown) else ""
    title = f"Recorded in the store since {since.isoformat()}"
    return Section("recorded", title, tuple(entries), note, "No changes recorded in that time.")


def _events(b: _Builder, track: Track, as_of: date | None, limit: int) -> Section:
    events = b.repo.events(track.id, as_of)
    shown = list(reversed(events))[:limit]
    entries = []
    for ev in shown:
        meta = [ev.date.isoformat(), ev.event_kind.value]
        if ev.actor_ids:
            meta.append(b.names("actor", ev.actor_ids))
        entries.append(
            Entry(lead=ev.title, meta=tuple(meta), text=ev.text, notes=b.cite(ev.source_ids))
        )
    note = f"The latest {len(shown)} of {len(events)}." if len(events) > len(shown) else ""
    return Section("events", "Recent events", tuple(entries), note, "No events on record.")


def _assessments(b: _Builder, track: Track, as_of: date | None) -> Section:
    entries = []
    for a in reversed(b.repo.assessments(track.id, as_of)):
        meta = tuple(x for x in (a.affiliation, a.date.isoformat()) if x)
        entries.append(
            Entry(lead=a.analyst, meta=meta, text=a.gist, quote=a.quote, notes=b.cite(a.source_ids))
        )
    return Section("assessments", "Assessments", tuple(entries), empty="No assessments on record.")


def build_brief(
    repo: Repository,
    track_id: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    recent: int = RECENT_EVENTS,
) -> Brief:
    """Everything the brief says, with its sources numbered in reading order."""
    track = pick_track(repo, track_id)
    day = as_of or repo.today()
    b = _Builder(repo)
    facts = [f"As of {day.isoformat()}" + ("" if as_of else " (today)")]
    if track.region:
        facts.append(f"Region: {track.region}")
    if since:
        facts.append(f"Changes since {since.isoformat()}")
    sections = [_standing(b, track, day, as_of), _points(b, track, as_of)]
    sections.append(_proposals(b, track, as_of))
    if since is not None:
        sections.append(_happened(b, track, as_of, since, day))
        sections.append(_recorded(b, track, since, day, RECENT_CHANGES))
    sections.append(_events(b, track, as_of, recent))
    sections.append(_assessments(b, track, as_of))
    return Brief(
        track_id=track.id,
        title=f"Briefing: {track.title}",
        facts=tuple(facts),
        description=track.description,
        sections=tuple(sections),
        sources=b.citations(),
    )
