"""The repository: typed CRUD, integrity, history and undo, and "as of" queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, fixed_clock, to_old_layout, write_old_layout

from store import (
    RECORD_TYPES,
    DuplicateId,
    IntegrityError,
    InvalidRecord,
    NotFound,
    Repository,
    open_store,
)
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
    Change,
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

D = date.fromisoformat


def actor(actor_id: str, name: str | None = None) -> Actor:
    return Actor(id=actor_id, name=name or actor_id.title(), actor_kind=ActorKind.STATE)


def world() -> list[Record]:
    """A small, consistent picture of one track, plus a second track."""
    return [
        actor("israel"),
        actor("hamas"),
        actor("us", "United States"),
        actor("egypt"),
        actor("qatar"),
        Person(id="blinken", name="Antony Blinken", title="Secretary of State", actor_id="us"),
        Source(
            id="xinhua",
            outlet="Xinhua",
            title="Ninth tour ends",
            published=D("2024-08-21"),
            source_kind=SourceKind.STATE_MEDIA,
        ),
        Source(
            id="wire",
            outlet="A wire",
            title="Talks stall",
            published=D("2024-08-22"),
            source_kind=SourceKind.WIRE,
        ),
        Track(
            id="gaza",
            title="Gaza ceasefire talks",
            participants=[
                Participant(actor_id="israel", role=Role.PARTY),
                Participant(actor_id="hamas", role=Role.PARTY),
                Participant(actor_id="qatar", role=Role.MEDIATOR),
            ],
        ),
        Track(id="lebanon", title="Lebanon border talks"),
        Round(
            id="doha",
            track_id="gaza",
            title="Doha round",
            start=D("2024-08-15"),
            end=D("2024-08-16"),
            venues=["Doha"],
            mediator_ids=["qatar", "egypt", "us"],
            participant_ids=["israel"],
            format=RoundFormat.PROXIMITY,
            status=RoundStatus.CONCLUDED,
        ),
        Round(
            id="cairo",
            track_id="gaza",
            title="Cairo round",
            start=D("2024-08-25"),
            format=RoundFormat.PROXIMITY,
            status=RoundStatus.STALLED,
            status_log=[
                StatusEntry(date=D("2024-08-18"), status="scheduled"),
                StatusEntry(date=D("2024-08-25"), status="under way"),
                StatusEntry(date=D("2024-08-27"), status="stalled"),
            ],
        ),
        StickingPoint(
            id="philadelphi",
            track_id="gaza",
            title="Philadelphi Corridor",
            status=PointStatus.DEADLOCKED,
            priority=Priority.HIGH,
            raised=D("2024-05-01"),
            status_log=[
                StatusEntry(date=D("2024-05-01"), status="open"),
                StatusEntry(date=D("2024-08-16"), status="narrowing"),
                StatusEntry(date=D("2024-08-20"), status="deadlocked", source_ids=["xinhua"]),
            ],
        ),
        StickingPoint(
            id="permanent-ceasefire",
            track_id="gaza",
            title="Permanent ceasefire",
            status=PointStatus.OPEN,
            raised=D("2024-08-10"),
        ),
        StickingPoint(
            id="border", track_id="lebanon", title="Border line", status=PointStatus.OPEN
        ),
        Position(
            id="israel-philadelphi-1",
            track_id="gaza",
            point_id="philadelphi",
            actor_id="israel",
            date=D("2024-08-14"),
            stance="Troops stay.",
            firmness=Firmness.DEMAND,
            unsourced=True,
        ),
        Position(
            id="israel-philadelphi-2",
            track_id="gaza",
            point_id="philadelphi",
            actor_id="israel",
            date=D("2024-08-20"),
            stance="Troops stay, no exceptions.",
            firmness=Firmness.RED_LINE,
            source_ids=["xinhua"],
        ),
        Position(
            id="hamas-philadelphi-1",
            track_id="gaza",
            point_id="philadelphi",
            actor_id="hamas",
            date=D("2024-08-18"),
            stance="Full withdrawal.",
            firmness=Firmness.RED_LINE,
            source_ids=["xinhua"],
            round_id="doha",
        ),
        Proposal(
            id="bridging",
            track_id="gaza",
            title="Bridging proposal",
            date=D("2024-08-16"),
            by_ids=["us", "egypt", "qatar"],
            point_ids=["philadelphi", "permanent-ceasefire"],
            responses=[
                Response(
                    actor_id="israel",
                    status=ResponseStatus.ACCEPTED,
                    date=D("2024-08-19"),
                    source_ids=["xinhua"],
                ),
                Response(
                    actor_id="hamas",
                    status=ResponseStatus.REJECTED,
                    date=D("2024-08-21"),
                    note="Says it reverses earlier terms.",
                    source_ids=["xinhua"],
                ),
            ],
            source_ids=["xinhua"],
        ),
        Event(
            id="arms-sale",
            track_id="gaza",
            date=D("2024-08-13"),
            event_kind=EventKind.ARMS_SALE,
            title="Arms sale approved",
            text="A sale is approved.",
            actor_ids=["us", "israel"],
            source_ids=["xinhua"],
        ),
        Event(
            id="toll",
            track_id="gaza",
            date=D("2024-08-15"),
            event_kind=EventKind.CASUALTIES,
            title="Toll passes 40,000",
            text="The reported toll passes 40,000.",
            unsourced=True,
        ),
        Assessment(
            id="analyst",
            track_id="gaza",
            analyst="An analyst",
            date=D("2024-08-21"),
            gist="No breakthrough.",
            source_ids=["xinhua"],
        ),
    ]


@pytest.fixture
def full(repo: Repository) -> Repository:
    repo.add_many(world())
    return repo


def file_state(path: Path) -> dict[str, bytes | None]:
    """Every byte the store keeps, to show a refused write changed nothing."""
    found: dict[str, bytes | None] = {}
    for name in (path, path.with_name(path.name + ".journal")):
        found[name.name] = name.read_bytes() if name.exists() else None
    return found


def everything(repo: Repository) -> dict[tuple[str, str], Record]:
    return {(kind, r.id): r for kind in RECORD_TYPES for r in repo.list(kind)}


def reopen(repo: Repository) -> Repository:
    repo.close()
    return open_store(repo.path, clock=fixed_clock)


# -- CRUD -------------------------------------------------------------------------


def test_new_store_is_empty(repo: Repository) -> None:
    assert repo.count() == 0
    assert repo.list("actor") == []
    assert repo.history() == []
    assert repo.undoable() == []
    assert repo.undo() == []
    assert repo.redoable() == []
    assert repo.redo() == []
    assert repo.problems() == []
    assert repo.today() == FIXED_NOW.date()


def test_add_and_get_return_models(repo: Repository) -> None:
    israel = actor("israel")
    assert repo.add(israel) == israel
    got = repo.get("actor", "israel")
    assert isinstance(got, Actor)
    assert got == israel
    assert repo.get_as(Actor, "israel") == israel
    assert repo.list("actor") == [israel]
    assert all(isinstance(r, Actor) for r in repo.list_as(Actor))
    assert repo.exists("actor", "israel")
    assert not repo.exists("actor", "hamas")
    assert not repo.exists("person", "israel")
    assert repo.count() == 1
    assert repo.count("actor") == 1
    assert repo.count("person") == 0
    assert repo.ids("actor") == ["israel"]


def test_get_of_missing_or_unknown(repo: Repository) -> None:
    with pytest.raises(NotFound, match=r"^no actor with id 'nobody'$"):
        repo.get("actor", "nobody")
    with pytest.raises(ValueError, match="unknown kind"):
        repo.get("actors", "israel")


def test_list_filters_and_order(full: Repository) -> None:
    positions = full.list("position", track_id="gaza", actor_id="israel")
    assert [p.id for p in positions] == ["israel-philadelphi-1", "israel-philadelphi-2"]
    assert [p.id for p in full.list("event", actor_ids="israel")] == ["arms-sale"]
    assert [p.id for p in full.list("point", track_id="lebanon")] == ["border"]
    assert full.list("point", track_id="nowhere") == []
    assert [r.id for r in full.list("round")] == ["doha", "cairo"]  # by date, not by id
    assert [r.id for r in full.list("person", actor_id="us")] == ["blinken"]
    assert [r.id for r in full.find("actor", "STATES")] == ["us"]
    assert [t.id for t in full.tracks()] == ["gaza", "lebanon"]
    assert full.parties("gaza") == ["israel", "hamas"]


def test_duplicate_id_is_refused_and_nothing_written(full: Repository) -> None:
    before = file_state(full.path)
    with pytest.raises(DuplicateId, match=r"actor with id 'israel' already exists$"):
        full.add(actor("israel", "Another"))
    assert file_state(full.path) == before
    assert full.get("actor", "israel").label == "Israel"


def test_update_replaces_the_record(full: Repository) -> None:
    point = full.get_as(StickingPoint, "philadelphi")
    changed = point.model_copy(update={"description": "The strip along the border."})
    assert full.update(changed) == changed
    assert full.get("point", "philadelphi") == changed
    again = reopen(full)
    assert again.get("point", "philadelphi") == changed
    again.close()


def test_update_of_a_missing_record_is_refused(full: Repository) -> None:
    before = file_state(full.path)
    with pytest.raises(NotFound, match=r"^no actor with id 'iran'$"):
        full.update(actor("iran"))
    assert file_state(full.path) == before
    assert not full.exists("actor", "iran")


def test_update_without_a_change_records_nothing(full: Repository) -> None:
    before = file_state(full.path)
    changes = len(full.history())
    full.update(full.get("actor", "israel"))
    assert len(full.history()) == changes
    assert file_state(full.path) == before


def test_delete(full: Repository) -> None:
    toll = full.get("event", "toll")
    assert full.delete("event", "toll") == toll
    assert not full.exists("event", "toll")
    with pytest.raises(NotFound):
        full.get("event", "toll")
    with pytest.raises(NotFound, match=r"^no event with id 'toll'$"):
        full.delete("event", "toll")
    again = reopen(full)
    assert not again.exists("event", "toll")
    again.close()


def test_invalid_record_is_refused(full: Repository) -> None:
    # model_copy(update=...) skips validation; the repository checks again.
    bad = full.get_as(Actor, "israel").model_copy(update={"name": "\x1b[31mIsrael"})
    before = file_state(full.path)
    with pytest.raises(InvalidRecord, match=r"^actor 'israel': name: contains a control"):
        full.update(bad)
    with pytest.raises(InvalidRecord):
        full.add(bad.model_copy(update={"id": "Not A Slug", "name": "ok"}))
    assert file_state(full.path) == before


def test_make_id_is_unique_per_kind(repo: Repository) -> None:
    assert repo.make_id("point", "Philadelphi Corridor") == "philadelphi-corridor"
    repo.add(actor("gaza"))
    repo.add(Track(id="gaza", title="Gaza"))
    first = repo.make_id("point", "Philadelphi Corridor")
    repo.add(StickingPoint(id=first, track_id="gaza", title="P", status=PointStatus.OPEN))
    second = repo.make_id("point", "Philadelphi Corridor")
    assert second == "philadelphi-corridor-2"
    repo.add(StickingPoint(id=second, track_id="gaza", title="P", status=PointStatus.OPEN))
    assert repo.make_id("point", "philadelphi corridor!") == "philadelphi-corridor-3"
    # Another kind has its own ids.
    assert repo.make_id("event", "Philadelphi Corridor") == "philadelphi-corridor"
    assert repo.make_id("track", "Gaza") == "gaza-2"
    assert repo.make_id("actor", "القاهرة") == "record"
    with pytest.raises(ValueError, match="unknown kind"):
        repo.make_id("nope", "x")


# -- integrity --------------------------------------------------------------------


def test_dangling_reference_on_add_is_refused(full: Repository) -> None:
    before = file_state(full.path)
    position = full.get_as(Position, "israel-philadelphi-2").model_copy(
        update={"id": "new", "point_id": "hostages"}
    )
    with pytest.raises(IntegrityError) as info:
        full.add(position)
    assert str(info.value) == (
        "position 'new': point_id refers to point 'hostages', which does not exist"
    )
    event = full.get_as(Event, "arms-sale").model_copy(
        update={"id": "new", "source_ids": ["xinhua", "nowhere"]}
    )
    with pytest.raises(IntegrityError, match="source_ids refers to source 'nowhere'"):
        full.add(event)
    track = Track(id="t2", title="T2", participants=[Participant(actor_id="iran", role=Role.PARTY)])
    with pytest.raises(IntegrityError, match="participants refers to actor 'iran'"):
        full.add(track)
    with pytest.raises(IntegrityError, match="actor_id refers to actor 'iran'"):
        full.add(Person(id="p", name="P", actor_id="iran"))
    assert file_state(full.path) == before
    assert not full.exists("position", "new")
    assert not full.exists("event", "new")


def test_dangling_reference_on_update_is_refused(full: Repository) -> None:
    before = file_state(full.path)
    proposal = full.get_as(Proposal, "bridging")
    responses = [*proposal.responses, Response(actor_id="iran", status=ResponseStatus.PENDING)]
    with pytest.raises(IntegrityError, match="responses refers to actor 'iran'"):
        full.update(proposal.model_copy(update={"responses": responses}))
    point = full.get_as(StickingPoint, "philadelphi")
    log = [*point.status_log, StatusEntry(date=D("2024-09-01"), status="open", source_ids=["x"])]
    with pytest.raises(IntegrityError, match="status_log refers to source 'x'"):
        full.update(point.model_copy(update={"status_log": log}))
    assert file_state(full.path) == before
    assert full.get("proposal", "bridging") == proposal


def test_cross_track_reference_is_refused(full: Repository) -> None:
    before = file_state(full.path)
    position = full.get_as(Position, "israel-philadelphi-2").model_copy(
        update={"id": "cross", "track_id": "lebanon"}
    )
    with pytest.raises(IntegrityError) as info:
        full.add(position)
    assert str(info.value) == (
        "position 'cross': point 'philadelphi' belongs to track 'gaza', not 'lebanon'"
    )
    proposal = full.get_as(Proposal, "bridging")
    with pytest.raises(IntegrityError, match="point 'border' belongs to track 'lebanon'"):
        full.update(proposal.model_copy(update={"point_ids": ["philadelphi", "border"]}))
    assert file_state(full.path) == before


def test_moving_a_record_to_another_track_under_its_referrers_is_refused(
    full: Repository,
) -> None:
    before = file_state(full.path)
    point = full.get_as(StickingPoint, "philadelphi")
    with pytest.raises(IntegrityError) as info:
        full.update(point.model_copy(update={"track_id": "lebanon"}))
    assert str(info.value) == (
        "cannot move point 'philadelphi' to track 'lebanon': "
        "position 'israel-philadelphi-1' of track 'gaza' refers to it"
    )
    assert file_state(full.path) == before
    # A record nobody refers to may move.
    toll = full.get_as(Event, "toll")
    full.update(toll.model_copy(update={"track_id": "lebanon"}))
    assert [e.id for e in full.events("lebanon")] == ["toll"]


def test_delete_of_a_referenced_record_is_refused_naming_the_referrer(
    full: Repository,
) -> None:
    before = file_state(full.path)
    with pytest.raises(IntegrityError) as info:
        full.delete("point", "permanent-ceasefire")
    assert str(info.value) == (
        "cannot delete point 'permanent-ceasefire': it is referred to by proposal 'bridging'"
    )
    with pytest.raises(IntegrityError) as info:
        full.delete("source", "xinhua")
    message = str(info.value)
    assert message.startswith("cannot delete source 'xinhua': it is referred to by ")
    assert message.endswith(" more")
    assert "\n" not in message
    with pytest.raises(IntegrityError, match=r"referred to by .*person 'blinken'"):
        full.delete("actor", "us")
    assert file_state(full.path) == before


def test_delete_refusal_names_the_person_referrer(full: Repository) -> None:
    full.update(
        full.get_as(Position, "israel-philadelphi-1").model_copy(update={"speaker_id": "blinken"})
    )
    before = file_state(full.path)
    with pytest.raises(IntegrityError) as info:
        full.delete("person", "blinken")
    assert str(info.value) == (
        "cannot delete person 'blinken': it is referred to by position 'israel-philadelphi-1'"
    )
    assert file_state(full.path) == before


def test_delete_after_referrers_are_gone(full: Repository) -> None:
    full.delete("proposal", "bridging")
    full.delete("point", "permanent-ceasefire")
    assert not full.exists("point", "permanent-ceasefire")
    assert full.referrers("source", "wire") == []
    full.delete("source", "wire")
    assert full.problems() == []


def test_referrers_and_citing(full: Repository) -> None:
    assert sorted(r.id for r in full.referrers("point", "philadelphi")) == [
        "bridging",
        "hamas-philadelphi-1",
        "israel-philadelphi-1",
        "israel-philadelphi-2",
    ]
    cites = {(r.kind, r.id) for r in full.citing("xinhua")}
    assert ("point", "philadelphi") in cites  # through its status log
    assert ("event", "arms-sale") in cites
    assert ("event", "toll") not in cites


# -- add_many / put_many ------------------------------------------------------------


def test_add_many_is_all_or_nothing(repo: Repository) -> None:
    repo.add(actor("iran"))
    before = file_state(repo.path)
    records = world()
    bad = [*records[:-1], records[-1].model_copy(update={"track_id": "nowhere"})]
    with pytest.raises(IntegrityError, match="track 'nowhere'"):
        repo.add_many(bad)
    assert file_state(repo.path) == before
    assert repo.count() == 1
    with pytest.raises(DuplicateId, match="'iran'"):
        repo.add_many([*records, actor("iran")])
    with pytest.raises(DuplicateId):
        repo.add_many([actor("a"), actor("a")])
    assert file_state(repo.path) == before
    assert repo.count() == 1
    assert [c.record_id for c in repo.history()] == ["iran"]


def test_add_many_resolves_references_within_the_batch_in_any_order(repo: Repository) -> None:
    records = list(reversed(world()))
    changes = repo.add_many(records)
    assert len(changes) == len(records)
    assert [c.seq for c in changes] == list(range(1, len(records) + 1))
    assert repo.count() == len(records)
    assert repo.problems() == []


def test_put_many_adds_or_replaces(full: Repository) -> None:
    renamed = actor("israel", "Israel (government)")
    changes = full.put_many([renamed, actor("iran")])
    assert [(c.action, c.record_id) for c in changes] == [("update", "israel"), ("add", "iran")]
    assert full.get("actor", "israel") == renamed
    assert full.put_many([renamed]) == []


def test_put_many_twice_in_one_batch_records_each_step(repo: Repository) -> None:
    first, second = actor("iran"), actor("iran", "Islamic Republic of Iran")
    changes = repo.put_many([first, second])
    assert [(c.action, c.before, c.after) for c in changes] == [
        ("add", None, first.model_dump(mode="json")),
        ("update", first.model_dump(mode="json"), second.model_dump(mode="json")),
    ]
    assert repo.get("actor", "iran") == second
    # One transaction is undone whole.
    undone = repo.undo()
    assert [c.undoes for c in undone] == [changes[1].seq, changes[0].seq]
    assert not repo.exists("actor", "iran")


# -- history and undo -----------------------------------------------------------------


def test_history_is_newest_first_with_before_and_after(repo: Repository) -> None:
    israel = actor("israel")
    renamed = actor("israel", "State of Israel")
    repo.add(israel)
    repo.add(actor("hamas"))
    repo.update(renamed)
    repo.delete("actor", "hamas")
    history = repo.history()
    assert [(c.seq, c.action, c.record_id) for c in history] == [
        (4, "delete", "hamas"),
        (3, "update", "israel"),
        (2, "add", "hamas"),
        (1, "add", "israel"),
    ]
    delete, update, _, add = history
    assert add.before is None and add.after == israel.model_dump(mode="json")
    assert update.before == israel.model_dump(mode="json")
    assert update.after == renamed.model_dump(mode="json")
    assert delete.before == actor("hamas").model_dump(mode="json") and delete.after is None
    assert all(c.at == FIXED_NOW and c.record_kind == "actor" for c in history)
    assert add.summary == "added actor Israel"
    assert update.summary == "edited actor State of Israel (name)"
    assert delete.summary == "deleted actor Hamas"
    assert [c.seq for c in repo.history(record_id="israel")] == [3, 1]
    assert [c.seq for c in repo.history(limit=2)] == [4, 3]
    assert repo.history(kind="track") == []
    repo.add(Track(id="israel", title="A track named like an actor"))
    assert [c.seq for c in repo.history(kind="actor", record_id="israel")] == [3, 1]
    assert [c.seq for c in repo.history(kind="track")] == [5]


def test_history_uses_the_clock(store_path: Path) -> None:
    times = iter([datetime(2024, 8, 20, 9), datetime(2024, 8, 21, 10)])
    with open_store(store_path, clock=lambda: next(times)) as repo:
        repo.add(actor("a"))
        repo.add(actor("b"))
        assert [c.at for c in repo.history()] == [
            datetime(2024, 8, 21, 10),
            datetime(2024, 8, 20, 9),
        ]


def _undo_restores(repo: Repository, write: Any) -> None:
    before_models = everything(repo)
    write()
    target = repo.history(limit=1)[0]
    assert everything(repo) != before_models
    assert repo.undoable() == [target]
    [change] = repo.undo()
    assert change.undoes == target.seq
    assert change.seq == target.seq + 1
    assert everything(repo) == before_models
    again = reopen(repo)
    try:
        assert everything(again) == before_models
        assert again.problems() == []
    finally:
        again.close()


def test_undo_add_restores_exactly(full: Repository) -> None:
    _undo_restores(full, lambda: full.add(actor("iran")))


def test_undo_update_restores_exactly(full: Repository) -> None:
    proposal = full.get_as(Proposal, "bridging")
    changed = proposal.model_copy(
        update={"summary": "changed", "responses": proposal.responses[:1], "by_ids": ["us"]}
    )
    _undo_restores(full, lambda: full.update(changed))


def test_undo_delete_restores_exactly(full: Repository) -> None:
    _undo_restores(full, lambda: full.delete("assessment", "analyst"))


def test_undo_change_names_what_it_undid(full: Repository) -> None:
    full.delete("event", "toll")
    [change] = full.undo()
    assert change.action == "add"
    assert change.summary == "undid: deleted event Toll passes 40,000, 15 Aug 2024"
    assert full.history(limit=1) == [change]


def test_undo_twice_undoes_two_changes(full: Repository) -> None:
    start = everything(full)
    full.add(actor("iran"))
    middle = everything(full)
    full.update(actor("iran", "Iran (Islamic Republic)"))
    [first] = full.undo()
    assert everything(full) == middle
    [second] = full.undo()
    assert everything(full) == start
    assert (first.undoes, second.undoes) == (full.history()[2].seq, full.history()[3].seq)
    # The third undo takes back the world's own transaction, all of it.
    third = full.undo()
    assert len(third) == len(world())
    again = reopen(full)
    assert again.count() == 0
    assert again.undoable() == []
    again.close()


def test_undo_is_refused_when_integrity_would_break(repo: Repository) -> None:
    # A history written before transactions were marked (an import of an older
    # export) is undone a change at a time. The event came first, the source it cites
    # second: undoing the newest change (adding the source) would leave the event
    # citing nothing.
    source = Source(
        id="s", outlet="O", title="T", published=D("2024-08-01"), source_kind=SourceKind.WIRE
    )
    track = Track(id="t", title="T")
    event = Event(
        id="e",
        track_id="t",
        date=D("2024-08-01"),
        event_kind=EventKind.OTHER,
        title="E",
        text="E",
        source_ids=["s"],
    )
    at = datetime(2024, 8, 1, tzinfo=UTC)
    changes = [
        Change(
            seq=n,
            at=at,
            action="add",
            record_kind=r.kind,
            record_id=r.id,
            after=r.model_dump(mode="json"),
            summary=f"added {r.kind} {r.label!r}",
        )
        for n, r in enumerate([track, event, source], start=1)
    ]
    repo.restore([track, event, source], changes)
    before = file_state(repo.path)
    with pytest.raises(IntegrityError) as info:
        repo.undo()
    assert str(info.value) == (
        "cannot undo added source O: T: cannot delete source 's': it is referred to by event 'e'"
    )
    assert file_state(repo.path) == before
    assert repo.exists("source", "s")


def test_undo_of_deletes_restores_in_reverse_order(repo: Repository) -> None:
    repo.add_many([actor("us"), Person(id="p", name="P", actor_id="us")])
    repo.delete("person", "p")
    repo.delete("actor", "us")
    repo.undo()  # restores the actor
    assert repo.exists("actor", "us") and not repo.exists("person", "p")
    assert repo.problems() == []
    repo.undo()  # restores the person, whose actor is back
    assert repo.get("person", "p") == Person(id="p", name="P", actor_id="us")
    assert repo.problems() == []


# -- as of a date -----------------------------------------------------------------------


def test_rounds_as_of(full: Repository) -> None:
    def shown(day: str) -> list[tuple[str, RoundStatus]]:
        return [(r.id, r.status) for r in full.rounds("gaza", as_of=D(day))]

    assert shown("2024-08-14") == []
    assert shown("2024-08-15") == [("doha", RoundStatus.UNDER_WAY)]
    assert shown("2024-08-17") == [("doha", RoundStatus.CONCLUDED)]
    # Cairo is announced on the 18th, before it starts.
    assert shown("2024-08-18") == [
        ("doha", RoundStatus.CONCLUDED),
        ("cairo", RoundStatus.SCHEDULED),
    ]
    assert shown("2024-08-26")[1] == ("cairo", RoundStatus.UNDER_WAY)
    assert shown("2024-09-01")[1] == ("cairo", RoundStatus.STALLED)
    assert [r.status for r in full.rounds("gaza")] == [RoundStatus.CONCLUDED, RoundStatus.STALLED]
    assert all(isinstance(r.status, RoundStatus) for r in full.rounds("gaza", D("2024-08-18")))
    # The stored records are not changed by looking back.
    assert full.get_as(Round, "doha").status is RoundStatus.CONCLUDED


def test_points_as_of(full: Repository) -> None:
    def shown(day: str | None) -> list[tuple[str, PointStatus]]:
        return [(p.id, p.status) for p in full.points("gaza", as_of=D(day) if day else None)]

    assert shown("2024-04-30") == []
    assert shown("2024-08-01") == [("philadelphi", PointStatus.OPEN)]
    assert shown("2024-08-17") == [
        ("philadelphi", PointStatus.NARROWING),
        ("permanent-ceasefire", PointStatus.OPEN),
    ]
    assert shown("2024-08-20")[0] == ("philadelphi", PointStatus.DEADLOCKED)
    assert shown(None) == [
        ("philadelphi", PointStatus.DEADLOCKED),
        ("permanent-ceasefire", PointStatus.OPEN),
    ]
    assert [p.id for p in full.points("lebanon", as_of=D("2000-01-01"))] == ["border"]


def test_positions_as_of(full: Repository) -> None:
    ids = [p.id for p in full.positions("gaza")]
    assert ids == ["israel-philadelphi-2", "hamas-philadelphi-1", "israel-philadelphi-1"]
    assert [p.id for p in full.positions("gaza", as_of=D("2024-08-18"))] == [
        "hamas-philadelphi-1",
        "israel-philadelphi-1",
    ]
    assert [p.id for p in full.positions("gaza", actor_id="israel", as_of=D("2024-08-14"))] == [
        "israel-philadelphi-1"
    ]
    assert full.positions("gaza", point_id="permanent-ceasefire") == []
    assert full.positions("gaza", as_of=D("2024-08-13")) == []


def test_latest_positions_as_of(full: Repository) -> None:
    def latest(day: str | None) -> dict[tuple[str, str], str]:
        found = full.latest_positions("gaza", as_of=D(day) if day else None)
        return {key: p.id for key, p in found.items()}

    assert latest(None) == {
        ("philadelphi", "israel"): "israel-philadelphi-2",
        ("philadelphi", "hamas"): "hamas-philadelphi-1",
    }
    assert latest("2024-08-19") == {
        ("philadelphi", "israel"): "israel-philadelphi-1",
        ("philadelphi", "hamas"): "hamas-philadelphi-1",
    }
    assert latest("2024-08-14") == {("philadelphi", "israel"): "israel-philadelphi-1"}
    assert latest("2024-08-01") == {}


def test_proposal_responses_as_of(full: Repository) -> None:
    assert full.proposals("gaza", as_of=D("2024-08-15")) == []
    on_16 = full.proposal("bridging", as_of=D("2024-08-16"))
    assert [(r.actor_id, r.status) for r in on_16.responses] == [
        ("israel", ResponseStatus.PENDING),
        ("hamas", ResponseStatus.PENDING),
    ]
    on_20 = full.proposal("bridging", as_of=D("2024-08-20"))
    israel, hamas = on_20.responses
    assert israel == full.get_as(Proposal, "bridging").responses[0]
    assert hamas.status is ResponseStatus.PENDING
    assert hamas.date is None and hamas.note == "" and hamas.source_ids == []
    assert [r.status.value for r in on_20.responses] == ["accepted", "pending"]
    now = full.proposal("bridging")
    assert [r.status for r in now.responses] == [ResponseStatus.ACCEPTED, ResponseStatus.REJECTED]
    assert full.proposals("gaza", as_of=D("2024-08-20")) == [on_20]
    assert full.get_as(Proposal, "bridging").responses[1].status is ResponseStatus.REJECTED


def test_events_and_assessments_as_of(full: Repository) -> None:
    assert [e.id for e in full.events("gaza")] == ["arms-sale", "toll"]
    assert [e.id for e in full.events("gaza", as_of=D("2024-08-14"))] == ["arms-sale"]
    assert full.assessments("gaza", as_of=D("2024-08-20")) == []
    assert [a.id for a in full.assessments("gaza")] == ["analyst"]


def test_timeline_as_of(full: Repository) -> None:
    def lines(day: str | None) -> list[tuple[str, str, str]]:
        entries = full.timeline("gaza", as_of=D(day) if day else None)
        return [(e.date.isoformat(), e.kind, e.record.id) for e in entries]

    assert lines("2024-08-19") == [
        ("2024-05-01", "status", "philadelphi"),
        ("2024-08-13", "event", "arms-sale"),
        ("2024-08-14", "position", "israel-philadelphi-1"),
        ("2024-08-15", "round", "doha"),
        ("2024-08-15", "event", "toll"),
        ("2024-08-16", "status", "philadelphi"),
        ("2024-08-16", "proposal", "bridging"),
        ("2024-08-18", "status", "cairo"),
        ("2024-08-18", "position", "hamas-philadelphi-1"),
        ("2024-08-19", "response", "bridging"),
        ("2024-08-25", "round", "cairo"),  # announced on the 18th
    ]
    # A status change says what it moved from; a position names its point.
    said = {(e.kind, e.date.isoformat()): e.text for e in full.timeline("gaza")}
    assert said[("status", "2024-08-16")] == "Philadelphi Corridor: open → narrowing"
    assert said[("position", "2024-08-14")] == "Philadelphi Corridor: Troops stay."
    full_lines = lines(None)
    assert ("2024-08-21", "response", "bridging") in full_lines
    assert ("2024-08-20", "position", "israel-philadelphi-2") in full_lines
    assert full_lines == sorted(full_lines, key=lambda t: t[0])
    response = [e for e in full.timeline("gaza") if e.kind == "response"]
    assert [e.text for e in response] == [
        "Israel: accepted (Bridging proposal)",
        "Hamas: rejected (Bridging proposal)",
    ]
    assert response[1].actor_ids == ("hamas",)
    # Analysts' readings are on the timeline too, from their date on.
    assert [t for t in full_lines if t[1] == "assessment"] == [
        ("2024-08-21", "assessment", "analyst")
    ]
    assert not [t for t in lines("2024-08-20") if t[1] == "assessment"]
    assert lines("2024-08-12") == [("2024-05-01", "status", "philadelphi")]
    assert full.timeline("lebanon") == []


# -- the file ---------------------------------------------------------------------------


def test_reopening_reads_everything_back(full: Repository) -> None:
    full.update(actor("egypt", "Arab Republic of Egypt"))
    full.delete("event", "toll")
    models, history = everything(full), full.history()
    again = reopen(full)
    assert everything(again) == models
    assert again.history() == history
    again.compact()
    again.close()
    with open_store(again.path, clock=fixed_clock) as third:
        assert everything(third) == models
        assert third.history() == history
        assert third.problems() == []
        third.add(actor("iran"))
        assert third.history(limit=1)[0].seq == history[0].seq + 1


def test_problems_lists_dangling_references_in_a_file(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add_many(world())
        repo.compact()
    # A file from before the store was a TinyDB database is taken in unchecked; a TinyDB
    # edit that leaves a reference to nothing is refused (tests/test_tinydb_adapter.py).
    tables = to_old_layout(store_path)
    del tables["source"]["wire"]
    tables["event"]["toll"]["source_ids"] = ["wire"]
    tables["event"]["toll"]["unsourced"] = False
    write_old_layout(store_path, tables)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.problems() == ["event 'toll': source_ids refers to missing source 'wire'"]


def test_refresh_reports_nothing_new(full: Repository) -> None:
    assert full.refresh() is False
    version = full.version
    full.add(actor("iran"))
    assert full.version > version
    assert full.refresh() is False


def test_history_of_many_writes(repo: Repository) -> None:
    day = D("2024-08-01")
    repo.add(Track(id="t", title="T"))
    for n in range(30):
        repo.add(
            Event(
                id=f"e{n}",
                track_id="t",
                date=day + timedelta(days=n),
                event_kind=EventKind.STATEMENT,
                title=f"E{n}",
                text="x",
                unsourced=True,
            )
        )
    assert [e.id for e in repo.events("t", as_of=day + timedelta(days=2))] == ["e0", "e1", "e2"]
    assert len(repo.history()) == 31
    assert len({c.seq for c in repo.history()}) == 31


def test_lists_follow_every_change_of_their_kind(full: Repository, store_path: Path) -> None:
    """list() answers are kept between writes of other kinds, never past one of their own."""
    before = full.list("actor")
    before.clear()  # what a caller does with its answer is its own business
    names = [a.label for a in full.list("actor")]
    assert names and "Oman" not in names
    full.add(actor("oman", "Oman"))
    assert "Oman" in [a.label for a in full.list("actor")]
    full.update(actor("oman", "Sultanate of Oman"))
    assert "Sultanate of Oman" in [a.label for a in full.list("actor")]
    full.delete("actor", "oman")
    assert [a.label for a in full.list("actor")] == names
    # Another process's write is seen as well.
    with open_store(store_path, clock=fixed_clock) as other:
        other.add(actor("jordan", "Jordan"))
    assert full.refresh()
    assert "Jordan" in [a.label for a in full.list("actor")]
    # Filters on a list field still work, and are answered afresh.
    assert full.list("actor", aliases=["x"]) == []


def test_writing_new_records_never_scans_for_referrers(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan for records referring to one is a pass over the whole store: a write
    makes it only for a record that moves to another track, or one it deletes."""
    scans: list[tuple[str, str]] = []
    real = Repository.referrers

    def counted(self: Repository, kind: str, record_id: str) -> list[Record]:
        scans.append((kind, record_id))
        return real(self, kind, record_id)

    monkeypatch.setattr(Repository, "referrers", counted)
    repo.add_many(world())
    repo.put_many([actor("iran", "Islamic Republic of Iran")])
    assert scans == []
    repo.delete("assessment", "analyst")
    assert scans == [("assessment", "analyst")]
