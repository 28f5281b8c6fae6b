"""The store's engine beside a baseline checkout, on one store of 100k records, in one run.

Run ``python benchmarks/engine_bench.py`` (``--size 10000`` for a quick look;
``--baseline PATH`` for a checkout already on disk, else the commit ``--commit``
is unpacked from git into a temporary folder). For each checkout, in fresh
processes of its own and on its own copy of the same store (the records of
``store_bench.py``, opened and compacted once by that checkout):

* durable update: ``repo.update()`` of one position, timed one at a time
  (median and 95th percentile of ``--updates``);
* checkpoint: ``repo.compact()`` with those updates in the journal: the snapshot
  written whole, the journal folded into the history;
* open: ``open_store(path)`` of the store as Parley left it;
* peak RSS of that process (``ru_maxrss``);
* open → first interactive screen and save → repaint, and the app's peak RSS: the
  checkout's own ``benchmarks/tui_bench.py --only save`` (a real terminal).

Each figure is printed beside the baseline's, with the change; a figure more than
``--slack`` (10%) worse is marked.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "6de1483"
CHECKPOINT_TARGET_S = 1.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_case(checkout: str, path: str, updates: int) -> dict[str, Any]:
    """In a fresh process: the store figures of ``checkout`` on the store at ``path``."""
    # The checkout's store, this checkout's way of timing it.
    sys.path.insert(0, checkout)
    from store_bench import parley_updates

    from store import open_store

    start = time.perf_counter()
    repo = open_store(path)
    opened = time.perf_counter() - start
    times = parley_updates(repo, updates)
    start = time.perf_counter()
    repo.compact()
    checkpoint = time.perf_counter() - start
    repo.close()
    ordered = sorted(times)
    return {
        "open_s": opened,
        "update_ms": statistics.median(times) * 1000,
        "update_p95_ms": ordered[round(0.95 * (len(ordered) - 1))] * 1000,
        "checkpoint_s": checkpoint,
        "peak_mb": _rss_mb(),
    }


def settle(checkout: Path, path: Path) -> None:
    """Open and close once, as a user's first run would: the store as that Parley leaves it."""
    code = f"import sys; sys.path.insert(0, {str(checkout)!r})\nfrom store import open_store\n"
    code += f"repo = open_store({str(path)!r}); repo.compact(); repo.close()"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=checkout)


def store_figures(checkout: Path, built: Path, folder: Path, updates: int) -> dict[str, Any]:
    folder.mkdir()
    path = folder / "parley.json"
    shutil.copy(built, path)
    settle(checkout, path)
    os.sync()
    out = subprocess.run(
        [sys.executable, __file__, "--case", str(checkout), str(path), str(updates)],
        capture_output=True,
        text=True,
        cwd=checkout,
    )
    if out.returncode:
        raise SystemExit(f"engine_bench: the case failed in {checkout}:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


TUI_ROWS = {
    "first_s": r"first interactive, s\s+([\d.]+)",
    "save_ms": r"save a status \(s\), ms\s+([\d.]+)",
    "app_peak_mb": r"peak RSS, MB\s+([\d.]+)",
}


def tui_figures(checkout: Path, size: int) -> dict[str, float]:
    script = checkout / "benchmarks" / "tui_bench.py"
    out = subprocess.run(
        # Not the desk's figures (its own run, from git, which an unpacked tree lacks).
        [sys.executable, str(script), "--sizes", str(size), "--only", "save", "--desk", "no"],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    ).stdout
    found = {}
    for name, pattern in TUI_ROWS.items():
        match = re.search(pattern, out)
        if match is None:
            raise SystemExit(f"engine_bench: no {name} in the output of {script}:\n{out}")
        found[name] = float(match.group(1))
    return found


def unpack(commit: str, folder: Path) -> Path:
    """The tree of ``commit`` in ``folder``, from git's own archive of it."""
    archive = folder / "baseline.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, stdout=fh)
    target = folder / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


ROWS = [
    ("durable update, median ms", "update_ms", "{:.2f}"),
    ("durable update, p95 ms", "update_p95_ms", "{:.2f}"),
    ("checkpoint, s", "checkpoint_s", "{:.2f}"),
    ("open the store, s", "open_s", "{:.2f}"),
    ("peak RSS (store), MB", "peak_mb", "{:.0f}"),
    ("open -> first screen, s", "first_s", "{:.2f}"),
    ("save -> repaint, ms", "save_ms", "{:.0f}"),
    ("peak RSS (app), MB", "app_peak_mb", "{:.0f}"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with")
    parser.add_argument("--commit", default=BASELINE_COMMIT, help="else this commit of git")
    parser.add_argument("--slack", type=float, default=0.10)
    parser.add_argument("--no-tui", action="store_true", help="the store figures only")
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], args.case[1], int(args.case[2]))))
        return 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from store_bench import build_records, write_parley

    with tempfile.TemporaryDirectory(prefix="parley-engine-") as tmp:
        folder = Path(tmp)
        baseline = args.baseline or unpack(args.commit, folder)
        built = folder / "built.json"
        # Without a change table in the snapshot: a Parley before the history file
        # numbered none of them, and each checkout compacts it its own way in settle().
        write_parley(built, build_records(args.size), history=False)
        figures: dict[str, dict[str, Any]] = {}
        for name, checkout in (("this", ROOT), ("baseline", baseline)):
            figures[name] = store_figures(checkout, built, folder / f"run-{name}", args.updates)
            if not args.no_tui:
                figures[name].update(tui_figures(checkout, args.size))
    print(f"\n{args.size:,} records; baseline {args.baseline or args.commit}")
    print(f"  {'':<28} {'this':>9} {'baseline':>9} {'change':>8}")
    worse = []
    for label, key, form in ROWS:
        if key not in figures["this"]:
            continue
        now, then = figures["this"][key], figures["baseline"][key]
        change = (now - then) / then if then else 0.0
        mark = "  WORSE" if change > args.slack else ""
        if mark:
            worse.append(label)
        print(f"  {label:<28} {form.format(now):>9} {form.format(then):>9} {change:>+8.0%}{mark}")
    checkpoint = figures["this"]["checkpoint_s"]
    ok = checkpoint < CHECKPOINT_TARGET_S
    print(
        f"\ncheckpoint at {args.size:,}: {checkpoint:.2f} s "
        f"(target < {CHECKPOINT_TARGET_S:g} s)  {'ok' if ok else 'MISSED'}"
    )
    print(f"more than {args.slack:.0%} worse: {', '.join(worse) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
