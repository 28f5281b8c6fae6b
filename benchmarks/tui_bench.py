"""How the dashboard feels on big stores: start-up, view switches, jumps, memory.

Run ``python benchmarks/tui_bench.py`` (``--sizes 1000,10000`` for fewer sizes,
``--terminal 120x40`` for another terminal size, ``--only save`` for the status
saves alone).

For each size a store is generated across 50 tracks, each with a few rounds,
up to ten sticking points, three or four parties and one or two mediators, a
proposal or two, and mostly positions and events; sources, actors and people
are shared. The records are written with ``repo.put_many`` in chunks, in a
child process.

Then the real ``parley --db STORE`` runs in a pseudo-terminal, exactly as a
person would start it, and this script keeps a screen of what it draws (a
small terminal emulator: Textual writes only the cells that change):

* first interactive: from spawning the process to the first screen that shows
  the Overview filled in (its "Latest round" line; the Overview loads the
  track's rounds, points, latest positions, proposals and events);
* view switch: from writing a number key to the pty to the screen showing the
  new view (its column headings, which no other view has). The first visit to
  a view loads its data ("cold"); later visits only show it ("warm", the median
  of five);
* jump: ``G`` in the Timeline (the biggest per-track table) and in Sources
  (the biggest table: every source of the store), until the last row's text is
  on screen twice, in the table and in the detail beside it (median of five);
* search: ``f``, then a query typed but for its last letter; from that last key
  to the screen showing how many records hold the words (median of five), for a
  query naming one record and for a word in about half the store;
* compare: ``C``, a year of the first track's dates typed in, from ctrl+s to the
  comparison on screen (median of five);
* peak memory: ``ru_maxrss`` of the dashboard process, after ``q``.

The baseline, in the same run: Textual's stock ``DataTable`` in an otherwise
empty app, loaded with the same rows as the Sources view, timed from spawn to
the first frame showing its first row; and for the save, a stock dialog opened
and closed with the same keys, setting a cell of that table.

Times include the terminal round trip, as a person sees them. Other processes
on the machine slow everything down: the load average is printed at the start.
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import json
import os
import pty
import random
import re
import select
import statistics
import struct
import sys
import tempfile
import termios
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRACKS = 50
TARGETS = {
    "first_s": 1.0,
    "switch_ms": 100.0,
    "peak_mb": 200.0,
    "save_ms": 50.0,
    "search_ms": 100.0,
    "compare_ms": 300.0,
}
VOCABULARY = """
ceasefire talks mediators proposal corridor withdrawal hostages prisoners guarantees phase
troops border crossing humanitarian aid delegation envoy statement rejects accepts conditions
demands timetable security arrangements negotiators round shuttle bridging sticking point
sides agreement framework monitoring exchange release return displaced reconstruction
"""
WORDS = VOCABULARY.split()
TIMEOUT = 120.0
QUIET = 0.25
# Warm switches and jumps are timed this many times; the median is reported.
REPEATS = 5


# -- the stores -------------------------------------------------------------------------


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


def generate(n: int, seed: int = 11, tracks: int = TRACKS) -> Iterator[Any]:
    """``n`` valid records, referring only to records generated before them."""
    sys.path.insert(0, str(ROOT))
    from store import (
        Actor,
        Assessment,
        Event,
        Participant,
        Person,
        Position,
        Proposal,
        Response,
        Round,
        Source,
        StickingPoint,
        Track,
    )

    rng = random.Random(seed)
    day0 = date(2023, 1, 1)

    def day() -> date:
        return day0 + timedelta(days=rng.randrange(600))

    actors = [f"actor-{i:02d}" for i in range(40)]
    people = [f"person-{i:02d}" for i in range(60)]
    sources = [f"source-{i:06d}" for i in range(max(20, n * 6 // 100))]
    shared = len(actors) + len(people) + len(sources)
    budget = (n - shared) // tracks  # records per track, the track included
    rounds_per = min(6, max(1, budget // 40))
    points_per = min(10, max(2, budget // 8))
    proposals_per = min(3, budget // 60)
    assessments_per = min(2, budget // 100)
    made = 0
    for i, a in enumerate(actors):
        yield Actor(
            id=a,
            name=f"Party {i:02d}",
            actor_kind=rng.choice(["state", "movement", "organisation"]),
            aliases=[f"P{i:02d}"],
            description=_sentence(rng, 5, 15),
        )
    for i, p in enumerate(people):
        yield Person(id=p, name=f"Envoy {i:02d}", title="Envoy", actor_id=actors[i % 40])
    for i, s in enumerate(sources):
        yield Source(
            id=s,
            outlet=rng.choice(["Wire service", "State media", "Daily paper", "Think tank"]),
            title=f"Dispatch {i:06d}: {_sentence(rng, 4, 10)}",
            published=day(),
            source_kind=rng.choice(["wire", "state media", "analysis", "official statement"]),
            reliability=_sentence(rng, 0, 12),
        )
    made += shared
    for t in range(tracks):
        track = f"track-{t:02d}"
        left = n - made if t == tracks - 1 else budget
        cast = rng.sample(actors, 6)
        parties, mediators = cast[: rng.choice([3, 4])], cast[4:]
        yield Track(
            id=track,
            title=f"Track {t:02d}: {_sentence(rng, 2, 4)}",
            description=_sentence(rng, 10, 30),
            participants=[Participant(actor_id=a, role="party") for a in parties]
            + [Participant(actor_id=a, role="mediator") for a in mediators],
        )
        round_ids = [f"round-{t:02d}-{r}" for r in range(rounds_per)]
        for r, rid in enumerate(round_ids):
            start = day0 + timedelta(days=100 * r + rng.randrange(60))
            yield Round(
                id=rid,
                track_id=track,
                title=f"Round {r + 1} of track {t:02d}",
                start=start,
                end=start + timedelta(days=rng.randrange(4)),
                venues=[rng.choice(["Doha", "Cairo", "Geneva", "Jeddah"])],
                mediator_ids=mediators,
                participant_ids=parties,
                format=rng.choice(["direct", "proximity", "shuttle"]),
                outcome=_sentence(rng, 5, 25),
                status="concluded",
                source_ids=[rng.choice(sources)],
            )
        point_ids = [f"point-{t:02d}-{k}" for k in range(points_per)]
        for k, pid in enumerate(point_ids):
            yield StickingPoint(
                id=pid,
                track_id=track,
                title=f"Point {k + 1}: {_sentence(rng, 2, 5)}",
                description=_sentence(rng, 10, 30),
                status=rng.choice(["open", "narrowing", "deadlocked", "bridged"]),
                priority=rng.choice(["high", "medium", "low"]),
                raised=day(),
                source_ids=[rng.choice(sources)],
            )
        for k in range(proposals_per):
            yield Proposal(
                id=f"proposal-{t:02d}-{k}",
                track_id=track,
                title=f"Proposal {k + 1} of track {t:02d}",
                date=day(),
                by_ids=mediators[:1],
                summary=_sentence(rng, 20, 40),
                point_ids=point_ids[:3],
                responses=[
                    Response(
                        actor_id=a,
                        status=rng.choice(["accepted", "rejected", "pending"]),
                        date=day(),
                        source_ids=[rng.choice(sources)],
                    )
                    for a in parties
                ],
                source_ids=[rng.choice(sources)],
            )
        for k in range(assessments_per):
            yield Assessment(
                id=f"assessment-{t:02d}-{k}",
                track_id=track,
                analyst=f"Analyst {k}",
                affiliation="A think tank",
                date=day(),
                gist=_sentence(rng, 15, 40),
                source_ids=[rng.choice(sources)],
            )
        fixed = 1 + rounds_per + points_per + proposals_per + assessments_per
        rest = left - fixed
        for j in range(rest):
            if j % 5 < 3:  # three positions for every two events
                actor = rng.choice(parties if rng.random() < 0.85 else mediators)
                yield Position(
                    id=f"position-{t:02d}-{j:06d}",
                    track_id=track,
                    point_id=rng.choice(point_ids),
                    actor_id=actor,
                    speaker_id=rng.choice(people),
                    date=day(),
                    stance=f"Stance {t:02d}-{j:06d}: {_sentence(rng, 10, 35)}",
                    gist=_sentence(rng, 2, 5),
                    firmness=rng.choice(["red line", "demand", "conditional", "flexible"]),
                    round_id=rng.choice(round_ids),
                    source_ids=rng.sample(sources, rng.randint(1, 2)),
                )
            else:
                yield Event(
                    id=f"event-{t:02d}-{j:06d}",
                    track_id=track,
                    date=day(),
                    event_kind=rng.choice(["statement", "military", "diplomatic", "accusation"]),
                    title=f"Event {t:02d}-{j:06d}: {_sentence(rng, 3, 8)}",
                    text=_sentence(rng, 15, 50),
                    actor_ids=rng.sample(parties, 2),
                    source_ids=[rng.choice(sources)],
                )
        made += fixed + rest


def _marker(text: str) -> str:
    """The unique start of a generated text ("Event 03-000042:"), short enough for a cell."""
    head, colon, _ = text.partition(":")
    return head + colon if colon else text[:16]


def build(n: int, path: Path, rows_path: Path, tracks: int = TRACKS) -> dict[str, Any]:
    """Write the store; save the Sources view's rows for the baseline; return markers."""
    from store import Source, open_store

    chunk: list[Any] = []
    with open_store(path) as repo:
        for record in generate(n, tracks=tracks):
            chunk.append(record)
            if len(chunk) == 5000:
                repo.put_many(chunk)
                chunk = []
        if chunk:
            repo.put_many(chunk)
        assert repo.count() == n, (repo.count(), n)
        track = repo.tracks()[0].id
        # The Timeline shows the newest entry first.
        timeline = repo.timeline(track)[::-1]
        last = timeline[-1]
        sources = sorted(repo.list_as(Source), key=lambda s: (s.published, s.id), reverse=True)
        rows = [(s.published.isoformat(), s.outlet, s.title, s.source_kind.value) for s in sources]
        rows_path.write_text(json.dumps(rows), encoding="utf-8")
        repo.compact()
        return {
            **search_queries(repo, sources[-1].title),
            "records": repo.count(),
            "timeline_rows": len(timeline),
            "timeline_first": _marker(timeline[0].text),
            "timeline_last": _marker(last.text),
            "sources": len(sources),
            "sources_last": _marker(sources[-1].title),
            "sources_first": _marker(sources[0].title),
        }


def search_queries(repo: Any, title: str) -> dict[str, Any]:
    """Two queries for the search measure, each with how many records it finds; its last
    letter changes that number, so that the screen shows when the last key was read."""
    try:
        from store.reading.search import search
    except ImportError:  # a baseline from before the store was grouped
        from store.search import search  # type: ignore[no-redef]

    def total(query: str) -> int:
        return search(repo, query, limit=0).total

    narrow = _marker(title).rstrip(":").casefold()
    broad = max(
        (w for w in WORDS if total(w) != total(w[:-1])),
        key=lambda w: total(w),
    )
    return {
        "search_narrow": narrow,
        "search_narrow_total": total(narrow),
        "search_broad": broad,
        "search_broad_total": total(broad),
    }


# -- driving a program in a pseudo-terminal ---------------------------------------------


class Screen:
    """Just enough of a terminal to know what text is where.

    Textual writes only the cells that changed between frames, so the text of a
    repainted row is often not in the output in one piece; what the person sees
    is what this keeps: each line's characters, styles ignored.
    """

    def __init__(self, columns: int, lines: int) -> None:
        self.columns, self.lines = columns, lines
        self.cells = [[" "] * columns for _ in range(lines)]
        self.row = self.col = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""

    def text(self) -> list[str]:
        return ["".join(line) for line in self.cells]

    def feed(self, data: bytes) -> None:
        text = self.pending + self.decoder.decode(data)
        self.pending = ""
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == "\x1b":
                end = self._escape(text, i)
                if end is None:  # cut short: wait for the rest
                    self.pending = text[i:]
                    return
                i = end
                continue
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self.row = min(self.row + 1, self.lines - 1)
            elif ch == "\b":
                self.col = max(self.col - 1, 0)
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _put(self, ch: str) -> None:
        if unicodedata.combining(ch) or ch in "\u200b\u200d\ufe0f":
            return
        wide = unicodedata.east_asian_width(ch) in "WF"
        if self.col < self.columns and 0 <= self.row < self.lines:
            self.cells[self.row][self.col] = ch
            if wide and self.col + 1 < self.columns:
                self.cells[self.row][self.col + 1] = ""
        self.col += 2 if wide else 1

    def _escape(self, text: str, i: int) -> int | None:
        """Apply the escape sequence at ``i``; the index after it, or None if incomplete."""
        if i + 1 >= len(text):
            return None
        kind = text[i + 1]
        if kind == "[":
            j = i + 2
            while j < len(text) and not ("@" <= text[j] <= "~"):
                j += 1
            if j >= len(text):
                return None
            self._csi(text[i + 2 : j], text[j])
            return j + 1
        if kind in "]P_^":  # OSC, DCS, ...: up to BEL or ESC \\
            j = i + 2
            while j < len(text):
                if text[j] == "\x07":
                    return j + 1
                if text[j] == "\x1b" and j + 1 < len(text) and text[j + 1] == "\\":
                    return j + 2
                j += 1
            return None
        return i + 2

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", ">", "<", "=")):
            return
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(k: int, default: int) -> int:
            return numbers[k] if len(numbers) > k and numbers[k] else default

        if final in "Hf":
            self.row = min(arg(0, 1), self.lines) - 1
            self.col = min(arg(1, 1), self.columns) - 1
        elif final == "G":
            self.col = min(arg(0, 1), self.columns) - 1
        elif final == "A":
            self.row = max(self.row - arg(0, 1), 0)
        elif final == "B":
            self.row = min(self.row + arg(0, 1), self.lines - 1)
        elif final == "C":
            self.col = min(self.col + arg(0, 1), self.columns - 1)
        elif final == "D":
            self.col = max(self.col - arg(0, 1), 0)
        elif final == "K":
            line, mode = self.cells[self.row], arg(0, 0)
            start, stop = {0: (self.col, self.columns), 1: (0, self.col + 1)}.get(
                mode, (0, self.columns)
            )
            for c in range(start, stop):
                line[c] = " "
        elif final == "J" and arg(0, 0) == 2:
            self.cells = [[" "] * self.columns for _ in range(self.lines)]


Check = Callable[[list[str]], bool]


def contains(text: str, times: int = 1) -> Check:
    return lambda lines: sum(line.count(text) for line in lines) >= times


def starts_line(text: str) -> Check:
    return lambda lines: any(line.startswith(text) for line in lines)


# The Points table's heading: its Status column is as wide as the widest status shown.
POINTS_HEADING = re.compile(r"^Status +Sticking point ")


def matches_line(pattern: re.Pattern[str]) -> Check:
    return lambda lines: any(pattern.match(line) for line in lines)


@dataclass
class Terminal:
    """A child process on a pty, and the screen it has drawn."""

    argv: list[str]
    columns: int
    lines: int
    pid: int = 0
    fd: int = -1
    started: float = 0.0
    screen: Screen = field(init=False)

    def __post_init__(self) -> None:
        self.screen = Screen(self.columns, self.lines)

    def spawn(self, cwd: Path = ROOT, **extra_env: str) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", **extra_env)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child
            winsize = struct.pack("HHHH", self.lines, self.columns, 0, 0)
            fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
            os.chdir(cwd)
            os.execve(self.argv[0], self.argv, env)
        self.pid, self.fd = pid, fd

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # the child has gone
            return False
        if not data:
            return False
        self.screen.feed(data)
        return True

    def wait_until(self, check: Check, what: str) -> float:
        """Read until the screen passes ``check``; the time it first did."""
        deadline = time.perf_counter() + TIMEOUT
        while not check(self.screen.text()):
            if time.perf_counter() > deadline:
                shown = "\n".join(self.screen.text())
                raise TimeoutError(f"{what}: never on screen; the screen:\n{shown}")
            self._read(0.5)
        return time.perf_counter()

    def settle(self) -> None:
        """Read until the program has been quiet for a while."""
        deadline = time.perf_counter() + TIMEOUT
        while self._read(QUIET):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the program never stopped drawing for {QUIET} s")

    def press(self, key: str, check: Check, what: str) -> float:
        """Seconds from writing ``key`` to the screen passing ``check``."""
        self.settle()
        if check(self.screen.text()):
            raise AssertionError(f"{what}: already on screen before {key!r}")
        start = time.perf_counter()
        os.write(self.fd, key.encode())
        return self.wait_until(check, what) - start

    def finish(self, key: str = "q") -> float:
        """Quit; the child's peak resident memory in MB."""
        self.settle()
        os.write(self.fd, key.encode())
        deadline = time.perf_counter() + TIMEOUT
        while True:
            pid, _, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError("the program did not quit")
            self._read(0.05)
        os.close(self.fd)
        self.pid = 0
        return usage.ru_maxrss / 1024  # KiB on Linux

    def kill(self) -> None:
        if self.pid:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.pid = 0


# What each view shows, and no other view does.
VIEWS: dict[str, tuple[str, Check]] = {
    "1": ("Overview", contains("Latest round")),
    "2": ("Rounds", starts_line("Dates ")),
    "3": ("Sticking points", matches_line(POINTS_HEADING)),
    "4": ("Positions", starts_line("Sticking point")),
    "5": ("Actors", contains("Role here")),
    "6": ("Timeline", contains("every kind")),
    "7": ("Sources", starts_line("Published")),
}


def measure_parley(
    store: Path, info: dict[str, Any], columns: int, lines: int, only_save: bool = False
) -> dict[str, Any]:
    cli = [sys.executable, "-m", "tui.cli", "--db", str(store)]
    term = Terminal(cli, columns, lines)
    # These figures are the dashboard's: it opens on the first track, not on the desk.
    term.spawn(XDG_CONFIG_HOME=str(settings(store.parent, 'start = "track"\n')))
    try:
        return drive_parley(term, info, only_save)
    finally:
        term.kill()


def settings(directory: Path, text: str) -> Path:
    """A settings directory of the benchmark's own, so that a run neither reads nor
    writes the user's (a visit to a track is kept there)."""
    home = directory / f"config-{abs(hash(text))}"
    (home / "parley").mkdir(parents=True, exist_ok=True)
    (home / "parley" / "config.toml").write_text(text, encoding="utf-8")
    return home


# -- the desk: opening on every track, then on one ----------------------------------------

DESK_TRACKS = 20
# The desk's column heading and the Overview's board heading: neither shows on the other.
DESK_SHOWN = contains("Latest news Open")
OVERVIEW_SHOWN = contains("Gap board: each party")


def baseline_tree(commit: str, directory: Path) -> Path:
    """The project as it was at ``commit``, unpacked beside the stores: the baseline
    runs from there, on the same interpreter and libraries."""
    import subprocess

    tree = directory / f"tree-{commit}"
    tree.mkdir(exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "store", "tui", "seeds"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    # This script too, to build the baseline's store with the baseline's own records:
    # a store written now has fields the baseline does not know.
    (tree / "benchmarks").mkdir(exist_ok=True)
    (tree / "benchmarks" / "tui_bench.py").write_bytes(Path(__file__).read_bytes())
    return tree


def drive_desk(term: Terminal) -> dict[str, float]:
    """From spawn to the desk on screen; Enter to the first track's Overview (the
    dashboard built then); T back to the desk; Enter and T again, both screens built."""
    return {
        "desk_s": term.wait_until(DESK_SHOWN, "the desk") - term.started,
        "track_ms": term.press("\r", OVERVIEW_SHOWN, "a track") * 1000,
        "back_ms": term.press("T", DESK_SHOWN, "the desk again") * 1000,
        "again_ms": term.press("\r", OVERVIEW_SHOWN, "the track again") * 1000,
        "back_again_ms": term.press("T", DESK_SHOWN, "the desk once more") * 1000,
    }


def drive_desk_at_once(term: Terminal) -> dict[str, float]:
    """Enter as soon as the desk shows: from spawn to the first track's Overview. Opened
    on a desk kept from the last session, the store is read after the desk is drawn,
    and this is when it is read and a key is answered."""
    term.wait_until(DESK_SHOWN, "the desk")
    os.write(term.fd, b"\r")
    return {"at_once_s": term.wait_until(OVERVIEW_SHOWN, "a track at once") - term.started}


def measure_desk(
    store: Path, columns: int, lines: int, baseline: Path, baseline_store: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """Parley now and the baseline (the tree at the baseline commit), each on its own
    store of the same records: opened on its first track (``start = "track"``, the
    dashboard's own figure), opened on the desk, then Enter and T, and opened on the
    desk with Enter at once. Medians of three.
    A baseline without a desk has no desk figures."""
    figures: list[dict[str, list[float]]] = [{}, {}]
    runs = [
        (figures[1], baseline, baseline_store, "baseline"),
        (figures[0], ROOT, store, "now"),
    ]
    for _ in range(3):
        for found, tree, db, name in runs:
            cli = [sys.executable, "-m", "tui.cli", "--db", str(db)]
            # Settings of each run's own, so that a visit kept by one is not read by another.
            term = Terminal(cli, columns, lines)
            home = settings(db.parent, f'# {name}\nstart = "track"\n')
            term.spawn(cwd=tree, XDG_CONFIG_HOME=str(home))
            try:
                first = term.wait_until(OVERVIEW_SHOWN, f"{name}: the Overview") - term.started
                found.setdefault("first_s", []).append(first)
                term.finish()
            finally:
                term.kill()
            for drive in (drive_desk, drive_desk_at_once):
                term = Terminal(cli, columns, lines)
                term.spawn(cwd=tree, XDG_CONFIG_HOME=str(settings(db.parent, f"# {name}\n")))
                try:
                    try:
                        seen = drive(term)
                    except TimeoutError:
                        if name == "now":
                            raise
                        seen = {}  # a baseline from before the desk
                    for key, value in seen.items():
                        found.setdefault(key, []).append(value)
                    term.finish()
                finally:
                    term.kill()
    now, then = ({k: statistics.median(v) for k, v in f.items()} for f in figures)
    return now, then


def run_desk(n: int, directory: Path, columns: int, lines: int, commit: str) -> None:
    import subprocess

    started = time.perf_counter()
    spawn_build(n, directory, DESK_TRACKS)
    built = time.perf_counter() - started
    store = directory / f"parley-{n}.json"
    named = commit
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = baseline_tree(commit, directory)
    (directory / "baseline").mkdir()
    spawn_build(n, directory / "baseline", DESK_TRACKS, root=tree)
    baseline_store = directory / "baseline" / f"parley-{n}.json"
    now, then = measure_desk(store, columns, lines, tree, baseline_store)
    print(
        f"\nThe desk: {n:,} records over {DESK_TRACKS} tracks (built in {built:.0f} s); "
        f"medians of three starts; the baseline is {named} ({commit})"
    )
    print(f"  {'':<40} {'now':>9} {named[:10]:>10}   target")
    rows = [
        ("open on a track (the dashboard), s", "first_s", 1, "s", "first_s"),
        ("open on the desk, s", "desk_s", 1, "s", "first_s"),
        ("Enter on the desk to a track, 1st, ms", "track_ms", 1000, "ms", "first_s"),
        ("open, Enter at once: the track, s", "at_once_s", 1, "s", "first_s"),
        ("T back to the desk, ms", "back_ms", 1, "ms", "switch_ms"),
        ("Enter again (both built), ms", "again_ms", 1, "ms", "switch_ms"),
        ("T back again, ms", "back_again_ms", 1, "ms", "switch_ms"),
    ]
    for label, key, scale, unit, target in rows:
        value = now[key]
        before = f"{then[key]:>10.2f}" if key in then else f"{'—':>10}"
        if unit == "ms":
            before = f"{then[key]:>10.0f}" if key in then else f"{'—':>10}"
        # The first Enter builds the dashboard: it is held to the dashboard's opening.
        limit = TARGETS[target] * scale
        mark = "ok" if value <= limit else "MISSED"
        shown = f"{value:>9.2f}" if unit == "s" else f"{value:>9.0f}"
        print(f"  {label:<40} {shown} {before}   <= {limit:g} {unit}  {mark}")
    sys.stdout.flush()


def drive_parley(term: Terminal, info: dict[str, Any], only_save: bool = False) -> dict[str, Any]:
    first = term.wait_until(VIEWS["1"][1], "the Overview") - term.started
    term.settle()
    first_rss = _rss_mb(term.pid)
    if only_save:
        saves = [save_status(term, status) for status in SAVE_STATUSES]
        return {
            "save_ms": statistics.median(saves) * 1000,
            "first_s": first,
            "first_rss_mb": first_rss,
            "peak_mb": term.finish(),
        }

    def show(key: str) -> float:
        name, check = VIEWS[key]
        return term.press(key, check, name)

    # The first visit to a view loads it; later visits only show it.
    cold = {key: show(key) for key in "2345671"}
    warm: dict[str, list[float]] = {key: [] for key in "2345671"}
    for _ in range(REPEATS):
        for key in "2345671":
            warm[key].append(show(key))
    # A row's text shows twice once the cursor is on it: in the table and in the detail.
    jumps: dict[str, list[float]] = {"6": [], "7": []}
    for key, name in (("6", "timeline"), ("7", "sources")):
        show(key)
        for _ in range(REPEATS):
            last, first_row = info[f"{name}_last"], info[f"{name}_first"]
            jumps[key].append(term.press("G", contains(last, 2), f"{name} last row"))
            term.press("g", contains(first_row, 2), f"{name} first row")
    saves = [save_status(term, status) for status in SAVE_STATUSES]
    searches = {
        which: [search_once(term, info, which) for _ in range(REPEATS)]
        for which in ("narrow", "broad")
    }
    compares = [compare_once(term) for _ in range(REPEATS)]
    peak = term.finish()
    return {
        "search_narrow_ms": statistics.median(searches["narrow"]) * 1000,
        "search_broad_ms": statistics.median(searches["broad"]) * 1000,
        "compare_ms": statistics.median(compares) * 1000,
        "save_ms": statistics.median(saves) * 1000,
        "first_s": first,
        "cold_ms": {k: v * 1000 for k, v in cold.items()},
        "warm_ms": {k: statistics.median(v) * 1000 for k, v in warm.items()},
        "jump_timeline_ms": statistics.median(jumps["6"]) * 1000,
        "jump_sources_ms": statistics.median(jumps["7"]) * 1000,
        "peak_mb": peak,
        "first_rss_mb": first_rss,
    }


# Each save sets the first sticking point to the next of these: no two alike, as the
# same status from the same source on the same day is refused as logged already.
SAVE_STATUSES = ("bridged", "agreed", "narrowing", "deadlocked", "open")


def save_status(term: Terminal, status: str) -> float:
    """Seconds from ctrl+s on the `s` form to the Points table showing the new status.

    The form is the quick one: one key picks the status, the source is the one the
    sticking point cites.
    """
    term.settle()
    if not VIEWS["3"][1](term.screen.text()):
        term.press("3", VIEWS["3"][1], "Sticking points")
        # The heading can arrive a frame before the rows: read them once all is drawn.
        term.settle()
    lines = term.screen.text()
    header = next(i for i, text in enumerate(lines) if POINTS_HEADING.match(text))
    column = lines[header].index("Sticking point")
    title = lines[header + 1][column : column + 29].strip()
    term.press("s", contains("Status of"), "the status form")
    os.write(term.fd, status[0].encode())
    term.settle()

    def saved(screen: list[str]) -> bool:
        return any(text.startswith(f"{status} ") and title in text for text in screen)

    return term.press("\x13", saved, f"status {status} in the table")


def search_once(term: Terminal, info: dict[str, Any], which: str) -> float:
    """Seconds from the query's last key to the screen saying how many records it found."""
    query, total = info[f"search_{which}"], info[f"search_{which}_total"]
    found = f"{total} record{'s hold' if total != 1 else ' holds'} every word"
    term.press("f", contains("Search everything"), "the search screen")
    term.settle()  # the store's words are indexed once, as the screen opens
    os.write(term.fd, query[:-1].encode())
    seconds = term.press(query[-1], contains(found), f"results of {query!r}")
    term.press("\x1b", lambda lines: not contains("Search everything")(lines), "search closed")
    return seconds


# A year of the first track's dates (the generated ones run from January 2023).
COMPARE_FROM, COMPARE_TO = "2023-06-01", "2024-06-01"


def compare_once(term: Terminal) -> float:
    """Seconds from ctrl+s on the dates' form to the comparison on screen."""
    term.press("C", contains("Compare two dates"), "the compare form")
    # ctrl+u empties a field; enter goes on to the next. Each once the last has landed.
    for keys in ("\x15", COMPARE_FROM, "\r", "\x15", COMPARE_TO):
        term.settle()
        os.write(term.fd, keys.encode())
    term.settle()
    shown = term.press("\x13", contains("What changed after 1 Jun 2023"), "the comparison")
    term.press("\x1b", lambda lines: not contains("What changed")(lines), "comparison closed")
    return shown


def _rss_mb(pid: int) -> float:
    """A running process's resident memory now, in MB (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def measure_baseline(rows_path: Path, info: dict[str, Any], columns: int, lines: int) -> Any:
    argv = [sys.executable, __file__, "--datatable", str(rows_path)]
    term = Terminal(argv, columns, lines)
    term.spawn()
    try:
        first = term.wait_until(contains(info["sources_first"]), "the first row") - term.started
        marker = info["sources_first"]
        saves = [save_baseline(term, status, marker) for status in SAVE_STATUSES]
        return {
            "first_s": first,
            "save_ms": statistics.median(saves) * 1000,
            "peak_mb": term.finish("q"),
        }
    finally:
        term.kill()


def save_baseline(term: Terminal, status: str, marker: str) -> float:
    """The same keys in the stock app: ``s`` opens a dialog, a letter picks the status,
    ctrl+s closes it and writes the status into the first row's cell."""
    term.press("s", contains("Status of"), "the status dialog")
    os.write(term.fd, status[0].encode())
    term.settle()

    def saved(screen: list[str]) -> bool:
        return any(f" {status} " in text and marker in text for text in screen)

    return term.press("\x13", saved, f"status {status} in the table")


def run_datatable(rows_path: str) -> None:
    """The baseline app: a stock DataTable with the rows, and a stock dialog that sets
    the first cell of the first row: what Textual itself costs, on this machine now."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.coordinate import Coordinate
    from textual.screen import ModalScreen
    from textual.widgets import DataTable, Label

    rows = [tuple(r) for r in json.loads(Path(rows_path).read_text(encoding="utf-8"))]
    by_key = {status[0]: status for status in SAVE_STATUSES}

    class Dialog(ModalScreen[str]):
        BINDINGS = [Binding("ctrl+s", "save", priority=True)]
        DEFAULT_CSS = "Dialog { align: center middle; } Dialog Label { border: round $accent; }"

        def __init__(self) -> None:
            super().__init__()
            self.status = ""

        def compose(self) -> ComposeResult:
            yield Label("Status of the first row: " + " ".join(SAVE_STATUSES))

        def on_key(self, event: Any) -> None:
            self.status = by_key.get(event.key, self.status)

        def action_save(self) -> None:
            self.dismiss(self.status)

    class Baseline(App[None]):
        BINDINGS = [("q", "quit", "Quit"), ("s", "status", "Status")]

        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Published", "Outlet", "Title", "Kind")
            table.add_rows(rows)
            table.focus()

        def action_status(self) -> None:
            def saved(status: str | None) -> None:
                if status:
                    self.query_one(DataTable).update_cell_at(Coordinate(0, 0), status)

            self.push_screen(Dialog(), saved)

    Baseline().run()


# -- the report ---------------------------------------------------------------------------


def spawn_build(n: int, directory: Path, tracks: int = TRACKS, root: Path = ROOT) -> dict[str, Any]:
    # A child of its own: ru_maxrss carries a parent's high-water mark into its children,
    # so this process stays small.
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            str(root / "benchmarks" / "tui_bench.py"),
            "--build",
            str(n),
            str(directory),
            "--tracks",
            str(tracks),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--terminal", default="120x40", help="COLUMNSxLINES")
    parser.add_argument(
        "--only",
        choices=["save"],
        help="save: start up and time the status saves only, not the switches and jumps",
    )
    parser.add_argument(
        "--desk",
        choices=["also", "only", "no"],
        default="also",
        help="also (default) / only: time opening on the desk at the largest size, over "
        f"{DESK_TRACKS} tracks, beside the baseline commit's opening",
    )
    parser.add_argument(
        "--baseline-commit",
        default="main",
        help="the commit whose figures the desk's are printed beside (default main)",
    )
    parser.add_argument("--build", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--tracks", type=int, default=TRACKS, help=argparse.SUPPRESS)
    parser.add_argument("--datatable", metavar="ROWS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        sys.path.insert(0, str(ROOT))
        n, directory = int(args.build[0]), Path(args.build[1])
        info = build(n, directory / f"parley-{n}.json", directory / f"rows-{n}.json", args.tracks)
        print(json.dumps(info))
        return 0
    if args.datatable:
        run_datatable(args.datatable)
        return 0

    columns, lines = (int(x) for x in args.terminal.split("x"))
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at start; terminal {columns}x{lines}; times from spawn "
        "or key press until the screen shows the result"
    )
    results = []
    if args.desk == "only":
        with tempfile.TemporaryDirectory(prefix="parley-desk-bench-") as tmp:
            run_desk(max(sizes), Path(tmp), columns, lines, args.baseline_commit)
        return 0
    with tempfile.TemporaryDirectory(prefix="parley-tui-bench-") as tmp:
        directory = Path(tmp)
        for n in sizes:
            started = time.perf_counter()
            info = spawn_build(n, directory)
            built = time.perf_counter() - started
            store = directory / f"parley-{n}.json"
            parley = measure_parley(store, info, columns, lines, only_save=args.only == "save")
            baseline = measure_baseline(directory / f"rows-{n}.json", info, columns, lines)
            results.append((n, info, parley, baseline))
            print(
                f"\n{n:,} records ({info['timeline_rows']:,} timeline rows in the first track, "
                f"{info['sources']:,} sources; store {store.stat().st_size / 1e6:.1f} MB, "
                f"built in {built:.0f} s)"
            )
            print(f"  {'':<30} {'Parley':>9} {'DataTable':>10}")
            print(
                f"  {'first interactive, s':<30} {parley['first_s']:>9.2f} "
                f"{baseline['first_s']:>10.2f}   (DataTable: the Sources rows, nothing else)"
            )
            print(
                f"  {'RSS at first screen, MB':<30} {parley['first_rss_mb']:>9.0f}"
                f"   (after the switches and jumps below: peak RSS)"
            )
            print(f"  {'peak RSS, MB':<30} {parley['peak_mb']:>9.0f} {baseline['peak_mb']:>10.0f}")
            print(
                f"  {'save a status (s), ms':<30} {parley['save_ms']:>9.0f} "
                f"{baseline['save_ms']:>10.0f}   (median: ctrl+s to the table showing it; "
                "DataTable: a stock dialog sets a cell)"
            )
            sys.stdout.flush()
            if args.only == "save":
                continue
            print(f"  {'switch to view, ms':<30} {'cold':>9} {'warm':>10}")
            for key in "2345671":
                name = f"  {key} {VIEWS[key][0]}"
                print(
                    f"  {name:<30} {parley['cold_ms'][key]:>9.0f} {parley['warm_ms'][key]:>10.0f}"
                )
            print(f"  {'G in Timeline, ms':<30} {parley['jump_timeline_ms']:>9.0f}")
            print(f"  {'G in Sources, ms':<30} {parley['jump_sources_ms']:>9.0f}")
            if "search_narrow_ms" in parley:
                print(
                    f"  {'search, last key to results':<30} {parley['search_narrow_ms']:>9.0f}"
                    f"   ms, {info['search_narrow']!r}: {info['search_narrow_total']:,} record(s)"
                )
                print(
                    f"  {'':<30} {parley['search_broad_ms']:>9.0f}"
                    f"   ms, {info['search_broad']!r}: {info['search_broad_total']:,} records"
                )
                print(
                    f"  {'compare a year, ms':<30} {parley['compare_ms']:>9.0f}"
                    "   (median: ctrl+s on the dates to the comparison on screen)"
                )
            sys.stdout.flush()

    if args.desk == "also":
        with tempfile.TemporaryDirectory(prefix="parley-desk-bench-") as tmp:
            run_desk(max(sizes), Path(tmp), columns, lines, args.baseline_commit)
    n, _, parley, baseline = results[-1]
    if args.only == "save":
        mark = "ok" if parley["save_ms"] <= TARGETS["save_ms"] else "MISSED"
        print(
            f"\nTarget at {n:,} records: status save, median {parley['save_ms']:.2f} ms "
            f"(target <= {TARGETS['save_ms']:g} ms; stock DataTable {baseline['save_ms']:.2f} ms)"
            f"  {mark}"
        )
        return 0
    worst_switch = max([*parley["cold_ms"].values(), *parley["warm_ms"].values()])
    worst_warm = max(parley["warm_ms"].values())
    worst_jump = max(parley["jump_timeline_ms"], parley["jump_sources_ms"])
    print(f"\nTargets at {n:,} records:")
    for name, value, target, unit in [
        ("first interactive", parley["first_s"], TARGETS["first_s"], "s"),
        ("slowest switch, cold", worst_switch, TARGETS["switch_ms"], "ms"),
        ("slowest switch, warm", worst_warm, TARGETS["switch_ms"], "ms"),
        ("slowest jump (G)", worst_jump, TARGETS["switch_ms"], "ms"),
        ("status save, median", parley["save_ms"], TARGETS["save_ms"], "ms"),
        (
            "search, last key",
            max(parley["search_narrow_ms"], parley["search_broad_ms"]),
            TARGETS["search_ms"],
            "ms",
        ),
        ("compare screen", parley["compare_ms"], TARGETS["compare_ms"], "ms"),
        ("peak RSS", parley["peak_mb"], TARGETS["peak_mb"], "MB"),
    ]:
        mark = "ok" if value <= target else "MISSED"
        print(f"  {name:<22} {value:>8.2f} {unit:<2} (target <= {target:g} {unit})  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
