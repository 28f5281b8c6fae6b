"""The store when the disk fails, and `parley check` and `parley repair` on damaged files.

The fault tests go the way of SQLite's I/O-error tests: count the os-level calls an
operation makes (open, write, fsync, rename, truncate), then run it again once for
each call N with the Nth failing, either that call alone (a transient fault) or it and
every later one (the disk stays full). Each run must raise a StoreError, leave memory
as it was, leave no temporary file, keep every acknowledged write, and leave the
history whole.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import random
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import fuzz_store
import pytest
from conftest import actor, event, fixed_clock, source
from faulty_disk import Faults, build_store, files_of, lay_out, state
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from store import DiskError, Repository, StoreError, open_store
from store.exchange.bundle import EXPORT_FORMAT, EXPORT_SCHEMA
from store.exchange.importing import import_json
from store.files import checkpoint as checkpoint_module
from store.models import Track
from tui.cli import main as cli_main

# An export with a new record and a changed one: imported as new changes.
IMPORT = json.dumps(
    {
        "format": EXPORT_FORMAT,
        "schema": EXPORT_SCHEMA,
        "records": {
            "actor": [
                actor("egypt").model_dump(mode="json"),
                actor("hamas", "Hamas movement").model_dump(mode="json"),
            ]
        },
    }
)

OPERATIONS: dict[str, Callable[[Repository], object]] = {
    "add": lambda repo: repo.add(actor("egypt")),
    "add-many": lambda repo: repo.add_many([source("s2"), event("e2", "s2")]),
    "update": lambda repo: repo.update(actor("hamas", "Hamas movement")),
    "delete": lambda repo: repo.remove("event", "e1"),
    "undo": lambda repo: repo.undo(),
    "compact": lambda repo: repo.compact(),
    "import": lambda repo: import_json(repo, IMPORT, "incoming.json"),
}


@pytest.fixture
def template(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "template"
    folder.mkdir()
    build_store(folder / "parley.json")
    return files_of(folder)


@pytest.mark.parametrize("persistent", [False, True], ids=["transient", "persistent"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_failing_call_of_a_write_raises_and_loses_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: dict[str, bytes],
    operation: str,
    persistent: bool,
) -> None:
    run = OPERATIONS[operation]
    fail_each_call(tmp_path, monkeypatch, template, operation, run, persistent)


# A new store: its first write makes the snapshot and the journal, its first compaction
# the history file.
NEW_STORE: dict[str, tuple[Callable[[Repository], object], Callable[[Repository], object]]] = {
    "first write": (lambda repo: None, lambda repo: repo.add(Track(id="t", title="Talks"))),
    "first compaction": (
        lambda repo: repo.add(Track(id="t", title="Talks")),
        lambda repo: repo.compact(),
    ),
}


@pytest.mark.parametrize("persistent", [False, True], ids=["transient", "persistent"])
@pytest.mark.parametrize("operation", sorted(NEW_STORE))
def test_every_failing_call_of_a_new_stores_first_writes_raises_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operation: str, persistent: bool
) -> None:
    make, run = NEW_STORE[operation]
    (tmp_path / "template").mkdir()
    with open_store(tmp_path / "template" / "parley.json", clock=fixed_clock) as repo:
        make(repo)
    template = files_of(tmp_path / "template")
    fail_each_call(tmp_path, monkeypatch, template, operation, run, persistent)


def fail_each_call(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: dict[str, bytes],
    operation: str,
    run: Callable[[Repository], object],
    persistent: bool,
) -> int:
    """Run the operation on the template's files once for each call it makes, with that
    call failing; return how many calls it makes."""
    compaction = "compact" in operation
    faults = Faults(monkeypatch)
    # The calls the operation makes when nothing fails.
    path = lay_out(tmp_path / "count", template)
    with open_store(path, clock=fixed_clock) as repo:
        before = state(repo)
        with faults.armed_at(None):
            run(repo)
        total = faults.calls
        done = state(repo)
    assert total >= 3, f"{operation} made only {total} calls"
    assert done != before or compaction
    for n in range(1, total + 1):
        path = lay_out(tmp_path / f"n{n}", template)
        with open_store(path, clock=fixed_clock) as repo:
            with faults.armed_at(n, persistent), pytest.raises(StoreError) as info:
                run(repo)
            where = f"{operation}, call {n} of {total} ({faults.failed[0]}) failing"
            message = str(info.value)
            assert isinstance(info.value, DiskError), where
            assert "\n" not in message and str(path.parent) in message, (where, message)
            # Memory as before: what the repository shows, and (a write) the storage's tables.
            assert state(repo) == before, where
            assert not list(path.parent.glob(".*.tmp")), where
            if not persistent and "replace" not in faults.done:
                # Failed before the new snapshot took the old one's place: every file as
                # it was (the compaction's appends to the history taken back).
                assert files_of(path.parent) == template, where
            # The disk is freed: the store goes on, in the same process, and a compaction
            # then keeps every change the failed one held.
            repo.add(actor("qatar"))
            repo.compact()
            compacted = state(repo)
        with open_store(path, clock=fixed_clock) as repo:
            after = state(repo)
            assert after == compacted, where
            assert repo.problems() == [], where
        history = [json.loads(c)["seq"] for c in after["history"]]
        assert history == list(range(len(history), 0, -1)), where
        qatar = '"id":"qatar"'
        assert any(qatar in r for r in after["records"]["actor"]), where
        without_qatar = {
            "records": {k: [r for r in v if qatar not in r] for k, v in after["records"].items()},
            "history": [c for c in after["history"] if qatar not in c],
        }
        if compaction or not persistent:
            # The failed write is not there: its line was taken back.
            assert without_qatar == before, where
        else:
            # The disk refused even to take the line back: the write may have happened,
            # whole, or not at all.
            assert without_qatar["records"] in (before["records"], done["records"]), where
    return total


def test_a_failed_write_leaves_the_tables_and_the_caches_as_they_were(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_store(store_path)
    faults = Faults(monkeypatch)
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.list("actor")  # fills the list cache
        tables = json.dumps(repo.storage.tables, sort_keys=True)
        last_seq, offset = repo.storage.last_seq, repo.storage.journal_size()
        with faults.armed_at(1, only="write"), pytest.raises(DiskError) as info:
            repo.update(actor("hamas", "renamed"))
        assert faults.failed == ["write"]
        assert str(info.value) == (f"disk full writing {store_path}.journal; nothing was saved")
        assert json.dumps(repo.storage.tables, sort_keys=True) == tables
        assert (repo.storage.last_seq, repo.storage.journal_size()) == (last_seq, offset)
        assert repo.get("actor", "hamas").label == "hamas"
        assert [a.label for a in repo.list("actor")] == ["hamas", "State of Israel"]


def test_seed_on_a_full_disk_says_so_in_one_line(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = Faults(monkeypatch)
    with faults.armed_at(1, persistent=True):
        # Every open fails, the lock's first: nothing can be done, and it says so.
        assert cli_main(["--db", str(store_path), "seed"]) == 1
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("parley: too many open files")
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    assert cli_main(["--db", str(store_path), "seed"]) == 1
    _, err = capsys.readouterr()
    assert "Traceback" not in err and err.count("\n") == 1
    assert err.startswith("parley: disk full writing ") and err.endswith("\n")
    assert not list(store_path.parent.glob(".*.tmp"))
    monkeypatch.setattr(os, "write", real_write)
    assert cli_main(["--db", str(store_path), "seed"]) == 0


def test_a_journal_that_cannot_be_read_is_a_store_error(store_path: Path) -> None:
    build_store(store_path)
    journal = Path(f"{store_path}.journal")
    journal.unlink()
    journal.mkdir()  # would open, and every read fail: refused before, as no file of its own
    with pytest.raises(StoreError) as info:
        open_store(store_path)
    assert (
        str(info.value)
        == f"{journal}: not a regular file; refusing to open the store: move it aside"
    )


# -- the directory is synced when a file of the store is made or renamed ----------------


def test_the_folder_is_synced_after_each_file_is_created_or_renamed(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

    def recording_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real_open(file, flags, *args, **kwargs)
        if flags & os.O_CREAT and not Path(file).name.endswith(".lock"):
            events.append(f"create {Path(file).name}")
        return fd

    def recording_fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            events.append("sync folder")
        real_fsync(fd)

    def recording_replace(src: Any, dst: Any) -> None:
        real_replace(src, dst)
        events.append(f"rename to {Path(dst).name}")

    monkeypatch.setattr(os, "open", recording_open)
    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    with open_store(store_path, clock=fixed_clock) as repo:
        repo.add(actor("israel"))
        repo.compact()
    tmp = f"create .parley.json.{os.getpid()}.tmp"
    assert events == [
        # The first write makes the snapshot, then the journal.
        tmp,
        "rename to parley.json",
        "sync folder",
        "create parley.json.journal",
        "sync folder",
        # The compaction makes the history file, then the new snapshot.
        "create parley.json.history",
        "sync folder",
        tmp,
        "rename to parley.json",
        "sync folder",
    ]


# -- parley check on damaged files ------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = b"1" * 5000

PAYLOADS = {
    "journal-deep": ("journal", b'{"g":0,"ops":[["actor","x",{"id":' + DEEP + b"}]]}\n"),
    "journal-huge-int": ("journal", b'{"g":' + HUGE + b',"ops":[]}\n'),
    "journal-infinity": ("journal", b'{"g":Infinity,"ops":[]}\n'),
    "history-deep": ("history", b'{"seq":' + DEEP + b"}\n"),
    "history-huge-int": ("history", b'{"seq":' + HUGE + b"}\n"),
    "history-infinity": ("history", b'{"seq":Infinity}\n'),
    "history-nan": ("history", b'{"seq":NaN}\n'),
    "journal-change-unicode-digit": (
        "journal",
        b'{"g":0,"ops":[["change","\\u00b2",null]]}\n',
    ),
    "journal-change-huge-number": ("journal", b'{"g":0,"ops":[["change","' + HUGE + b'",null]]}\n'),
}


def run_check(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--db", str(path), "check"])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_check_reports_a_damaged_line_by_its_number(store_path: Path, case: str) -> None:
    which, payload = PAYLOADS[case]
    build_store(store_path)
    damaged = Path(f"{store_path}.{which}")
    lines = damaged.read_bytes().count(b"\n")
    with damaged.open("ab") as fh:
        fh.write(payload)
    before = files_of(store_path.parent)
    code, out, err = run_check(store_path)
    assert code == 1
    assert "Traceback" not in err
    assert f"{damaged} line {lines + 1}: " in out + err
    assert files_of(store_path.parent) == before


def test_check_does_not_compact_a_store_with_problems(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_store(store_path)
    with Path(f"{store_path}.history").open("ab") as fh:
        fh.write(b'{"seq":Infinity}\n')
    # Every journal counts as long: closing the store would fold it in.
    monkeypatch.setattr(checkpoint_module, "COMPACT_AT_BYTES", 0)
    before = files_of(store_path.parent)
    code, out, _ = run_check(store_path)
    assert code == 1 and "not a valid change" in out
    assert files_of(store_path.parent) == before


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return fuzz_store.valid_files(tmp_path_factory.mktemp("valid"))


# A few seconds here; `make fuzz` (benchmarks/fuzz_check.py) runs 10,000 cases.
@seed(20240821)
@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_check_and_import_of_damaged_files_never_traceback(
    tmp_path: Path, valid: dict[str, bytes], rng: random.Random
) -> None:
    outcome, failure = fuzz_store.run_case(tmp_path / "fuzz", fuzz_store.damage(rng, valid))
    assert failure is None, f"{outcome}: {failure}"


# -- parley repair ------------------------------------------------------------------------


def repair(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--db", str(path), "repair", *args])
    return code, out.getvalue(), err.getvalue()


def test_repair_sets_a_garbled_last_line_aside_and_the_store_opens(store_path: Path) -> None:
    build_store(store_path)
    with open_store(store_path, clock=fixed_clock) as repo:
        expected = state(repo)
    journal = Path(f"{store_path}.journal")
    good = journal.read_bytes()
    kept = good.count(b"\n")
    garbled = b'{"g":0,"ops":[["actor","egypt",{"id":"egypt"\x00\x13garbage]]}\n'
    journal.write_bytes(good + garbled)
    with pytest.raises(StoreError):
        open_store(store_path)
    # A dry run says what it would do, and does nothing.
    before = files_of(store_path.parent)
    code, out, err = repair(store_path)
    assert (code, err) == (0, "")
    assert f"{journal} line {kept + 1}: not a valid journal entry" in out
    assert f"would keep {kept} entries and set aside line {kept + 1} in {journal}." in out
    assert "add --apply" in out
    assert files_of(store_path.parent) == before
    code, out, err = repair(store_path, "--apply")
    assert (code, err) == (0, "")
    assert f"kept {kept} entries; set aside line {kept + 1} in " in out
    assert journal.read_bytes() == good
    (damaged,) = store_path.parent.glob("parley.json.journal.*.damaged")
    assert damaged.read_bytes() == garbled
    assert datetime.strptime(damaged.name.split(".")[3], "%Y-%m-%dT%H%M%S")
    with open_store(store_path, clock=fixed_clock) as repo:
        assert state(repo) == expected
        assert repo.problems() == []
    code, out, _ = repair(store_path)
    assert code == 0 and "nothing to repair" in out


def test_repair_sets_aside_an_entry_whose_record_is_invalid_and_all_after(
    store_path: Path,
) -> None:
    build_store(store_path)
    journal = Path(f"{store_path}.journal")
    good = journal.read_bytes()
    g = json.loads(good.split(b"\n")[0])["g"]
    invalid = b'{"g":%d,"ops":[["actor","x",{"id":"x","name":"","actor_kind":"state"}]]}\n' % g
    after = b'{"g":%d,"ops":[]}\n{"g":0,"op' % g
    journal.write_bytes(good + invalid + after)
    code, out, _ = repair(store_path, "--apply")
    assert code == 0
    first = good.count(b"\n") + 1
    assert f"set aside lines {first} to {first + 2} in " in out
    assert journal.read_bytes() == good
    (damaged,) = store_path.parent.glob("*.damaged")
    assert damaged.read_bytes() == invalid + after
    with open_store(store_path) as repo:
        assert repo.problems() == []


def test_repair_on_a_damaged_snapshot_says_it_mends_only_the_journal(store_path: Path) -> None:
    build_store(store_path)
    store_path.write_bytes(b"{not json")
    code, _, err = repair(store_path, "--apply")
    assert code == 1
    assert err.startswith(f"parley: {store_path}: not valid JSON")
    assert err.rstrip().endswith("repair mends only the journal")


def test_repair_help_gives_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main(["repair", "--help"])
    out = capsys.readouterr().out
    assert "example" in out and "parley repair --apply" in out


def test_the_readme_lists_repair() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "| `parley repair` |" in readme


# -- the dashboard on a full disk ------------------------------------------------------------


def test_undo_in_the_dashboard_on_a_full_disk_is_a_notice(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_helpers import make_app, notices, press, run_async, seeded_store

    repo = seeded_store(store_path)
    before = state(repo)

    @run_async
    async def run() -> None:
        app = make_app(repo)
        async with app.run_test(size=(120, 40)) as pilot:
            real_write = os.write

            def full(fd: int, data: Any) -> int:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real_write(fd, data)

            monkeypatch.setattr(os, "write", full)
            await press(pilot, "u", "y")  # written before this session: asked first
            monkeypatch.setattr(os, "write", real_write)
            assert app.is_running
            (notice,) = [n for n in notices(app) if n.severity == "error"]
            assert notice.message == f"disk full writing {store_path}.journal; nothing was saved"
            assert state(repo) == before

    run()
    repo.close()
