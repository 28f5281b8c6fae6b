"""A script reads a record and its revision in one call (`show`, `list --json`,
`history --json`), and its edit or delete names that revision: a co-editor's write in
between is never overwritten, whichever comes first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import run_cli

from store import open_store


@pytest.fixture
def db(sample_db: Path) -> Path:
    return sample_db


def parley(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--db", str(db), *args], capsys)


def shown(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = parley(db, "show", "point", "corridor", "--json", capsys=capsys)
    assert code == 0
    record: dict[str, Any] = json.loads(out)
    return record


def stored(db: Path) -> dict[str, Any]:
    with open_store(db) as repo:
        return repo.get("point", "corridor").model_dump(mode="json")


def test_every_read_carries_the_same_revision(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = shown(db, capsys)
    with open_store(db) as repo:
        assert record["revision"] == repo.revision("point", "corridor") > 0
    code, out, _ = parley(db, "list", "point", "--json", capsys=capsys)
    assert code == 0
    listed = {r["id"]: r for r in json.loads(out)}
    assert listed["corridor"] == record
    code, out, _ = parley(
        db, "history", "--kind", "point", "--id", "corridor", "--json", capsys=capsys
    )
    assert code == 0
    changes = json.loads(out)
    assert changes and {c["record_revision"] for c in changes} == {record["revision"]}
    assert changes[0]["seq"] == record["revision"]


def test_show_in_words_names_each_field_and_the_revision(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(db, "show", "point", "corridor", capsys=capsys)
    assert code == 0
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines["id"] == "corridor"
    assert lines["revision"] == str(stored_revision(db))
    code, _, err = parley(db, "show", "point", "nowhere", capsys=capsys)
    assert code == 1
    assert err.strip() == "parley: no point with id 'nowhere'"


def stored_revision(db: Path) -> int:
    with open_store(db) as repo:
        return repo.revision("point", "corridor")


def test_a_co_editor_between_the_read_and_the_edit_is_kept(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = shown(db, capsys)
    code, _, _ = parley(
        db, "--user", "amal", "edit", "point", "corridor", "--priority", "low", capsys=capsys
    )
    assert code == 0
    after_co_editor = stored(db)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"description": "Mine.", "revision": record["revision"]}))
    code, out, err = parley(db, "edit", "point", "corridor", "--json", str(mine), capsys=capsys)
    assert (code, out) == (1, "")
    assert "was changed by amal" in err and "nothing was saved" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = parley(
        db,
        "edit",
        "point",
        "corridor",
        "--description",
        "Mine.",
        "--revision",
        str(record["revision"]),
        capsys=capsys,
    )
    assert code == 1 and "nothing was saved" in err
    assert stored(db) == after_co_editor


def test_a_read_after_the_co_editor_keeps_both_writes(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = parley(
        db, "--user", "amal", "edit", "point", "corridor", "--priority", "low", capsys=capsys
    )
    assert code == 0
    record = shown(db, capsys)
    assert record["priority"] == "low"
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"description": "Mine.", "revision": record["revision"]}))
    code, out, _ = parley(db, "edit", "point", "corridor", "--json", str(mine), capsys=capsys)
    assert code == 0, out
    now = stored(db)
    assert (now["priority"], now["description"]) == ("low", "Mine.")


def test_a_read_in_one_process_sees_fields_and_revision_of_the_same_write(db: Path) -> None:
    with open_store(db) as script, open_store(db) as co_editor:
        before = script.revision("point", "corridor")
        from store.records.commands import Commands

        Commands(co_editor).edit("point", "corridor", {"priority": "low"})
        with script.one_read():
            record = script.get("point", "corridor")
            revision = script.revision("point", "corridor")
        assert revision > before
        assert record.model_dump(mode="json")["priority"] == "low"


def test_delete_names_its_revision(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No record refers to an event.
    with open_store(db) as repo:
        victim = repo.list("event")[0].id
        revision = repo.revision("event", victim)
    code, _, err = parley(
        db, "delete", "event", victim, "--revision", str(revision - 1), capsys=capsys
    )
    assert code == 1 and "nothing was deleted" in err
    code, out, _ = parley(db, "delete", "event", victim, "--revision", str(revision), capsys=capsys)
    assert (code, out.strip()) == (0, f"deleted event {victim}")
    with open_store(db) as repo:
        assert not repo.exists("event", victim)


def test_the_command_lines_revision_speaks_over_the_files(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = shown(db, capsys)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"description": "Mine.", "revision": record["revision"] - 1}))
    args = ["edit", "point", "corridor", "--json", str(mine)]
    code, _, err = parley(db, *args, capsys=capsys)
    assert code == 1 and "nothing was saved" in err
    code, _, err = parley(db, *args, "--revision", str(record["revision"]), capsys=capsys)
    assert (code, err) == (0, "")
    assert stored(db)["description"] == "Mine."
