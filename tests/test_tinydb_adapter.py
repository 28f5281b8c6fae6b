"""The store file is a TinyDB database (store/files/tinydb_adapter.py): stock TinyDB reads what
Parley wrote, and what TinyDB changes in it Parley takes in as one change of its own, or
refuses whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, fixed_clock
from tinydb import Query, TinyDB, where

import store.files.checkpoint as checkpoint_module
from store import CorruptStore, Repository, open_store
from store.exchange.seed import seed
from store.models import RECORD_TYPES
from store.record import REVISION
from store.records.commands import Commands

ROOT = Path(__file__).resolve().parent.parent
POINT = "philadelphi-corridor"


def file_state(path: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for suffix in ("", ".journal", ".history"):
        name = path.with_name(path.name + suffix)
        found[name.name] = name.read_bytes() if name.exists() else None
    return found


def stored(repo: Repository) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record as the repository reads it, by kind and id, with its revision."""
    return {
        kind: {
            record.id: {**record.model_dump(mode="json"), REVISION: repo.revision(kind, record.id)}
            for record in repo.list(kind)
        }
        for kind in RECORD_TYPES
    }


@pytest.fixture
def seeded_file(store_path: Path) -> Path:
    """The seed, written by Parley and closed: no process has it open."""
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        Commands(repo).edit("point", POINT, {"priority": "low"})
    return store_path


def test_stock_tinydb_reads_what_parley_wrote_record_for_record(seeded_file: Path) -> None:
    with open_store(seeded_file, clock=fixed_clock, read_only=True) as repo:
        expected = stored(repo)
        last_seq = repo.history(limit=1)[0].seq
    # The last to close folded the journal in.
    assert seeded_file.with_name("parley.json.journal").read_bytes() == b""
    with TinyDB(seeded_file, access_mode="r") as db:
        assert db.tables() == {"_parley", *(kind for kind in expected if expected[kind])}
        for kind, records in expected.items():
            documents = db.table(kind).all()
            assert {doc["id"]: dict(doc) for doc in documents} == records
            assert len(documents) == len(records)
        deadlocked = db.table("point").search(where("status") == "deadlocked")
        assert sorted(doc["id"] for doc in deadlocked) == sorted(
            record_id
            for record_id, doc in expected["point"].items()
            if doc["status"] == "deadlocked"
        )
        assert deadlocked
        point = db.table("point").get(Query().id == POINT)
        assert isinstance(point, dict) and point["priority"] == "low"
        (meta,) = db.table("_parley").all()
        assert meta["format"] == "parley" and meta["last_seq"] == last_seq


def test_a_tinydb_edit_is_taken_in_as_one_undoable_change(seeded_file: Path) -> None:
    with TinyDB(seeded_file) as db:
        title = db.table("point").get(where("id") == POINT)["title"]  # type: ignore[index]
        db.table("point").update({"title": "The corridor"}, where("id") == POINT)
        db.table("actor").update({"description": "A mediator."}, where("id") == "qatar")
    with open_store(seeded_file, clock=fixed_clock, author="amal") as repo:
        assert repo.get("point", POINT).title == "The corridor"  # type: ignore[attr-defined]
        first, second = repo.history(limit=2)
        assert {first.record_id, second.record_id} == {POINT, "qatar"}
        assert first.author == second.author == "outside Parley"
        assert first.batch == second.batch is not None
        assert first.at == FIXED_NOW
        assert repo.revision("point", POINT) == max(first.seq, second.seq)
        assert Commands(repo).undo().changed
        assert repo.get("point", POINT).title == title  # type: ignore[attr-defined]
        assert repo.get("actor", "qatar").description.startswith("Co-mediator")  # type: ignore[attr-defined]
        assert repo.problems() == []
    # Checkpointed on closing: Parley's own file again, and nothing more to take in.
    before = file_state(seeded_file)
    with open_store(seeded_file, clock=fixed_clock) as repo:
        assert repo.storage.trusted
        assert repo.get("point", POINT).title == title  # type: ignore[attr-defined]
    assert file_state(seeded_file) == before


def test_records_added_and_removed_with_tinydb_are_taken_in(seeded_file: Path) -> None:
    with TinyDB(seeded_file) as db:
        db.table("actor").insert(
            {"id": "oman", "name": "Oman", "actor_kind": "state", "aliases": [], "description": ""}
        )
        unused = [doc["id"] for doc in db.table("position").all()][:1]
        db.table("position").remove(where("id") == unused[0])
    with open_store(seeded_file, clock=fixed_clock) as repo:
        assert repo.get("actor", "oman").label == "Oman"
        assert not repo.exists("position", unused[0])
        actions = {c.record_id: c.action for c in repo.history(limit=2)}
        assert actions == {"oman": "add", unused[0]: "delete"}
        Commands(repo).undo()
        assert repo.exists("position", unused[0]) and not repo.exists("actor", "oman")


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        # A position on a point that is not there: a reference to nothing.
        (lambda db: db.table("point").remove(where("id") == POINT), "philadelphi-corridor"),
        (
            lambda db: db.table("position").update({"actor_id": "nobody"}, Query().id.exists()),
            "position",
        ),
        (
            lambda db: db.table("actor").update({"actor_kind": "rocket"}, where("id") == "qatar"),
            "actor 'qatar'",
        ),
    ],
    ids=["deleted-referenced", "dangling-reference", "invalid-field"],
)
def test_a_tinydb_edit_that_breaks_the_store_is_refused_and_nothing_touched(
    seeded_file: Path, edit: Any, named: str
) -> None:
    with TinyDB(seeded_file) as db:
        edit(db)
    before = file_state(seeded_file)
    with pytest.raises(CorruptStore) as refused:
        open_store(seeded_file, clock=fixed_clock)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{seeded_file}: ")
    assert named in message
    assert file_state(seeded_file) == before


def test_the_last_process_to_close_checkpoints_and_no_other(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from store import open_store\n"
            f"repo = open_store({str(store_path)!r})\n"
            "print('open', flush=True); sys.stdin.readline(); repo.close()",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with open_store(store_path, clock=fixed_clock) as repo:
            Commands(repo).edit("point", POINT, {"priority": "low"})
        journal = store_path.with_name("parley.json.journal")
        # Another process has the store open: the write stays in the journal.
        assert journal.read_bytes()
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert journal.read_bytes() == b""
    with TinyDB(store_path, access_mode="r") as db:
        assert db.table("point").get(where("id") == POINT)["priority"] == "low"  # type: ignore[index]


def test_a_journal_past_its_bound_is_checkpointed_while_running(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(repo)
    journal = repo.path.with_name("parley.json.journal")
    monkeypatch.setattr(checkpoint_module, "COMPACT_AT_BYTES", journal.stat().st_size + 1)
    Commands(repo).edit("point", POINT, {"priority": "low"})
    assert journal.read_bytes() == b""
    with TinyDB(repo.path, access_mode="r") as db:
        assert db.table("point").get(where("id") == POINT)["priority"] == "low"  # type: ignore[index]


def test_a_read_only_open_takes_nothing_in(seeded_file: Path) -> None:
    with TinyDB(seeded_file) as db:
        db.table("point").update({"title": "The corridor"}, where("id") == POINT)
    before = file_state(seeded_file)
    with open_store(seeded_file, clock=fixed_clock, read_only=True) as repo:
        assert repo.get("point", POINT).title == "The corridor"  # type: ignore[attr-defined]
        assert repo.history(limit=1)[0].author != "outside Parley"
    assert file_state(seeded_file) == before


def test_parley_overrides_nothing_private_of_tinydb() -> None:
    source = (ROOT / "store" / "files" / "tinydb_adapter.py").read_text(encoding="utf-8")
    assert "from tinydb.storages import Storage" in source
    assert "from tinydb" not in source.replace("from tinydb.storages import Storage", "")
    for path in [*(ROOT / "store").rglob("*.py"), *(ROOT / "tui").rglob("*.py")]:
        if path.name != "tinydb_adapter.py":
            text = path.read_text(encoding="utf-8")
            assert "import tinydb" not in text and "from tinydb" not in text
