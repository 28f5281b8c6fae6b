"""The history through a failed compaction, and a snapshot rolled back under its journal.

A compaction moves the journal's changes to the history file: should it fail, nothing
may be let go of, so that the next compaction still has every change to write. A
snapshot older than the journal or the history written after it (a backup copied
back) must be refused, naming both files: the next write would give a change a number
the history already holds.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from conftest import actor, fixed_clock
from faulty_disk import Faults, files_of, state

from store import CorruptStore, DiskError, open_store
from store.models import Track
from tui.cli import main as cli_main


def history_seqs(path: Path) -> list[int]:
    with open_store(path, clock=fixed_clock) as repo:
        return sorted(c.seq for c in repo.history())


@pytest.mark.parametrize("history_file", [False, True], ids=["first", "later"])
def test_a_compaction_on_a_full_disk_keeps_every_change_for_the_next(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, history_file: bool
) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(Track(id="t", title="Talks"))
        if history_file:
            repo.compact()
        for n in range(73):
            repo.add(actor(f"a{n}"))
        before, files = state(repo), files_of(store_path.parent)
        assert len(before["history"]) == 74
        faults = Faults(monkeypatch)
        # The disk is full from the compaction's first write on: the history's.
        with faults.armed_at(1, persistent=True, only="write"), pytest.raises(DiskError) as info:
            repo.compact()
        assert faults.failed[0] == "write"
        assert str(info.value) == (
            f"disk full writing {store_path}.history; the store is unchanged"
        )
        assert files_of(store_path.parent) == files
        assert state(repo) == before
        # Room again: the next compaction, in the same process, writes all 74.
        repo.compact()
        assert state(repo) == before
    assert Path(f"{store_path}.journal").read_bytes() == b""
    history = Path(f"{store_path}.history").read_bytes().splitlines()
    assert sorted(json.loads(line)["seq"] for line in history) == list(range(1, 75))
    assert history_seqs(store_path) == list(range(1, 75))


def run_check(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--db", str(path), "check"])
    return code, out.getvalue(), err.getvalue()


def refused_in_one_line(path: Path) -> str:
    """The one line that both opening the store and `parley check` give, which write
    nothing."""
    files = files_of(path.parent)
    with pytest.raises(CorruptStore) as info:
        open_store(path)
    message = str(info.value)
    assert "\n" not in message
    code, out, err = run_check(path)
    assert (code, out, err) == (1, "", f"parley: {message}\n")
    assert files_of(path.parent) == files
    return message


def test_a_snapshot_older_than_its_journal_is_refused(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("israel"))
        repo.compact()
        old_snapshot = store_path.read_bytes()
        repo.add(actor("hamas"))
        repo.compact()
        repo.add(actor("egypt"))
    store_path.write_bytes(old_snapshot)
    message = refused_in_one_line(store_path)
    assert message.startswith(
        f"{store_path}.journal line 1 was written after generation 2 of the snapshot, "
        f"but {store_path} is generation 1: the snapshot is older than the files "
        "written after it"
    )


def test_a_snapshot_older_than_its_history_is_refused(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("israel"))
        repo.compact()
        old_snapshot = store_path.read_bytes()
        repo.add(actor("hamas"))
        repo.update(actor("hamas", "Hamas movement"))
        repo.compact()
        assert repo.storage.last_seq == 3
    store_path.write_bytes(old_snapshot)
    message = refused_in_one_line(store_path)
    assert message.startswith(
        f"{store_path}.history holds change 3, but {store_path} ends at change 1: "
        "the snapshot is older than the files written after it"
    )


def test_a_store_whose_snapshot_and_journal_are_gone_is_refused_beside_its_history(
    store_path: Path,
) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("israel"))
        repo.compact()
    store_path.unlink()
    message = refused_in_one_line(store_path)
    assert message.startswith(
        f"{store_path}.history holds change 1, but there is no {store_path} and its "
        "journal ends at change 0"
    )


def test_journal_lines_a_compaction_folded_in_are_skipped(store_path: Path) -> None:
    """A crash between the snapshot's replacement and the journal's truncation."""
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("israel"))
        repo.add(actor("hamas"))
        journal = Path(f"{store_path}.journal").read_bytes()
        repo.compact()
        expected = state(repo)
    Path(f"{store_path}.journal").write_bytes(journal)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert state(repo) == expected
        assert repo.problems() == []
        repo.add(actor("egypt"))
    assert history_seqs(store_path) == [1, 2, 3]


def test_changes_a_cut_short_compaction_wrote_to_the_history_are_not_a_rollback(
    store_path: Path,
) -> None:
    """The history holds changes past the snapshot, and so does the journal."""
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("israel"))
        repo.compact()
        repo.add(actor("hamas"))
        repo.add(actor("egypt"))
        expected = state(repo)
        cut_short = "".join(
            json.dumps(doc, separators=(",", ":")) + "\n"
            for _, doc in sorted(repo.storage.history().items())
            if doc["seq"] > 1
        )
    with Path(f"{store_path}.history").open("a") as fh:
        fh.write(cut_short)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert state(repo) == expected
        assert repo.problems() == []
        repo.add(actor("qatar"))
        repo.compact()
    assert history_seqs(store_path) == [1, 2, 3, 4]
