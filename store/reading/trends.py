"""How stances move: each actor's firmness over time on each sticking point, and
whether the parties are coming closer on it.

Firmness is read as a distance from yielding: accepted 0, flexible 1,
conditional 2, demand 3, red line 4; a rejection (of the other side's terms)
stands as far off as a red line. Picture the parties at opposite ends of a line,
each as far from the middle as its firmness: the gap on a point is the distance
between the two firmest parties, their two levels added (0 when both accept, 8
when both hold red lines). It narrows when that sum falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..kinds import Firmness, Role
from ..models import Position, Track
from ..records.repository import Repository
from .compare import news_window

LEVEL: dict[Firmness, int] = {
    Firmness.ACCEPTED: 0,
    Firmness.FLEXIBLE: 1,
    Firmness.CONDITIONAL: 2,
    Firmness.DEMAND: 3,
    Firmness.RED_LINE: 4,
    Firmness.REJECTED: 4,
}
TOP = max(LEVEL.values())


@dataclass(frozen=True)
class Step:
    """One stated position's place on the firmness scale."""

    date: date
    firmness: Firmness
    level: int


def steps(positions: list[Position]) -> list[Step]:
    """Positions as steps, oldest first."""
    ordered = sorted(positions, key=lambda p: (p.date, p.id))
    return [Step(p.date, p.firmness, LEVEL[p.firmness]) for p in ordered]


def firmness_history(
    repo: Repository, track_id: str, as_of: date | None = None
) -> dict[tuple[str, str], list[Step]]:
    """(point, actor) -> that actor's steps on that point, oldest first."""
    found: dict[tuple[str, str], list[Position]] = {}
    for position in repo.positions(track_id, as_of=as_of):
        found.setdefault((position.point_id, position.actor_id), []).append(position)
    return {key: steps(ps) for key, ps in found.items()}


def level_on(history: list[Step], day: date) -> int | None:
    """The level of the latest step on or before ``day``; None before the first."""
    level = None
    for step in history:
        if step.date > day:
            break
        level = step.level
    return level


def gap(levels: list[int]) -> int | None:
    """The distance between the two firmest parties; None with fewer than two."""
    if len(levels) < 2:
        return None
    first, second = sorted(levels, reverse=True)[:2]
    return first + second


@dataclass(frozen=True)
class Convergence:
    """One point's gap now and on an earlier day, and what that says."""

    point_id: str
    gap: int | None
    since: date
    gap_then: int | None

    @property
    def reading(self) -> str:
        """``narrowing``, ``widening``, ``unchanged``; ``new`` with no gap to compare
        with; ``no reading`` without two parties' positions now."""
        if self.gap is None:
            return "no reading"
        if self.gap_then is None:
            return "new"
        if self.gap < self.gap_then:
            return "narrowing"
        if self.gap > self.gap_then:
            return "widening"
        return "unchanged"


def counted_actors(repo: Repository, track_id: str, actors_with_positions: set[str]) -> list[str]:
    """Whose firmness makes the gap: the track's parties; every actor who stated a
    position where the track names fewer than two parties."""
    parties = repo.get_as(Track, track_id).actors_with(Role.PARTY)
    return parties if len(parties) >= 2 else sorted(actors_with_positions)


def default_since(
    repo: Repository,
    track_id: str,
    as_of: date | None = None,
    history: dict[tuple[str, str], list[Step]] | None = None,
) -> date:
    """The day the reading compares with by default: the start of the week up to the
    track's latest news (``compare.news_window``), or the first position's date when
    there was none by then. (``history``: the track's ``firmness_history``, when it is
    at hand.)"""
    since, _ = news_window(repo, track_id, as_of)
    if history is None:
        history = firmness_history(repo, track_id, as_of)
    first = min((steps[0].date for steps in history.values() if steps), default=None)
    if first is not None and first > since:
        return first
    return since


def convergence(
    repo: Repository,
    track_id: str,
    as_of: date | None = None,
    since: date | None = None,
    history: dict[tuple[str, str], list[Step]] | None = None,
) -> dict[str, Convergence]:
    """Each sticking point's convergence reading, from ``since`` (by default
    ``default_since``) to ``as_of`` (today when None). (``history``: the track's
    ``firmness_history`` as of that day, when it is at hand.)"""
    if history is None:
        history = firmness_history(repo, track_id, as_of)
    since = since or default_since(repo, track_id, as_of, history)
    actors = counted_actors(repo, track_id, {a for _, a in history})
    readings = {}
    for point in repo.points(track_id, as_of):
        now = [h[-1].level for a in actors if (h := history.get((point.id, a)))]
        then = [
            level
            for a in actors
            if (level := level_on(history.get((point.id, a), []), since)) is not None
        ]
        readings[point.id] = Convergence(point.id, gap(now), since, gap(then))
    return readings
