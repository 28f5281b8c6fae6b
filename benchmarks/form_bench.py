"""How long a form takes to open: from the key (or the call) to the form settled on screen.

Run ``python benchmarks/form_bench.py`` (``--runs 15`` for more opens of each form,
``--baseline REV`` to compare with another commit). In the seeded store, on the
Gaza track, the dashboard runs under Pilot in a 120x40 terminal; each form below is
opened ``--runs`` times (after one warm-up opening) and closed with esc in between:

* position, full form (``P``), and the quick position (``p``);
* round, quick (``r``) and full (``R``); event, quick (``n``) and full (``N``);
* status of the latest round, quick and full (as ``s`` and ``S`` on it);
* a new source (the full form of ``+`` → Source);
* the edit form of an actor (``e`` on it).

For each: the median CPU time of the process (``time.process_time``: what the
opening costs, less moved by other processes than the wall time) and the median wall
time, in ms per opening; and the thousands of Python function calls one more opening
takes (under ``cProfile``): the work done, whatever the load of the machine.
"Settled" is Pilot's ``pause()`` twice: every message the opening queued has been
handled and the screen drawn.

The baseline, in the same run: the same script run on Parley at ``--baseline``
(checked out in a temporary git worktree), then on this checkout, each in a child
process of its own, one after the other. Other processes on the machine slow the
wall times: the load average is printed at the start.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Main when this measure was written: the forms as they opened before they were made fast.
BASELINE = "e23f3d6"
TRACK = "gaza-ceasefire-hostage-talks"
SIZE = (120, 40)
RUNS = 9
# The seed's clock, as the tests have it: the same dates in every form.
NOW = datetime(2024, 8, 21, 12, 0, tzinfo=UTC)

# (name, key pressed on the dashboard, or the name of a form built by ``opener``)
FORMS: list[tuple[str, str]] = [
    ("position, full (P)", "key:P"),
    ("position, quick (p)", "key:p"),
    ("round, quick (r)", "key:r"),
    ("round, full (R)", "key:R"),
    ("event, quick (n)", "key:n"),
    ("event, full (N)", "key:N"),
    ("status, quick (s)", "status"),
    ("status, full (S)", "status-full"),
    ("source, new (+)", "source"),
    ("actor, edit (e)", "actor"),
]


def opener(name: str, screen: Any, repo: Any) -> Callable[[], Any]:
    """A function that builds the form ``name`` as the dashboard's keys build it."""
    from store import Actor, Kind, Round

    if name in ("status", "status-full"):
        latest = repo.list(Kind.ROUND, track_id=TRACK)[-1]
        assert isinstance(latest, Round)
        return lambda: screen.quick().status(latest, name == "status-full")
    if name == "source":
        return lambda: screen.forms().record_form(Kind.SOURCE)
    if name == "actor":
        actor = repo.list(Kind.ACTOR)[0]
        assert isinstance(actor, Actor)
        return lambda: screen.forms().record_form(Kind.ACTOR, actor)
    raise ValueError(name)


async def open_forms(runs: int) -> dict[str, dict[str, float]]:
    """Median CPU and wall ms per opening of each form, in this process's Parley."""
    from store import open_store
    from store.exchange.seed import seed
    from tui.app import ParleyApp
    from tui.dialogs.form import FormScreen

    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        repo = open_store(Path(tmp) / "parley.json", clock=lambda: NOW)
        seed(repo)
        app = ParleyApp(repo, track_id=TRACK, poll=False)
        app.theme = "textual-dark"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            dashboard = app.screen
            for label, how in FORMS:
                key = how.removeprefix("key:") if how.startswith("key:") else None
                make = None if key else opener(how, dashboard, repo)
                cpu: list[float] = []
                wall: list[float] = []

                async def open_form(
                    key: str | None = key, make: Callable[[], Any] | None = make
                ) -> None:
                    """Open the form and let it settle (two pauses)."""
                    if key:
                        await pilot.press(key)
                    else:
                        assert make is not None
                        app.push_screen(make())
                    await pilot.pause()
                    await pilot.pause()

                for run in range(runs + 1):
                    started, used = time.perf_counter(), time.process_time()
                    await open_form()
                    if run:  # the first opening warms the caches: not counted
                        cpu.append(time.process_time() - used)
                        wall.append(time.perf_counter() - started)
                    if not isinstance(app.screen, FormScreen):
                        raise RuntimeError(f"{label}: no form opened ({app.screen!r})")
                    await pilot.press("escape")
                    await pilot.pause()
                    if app.screen is not dashboard:
                        raise RuntimeError(f"{label}: esc left {app.screen!r} open")
                # One more opening, profiled: the Python calls it takes count the work
                # done whatever else the machine is doing.
                profile = cProfile.Profile()
                profile.enable()
                await open_form()
                profile.disable()
                await pilot.press("escape")
                await pilot.pause()
                figures[label] = {
                    "cpu": statistics.median(cpu) * 1000,
                    "wall": statistics.median(wall) * 1000,
                    "calls": pstats.Stats(profile).total_calls / 1000,  # type: ignore[attr-defined]
                }
        repo.close()
    return figures


def measure_in(tree: Path, runs: int) -> dict[str, Any] | str:
    from worktree import figures

    return figures(__file__, ["--measure", "--runs", str(runs)], tree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="openings of each form")
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        # Run by ``measure_in`` with the tree to measure first on the path.
        print(json.dumps(asyncio.run(open_forms(args.runs))))
        return 0

    from worktree import checkout

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{SIZE[0]}x{SIZE[1]}, seeded store, median of {args.runs} openings, ms per opening")
    with checkout(ROOT, args.baseline) as tree:
        base = measure_in(tree, args.runs) if isinstance(tree, Path) else tree
    now = measure_in(ROOT, args.runs)
    if isinstance(now, str):
        print(f"this checkout: {now}")
        return 1
    name = f"baseline {args.baseline}"
    print(
        f"{'form':<22} {name + ' cpu':>20} {'wall':>7} {'calls':>7}"
        f" {'this tree cpu':>14} {'wall':>7} {'calls':>7}"
    )
    for label, mine in now.items():
        if isinstance(base, dict) and label in base:
            was = base[label]
            before = f"{was['cpu']:>20.0f} {was['wall']:>7.0f} {was.get('calls', 0):>6.0f}k"
        else:
            before = f"{'-':>20} {'-':>7} {'-':>7}"
        after = f"{mine['cpu']:>14.0f} {mine['wall']:>7.0f} {mine['calls']:>6.0f}k"
        print(f"{label:<22} {before} {after}")
    if isinstance(base, str):
        print(f"baseline: {base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
