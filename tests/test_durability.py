"""The store file under stress: crashes, concurrent writers, damaged files, torn lines."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from conftest import actor, event, fixed_clock, source

import store
from store import CorruptStore, Repository, open_store
from store.files import migrations as migrations_module
from store.files import state as storage_state
from store.files.journal import CHANGES
from store.kinds import ActorKind
from store.models import RECORD_TYPES, Actor, Change, Track
from tui.cli import ReadAhead
from tui.cli import main as cli_main

FORK = multiprocessing.get_context("fork")
PARLEY = Path(sys.executable).with_name("parley")


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def file_bytes(path: Path) -> tuple[bytes, bytes | None]:
    journal = journal_of(path)
    return path.read_bytes(), journal.read_bytes() if journal.exists() else None


# -- crashes ----------------------------------------------------------------------------


def _crashing_writer(path: str, run: int, conn: Connection) -> None:
    """Write until killed; report each id only once add() has returned."""
    repo = open_store(path, clock=fixed_clock)
    conn.send(("ready", None))
    n = 0
    while True:
        n += 1
        if n % 3 == 0:
            # A source and the event citing it, in one transaction.
            sid, eid = f"s-{run}-{n}", f"e-{run}-{n}"
            repo.add_many([source(sid), event(eid, sid)])
            conn.send(("ack", ("source", sid)))
            conn.send(("ack", ("event", eid)))
        elif n % 7 == 0 and repo.exists("actor", f"a-{run}-1"):
            repo.update(actor(f"a-{run}-1", f"renamed {n}"))
            conn.send(("renamed", (f"a-{run}-1", n)))
        else:
            repo.add(actor(f"a-{run}-{n}"))
            conn.send(("ack", ("actor", f"a-{run}-{n}")))
        if n % 25 == 0:
            conn.send(("compacting", n))
            repo.compact()
            conn.send(("compacted", n))


def _drain(conn: Connection) -> list[tuple[str, Any]]:
    """Every whole message the dead child sent; a message cut short was never acknowledged."""
    messages = []
    while True:
        try:
            if not conn.poll(0):
                break
            messages.append(conn.recv())
        except (EOFError, OSError):
            break
    return messages


# What a check after a kill found sound: every record's document by (kind, id), and
# the complete lines of the change log.
Checked = tuple[dict[tuple[str, str], Any], bytes]


def _records(repo: Repository) -> dict[tuple[str, str], Any]:
    tables = repo.storage.tables
    return {(kind, i): doc for kind in RECORD_TYPES for i, doc in tables.get(kind, {}).items()}


def _change_log(repo: Repository) -> bytes:
    """The change log's complete lines (a line cut short at its end is not yet written)."""
    log = repo.storage.history_path
    data = log.read_bytes() if log.exists() else b""
    return data[: data.rfind(b"\n") + 1]


def _checked_after_kill(repo: Repository, run: int, before: Checked) -> Checked:
    """The store after the writer of ``run`` was killed, checked as ``repo.problems()``
    checks a whole store, at the cost of what that writer could have touched.

    What the check before found sound must be there still, unchanged: a compaction cut
    short that lost, garbled or brought back an old record, or rewrote the change log,
    fails here. The rest, new or changed, can only be the killed writer's (its ids carry
    its run), and is checked as ``problems()`` checks a record (valid, under its own id,
    its references held) and a change (valid): the records, the log's lines appended
    since and the changes in the journal. Checking the whole store after every kill cost
    40% of the test and could find nothing more: what is unchanged since it was found
    sound, with every record it refers to still there, is sound still.
    """
    records = _records(repo)
    lost = [key for key in before[0] if key not in records]
    assert lost == [], f"lost after the kill of writer {run}: {lost[:5]}"
    for (kind, doc_id), doc in records.items():
        if before[0].get((kind, doc_id)) == doc:
            continue
        assert doc_id.split("-")[1:2] == [str(run)], f"{kind} {doc_id!r} changed by no writer"
        cls = RECORD_TYPES[kind]
        record = cls.model_validate(doc)  # a document cut short fails here
        assert record.id == doc_id, f"{kind} {doc_id!r} is stored as {record.id!r}"
        for field, ref_kind, ref in cls.refs_of(doc):
            held = (ref_kind, ref) in records
            assert held, f"{kind} {doc_id!r}: {field} refers to missing {ref_kind} {ref!r}"
    log = _change_log(repo)
    assert log.startswith(before[1]), f"the change log was rewritten after the kill of {run}"
    appended = [json.loads(line) for line in log[len(before[1]) :].splitlines() if line.strip()]
    for change in [*appended, *repo.storage.tables.get(CHANGES, {}).values()]:
        Change.model_validate(change)
    return records, log


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20240821)
    kills = during_compaction = acknowledged_total = 0
    deadline = time.monotonic() + 100  # a guard: the run takes about 20 s
    # A fresh store every 40 kills keeps each open quick as the records pile up.
    for store_number in range(6):
        path = tmp_path / f"crash{store_number}.json"
        with open_store(path, clock=fixed_clock) as repo:
            repo.add(Track(id="t", title="Crash track"))
            assert repo.problems() == []
            checked = _records(repo), _change_log(repo)
        acknowledged: set[tuple[str, str]] = set()
        renamed: dict[str, int] = {}
        for _ in range(40):
            assert time.monotonic() < deadline, f"only {kills} kills in the time allowed"
            reader, writer = FORK.Pipe(duplex=False)
            child = FORK.Process(target=_crashing_writer, args=(str(path), kills, writer))
            child.start()
            writer.close()
            messages: list[tuple[str, Any]] = []
            if reader.poll(10):
                messages.append(reader.recv())  # ready: the store is open
            if kills % 3 == 0:
                # Aim at a compaction: wait for the child to start one, then kill it
                # a moment later, while it writes, replaces or truncates.
                while reader.poll(10):
                    message = reader.recv()
                    messages.append(message)
                    if message[0] == "compacting":
                        time.sleep(rng.uniform(0, 0.002))
                        break
            else:
                time.sleep(rng.uniform(0.0, 0.03))
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            child.join()
            messages.extend(_drain(reader))
            reader.close()
            kills += 1
            if messages and messages[-1][0] == "compacting":
                during_compaction += 1
            acknowledged.update(m[1] for m in messages if m[0] == "ack")
            renamed.update(m[1] for m in messages if m[0] == "renamed")
            with open_store(path, clock=fixed_clock) as repo:
                checked = _checked_after_kill(repo, kills - 1, checked)
                missing = [key for key in acknowledged if not repo.exists(*key)]
                assert missing == [], f"after kill {kills}: lost {missing[:5]}"
                for actor_id, n in renamed.items():
                    # The last acknowledged name, or one written after it when the
                    # kill came between the write and its acknowledgement.
                    name = repo.get("actor", actor_id).label
                    assert name.startswith("renamed ") and int(name.split()[1]) >= n, name
        acknowledged_total += len(acknowledged)
        with open_store(path, clock=fixed_clock) as repo:
            # The store's own check of everything, once a store has taken its 40 kills:
            # what was checked kill by kill above agrees with it.
            assert repo.problems() == []
            seqs = [c.seq for c in repo.history()]
            assert len(seqs) == len(set(seqs))
            repo.compact()
    assert kills >= 200
    assert during_compaction >= 20
    assert acknowledged_total > 1000
    assert renamed
    # Compactions cut short leave no temporary copies of the store behind.
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]


# -- concurrent writers -------------------------------------------------------------------


def _concurrent_writer(path: str, worker: int, count: int, start: Any) -> None:
    with open_store(path, clock=fixed_clock) as repo:
        start.wait(30)
        for n in range(count):
            repo.add(actor(f"w{worker}-{n}"))


def test_four_processes_writing_at_once_keep_every_write(store_path: Path) -> None:
    workers, each = 4, 250
    start = FORK.Barrier(workers)
    children = [
        FORK.Process(target=_concurrent_writer, args=(str(store_path), w, each, start))
        for w in range(workers)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.count("actor") == workers * each
        assert set(repo.ids("actor")) == {f"w{w}-{n}" for w in range(workers) for n in range(each)}
        history = repo.history()
        assert len(history) == workers * each
        seqs = [c.seq for c in history]
        assert sorted(seqs) == list(range(1, workers * each + 1))
        assert {c.record_id for c in history} == set(repo.ids("actor"))
        # The writers really took turns, rather than one after another (which would
        # change writer only workers - 1 times). How often is up to the scheduler.
        writers = [c.record_id.split("-")[0] for c in reversed(history)]
        assert sum(a != b for a, b in itertools.pairwise(writers)) > workers - 1
        assert repo.problems() == []


# -- damaged files ------------------------------------------------------------------------


def _valid_snapshot(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "parley",
        "schema": 1,
        "generation": 0,
        "tables": {"actor": {"israel": actor("israel").model_dump(mode="json")}},
    }
    document.update(overrides)
    return document


def _dumps(document: Any) -> bytes:
    return json.dumps(document).encode()


CORRUPT: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t\n",
    "truncated": _dumps(_valid_snapshot())[:-7],
    "trailing-garbage": _dumps(_valid_snapshot()) + b"}\x00garbage",
    "bom": b"\xef\xbb\xbf" + _dumps(_valid_snapshot()),
    "top-level-list": _dumps([_valid_snapshot()]),
    "top-level-string": b'"parley"',
    "invalid-utf8": _dumps(_valid_snapshot()).replace(b"israel", b"isr\xffael"),
    "invalid-record": _dumps(
        _valid_snapshot(
            tables={"actor": {"israel": {"id": "israel", "name": "", "actor_kind": "state"}}}
        )
    ),
    "control-character": _dumps(
        _valid_snapshot(
            tables={"actor": {"x": {"id": "x", "name": "\x1b[2J", "actor_kind": "state"}}}
        )
    ),
    "record-under-another-id": _dumps(
        _valid_snapshot(tables={"actor": {"hamas": actor("israel").model_dump(mode="json")}})
    ),
    "unknown-table": _dumps(_valid_snapshot(tables={"actors": {}})),
    "table-not-object": _dumps(_valid_snapshot(tables={"actor": []})),
    "record-not-object": _dumps(_valid_snapshot(tables={"actor": {"israel": "Israel"}})),
    "change-not-numbered": _dumps(_valid_snapshot(tables={"change": {"first": {}}})),
    "newer-schema": _dumps(_valid_snapshot(schema=99)),
    "schema-not-number": _dumps(_valid_snapshot(schema="1")),
    "wrong-format": _dumps(_valid_snapshot(format="tinydb")),
    "no-format": _dumps({"_default": {"1": {"name": "a stock TinyDB file"}}}),
    "bad-generation": _dumps(_valid_snapshot(generation=-1)),
    "unknown-key": _dumps(_valid_snapshot(extra=True)),
    "deeply-nested": b'{"format": "parley", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_file_is_refused_in_one_line_and_left_alone(tmp_path: Path, case: str) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    with pytest.raises(CorruptStore) as info:
        open_store(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert path.read_bytes() == CORRUPT[case]
    assert not journal_of(path).exists()
    # Nothing was left open: the file can be opened again with the same result.
    with pytest.raises(CorruptStore):
        open_store(path)


@pytest.mark.parametrize(
    ("case", "phrase"),
    [
        ("empty", "the file is empty"),
        ("bom", "byte-order mark"),
        ("truncated", "not valid JSON"),
        ("trailing-garbage", "not valid JSON"),
        ("invalid-utf8", "not valid UTF-8"),
        ("top-level-list", "expected a JSON object at the top level, found list"),
        ("invalid-record", "actor 'israel': name: must not be empty"),
        ("newer-schema", "written by a newer Parley (schema 99"),
        ("wrong-format", "not a Parley store"),
        ("change-not-numbered", "change 'first' is not numbered"),
    ],
)
def test_corrupt_file_message_says_what_is_wrong(tmp_path: Path, case: str, phrase: str) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    with pytest.raises(CorruptStore) as info:
        open_store(path)
    assert phrase in str(info.value)


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_cli_check_reports_a_corrupt_file_in_one_line(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    assert cli_main(["--db", str(path), "check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"parley: {path}: ")
    assert path.read_bytes() == CORRUPT[case]


@pytest.mark.parametrize("case", ["empty", "truncated", "invalid-record", "newer-schema"])
def test_parley_check_command_exits_1_without_a_traceback(tmp_path: Path, case: str) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    result = subprocess.run(
        [str(PARLEY), "--db", str(path), "check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"parley: {path}: ")
    assert path.read_bytes() == CORRUPT[case]


def test_a_directory_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dir.json"
    path.mkdir()
    with pytest.raises(store.StoreError) as info:
        open_store(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "line",
    [
        b"not json\n",
        b'{"ops": []}\n',
        b'{"g": 0}\n',
        b'{"g": 0, "ops": [["actor", "x"]]}\n',
        b'{"g": 0, "ops": [["actor", "x", {"id": "x", "name": "", "actor_kind": "state"}]]}\n',
    ],
)
def test_a_damaged_journal_line_is_refused(store_path: Path, line: bytes) -> None:
    with open_store(store_path) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("israel"))
    with journal_of(store_path).open("ab") as fh:
        fh.write(line)
    before = file_bytes(store_path)
    with pytest.raises(CorruptStore) as info:
        open_store(store_path)
    assert "\n" not in str(info.value)
    assert str(journal_of(store_path)) in str(info.value) or str(store_path) in str(info.value)
    assert file_bytes(store_path) == before


# -- torn journal ---------------------------------------------------------------------------


def test_a_torn_journal_tail_is_ignored_and_cut_off_by_the_next_write(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("israel"))
        repo.add(actor("hamas"))
    journal = journal_of(store_path)
    whole = journal.read_bytes()
    assert whole.endswith(b"\n")
    torn = b'{"g":0,"ops":[["actor","iran",{"id":"iran","name":"Ir'
    journal.write_bytes(whole + torn)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["hamas", "israel"]
        assert repo.problems() == []
        assert journal.read_bytes() == whole + torn  # reading never writes
        repo.add(actor("egypt"))
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        assert [c.seq for c in repo.history()] == [3, 2, 1]
    lines = journal.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) == 4
    for line in lines[:-1]:
        entry = json.loads(line)
        assert entry["g"] == 0 and entry["ops"]
    assert b"Ir" not in journal.read_bytes().replace(b"Israel", b"")
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["egypt", "hamas", "israel"]


def test_a_torn_tail_after_a_multibyte_character_is_ignored(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("israel", "إسرائيل"))
    journal = journal_of(store_path)
    whole = journal.read_bytes()
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("hamas", "حماس"))
    full = journal.read_bytes()
    journal.write_bytes(full[: len(whole) + (len(full) - len(whole)) // 2 + 1])
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.ids("actor") == ["israel"]
        repo.add(actor("egypt", "مصر"))
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["egypt", "israel"]
        assert repo.get("actor", "egypt").label == "مصر"


# -- two views of one file ----------------------------------------------------------------------


def test_two_repositories_in_one_process_see_each_other(store_path: Path) -> None:
    a = open_store(store_path, clock=fixed_clock)
    b = open_store(store_path, clock=fixed_clock)
    try:
        assert b.refresh() is False
        a.add(actor("israel"))
        assert b.refresh() is True
        assert b.get("actor", "israel") == actor("israel")
        assert b.refresh() is False
        b.update(actor("israel", "State of Israel"))
        assert a.refresh() is True
        assert a.get("actor", "israel").label == "State of Israel"
        a.compact()
        b.add(actor("hamas"))
        assert a.refresh() is True
        assert sorted(a.ids("actor")) == ["hamas", "israel"]
        a.delete("actor", "hamas")
        b.compact()
        a.add(actor("egypt"))
        b.refresh()
        assert sorted(b.ids("actor")) == ["egypt", "israel"]
        assert [c.seq for c in b.history()] == [5, 4, 3, 2, 1]
    finally:
        a.close()
        b.close()
    with open_store(store_path, clock=fixed_clock) as c:
        assert sorted(c.ids("actor")) == ["egypt", "israel"]
        assert c.get("actor", "israel").label == "State of Israel"
        assert [x.seq for x in c.history()] == [5, 4, 3, 2, 1]


def test_a_replaced_snapshot_is_noticed_even_when_it_looks_the_same(store_path: Path) -> None:
    # Filesystems with coarse timestamps can give a new snapshot the old one's
    # inode number, size and mtime; the replacement must still be noticed.
    a = open_store(store_path, clock=fixed_clock)
    a.add(actor("israel"))
    a.compact()
    b = open_store(store_path, clock=fixed_clock)
    try:
        first = os.stat(store_path)
        a.compact()
        a.compact()
        os.utime(store_path, ns=(first.st_atime_ns, first.st_mtime_ns))
        a.add(actor("hamas"))
        assert b.refresh() is True
        assert b.exists("actor", "hamas")
        b.add(actor("egypt"))
        assert a.refresh() is True
        assert a.exists("actor", "egypt")
    finally:
        a.close()
        b.close()
    with open_store(store_path, clock=fixed_clock) as c:
        assert sorted(c.ids("actor")) == ["egypt", "hamas", "israel"]


def test_a_write_through_one_view_is_not_lost_by_the_others_compaction(
    store_path: Path,
) -> None:
    a = open_store(store_path, clock=fixed_clock)
    b = open_store(store_path, clock=fixed_clock)
    try:
        for n in range(10):
            (a if n % 2 else b).add(actor(f"x{n}"))
            (b if n % 3 else a).compact()
    finally:
        a.close()
        b.close()
    with open_store(store_path, clock=fixed_clock) as c:
        assert sorted(c.ids("actor")) == [f"x{n}" for n in range(10)]
        assert len(c.history()) == 10


# -- migrations -------------------------------------------------------------------------------


def test_an_older_schema_is_migrated_with_its_journal(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Schema 1 as if actors once kept their kind under "type": the snapshot and a
    # journal line written by that older version both need the step.
    old = {"id": "israel", "name": "Israel", "type": "state"}
    newer = {"id": "hamas", "name": "Hamas", "type": "movement"}
    snapshot = {"format": "parley", "schema": 1, "generation": 3, "tables": {"actor": {}}}
    snapshot["tables"]["actor"]["israel"] = old  # type: ignore[index]
    store_path.write_text(json.dumps(snapshot))
    journal_of(store_path).write_text(
        json.dumps({"g": 3, "ops": [["actor", "hamas", newer]]}) + "\n"
    )

    def rename_type(tables: dict[str, dict[str, dict[str, Any]]]) -> Any:
        for doc in tables.get("actor", {}).values():
            doc["actor_kind"] = doc.pop("type")
        return tables

    monkeypatch.setattr(migrations_module, "CURRENT_SCHEMA", 2)
    monkeypatch.setitem(migrations_module.MIGRATIONS, 1, rename_type)
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.get("actor", "israel") == actor("israel", "Israel")
        assert repo.get_as(Actor, "hamas").actor_kind is ActorKind.MOVEMENT
    data = json.loads(store_path.read_text())
    assert data["_parley"]["1"]["schema"] == 2
    assert data["_parley"]["1"]["generation"] == 4
    hamas = next(doc for doc in data["actor"].values() if doc["id"] == "hamas")
    assert hamas["actor_kind"] == "movement"
    assert journal_of(store_path).read_bytes() == b""


# -- writes that fail ----------------------------------------------------------------------------


def test_a_failed_journal_write_leaves_nothing_behind(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.compact_on_close = False  # the files as a crash leaves them: the journal kept
        repo.add(actor("israel"))
        before = file_bytes(store_path)
        real_fsync: Callable[[int], None] = os.fsync

        def failing_fsync(fd: int) -> None:
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(store.StoreError):
            repo.add(actor("hamas"))
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert not repo.exists("actor", "hamas")
        repo.refresh()
        assert not repo.exists("actor", "hamas")
        repo.add(actor("egypt"))
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["egypt", "israel"]
        assert before[0] == store_path.read_bytes()


# -- the snapshot read ahead of opening ---------------------------------------------------------


def _read_ahead(path: Path) -> storage_state.Preread | None:
    ahead = ReadAhead(path)
    ahead.start()
    return ahead.take()


def _compacted(path: Path, *actor_ids: str) -> None:
    with open_store(path, clock=fixed_clock) as repo:
        for actor_id in actor_ids:
            repo.add(actor(actor_id))
        repo.compact()


def _snapshot_opens(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Where each later os.open of ``path`` itself (not its lock or journal) is recorded."""
    opened: list[str] = []
    real_open = os.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(file) == os.fspath(path):
            opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    return opened


def test_read_ahead_bytes_of_an_unchanged_snapshot_are_used(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _compacted(store_path, "israel", "hamas")
    preread = _read_ahead(store_path)
    assert preread is not None
    opened = _snapshot_opens(monkeypatch, store_path)
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert opened == []
        # The descriptor read ahead is the one the store keeps on its snapshot.
        assert repo.storage._snapshot_fd == preread[0]
        assert sorted(repo.ids("actor")) == ["hamas", "israel"]
        assert repo.storage.trusted
        repo.add(actor("egypt"))
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["egypt", "hamas", "israel"]


def test_the_command_reads_an_unchanged_snapshot_once(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _compacted(store_path, "israel")
    opened = _snapshot_opens(monkeypatch, store_path)
    assert cli_main(["--db", str(store_path), "check"]) == 0
    assert opened == [str(store_path)]
    capsys.readouterr()


def test_read_ahead_bytes_are_ignored_once_another_writer_compacts(store_path: Path) -> None:
    _compacted(store_path, "israel")
    preread = _read_ahead(store_path)
    # The other writer's compaction folds its journal into a new snapshot and
    # empties the journal: the old bytes with the new journal would lose "hamas".
    _compacted(store_path, "hamas")
    assert journal_of(store_path).read_bytes() == b""
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert sorted(repo.ids("actor")) == ["hamas", "israel"]
        repo.add(actor("egypt"))
    with open_store(store_path, clock=fixed_clock) as repo:
        assert sorted(repo.ids("actor")) == ["egypt", "hamas", "israel"]


def test_read_ahead_bytes_are_ignored_when_another_store_replaces_the_file(
    tmp_path: Path,
) -> None:
    # The other store has the same size, and is given the same mtime: only the
    # inode tells the two files apart.
    path, other = tmp_path / "parley.json", tmp_path / "other.json"
    _compacted(path, "aaaa")
    _compacted(other, "bbbb")
    assert path.stat().st_size == other.stat().st_size
    preread = _read_ahead(path)
    first = path.stat()
    os.utime(other, ns=(first.st_atime_ns, first.st_mtime_ns))
    os.replace(other, path)
    with open_store(path, clock=fixed_clock, preread=preread) as repo:
        assert repo.ids("actor") == ["bbbb"]


def test_read_ahead_bytes_are_ignored_when_the_file_is_changed_in_place(
    store_path: Path,
) -> None:
    """A same-size edit in place is told by the mtime, as it was before the read.

    Parley never writes a snapshot in place, but a hand edit (or a tool that
    rewrites a file through its existing inode) can, keeping the inode and the
    size. The mtime is taken before the bytes are read, so a write at any time
    after that shows as a different mtime, but only if the filesystem's clock
    has moved on: timestamps advance in ticks (a few milliseconds on Linux, which
    stamps files with its coarse clock), and a write within the tick of the read
    leaves the same mtime, and cannot be told from no write at all. The test
    sets a later mtime itself, as a write one tick later would.
    """
    _compacted(store_path, "aaaa")
    preread = _read_ahead(store_path)
    read = store_path.stat()
    with open(store_path, "r+b") as fh:
        data = fh.read()
        assert b"aaaa" in data
        fh.seek(0)
        fh.write(data.replace(b"aaaa", b"bbbb"))
    os.utime(store_path, ns=(read.st_atime_ns, read.st_mtime_ns + 1_000_000_000))
    after = store_path.stat()
    assert (after.st_ino, after.st_size) == (read.st_ino, read.st_size)
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert repo.ids("actor") == ["bbbb"]
        # The edit broke the digest, so the records are checked one by one.
        assert not repo.storage.trusted


def test_read_ahead_bytes_of_a_removed_snapshot_are_ignored(store_path: Path) -> None:
    _compacted(store_path, "israel")
    preread = _read_ahead(store_path)
    store_path.unlink()
    journal_of(store_path).unlink(missing_ok=True)
    # Left alone, the history would hold change numbers the new store gives again.
    Path(f"{store_path}.history").unlink()
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert repo.ids("actor") == []


def test_a_read_ahead_of_a_missing_file_then_creating_the_store(store_path: Path) -> None:
    preread = _read_ahead(store_path)
    assert preread is None
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert repo.ids("actor") == []
        repo.add(actor("israel"))
    with open_store(store_path, clock=fixed_clock) as repo:
        assert repo.ids("actor") == ["israel"]


def test_a_read_ahead_of_a_missing_file_then_another_creates_it(store_path: Path) -> None:
    preread = _read_ahead(store_path)
    _compacted(store_path, "israel")
    with open_store(store_path, clock=fixed_clock, preread=preread) as repo:
        assert repo.ids("actor") == ["israel"]


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_damaged_file_read_ahead_is_refused_with_the_same_message(
    tmp_path: Path, case: str
) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    with pytest.raises(CorruptStore) as without:
        open_store(path)
    preread = _read_ahead(path)
    assert preread is not None
    with pytest.raises(CorruptStore) as ahead:
        open_store(path, preread=preread)
    assert str(ahead.value) == str(without.value)
    # The store took the descriptor over and closed it on the way out.
    with pytest.raises(OSError):
        os.fstat(preread[0])


def test_a_directory_read_ahead_is_refused_as_without(tmp_path: Path) -> None:
    path = tmp_path / "dir.json"
    path.mkdir()
    assert _read_ahead(path) is None
    with pytest.raises(store.StoreError) as info:
        open_store(path, preread=None)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize("case", ["empty", "truncated", "invalid-record"])
def test_the_dashboard_on_a_damaged_store_exits_1_in_one_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(CORRUPT[case])
    with pytest.raises(CorruptStore) as info:
        open_store(path)
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"parley: {info.value}\n"
    assert path.read_bytes() == CORRUPT[case]
