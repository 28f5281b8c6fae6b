"""What sorting a record table by a column costs, beside what filling it costs.

Run ``python benchmarks/sort_bench.py`` (``--rows 10000`` for another size).

A sorted table sorts its rows again each time they are filled (a store change, a
filter typed), so the sort must stay small beside the work a fill already does.
The rows are shaped like the Sources view's on a big store: an ISO date, an
outlet, a title with a number in it, a kind. Printed for each, the median of five:

* baseline: building the rows (``Row`` objects, as a view's ``rows()`` does) and
  one filter pass over them (as typing in ``/`` does);
* sorting them by the title (text with numbers, the costliest key), by the date,
  and by the title the other way.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.widgets.record_table import Row, sorted_rows

OUTLETS = ["Reuters", "Al Jazeera", "Xinhua", "AP", "Times of Israel", "Ahram Online"]
WORDS = ["ceasefire", "talks", "hostages", "Rafah", "corridor", "proposal", "Doha", "Cairo"]
KINDS = ["wire", "state media", "official statement", "analysis"]


def cells(n: int, rng: random.Random) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for i in range(n):
        day = f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        title = " ".join(rng.choice(WORDS) for _ in range(5)) + f", round {rng.randint(1, 40)}"
        out.append((f"s{i}", (day, rng.choice(OUTLETS), title, rng.choice(KINDS))))
    return out


def median(run: Callable[[], object]) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    raw = cells(args.rows, random.Random(7))
    rows = [Row(key, values) for key, values in raw]
    print(f"{args.rows:,} rows, median of five")
    print(f"  baseline: build the rows     {median(lambda: [Row(k, v) for k, v in raw]):.3f} s")
    find = median(lambda: [r for r in rows if "doha" in r.haystack])
    print(f"  baseline: one filter pass    {find:.3f} s")
    print(f"  sort by title                {median(lambda: sorted_rows(rows, 2)):.3f} s")
    print(f"  sort by date                 {median(lambda: sorted_rows(rows, 0)):.3f} s")
    print(f"  sort by title, the other way {median(lambda: sorted_rows(rows, 2, True)):.3f} s")


if __name__ == "__main__":
    main()
