"""`parley sync`: stores of one desk kept in step through a local bare git repository."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_helpers import POINT, SOURCE, Laptop, bare_repository

from store import RECORD_TYPES, Change, IntegrityError, open_store
from store.exchange.seed import seed
from store.reading.change_words import change_summary
from store.records.commands import Commands
from store.sync import SyncError, SyncRepo, conflict_words, sync_dir
from tui.cli import main


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_repository(tmp_path)


@pytest.fixture
def pair(tmp_path: Path, remote: Path) -> Iterator[tuple[Laptop, Laptop]]:
    """amal's seeded laptop, and ben's, which took in the seed."""
    amal = Laptop(tmp_path / "amal", "amal", remote, seeded=True)
    amal.sync()
    ben = Laptop(tmp_path / "ben", "ben", remote)
    ben.sync()
    yield amal, ben
    amal.close()
    ben.close()


def settle(*laptops: Laptop) -> None:
    for _ in range(2):
        for laptop in laptops:
            laptop.sync()


def priorities_at_odds(amal: Laptop, ben: Laptop) -> None:
    """Each sets one point's priority to a different value; then both sync, twice."""
    amal.commands.edit("point", POINT, {"priority": "low"})
    ben.commands.edit("point", POINT, {"priority": "medium"})
    settle(amal, ben)


def store_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_new_laptop_takes_in_the_whole_store(pair: tuple[Laptop, Laptop]) -> None:
    amal, ben = pair
    assert ben.repo.count() == amal.repo.count() > 50
    assert ben.records() == amal.records()
    # Each change taken in is in the history, by who made it, marked with where from.
    carried = ben.repo.history()
    assert len(carried) == len(amal.repo.history())
    assert {c.author for c in carried} == {"amal"}
    assert all(c.origin and c.origin.endswith(f":{c.seq}") for c in carried)


def test_changes_travel_as_one_file_each_named_by_machine_and_number(
    pair: tuple[Laptop, Laptop], remote: Path
) -> None:
    amal, ben = pair
    ben.commands.edit("point", POINT, {"priority": "low"})
    ben.sync()
    machine = ben.sync_repo.state().machine
    seq = ben.repo.last_change("point", POINT).seq  # type: ignore[union-attr]
    name = f"changes/{machine}/{seq:012d}.json"
    shown = subprocess.run(
        ["git", "--git-dir", str(remote), "show", f"parley:{name}"],
        capture_output=True,
        text=True,
        check=True,
    )
    sent = json.loads(shown.stdout)
    assert (sent["machine"], sent["seq"]) == (machine, seq)
    assert sent["change"]["after"]["priority"] == "low"
    # The files are in git's objects only: nothing is checked out beside the store.
    assert not (sync_dir(ben.repo.path) / "changes").exists()
    amal.sync()
    assert amal.repo.get("point", POINT).priority == "low"  # type: ignore[attr-defined]
    # amal's own revision numbers go on from amal's own history.
    assert amal.repo.revision("point", POINT) == amal.repo.history(limit=1)[0].seq


def test_edits_of_different_fields_on_both_sides_are_both_kept(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    amal.commands.edit("point", POINT, {"priority": "low"})
    ben.commands.edit("point", POINT, {"title": "Hamas dismantled, as a war aim"})
    settle(amal, ben)
    for laptop in pair:
        point = laptop.repo.get("point", POINT)
        assert (point.priority, point.title) == ("low", "Hamas dismantled, as a war aim")  # type: ignore[attr-defined]
        assert laptop.sync_repo.conflicts() == []
    assert amal.records() == ben.records()


def test_one_field_changed_on_both_sides_is_a_conflict_listed_on_both(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    priorities_at_odds(amal, ben)
    assert amal.records() == ben.records()
    listed = [laptop.sync_repo.conflicts() for laptop in pair]
    assert listed[0] == listed[1]
    (conflict,) = listed[0]
    assert conflict.field == "priority"
    kept = amal.repo.get("point", POINT).priority  # type: ignore[attr-defined]
    assert {conflict.kept.value, conflict.lost.value} == {"low", "medium"}
    assert conflict.kept.value == kept
    assert {conflict.kept.author, conflict.lost.author} == {"amal", "ben"}
    assert "priority" in conflict_words(conflict) and "by ben" in conflict_words(conflict)


def test_settling_a_conflict_syncs_and_both_agree(pair: tuple[Laptop, Laptop]) -> None:
    amal, ben = pair
    priorities_at_odds(amal, ben)
    (conflict,) = ben.sync_repo.conflicts()
    ben.commands.resolve("point", POINT, "priority", conflict.lost.value, conflict.id)
    assert ben.sync_repo.conflicts() == []
    settle(ben, amal)
    for laptop in pair:
        assert laptop.repo.get("point", POINT).priority == conflict.lost.value  # type: ignore[attr-defined]
        assert laptop.sync_repo.conflicts() == []
    assert amal.records() == ben.records()


def test_a_status_logged_on_both_sides_keeps_both_entries_in_date_order(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    amal.set_status("agreed", "2024-08-27")
    ben.set_status("narrowing", "2024-08-26")
    settle(amal, ben)
    assert amal.records() == ben.records()
    point = amal.repo.get("point", POINT)
    logged = [(str(e.date), e.status) for e in point.status_log]  # type: ignore[attr-defined]
    assert ("2024-08-27", "agreed") in logged and ("2024-08-26", "narrowing") in logged
    # The status is the one dated last, as when set on one machine; the other is listed.
    assert point.status == "agreed"  # type: ignore[attr-defined]
    (conflict,) = amal.sync_repo.conflicts()
    assert (conflict.field, conflict.kept.value, conflict.lost.value) == (
        "status",
        "agreed",
        "narrowing",
    )
    assert conflict.lost.sources == [SOURCE]
    assert ben.sync_repo.conflicts() == [conflict]


def test_a_delete_against_an_edit_keeps_it_deleted_and_lists_the_edit(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    assessment = amal.repo.ids("assessment")[0]
    amal.commands.delete("assessment", assessment)
    ben.commands.edit("assessment", assessment, {"gist": "Talks will drag on for months."})
    settle(amal, ben)
    for laptop in pair:
        assert not laptop.repo.exists("assessment", assessment)
    (conflict,) = amal.sync_repo.conflicts()
    assert conflict.field is None and conflict.kept.value is None
    assert conflict.lost.value["gist"] == "Talks will drag on for months."
    assert ben.sync_repo.conflicts() == [conflict]
    # Taking the edit back puts the record back, everywhere.
    amal.commands.resolve("assessment", assessment, None, conflict.lost.value, conflict.id)
    settle(amal, ben)
    for laptop in pair:
        assert laptop.repo.exists("assessment", assessment)
        assert laptop.sync_repo.conflicts() == []
    assert amal.records() == ben.records()


def test_a_record_deleted_on_one_side_and_cited_on_the_other_is_kept(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    amal.commands.create(
        "source",
        {
            "outlet": "Wire",
            "title": "Talks resume in Cairo",
            "published": "2024-08-24",
            "source_kind": "wire",
        },
    )
    settle(amal, ben)
    (new_source,) = [s for s in amal.repo.ids("source") if s.startswith("talks-resume")]
    amal.commands.delete("source", new_source)
    ben.set_status("narrowing", "2024-08-24")
    ben.commands.edit("point", POINT, {"source_ids": [SOURCE, new_source]})
    settle(amal, ben)
    for laptop in pair:
        assert laptop.repo.exists("source", new_source)
        assert laptop.repo.problems() == []
    assert amal.records() == ben.records()
    with pytest.raises(IntegrityError):
        amal.commands.delete("source", new_source)


def test_undo_of_a_synced_change_is_an_ordinary_change_everywhere(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, ben = pair
    before = amal.repo.get("point", POINT).priority  # type: ignore[attr-defined]
    amal.commands.edit("point", POINT, {"priority": "low"})
    settle(amal, ben)
    assert ben.repo.get("point", POINT).priority == "low"  # type: ignore[attr-defined]
    # ben's undo passes over what was taken in: it is not ben's to undo.
    assert ben.repo.undoable() == []
    amal.commands.undo()
    settle(amal, ben)
    for laptop in pair:
        assert laptop.repo.get("point", POINT).priority == before  # type: ignore[attr-defined]
    assert amal.records() == ben.records()


def test_status_counts_what_is_not_yet_pushed(pair: tuple[Laptop, Laptop]) -> None:
    amal, _ = pair
    assert amal.sync_repo.status().unpushed == 0
    amal.commands.edit("point", POINT, {"priority": "low"})
    amal.set_status("agreed", "2024-08-27")
    status = amal.sync_repo.status()
    assert status.unpushed == 2 and status.last_sync is not None
    amal.sync()
    assert amal.sync_repo.status().unpushed == 0


@pytest.mark.parametrize("kind", ["missing", "refusing"])
def test_a_remote_that_refuses_leaves_the_store_byte_identical(
    tmp_path: Path, remote: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    amal = Laptop(tmp_path / "amal", "amal", remote, seeded=True)
    amal.sync()
    ben = Laptop(tmp_path / "ben", "ben", remote, seeded=False)
    ben.commands.create("actor", {"name": "Jordan", "actor_kind": "state"})
    amal.commands.edit("point", POINT, {"priority": "low"})
    amal.sync()
    ben.close()
    if kind == "missing":
        shutil.move(remote, tmp_path / "moved.git")
    else:
        # A server that takes no pushes (file permissions do not stop every user).
        hook = remote / "hooks" / "pre-receive"
        hook.write_text("#!/bin/sh\necho 'error: this desk takes no pushes' >&2\nexit 1\n")
        hook.chmod(0o755)
    folder = tmp_path / "ben"
    files = store_files(folder)
    code = main(["--db", str(folder / "parley.json"), "sync"])
    assert code == 1
    assert store_files(folder) == files
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("parley: git ")
    amal.close()


def test_without_git_sync_says_so_in_one_line(
    pair: tuple[Laptop, Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    amal, _ = pair
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SyncError, match="no git program"):
        amal.sync()


def test_the_command_line_sets_up_syncs_and_lists_conflicts(
    pair: tuple[Laptop, Laptop], capsys: pytest.CaptureFixture[str]
) -> None:
    amal, ben = pair
    amal.commands.edit("point", POINT, {"priority": "low"})
    ben.commands.edit("point", POINT, {"priority": "medium"})
    amal.sync()
    ben.close()
    path = str(ben.repo.path)
    assert main(["--db", path, "sync"]) == 0
    assert "1 conflict(s) to settle" in capsys.readouterr().out
    assert main(["--db", path, "sync", "--status"]) == 0
    out = capsys.readouterr().out
    assert "changes not yet pushed: 0" in out and "conflicts to settle: 1" in out
    assert "point dismantling-hamas, priority: kept" in out


def test_a_store_that_does_not_sync_says_how_to_begin(tmp_path: Path) -> None:
    assert main(["--db", str(tmp_path / "x.json"), "sync"]) == 1


KILLS = 4


def test_a_sync_killed_at_any_moment_then_run_again_loses_and_doubles_nothing(
    tmp_path: Path, remote: Path
) -> None:
    """SIGKILL at spread moments of a sync that sends and takes in; run again each time."""
    amal = Laptop(tmp_path / "amal", "amal", remote, seeded=True)
    amal.sync()
    ben = Laptop(tmp_path / "ben", "ben", remote)
    ben.sync()
    ben.close()
    path = str(ben.repo.path)
    env = {**os.environ, "PARLEY_USER": "ben"}
    script = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    for n in range(KILLS):
        amal.commands.edit("point", POINT, {"title": f"Dismantling Hamas, take {n}"})
        amal.sync()
        subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                "--db",
                path,
                "edit",
                "actor",
                "hamas",
                "--name",
                f"Hamas {n}",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        child = subprocess.Popen(
            [sys.executable, "-c", script, "--db", path, "sync"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            child.wait(timeout=0.25 + 0.1 * n)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert main(["--db", path, "sync"]) == 0
    amal.sync()
    ben = Laptop(tmp_path / "ben", "ben", remote)
    ben.sync()
    assert amal.records() == ben.records()
    ids = ben.change_ids()
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(amal.change_ids())
    ben_machine = ben.sync_repo.state().machine
    assert len([i for i in ids if i.startswith(ben_machine)]) == KILLS
    assert ben.repo.get("actor", "hamas").name == f"Hamas {KILLS - 1}"  # type: ignore[attr-defined]
    amal.close()
    ben.close()


def test_sync_runs_without_the_store_being_tracked_by_git(pair: tuple[Laptop, Laptop]) -> None:
    amal, _ = pair
    assert SyncRepo(amal.repo).ready
    assert not (amal.repo.path.parent / ".git").exists()


def test_records_older_than_syncing_merge_as_their_first_change_found_them(
    tmp_path: Path, remote: Path
) -> None:
    """Laptops started from one copy of a store whose records carry no history."""
    with open_store(tmp_path / "seed.json") as seeded:
        seed(seeded)
        records = [r for kind in RECORD_TYPES for r in seeded.list(kind)]
    for name in ("amal", "ben"):
        (tmp_path / name).mkdir()
        with open_store(tmp_path / name / "parley.json") as repo:
            Commands(repo).restore(records, [])
    amal = Laptop(tmp_path / "amal", "amal", remote)
    ben = Laptop(tmp_path / "ben", "ben", remote)
    assessment = amal.repo.ids("assessment")[0]
    amal.commands.edit("point", POINT, {"priority": "low"})
    ben.commands.edit("point", POINT, {"title": "Hamas dismantled, as a war aim"})
    ben.commands.delete("assessment", assessment)
    settle(amal, ben)
    assert amal.records() == ben.records()
    point = ben.repo.get("point", POINT)
    assert (point.priority, point.title) == ("low", "Hamas dismantled, as a war aim")  # type: ignore[attr-defined]
    assert not amal.repo.exists("assessment", assessment)
    assert amal.repo.count() == len(records) - 1
    amal.close()
    ben.close()


def test_a_push_refused_because_another_pushed_first_is_tried_again(
    pair: tuple[Laptop, Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    amal, ben = pair
    amal.commands.edit("point", POINT, {"priority": "low"})
    ben.commands.edit("point", POINT, {"title": "Hamas dismantled, as a war aim"})
    git = SyncRepo._git
    raced: list[str] = []

    def ben_pushes_first(
        desk: SyncRepo, *args: str, check: bool = True, given: str | None = None
    ) -> Any:
        if desk is amal.sync_repo and args[0] == "push":
            raced.append("amal pushes")
            if len(raced) == 1:
                ben.sync()
        return git(desk, *args, check=check, given=given)

    monkeypatch.setattr(SyncRepo, "_git", ben_pushes_first)
    amal.sync()
    ben.sync()
    assert raced == ["amal pushes", "amal pushes"]  # refused once, then taken
    assert amal.records() == ben.records()
    assert ben.repo.get("point", POINT).priority == "low"  # type: ignore[attr-defined]


def test_settling_a_conflict_is_said_so_in_every_history(pair: tuple[Laptop, Laptop]) -> None:
    amal, ben = pair
    priorities_at_odds(amal, ben)
    (conflict,) = amal.sync_repo.conflicts()
    amal.commands.resolve("point", POINT, "priority", conflict.kept.value, conflict.id)
    settle(amal, ben)
    for laptop in pair:
        newest = laptop.repo.history(limit=1)[0]
        assert newest.resolves == [conflict.id]
        said = change_summary(laptop.repo, newest)
        assert said.startswith("settled a sync conflict over sticking point Dismantling Hamas")


def test_a_change_that_never_met_sync_is_written_as_before() -> None:
    old = {
        "seq": 3,
        "at": "2024-08-21T12:00:00Z",
        "action": "update",
        "record_kind": "point",
        "record_id": POINT,
        "before": {"id": POINT},
        "after": {"id": POINT},
        "undoes": None,
        "redoes": None,
        "batch": None,
        "summary": "edited",
        "author": "amal",
    }
    change = Change.model_validate(old)
    assert change.origin is None and change.resolves is None
    assert set(change.model_dump(mode="json")) == set(old)
    marked = change.model_copy(update={"origin": "a:3", "resolves": ["x"]})
    assert Change.model_validate(marked.model_dump(mode="json")) == marked


def test_a_week_offline_then_one_sync_takes_everything_both_ways(
    pair: tuple[Laptop, Laptop], remote: Path, tmp_path: Path
) -> None:
    amal, ben = pair
    away = tmp_path / "away.git"
    shutil.move(remote, away)
    for day in range(7):
        ben.commands.edit("actor", "hamas", {"name": f"Hamas, day {day}"})
        ben.set_status("narrowing", f"2024-08-{22 + day}")
        with pytest.raises(SyncError, match="git fetch"):
            ben.sync()
    shutil.move(away, remote)
    amal.commands.edit("point", POINT, {"priority": "low"})
    amal.sync()
    assert ben.sync_repo.status().unpushed == 14
    ben.sync()
    amal.sync()
    assert amal.records() == ben.records()
    assert amal.repo.get("actor", "hamas").name == "Hamas, day 6"  # type: ignore[attr-defined]
    assert len(amal.repo.get("point", POINT).status_log) == 8  # type: ignore[attr-defined]
    assert ben.sync_repo.status().unpushed == 0


def test_an_edit_made_while_a_sync_runs_is_kept_and_replayed_alike_everywhere(
    pair: tuple[Laptop, Laptop],
) -> None:
    """ben's sync has fetched amal's change to a point when ben edits another field of
    it: the take-in keeps both, and the next syncs leave the same record everywhere."""
    amal, ben = pair
    amal.commands.edit("point", POINT, {"priority": "low"})
    amal.sync()
    with ben.sync_repo.begin() as round_:
        round_.exchange()
        ben.commands.edit("point", POINT, {"title": "Hamas dismantled, as a war aim"})
        report = round_.finish()
    assert report.taken == 1
    point = ben.repo.get("point", POINT)
    assert (point.priority, point.title) == ("low", "Hamas dismantled, as a war aim")  # type: ignore[attr-defined]
    assert ben.sync_repo.status().unpushed == 1
    settle(amal, ben)
    assert amal.records() == ben.records()
    assert sorted(amal.change_ids()) == sorted(ben.change_ids())


def test_a_sync_begun_holds_off_another(pair: tuple[Laptop, Laptop]) -> None:
    amal, _ = pair
    with amal.sync_repo.begin(), pytest.raises(SyncError, match="under way"):
        amal.sync()
    amal.sync()


def test_the_take_in_refuses_a_record_whose_reference_cannot_stand(
    pair: tuple[Laptop, Laptop],
) -> None:
    amal, _ = pair
    position_id = amal.repo.ids("position")[0]
    stored = dict(amal.repo.document("position", position_id) or {})
    stored.pop("_rev", None)
    other = amal.commands.create("track", {"title": "Another track"}).record
    assert other is not None
    before = amal.records()
    missing = {**stored, "actor_id": "nobody-at-all"}
    with pytest.raises(IntegrityError, match="refers to actor 'nobody-at-all', which does not"):
        amal.repo.take_in({("position", position_id): missing}, [])
    elsewhere = {**stored, "track_id": other.id}
    with pytest.raises(IntegrityError, match=f"belongs to track .*, not '{other.id}'"):
        amal.repo.take_in({("position", position_id): elsewhere}, [])
    assert amal.records() == before
