"""Sync in the app: ctrl+g syncs, the header says what waits, X lists the conflicts."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

from conftest import fixed_clock
from sync_helpers import POINT, Laptop, bare_repository
from textual.pilot import Pilot
from tui_helpers import (
    Compare,
    dashboard,
    make_app,
    notices,
    one_size,
    press,
    run_async,
    screen_text,
    settle,
    shoot,
)

from store import StickingPoint, open_store
from store.sync import SyncRepo, sync_dir
from tui.dialogs.conflicts import ConflictsScreen


async def sync_key(pilot: Pilot[None]) -> None:
    """ctrl+g, then wait for the sync it started to end."""
    await press(pilot, "ctrl+g")
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def statuses_at_odds(folder: Path) -> tuple[Laptop, Laptop]:
    """amal's seeded laptop and ben's, in step, then each setting one point's status
    on the same day to a different value."""
    remote = bare_repository(folder)
    amal = Laptop(folder / "amal", "amal", remote, seeded=True, clock=fixed_clock)
    amal.sync()
    ben = Laptop(folder / "ben", "ben", remote, clock=fixed_clock)
    ben.sync()
    amal.set_status("agreed", "2024-08-25")
    ben.set_status("deadlocked", "2024-08-25")
    return amal, ben


@run_async
async def test_a_status_set_on_two_laptops_is_listed_settled_with_one_key_and_agreed(
    tmp_path: Path,
) -> None:
    amal, ben = statuses_at_odds(tmp_path)
    ben.sync()
    app = make_app(amal.repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "1 unpushed" in app.sub_title
        await sync_key(pilot)
        assert "0 unpushed" in app.sub_title and "1 conflict(s)" in app.sub_title
        assert "conflict(s) to settle" in notices(app)[-1].message
        await press(pilot, "X")
        assert isinstance(app.screen, ConflictsScreen)
        shown = screen_text(app)
        assert "point dismantling-hamas" in shown and "status" in shown
        assert "agreed (amal)" in shown and "deadlocked (ben)" in shown
        # Tied on the date, the status replayed last is kept; o takes amal's instead.
        held = amal.repo.get("point", POINT).status  # type: ignore[attr-defined]
        await press(pilot, "a" if held == "agreed" else "o")
        assert "0 to settle" in screen_text(app)
        await press(pilot, "escape")
        assert "conflict" not in app.sub_title and "1 unpushed" in app.sub_title
        await sync_key(pilot)
        assert "0 unpushed" in app.sub_title
    ben.sync()
    assert amal.records() == ben.records()
    amal.close()
    ben.close()
    # What is on disk agrees: both stores, opened afresh, hold amal's status and no conflict.
    for name in ("amal", "ben"):
        with open_store(tmp_path / name / "parley.json") as repo:
            assert repo.get("point", POINT).status == "agreed"  # type: ignore[attr-defined]
            assert SyncRepo(repo).conflicts() == []


@one_size
def test_snapshot_of_the_conflicts_list(
    snap_compare: Compare, tmp_path: Path, size: tuple[int, int]
) -> None:
    amal, ben = statuses_at_odds(tmp_path)
    ben.commands.edit("point", "hostage-release-deal", {"priority": "low"})
    amal.commands.edit("point", "hostage-release-deal", {"priority": "medium"})
    ben.sync()
    amal.sync()
    assert shoot(snap_compare, amal.repo, size, "X")
    amal.close()
    ben.close()


@run_async
async def test_a_sync_that_cannot_reach_the_desk_says_so_and_the_app_goes_on(
    tmp_path: Path,
) -> None:
    amal, ben = statuses_at_odds(tmp_path)
    shutil.move(tmp_path / "desk.git", tmp_path / "away.git")
    app = make_app(amal.repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await sync_key(pilot)
        notice = notices(app)[-1]
        assert notice.severity == "error" and notice.message.startswith("git fetch:")
        assert "1 unpushed" in app.sub_title and "syncing" not in app.sub_title
        await press(pilot, "X")
        assert isinstance(app.screen, ConflictsScreen)
        assert "0 to settle" in screen_text(app)
    assert amal.repo.get("point", POINT).status == "agreed"  # type: ignore[attr-defined]
    amal.close()
    ben.close()


@run_async
async def test_sync_in_a_store_that_does_not_sync_says_how_to_begin(tmp_path: Path) -> None:
    with open_store(tmp_path / "alone.json", clock=fixed_clock) as repo:
        app = make_app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+g")
            assert "parley sync --init REMOTE" in notices(app)[-1].message
            assert not sync_dir(repo.path).exists()


def slow_fetch(laptop: Laptop, gate: Path) -> Path:
    """The laptop's fetches wait, once begun, until ``gate`` exists (a minute at most),
    as over a slow network; returns the file that says a fetch has begun."""
    begun = gate.with_name(gate.name + ".begun")
    script = gate.with_name("slow-upload-pack")
    script.write_text(
        "#!/bin/sh\n"
        f"touch '{begun}'\n"
        "n=0\n"
        f"while [ ! -e '{gate}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n + 1)); done\n"
        'exec git upload-pack "$@"\n'
    )
    script.chmod(0o755)
    subprocess.run(
        ["git", "config", "remote.origin.uploadpack", str(script)],
        cwd=sync_dir(laptop.repo.path),
        check=True,
    )
    return begun


@run_async
async def test_the_dashboard_goes_on_while_git_runs_and_keeps_what_was_edited_meanwhile(
    tmp_path: Path,
) -> None:
    remote = bare_repository(tmp_path)
    amal = Laptop(tmp_path / "amal", "amal", remote, seeded=True, clock=fixed_clock)
    amal.sync()
    ben = Laptop(tmp_path / "ben", "ben", remote, clock=fixed_clock)
    ben.sync()
    ben.commands.edit("actor", "hamas", {"name": "Hamas, as ben has it"})
    ben.sync()
    gate = tmp_path / "gate"
    begun = slow_fetch(amal, gate)
    app = make_app(amal.repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+g")
        while not begun.exists():  # run_async's time limit bounds the wait
            await asyncio.sleep(0.02)
        assert "syncing…" in app.sub_title
        # While git waits on the desk, a point's status is set with three keys.
        await press(pilot, "3")
        point = dashboard(app).selected()
        assert isinstance(point, StickingPoint) and point.status.value != "bridged"
        await press(pilot, "s")
        await press(pilot, "b", "ctrl+s")
        assert app.screen is dashboard(app)
        assert "syncing…" in app.sub_title
        await press(pilot, "ctrl+g")
        assert "A sync is under way" in notices(app)[-1].message
        gate.touch()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "syncing" not in app.sub_title
        assert "took in 1" in notices(app)[-1].message
        # The status set meanwhile waits for the next sync.
        assert "1 unpushed" in app.sub_title
    amal.close()
    # The store file holds both: the edit made during the sync and what it took in.
    with open_store(tmp_path / "amal" / "parley.json") as stored:
        assert stored.get_as(StickingPoint, point.id).status.value == "bridged"
        assert stored.get("actor", "hamas").name == "Hamas, as ben has it"  # type: ignore[attr-defined]
    # The next sync sends it.
    amal = Laptop(tmp_path / "amal", "amal", remote, clock=fixed_clock)
    amal.sync()
    ben.sync()
    assert ben.repo.get_as(StickingPoint, point.id).status.value == "bridged"
    assert amal.records() == ben.records()
    amal.close()
    ben.close()
