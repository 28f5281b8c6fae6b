"""A briefing on one negotiation track, as terminal text, Markdown or HTML.

:func:`build_brief` reads the store once into a neutral :class:`Brief`: a title,
sections of entries and a numbered list of sources. Every entry that states a
fact carries the numbers of the sources it rests on (an empty tuple says it is
unsourced; ``None`` marks lines that are not claims, such as a count). The
numbers are given out in reading order, so the first source cited is [1].

Three renderers turn the same Brief into output and hold no knowledge of the
domain: :func:`render_text` (rich ``Text`` objects, never markup, so ``[bold]``
in a record prints literally), :func:`render_markdown` (store text
backslash-escaped, sources as ``[^n]`` footnotes) and :func:`render_html` (one
self-contained page, every piece of store text through ``html.escape``).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from store import (
    NotFound,
    Person,
    Position,
    Proposal,
    Repository,
    ResponseStatus,
    Role,
    Round,
    Source,
    Track,
)

FORMATS = ("text", "markdown", "html")
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
        if not record_id:
            return ""
        if self.repo.exists(kind, record_id):
            return self.repo.get(kind, record_id).label
        return record_id

    def names(self, kind: str, ids: Iterable[str]) -> str:
        return ", ".join(self.name(kind, i) for i in ids)

    def speaker(self, person_id: str | None) -> str:
        if not person_id:
            return ""
        if not self.repo.exists("person", person_id):
            return person_id
        person = self.repo.get_as(Person, person_id)
        return f"{person.name} ({person.title})" if person.title else person.name

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


def _span(start: date, end: date | None) -> str:
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} to {end.isoformat()}"


def _round_entry(b: _Builder, lead: str, r: Round) -> Entry:
    meta = [_span(r.start, r.end)]
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
    speaker = b.speaker(position.speaker_id)
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
                meta=(change.action,),
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


# -- rendering: shared pieces --------------------------------------------------


def _source_line(c: Citation) -> str:
    if c.missing:
        return f"missing source {c.source_id!r}"
    return f"{c.outlet}: {c.title} ({c.published}, {c.kind})"


def _http_url(url: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s<>\"'`]+", url))


# Words in meta that get a colour in the terminal and a class in HTML.
TONES = {
    "red line": "bad",
    "rejected": "bad",
    "deadlocked": "bad",
    "collapsed": "bad",
    "demand": "warn",
    "stalled": "warn",
    "open": "warn",
    "pending": "warn",
    "conditional": "mild",
    "accepted with conditions": "mild",
    "narrowing": "mild",
    "under way": "mild",
    "scheduled": "mild",
    "flexible": "good",
    "accepted": "good",
    "bridged": "good",
    "agreed": "good",
    "concluded": "good",
}
TEXT_TONE = {"bad": "bold red", "warn": "yellow", "mild": "cyan", "good": "green"}


# -- terminal text ---------------------------------------------------------------


def _text_entry(entry: Entry, depth: int) -> RenderableType:
    line = Text()
    if entry.lead:
        line.append(entry.lead, style="bold")
    if entry.meta:
        line.append(" (" if entry.lead else "(", style="dim")
        for i, item in enumerate(entry.meta):
            if i:
                line.append(" · ", style="dim")
            line.append(item, style=TEXT_TONE.get(TONES.get(item, ""), "dim"))
        line.append(")", style="dim")
    if entry.text:
        if entry.lead or entry.meta:
            line.append(": ")
        line.append(entry.text)
    if entry.quote:
        line.append(f" “{entry.quote}”", style="italic")
    if entry.notes == ():
        line.append(" (unsourced)", style="bold yellow")
    elif entry.notes:
        line.append(" " + "".join(f"[{n}]" for n in entry.notes), style="cyan")
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=2 * depth + 1, no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    grid.add_row("•" if depth == 0 else "–", line)
    parts: list[RenderableType] = [grid]
    parts += [_text_entry(child, depth + 1) for child in entry.children]
    return Group(*parts)


def text_renderables(brief: Brief) -> list[RenderableType]:
    out: list[RenderableType] = [Text(brief.title, style="bold underline")]
    out.append(Text("  ·  ".join(brief.facts), style="dim"))
    if brief.description:
        out += [Text(""), Text(brief.description)]
    for section in brief.sections:
        out += [Text(""), Text(section.title, style="bold magenta")]
        if section.note:
            out.append(Text(section.note, style="dim italic"))
        if not section.entries:
            out.append(Text(section.empty, style="dim italic"))
        out += [_text_entry(e, 0) for e in section.entries]
    out += [Text(""), Text("Sources", style="bold magenta")]
    if not brief.sources:
        out.append(Text("No sources cited.", style="dim italic"))
    for c in brief.sources:
        line = Text(_source_line(c), style="red" if c.missing else "")
        if c.url:
            line.append(f" {c.url}", style="underline")
        if c.reliability:
            line.append("\n")
            line.append(c.reliability, style="dim")
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True, justify="right", width=len(str(len(brief.sources))) + 2)
        grid.add_column(ratio=1)
        grid.add_row(Text(f"[{c.number}]", style="cyan"), line)
        out.append(grid)
    return out


def render_text(brief: Brief, console: Console) -> None:
    """Print the brief; styles show only when the console is a colour terminal."""
    for renderable in text_renderables(brief):
        console.print(renderable)


def plain_text(brief: Brief, width: int = 100) -> str:
    """The brief as plain text, as it prints when not on a terminal (no trailing blanks)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=False,
        no_color=True,
        color_system=None,
        markup=False,
        highlight=False,
        emoji=False,
    )
    render_text(brief, console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


# -- Markdown --------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>~|])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = re.compile(r"^(#|\+|-|=|\d+[.)])")


def md_escape(text: str) -> str:
    """Store text as literal Markdown: nothing in it can become markup or HTML."""
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        line = _MD_INLINE.sub(r"\\\1", line)
        line = _MD_ENTITY.sub(r"\\&", line)
        line = _MD_LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], line)
        out.append(line)
    return "\n".join(line for line in out if line)


def _md_refs(notes: Notes) -> str:
    if notes is None:
        return ""
    if not notes:
        return " _(unsourced)_"
    return "".join(f"[^{n}]" for n in notes)


def _md_entry(entry: Entry, depth: int) -> list[str]:
    indent = "  " * depth
    head = ""
    if entry.lead:
        head += f"**{md_escape(entry.lead)}**"
    if entry.meta:
        head += (" " if head else "") + "_(" + " · ".join(md_escape(m) for m in entry.meta) + ")_"
    body = md_escape(entry.text)
    if entry.quote:
        body += (" " if body else "") + f"“{md_escape(entry.quote)}”"
    line = head + (": " if head and body else "") + body + _md_refs(entry.notes)
    line = line.replace("\n", "\n" + indent + "  ")
    lines = [f"{indent}- {line}"]
    for child in entry.children:
        lines += _md_entry(child, depth + 1)
    return lines


def render_markdown(brief: Brief) -> str:
    out = [f"# {md_escape(brief.title)}", "", md_escape(" · ".join(brief.facts))]
    if brief.description:
        out += ["", md_escape(brief.description)]
    for section in brief.sections:
        out += ["", f"## {md_escape(section.title)}", ""]
        if section.note:
            out += [f"_{md_escape(section.note)}_", ""]
        if not section.entries:
            out.append(f"_{md_escape(section.empty)}_")
        for entry in section.entries:
            out += _md_entry(entry, 0)
    out += ["", "## Sources", ""]
    if not brief.sources:
        out.append("_No sources cited._")
    for c in brief.sources:
        line = f"[^{c.number}]: {md_escape(_source_line(c))}"
        if c.url:
            line += f" <{c.url}>" if _http_url(c.url) else f" {md_escape(c.url)}"
        if c.reliability:
            line += " — " + md_escape(c.reliability).replace("\n", " ")
        out += [line, ""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- HTML ------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --muted: #667; --accent: #7b2d8e; --line: #ccd; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; color: var(--accent); border-bottom: 1px solid var(--line);
     margin-top: 2rem; }
.facts, .meta, .note, .empty { color: var(--muted); }
.note, .empty { font-style: italic; }
ul { padding-left: 1.2rem; }
li { margin: .3rem 0; }
.text, .description, .reliability { white-space: pre-line; }
.lead { font-weight: 600; }
q { font-style: italic; }
sup a { text-decoration: none; }
.unsourced { color: #b35c00; font-weight: 600; font-size: .85em; }
.tone-bad { color: #c0392b; font-weight: 600; }
.tone-warn { color: #b35c00; }
.tone-mild { color: #1f6fa5; }
.tone-good { color: #1e8449; }
.sources li { margin: .5rem 0; }
.reliability { display: block; color: var(--muted); font-size: .9em; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_cite(notes: Notes) -> str:
    if notes is None:
        return ""
    if not notes:
        return ' <span class="unsourced">(unsourced)</span>'
    links = "".join(f'<sup class="cite"><a href="#source-{n}">[{n}]</a></sup>' for n in notes)
    return links


def _html_entry(entry: Entry) -> str:
    parts = []
    if entry.lead:
        parts.append(f'<span class="lead">{_e(entry.lead)}</span>')
    if entry.meta:
        items = []
        for m in entry.meta:
            tone = TONES.get(m)
            cls = f' class="tone-{tone}"' if tone else ""
            items.append(f"<span{cls}>{_e(m)}</span>")
        parts.append(f'<span class="meta">({" · ".join(items)})</span>')
    head = " ".join(parts)
    body = f'<span class="text">{_e(entry.text)}</span>' if entry.text else ""
    if entry.quote:
        body += f" <q>{_e(entry.quote)}</q>"
    inner = head + (": " if head and body else "") + body + _html_cite(entry.notes)
    if entry.children:
        inner += "\n<ul>\n" + "\n".join(_html_entry(c) for c in entry.children) + "\n</ul>"
    return f"<li>{inner}</li>"


def render_html(brief: Brief) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(brief.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_e(brief.title)}</h1>",
        f'<p class="facts">{_e(" · ".join(brief.facts))}</p>',
    ]
    if brief.description:
        out.append(f'<p class="description">{_e(brief.description)}</p>')
    out.append("</header>")
    for section in brief.sections:
        out.append(f'<section id="{_e(section.key)}">')
        out.append(f"<h2>{_e(section.title)}</h2>")
        if section.note:
            out.append(f'<p class="note">{_e(section.note)}</p>')
        if section.entries:
            out.append("<ul>")
            out += [_html_entry(e) for e in section.entries]
            out.append("</ul>")
        else:
            out.append(f'<p class="empty">{_e(section.empty)}</p>')
        out.append("</section>")
    out += ['<section id="sources" class="sources">', "<h2>Sources</h2>"]
    if brief.sources:
        out.append("<ol>")
        for c in brief.sources:
            item = _e(_source_line(c))
            if c.url:
                url = _e(c.url)
                link = f'<a href="{url}" rel="noopener noreferrer">{url}</a>'
                item += " " + (link if _http_url(c.url) else url)
            if c.reliability:
                item += f'<span class="reliability">{_e(c.reliability)}</span>'
            out.append(f'<li id="source-{c.number}" value="{c.number}">{item}</li>')
        out.append("</ol>")
    else:
        out.append('<p class="empty">No sources cited.</p>')
    out += ["</section>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(brief: Brief, fmt: str, width: int = 100) -> str:
    """The brief as a string in one of FORMATS (text is plain here)."""
    if fmt == "markdown":
        return render_markdown(brief)
    if fmt == "html":
        return render_html(brief)
    if fmt == "text":
        return plain_text(brief, width)
    raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
