"""A backup is whole or refused: a CSV export is written apart and moved in complete,
with a manifest an import checks before it reads a row; an export to standard output
that cannot be written whole says so and exits non-zero."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import run_cli

from store import open_store
from store.exchange.backup import MANIFEST
from store.files import access

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(sample_db: Path) -> Path:
    return sample_db


def parley(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--db", str(db), *args], capsys)


def export(db: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = parley(db, "export", "--format", "csv", "-o", str(folder), capsys=capsys)
    assert (code, err) == (0, "")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def empty_store(tmp_path: Path) -> Path:
    target = tmp_path / "copy" / "copy.json"
    target.parent.mkdir()
    with open_store(target):
        pass
    return target


def files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def refused_naming(
    target: Path, folder: Path, name: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(target)
    code, out, err = parley(target, "import", str(folder), capsys=capsys)
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{folder / name}: "), lines
    assert words in lines[0], lines
    assert lines[-1] == f"parley: 1 problem(s) in {folder}; nothing was imported"
    assert "Traceback" not in err
    assert files(target) == before


def test_a_whole_export_imports(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    assert sorted(tree(folder)) == sorted(
        [*(f"{k}.csv" for k in ("actor", "person", "source", "track", "round")),
         *(f"{k}.csv" for k in ("point", "position", "proposal", "event", "assessment")),
         "change.csv", MANIFEST]
    )  # fmt: skip
    target = empty_store(tmp_path)
    code, _, err = parley(target, "import", str(folder), capsys=capsys)
    assert (code, err) == (0, "")
    with open_store(db) as a, open_store(target) as b:
        assert a.count() == b.count() and len(a.history()) == len(b.history())


@pytest.mark.parametrize("name", ["event.csv", "change.csv", "assessment.csv"])
def test_a_folder_missing_a_file_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    (folder / name).unlink()
    refused_naming(empty_store(tmp_path), folder, name, "missing", capsys)


def test_a_folder_without_its_manifest_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    (folder / MANIFEST).unlink()
    refused_naming(empty_store(tmp_path), folder, MANIFEST, "missing", capsys)


def test_a_file_from_an_older_export_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = tmp_path / "older"
    export(db, older, capsys)
    code, _, _ = parley(db, "add", "actor", "--name", "Jordan", "--actor-kind", "state",
                        capsys=capsys)  # fmt: skip
    assert code == 0
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    shutil.copy(older / "actor.csv", folder / "actor.csv")
    refused_naming(empty_store(tmp_path), folder, "actor.csv", "not the file", capsys)


def test_a_file_cut_short_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    data = (folder / "position.csv").read_bytes()
    (folder / "position.csv").write_bytes(data[: len(data) // 2])
    refused_naming(empty_store(tmp_path), folder, "position.csv", "bytes (cut short", capsys)


def test_a_file_the_manifest_does_not_list_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    (folder / "notes.csv").write_text("id\n", encoding="utf-8")
    refused_naming(empty_store(tmp_path), folder, "notes.csv", "not part of this export", capsys)


def test_files_edited_by_hand_are_taken_when_said(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    path = folder / "actor.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Hamas", "Hamas (edited)"))
    target = empty_store(tmp_path)
    refused_naming(target, folder, "actor.csv", "not the file", capsys)
    code, _, err = parley(target, "import", str(folder), "--hand-edited", capsys=capsys)
    assert (code, err) == (0, "")
    with open_store(target) as repo:
        assert "Hamas (edited)" in {a.name for a in repo.list("actor")}


class FailingWrites:
    """``os.write`` that takes ``budget`` bytes, then fails as a full disk does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
        self.budget = budget
        self.real = os.write
        monkeypatch.setattr(os, "write", self.write)

    def write(self, fd: int, data: bytes | memoryview) -> int:
        if self.budget <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = self.real(fd, bytes(data[: self.budget]))
        self.budget -= taken
        return taken


@pytest.mark.parametrize("budget", [0, 3000, 20000])
def test_an_export_cut_short_leaves_the_older_one_whole(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    budget: int,
) -> None:
    folder = tmp_path / "csv"
    export(db, folder, capsys)
    before = tree(folder)
    code, _, _ = parley(db, "add", "actor", "--name", "Jordan", "--actor-kind", "state",
                        capsys=capsys)  # fmt: skip
    assert code == 0
    FailingWrites(monkeypatch, budget)
    code, out, err = parley(db, "export", "--format", "csv", "-o", str(folder), capsys=capsys)
    monkeypatch.undo()
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "no space left on device" in err
    assert "no export was written" in err
    assert tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_first_export_cut_short_leaves_no_folder(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "csv"
    FailingWrites(monkeypatch, 5000)
    code, _, err = parley(db, "export", "--format", "csv", "-o", str(folder), capsys=capsys)
    monkeypatch.undo()
    assert code == 1 and err.count("\n") == 1
    assert not folder.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_never_replaces_a_folder_of_other_files(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "letter.txt").write_text("mine", encoding="utf-8")
    code, _, err = parley(db, "export", "--format", "csv", "-o", str(folder), capsys=capsys)
    assert code == 1
    assert err.strip() == (
        f"parley: {folder} holds files that are not a Parley export's; give a new or empty folder"
    )
    assert tree(folder) == {"letter.txt": b"mine"}


@pytest.mark.parametrize(("shared", "mode"), [(False, 0o700), (True, 0o770)])
def test_an_export_folder_is_the_owners_whatever_the_umask(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shared: bool, mode: int
) -> None:
    folder = tmp_path / "csv"
    old = os.umask(0)
    try:
        flags = ["--shared-group"] if shared else []
        code, _, err = run_cli(
            [*flags, "--db", str(db), "export", "--format", "csv", "-o", str(folder)], capsys
        )
        assert (code, err) == (0, "")
    finally:
        os.umask(old)
        access.share_with_group(False)
    assert folder.stat().st_mode & 0o777 == mode
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {mode & 0o666}


class FullAfter(io.TextIOBase):
    """Standard output on a disk with ``room`` bytes left."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.taken: list[str] = []

    def write(self, text: str) -> int:
        if len(text) > self.room:
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(text)
        self.taken.append(text)
        return len(text)

    def flush(self) -> None:
        if not self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_an_export_to_a_nearly_full_disk_exits_non_zero(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with capsys.disabled():
        monkeypatch.setattr(sys, "stdout", FullAfter(1000))
        err = io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        from tui.cli import main

        code = main(["--db", str(db), "export"])
    assert code == 1
    assert err.getvalue() == (
        "parley: cannot write the export to standard output: no space left on device; "
        "it is not whole\n"
    )


def run_export_into(db: Path, tmp_path: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    with out.open("wb") as sink:
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", "--db", str(db), "export"],
            stdout=sink,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )


def test_an_export_to_a_full_device_exits_non_zero(db: Path, tmp_path: Path) -> None:
    result = run_export_into(db, tmp_path, Path("/dev/full"))
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "parley: cannot write the export to standard output: no space left on device; "
        "it is not whole\n"
    )


def test_an_export_into_a_small_file_system_exits_non_zero(db: Path, tmp_path: Path) -> None:
    """A real nearly full disk: a 64 KiB tmpfs nearly filled, where the export does not fit."""
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip("mounting a small tmpfs needs root; the two tests above cover the path")
    try:
        # Room left for about 8 KiB: less than the export.
        (small / "filler").write_bytes(b"." * 56 * 1024)
        result = run_export_into(db, tmp_path, small / "backup.json")
    finally:
        subprocess.run(["umount", str(small)], check=False)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "parley: cannot write the export to standard output: no space left on device; "
        "it is not whole\n"
    )
