"""Detail texts shared by views and modals: one record, as a reader wants it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.content import Content

from store import (
    Assessment,
    Event,
    Kind,
    Position,
    Proposal,
    Record,
    Repository,
    Response,
    Round,
    Source,
    StickingPoint,
)
from store.reading.citations import response_claim, status_claim
from store.reading.words import participant_names
from tui.format import (
    FIRMNESS_STYLE,
    MUTED,
    RESPONSE_STYLE,
    STATUS_STYLE,
    cited_parts,
    day,
    field,
    heading,
    name_of,
    names,
    point_status,
    sources_line,
    span,
)
from tui.passage import passage_lines
from tui.text import line, literal

# How many of each party's positions a sticking point's detail shows, the latest.
POSITIONS_SHOWN = 5


def position_lines(repo: Repository, position: Position, with_actor: bool = True) -> list[Content]:
    """A dated, attributed stance: who, when, how firmly, what, and from where."""
    who = name_of(repo, Kind.ACTOR, position.actor_id) if with_actor else ""
    speaker = name_of(repo, Kind.PERSON, position.speaker_id) if position.speaker_id else ""
    head = line(
        (day(position.date), "bold"),
        "  ",
        *([(who, "bold"), "  "] if who else []),
        (position.firmness.value, FIRMNESS_STYLE[position.firmness]),
        (f"  via {speaker}" if speaker else "", MUTED),
    )
    out = [head, line("  ", position.stance)]
    if position.quote:
        out.append(line("  ", ("“", MUTED), (position.quote, "italic"), ("”", MUTED)))
    source = sources_line(repo, position)
    out.append(line("  ", source))
    out.extend(passage_lines(repo, position))
    return out


def round_detail(repo: Repository, rnd: Round, as_of: date | None = None) -> Content:
    parts = [
        heading(rnd.title),
        line(
            (span(rnd.start, rnd.end), MUTED),
            "  ",
            (rnd.status.value, STATUS_STYLE[rnd.status]),
            f"  {rnd.format.value}",
        ),
        field("Venues", ", ".join(rnd.venues) or "—"),
        field("Mediators", names(repo, Kind.ACTOR, rnd.mediator_ids)),
        field("Participants", names(repo, Kind.ACTOR, rnd.participant_ids)),
        *([field("People", participant_names(repo, rnd.person_ids))] if rnd.person_ids else []),
        field("Outcome", rnd.outcome or "—"),
        sources_line(repo, rnd),
        *status_history(repo, rnd, as_of),
    ]
    end = rnd.end or rnd.start
    positions = repo.positions(rnd.track_id, as_of=as_of)
    # A position says which round it was stated in; one that says none but is dated
    # within the round may belong to it, and is shown apart, marked as a guess.
    linked = [p for p in positions if p.round_id == rnd.id]
    dated = [p for p in positions if p.round_id is None and rnd.start <= p.date <= end]
    parts.append(Content(""))
    parts.append(heading(f"Positions stated in the round ({len(linked)})"))
    for position in linked:
        parts.extend(position_lines(repo, position))
    if dated:
        parts.append(Content(""))
        parts.append(heading(f"Dated within the round, not linked to it ({len(dated)})"))
        for position in dated:
            parts.extend(position_lines(repo, position))
    # Events name no round: those dated within it are listed, marked as such.
    events = [e for e in repo.events(rnd.track_id, as_of) if rnd.start <= e.date <= end]
    parts.append(Content(""))
    parts.append(heading(f"Events dated within the round, not linked to it ({len(events)})"))
    for event in events:
        parts.append(line((day(event.date), "bold"), "  ", event.title))
    return Content("\n").join(parts)


def point_detail(
    repo: Repository,
    point: StickingPoint,
    as_of: date | None = None,
    trend: Sequence[Content] = (),
) -> Content:
    """A sticking point whole; ``trend`` (the Points view's reading of it) after its
    description."""
    parts = [
        heading(point.title),
        line(
            point_status(point, as_of),
            (f"  priority {point.priority.value}", MUTED),
            (f"  raised {day(point.raised)}" if point.raised else "", MUTED),
        ),
        literal(point.description or "—"),
        sources_line(repo, point),
        *trend,
    ]
    positions = repo.positions(point.track_id, point_id=point.id, as_of=as_of)
    by_actor: dict[str, list[Position]] = {}
    for position in positions:
        by_actor.setdefault(position.actor_id, []).append(position)
    for actor_id, stated in by_actor.items():
        parts.append(Content(""))
        parts.append(heading(f"{name_of(repo, 'actor', actor_id)} ({len(stated)})"))
        # The latest few: a long record of stances would bury the rest of the point
        # and cost every redraw; the party's cell in Positions opens them all.
        for position in stated[:POSITIONS_SHOWN]:  # newest first
            parts.extend(position_lines(repo, position, with_actor=False))
        earlier = len(stated) - POSITIONS_SHOWN
        if earlier > 0:
            parts.append(
                line((f"  … {earlier} earlier: Enter on its cell in Positions lists all", MUTED))
            )
    if not by_actor:
        parts.append(line(("No positions recorded.", MUTED)))
    proposals = [p for p in repo.proposals(point.track_id, as_of) if point.id in p.point_ids]
    parts.append(Content(""))
    parts.append(heading(f"Proposals touching it ({len(proposals)})"))
    for proposal in proposals:
        parts.extend(proposal_lines(repo, proposal))
    parts += status_history(repo, point, as_of)
    return Content("\n").join(parts)


def status_history(
    repo: Repository, record: Round | StickingPoint, as_of: date | None = None
) -> list[Content]:
    """Each dated status, newest first, with the sources its own log entry cites."""
    logged = [(i, e) for i, e in enumerate(record.status_log) if as_of is None or e.date <= as_of]
    if not logged:
        return []
    out = [Content(""), heading("Status history")]
    for index, entry in sorted(logged, key=lambda ie: (ie[1].date, ie[0]), reverse=True):
        out.append(
            line(
                (day(entry.date), "bold"),
                "  ",
                entry.status,
                ("  " + entry.note if entry.note else "", MUTED),
            )
        )
        out.append(line("  Sources: ", *cited_parts(repo, status_claim(record, index))))
    return out


def response_line(repo: Repository, response: Response, with_note: bool = True) -> Content:
    """One party's answer to a proposal: who, how, when, and (with_note) what it added."""
    return line(
        "  ",
        name_of(repo, Kind.ACTOR, response.actor_id),
        ": ",
        (response.status.value, RESPONSE_STYLE[response.status]),
        (f"  {day(response.date)}" if response.date else "", MUTED),
        (f"  {response.note}" if with_note and response.note else "", MUTED),
    )


def proposal_lines(repo: Repository, proposal: Proposal) -> list[Content]:
    out = [
        line((proposal.title, "bold"), (f"  {day(proposal.date)}", MUTED)),
        line("  by ", names(repo, Kind.ACTOR, proposal.by_ids)),
    ]
    if proposal.summary:
        out.append(line("  ", proposal.summary))
    for response in proposal.current_responses():
        out.append(response_line(repo, response))
        out.append(line("    Sources: ", *cited_parts(repo, response_claim(repo, response))))
        earlier = proposal.response_history(response.actor_id)[:-1]
        if earlier:
            # The history reads oldest first, up to the response above.
            steps = [
                f"{r.status.value} {day(r.date)}" if r.date else r.status.value for r in earlier
            ]
            out.append(line(("    Before: " + " → ".join(steps), MUTED)))
    return out


def event_detail(repo: Repository, event: Event) -> Content:
    return Content("\n").join(
        [
            heading(event.title),
            line((day(event.date), MUTED), "  ", (event.event_kind.value, "bold")),
            field("Actors", names(repo, Kind.ACTOR, event.actor_ids)),
            literal(event.text),
            # An anchored quote shows in its passage below.
            *(
                [line(("“", MUTED), (event.quote, "italic"), ("”", MUTED))]
                if event.quote and event.anchor is None
                else []
            ),
            sources_line(repo, event),
            *passage_lines(repo, event),
        ]
    )


def assessment_detail(repo: Repository, assessment: Assessment) -> Content:
    """An outside reading of the talks: whose, when, and from where; never a party's stance."""
    who = assessment.analyst + (f", {assessment.affiliation}" if assessment.affiliation else "")
    parts = [
        heading(who),
        line((day(assessment.date), MUTED), "  ", ("analyst's assessment", "italic")),
        literal(assessment.gist),
    ]
    if assessment.quote:
        parts.append(line(("“", MUTED), (assessment.quote, "italic"), ("”", MUTED)))
    parts.append(sources_line(repo, assessment))
    parts.extend(passage_lines(repo, assessment))
    return Content("\n").join(parts)


def record_detail(repo: Repository, record: Record, as_of: date | None = None) -> Content:
    """The detail of any record, for views that list mixed kinds."""
    if isinstance(record, Round):
        return round_detail(repo, record, as_of)
    if isinstance(record, StickingPoint):
        return point_detail(repo, record, as_of)
    if isinstance(record, Position):
        return Content("\n").join(
            [heading(name_of(repo, Kind.POINT, record.point_id)), *position_lines(repo, record)]
        )
    if isinstance(record, Proposal):
        return Content("\n").join([*proposal_lines(repo, record), sources_line(repo, record)])
    if isinstance(record, Event):
        return event_detail(repo, record)
    if isinstance(record, Assessment):
        return assessment_detail(repo, record)
    body = [heading(record.label)]
    for name, value in record.model_dump().items():
        if name == "id" or value in ("", [], None):
            continue
        if name in ("text", "text_sha256") and isinstance(record, Source):
            # An article's text is read in the reader, not in a field.
            if name == "text":
                body.append(field("article", f"kept, {len(value):,} characters (v reads it)"))
            continue
        body.append(field(name.replace("_", " "), value))
    return Content("\n").join(body)
