"""`parley sync` killed (SIGKILL) at every moment of its run, then run again: nothing lost,
nothing taken in twice.

Run ``python benchmarks/sync_kills.py`` (``--kills 200`` by default). Two laptops share
a local bare repository. Before each kill, each makes one edit of its own; ben's
``parley sync`` is then started and killed after a delay that sweeps the whole run
of a sync (its git commands, its writing of files and of the store), and ben syncs
again to the end. At the close both sync twice and are compared: the same records,
and every change made anywhere in both histories exactly once.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sync_helpers import POINT, Laptop, bare_repository  # noqa: E402

SCRIPT = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


def parley(path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARLEY_USER": "ben"}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "--db", str(path), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        remote = bare_repository(folder)
        amal = Laptop(folder / "amal", "amal", remote, seeded=True)
        amal.sync()
        ben = Laptop(folder / "ben", "ben", remote)
        ben.sync()
        ben.close()
        path = ben.repo.path
        # How long a whole sync takes here, to spread the kills over it.
        start = time.perf_counter()
        parley(path, "sync").wait()
        whole = time.perf_counter() - start
        killed = finished = 0
        for n in range(args.kills):
            amal.commands.edit("point", POINT, {"title": f"Dismantling Hamas, take {n}"})
            if n % 3 == 0:
                amal.sync()
            edit = parley(path, "edit", "actor", "hamas", "--name", f"Hamas {n}")
            assert edit.wait() == 0, edit.stderr.read() if edit.stderr else ""
            child = parley(path, "sync")
            time.sleep(rng.uniform(0.0, whole))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed += 1
            else:
                finished += 1
            child.wait()
            again = parley(path, "sync")
            if again.wait() != 0:
                reason = again.stderr.read().decode() if again.stderr else ""
                print(f"kill {n}: the sync after it failed: {reason.strip()}")
                return 1
        amal.sync()
        ben = Laptop(folder / "ben", "ben", remote)
        for laptop in (ben, amal, ben, amal):
            laptop.sync()
        ids = ben.change_ids()
        doubled = len(ids) - len(set(ids))
        lost = len(set(amal.change_ids()) ^ set(ids))
        same = amal.records() == ben.records()
        print(f"{killed} syncs killed part-way, {finished} finished before their kill")
        print(f"changes doubled: {doubled}; missing on one side: {lost}; records alike: {same}")
        amal.close()
        ben.close()
        return 0 if (doubled, lost, same) == (0, 0, True) else 1


if __name__ == "__main__":
    sys.exit(main())
