"""Parley's store against stock TinyDB on synthetic stores of 1k, 10k and 100k records.

Run ``python benchmarks/store_bench.py`` (``--sizes 1000,10000`` for fewer).

Each store is spread the way a heavily used one would be: about 50 tracks, a
few dozen actors and people, and mostly positions and events, each record with
the "add" change that history keeps for it. The Parley file is written directly
in the storage's snapshot format, then opened and compacted by Parley; the
stock file holds the same documents in TinyDB's own format (tables of
documents under integer ids).

Each case runs in a fresh Python process, which reports:

* open: Parley ``open_store(path)`` (reads, checks the snapshot's digest,
  validates every record of a file it did not write itself, indexes by track);
  stock ``TinyDB(path)`` and ``table.all()`` of every table
  (stock JSONStorage parses the whole file again for each table it reads);
* update: one durable single-record update, timed one at a time. Parley:
  ``repo.update()`` of one position (a journal line and an fsync); stock:
  ``table.update(fields, doc_ids=[id])`` (rewrites and fsyncs the whole file);
* peak RSS: the process's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at the
  end: interpreter, imports, the open store and the updates, all included.
  "base" is the same figure right after the imports, before the store is opened.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRACKS = 50
TARGETS = {"update_ms": 5.0, "open_s": 1.0, "peak_mb": 200.0}
VOCABULARY = """
ceasefire talks mediators proposal corridor withdrawal hostages prisoners guarantees phase
troops border crossing humanitarian aid delegation envoy statement rejects accepts conditions
demands timetable security arrangements negotiators round shuttle bridging sticking point
sides agreement framework
"""
WORDS = VOCABULARY.split()


# -- building the stores --------------------------------------------------------------


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _day(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def build_records(n: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """``n`` valid records as (kind, JSON document), every reference resolvable."""
    rng = random.Random(seed)
    records: list[tuple[str, dict[str, Any]]] = []
    actors = [f"actor-{i}" for i in range(40)]
    people = [f"person-{i}" for i in range(80)]
    tracks = [f"track-{i}" for i in range(TRACKS)]
    fixed = len(actors) + len(people) + len(tracks)
    counts = {
        "source": int(n * 0.08),
        "round": int(n * 0.02),
        "point": max(TRACKS, int(n * 0.03)),
        "proposal": int(n * 0.01),
        "assessment": int(n * 0.01),
        "position": int(n * 0.45),
    }
    counts["event"] = n - fixed - sum(counts.values())
    for a in actors:
        kind = rng.choice(["state", "movement", "organisation"])
        records.append(("actor", {"id": a, "name": a.title(), "actor_kind": kind}))
        records[-1][1].update(aliases=[], description=_sentence(rng, 5, 15))
    for p in people:
        records.append(
            (
                "person",
                {"id": p, "name": p.title(), "title": "Envoy", "actor_id": rng.choice(actors)},
            )
        )
    sources = [f"source-{i}" for i in range(counts["source"])]
    for s in sources:
        records.append(
            (
                "source",
                {
                    "id": s,
                    "outlet": rng.choice(["Wire", "State media", "Daily"]),
                    "title": _sentence(rng, 4, 10),
                    "published": _day(rng),
                    "url": f"https://example.org/{s}",
                    "source_kind": rng.choice(["wire", "state media", "analysis"]),
                    "reliability": "",
                },
            )
        )
    for t in tracks:
        participants = [{"actor_id": a, "role": "party"} for a in rng.sample(actors, 3)]
        records.append(
            (
                "track",
                {
                    "id": t,
                    "title": f"Talks {t}",
                    "description": _sentence(rng, 10, 30),
                    "region": "Region",
                    "started": _day(rng),
                    "participants": participants,
                },
            )
        )
    rounds: dict[str, list[str]] = {t: [] for t in tracks}
    for i in range(counts["round"]):
        t, start = tracks[i % TRACKS], _day(rng)
        rid = f"round-{i}"
        rounds[t].append(rid)
        records.append(
            (
                "round",
                {
                    "id": rid,
                    "track_id": t,
                    "title": f"Round {i}",
                    "start": start,
                    "end": start,
                    "venues": ["Doha"],
                    "mediator_ids": rng.sample(actors, 2),
                    "participant_ids": rng.sample(actors, 2),
                    "format": "proximity",
                    "outcome": _sentence(rng, 5, 20),
                    "status": "concluded",
                    "status_log": [],
                    "source_ids": rng.sample(sources, 1),
                },
            )
        )
    points: dict[str, list[str]] = {t: [] for t in tracks}
    for i in range(counts["point"]):
        t = tracks[i % TRACKS]
        pid = f"point-{i}"
        points[t].append(pid)
        records.append(
            (
                "point",
                {
                    "id": pid,
                    "track_id": t,
                    "title": _sentence(rng, 2, 5),
                    "description": _sentence(rng, 10, 30),
                    "status": rng.choice(["open", "narrowing", "deadlocked"]),
                    "priority": rng.choice(["high", "medium", "low"]),
                    "raised": _day(rng),
                    "status_log": [
                        {"date": _day(rng), "status": "open", "source_ids": [], "note": ""}
                    ],
                    "source_ids": [],
                },
            )
        )
    for i in range(counts["proposal"]):
        t = tracks[i % TRACKS]
        responses = [
            {"actor_id": a, "status": "accepted", "date": _day(rng), "note": "", "source_ids": []}
            | {"unsourced": True}
            for a in rng.sample(actors, 2)
        ]
        records.append(
            (
                "proposal",
                {
                    "id": f"proposal-{i}",
                    "track_id": t,
                    "title": _sentence(rng, 2, 5),
                    "date": _day(rng),
                    "by_ids": rng.sample(actors, 2),
                    "summary": _sentence(rng, 20, 40),
                    "point_ids": points[t][:2],
                    "responses": responses,
                    "source_ids": rng.sample(sources, 1),
                },
            )
        )
    for i in range(counts["assessment"]):
        records.append(
            (
                "assessment",
                {
                    "id": f"assessment-{i}",
                    "track_id": tracks[i % TRACKS],
                    "analyst": "An analyst",
                    "affiliation": "A think tank",
                    "date": _day(rng),
                    "gist": _sentence(rng, 15, 40),
                    "quote": "",
                    "source_ids": rng.sample(sources, 1),
                },
            )
        )
    for i in range(counts["position"]):
        t = tracks[i % TRACKS]
        records.append(
            (
                "position",
                {
                    "id": f"position-{i}",
                    "track_id": t,
                    "point_id": rng.choice(points[t]),
                    "actor_id": rng.choice(actors),
                    "speaker_id": rng.choice(people),
                    "date": _day(rng),
                    "stance": _sentence(rng, 10, 35),
                    "firmness": rng.choice(["red line", "demand", "conditional", "flexible"]),
                    "quote": "",
                    "round_id": rng.choice(rounds[t]) if rounds[t] else None,
                    "source_ids": rng.sample(sources, rng.randint(1, 2)),
                    "unsourced": False,
                },
            )
        )
    for i in range(counts["event"]):
        records.append(
            (
                "event",
                {
                    "id": f"event-{i}",
                    "track_id": tracks[i % TRACKS],
                    "date": _day(rng),
                    "event_kind": rng.choice(["statement", "military", "diplomatic"]),
                    "title": _sentence(rng, 3, 8),
                    "text": _sentence(rng, 15, 50),
                    "actor_ids": rng.sample(actors, 2),
                    "source_ids": rng.sample(sources, 1),
                    "unsourced": False,
                },
            )
        )
    assert len(records) == n, (len(records), n)
    return records


def _tables(
    records: list[tuple[str, dict[str, Any]]], history: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """The documents by table, each record with the change that added it (if ``history``)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for seq, (kind, doc) in enumerate(records, start=1):
        tables.setdefault(kind, []).append(doc)
        if not history:
            continue
        label = doc.get("title") or doc.get("name") or doc["id"]
        change = {
            "seq": seq,
            "at": "2024-08-21T12:00:00Z",
            "action": "add",
            "record_kind": kind,
            "record_id": doc["id"],
            "before": None,
            "after": doc,
            "undoes": None,
            "summary": f"added {kind} {label!r}",
        }
        tables.setdefault("change", []).append(change)
    return tables


def write_parley(
    path: Path, records: list[tuple[str, dict[str, Any]]], history: bool = True
) -> None:
    tables = {
        name: {str(d["seq"]) if name == "change" else d["id"]: d for d in docs}
        for name, docs in _tables(records, history).items()
    }
    document = {"format": "parley", "schema": 1, "generation": 0, "tables": tables}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


def write_stock(path: Path, records: list[tuple[str, dict[str, Any]]]) -> None:
    tables = {
        name: {str(n): d for n, d in enumerate(docs, start=1)}
        for name, docs in _tables(records).items()
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(tables, fh)


def build(n: int, directory: Path) -> None:
    records = build_records(n)
    # As Parley itself leaves a store: compacted, with its digest, history apart.
    written = directory / f"parley-{n}.json"
    write_parley(written, records)
    sys.path.insert(0, str(ROOT))
    from store import open_store

    with open_store(written) as repo:
        repo.compact()
    # The same records in a file Parley did not write (no digest): validated on open.
    write_parley(directory / f"parley-{n}-foreign.json", records, history=False)
    write_stock(directory / f"stock-{n}.json", records)


# -- one case, in a fresh process -------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def parley_updates(repo: Any, updates: int) -> list[float]:
    """Seconds each of ``updates`` durable updates of a random position took."""
    from store import Position

    ids = repo.ids("position")
    rng = random.Random(1)
    times = []
    for n in range(updates):
        record = repo.get_as(Position, rng.choice(ids))
        changed = record.model_copy(update={"stance": f"{record.stance} ({n})"})
        start = time.perf_counter()
        repo.update(changed)
        times.append(time.perf_counter() - start)
    return times


def run_case(engine: str, path: str, updates: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    if engine == "parley":
        from store import open_store

        base = _rss_mb()
        start = time.perf_counter()
        repo = open_store(path)
        opened = time.perf_counter() - start
        times = parley_updates(repo, updates)
        count = repo.count()
        repo.close()
    else:
        from tinydb import TinyDB

        base = _rss_mb()
        start = time.perf_counter()
        db = TinyDB(path)
        count = 0
        for name in db.tables():
            if name != "change":
                count += len(db.table(name).all())
        opened = time.perf_counter() - start
        table = db.table("position")
        rng = random.Random(1)
        size = len(table)
        times = []
        for n in range(updates):
            doc_id = rng.randint(1, size)
            start = time.perf_counter()
            table.update({"stance": f"changed ({n})"}, doc_ids=[doc_id])
            times.append(time.perf_counter() - start)
        db.close()
    return {
        "open_s": opened,
        "update_ms": [t * 1000 for t in times],
        "peak_mb": _rss_mb(),
        "base_mb": base,
        "records": count,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(engine: str, path: Path, updates: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", engine, str(path), str(updates)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def spawn_build(n: int, directory: Path) -> None:
    # In a child of its own, so that this process stays small: ru_maxrss carries a
    # parent's high-water mark into the children it starts.
    subprocess.run([sys.executable, __file__, "--build", str(n), str(directory)], check=True)
    os.sync()


def stock_updates(n: int) -> int:
    return 50 if n <= 1_000 else 20 if n <= 10_000 else 10


def profile_open(n: int) -> int:
    """Where opening a store of ``n`` records spends its time, by cProfile."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from store import open_store

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        spawn_build(n, Path(tmp))
        path = Path(tmp) / f"parley-{n}.json"
        profiler = cProfile.Profile()
        profiler.enable()
        open_store(path).close()
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--updates", type=int, default=200, help="Parley updates per size")
    parser.add_argument("--case", nargs=3, metavar=("ENGINE", "PATH", "UPDATES"), help="internal")
    parser.add_argument("--build", nargs=2, metavar=("N", "DIR"), help="internal")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="cProfile open_store() on N records instead"
    )
    args = parser.parse_args()
    if args.case:
        engine, path, updates = args.case
        print(json.dumps(run_case(engine, path, int(updates))))
        return 0
    if args.build:
        build(int(args.build[0]), Path(args.build[1]))
        return 0
    if args.profile:
        return profile_open(args.profile)

    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {sys.platform}, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    print(
        "Each record was added by a change that history keeps. 'parley': the store as Parley\n"
        "leaves it (compacted; history in its own file, read when asked for). 'foreign file':\n"
        "the records in a file Parley did not write (no digest), so each is validated on open."
    )
    print("peak MB: ru_maxrss of a fresh process (imports + open + updates); base: after imports")
    header = (
        f"{'records':>8}  {'engine':<20} {'file MB':>8} {'hist MB':>8} {'open s':>8} "
        f"{'upd med ms':>10} {'upd p95 ms':>10} {'n':>4} {'base MB':>8} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        for n in sizes:
            directory = Path(tmp)
            spawn_build(n, directory)
            cases = [
                ("parley", "parley", directory / f"parley-{n}.json", args.updates),
                ("parley", "parley, foreign file", directory / f"parley-{n}-foreign.json", 50),
                (
                    "tinydb-json",
                    "stock TinyDB JSON",
                    directory / f"stock-{n}.json",
                    stock_updates(n),
                ),
            ]
            for engine, label, path, updates in cases:
                size_mb = path.stat().st_size / 1e6
                history = path.with_name(path.name + ".history")
                hist_mb = history.stat().st_size / 1e6 if history.exists() else 0.0
                result = measure(engine, path, updates)
                assert result["records"] == n, result["records"]
                for leftover in path.parent.glob(path.name + "*"):
                    leftover.unlink()
                median = statistics.median(result["update_ms"])
                p95 = _p95(result["update_ms"])
                print(
                    f"{n:>8,}  {label:<20} {size_mb:>8.1f} {hist_mb:>8.1f} "
                    f"{result['open_s']:>8.3f} "
                    f"{median:>10.2f} {p95:>10.2f} {updates:>4} {result['base_mb']:>8.0f} "
                    f"{result['peak_mb']:>8.0f}",
                    flush=True,
                )
                if label == "parley" and n == 100_000:
                    verdicts = [
                        ("update median", median, TARGETS["update_ms"], "ms"),
                        ("open", result["open_s"], TARGETS["open_s"], "s"),
                        ("peak RSS", result["peak_mb"], TARGETS["peak_mb"], "MB"),
                    ]
    if verdicts:
        print()
        print("Parley targets at 100k records:")
        for name, value, target, unit in verdicts:
            mark = "ok" if value <= target else "MISSED"
            print(f"  {name:<14} {value:>8.2f} {unit:<2} (target <= {target:g} {unit})  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
