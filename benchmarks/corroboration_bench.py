"""What asking "is this the same news?" adds to saving a position, on big stores.

Run ``python benchmarks/corroboration_bench.py`` (``--sizes 1000,10000``). For each
size a store is generated as ``tui_bench.py`` generates it (50 tracks, mostly
positions and events), then, on the busiest sticking point of the first track:

* match: ``store.reading.corroboration.matches`` for a new position of that point's busiest
  party, dated on its latest position, in words alike and in other words (the median
  of 21 runs each);
* the baseline, in the same run: saving a position (``Commands.record_position``,
  one durable write, then undone), the write the question is asked before (median of
  11 runs).

Other processes on the machine slow everything down: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def median_ms(run: Callable[[], object], times: int) -> float:
    taken = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    return statistics.median(taken)


def measure(n: int, directory: Path) -> dict[str, float]:
    from tui_bench import generate

    from store import Position, open_store
    from store.reading.corroboration import matches
    from store.records.commands import Commands
    from store.records.drafts import Citation

    path = directory / f"bench-{n}.json"
    with open_store(path) as repo:
        chunk: list[object] = []
        for record in generate(n):
            chunk.append(record)
            if len(chunk) == 5000:
                repo.put_many(chunk)  # type: ignore[arg-type]
                chunk = []
        if chunk:
            repo.put_many(chunk)  # type: ignore[arg-type]
        track = repo.tracks()[0].id
        positions = repo.positions(track)
        (point, actor), _ = Counter((p.point_id, p.actor_id) for p in positions).most_common(1)[0]
        latest = [p for p in positions if (p.point_id, p.actor_id) == (point, actor)][-1]
        assert isinstance(latest, Position)
        source = next(iter(s for s in latest.source_ids), None)
        alike = {
            "point_id": point,
            "actor_id": actor,
            "date": latest.date.isoformat(),
            "stance": latest.stance,
        }
        other = alike | {"stance": "Nothing of the kind was said by anyone at all today."}
        found = matches(repo, "position", track, alike, ["another-source"])
        assert found and found[0].record.id == latest.id, "the stored position is found"
        assert not matches(repo, "position", track, other, ["another-source"])
        commands = Commands(repo)

        def save() -> None:
            commands.record_position(
                track,
                point_id=point,
                actor_id=actor,
                on=latest.date,
                firmness="demand",
                stance="A stance saved to time the write.",
                cite=Citation([source] if source else [], unsourced=source is None),
            )
            commands.undo()

        return {
            "records": repo.count(),
            "positions on the point": sum(1 for p in positions if p.point_id == point),
            "match, alike (ms)": median_ms(
                lambda: matches(repo, "position", track, alike, ["another-source"]), 21
            ),
            "match, other words (ms)": median_ms(
                lambda: matches(repo, "position", track, other, ["another-source"]), 21
            ),
            "baseline: save and undo a position (ms)": median_ms(save, 11),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        for n in (int(s) for s in args.sizes.split(",")):
            figures = measure(n, Path(folder))
            print(f"store of {n} records")
            for name, value in figures.items():
                shown = f"{value:.2f}" if isinstance(value, float) else str(value)
                print(f"  {name}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
