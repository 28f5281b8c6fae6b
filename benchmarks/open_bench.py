"""What opening a store costs when one record or change is large.

Run ``python benchmarks/open_bench.py``. Each row opens a store (as every command
does, reading its snapshot, its journal and the end of its history), lists its
sticking points and closes it; the median of five opens, side by side in one run:

* the seed store whose last change in the history is 1 MB, and the same store whose
  last change is 50 MB (written into the history file directly: no write Parley
  accepts makes one so large, but a store written before the limits may hold one).
  Opening reads only the end of the history, so the two should cost about the same;
  the target is under 0.5 s for the 50 MB one.
* the seed store, and the same store keeping an article of the largest text a source
  may keep (``store.limits.ARTICLE_CHARS``): the bound on what a kept article adds
  to every command that does not read it.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import open_store  # noqa: E402
from store.exchange.seed import seed  # noqa: E402
from store.limits import ARTICLE_CHARS  # noqa: E402
from store.records.commands import Commands  # noqa: E402

TARGET_S = 0.5
RUNS = 5


def seeded(folder: Path) -> Path:
    path = folder / "parley.json"
    with open_store(path) as repo:
        seed(repo)
        repo.compact()
    return path


def with_last_change_of(template: Path, folder: Path, size: int) -> Path:
    """A copy of the store whose history's last line carries ``size`` bytes more."""
    folder.mkdir()
    for file in template.parent.iterdir():
        shutil.copy(file, folder / file.name)
    history = folder / (template.name + ".history")
    lines = history.read_bytes().rstrip(b"\n").split(b"\n")
    last = json.loads(lines[-1])
    last["summary"] = "x" * size
    lines[-1] = json.dumps(last, separators=(",", ":")).encode()
    history.write_bytes(b"\n".join(lines) + b"\n")
    return folder / template.name


def with_article(template: Path, folder: Path) -> Path:
    folder.mkdir()
    for file in template.parent.iterdir():
        shutil.copy(file, folder / file.name)
    path = folder / template.name
    paragraph = "The mediators met the delegations again in the afternoon. " * 20 + "\n\n"
    text = (paragraph * (ARTICLE_CHARS // len(paragraph) + 1))[: ARTICLE_CHARS - 1].strip()
    with open_store(path) as repo:
        Commands(repo).capture(
            text,
            outlet="Desk notes",
            title="A long account of the talks",
            published=date(2024, 8, 25),
            source_kind="analysis",
        )
        repo.compact()
    return path


def open_time(path: Path) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with open_store(path) as repo:
            repo.compact_on_close = False
            repo.list("point")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        template = seeded(base / "seed")
        rows = [
            ("last change 1 MB", with_last_change_of(template, base / "one", 1 << 20)),
            ("last change 50 MB", with_last_change_of(template, base / "fifty", 50 << 20)),
            ("no article kept", template),
            (f"an article of {ARTICLE_CHARS:,} characters", with_article(template, base / "art")),
        ]
        print(f"{'store':<40} {'open + list (median of 5)':>28}")
        times = {}
        for label, path in rows:
            times[label] = open_time(path)
            print(f"{label:<40} {times[label]:>26.3f} s")
        fifty = times["last change 50 MB"]
        verdict = "met" if fifty < TARGET_S else "MISSED"
        print(f"target: 50 MB last change under {TARGET_S} s: {verdict}")
        return 0 if fifty < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
