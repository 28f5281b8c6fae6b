"""A store's files are their owner's alone (0600), or their group's too when shared
(0660), whatever the umask; a store that others could write is refused in one line."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_helpers import run_cli

from store import open_store
from store.files.access import OWNER_AND_GROUP, OWNER_ONLY


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """022, as on most machines: it would leave new files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(folder: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in sorted(folder.iterdir())}


def make_store(folder: Path, capsys: pytest.CaptureFixture[str], *options: str) -> Path:
    """A store made and written through the CLI: its snapshot, journal, history and lock."""
    db = folder / "parley.json"
    assert run_cli([*options, "--db", str(db), "seed"], capsys)[0] == 0
    # Folded into the snapshot, the changes go to the history; then a journal again.
    with open_store(db) as repo:
        repo.compact()
    code, _, err = run_cli([*options, "--db", str(db), "undo"], capsys)
    assert code == 0, err
    return db


def test_new_store_files_and_exports_are_the_owners_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    db = make_store(store, capsys)
    exported = tmp_path / "export.json"
    assert run_cli(["--db", str(db), "export", "-o", str(exported)], capsys)[0] == 0
    assert (
        run_cli(
            ["--db", str(db), "export", "--format", "csv", "-o", str(tmp_path / "csv")], capsys
        )[0]
        == 0
    )
    found = modes(store)
    assert {"parley.json", "parley.json.journal", "parley.json.history", "parley.json.lock"} <= set(
        found
    )
    assert set(found.values()) == {OWNER_ONLY}
    assert modes(tmp_path / "csv") and set(modes(tmp_path / "csv").values()) == {OWNER_ONLY}
    assert stat.S_IMODE(exported.stat().st_mode) == OWNER_ONLY


@pytest.mark.parametrize("how", ["option", "setting", "environment"])
def test_a_store_shared_with_its_group_is_0660(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    options: tuple[str, ...] = ("--shared-group",) if how == "option" else ()
    if how == "environment":
        monkeypatch.setenv("PARLEY_SHARED_GROUP", "1")
    if how == "setting":
        config = Path(os.environ["XDG_CONFIG_HOME"]) / "parley" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text("shared_group = true\n")
    make_store(tmp_path, capsys, *options)
    assert set(modes(tmp_path).values()) == {OWNER_AND_GROUP}
    # The processes parley starts (a served session) share the store the same way.
    assert os.environ["PARLEY_SHARED_GROUP"] == "1"


@pytest.mark.parametrize(
    ("name", "bits", "said"),
    [
        ("parley.json.journal", stat.S_IWOTH, "can be written by every user of this machine"),
        ("parley.json", stat.S_IWGRP, "can be written by its group"),
        ("parley.json.lock", stat.S_IWGRP | stat.S_IWOTH, "can be written by every user"),
    ],
)
def test_a_store_others_can_write_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, bits: int, said: str
) -> None:
    db = make_store(tmp_path, capsys)
    path = tmp_path / name
    path.chmod(stat.S_IMODE(path.stat().st_mode) | bits)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for command in (["check"], ["brief"], ["list", "point"]):
        code, out, err = run_cli(["--db", str(db), *command], capsys)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and err.startswith(f"parley: {path} {said}")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_group_writable_store_opens_when_shared_with_the_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_store(tmp_path, capsys)
    for path in tmp_path.iterdir():
        path.chmod(OWNER_AND_GROUP)
    assert run_cli(["--db", str(db), "check"], capsys)[0] == 1
    code, out, _ = run_cli(["--shared-group", "--db", str(db), "check"], capsys)
    assert code == 0 and "no problems" in out
