"""`parley check` and `parley import` on many damaged files: no traceback, ever.

Run ``python benchmarks/fuzz_check.py`` (or ``make fuzz``); ``--cases 500`` for fewer.

Each case takes the files of a small valid store (snapshot, journal, history) and an
export of the sample store, damages one of them (tests/fuzz_store.py says how: cut
short, bytes flipped, lines dropped or doubled, deep nesting, huge integers, NaN and
Infinity, values of the wrong type, keys renamed or removed) and runs `parley check`,
or `parley import` and then `parley check`, in this process. Case N is drawn from
``random.Random(seed + N)``, so a case can be run again alone with ``--first N
--cases 1``.

It prints the number of cases, what they came to, the failures (a traceback, an exit
status other than 0 or 1, a check that wrote, an import that left a store with
problems) and the time taken, and exits 1 if there was any failure. The files of a
failing case are kept in ``--keep`` (a folder per case).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240821)
    parser.add_argument("--first", type=int, default=0, help="the number of the first case")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import fuzz_store

    with tempfile.TemporaryDirectory() as work:
        valid = fuzz_store.valid_files(Path(work) / "valid")
        outcomes: Counter[str] = Counter()
        tracebacks = other = 0
        start = time.perf_counter()
        for number in range(args.first, args.first + args.cases):
            files = fuzz_store.damage(random.Random(args.seed + number), valid)
            outcome, failure = fuzz_store.run_case(Path(work) / "case", files)
            outcomes[outcome] += 1
            if failure is None:
                continue
            if failure.startswith("Traceback"):
                tracebacks += 1
            else:
                other += 1
            kept = args.keep / f"case-{number}"
            kept.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                (kept / name.replace(" ", "-")).write_bytes(data)
            (kept / "failure.txt").write_text(f"{outcome}\n{failure}\n", encoding="utf-8")
            print(f"case {number}: {outcome}: {failure.strip().splitlines()[-1]}")
        elapsed = time.perf_counter() - start
    print(f"{args.cases} cases (seed {args.seed}, from case {args.first}):")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:6d}  {outcome}")
    print(f"tracebacks: {tracebacks}; other failures: {other}")
    print(f"time: {elapsed:.1f} s ({elapsed / max(args.cases, 1) * 1000:.1f} ms a case)")
    return 1 if tracebacks or other else 0


if __name__ == "__main__":
    sys.exit(main())
