"""Damaged store files and import files, and what `parley check` and `parley import` make
of them: for the property test in test_io_faults.py and `benchmarks/fuzz_check.py`.

``damage(rng, valid)`` takes the files of a valid store (snapshot, journal, history)
and an export, and damages one of them, one to three times over: cut short, bytes
flipped or inserted, a line dropped, doubled or moved, or, inside the JSON, a value
replaced by one of another type, deep nesting, a huge integer, NaN or Infinity, a key
renamed or removed. ``run_case`` lays the files out and runs `parley check` on the
store, or `parley import` of the damaged export and then `parley check`; it returns
what went wrong, or None: no traceback, exit 0 or 1, check writes nothing, and an
import leaves a store that checks clean.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import traceback
from pathlib import Path
from typing import Any

from faulty_disk import build_store, files_of
from sample_store import Clock
from sample_store import build as build_sample

from store import open_store
from store.exchange.export import export_json
from tui.cli import main as cli_main

STORE_FILES = ("parley.json", "parley.json.journal", "parley.json.history")
IMPORT_FILE = "incoming.json"

DEEP = (150, 250, 1000, 5000)
# Values in their JSON spelling: some no JSON reader should take, some of a wrong type.
ODD_VALUES: tuple[bytes, ...] = (
    b"Infinity",
    b"-Infinity",
    b"NaN",
    b"1" * 5000,
    b"-" + b"9" * 4400,
    b"1e999",
    b"-0",
    b"0.5",
    b"-1",
    b"9223372036854775808",
    b"true",
    b"null",
    b'""',
    b"[]",
    b"{}",
    b'"' + b"x" * 70_000 + b'"',
    b'"\\u202e\\u0000[/]\\ud800"',
    b'"2024-02-30"',
    b'{"seq":1}',
    b'[["actor","x",null]]',
)


def valid_files(folder: Path) -> dict[str, bytes]:
    """A valid store's files and an export to import, made in ``folder``."""
    build_store(folder / "parley.json")
    files = {name: data for name, data in files_of(folder).items() if name in STORE_FILES}
    clock = Clock()
    with open_store(folder / "sample.json", clock=clock) as repo:
        build_sample(repo, clock)
        files[IMPORT_FILE] = export_json(repo).encode("utf-8")
    return files


def _odd_value(rng: random.Random) -> bytes:
    if rng.random() < 0.25:
        depth = rng.choice(DEEP)
        if rng.random() < 0.5:
            return b"[" * depth + b"]" * depth
        return b'{"a":' * depth + b"1" + b"}" * depth
    return rng.choice(ODD_VALUES)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


PLACEHOLDER = "\x00odd\x00"


def _in_json(rng: random.Random, text: bytes) -> bytes:
    """A value, key or member inside one JSON document changed; the text as it was if it
    is not one."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        # Damaged already, or nested deeper than the json module goes.
        return text
    path = rng.choice(_paths(document))
    how = rng.choice(["value", "value", "drop key", "rename key"])
    if not path:
        return _odd_value(rng)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "drop key" and isinstance(parent, dict):
        del parent[last]
        return json.dumps(document).encode("utf-8")
    if how == "rename key" and isinstance(parent, dict):
        parent[rng.choice(["", "ID", "extra", "seq", "g", last + "x"])] = parent.pop(last)
        return json.dumps(document).encode("utf-8")
    parent[last] = PLACEHOLDER
    spelled = json.dumps(document).encode("utf-8")
    return spelled.replace(json.dumps(PLACEHOLDER).encode("utf-8"), _odd_value(rng), 1)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    how = rng.choice(
        ["json", "json", "json", "cut", "flip", "insert", "remove", "lines", "nest", "random"]
    )
    at = rng.randrange(len(data) + 1)
    if how == "random":
        return rng.randbytes(rng.randrange(300))
    if how == "cut":
        return data[:at]
    if how == "flip" and data:
        at = min(at, len(data) - 1)
        return data[:at] + bytes([data[at] ^ rng.randrange(1, 256)]) + data[at + 1 :]
    if how == "insert":
        return data[:at] + rng.randbytes(rng.randrange(1, 20)) + data[at:]
    if how == "remove":
        return data[:at] + data[at + rng.randrange(1, 40) :]
    if how == "nest":
        return data[:at] + _odd_value(rng) + data[at:]
    lines = data.split(b"\n")
    if how == "lines":
        index = rng.randrange(len(lines))
        what = rng.choice(["drop", "double", "move", "blank", "odd"])
        if what == "drop":
            del lines[index]
        elif what == "double":
            lines.insert(index, lines[index])
        elif what == "move":
            lines.insert(rng.randrange(len(lines)), lines.pop(index))
        elif what == "blank":
            lines.insert(index, rng.choice([b"", b" ", b"\r", b"\xff\xfe"]))
        else:
            lines.insert(index, _odd_value(rng))
        return b"\n".join(lines)
    # "json": inside one JSON document, a whole file (snapshot, export) or one line.
    if len([line for line in lines if line.strip()]) > 1 and not data.startswith(b"{\n"):
        candidates = [i for i, line in enumerate(lines) if line.strip()]
        index = rng.choice(candidates)
        lines[index] = _in_json(rng, lines[index])
        return b"\n".join(lines)
    return _in_json(rng, data)


def damage(rng: random.Random, valid: dict[str, bytes]) -> dict[str, bytes]:
    """The valid files with one of them damaged (the export, in about one case in four)."""
    files = dict(valid)
    name = rng.choice([*STORE_FILES, IMPORT_FILE])
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        files[name] = _mutate(rng, files[name])
    if name != IMPORT_FILE and rng.random() < 0.3:
        # Without one of the others: a store that never compacted, or lost a file.
        missing = rng.choice([n for n in STORE_FILES if n != name])
        del files[missing]
    if name == IMPORT_FILE:
        files["import into"] = rng.choice([b"this store", b"a new store"])
    return files


def _cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(args)
    return code, out.getvalue(), err.getvalue()


def run_case(folder: Path, files: dict[str, bytes]) -> tuple[str, str | None]:
    """Run the case in ``folder`` (emptied first): what it came to ("check found
    problems", "import refused", ...) and what went wrong, or None."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    into = files.get("import into")
    for name, data in files.items():
        if name == IMPORT_FILE or (name in STORE_FILES and into != b"a new store"):
            (folder / name).write_bytes(data)
    store = str(folder / "parley.json")
    outcome = "check"
    try:
        if into is not None:
            code, _, err = _cli(["--db", store, "import", str(folder / IMPORT_FILE)])
            outcome = f"import {'written' if code == 0 else 'refused'}, then check"
            if code not in (0, 1) or "Traceback" in err:
                return outcome, f"import exited {code}: {err[-2000:]}"
        before = files_of(folder)
        code, out, err = _cli(["--db", store, "check"])
    except Exception:
        return outcome, traceback.format_exc()
    outcome += " clean" if code == 0 else " found problems"
    if code not in (0, 1) or "Traceback" in err:
        return outcome, f"check exited {code}: {err[-2000:]}"
    if files_of(folder) != before:
        return outcome, "check changed the files"
    if into is not None and code != 0:
        return outcome, f"the store does not check clean after an import: {(out + err)[-2000:]}"
    return outcome, None
