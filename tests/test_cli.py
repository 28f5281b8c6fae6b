"""The ``parley`` command line: exit codes, one-line errors, and each subcommand's output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import run_cli

from store.exchange.seed import SEEDS_DIR, load_seed_records
from tui.cli import build_parser

ANSI = re.compile(r"\x1b\[")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(sample_db: Path) -> Path:
    return sample_db


def one_error_line(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    return lines[0]


SUBCOMMANDS = ["seed", "check", "brief", "export", "import", "serve"]


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli([name, "--help"], capsys)
    assert code == 0
    assert "example:" in out
    assert re.search(rf"^  parley .*{name}", out, re.M), out


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0
    for name in SUBCOMMANDS:
        assert re.search(rf"^    {name} ", out, re.M), name


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["brief", "--as-of", "2024-13-01"], "argument --as-of: '2024-13-01' is not a date"),
        (["brief", "--since", "20/08/2024"], "argument --since: '20/08/2024' is not a date"),
        (["brief", "--as-of", "2024-8-1"], "argument --as-of: '2024-8-1' is not a date"),
        (["brief", "--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
        (["brief", "--since", "2024-08-22", "--as-of", "2024-08-20"], "--since 2024-08-22 is"),
        (["export", "--format", "csv"], "give a folder with -o FOLDER"),
        (["export", "--format", "xml"], "invalid choice: 'xml'"),
        (["import"], "the following arguments are required: FILE"),
        (["serve", "--port", "70000"], "argument --port: '70000' is not a port number"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    db: Path, args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["--db", str(db), *args], capsys)
    assert code == 2
    assert needle in one_error_line(err)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["brief", "--track", "nope"], "no track with id 'nope' (tracks: talks)"),
        (["import", "missing.json"], "missing.json: no such file or folder"),
    ],
)
def test_input_problems_exit_1_with_one_line(
    db: Path, args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["--db", str(db), *args], capsys)
    assert code == 1
    assert needle in one_error_line(err)


@pytest.mark.parametrize("command", [["brief"], ["export"], ["check"], ["import", "x.json"]])
def test_a_corrupt_store_is_one_line_exit_1(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    (tmp_path / "x.json").write_text("{}")
    code, _, err = run_cli(["--db", str(bad), *command], capsys)
    assert code == 1
    assert "bad.json: not valid JSON" in one_error_line(err)


def test_brief_on_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["--db", str(tmp_path / "new.json"), "brief"], capsys)
    assert code == 1
    assert "no track yet" in one_error_line(err)


def test_brief_to_a_pipe_is_plain_text(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, err = run_cli(["--db", str(db), "brief", "--as-of", "2024-08-21"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("Briefing: Ceasefire and hostage talks\nAs of 2024-08-21")
    assert not ANSI.search(out)
    assert "Border corridor (open · high priority): Whether troops stay" in out
    assert all(line == line.rstrip() for line in out.split("\n"))


def test_brief_on_a_terminal_is_styled_unless_no_color(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda *a: os.terminal_size((100, 40)))
    code, out, _ = run_cli(["--db", str(db), "brief"], capsys)
    assert code == 0 and ANSI.search(out)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run_cli(["--db", str(db), "brief"], capsys)
    assert code == 0 and not ANSI.search(out)
    assert "Border corridor" in out


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("text", "Briefing: "), ("markdown", "# Briefing: "), ("html", "<!DOCTYPE html>")],
)
def test_brief_writes_each_format_to_a_file(
    db: Path, tmp_path: Path, fmt: str, start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / f"brief.{fmt}"
    args = ["--db", str(db), "brief", "--format", fmt, "-o", str(out_file), "--since", "2024-08-20"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0
    assert out == f"wrote the {fmt} brief on 'talks' to {out_file}\n"
    text = out_file.read_text()
    assert text.startswith(start)
    assert not ANSI.search(text)
    assert "Recorded in the store since 2024-08-20" in text


def test_export_import_round_trip_through_the_command(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, exported, _ = run_cli(["--db", str(db), "export"], capsys)
    assert code == 0
    document = json.loads(exported)
    assert document["format"] == "parley-export"
    dump = tmp_path / "dump.json"
    code, out, _ = run_cli(["--db", str(db), "export", "-o", str(dump)], capsys)
    assert code == 0 and out.startswith(f"exported {sum(map(len, document['records'].values()))}")
    assert dump.read_text() == exported

    copy = tmp_path / "copy.json"
    code, out, _ = run_cli(["--db", str(copy), "import", str(dump), "--dry-run"], capsys)
    assert code == 0
    lines = out.strip().split("\n")
    assert "add track 'talks'" in lines
    assert lines[-1].startswith(f"dry run of {dump}: would add ")
    assert lines[-1].endswith("history entries; nothing was written")
    assert not copy.exists()

    code, out, _ = run_cli(["--db", str(copy), "import", str(dump)], capsys)
    assert code == 0 and out.startswith(f"imported {dump} into {copy}: added ")
    code, again, _ = run_cli(["--db", str(copy), "export"], capsys)
    assert again == exported

    code, out, _ = run_cli(["--db", str(copy), "import", str(dump)], capsys)
    assert code == 0 and "added 0, changed 0, unchanged" in out


def test_export_csv_and_import_the_folder(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    code, out, _ = run_cli(
        ["--db", str(db), "export", "--format", "csv", "-o", str(folder)], capsys
    )
    assert code == 0 and "11 CSV files" in out
    copy = tmp_path / "copy.json"
    code, out, _ = run_cli(["--db", str(copy), "import", str(folder)], capsys)
    assert code == 0, out
    _, a, _ = run_cli(["--db", str(db), "export"], capsys)
    _, b, _ = run_cli(["--db", str(copy), "export"], capsys)
    assert a == b


def test_import_problems_one_line_each(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    records = {"actor": [{"id": "x", "name": "", "actor_kind": "planet"}]}
    bad.write_text(json.dumps({"format": "parley-export", "schema": 1, "records": records}))
    code, _, err = run_cli(["--db", str(db), "import", str(bad), "--dry-run"], capsys)
    assert code == 1
    assert err.strip().split("\n") == [
        f"{bad}: actor #1 'x': name: must not be empty",
        f"{bad}: actor #1 'x': actor_kind: Input should be 'state', 'movement', "
        "'organisation', 'coalition', 'government', 'armed group', 'military', "
        "'paramilitary', 'militia' or 'mediator body'",
        f"parley: 2 problem(s) in {bad}; nothing was imported",
    ]


def test_seed_and_check_still_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "seeded.json"
    code, out, _ = run_cli(["--db", str(store), "seed"], capsys)
    assert code == 0 and out.startswith(f"seeded {store} with ")
    code, out, _ = run_cli(["--db", str(store), "check"], capsys)
    assert code == 0 and "no problems" in out


@pytest.mark.skipif(not list(SEEDS_DIR.glob("*.json")), reason="no seed data")
def test_brief_of_the_seed_data_names_every_sticking_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "seeded.json"
    assert run_cli(["--db", str(store), "seed"], capsys)[0] == 0
    code, out, _ = run_cli(["--db", str(store), "brief", "--format", "markdown"], capsys)
    assert code == 0
    for record in load_seed_records():
        if record.kind == "point":
            title = record.title  # type: ignore[attr-defined]
            assert title.replace('"', "") in out.replace('"', "").replace("\\", "")


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe garbage")
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(bad), "brief"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().split("\n")) == 1


def test_parser_builds() -> None:
    assert build_parser().prog == "parley"
