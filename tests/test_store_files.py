"""The store's files are the user's: a file of another user, a folder anyone can write
without the sticky bit, and a symbolic link among the store's files are each refused at
open in one line saying how to make it right; nothing is written through a link, and
`repair` leaves a link's target as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tui_helpers import run_cli

from store import StoreError, open_store
from store.records.commands import Commands

NOBODY = 65534
as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="giving a file to another user takes root (chown)"
)


@pytest.fixture
def db(sample_db: Path) -> Path:
    with open_store(sample_db) as repo:
        # History, journal and lock all present: the snapshot's changes to the history,
        # and one more write to the journal.
        repo.compact()
        Commands(repo).edit("point", "corridor", {"priority": "low"})
    return sample_db


def parley(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--db", str(db), *args], capsys)


def refused(db: Path, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    code, out, err = parley(db, "list", "actor", capsys=capsys)
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, lines
    for word in words:
        assert word in lines[0], (word, lines[0])


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def link_in_place_of(path: Path, elsewhere: Path) -> bytes:
    """The store's file moved to ``elsewhere`` and a link to it left in its place;
    returns the bytes the target holds."""
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    return elsewhere.read_bytes()


@pytest.mark.parametrize("suffix", ["", ".journal", ".history", ".lock"])
def test_a_store_file_that_is_a_link_is_refused_and_never_written_through(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    path = db.with_name(db.name + suffix)
    target = tmp_path / "elsewhere"
    held = link_in_place_of(path, target)
    refused(db, capsys, f"{path}: a symbolic link (to {target})", "put the file itself")
    code, _, err = parley(db, "add", "actor", "--name", "Jordan", "--actor-kind", "state",
                          capsys=capsys)  # fmt: skip
    assert code == 1 and "symbolic link" in err
    assert target.read_bytes() == held
    # Put right as the message says, the store opens.
    path.unlink()
    target.rename(path)
    assert parley(db, "list", "actor", capsys=capsys)[0] == 0


def test_repair_leaves_a_links_target_untouched(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = db.with_name(db.name + ".journal")
    with journal.open("ab") as fh:
        fh.write(b'{"g": 0, "ops": "damaged"}\n')
    target = tmp_path / "elsewhere"
    held = link_in_place_of(journal, target)
    before = files(db.parent)
    code, out, err = parley(db, "repair", "--apply", capsys=capsys)
    assert (code, out) == (1, "")
    assert err.strip().startswith(f"parley: {journal}: a symbolic link")
    assert target.read_bytes() == held
    assert files(db.parent) == before


def test_a_link_put_in_place_after_open_is_not_followed(db: Path, tmp_path: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    repo = open_store(db)
    try:
        target = tmp_path / "elsewhere"
        held = link_in_place_of(journal, target)
        # The journal is opened again for the next write (as after a compaction).
        if repo.storage._journal_fd is not None:
            os.close(repo.storage._journal_fd)
            repo.storage._journal_fd = None
        with pytest.raises(StoreError, match="symbolic link found"):
            Commands(repo).edit("point", "corridor", {"priority": "high"})
    finally:
        # The checkpoint on the last close reads the journal as well, and refuses the
        # link in the same words.
        with pytest.raises(StoreError, match="symbolic link found"):
            repo.close()
    assert target.read_bytes() == held


@as_root
@pytest.mark.parametrize("suffix", ["", ".journal", ".history"])
def test_a_file_of_another_user_is_refused_unless_shared(
    db: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    path = db.with_name(db.name + suffix)
    os.chown(path, NOBODY, -1)
    before = files(db.parent)
    refused(db, capsys, f"{path}: belongs to", f"uid {NOBODY}", "not to you", "chown")
    assert files(db.parent) == before
    code, _, err = run_cli(["--shared-group", "--db", str(db), "list", "actor"], capsys)
    assert (code, err) == (0, "")


def test_a_folder_anyone_can_write_is_refused_without_its_sticky_bit(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = db.parent
    try:
        os.chmod(folder, 0o777)
        refused(db, capsys, f"{folder}: can be written by every user", "chmod o-w")
        os.chmod(folder, 0o1777)
        assert parley(db, "list", "actor", capsys=capsys)[0] == 0
    finally:
        os.chmod(folder, 0o700)
