"""What changed on a track between two dates, read from the records' own dates.

Not from the change log: a record typed in today about last week belongs to last
week. A change is dated after the first date and on or before the second (the
talks as they stood on the first date, against how they stood on the second):
rounds that began, status changes, sticking points raised, proposals put forward
and the parties' responses, positions (with the firmness each replaced), events and
analysts' assessments.
Each says in words what changed, and cites exactly what its own record, status-log
entry or response cites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..kinds import ResponseStatus
from ..models import Proposal, Response, StatusEntry
from ..records.repository import Repository
from .words import long_day, name_of, span

# The window a reading looks back over by default: the week up to the latest news.
WINDOW_DAYS = 7

# The sections, in the order a reader takes them.
SECTIONS = {
    "rounds": "Rounds",
    "status": "Status changes",
    "proposals": "Proposals and responses",
    "positions": "Positions",
    "events": "Events",
    "assessments": "Assessments",
}


@dataclass(frozen=True)
class Change:
    """One thing that changed, in words, with what it cites."""

    section: str  # a key of SECTIONS
    date: date
    kind: str  # the record it opens
    record_id: str
    text: str
    source_ids: tuple[str, ...] = ()
    unsourced: bool = False
    point_id: str | None = None  # positions: grouped by point, then by party
    actor_id: str | None = None


@dataclass(frozen=True)
class Comparison:
    track_id: str
    start: date
    end: date
    changes: tuple[Change, ...]

    def section(self, key: str) -> list[Change]:
        return [c for c in self.changes if c.section == key]


def _status_change(kind: str, record_id: str, entry: StatusEntry, text: str) -> Change:
    """A logged status change, cited to what its own log entry cites."""
    return Change(
        "status", entry.date, kind, record_id, text, tuple(entry.source_ids), entry.unsourced
    )


def _response_change(pr: Proposal, resp: Response, said: str) -> Change:
    """A party's response, cited to what that response cites."""
    assert resp.date is not None
    text = f"{said}, {pr.title}" + (f" ({resp.note})" if resp.note else "")
    return Change(
        "proposals",
        resp.date,
        "proposal",
        pr.id,
        text,
        tuple(resp.source_ids),
        resp.unsourced,
        actor_id=resp.actor_id,
    )


def _changes_of_few(
    repo: Repository, track_id: str, start: date, end: date
) -> list[tuple[int, Change]]:
    """The changes of a track's rounds, sticking points and proposals from ``start``
    to ``end`` (``start`` <= ``end``), each with its section's rank: the records a
    track has few of, which the desk reads as models while it only counts the
    positions, events and assessments (``store.reading.desk``)."""

    def within(day: date | None) -> bool:
        return day is not None and start < day <= end

    def actor(actor_id: str | None) -> str:
        return name_of(repo, "actor", actor_id)

    found: list[tuple[int, Change]] = []
    for r in repo.rounds(track_id):
        if within(r.start):
            status = r.status_on(end) or r.status.value
            venues = f" in {', '.join(r.venues)}" if r.venues else ""
            text = f"{r.title} ({r.format.value}{venues}), {span(r.start, r.end)}: {status}"
            found.append((0, Change("rounds", r.start, "round", r.id, text, tuple(r.source_ids))))
            continue
        for entry in r.status_log:
            if within(entry.date):
                text = f"{r.title}: {entry.status}" + (f" ({entry.note})" if entry.note else "")
                found.append((1, _status_change("round", r.id, entry, text)))
    for p in repo.points(track_id):
        if within(p.raised):
            text = f"raised: {p.title}"
            assert p.raised is not None
            found.append((1, Change("status", p.raised, "point", p.id, text, tuple(p.source_ids))))
        log = sorted(p.status_log, key=lambda e: e.date)
        for i, entry in enumerate(log):
            if within(entry.date):
                was = log[i - 1].status if i else None
                if was is None:
                    moved = f"{entry.status} (first recorded)"
                elif was == entry.status:
                    moved = f"still {entry.status}"
                else:
                    moved = f"{was} → {entry.status}"
                found.append((1, _status_change("point", p.id, entry, f"{p.title}: {moved}")))
    for pr in repo.proposals(track_id):
        if within(pr.date):
            by = ", ".join(actor(a) for a in pr.by_ids) or "unnamed authors"
            text = f"{pr.title} put forward by {by}"
            found.append(
                (2, Change("proposals", pr.date, "proposal", pr.id, text, tuple(pr.source_ids)))
            )
        for actor_id in dict.fromkeys(r.actor_id for r in pr.responses):
            history = pr.response_history(actor_id)
            for i, resp in enumerate(history):
                # A pending response is no answer yet: nothing changed.
                if resp.status == ResponseStatus.PENDING or not within(resp.date):
                    continue
                assert resp.date is not None
                was = history[i - 1].status if i else None
                moved = resp.status.value
                if was is not None and was != resp.status:
                    moved = f"{was.value} → {moved}"
                found.append((3, _response_change(pr, resp, f"{actor(actor_id)}: {moved}")))
    return found


def compare(repo: Repository, track_id: str, start: date, end: date) -> Comparison:
    """What changed on a track after ``start``, up to and including ``end``."""
    if end < start:
        start, end = end, start

    def within(day: date | None) -> bool:
        return day is not None and start < day <= end

    found = _changes_of_few(repo, track_id, start, end)
    # Oldest first, so that each position's predecessor is known when it comes.
    last: dict[tuple[str, str], str] = {}
    for pos in reversed(repo.positions(track_id)):
        key = (pos.point_id, pos.actor_id)
        was = last.get(key)
        last[key] = pos.firmness.value
        if not within(pos.date):
            continue
        now = pos.firmness.value
        if was is None:
            firmness = f"new: {now}"
        else:
            firmness = f"still {now}" if was == now else f"{was} → {now}"
        text = f"{firmness}, {long_day(pos.date)}: {pos.gist or pos.stance}"
        change = Change(
            "positions",
            pos.date,
            "position",
            pos.id,
            text,
            tuple(pos.source_ids),
            pos.unsourced,
            point_id=pos.point_id,
            actor_id=pos.actor_id,
        )
        found.append((4, change))
    for ev in repo.events(track_id):
        if within(ev.date):
            text = f"{ev.title} ({ev.event_kind.value})"
            found.append(
                (
                    5,
                    Change(
                        "events", ev.date, "event", ev.id, text, tuple(ev.source_ids), ev.unsourced
                    ),
                )
            )
    for a in repo.assessments(track_id):
        if within(a.date):
            who = a.analyst + (f" ({a.affiliation})" if a.affiliation else "")
            change = Change(
                "assessments", a.date, "assessment", a.id, f"{who}: {a.gist}", tuple(a.source_ids)
            )
            found.append((6, change))
    found.sort(key=lambda item: (item[1].date, item[0], item[1].record_id))
    return Comparison(track_id, start, end, tuple(c for _, c in found))


def last_day(repo: Repository, track_id: str, as_of: date | None = None) -> date | None:
    """The latest day anything on the track is dated (a round, a status change, a
    proposal or response, a position, an event), on or before ``as_of`` when given:
    where a reading ends by default, so that it opens on the latest news rather than
    on an empty week up to today."""
    days = days_of_few(repo, track_id)
    days += [pos.date for pos in repo.positions(track_id)]
    days += [ev.date for ev in repo.events(track_id)]
    return latest(days, as_of)


def days_of_few(repo: Repository, track_id: str) -> list[date]:
    """The days a track's rounds, status changes and proposals and responses are
    dated: ``last_day`` but for the positions and events, which the desk reads
    without building their models."""
    days: list[date] = []
    for r in repo.rounds(track_id):
        days += [r.end or r.start, *(e.date for e in r.status_log)]
    for p in repo.points(track_id):
        days += [e.date for e in p.status_log]
    for pr in repo.proposals(track_id):
        days += [pr.date, *(resp.date for resp in pr.responses if resp.date is not None)]
    return days


def latest(days: list[date], as_of: date | None = None) -> date | None:
    """The latest of ``days`` on or before ``as_of`` (any, when None)."""
    return max((d for d in days if as_of is None or d <= as_of), default=None)


def news_window(repo: Repository, track_id: str, as_of: date | None = None) -> tuple[date, date]:
    """The window a reading takes by default: the week up to the track's latest dated
    record (as of ``as_of``), reckoned from the data rather than the clock, so that a
    track followed in the past reads as it stood then."""
    return window_to(last_day(repo, track_id, as_of), as_of or repo.today())


def window_to(latest_news: date | None, otherwise: date) -> tuple[date, date]:
    """The week up to a track's latest news; up to ``otherwise`` (the day asked
    for, or today) on a track with nothing dated yet."""
    end = latest_news or otherwise
    return end - timedelta(days=WINDOW_DAYS), end
