"""What a briefing on one negotiation track says, read from the store.

:func:`build_brief` reads the store once into a neutral :class:`Brief`: a title,
sections of entries and a numbered list of sources. Every entry that states a
fact carries the numbers of the sources it rests on, as :mod:`store.reading.citations`
decides them: its own record's, its own status-log entry's or its own response's,
never a neighbour's. An empty tuple says it cites none (``Entry.unsourced`` tells
a record marked unsourced from one that simply gave no source); ``None`` marks
lines that are not claims, such as a count. The numbers are given out in reading
order, so the first source cited is [1].

The Brief is plain data (strings, dates as ISO text, tuples) and knows nothing of
how it is shown: the renderers in ``tui.brief`` turn it into terminal text,
Markdown or HTML."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from ..errors import NotFound
from ..models import Track
from ..records.repository import Repository
from .brief_data import Brief, Builder, Section
from .brief_sections import assessments, events, happened, points, proposals, recorded, standing

RECENT_EVENTS = 10
RECENT_CHANGES = 50


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


# The sections a brief can hold, by the name ``--sections`` takes; "since" and
# "recorded" need a date to start from.
SECTIONS = ("standing", "points", "proposals", "since", "recorded", "events", "assessments")
NEEDS_SINCE = ("since", "recorded")


def parse_sections(text: str) -> tuple[str, ...]:
    """Section names, comma-separated, checked against SECTIONS; ValueError names the
    first unknown one."""
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not chosen:
        raise ValueError(f"name at least one section: {', '.join(SECTIONS)}")
    for name in chosen:
        if name not in SECTIONS:
            raise ValueError(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}")
    return chosen


def build_brief(
    repo: Repository,
    track_id: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    recent: int = RECENT_EVENTS,
    sections: Iterable[str] | None = None,
) -> Brief:
    """Everything the brief says, with its sources numbered in reading order.
    ``sections`` keeps only those named (in the brief's own order); "since" and
    "recorded" are there only with a ``since`` date."""
    wanted = set(SECTIONS if sections is None else sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise ValueError(
            f"unknown section {sorted(unknown)[0]!r}; choose from {', '.join(SECTIONS)}"
        )
    track = pick_track(repo, track_id)
    day = as_of or repo.today()
    b = Builder(repo)
    facts = [f"As of {day.isoformat()}" + ("" if as_of else " (today)")]
    if track.region:
        facts.append(f"Region: {track.region}")
    if since:
        facts.append(f"Changes since {since.isoformat()}")
    makers: dict[str, Callable[[], Section]] = {
        "standing": lambda: standing(b, track, day, as_of),
        "points": lambda: points(b, track, as_of),
        "proposals": lambda: proposals(b, track, as_of),
        "events": lambda: events(b, track, as_of, recent),
        "assessments": lambda: assessments(b, track, as_of),
    }
    if since is not None:
        makers["since"] = lambda: happened(b, track, as_of, since, day)
        makers["recorded"] = lambda: recorded(b, track, since, day, RECENT_CHANGES)
    built = [makers[key]() for key in SECTIONS if key in wanted and key in makers]
    return Brief(
        track_id=track.id,
        title=f"Briefing: {track.title}",
        facts=tuple(facts),
        description=track.description,
        sections=tuple(built),
        sources=b.citations(),
    )
