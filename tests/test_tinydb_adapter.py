"""What Parley takes from TinyDB (store/tinydb_adapter.py), pinned.

TinyDB's Table API reads what the journal wrote; every TinyDB write is refused
before it touches memory or disk; ids are slugs and change numbers are never
handed out twice; and the adapter refuses a TinyDB it was not checked against.
"""

from __future__ import annotations

import copy
import inspect
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tinydb
from conftest import fixed_clock
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Document, Table

from store import Actor, Repository, open_store
from store.storage import JournalStorage
from store.tinydb_adapter import (
    READ_ONLY,
    SUPPORTED,
    TINYDB_VERSION,
    ParleyDB,
    ReadOnlyTable,
    check_tinydb,
)

ROOT = Path(__file__).resolve().parent.parent


def actor(actor_id: str, name: str | None = None, kind: str = "state") -> Actor:
    return Actor(id=actor_id, name=name or actor_id.title(), actor_kind=kind)


def file_state(path: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for suffix in ("", ".journal", ".history"):
        name = path.with_name(path.name + suffix)
        found[name.name] = name.read_bytes() if name.exists() else None
    return found


@pytest.fixture
def filled(repo: Repository) -> Repository:
    repo.add_many([actor("israel"), actor("hamas", kind="movement"), actor("qatar")])
    repo.compact()
    # Written after the compaction: in the journal only.
    repo.add(actor("egypt"))
    repo.update(actor("hamas", "Hamas movement", kind="movement"))
    return repo


# -- reading ---------------------------------------------------------------------------


def test_tinydb_reads_what_the_journal_wrote(filled: Repository) -> None:
    assert filled.storage.journal_size() > 0
    table = filled.db.table("actor")
    assert isinstance(table, ReadOnlyTable)
    doc = table.get(doc_id="hamas")  # type: ignore[call-overload]
    assert isinstance(doc, Document)
    assert doc.doc_id == "hamas"
    # The stored document: the record's fields and its revision.
    stored = filled.get("actor", "hamas").model_dump(mode="json")
    assert doc == {**stored, "_rev": filled.revision("actor", "hamas")}
    assert doc["name"] == "Hamas movement"
    assert table.contains(doc_id="egypt")  # type: ignore[arg-type]
    assert len(table) == 4
    assert sorted(d.doc_id for d in table.all()) == ["egypt", "hamas", "israel", "qatar"]
    found = table.search(Query().actor_kind == "movement")
    assert [d.doc_id for d in found] == ["hamas"]
    assert table.count(Query().actor_kind == "state") == 3


def test_the_change_table_is_not_shown_to_tinydb(filled: Repository) -> None:
    # It holds only the changes since the last compaction; history is the repository's.
    assert filled.storage.tables["change"]
    assert filled.db.tables() == {"actor"}
    assert filled.db.table("change").all() == []
    assert len(filled.history()) == 5


def test_searches_follow_writes_made_behind_the_table(filled: Repository) -> None:
    table = filled.db.table("actor")
    by_name = Query().name == "Qatar"
    assert [d.doc_id for d in table.search(by_name)] == ["qatar"]
    filled.update(actor("qatar", "State of Qatar"))
    assert table.search(by_name) == []
    filled.delete("actor", "israel")
    assert table.get(doc_id="israel") is None  # type: ignore[call-overload]
    assert table.search(Query().actor_kind == "state") == [
        Document(
            {**filled.get("actor", d).model_dump(mode="json"), "_rev": filled.revision("actor", d)},
            d,  # type: ignore[arg-type]
        )
        for d in ("qatar", "egypt")
    ]


def test_reads_follow_another_writer_and_a_reopen(filled: Repository, store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as other:
        other.add(actor("iran"))
    table = filled.db.table("actor")
    assert table.get(doc_id="iran") is None  # type: ignore[call-overload]
    assert filled.refresh()
    assert table.get(doc_id="iran")["name"] == "Iran"  # type: ignore[call-overload]
    filled.close()
    with open_store(store_path, clock=fixed_clock) as reopened:
        reopened.compact()
        names = {d.doc_id: d["name"] for d in reopened.db.table("actor")}
    assert names == {
        "israel": "Israel",
        "hamas": "Hamas movement",
        "qatar": "Qatar",
        "egypt": "Egypt",
        "iran": "Iran",
    }


# -- ids -------------------------------------------------------------------------------


def test_stock_tinydb_hands_out_a_deleted_last_id_again(tmp_path: Path) -> None:
    # The trap Parley's slugs and change numbers stay clear of.
    path = tmp_path / "stock.json"
    with TinyDB(path) as db:
        db.insert({"n": 1})
        last = db.insert({"n": 2})
        db.remove(doc_ids=[last])
    with TinyDB(path) as db:
        assert db.insert({"n": 3}) == last


def test_ids_are_slugs_and_change_numbers_are_never_reused(
    filled: Repository, store_path: Path
) -> None:
    table = filled.db.table("actor")
    assert all(isinstance(d.doc_id, str) and d.doc_id == d["id"] for d in table)
    assert table.get(doc_id="1") is None  # type: ignore[call-overload]
    assert table.get(doc_id=1) is None
    last = filled.history(limit=1)[0].seq
    # The newest change is deleted from the change table by a compaction (it goes
    # to the history file), and the store is opened afresh: TinyDB would start
    # again from the largest id left, Parley does not.
    filled.compact()
    assert "change" not in filled.storage.tables
    filled.close()
    with open_store(store_path, clock=fixed_clock) as reopened:
        reopened.add(actor("iran"))
        seqs = [c.seq for c in reopened.history()]
    assert seqs[0] == last + 1
    assert len(seqs) == len(set(seqs))


# -- writing ---------------------------------------------------------------------------

Write = Callable[[ParleyDB], Any]
WRITES: dict[str, Write] = {
    "insert a plain dict": lambda db: db.table("actor").insert({"id": "iran"}),
    "insert a plain dict into an empty table": lambda db: db.table("round").insert({"id": "x"}),
    "insert a Document with a slug": lambda db: db.table("actor").insert(
        Document({"id": "iran", "name": "Iran", "actor_kind": "state"}, "iran")  # type: ignore[arg-type]
    ),
    "insert_multiple": lambda db: db.table("actor").insert_multiple([{"id": "iran"}]),
    "update by id": lambda db: db.table("actor").update({"name": "X"}, doc_ids=["hamas"]),  # type: ignore[list-item]
    "update by query": lambda db: db.table("actor").update({"name": "X"}, Query().id == "hamas"),
    "update in place": lambda db: db.table("actor").update(lambda d: d.clear()),
    "update_multiple": lambda db: db.table("actor").update_multiple(
        [({"name": "X"}, Query().id == "hamas")]
    ),
    "upsert": lambda db: db.table("actor").upsert({"name": "X"}, Query().id == "hamas"),
    "remove": lambda db: db.table("actor").remove(doc_ids=["hamas"]),  # type: ignore[list-item]
    "truncate": lambda db: db.table("actor").truncate(),
    "persist an empty table": lambda db: db.table("proposal", persist_empty=True),
    "drop_table": lambda db: db.drop_table("actor"),
    "drop_tables": lambda db: db.drop_tables(),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_tinydb_write_is_refused_before_it_touches_anything(
    filled: Repository, store_path: Path, write: Write
) -> None:
    on_disk = file_state(store_path)
    in_memory = copy.deepcopy(filled.storage.tables)
    with pytest.raises(TypeError) as refused:
        write(filled.db)
    assert str(refused.value) == READ_ONLY
    assert file_state(store_path) == on_disk
    assert filled.storage.tables == in_memory
    assert filled.get_as(Actor, "hamas").name == "Hamas movement"
    assert filled.db.table("actor").get(doc_id="hamas")["name"] == "Hamas movement"  # type: ignore[call-overload]


def test_parleydb_has_no_default_storage(tmp_path: Path) -> None:
    # TinyDB's default, JSONStorage, rewrites the file in place on every write.
    assert ParleyDB.default_storage_class is JSONStorage
    with pytest.raises(TypeError, match="storage"):
        ParleyDB(tmp_path / "parley.json")  # type: ignore[call-arg]
    assert list(tmp_path.iterdir()) == []


def test_a_write_appends_to_the_journal_and_a_compaction_replaces_the_snapshot(
    repo: Repository, store_path: Path
) -> None:
    repo.add(actor("israel"))
    repo.compact()
    snapshot, inode = store_path.read_bytes(), os.stat(store_path).st_ino
    repo.add(actor("hamas"))
    assert (store_path.read_bytes(), os.stat(store_path).st_ino) == (snapshot, inode)
    repo.compact()
    assert os.stat(store_path).st_ino != inode
    assert repo.db.table("actor").get(doc_id="hamas") is not None  # type: ignore[call-overload]


# -- the TinyDB it was written against --------------------------------------------------


def test_the_installed_tinydb_is_the_one_checked() -> None:
    assert tinydb.__version__ == TINYDB_VERSION
    assert SUPPORTED == ((4, 8), (5, 0))
    # The private methods overridden, as the adapter expects them.
    assert list(inspect.signature(Table._update_table).parameters) == ["self", "updater"]
    assert list(inspect.signature(Table._get_next_id).parameters) == ["self"]
    assert issubclass(JournalStorage, tinydb.storages.Storage)


@pytest.mark.parametrize("version", ["4.8.0", "4.8.2", "4.9.0", "4.12.1rc1"])
def test_versions_in_range_pass(version: str) -> None:
    assert check_tinydb(version) == version


@pytest.mark.parametrize("version", ["5.0.0", "5.0.0.dev1", "4.7.1", "3.15.2", "", "four"])
def test_a_version_out_of_range_fails_loudly(version: str) -> None:
    with pytest.raises(ImportError, match=rf"tinydb >=4\.8,<5\.0, found {version!r}"):
        check_tinydb(version)


def test_importing_the_store_with_an_unknown_tinydb_fails() -> None:
    script = (
        "import importlib.metadata as m\n"
        "real = m.version\n"
        "m.version = lambda name: '5.1.0' if name == 'tinydb' else real(name)\n"
        "import store\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 1
    assert "ImportError: Parley needs tinydb >=4.8,<5.0, found '5.1.0'" in done.stderr
