"""`parley sync` between two stores of 100k records, beside plain git on the same repository.

Run ``python benchmarks/sync_bench.py`` (``--records 10000 --changes 200`` for a quick look).

Setting up (not the figure that counts, printed apart): stores A and B start as
copies of one store of ``--records`` records, written before either synced, and
each ``sync --init``s the same local bare repository.

Then each side makes ``--changes`` edits of its own (A edits positions' stances, B
events' titles), and a round of sync is timed: A sends, B sends and takes in A's,
A takes in B's. Every git command sync runs is timed as it runs (and the answers of
the ``git cat-file --batch`` it keeps open while it reads); Parley's own work is the
round's time less git's.

Beside it, in the same run, plain git does what that round asks of it on its own:
two clones of the same bare repository each commit as many new files of the same
size, then push, fetch and merge as sync does (two pushes, three fetches, two
merges). Target: Parley's own work under twice that.

The CPU time of each side is printed too (this process's for Parley's own work, its
waited-for children's for git's): on a machine busy with other work the wall-clock
figures stretch, Python's more than git's, while the CPU seconds stay what they are.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_bench import build_records, write_parley  # noqa: E402

from store import open_store  # noqa: E402
from store.records.commands import Commands  # noqa: E402
from store.sync import SyncRepo  # noqa: E402


class GitClock:
    """Adds up the time spent in git: each git command sync runs, from its start to its
    end (fast-import's included, with the stream piped to it), and each answer of the
    one ``git cat-file --batch`` a sync keeps open, from asking to the last byte read."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        run, read = SyncRepo._git, SyncRepo._read_blobs

        def timed(
            desk: SyncRepo, *args: str, check: bool = True, given: str | bytes | None = None
        ) -> Any:
            start = time.perf_counter()
            try:
                return run(desk, *args, check=check, given=given)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        def timed_read(desk: SyncRepo, blobs: Any, names: list[str]) -> Any:
            start = time.perf_counter()
            try:
                return read(desk, blobs, names)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += blobs is None  # a cat-file started: one command more

        SyncRepo._git = timed  # type: ignore[method-assign]
        SyncRepo._read_blobs = timed_read  # type: ignore[method-assign]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def file_size(folder: Path) -> int:
    """The mean size of the change files the round wrote, as git holds them."""
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-l", "HEAD", "changes"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    sizes = [int(line.split()[3]) for line in listed]
    return max(1, sum(sizes) // max(1, len(sizes)))


def plain_git(folder: Path, remote: Path, changes: int, size: int) -> tuple[float, float]:
    """Two clones each commit ``changes`` new files of ``size`` bytes; the time of the
    pushes, fetches and merges sync's round makes, and nothing else."""
    clones = []
    for name in ("x", "y"):
        clone = folder / name
        git(folder, "clone", "--quiet", "--branch", "parley", str(remote), str(clone))
        git(clone, "config", "user.name", name)
        git(clone, "config", "user.email", f"{name}@example.invalid")
        out = clone / "plain" / name
        out.mkdir(parents=True)
        for n in range(changes):
            (out / f"{n:012d}.json").write_text(f"{n:0{size}d}\n")
        git(clone, "add", "plain")
        git(clone, "commit", "--quiet", "-m", "plain")
        clones.append(clone)
    x, y = clones
    start = time.perf_counter()
    cpu = children_cpu()
    git(x, "fetch", "--quiet", "origin")
    git(x, "push", "--quiet", "origin", "HEAD:refs/heads/parley")
    git(y, "fetch", "--quiet", "origin")
    git(y, "merge", "--quiet", "--no-edit", "origin/parley")
    git(y, "push", "--quiet", "origin", "HEAD:refs/heads/parley")
    git(x, "fetch", "--quiet", "origin")
    git(x, "merge", "--quiet", "--no-edit", "origin/parley")
    return time.perf_counter() - start, children_cpu() - cpu


def children_cpu() -> float:
    """CPU seconds of the git processes run and waited for so far (theirs included)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    clock = GitClock()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        remote = folder / "desk.git"
        git(folder, "init", "--quiet", "--bare", str(remote))
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        # Both laptops start from one copy of a store whose records predate syncing
        # (they carry no history to send): the round below is all that travels.
        records = build_records(args.records)
        write_parley(folder / "a" / "parley.json", records, history=False)
        write_parley(folder / "b" / "parley.json", records, history=False)
        start = time.perf_counter()
        a = open_store(folder / "a" / "parley.json", author="amal")
        b = open_store(folder / "b" / "parley.json", author="ben")
        desk_a, desk_b = SyncRepo(a), SyncRepo(b)
        desk_a.init(str(remote))
        desk_b.init(str(remote))
        desk_a.sync()
        desk_b.sync()
        print(f"set up: two stores of {a.count():,} records, synced, in ", end="")
        print(f"{time.perf_counter() - start:.1f} s")

        positions = a.ids("position")[: args.changes]
        events = b.ids("event")[: args.changes]
        for n, position in enumerate(positions):
            Commands(a).edit("position", position, {"stance": f"Stance, as restated ({n})."})
        for n, event_id in enumerate(events):
            Commands(b).edit("event", event_id, {"title": f"Event, as retold ({n})"})
        clock.seconds, clock.calls = 0.0, 0
        start, cpu, git_cpu = time.perf_counter(), time.process_time(), children_cpu()
        sent_a = desk_a.sync()
        sent_b = desk_b.sync()
        took_a = desk_a.sync()
        total = time.perf_counter() - start
        own_cpu, git_cpu = time.process_time() - cpu, children_cpu() - git_cpu
        in_git, calls = clock.seconds, clock.calls
        assert (sent_a.sent, sent_b.sent) == (len(positions), len(events)), (sent_a, sent_b)
        assert (sent_b.taken, took_a.taken) == (len(positions), len(events)), (sent_b, took_a)
        size = file_size(desk_a.dir)
        plain, plain_cpu = plain_git(folder, remote, args.changes, size)
        own = total - in_git
        print(f"\n{args.changes:,} changes each way between two stores of {args.records:,} records")
        print(f"  {'sync round, all told':<34}{total:8.2f} s")
        print(f"  {'  of which in git (' + str(calls) + ' commands)':<34}{in_git:8.2f} s")
        print(f"  {'  Parley own work':<34}{own:8.2f} s")
        print(f"  {'plain git push/fetch/merge':<34}{plain:8.2f} s   (same repository, same run)")
        ratio = own / plain if plain else float("inf")
        verdict = "met" if ratio < 2 else "NOT met"
        print(f"  Parley own / plain git: {ratio:.2f}x   (target under 2x: {verdict})")
        print(f"  (sync round / plain git: {total / plain:.2f}x)" if plain else "")
        # CPU time: what each side had to compute, whatever else the machine was doing.
        print("  CPU time, the same round:")
        print(f"  {'  Parley own work (this process)':<34}{own_cpu:8.2f} s")
        print(f"  {'  git in the sync round':<34}{git_cpu:8.2f} s")
        print(f"  {'  plain git push/fetch/merge':<34}{plain_cpu:8.2f} s")
        if plain_cpu:
            print(f"  Parley own / plain git, CPU: {own_cpu / plain_cpu:.2f}x")
        print(
            "  counted as git's: each git command sync ran, start to end (fetch, push,\n"
            "  for-each-ref, diff-tree, fast-import with its stream, update-ref) and the\n"
            "  answers of its cat-file; Parley's: the rest of the round (reading the store,\n"
            "  writing the files' JSON and fast-import's stream, parsing and validating what\n"
            "  came in, the replay, the take-in's write and fsync, the sync state files).\n"
            "  plain git: push, fetch and merge of two clones' commits of as many files of\n"
            "  the same size (their add and commit not counted)."
        )
        a.close()
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
