"""Writers on one store: every edit names the revision it was made from, a stale one is
refused with who changed the record and when, additions never conflict, and every change
records its author."""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from pathlib import Path

import pytest
from conftest import actor, fixed_clock, to_old_layout, write_old_layout

from store import Conflict, Repository, StoreError, open_store
from store.exchange.seed import seed
from store.models import Actor
from store.reading.words import UNKNOWN_AUTHOR
from store.records.commands import Commands
from store.records.drafts import Citation

POINT = "philadelphi-corridor"
TRACK = "gaza-ceasefire-hostage-talks"


def store_bytes(path: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for suffix in ("", ".journal", ".history"):
        name = path.with_name(path.name + suffix)
        found[suffix] = name.read_bytes() if name.exists() else None
    return found


@pytest.fixture
def two(store_path: Path) -> tuple[Repository, Repository]:
    """Two windows on one store, as two processes would have them: amal's and bea's."""
    first = open_store(store_path, clock=fixed_clock, author="amal")
    seed(first)
    second = open_store(store_path, clock=fixed_clock, author="bea")
    yield first, second
    first.close()
    second.close()


# -- revisions ---------------------------------------------------------------------------


def test_a_write_gives_the_record_the_number_of_its_change(repo: Repository) -> None:
    repo.add(actor("oman"))
    added = repo.revision("actor", "oman")
    assert added == repo.last_change("actor", "oman").seq
    Commands(repo).edit("actor", "oman", {"description": "A regional power."})
    assert repo.revision("actor", "oman") == repo.last_change("actor", "oman").seq > added


def test_a_stale_edit_is_refused_naming_who_changed_the_record_and_when(
    two: tuple[Repository, Repository], store_path: Path
) -> None:
    amal, bea = two
    read_at = bea.revision("point", POINT)
    Commands(amal).edit("point", POINT, {"priority": "low"}, revision=amal.revision("point", POINT))
    before = store_bytes(store_path)
    with pytest.raises(Conflict) as refused:
        Commands(bea).edit("point", POINT, {"description": "Bea's words."}, revision=read_at)
    message = str(refused.value)
    assert "\n" not in message
    assert "changed by amal at 12:00 on 21 Aug 2024" in message
    assert "nothing was saved" in message
    assert refused.value.expected == read_at
    assert refused.value.revision == amal.revision("point", POINT)
    assert store_bytes(store_path) == before
    assert bea.get("point", POINT).priority.value == "low"  # amal's edit stands


def test_a_stale_delete_is_refused(two: tuple[Repository, Repository], store_path: Path) -> None:
    amal, bea = two
    amal.add(actor("oman"))
    bea.refresh()
    read_at = bea.revision("actor", "oman")
    Commands(amal).edit("actor", "oman", {"name": "Sultanate of Oman"})
    before = store_bytes(store_path)
    with pytest.raises(Conflict, match="changed by amal"):
        Commands(bea).delete("actor", "oman", revision=read_at)
    assert store_bytes(store_path) == before
    # Made from the revision it stands at, it goes.
    Commands(bea).delete("actor", "oman", revision=bea.revision("actor", "oman"))
    assert not amal.exists("actor", "oman") or amal.refresh()
    assert not amal.exists("actor", "oman")


def test_an_edit_of_a_record_deleted_since_says_who_deleted_it(
    two: tuple[Repository, Repository],
) -> None:
    amal, bea = two
    amal.add(actor("oman"))
    bea.refresh()
    read_at = bea.revision("actor", "oman")
    Commands(amal).delete("actor", "oman")
    with pytest.raises(Conflict, match="deleted by amal at 12:00 on 21 Aug 2024"):
        Commands(bea).edit("actor", "oman", {"description": "x"}, revision=read_at)


def test_an_edit_on_the_latest_revision_is_written(two: tuple[Repository, Repository]) -> None:
    amal, bea = two
    Commands(amal).edit("point", POINT, {"priority": "low"})
    bea.refresh()
    outcome = Commands(bea).edit(
        "point", POINT, {"description": "Bea's words."}, revision=bea.revision("point", POINT)
    )
    assert outcome.changed
    amal.refresh()
    point = amal.get("point", POINT)
    assert (point.priority.value, point.description) == ("low", "Bea's words.")


def test_an_edit_without_a_revision_changes_only_its_fields_on_the_latest(
    two: tuple[Repository, Repository],
) -> None:
    amal, bea = two
    Commands(amal).edit("point", POINT, {"priority": "low"})
    # Bea has not taken amal's write in: the edit is still made on top of it.
    Commands(bea).edit("point", POINT, {"description": "Bea's words."})
    amal.refresh()
    point = amal.get("point", POINT)
    assert (point.priority.value, point.description) == ("low", "Bea's words.")


def test_additions_never_conflict(two: tuple[Repository, Repository]) -> None:
    """A status, a response, a position and a round added by one writer while another
    changed the same records: both are kept."""
    amal, bea = two
    source = amal.list("source")[0].id
    cite = Citation(source_ids=[source])
    Commands(amal).edit("point", POINT, {"priority": "low"})
    Commands(bea).set_status("point", POINT, "deadlocked", "2024-08-25", cite=cite)
    proposal = amal.list("proposal")[0]
    Commands(amal).edit("proposal", proposal.id, {"summary": "Amal's summary."})
    Commands(bea).record_response(proposal.id, "hamas", "rejected", "2024-08-25", cite=cite)
    for who in (amal, bea):
        Commands(who).add_round(TRACK, title="Cairo round", start="2024-08-25", cite=cite)
    amal.refresh()
    point = amal.get("point", POINT)
    assert point.priority.value == "low" and point.status.value == "deadlocked"
    saved = amal.get("proposal", proposal.id)
    assert saved.summary == "Amal's summary."
    assert saved.response_of("hamas").status.value == "rejected"
    assert {"cairo-round", "cairo-round-2"} <= set(amal.ids("round"))


# -- undo ----------------------------------------------------------------------------------


def test_undo_and_redo_across_writers_still_work(two: tuple[Repository, Repository]) -> None:
    amal, bea = two
    Commands(amal).edit("point", POINT, {"priority": "low"})
    Commands(bea).edit("point", POINT, {"priority": "high"})
    assert Commands(amal).undo().changed  # the newest write: bea's
    amal.refresh()
    assert amal.get("point", POINT).priority.value == "low"
    assert Commands(bea).undo().changed
    assert Commands(bea).redo().changed
    bea.refresh()
    assert bea.get("point", POINT).priority.value == "low"
    assert [c.author for c in bea.history("point", POINT, limit=3)] == ["bea", "bea", "amal"]


def test_undo_of_a_change_whose_record_moved_on_is_refused(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        Commands(repo).edit("point", POINT, {"priority": "low"})
        repo.compact()
    # The record no longer reads as its last change left it (a hand-edited snapshot):
    # undoing that change would overwrite what is there now.
    # An edit in a file from before the store was a TinyDB database: taken in unchecked.
    tables = to_old_layout(store_path)
    tables["point"][POINT]["description"] = "Edited by hand."
    write_old_layout(store_path, tables)
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False
    before = store_bytes(store_path)
    with open_store(store_path, clock=fixed_clock) as repo:
        with pytest.raises(Conflict) as refused:
            Commands(repo).undo()
        repo.compact_on_close = False
    message = str(refused.value)
    assert message.startswith("cannot undo edited sticking point Philadelphi Corridor")
    assert "no longer reads as that change left it; nothing was undone" in message
    assert store_bytes(store_path) == before


# -- stores from before ------------------------------------------------------------------------


def _strip(store_path: Path) -> None:
    """The store as an older Parley left it: no revisions, changes without authors."""
    tables = to_old_layout(store_path)
    for table in tables.values():
        for doc in table.values():
            doc.pop("_rev", None)
    write_old_layout(store_path, tables)
    history = store_path.with_name(store_path.name + ".history")
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    for line in lines:
        line.pop("author", None)
    history.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_a_store_from_before_revisions_and_authors_opens_and_edits(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        Commands(repo).edit("point", POINT, {"priority": "low"})
        edited = repo.last_change("point", POINT).seq
        repo.compact()
    _strip(store_path)
    with open_store(store_path, clock=fixed_clock, author="amal") as repo:
        assert repo.problems() == []
        # The revision is read from the history: the number of the record's last change.
        assert repo.revision("point", POINT) == edited
        assert repo.last_change("point", POINT).author == ""
        with pytest.raises(Conflict, match="changed by unknown at 12:00 on 21 Aug 2024"):
            Commands(repo).edit("point", POINT, {"priority": "high"}, revision=edited - 1)
        Commands(repo).edit("point", POINT, {"priority": "high"}, revision=edited)
        assert repo.revision("point", POINT) > edited
        assert [c.author for c in repo.history("point", POINT, limit=2)] == ["amal", ""]


def test_history_of_a_store_from_before_shows_unknown_authors(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui_helpers import run_cli

    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        repo.compact()
    _strip(store_path)
    code, out, _ = run_cli(["--db", str(store_path), "history", "--limit", "1"], capsys)
    assert code == 0
    assert f"  {UNKNOWN_AUTHOR}  " in out


def test_an_import_of_a_whole_store_carries_its_revisions(
    sample: Repository, tmp_path: Path
) -> None:
    from store.exchange.export import export_json
    from store.exchange.importing import import_json

    text = export_json(sample)
    with open_store(tmp_path / "copy.json", clock=fixed_clock) as copy:
        import_json(copy, text)
        for kind in ("point", "round", "source"):
            for record_id in sample.ids(kind):
                assert copy.revision(kind, record_id) == sample.revision(kind, record_id)


# -- authors -------------------------------------------------------------------------------


def test_the_author_comes_from_parley_user_else_the_login(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    monkeypatch.setenv("PARLEY_USER", "amal\u202e\n")
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("oman"))
        assert repo.last_change("actor", "oman").author == "amal"
    monkeypatch.delenv("PARLEY_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "login-name")
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("iraq"))
        assert repo.last_change("actor", "iraq").author == "login-name"


# -- the lost update ---------------------------------------------------------------------------

WRITERS = 8
ROUNDS = 50


def _writer(path: str, name: str, results: multiprocessing.Queue[tuple[list[str], int]]) -> None:
    """Read the record, add a token to its description, write it back from the revision
    read; a refusal is counted, not retried."""
    applied: list[str] = []
    refused = 0
    rng = random.Random(name)
    with open_store(path, author=name) as repo:
        commands = Commands(repo)
        for n in range(ROUNDS):
            repo.refresh()
            revision = repo.revision("actor", "x")
            description = repo.get_as(Actor, "x").description
            token = f"{name}.{n}"
            # A pause between reading and writing, as a person's edit has, lets others in.
            time.sleep(rng.random() * 0.002)
            try:
                commands.edit(
                    "actor", "x", {"description": f"{description} {token}"}, revision=revision
                )
            except Conflict:
                refused += 1
            except StoreError as exc:  # anything else is a failure of the test
                raise AssertionError(str(exc)) from None
            else:
                applied.append(token)
    results.put((applied, refused))


def test_read_modify_write_from_many_processes_loses_nothing(store_path: Path) -> None:
    with open_store(store_path) as repo:
        repo.add(Actor(id="x", name="X", actor_kind="state"))
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[tuple[list[str], int]] = context.Queue()
    workers = [
        context.Process(target=_writer, args=(str(store_path), f"w{i}", results))
        for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    applied = [token for tokens, _ in outcomes for token in tokens]
    refused = sum(count for _, count in outcomes)
    assert len(applied) + refused == WRITERS * ROUNDS
    # Refusals happen (else the test proves nothing), and never all of them.
    assert refused > 0 and applied
    with open_store(store_path) as repo:
        final = repo.get_as(Actor, "x").description.split()
        edits = [c for c in reversed(repo.history("actor", "x")) if c.action == "update"]
        # Exactly the acknowledged tokens, each once, in the order the history has them.
        assert sorted(final) == sorted(applied)
        assert len(edits) == len(applied)
        assert [c.after["description"].split()[-1] for c in edits] == final
        assert {c.author for c in edits} <= {f"w{i}" for i in range(WRITERS)}
        assert repo.revision("actor", "x") == edits[-1].seq


def test_parley_edit_with_a_stale_revision_is_refused_in_one_line(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_helpers import run_cli

    db = ["--db", str(store_path)]
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        read_at = repo.revision("point", POINT)
    monkeypatch.setenv("PARLEY_USER", "amal")
    code, out, _ = run_cli([*db, "edit", "point", POINT, "--priority", "low"], capsys)
    assert code == 0
    with open_store(store_path) as repo:
        now = repo.revision("point", POINT)
    assert out.rstrip().endswith(f"; now revision {now}")
    before = store_bytes(store_path)
    stale = ["edit", "point", POINT, "--priority", "high", "--revision", str(read_at)]
    code, out, err = run_cli(["--user", "bea", *db, *stale], capsys)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("parley: Sticking point Philadelphi Corridor")
    assert "was changed by amal at " in err and f"(revision {read_at}, now {now})" in err
    assert store_bytes(store_path) == before
    # From the revision it stands at, the edit is written, as by the --user given.
    current = ["edit", "point", POINT, "--priority", "high", "--revision", str(now)]
    assert run_cli(["--user", "bea", *db, *current], capsys)[0] == 0
    with open_store(store_path) as repo:
        assert repo.last_change("point", POINT).author == "bea"
    code, _, err = run_cli([*db, "edit", "point", POINT, "--revision", "x1"], capsys)
    assert code == 2 and "'x1' is not a revision" in err


def test_a_revision_the_record_never_had_is_refused(repo: Repository) -> None:
    repo.add(actor("oman"))
    now = repo.revision("actor", "oman")
    with pytest.raises(Conflict, match=f"Actor oman is at revision {now}, not {now + 5}"):
        Commands(repo).edit("actor", "oman", {"description": "x"}, revision=now + 5)


def test_redo_over_a_record_that_moved_on_is_refused(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        Commands(repo).edit("point", POINT, {"priority": "low"})
        assert Commands(repo).undo().changed
        repo.compact()
    tables = to_old_layout(store_path)
    tables["point"][POINT]["description"] = "Edited by hand."
    write_old_layout(store_path, tables)
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False
    before = store_bytes(store_path)
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False
        with pytest.raises(
            Conflict, match=r"^cannot redo edited sticking point .*nothing was redone$"
        ):
            Commands(repo).redo()
    assert store_bytes(store_path) == before
