"""Every system call the store makes, failed in turn, in every operation a user runs:
never a traceback, never a damaged store, never a lost acknowledged write.

The calls are found in the code, not listed by hand: ``call_sites()`` reads every
module of ``store/`` and names each call of ``os``, ``fcntl``, ``shutil``, ``open``
and of a path's file methods. A dry run of every operation must reach each of them
(outside a ``contextlib.suppress(OSError)``, where a failure is dropped by design), so
a new call nothing reaches fails the suite; each operation is then run once for each
call it makes, with that call failing (EIO, ENOSPC for a write), through the command
line as a user runs it: it ends in one line and exit 1, or succeeds.
"""

from __future__ import annotations

import ast
import builtins
import errno
import fcntl
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import actor
from faulty_disk import build_store, files_of, lay_out

import tui.cli as cli_module
from store import Repository, StoreError, open_store
from store.exchange.bundle import EXPORT_FORMAT, EXPORT_SCHEMA
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "store"
# Sync reaches the disk through git, a program of its own, not through these calls.
SYNC = STORE / "sync"


def store_modules() -> list[Path]:
    """Every module of store/, in its subpackages too, but sync's."""
    return sorted(p for p in STORE.rglob("*.py") if not p.is_relative_to(SYNC))


def site_of(path: Path) -> str:
    """A module's name in a site: its path under store/."""
    return path.relative_to(STORE).as_posix()


# Functions through which the store reaches the disk, by module.
OS_CALLS = (
    "open", "read", "pread", "write", "fsync", "close", "fstat", "stat", "lstat",
    "replace", "rename", "unlink", "ftruncate", "mkdir", "rmdir", "fchmod", "chmod",
    "readlink", "listdir", "scandir",
)  # fmt: skip
PATH_CALLS = (
    "stat", "lstat", "exists", "is_dir", "is_file", "mkdir", "unlink", "rename",
    "replace", "iterdir", "glob", "read_bytes", "read_text", "write_bytes", "write_text",
)  # fmt: skip
MODULE_CALLS = {"os": OS_CALLS, "fcntl": ("flock",), "shutil": ("rmtree", "copy", "move")}

ARTICLE = (
    "Cairo, 25 August. Egyptian mediators said the delegations would meet again within "
    "the week, after a day of talks that ended without a statement.\n"
)
IMPORT = json.dumps(
    {
        "format": EXPORT_FORMAT,
        "schema": EXPORT_SCHEMA,
        "records": {"actor": [actor("egypt").model_dump(mode="json")]},
    }
)


# -- the call sites, from the code ---------------------------------------------------


# A path's methods are told from a string's or a repository's by the receiver's name.
PATHLIKE = re.compile(r"path|folder|parent|journal|tmp|dir|file|lock|history|damaged|stale", re.I)


def _catches_oserror(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = ast.unparse(handler.type)
    return any(name in names for name in ("OSError", "Exception", "BaseException"))


def _guards(expr: ast.expr) -> bool:
    """``contextlib.suppress(OSError)``, or storage's ``_system``, which says an OSError
    as a DiskError."""
    if not isinstance(expr, ast.Call):
        return False
    name = ast.unparse(expr.func)
    return name == "_system" or (name.endswith("suppress") and "OSError" in ast.unparse(expr))


def _guarded_lines(tree: ast.AST) -> set[int]:
    """Lines where an OSError is caught on the spot: inside ``contextlib.suppress(OSError)``
    or a ``try`` with a handler for it. A call elsewhere relies on a caller's handler, so
    an operation must reach it for its failure to be tried."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        body: list[ast.stmt] = []
        guard = isinstance(node, ast.With) and any(
            _guards(item.context_expr) for item in node.items
        )
        handled = isinstance(node, ast.Try) and any(_catches_oserror(h) for h in node.handlers)
        if guard or handled:
            body = node.body  # type: ignore[attr-defined]
        for stmt in body:
            lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def call_sites() -> dict[tuple[str, int], str]:
    """(module file, line) -> the call, for every system call in store/'s modules."""
    found: dict[tuple[str, int], str] = {}
    for path in store_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Calls made on import (a module's constants) are no operation's.
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in (n for f in functions for n in ast.walk(f)):
            if not isinstance(node, ast.Call) or any(
                k.arg == "ignore_errors" for k in node.keywords
            ):
                continue
            func = node.func
            name = ""
            if isinstance(func, ast.Name) and func.id == "open":
                name = "open"
            elif isinstance(func, ast.Attribute):
                owner = func.value
                if isinstance(owner, ast.Name) and func.attr in MODULE_CALLS.get(owner.id, ()):
                    name = f"{owner.id}.{func.attr}"
                elif func.attr in PATH_CALLS and PATHLIKE.search(ast.unparse(owner)):
                    name = f"path.{func.attr}"
            if name:
                found[(site_of(path), node.lineno)] = name
    return found


def required_sites() -> dict[tuple[str, int], str]:
    """The sites an operation must reach: every call not guarded on the spot."""
    guarded: set[tuple[str, int]] = set()
    for path in store_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded.update((site_of(path), line) for line in _guarded_lines(tree))
    return {site: name for site, name in call_sites().items() if site not in guarded}


# -- the faulty disk ----------------------------------------------------------------------


class Calls:
    """Counts the store's system calls on this thread, failing the Nth when asked, and
    notes the site in store/ (or tui/) each came from."""

    def __init__(self) -> None:
        self.armed = False
        self.count = 0
        self.fail_at = 0
        self.sites: dict[tuple[str, int], int] = {}
        self.failed: tuple[str, int] | None = None
        self.main = threading.main_thread()

    def site(self) -> tuple[str, int] | None:
        """The line of store/ the call comes from (through pathlib, say); None for a
        call of the command line's own (its settings) or of the test's."""
        frame = sys._getframe(2)
        while frame is not None:
            file = Path(frame.f_code.co_filename)
            if file.is_relative_to(ROOT):
                inside = file.is_relative_to(STORE) and not file.is_relative_to(SYNC)
                return (site_of(file), frame.f_lineno) if inside else None
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        code = errno.ENOSPC if name in ("write", "ftruncate") else errno.EIO

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.armed and threading.current_thread() is self.main:
                where = self.site()
                if where is not None:
                    self.count += 1
                    self.sites[where] = self.sites.get(where, 0) + 1
                    if self.count == self.fail_at:
                        self.failed = where
                        raise OSError(code, os.strerror(code))
            return real(*args, **kwargs)

        return call

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> Calls:
        calls = cls()
        for name in OS_CALLS:
            monkeypatch.setattr(os, name, calls.wrap(name, getattr(os, name)))
        # Counted and failed like the others, but not waited for: durability is the
        # power-loss tests' to show, and a flush to disk per run would make this slow.
        monkeypatch.setattr(os, "fsync", calls.wrap("fsync", lambda fd: None))
        monkeypatch.setattr(fcntl, "flock", calls.wrap("flock", fcntl.flock))
        monkeypatch.setattr(builtins, "open", calls.wrap("open", builtins.open))
        monkeypatch.setattr(io, "open", calls.wrap("open", io.open))
        return calls

    def run(self, fail_at: int, operation: Callable[[], int]) -> tuple[int, str | None]:
        """The operation's exit status, and the traceback should one escape."""
        self.count, self.fail_at, self.failed = 0, fail_at, None
        self.armed = True
        try:
            return operation(), None
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException:
            return -1, traceback.format_exc()
        finally:
            self.armed = False


# -- the operations -----------------------------------------------------------------------


def cli(*args: str) -> Callable[[Path], int]:
    def run(db: Path) -> int:
        folder = db.parent
        given = [a.replace("{dir}", str(folder)) for a in args]
        return main(["--db", str(db), *given])

    return run


def api(action: Callable[[Repository], object]) -> Callable[[Path], int]:
    """An operation with no command of its own, through the store's API, its error said
    as the command line says one."""

    def run(db: Path) -> int:
        try:
            with open_store(db) as repo:
                action(repo)
        except StoreError as exc:
            print(f"parley: {exc}", file=sys.stderr)
            return 1
        return 0

    return run


open_and_close = api(lambda repo: repo.count())
compact = api(lambda repo: repo.compact())


OPERATIONS: dict[str, Callable[[Path], int]] = {
    "open": open_and_close,
    "list": cli("list", "actor"),
    "add": cli("add", "actor", "--name", "Jordan", "--actor-kind", "state"),
    "edit": cli("edit", "actor", "hamas", "--name", "Hamas movement"),
    "undo": cli("undo"),
    "compact": compact,
    "repair": cli("repair", "--apply"),
    "import": cli("import", "{dir}/incoming.json"),
    "export": cli("export", "-o", "{dir}/out/backup.json"),
    "export-csv": cli("export", "--format", "csv", "-o", "{dir}/out/csv"),
    # Over an older export, which it replaces whole.
    "export-csv-again": cli("export", "--format", "csv", "-o", "{dir}/incoming-csv"),
    "import-csv": cli("import", "{dir}/incoming-csv"),
    "seed": cli("seed"),
    # The history's last line torn by a crash mid-append: cut off by the next compaction.
    "compact-torn": compact,
    "capture": cli(
        "capture",
        "{dir}/report.txt",
        "--outlet",
        "Desk",
        "--title",
        "Cairo talks",
        "--date",
        "2024-08-25",
        "--kind",
        "wire",
    ),
    "check": cli("check"),
    "history": cli("history", "--json"),
    "show": cli("show", "actor", "hamas", "--json"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("template")
    build_store(folder / "parley.json")
    return files_of(folder)


def lay_out_for(operation: str, folder: Path, template: dict[str, bytes]) -> Path:
    files = dict(template) if operation != "seed" else {}
    if operation == "compact-torn":
        files["parley.json.history"] += b'{"seq": 99, "torn'
    if operation == "repair":
        files["parley.json.journal"] += b'{"g": 0, "ops": "cut sh'
        files["parley.json.journal"] += b'ort"}\n{"g": 0, "ops": []}\n'
    db = lay_out(folder, files)
    (folder / "incoming.json").write_text(IMPORT, encoding="utf-8")
    (folder / "report.txt").write_text(ARTICLE, encoding="utf-8")
    if operation in ("import-csv", "export-csv-again"):
        for name, data in csv_export(template).items():
            (folder / "incoming-csv").mkdir(mode=0o700, exist_ok=True)
            (folder / "incoming-csv" / name).write_bytes(data)
    return db


_CSV: dict[int, dict[str, bytes]] = {}


def csv_export(template: dict[str, bytes]) -> dict[str, bytes]:
    """The template's CSV export, made once."""
    key = hash(tuple(sorted(template.items())))
    if key not in _CSV:
        folder = Path(tempfile.mkdtemp())
        try:
            source = lay_out(folder / "store", template)
            out = folder / "csv"
            assert main(["--db", str(source), "export", "--format", "csv", "-o", str(out)]) == 0
            _CSV[key] = {p.name: p.read_bytes() for p in out.iterdir()}
        finally:
            shutil.rmtree(folder)
    return _CSV[key]


def records(db: Path) -> dict[str, list[str]]:
    """Every record as a fresh open reads it; the store must open and be whole."""
    with open_store(db) as repo:
        problems = list(repo.problems())
        assert not problems, problems
        return {
            kind: sorted(r.model_dump_json() for r in repo.list(kind))
            for kind in ("actor", "source", "event", "track")
        }


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    # The command line's parser, built once: building it is most of a command's time, and
    # none of the store's.
    parser = cli_module.build_parser()
    monkeypatch.setattr(cli_module, "build_parser", lambda: parser)
    yield Calls.install(monkeypatch)


def test_the_operations_reach_every_call_site(
    tmp_path: Path, template: dict[str, bytes], calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    """A call no operation reaches is a call no fault test fails: add an operation."""
    for operation, run in OPERATIONS.items():
        db = lay_out_for(operation, tmp_path / operation, template)
        code, failure = calls.run(0, lambda: run(db))  # noqa: B023
        assert (code, failure) == (0, None), (operation, capsys.readouterr().err)
    reached = set(calls.sites)
    missing = {f"{file}:{line} {name}" for (file, line), name in required_sites().items()
               if (file, line) not in reached}  # fmt: skip
    assert not missing, "\n".join(sorted(missing))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".old")))


def opened(db: Path) -> dict[str, list[str]] | None:
    """The records, or None when the store refuses to open (the repair's damaged one)."""
    try:
        return records(db)
    except StoreError:
        return None


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_each_call_failing_in_turn_is_one_line_and_loses_nothing(
    tmp_path: Path,
    template: dict[str, bytes],
    calls: Calls,
    capsys: pytest.CaptureFixture[str],
    operation: str,
) -> None:
    run = OPERATIONS[operation]
    db = lay_out_for(operation, tmp_path / "clean", template)
    before = opened(db)
    code, failure = calls.run(0, lambda: run(db))
    assert (code, failure) == (0, None), capsys.readouterr().err
    after = records(db)
    total = calls.count
    capsys.readouterr()
    tracebacks: list[str] = []
    damaged: list[str] = []
    lost: list[str] = []
    for n in range(1, total + 1):
        folder = tmp_path / f"run-{n}"
        db = lay_out_for(operation, folder, template)
        code, failure = calls.run(n, lambda: run(db))  # noqa: B023
        where = f"call {n} at {calls.failed}"
        _, err = capsys.readouterr()
        if failure is not None:
            tracebacks.append(f"{where}: {failure.strip().splitlines()[-1]}")
            continue
        said = err.strip().splitlines()
        # An import lists its problems, each on a line, then sums them up.
        lines_ok = len(said) == 1 or (operation.startswith("import") and len(said) > 1)
        if code and not (lines_ok and said[-1].startswith("parley: ")):
            tracebacks.append(f"{where}: not one line: {err!r}")
        # An older export moved aside and not removed (its removal failing) is taken away
        # by the next export; anything else left is a defect.
        left = [name for name in leftovers(folder) if not (code == 0 and name.endswith(".old"))]
        if left:
            damaged.append(f"{where}: left {left}")
        now = opened(db)
        if code == 0 and now != after:
            lost.append(where)
        elif code != 0 and now not in (before, after):
            damaged.append(f"{where}: neither as it was nor as the operation leaves it")
        shutil.rmtree(folder)
    print(f"{operation}: {total} calls, each failed in turn")
    assert (tracebacks, damaged, lost) == ([], [], []), "\n".join(tracebacks + damaged + lost)
