"""Parley ends when its terminal goes away, with its writes on disk and its lock released.

``parley`` runs in a pseudo-terminal; closing the terminal's other side is what a
closed window or tmux pane does. With the terminal as its controlling terminal the
process gets SIGHUP; without (a child of ``make`` that has not got it), its input
ends. Either way it must be gone within two seconds.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest
from conftest import fixed_clock
from tui_helpers import read_until, start_in_terminal

from store import Kind, open_store
from store.exchange.seed import seed
from store.files.lock import lock_path_of
from store.records.commands import Commands
from tui.compat import hangup, pins


@pytest.mark.parametrize("controlling", [True, False], ids=["sighup", "end-of-input"])
def test_parley_ends_when_its_terminal_closes(tmp_path: Path, controlling: bool) -> None:
    db = tmp_path / "parley.json"
    with open_store(db, clock=fixed_clock) as repo:
        seed(repo)
        # A change for the dashboard to undo: the deletion of an event.
        event_id = repo.ids(Kind.EVENT)[0]
        Commands(repo).delete(Kind.EVENT, event_id)
    process, master = start_in_terminal(db, tmp_path, controlling=controlling)
    try:
        seen = bytearray()
        read_until(master, b"Overview", seen)
        # A write acknowledged on screen before the terminal goes: undo the deletion.
        os.write(master, b"u")
        # Written before this session: undo asks first.
        read_until(master, b"Undo?", seen)
        os.write(master, b"y")
        read_until(master, b"Undid", seen)
        os.close(master)
        closed = time.monotonic()
        process.wait(timeout=2)
        took = time.monotonic() - closed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert took < 2
    assert process.returncode == 0
    lock = os.open(lock_path_of(db), os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held
    finally:
        os.close(lock)
    with open_store(db, clock=fixed_clock) as repo:
        assert repo.problems() == []
        assert repo.exists(Kind.EVENT, event_id)  # the undo is on disk


def test_the_driver_is_textuals_own_outside_the_pinned_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    assert hangup.driver_for(LinuxDriver) is hangup.HangupDriver
    monkeypatch.setattr(pins, "installed", lambda package: "99.0.0")
    assert hangup.driver_for(LinuxDriver) is LinuxDriver
