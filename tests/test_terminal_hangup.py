"""Parley ends when its terminal goes away, with its writes on disk and its lock released.

``parley`` runs in a pseudo-terminal; closing the terminal's other side is what a
closed window or tmux pane does. With the terminal as its controlling terminal the
process gets SIGHUP; without (a child of ``make`` that has not got it), its input
ends. Either way it must be gone within two seconds.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from conftest import fixed_clock

from store import Kind, open_store
from store.commands import Commands
from store.seed import seed
from store.storage import lock_path_of
from tui.compat import hangup, pins

ROOT = Path(__file__).resolve().parents[1]


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 60) -> None:
    """Read the terminal's output until ``wanted`` shows, or fail."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never showed; the screen ended with {bytes(seen[-300:])!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the other side has closed: the process has ended
                raise AssertionError(f"the process ended: {bytes(seen[-300:])!r}") from None


@pytest.mark.parametrize("controlling", [True, False], ids=["sighup", "end-of-input"])
def test_parley_ends_when_its_terminal_closes(tmp_path: Path, controlling: bool) -> None:
    db = tmp_path / "parley.json"
    with open_store(db, clock=fixed_clock) as repo:
        seed(repo)
        # A change for the dashboard to undo: the deletion of an event.
        event_id = repo.ids(Kind.EVENT)[0]
        Commands(repo).delete(Kind.EVENT, event_id)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def take_terminal() -> None:
        # In the child, a session leader: the terminal becomes its controlling terminal.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        preexec_fn=take_terminal if controlling else None,
    )
    os.close(slave)
    try:
        seen = bytearray()
        read_until(master, b"Overview", seen)
        # A write acknowledged on screen before the terminal goes: undo the deletion.
        os.write(master, b"u")
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
