"""The commands: every write a user makes, checked, written whole, undone and redone."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from store import IntegrityError, InvalidRecord, NotFound, Record, Repository, StoreError
from store.exchange.seed import load_seed_records, seed
from store.models import RECORD_TYPES, Event, Position, Proposal, Round, Source, StickingPoint
from store.records.commands import Commands
from store.records.drafts import Citation, NewSource, Outcome

TRACK = "gaza-ceasefire-hostage-talks"
REUTERS = NewSource(
    outlet="Reuters", title="Talks resume in Cairo", published="2024-08-25", source_kind="wire"
)


@pytest.fixture
def commands(repo: Repository) -> Commands:
    seed(repo)
    return Commands(repo)


def store_bytes(path: Path) -> dict[str, bytes | None]:
    """Every file of the store, to show a refused command wrote nothing."""
    found: dict[str, bytes | None] = {}
    for suffix in ("", ".journal", ".history"):
        name = path.with_name(path.name + suffix)
        found[suffix] = name.read_bytes() if name.exists() else None
    return found


def everything(repo: Repository) -> dict[tuple[str, str], Record]:
    return {(kind, r.id): r for kind in RECORD_TYPES for r in repo.list(kind)}


# -- each command, when it is right ---------------------------------------------------

VALID: dict[str, Callable[[Commands], Outcome]] = {
    "record a position with a new source": lambda c: c.record_position(
        TRACK,
        point_id="philadelphi-corridor",
        actor_id="hamas",
        on="2024-08-25",
        firmness="red line",
        stance="No Israeli troops on the corridor.\nNot one.",
        cite=Citation(new_source=REUTERS),
    ),
    "add a round": lambda c: c.add_round(
        TRACK,
        title="Cairo round",
        start="2024-08-25",
        venues=["Cairo"],
        mediator_ids=["egypt", "qatar", "united-states"],
        status="under way",
        cite=Citation(new_source=REUTERS),
    ),
    "add an event": lambda c: c.add_event(
        TRACK,
        title="Delegations arrive",
        on="2024-08-25",
        event_kind="statement",
        text="Delegations arrived in Cairo.",
        actor_ids=["hamas"],
        cite=Citation(unsourced=True),
    ),
    "set a status": lambda c: c.set_status(
        "point",
        "philadelphi-corridor",
        "deadlocked",
        "2024-08-25",
        note="no movement",
        cite=Citation(new_source=REUTERS),
    ),
    "record a response": lambda c: c.record_response(
        "us-bridging-proposal-2024-08",
        "hamas",
        "rejected",
        "2024-08-25",
        cite=Citation(new_source=REUTERS),
    ),
    "create any record": lambda c: c.create(
        "actor", {"name": "Jordan", "actor_kind": "state", "aliases": ["Hashemite Kingdom"]}
    ),
    "edit a record": lambda c: c.edit("actor", "hamas", {"description": "A movement."}),
    "delete a record": lambda c: c.delete("assessment", c.repo.list("assessment")[0].id),
}


@pytest.mark.parametrize("name", VALID)
def test_a_valid_command_writes_and_says_what_changed(
    commands: Commands, repo: Repository, name: str
) -> None:
    before = everything(repo)
    outcome = VALID[name](commands)
    assert outcome.changed
    after = everything(repo)
    assert after != before
    for change in outcome.changes:
        key = (change.record_kind, change.record_id)
        if change.after is None:
            assert key not in after
        else:
            assert after[key].model_dump(mode="json") == change.after
    # Durable before it returns: a fresh reader sees it.
    with Repository(repo.path) as again:
        assert everything(again) == after


def test_a_new_source_and_its_statement_are_one_transaction(commands: Commands) -> None:
    outcome = VALID["record a position with a new source"](commands)
    source, position = outcome.records
    assert isinstance(source, Source) and isinstance(position, Position)
    assert position.source_ids == [source.id]
    assert position.stance == "No Israeli troops on the corridor.\nNot one."
    assert len({c.batch for c in outcome.changes}) == 1


def test_a_status_change_is_logged_with_its_date_and_source(
    commands: Commands, repo: Repository
) -> None:
    outcome = VALID["set a status"](commands)
    point = repo.get_as(StickingPoint, "philadelphi-corridor")
    assert point.status == "deadlocked"
    entry = point.status_log[-1]
    assert (entry.date.isoformat(), entry.status, entry.note) == (
        "2024-08-25",
        "deadlocked",
        "no movement",
    )
    assert entry.source_ids == [outcome.records[0].id]
    # The same entry again adds nothing: refused in one line, the log as it was.
    log = point.status_log
    cite = Citation(entry.source_ids)
    with pytest.raises(StoreError, match="deadlocked on 2024-08-25 is already logged"):
        commands.set_status(
            "point",
            "philadelphi-corridor",
            "deadlocked",
            "2024-08-25",
            note="no movement",
            cite=cite,
        )
    assert repo.get_as(StickingPoint, "philadelphi-corridor").status_log == log


def test_a_response_adds_to_that_partys_history(commands: Commands, repo: Repository) -> None:
    """Hamas was pending; its rejection is a dated, sourced entry after that, and undo
    takes back that entry alone."""
    VALID["record a response"](commands)
    proposal = repo.get_as(Proposal, "us-bridging-proposal-2024-08")
    history = proposal.response_history("hamas")
    assert [(r.status.value, r.date) for r in history] == [
        ("pending", date(2024, 8, 20)),
        ("rejected", date(2024, 8, 25)),
    ]
    assert history[-1].source_ids and not history[-1].unsourced
    latest = proposal.response_of("hamas")
    assert latest is not None and latest.status == "rejected"
    # As of the day before, it still read as pending.
    earlier = proposal.response_of("hamas", date(2024, 8, 24))
    assert earlier is not None and earlier.status == "pending"
    assert [r.actor_id for r in proposal.current_responses()] == ["israel", "hamas"]
    commands.undo()
    proposal = repo.get_as(Proposal, "us-bridging-proposal-2024-08")
    assert [r.status.value for r in proposal.response_history("hamas")] == ["pending"]


def test_a_new_round_logs_its_first_status(commands: Commands, repo: Repository) -> None:
    outcome = VALID["add a round"](commands)
    round_ = outcome.record
    assert isinstance(round_, Round)
    assert [(e.date.isoformat(), e.status) for e in round_.status_log] == [
        ("2024-08-25", "under way")
    ]
    assert round_.mediator_ids == ["egypt", "qatar", "united-states"]


# -- each command, when it is wrong ---------------------------------------------------

INVALID: dict[str, tuple[Callable[[Commands], Outcome], type[StoreError], set[str]]] = {
    "a position with no source and a bad date": (
        lambda c: c.record_position(
            TRACK,
            point_id="philadelphi-corridor",
            actor_id="hamas",
            on="25/08/2024",
            firmness="firm",
            stance="",
        ),
        InvalidRecord,
        {"source_ids", "date", "firmness", "stance"},
    ),
    "a position citing a source that is not there": (
        lambda c: c.record_position(
            TRACK,
            point_id="philadelphi-corridor",
            actor_id="hamas",
            on="2024-08-25",
            firmness="demand",
            stance="x",
            cite=Citation(source_ids=["no-such-source"]),
        ),
        IntegrityError,
        set(),
    ),
    "a round ending before it starts, with a half-given new source": (
        lambda c: c.add_round(
            TRACK,
            title="Backwards",
            start="2024-08-25",
            end="2024-08-20",
            cite=Citation(new_source=NewSource(outlet="Reuters")),
        ),
        InvalidRecord,
        {"end", "new_source.title", "new_source.published", "new_source.source_kind"},
    ),
    "an event both sourced and unsourced": (
        lambda c: c.add_event(
            TRACK,
            title="x",
            on="2024-08-25",
            event_kind="statement",
            text="x",
            cite=Citation(new_source=REUTERS, unsourced=True),
        ),
        InvalidRecord,
        {"unsourced"},
    ),
    "a status that a sticking point cannot have": (
        lambda c: c.set_status(
            "point",
            "philadelphi-corridor",
            "concluded",
            "2024-08-25",
            cite=Citation(unsourced=True),
        ),
        InvalidRecord,
        {"status"},
    ),
    "a response naming no party": (
        lambda c: c.record_response(
            "us-bridging-proposal-2024-08",
            None,
            "accepted",
            "2024-08-25",
            cite=Citation(unsourced=True),
        ),
        InvalidRecord,
        {"actor_id"},
    ),
    "a record of an unknown track": (
        lambda c: c.create("event", {"title": "x"}, track_id="nowhere"),
        StoreError,
        set(),
    ),
    "an edit of a record that is not there": (
        lambda c: c.edit("actor", "atlantis", {"name": "Atlantis"}),
        NotFound,
        set(),
    ),
    "deleting a record others refer to": (
        lambda c: c.delete("actor", "hamas"),
        IntegrityError,
        set(),
    ),
}


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_command_writes_nothing_and_names_the_fields(
    commands: Commands, repo: Repository, name: str
) -> None:
    command, error, fields = INVALID[name]
    before = store_bytes(repo.path)
    with pytest.raises(error) as info:
        command(commands)
    assert store_bytes(repo.path) == before
    message = str(info.value)
    assert message and "\n" not in message
    if fields:
        assert isinstance(info.value, InvalidRecord)
        assert set(info.value.fields) == fields


# -- undo and redo --------------------------------------------------------------------


@pytest.mark.parametrize("name", VALID)
def test_undo_then_redo_restores_the_exact_records(
    commands: Commands, repo: Repository, name: str
) -> None:
    before = everything(repo)
    VALID[name](commands)
    after = everything(repo)
    undone = commands.undo()
    assert undone.changed
    assert everything(repo) == before
    redone = commands.redo()
    assert redone.changed
    assert everything(repo) == after
    assert all(c.summary.startswith("redid: ") for c in redone.changes)


def test_undo_three_times_then_redo_three_times(commands: Commands, repo: Repository) -> None:
    states = [everything(repo)]
    for name in ("add a round", "set a status", "record a position with a new source"):
        VALID[name](commands)
        states.append(everything(repo))
    for n in range(3):
        assert commands.undo().changed
        assert everything(repo) == states[2 - n]
    for n in range(3):
        assert commands.redo().changed
        assert everything(repo) == states[n + 1]
    assert not commands.redo().changed
    with Repository(repo.path) as again:
        assert everything(again) == states[3]


def test_a_new_write_after_undo_leaves_nothing_to_redo(
    commands: Commands, repo: Repository
) -> None:
    VALID["add an event"](commands)
    commands.undo()
    assert repo.redoable()
    VALID["create any record"](commands)
    assert repo.redoable() == []
    before = store_bytes(repo.path)
    assert not commands.redo().changed
    assert store_bytes(repo.path) == before


def test_an_undone_redo_can_be_redone_again(commands: Commands, repo: Repository) -> None:
    start = everything(repo)
    VALID["add an event"](commands)
    added = everything(repo)
    commands.undo()
    commands.redo()
    commands.undo()
    assert everything(repo) == start
    commands.redo()
    assert everything(repo) == added


def test_undo_and_redo_are_shared_by_every_process(commands: Commands, repo: Repository) -> None:
    VALID["add an event"](commands)
    commands.undo()
    with Repository(repo.path) as other:
        assert Commands(other).redo().changed
    repo.refresh()
    assert any(isinstance(r, Event) and r.title == "Delegations arrive" for r in repo.list("event"))


def test_the_change_notice_follows_every_command(commands: Commands, repo: Repository) -> None:
    seen: list[int] = []
    stop = repo.subscribe(seen.append)
    VALID["add an event"](commands)
    commands.undo()
    commands.redo()
    assert len(seen) == 3 and seen == sorted(seen)
    with pytest.raises(InvalidRecord):
        INVALID["a position with no source and a bad date"][0](commands)
    assert len(seen) == 3
    stop()
    commands.undo()
    assert len(seen) == 3


def test_seed_writes_only_into_an_empty_store(repo: Repository) -> None:
    commands = Commands(repo)
    records = load_seed_records()
    assert len(commands.seed(records).records) == len(records)
    assert not commands.seed(records).changed


WRITE_METHODS = {"add", "update", "delete", "remove", "put_many", "add_many", "restore"}
WRITE_METHODS |= {"undo", "redo"}


# The commands (drafts.py what they share, edits.py and daily.py the commands themselves),
# and the repository, which defines the write methods.
COMMAND_MODULES = ("commands.py", "drafts.py", "edits.py", "daily.py", "repository.py")


def test_only_the_commands_call_the_repositorys_write_methods() -> None:
    """The TUI, the CLI, the seed and the import write through the commands."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for path in [*root.glob("store/**/*.py"), *root.glob("tui/**/*.py")]:
        if path.name in COMMAND_MODULES and path.parent.name == "records":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = ast.unparse(node.func.value)
            if node.func.attr in WRITE_METHODS and receiver.split(".")[-1] == "repo":
                found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node.func)}")
    assert found == []
