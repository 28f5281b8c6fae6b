"""The desk: every track in one line each, the way a monthly conflict watch reads.

Each line says which way the track moved over its window (better, worse or
unchanged, from its sticking points' status changes and the gaps between the
parties), why in a few words, how fresh its news is, how many points are still
open or deadlocked, its latest and next round, and how much changed in the window.
The window is each track's own: the week up to its latest dated record
(``compare.news_window``), so a track followed in the past reads as it stood then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from weakref import WeakKeyDictionary

from .compare import compare, last_day, news_window
from .models import PointStatus, Round, StickingPoint, Track
from .repository import Repository
from .trends import convergence

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


def trend(repo: Repository, track_id: str, start: date, end: date) -> tuple[str, str]:
    """Which way a track moved from ``start`` to ``end``, and why in one line."""
    points = repo.points(track_id)
    better, worse = _status_moves(points, start, end)
    titles = {p.id: p.title for p in points}
    readings = convergence(repo, track_id, end, since=start)
    narrowed = [titles[k] for k, r in readings.items() if r.reading == "narrowing"]
    widened = [titles[k] for k, r in readings.items() if r.reading == "widening"]
    good = better + _gap_words(narrowed, "narrowed")
    bad = worse + _gap_words(widened, "widened")
    score = len(better) + len(narrowed) - len(worse) - len(widened)
    verdict = BETTER if score > 0 else WORSE if score < 0 else UNCHANGED
    reasons = (bad + good) if verdict != BETTER else (good + bad)
    why = "; ".join(reasons[:REASONS]) or "no status or gap moved in the week"
    return verdict, why


def desk_row(repo: Repository, track: Track, as_of: date | None = None) -> DeskRow:
    """One track's line, as of a day (its latest news when None)."""
    start, end = news_window(repo, track.id, as_of)
    verdict, why = trend(repo, track.id, start, end)
    points = repo.points(track.id, as_of)
    rounds = repo.rounds(track.id, as_of)
    today = as_of or repo.today()
    past = [r for r in rounds if r.start <= today]
    upcoming = [r for r in rounds if r.start > today]
    return DeskRow(
        track=track,
        trend=verdict,
        why=why,
        latest_news=last_day(repo, track.id, as_of),
        window=(start, end),
        open_points=sum(1 for p in points if p.status == PointStatus.OPEN),
        deadlocked=sum(1 for p in points if p.status == PointStatus.DEADLOCKED),
        latest_round=past[-1] if past else None,
        next_round=upcoming[0] if upcoming else None,
        changes=len(compare(repo, track.id, start, end).changes),
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
    rows = [desk_row(repo, track, as_of) for track in repo.tracks()]
    rows.sort(key=lambda r: r.latest_news or date.min, reverse=True)
    _last[repo] = (key, rows)
    return list(rows)
