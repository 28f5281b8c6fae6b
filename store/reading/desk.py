"""The desk: every track in one line each, the way a monthly conflict watch reads.

Each line says which way the track moved over its window (better, worse or
unchanged, from its sticking points' status changes and the gaps between the
parties), why in a few words, how fresh its news is, how many points are still
open or deadlocked, its latest and next round, and how much changed in the window.
The window is each track's own: the week up to its latest dated record
(``compare.news_window``), so a track followed in the past reads as it stood then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from ..kinds import Firmness, Kind, PointStatus
from ..models import Assessment, Event, Position, Round, StickingPoint, Track
from ..records.repository import Repository
from .compare import _changes_of_few, days_of_few, latest, window_to
from .trends import LEVEL, Step, convergence
from .words import names

# How far each status is from an agreement; deadlock is further than open.
STATUS_RANK = {
    PointStatus.DEADLOCKED: -1,
    PointStatus.OPEN: 0,
    PointStatus.NARROWING: 1,
    PointStatus.BRIDGED: 2,
    PointStatus.AGREED: 3,
}
BETTER, WORSE, UNCHANGED = "better", "worse", "unchanged"
# Each trend as the desk and its text show it.
TREND_WORDS = {BETTER: "↑ better", WORSE: "↓ worse", UNCHANGED: "→ same"}
# The reasons a line gives at most, the worse first.
REASONS = 2


@dataclass(frozen=True)
class DeskRow:
    """One track on the desk."""

    track: Track
    trend: str  # BETTER, WORSE or UNCHANGED
    why: str
    latest_news: date | None
    window: tuple[date, date]
    open_points: int
    deadlocked: int
    latest_round: Round | None
    next_round: Round | None
    changes: int
    # The parties' names, as the desk's detail shows them.
    parties: str = ""


def _status_moves(
    points: list[StickingPoint], start: date, end: date
) -> tuple[list[str], list[str]]:
    """The points whose status moved toward an agreement, and away from one, in the
    window: each as ``title: new status``."""
    better: list[str] = []
    worse: list[str] = []
    for point in points:
        logged = sorted(
            (e for e in point.status_log if start < e.date <= end), key=lambda e: e.date
        )
        # A point first logged within the window moved from its first status there.
        was = point.status_on(start) or (logged[0].status if logged else None)
        now = point.status_on(end)
        if was is None or now is None or was == now:
            continue
        step = STATUS_RANK[PointStatus(now)] - STATUS_RANK[PointStatus(was)]
        (better if step > 0 else worse).append(f"{point.title} {now}")
    return better, worse


def _gap_words(titles: list[str], moved: str) -> list[str]:
    if len(titles) == 1:
        return [f"gap {moved} on {titles[0]}"]
    return [f"gap {moved} on {len(titles)} points"] if titles else []


@dataclass
class Many:
    """What the desk reads of a track's positions, events and assessments, the records
    a track has thousands of: their days, and each position's point, party and
    firmness. Taken from the stored documents, all tracks in one pass over each
    kind: building their models is most of what reading a track costs (seconds
    on a store of 100,000 records), and the desk needs none of their text."""

    # (date, id, point, party, firmness), in stored order.
    positions: list[tuple[date, str, str, str, Firmness]] = field(default_factory=list)
    event_days: list[date] = field(default_factory=list)
    assessment_days: list[date] = field(default_factory=list)

    def history(self, since: date, end: date) -> dict[tuple[str, str], list[Step]]:
        """What ``trends.convergence`` reads of ``trends.firmness_history`` as of
        ``end``, compared with ``since``: (point, party) -> the latest step on or
        before ``since`` (if any) and the latest on or before ``end``, oldest first.

        Not every step: a track holds thousands, and building and sorting them all
        for each track was most of the desk's cost."""
        then: dict[tuple[str, str], tuple[date, str, Firmness]] = {}
        now: dict[tuple[str, str], tuple[date, str, Firmness]] = {}
        for day, pos_id, point_id, actor_id, firmness in self.positions:
            if day > end:
                continue
            key, step = (point_id, actor_id), (day, pos_id, firmness)
            # The latest by (day, id), as firmness_history orders them.
            if key not in now or step[:2] > now[key][:2]:
                now[key] = step
            if day <= since and (key not in then or step[:2] > then[key][:2]):
                then[key] = step
        found = {}
        for key, (day, pos_id, firmness) in now.items():
            steps = [Step(day, firmness, LEVEL[firmness])]
            earlier = then.get(key)
            if earlier is not None and earlier[:2] != (day, pos_id):
                steps.insert(0, Step(earlier[0], earlier[2], LEVEL[earlier[2]]))
            found[key] = steps
        return found

    def changes(self, start: date, end: date) -> int:
        """How many of them fall in the window, as ``compare`` counts them."""
        return sum(
            1
            for day in (
                *(p[0] for p in self.positions),
                *self.event_days,
                *self.assessment_days,
            )
            if start < day <= end
        )


# Firmness by its stored value: a lookup, where calling the enum is ten times slower.
_FIRMNESS = {f.value: f for f in Firmness}


def _model_fields(repo: Repository, kind: str, doc_id: str) -> tuple[str, date, Any]:
    """``_fields`` of a document its reading did not expect, from its model: which
    says why (CorruptStore) if the model refuses it too."""
    record = repo.get(kind, doc_id)
    assert isinstance(record, Position | Event | Assessment)
    if isinstance(record, Position):
        return record.track_id, record.date, (record.point_id, record.actor_id, record.firmness)
    return record.track_id, record.date, None


def read_many(repo: Repository, as_of: date | None = None) -> dict[str, Many]:
    """Every track's positions, events and assessments dated on or before ``as_of``
    (any day when None), by track."""
    # A loop of its own for each kind, with nothing in it but the reading: it runs
    # once for each of the store's many records, so each step in it counts.
    last = date.max if as_of is None else as_of
    day_of = date.fromisoformat
    positions: defaultdict[str, list[tuple[date, str, str, str, Firmness]]] = defaultdict(list)
    for doc_id, doc in repo.documents(Kind.POSITION):
        try:
            track_id, day = doc["track_id"], day_of(doc["date"])
            extra = (doc["point_id"], doc["actor_id"], _FIRMNESS[doc["firmness"]])
        except (KeyError, TypeError, ValueError):
            track_id, day, extra = _model_fields(repo, Kind.POSITION, doc_id)
        if day <= last:
            positions[track_id].append((day, doc_id, *extra))
    days: dict[str, defaultdict[str, list[date]]] = {}
    for kind in (Kind.EVENT, Kind.ASSESSMENT):
        found = days[kind] = defaultdict(list)
        for doc_id, doc in repo.documents(kind):
            try:
                track_id, day = doc["track_id"], day_of(doc["date"])
            except (KeyError, TypeError, ValueError):
                track_id, day, _ = _model_fields(repo, kind, doc_id)
            if day <= last:
                found[track_id].append(day)
    events, assessments = days[Kind.EVENT], days[Kind.ASSESSMENT]
    return {
        track_id: Many(positions[track_id], events[track_id], assessments[track_id])
        for track_id in positions.keys() | events.keys() | assessments.keys()
    }


def trend(
    repo: Repository, track_id: str, start: date, end: date, many: Many | None = None
) -> tuple[str, str]:
    """Which way a track moved from ``start`` to ``end``, and why in one line.
    (``many``: the track's ``read_many``, when it is at hand.)"""
    points = repo.points(track_id)
    better, worse = _status_moves(points, start, end)
    titles = {p.id: p.title for p in points}
    history = many.history(start, end) if many is not None else None
    readings = convergence(repo, track_id, end, since=start, history=history)
    narrowed = [titles[k] for k, r in readings.items() if r.reading == "narrowing"]
    widened = [titles[k] for k, r in readings.items() if r.reading == "widening"]
    good = better + _gap_words(narrowed, "narrowed")
    bad = worse + _gap_words(widened, "widened")
    score = len(better) + len(narrowed) - len(worse) - len(widened)
    verdict = BETTER if score > 0 else WORSE if score < 0 else UNCHANGED
    reasons = (bad + good) if verdict != BETTER else (good + bad)
    why = "; ".join(reasons[:REASONS]) or "no status or gap moved in the week"
    return verdict, why


def desk_row(
    repo: Repository, track: Track, as_of: date | None = None, many: Many | None = None
) -> DeskRow:
    """One track's line, as of a day (its latest news when None). (``many``: the
    track's ``read_many``, when it is at hand.)"""
    if many is None:
        many = read_many(repo, as_of).get(track.id, Many())
    latest_news = latest(
        days_of_few(repo, track.id) + [p[0] for p in many.positions] + many.event_days, as_of
    )
    start, end = window_to(latest_news, as_of or repo.today())
    verdict, why = trend(repo, track.id, start, end, many)
    points = repo.points(track.id, as_of)
    rounds = repo.rounds(track.id, as_of)
    today = as_of or repo.today()
    past = [r for r in rounds if r.start <= today]
    upcoming = [r for r in rounds if r.start > today]
    return DeskRow(
        track=track,
        trend=verdict,
        why=why,
        latest_news=latest_news,
        window=(start, end),
        open_points=sum(1 for p in points if p.status == PointStatus.OPEN),
        deadlocked=sum(1 for p in points if p.status == PointStatus.DEADLOCKED),
        latest_round=past[-1] if past else None,
        next_round=upcoming[0] if upcoming else None,
        # As compare() counts them: the few records' changes built, the many counted.
        changes=len(_changes_of_few(repo, track.id, start, end)) + many.changes(start, end),
        parties=names(repo, Kind.ACTOR, [p.actor_id for p in track.participants]),
    )


# The last desk read, by store, version and day: coming back to the desk (T) after
# only reading costs nothing, and a write reads it afresh.
_last: WeakKeyDictionary[Repository, tuple[tuple[int, date | None], list[DeskRow]]] = (
    WeakKeyDictionary()
)


def desk(repo: Repository, as_of: date | None = None) -> list[DeskRow]:
    """Every track's line, the freshest news first."""
    key = (repo.version, as_of)
    found = _last.get(repo)
    if found is not None and found[0] == key:
        return list(found[1])
    # repo.tracks() is by title; the sort keeps that order among tracks of one day.
    many = read_many(repo, as_of)
    rows = [desk_row(repo, t, as_of, many.get(t.id, Many())) for t in repo.tracks()]
    rows.sort(key=lambda r: r.latest_news or date.min, reverse=True)
    _last[repo] = (key, rows)
    return list(rows)
