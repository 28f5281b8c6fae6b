"""The snapshot's digest, and the change history kept in its own file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import fixed_clock

from store import Actor, CorruptStore, Source, StoreError, open_store


def _fill(path: Path) -> None:
    with open_store(path, clock=fixed_clock) as repo:
        repo.add(
            Source(
                id="wire",
                outlet="Wire",
                title="A report",
                published=date(2024, 8, 21),
                source_kind="wire",
            )
        )
        repo.add(Actor(id="hamas", name="Hamas", actor_kind="movement"))
        repo.update(Actor(id="hamas", name="Hamas movement", actor_kind="movement"))
        repo.compact()


def test_a_snapshot_parley_wrote_is_trusted_and_history_survives(store_path: Path) -> None:
    _fill(store_path)
    history_file = store_path.with_name(store_path.name + ".history")
    assert history_file.exists()
    document = json.loads(store_path.read_text())
    assert set(document) == {"_parley", "source", "actor"}
    assert document["_parley"]["1"]["last_seq"] == 3
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.storage.trusted
        assert [c.seq for c in repo.history()] == [3, 2, 1]
        assert repo.history()[0].before == {
            "id": "hamas",
            "name": "Hamas",
            "actor_kind": "movement",
            "aliases": [],
            "description": "",
        }
        repo.add(Actor(id="qatar", name="Qatar", actor_kind="state"))
        assert repo.history(limit=1)[0].seq == 4


def test_a_hand_edited_snapshot_is_validated_record_by_record(store_path: Path) -> None:
    _fill(store_path)
    document = json.loads(store_path.read_text())
    document["actor"]["1"]["actor_kind"] = "warband"
    store_path.write_text(json.dumps(document))
    before = store_path.read_bytes()
    with pytest.raises(CorruptStore, match=r"actor 'hamas': actor_kind"):
        open_store(store_path)
    assert store_path.read_bytes() == before


def test_a_valid_hand_edit_opens_untrusted_and_is_taken_in(store_path: Path) -> None:
    _fill(store_path)
    document = json.loads(store_path.read_text())
    document["actor"]["1"]["name"] = "Harakat Hamas"
    store_path.write_text(json.dumps(document, indent=2))
    with open_store(store_path) as repo:
        assert not repo.storage.trusted
        assert repo.get("actor", "hamas").label == "Harakat Hamas"
        assert repo.history(limit=1)[0].author == "outside Parley"


def test_a_reformatted_snapshot_opens_untrusted_and_takes_nothing_in(store_path: Path) -> None:
    _fill(store_path)
    store_path.write_text(json.dumps(json.loads(store_path.read_text()), indent=1))
    with open_store(store_path) as repo:
        assert not repo.storage.trusted
        assert [c.seq for c in repo.history()] == [3, 2, 1]


def test_history_written_twice_by_an_interrupted_compaction_reads_once(
    store_path: Path,
) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(Actor(id="hamas", name="Hamas", actor_kind="movement"))
        repo.add(Actor(id="qatar", name="Qatar", actor_kind="state"))
        journal_changes = dict(repo.storage.tables["change"])
        # A compaction that appended the history and then died before its snapshot.
        repo.storage._append_history(journal_changes)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history()] == [2, 1]
        repo.compact()
    with open_store(store_path, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history()] == [2, 1]
        assert repo.undo() != []
        assert not repo.exists("actor", "qatar")


def test_a_torn_history_line_is_cut_before_the_next_append(store_path: Path) -> None:
    _fill(store_path)
    history_file = store_path.with_name(store_path.name + ".history")
    with open(history_file, "ab") as fh:
        fh.write(b'{"seq": 99, "at": "2024-08-')
    with open_store(store_path, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history()] == [3, 2, 1]
        repo.add(Actor(id="qatar", name="Qatar", actor_kind="state"))
        repo.compact()
    assert b'"seq": 99' not in history_file.read_bytes()
    with open_store(store_path, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history()] == [4, 3, 2, 1]
        assert repo.problems() == []


def test_restore_writes_records_and_history_at_once_into_an_empty_store_only(
    tmp_path: Path,
) -> None:
    source = tmp_path / "a.json"
    _fill(source)
    with open_store(source, clock=fixed_clock) as repo:
        records = [*repo.list("source"), *repo.list("actor")]
        changes = repo.history()
    target = tmp_path / "b.json"
    with open_store(target, clock=fixed_clock) as repo:
        repo.restore(records, changes)
        journal = target.with_name(target.name + ".journal").read_bytes()
        assert journal.count(b"\n") == 1
    with open_store(target, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history()] == [3, 2, 1]
        assert repo.get("actor", "hamas").label == "Hamas movement"
        with pytest.raises(StoreError, match="empty store"):
            repo.restore(records, changes)


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_changes_read_from_the_end_match_the_whole_history(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Newest first, duplicates of a cut-short compaction once, a torn line ignored,
    the journal's changes first; whatever size the file is read back in."""
    import store.files.history as history_module

    monkeypatch.setattr(history_module, "HISTORY_BLOCK", block)
    with open_store(store_path, clock=fixed_clock) as repo:
        for n in range(12):
            repo.add(Actor(id=f"actor-{n}", name=f"Actor «{n}»", actor_kind="state"))
            if n in (3, 7):
                repo.compact()
        # A compaction that appended the history, died, and was done again.
        repo.storage._append_history(dict(repo.storage.tables["change"]))
        repo.compact()
        repo.update(Actor(id="actor-3", name="Actor three", actor_kind="state"))
    history_file = store_path.with_name(store_path.name + ".history")
    with open(history_file, "ab") as fh:
        fh.write(b'{"seq":99,"at":"2024-')
    with open_store(store_path, clock=fixed_clock) as repo:
        streamed = [c.seq for c in repo.history()]
        assert repo.storage._history is None, "the whole history was loaded"
        whole = sorted(repo.storage.history(), reverse=True)
        assert streamed == whole == list(range(13, 0, -1))
        assert [c.seq for c in repo.history(limit=3)] == [13, 12, 11]
        assert [c.seq for c in repo.history("actor", "actor-3")] == [13, 4]
        assert [c.summary for c in repo.history(record_id="actor-1")] == ["added actor Actor «1»"]


def test_undo_and_a_record_history_leave_the_history_file_unloaded(store_path: Path) -> None:
    _fill(store_path)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert [c.seq for c in repo.history("actor", "hamas", limit=10)] == [3, 2]
        [undone] = repo.undo()
        assert undone.undoes == 3
        assert repo.get("actor", "hamas").label == "Hamas"
        assert repo.storage._history is None
