"""Stores written before the file was a TinyDB database move over by themselves, and a
checkpoint killed at any step loses nothing.

The fixtures under ``fixtures/main-6de1483`` were written by Parley as it was before
(the seed, edits, an undo; ``compacted`` with a snapshot, history and journal,
``journal-only`` with every write still in its journal), with what that Parley exported
of them and each record's revision in ``expected.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from tinydb import TinyDB, where

from store import Actor, ActorKind, Repository, open_store
from store.exchange.export import export_document
from store.records.commands import Commands

FIXTURES = Path(__file__).parent / "fixtures" / "main-6de1483"
STORES = ["compacted", "journal-only"]


def lay_out(name: str, folder: Path) -> Path:
    for path in (FIXTURES / name).iterdir():
        if path.name != "expected.json":
            shutil.copy(path, folder / path.name)
            # Owner-only, as Parley makes its files, whatever mode the checkout gave.
            os.chmod(folder / path.name, 0o600)
    return folder / "parley.json"


def expected(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((FIXTURES / name / "expected.json").read_text())
    return found


def kept(repo: Repository, name: str) -> None:
    """Every record, revision and change of the fixture, as the old Parley had them."""
    want = expected(name)
    assert export_document(repo) == want["export"]
    revisions = {
        kind: {r.id: repo.revision(kind, r.id) for r in repo.list(kind)}
        for kind in want["revisions"]
    }
    assert revisions == want["revisions"]
    assert repo.problems() == []


@pytest.mark.parametrize("name", STORES)
def test_an_old_store_moves_over_keeping_records_revisions_and_history(
    tmp_path: Path, name: str
) -> None:
    path = lay_out(name, tmp_path)
    with open_store(path, clock=fixed_clock, author="amal") as repo:
        kept(repo, name)
        # Moved over on opening, in one replacement of the snapshot.
        assert json.loads(path.read_bytes())["_parley"]["1"]["format"] == "parley"
        assert repo.storage.trusted and not repo.storage.old_layout
        last = repo.history(limit=1)[0]
        assert last.undoes is not None
        assert Commands(repo).redo().changed
        assert repo.history(limit=1)[0].redoes == last.seq
    with TinyDB(path, access_mode="r") as db:
        point = db.table("point").get(where("id") == "philadelphi-corridor")
        assert isinstance(point, dict) and point["priority"] == "high"
        assert len(db.table("actor")) == len(expected(name)["export"]["records"]["actor"])


def test_reading_an_old_store_read_only_leaves_it_as_it_is(tmp_path: Path) -> None:
    path = lay_out("compacted", tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with open_store(path, clock=fixed_clock, read_only=True) as repo:
        kept(repo, "compacted")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".lock"} == before


def _killed_at(call: int, run: Callable[[], None]) -> bool:
    """Run ``run`` in a child process that is SIGKILLed just before its ``call``-th
    write, sync, truncation or rename of a file; True if it was killed."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = 0

        def deadly(real: Callable[..., Any]) -> Callable[..., Any]:
            def step(*args: Any, **kwargs: Any) -> Any:
                nonlocal count
                count += 1
                if count == call:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kwargs)

            return step

        for name in ("write", "fsync", "ftruncate", "replace", "unlink"):
            setattr(os, name, deadly(getattr(os, name)))
        try:
            run()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.parametrize("name", STORES)
def test_a_checkpoint_killed_at_any_step_loses_nothing(tmp_path: Path, name: str) -> None:
    """The move-over and a checkpoint on closing, killed before each of their steps."""

    def run(path: Path) -> Callable[[], None]:
        def checkpoints() -> None:
            with open_store(path, clock=fixed_clock, author="amal") as repo:
                Commands(repo).redo()

        return checkpoints

    call = 0
    while True:
        call += 1
        folder = tmp_path / str(call)
        folder.mkdir()
        path = lay_out(name, folder)
        if not _killed_at(call, run(path)):
            break
        # Read as it was left, then opened as a user would (moved over, if not yet).
        for read_only in (True, False):
            with open_store(path, clock=fixed_clock, read_only=read_only) as repo:
                last = repo.history(limit=1)[0]
                if last.redoes is None:
                    kept(repo, name)
                else:
                    # The redo was acknowledged before the kill: kept, with all before it.
                    assert len(repo.history()) == len(expected(name)["export"]["changes"]) + 1
                    point = repo.get("point", "philadelphi-corridor")
                    assert point.priority == "high"  # type: ignore[attr-defined]
                    assert repo.problems() == []
        assert json.loads(path.read_bytes())["_parley"]["1"]["format"] == "parley"
    assert call > 10


MAIN_426F2BD = Path(__file__).parent / "fixtures" / "main-426f2bd"


def test_a_store_written_before_the_wider_actor_kinds_opens_unchanged(tmp_path: Path) -> None:
    """A store and its export as the Parley of four actor kinds wrote them (the seed, an
    actor of each kind, a second track with a round, an undone edit): opened now, it
    needs no step of its schema, its export is the same record for record and change
    for change, and its files are as they were once it is closed."""
    for path in MAIN_426F2BD.iterdir():
        if path.name.startswith("store-"):
            shutil.copy(path, tmp_path / path.name)
            os.chmod(tmp_path / path.name, 0o600)
    store = tmp_path / "store-426f2bd.json"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    then = json.loads((MAIN_426F2BD / "export-426f2bd.json").read_text())
    assert json.loads(store.read_bytes())["_parley"]["1"]["schema"] == 1
    with open_store(store, clock=fixed_clock) as repo:
        assert export_document(repo) == then
        kinds = {a.id: a.actor_kind for a in repo.list_as(Actor)}
    assert kinds["arab-league"] is ActorKind.ORGANISATION
    assert kinds["quartet"] is ActorKind.COALITION
    assert kinds["rapid-support-units"] is ActorKind.MOVEMENT
    assert kinds["sudanese-army"] is ActorKind.STATE
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in before}
    assert after == before
