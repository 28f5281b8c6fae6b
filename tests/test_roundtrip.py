"""Any valid record, written and read back from a reopened store, is the same record."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

from conftest import fixed_clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
from store.kinds import (
    ActorKind,
    EventKind,
    Firmness,
    PointStatus,
    Priority,
    ResponseStatus,
    Role,
    RoundFormat,
    RoundStatus,
    SourceKind,
)
from store.models import (
    Actor,
    Assessment,
    Event,
    Participant,
    Person,
    Position,
    Proposal,
    Response,
    Round,
    Source,
    StatusEntry,
    StickingPoint,
    Track,
)
from store.record import Record
from store.values import SLUG_RE

# Broad unicode: every category but control characters and lone surrogates.
CHARS = st.characters(exclude_categories=("Cc", "Cs"))
TRICKY = [
    "[bold]not markup[/bold]",
    'quote " backslash \\ slash /',
    "\u2028line\u2029paragraph",
    "\u202eright-to-left\u202c",
    "zero\u200bwidth",
    "\ufeffbom inside",
    "emoji 🕊️👨‍👩‍👧",
    "\uffff\U0010fffd",
    "حماس · 以色列 · Ισραήλ",
    "}\n{",
]

ONE_LINE_TRICKY = [t for t in TRICKY if "\n" not in t]

line = st.one_of(st.text(CHARS, max_size=30), st.sampled_from(ONE_LINE_TRICKY))
title = st.one_of(
    st.text(CHARS, min_size=1, max_size=30).filter(lambda s: s.strip() != ""),
    st.sampled_from([t for t in ONE_LINE_TRICKY if t.strip()]),
)
text = st.one_of(
    st.text(st.one_of(CHARS, st.sampled_from("\n\t")), max_size=120), st.sampled_from(TRICKY)
)
body = text.filter(lambda s: s.strip() != "")
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
day = st.dates(min_value=date(1, 1, 1), max_value=date(9000, 12, 31))
maybe_day = st.none() | day


def subset(items: list[str], max_size: int = 3) -> st.SearchStrategy[list[str]]:
    if not items:
        return st.just([])
    return st.lists(st.sampled_from(items), max_size=max_size, unique=True)


def status_log(statuses: list[str], sources: list[str]) -> st.SearchStrategy[list[StatusEntry]]:
    entry = st.builds(
        StatusEntry,
        date=day,
        status=st.sampled_from(statuses),
        source_ids=subset(sources),
        note=text,
    )
    return st.lists(entry, max_size=3)


@st.composite
def sourcing(draw: st.DrawFn, sources: list[str]) -> tuple[list[str], bool]:
    """Source ids and the unsourced flag, as a Sourced record needs them."""
    ids = draw(subset(sources))
    return ids, not ids


@st.composite
def worlds(draw: st.DrawFn) -> list[Record]:
    """A consistent set of records: every reference points at a record in the set."""
    actors = draw(
        st.lists(
            st.builds(
                Actor,
                id=slug,
                name=title,
                actor_kind=st.sampled_from(ActorKind),
                aliases=st.lists(title, max_size=3),
                description=text,
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda r: r.id,
        )
    )
    actor_ids = [a.id for a in actors]
    sources = draw(
        st.lists(
            st.builds(
                Source,
                id=slug,
                outlet=title,
                title=title,
                published=day,
                url=line,
                source_kind=st.sampled_from(SourceKind),
                reliability=text,
            ),
            max_size=3,
            unique_by=lambda r: r.id,
        )
    )
    source_ids = [s.id for s in sources]
    people = draw(
        st.lists(
            st.builds(
                Person,
                id=slug,
                name=title,
                title=line,
                actor_id=st.none() | st.sampled_from(actor_ids),
            ),
            max_size=2,
            unique_by=lambda r: r.id,
        )
    )
    track = draw(
        st.builds(
            Track,
            id=slug,
            title=title,
            description=text,
            region=line,
            started=maybe_day,
            participants=st.lists(
                st.builds(
                    Participant, actor_id=st.sampled_from(actor_ids), role=st.sampled_from(Role)
                ),
                max_size=4,
            ),
        )
    )
    records: list[Record] = [*actors, *sources, *people, track]

    @st.composite
    def a_round(draw: st.DrawFn) -> Round:
        start = draw(day)
        end = draw(st.none() | st.integers(0, 40).map(lambda n: start + timedelta(days=n)))
        return Round(
            id=draw(slug),
            track_id=track.id,
            title=draw(title),
            start=start,
            end=end,
            venues=draw(st.lists(title, max_size=2)),
            mediator_ids=draw(subset(actor_ids)),
            participant_ids=draw(subset(actor_ids)),
            format=draw(st.sampled_from(RoundFormat)),
            outcome=draw(text),
            status=draw(st.sampled_from(RoundStatus)),
            status_log=draw(status_log([s.value for s in RoundStatus], source_ids)),
            source_ids=draw(subset(source_ids)),
        )

    rounds = draw(st.lists(a_round(), max_size=2, unique_by=lambda r: r.id))
    points = draw(
        st.lists(
            st.builds(
                StickingPoint,
                id=slug,
                track_id=st.just(track.id),
                title=title,
                description=text,
                status=st.sampled_from(PointStatus),
                priority=st.sampled_from(Priority),
                raised=maybe_day,
                status_log=status_log([s.value for s in PointStatus], source_ids),
                source_ids=subset(source_ids),
            ),
            max_size=3,
            unique_by=lambda r: r.id,
        )
    )
    records += [*rounds, *points]
    if points:

        @st.composite
        def a_position(draw: st.DrawFn) -> Position:
            ids, unsourced = draw(sourcing(source_ids))
            return Position(
                id=draw(slug),
                track_id=track.id,
                point_id=draw(st.sampled_from([p.id for p in points])),
                actor_id=draw(st.sampled_from(actor_ids)),
                speaker_id=draw(st.none() | st.sampled_from([p.id for p in people] or [None])),
                date=draw(day),
                stance=draw(body),
                gist=draw(line),
                firmness=draw(st.sampled_from(Firmness)),
                quote=draw(text),
                round_id=draw(st.none() | st.sampled_from([r.id for r in rounds] or [None])),
                source_ids=ids,
                unsourced=unsourced,
            )

        records += draw(st.lists(a_position(), max_size=3, unique_by=lambda r: r.id))

    @st.composite
    def a_response(draw: st.DrawFn, actor_id: str) -> Response:
        return Response(
            actor_id=actor_id,
            status=draw(st.sampled_from(ResponseStatus)),
            date=draw(maybe_day),
            note=draw(text),
            source_ids=draw(subset(source_ids)),
            unsourced=draw(st.booleans()),
        )

    @st.composite
    def a_proposal(draw: st.DrawFn) -> Proposal:
        return Proposal(
            id=draw(slug),
            track_id=track.id,
            title=draw(title),
            date=draw(day),
            by_ids=draw(subset(actor_ids)),
            summary=draw(text),
            point_ids=draw(subset([p.id for p in points])),
            responses=[draw(a_response(a)) for a in draw(subset(actor_ids))],
            source_ids=draw(subset(source_ids)),
        )

    @st.composite
    def an_event(draw: st.DrawFn) -> Event:
        ids, unsourced = draw(sourcing(source_ids))
        return Event(
            id=draw(slug),
            track_id=track.id,
            date=draw(day),
            event_kind=draw(st.sampled_from(EventKind)),
            title=draw(title),
            text=draw(body),
            actor_ids=draw(subset(actor_ids)),
            source_ids=ids,
            unsourced=unsourced,
        )

    records += draw(st.lists(a_proposal(), max_size=2, unique_by=lambda r: r.id))
    records += draw(st.lists(an_event(), max_size=3, unique_by=lambda r: r.id))
    records += draw(
        st.lists(
            st.builds(
                Assessment,
                id=slug,
                track_id=st.just(track.id),
                analyst=title,
                affiliation=line,
                date=day,
                gist=body,
                quote=text,
                source_ids=subset(source_ids),
            ),
            max_size=2,
            unique_by=lambda r: r.id,
        )
    )
    return records


def _check(path: Path, records: list[Record]) -> None:
    with open_store(path, clock=fixed_clock) as repo:
        assert repo.count() == len(records)
        for record in records:
            got = repo.get(record.kind, record.id)
            assert type(got) is type(record)
            assert got == record
            assert got.model_dump(mode="json") == record.model_dump(mode="json")
        assert repo.problems() == []
        history = repo.history()
        assert [c.after for c in reversed(history)] == [r.model_dump(mode="json") for r in records]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(worlds())
def test_any_valid_records_read_back_equal(records: list[Record]) -> None:
    assert all(SLUG_RE.match(r.id) for r in records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roundtrip.json"
        with open_store(path, clock=fixed_clock) as repo:
            repo.compact_on_close = False
            repo.add(records[0])
            repo.add_many(records[1:])
        _check(path, records)  # from the journal
        with open_store(path, clock=fixed_clock) as repo:
            repo.compact()
        _check(path, records)  # from the snapshot
        document = json.loads(path.read_bytes().decode("utf-8"))
        for record in records:
            (stored,) = [d for d in document[record.kind].values() if d["id"] == record.id]
            # Beside its fields, the number of the change that wrote it.
            assert stored.pop("_rev") >= 1
            assert stored == record.model_dump(mode="json")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(Actor, id=slug, name=title, actor_kind=st.sampled_from(ActorKind)), title, text)
def test_an_updated_record_reads_back_as_updated(actor: Actor, name: str, description: str) -> None:
    changed = actor.model_copy(update={"name": name, "description": description})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roundtrip.json"
        with open_store(path, clock=fixed_clock) as repo:
            repo.add(actor)
            repo.update(changed)
        with open_store(path, clock=fixed_clock) as repo:
            assert repo.get("actor", actor.id) == changed
            assert len(repo.history()) == (1 if changed == actor else 2)
            repo.undo()
        with open_store(path, clock=fixed_clock) as repo:
            if changed == actor:  # nothing was changed, so the undo took back the add
                assert not repo.exists("actor", actor.id)
            else:
                assert repo.get("actor", actor.id) == actor
