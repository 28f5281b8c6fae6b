"""The desk kept from the last session: drawn at once on the next start, the store read
after it, and never used for a store that is not as it was kept."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FIXED_NOW, fixed_clock
from desk_store import SUDAN, SUDAN_SOURCE
from tinydb import TinyDB
from tui_helpers import (
    SEED_TRACK,
    exit_status,
    in_terminal,
    make_app,
    press,
    read_until,
    run_async,
    screen_text,
    settle,
)

from store import PointStatus, Repository, StoreError, open_store, system_clock
from store.reading.desk import desk
from store.reading.kept_desk import KeptDesk, keep, kept, kept_path
from store.records.commands import Commands
from store.records.drafts import Citation
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen

TODAY = FIXED_NOW.date()
KEPT_WHY = "this line was kept, not read"
CITE = Citation(source_ids=[SUDAN_SOURCE])


@pytest.fixture
def at_rest(three_tracks: Repository) -> Path:
    """The three tracks' store, closed by its last process: the journal folded in."""
    three_tracks.close()
    return three_tracks.path


def keep_closed(path: Path) -> None:
    """Open, keep the desk as the dashboard does on quitting, and close."""
    with open_store(path, clock=fixed_clock) as repo:
        repo.settle()
        assert keep(repo)


def reopen(repo: Repository) -> None:
    """A write: Sudan's aid corridors, deadlocked, open again."""
    Commands(repo).set_status("point", "aid-corridors", PointStatus.OPEN, TODAY, cite=CITE)


def mark_kept_why(path: Path) -> None:
    """Every kept line's why, changed: what shows it can only come from the file."""
    found = json.loads(kept_path(path).read_text(encoding="utf-8"))
    for row in found["rows"]:
        row["why"] = KEPT_WHY
    kept_path(path).write_text(json.dumps(found), encoding="utf-8")


def kept_marked(path: Path) -> KeptDesk:
    """The desk kept for the store at ``path``, its lines marked (``mark_kept_why``)."""
    keep_closed(path)
    mark_kept_why(path)
    found = kept(path, TODAY)
    assert found is not None
    return found


def test_the_kept_desk_is_the_desk_the_store_gives(at_rest: Path) -> None:
    keep_closed(at_rest)
    found = kept(at_rest, TODAY)
    assert found is not None
    with open_store(at_rest, clock=fixed_clock) as repo:
        assert found.rows == desk(repo)
        assert found.tracks == [t.id for t in repo.tracks()]


def test_a_desk_is_not_kept_while_the_journal_holds_a_write(at_rest: Path) -> None:
    with open_store(at_rest, clock=fixed_clock) as repo:
        reopen(repo)
        assert repo.at_rest() is None
        assert not keep(repo)
    assert not kept_path(at_rest).exists()


def test_the_kept_desk_is_not_used_for_a_store_that_changed_since(at_rest: Path) -> None:
    keep_closed(at_rest)
    assert kept(at_rest, TODAY) is not None
    assert kept(at_rest, TODAY + timedelta(days=1)) is None
    # A write by another process, still in the journal.
    other = open_store(at_rest, clock=fixed_clock)
    reopen(other)
    assert kept(at_rest, TODAY) is None
    other.close()  # the last to close it: folded into a new snapshot
    assert kept(at_rest, TODAY) is None
    keep_closed(at_rest)
    assert kept(at_rest, TODAY) is not None
    # A stock TinyDB script changes the snapshot.
    with TinyDB(at_rest) as db:
        db.table("track").update({"title": "Renamed outside"}, doc_ids=[SUDAN])
    assert kept(at_rest, TODAY) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "[]",
        lambda text: text.replace('"format": 1', '"format": 99'),
        lambda text: text.replace('"why": ', '"why": 7, "x": '),
    ],
    ids=["cut short", "not an object", "another format", "a row that does not validate"],
)
def test_a_kept_desk_that_does_not_read_is_not_used(
    at_rest: Path, damage: Callable[[str], str]
) -> None:
    keep_closed(at_rest)
    file = kept_path(at_rest)
    text = json.dumps(json.loads(file.read_text(encoding="utf-8")), indent=0)
    file.write_text(damage(text), encoding="utf-8")
    assert kept(at_rest, TODAY) is None


def test_a_deferred_store_is_read_when_first_used_and_left_as_found_if_never(
    at_rest: Path,
) -> None:
    before = {p.name: p.read_bytes() for p in at_rest.parent.iterdir()}
    repo = open_store(at_rest, clock=fixed_clock, defer=True)
    assert not repo.is_open
    repo.close()
    assert not repo.is_open
    assert {p.name: p.read_bytes() for p in at_rest.parent.iterdir()} == before
    repo = open_store(at_rest, clock=fixed_clock, defer=True)
    assert SEED_TRACK in [t.id for t in repo.tracks()]
    assert repo.is_open
    repo.close()


@run_async
async def test_the_app_draws_the_kept_desk_then_reads_the_store(at_rest: Path) -> None:
    found = kept_marked(at_rest)
    repo = open_store(at_rest, clock=fixed_clock, defer=True)
    app = make_app(repo, kept=found)
    # What is on screen when the store's reading starts.
    seen: list[tuple[bool, str]] = []
    read = app._read_store

    def reading() -> None:
        seen.append((repo.is_open, screen_text(app)))
        read()

    app._read_store = reading  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        # The kept desk was drawn first, the store read once it was.
        assert len(seen) == 1 and not seen[0][0] and KEPT_WHY in seen[0][1]
        # The store as kept, so the kept lines stay.
        assert repo.is_open
        assert KEPT_WHY in screen_text(app)
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert app.track_id == found.rows[1].track.id
        # A write from here reaches the store, and the desk reads it afresh.
        await press(pilot, "T")
        reopen(repo)
        await settle(pilot)
        assert KEPT_WHY not in screen_text(app)
    repo.close()


@run_async
async def test_a_store_written_after_its_desk_was_kept_is_read_afresh(at_rest: Path) -> None:
    found = kept_marked(at_rest)
    # Another process writes between the desk's keeping and the store's reading.
    other = open_store(at_rest, clock=fixed_clock)
    reopen(other)
    repo = open_store(at_rest, clock=fixed_clock, defer=True)
    app = make_app(repo, kept=found)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert repo.is_open
        assert KEPT_WHY not in screen_text(app)
        assert "Aid corridors open" in screen_text(app)
    repo.close()
    other.close()


@run_async
async def test_a_store_that_fails_to_read_after_its_kept_desk_ends_the_app(
    at_rest: Path,
) -> None:
    keep_closed(at_rest)
    found = kept(at_rest, TODAY)
    assert found is not None
    repo = open_store(at_rest, clock=fixed_clock, defer=True)
    # Damaged in place after the desk was found kept (same inode and size, another mtime).
    raw = bytearray(at_rest.read_bytes())
    raw[0:1] = b"x"
    at_rest.write_bytes(bytes(raw))
    app = make_app(repo, kept=found)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert isinstance(app.open_failed, StoreError)
    assert app.return_code == 1
    repo.close()


def test_parley_keeps_the_desk_on_quitting_and_draws_it_first_next_time(
    at_rest: Path, tmp_path: Path
) -> None:
    """In a terminal: the first start reads the store and keeps its desk on quitting;
    the next draws the kept lines (one marked, to tell them apart), and quitting keeps
    the store's own again."""

    def run(*steps: tuple[bytes, bytes]) -> None:
        """Each step: wait for its words on the screen, then type its keys."""
        with in_terminal(at_rest, tmp_path) as (process, master):
            seen = bytearray()
            for words, keys in steps:
                read_until(master, words, seen)
                os.write(master, keys)
            assert exit_status(process, master) == 0

    today = system_clock().date()  # the day as parley reckons it
    run((b"every track", b"q"))
    first = kept(at_rest, today)
    assert first is not None and KEPT_WHY not in {r.why for r in first.rows}
    mark_kept_why(at_rest)
    # Enter opens a track, which needs the store read: quitting then keeps it afresh.
    run((KEPT_WHY.encode(), b"\r"), (b"Overview", b"q"))
    again = kept(at_rest, today)
    assert again is not None and again.rows == first.rows
