"""The store through a power cut at every step of its writes.

A SIGKILL leaves every byte written in the page cache, which the system still puts on
disk; a power cut does not. Here ``Disk`` (tests/faulty_disk.py) cuts the power before
each call, in turn, that changes the store's folder during a run of writes and
compactions, then lays out what a restart could find: each file as of its last fsync,
with what was written since lost, half written or turned to zeros, and the folder's
entries as of its last fsync or as they were. In each, the store opens without a
problem, holds every write acknowledged before the cut (the one under way either
whole or not at all), and goes on to write and compact with no change number given
twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import actor, event, fixed_clock, source
from faulty_disk import LOSSES, Disk, PowerCut, build_store, files_of, lay_out, state

from store import Repository, open_store
from store.exchange.importing import import_json
from store.models import Track

Step = tuple[str, Callable[[Repository], object]]

IMPORT = (
    '{"format":"parley-export","schema":1,"records":{"actor":['
    '{"id":"oman","name":"Oman","actor_kind":"state"},'
    '{"id":"hamas","name":"Hamas movement","actor_kind":"state"}]}}'
)

# A store with a snapshot, a history and a journal, written on, compacted, written on.
ON_A_STORE: list[Step] = [
    ("add", lambda repo: repo.add(actor("egypt"))),
    ("update", lambda repo: repo.update(actor("hamas", "Hamas"))),
    ("compact", lambda repo: repo.compact()),
    ("add after compacting", lambda repo: repo.add_many([source("s2"), event("e2", "s2")])),
    ("delete", lambda repo: repo.remove("event", "e1")),
    ("import", lambda repo: import_json(repo, IMPORT, "incoming.json")),
    ("undo", lambda repo: repo.undo()),
    ("compact", lambda repo: repo.compact()),
]

# A new store: its first write makes the snapshot and the journal, its first compaction
# the history file.
FROM_NOTHING: list[Step] = [
    ("first write", lambda repo: repo.add(Track(id="t", title="Talks"))),
    ("add", lambda repo: repo.add(actor("israel"))),
    ("first compaction", lambda repo: repo.compact()),
    ("add after compacting", lambda repo: repo.add(actor("hamas"))),
]


def run_steps(repo: Repository, steps: list[Step]) -> int:
    """Run the steps until the power goes; return how many were acknowledged."""
    for done, (_, step) in enumerate(steps):
        try:
            step(repo)
        except PowerCut:
            return done
    return len(steps)


def check_restart(path: Path, possible: list[dict[str, Any]], where: str) -> None:
    with open_store(path, clock=fixed_clock) as repo:
        assert state(repo) in possible, where
        assert repo.problems() == [], where
        # The store goes on: a write and a compaction, numbered after every change kept.
        repo.add(actor("qatar"))
        repo.compact()
        kept = state(repo)
    with open_store(path, clock=fixed_clock) as repo:
        assert state(repo) == kept, where
        seqs = sorted(c.seq for c in repo.history())
        assert seqs == list(range(1, len(seqs) + 1)), where


@pytest.mark.parametrize("scenario", ["on-a-store", "from-nothing"])
def test_a_power_cut_at_any_step_loses_nothing_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    steps = ON_A_STORE if scenario == "on-a-store" else FROM_NOTHING
    template: dict[str, bytes] = {}
    if scenario == "on-a-store":
        (tmp_path / "template").mkdir()
        build_store(tmp_path / "template" / "parley.json")
        template = files_of(tmp_path / "template")
    # The run without a cut: what each step leaves, and how many calls it makes.
    path = lay_out(tmp_path / "whole", template)
    disk = Disk(monkeypatch, path.parent)
    states, ends = [], []
    with open_store(path, clock=fixed_clock) as repo:
        # Only the steps' calls are counted: the cut runs below end with the machine off.
        repo.compact_on_close = False
        disk.start()
        states.append(state(repo))
        for _, step in steps:
            step(repo)
            states.append(state(repo))
            ends.append(disk.calls)
    total = disk.calls
    cuts = 0
    for n in range(1, total + 1):
        path = lay_out(tmp_path / f"cut{n}", template)
        disk = Disk(monkeypatch, path.parent)
        repo = open_store(path, clock=fixed_clock)
        disk.start()
        disk.cut_at = n
        done = run_steps(repo, steps)
        # No compaction on closing: the machine is off.
        repo.db.close()
        assert disk.dead and done == next(i for i, end in enumerate(ends) if end >= n)
        for loss in LOSSES:
            for folder_synced in (True, False):
                where = (
                    f"{scenario}: power cut at call {n} of {total} (during "
                    f"{steps[done][0]!r}, after {disk.steps[-3:]}), unsynced writes "
                    f"{loss}, folder {'as last synced' if folder_synced else 'as it was'}"
                )
                restarted = disk.restart(loss, folder_synced, tmp_path / f"cut{n}-{loss}")
                check_restart(restarted, states[done : done + 2], where)
                cuts += 1
                for leftover in restarted.parent.iterdir():
                    leftover.unlink()
                restarted.parent.rmdir()
    assert cuts == total * len(LOSSES) * 2


def test_a_write_after_a_compaction_that_could_not_sync_the_folder_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new snapshot's directory entry may not be on disk: the journal's old lines
    still count until the folder is synced, so the next write syncs it first."""
    (tmp_path / "store").mkdir()
    path = tmp_path / "store" / "parley.json"
    build_store(path)
    disk = Disk(monkeypatch, path.parent)
    with open_store(path, clock=fixed_clock) as repo:
        disk.start()
        expected = [state(repo)]
        disk.fail_folder_sync = True
        with pytest.raises(Exception, match="input/output error flushing to disk the folder"):
            repo.compact()
        repo.add(actor("egypt"))
        expected.append(state(repo))
        disk.cut_at = disk.calls + 1
        with pytest.raises(PowerCut):
            repo.add(actor("qatar"))
        repo.db.close()
    for loss in LOSSES:
        restarted = disk.restart(loss, folder_synced=True, into=tmp_path / loss)
        check_restart(restarted, expected[1:], f"unsynced writes {loss}")
