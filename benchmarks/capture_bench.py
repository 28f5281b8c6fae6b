"""How fast one news item goes in from the keyboard: keys pressed, passes, time.

Run ``python benchmarks/capture_bench.py``. It drives the real app with Pilot on
a fresh seed store, four everyday captures one after another in one session, as
a person would enter the news of 25 August 2024:

1. from the Overview, a new position of Hamas on the Philadelphi Corridor, red
   line, citing a new Reuters report;
2. a new round in Cairo with Egypt, Qatar and the US mediating, citing a new
   Reuters report, in one pass;
3. the Philadelphi Corridor's status set to deadlocked, citing the source used last;
4. Hamas's response to the bridging proposal: rejected, citing the source used last.

Keys are every key pressed except the free text typed (titles, stances, dates,
a new source's line), which is counted apart as characters. Every scenario then
reopens the store and checks that exactly the intended records were written;
a scenario whose check fails is reported as failed, not counted.

The baseline, in the same run: the same captures on Parley as it was before
quick entry (``--baseline REV``, by default the last commit before it), through
its full forms, driven by this same script in a child process.

With ``--records N`` the save times are also measured on a generated store of N
records (built as ``tui_bench.py`` builds it): the median over the four saves of
the time from ctrl+s until the saved screen has been drawn.

From an article to records: the news report the seed was written from
(``../shared/seeds/``) turned into three records — an analyst's assessment, a
military event and a position — once through the reader (the report pasted with
``c``, each record taken from its sentence, its quote anchored) and once typed in
the quick-entry forms from the dashboard, the same values typed by hand. Here
every key counts, the characters typed included: what the reader saves is the
typing. Target: the reader takes at most half the keys.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "e6aa26e"
TRACK = "gaza-ceasefire-hostage-talks"
POINT = "philadelphi-corridor"
PROPOSAL = "us-bridging-proposal-2024-08"
NEWS_DAY = "2024-08-25"
TARGETS = {"position": 12, "round": 20, "status": 5, "response": 8}

# A step: ("key", name) is counted as a key; ("text", characters) as typed text.
Step = tuple[str, str]


def k(*names: str) -> list[Step]:
    return [("key", n) for n in names]


def t(text: str) -> list[Step]:
    return [("text", text)]


STANCE = "No Israeli troops may stay on the corridor."
ROUND_TITLE = "Cairo round"
REUTERS_1 = "Reuters, 2024-08-25, wire"
REUTERS_2 = "Reuters: Talks resume in Cairo, 2024-08-25, wire"

# Quick entry: what the keys are now.
QUICK: dict[str, list[Step]] = {
    "position": [
        *k("G", "p"),  # the last row of the gap board is the Philadelphi Corridor
        *k("h", "a", "m", "enter"),  # the party: type-ahead, Enter takes Hamas
        *k("r"),  # red line
        *t(STANCE),
        *k("tab"),
        *t(REUTERS_1),
        *k("enter"),  # "+ new source: ..."; the date follows the source
        *k("ctrl+s"),
    ],
    "round": [
        *k("r"),
        *t(ROUND_TITLE),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab"),
        *t("Cairo"),
        *k("tab"),
        *k("e", "g", "enter", "q", "a", "enter", "u", "s", "enter", "enter"),
        *k("u"),  # under way
        *t(REUTERS_2),
        *k("enter", "ctrl+s"),
    ],
    "status": [*k("s", "d", "ctrl+s")],
    "response": [*k("a", "r", "ctrl+s")],
}

# The full forms of Parley before quick entry: what the keys were.
FULL: dict[str, list[Step]] = {
    "position": [
        *k("G", "p"),
        *k("tab", "tab"),  # the point's search box and list, to the party's search box
        *k("h", "a", "m", "enter"),
        *k("tab", "tab", "tab"),  # speaker search, speaker list, date
        *t(NEWS_DAY),
        *k("tab", "enter", "r", "enter"),  # firmness drop-down
        *k("tab", "tab"),  # gist, stance
        *t(STANCE),
        *k("tab", "tab", "tab", "tab", "tab"),  # quote, round ×2, sources ×2
        *k("tab"),  # new source: outlet
        *t("Reuters"),
        *k("tab"),
        *t("Reuters report, 2024-08-25"),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab", "enter", "w", "enter"),  # its kind
        *k("ctrl+s"),
    ],
    "round": [
        *k("r"),
        *t(ROUND_TITLE),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab", "tab"),  # end, venues
        *t("Cairo"),
        *k("tab", "tab", "enter", "u", "enter"),  # format, status drop-down
        *k("tab", "e", "g", "y", "enter"),
        # After one pick, Enter in the search ticks nothing: the list's arrows do it.
        *k("shift+tab", "q", "a", "t", "enter", "down", "down", "enter"),
        *k("shift+tab", "u", "n", "i", "enter", "down", "down", "down", "enter"),
        *k("tab", "tab", "tab", "tab", "tab", "tab"),  # to the new source's outlet
        *t("Reuters"),
        *k("tab"),
        *t("Talks resume in Cairo"),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab", "enter", "w", "enter"),
        *k("ctrl+s"),
    ],
    "status": [
        *k("s", "enter", "d", "enter"),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab", "tab", "r", "e", "u", "enter", "ctrl+s"),
    ],
    "response": [
        *k("a", "tab", "tab", "tab", "tab", "enter", "r", "enter"),
        *k("tab"),
        *t(NEWS_DAY),
        *k("tab", "tab", "r", "e", "u", "enter", "ctrl+s"),
    ],
}


@dataclass
class Result:
    keys: int = 0
    chars: int = 0
    passes: int = 1
    ok: bool = False
    why: str = ""
    save_ms: float = 0.0


def check(name: str, before: dict[str, set[str]], path: Path) -> str:
    """What is wrong with what the scenario wrote; "" when it is exactly what was meant."""
    from store import open_store

    with open_store(path) as repo:
        new = {kind: set(repo.ids(kind)) - ids for kind, ids in before.items()}
        added = {kind: ids for kind, ids in new.items() if ids}

        def source(ids: list[str]) -> Any:
            return repo.get("source", ids[0]) if len(ids) == 1 else None

        if name == "position":
            if set(added) != {"position", "source"}:
                return f"added {added}"
            [pid] = added["position"]
            p = repo.get("position", pid)
            s = source(p.source_ids)
            if (p.point_id, p.actor_id, p.firmness.value, p.stance, p.date.isoformat()) != (
                POINT,
                "hamas",
                "red line",
                STANCE,
                NEWS_DAY,
            ):
                return f"position is {p!r}"
            if s is None or (s.outlet, s.published.isoformat(), s.source_kind.value) != (
                "Reuters",
                NEWS_DAY,
                "wire",
            ):
                return f"source is {s!r}"
        elif name == "round":
            if set(added) != {"round", "source"}:
                return f"added {added}"
            [rid] = added["round"]
            r = repo.get("round", rid)
            s = source(r.source_ids)
            got = (r.title, r.start.isoformat(), r.venues, set(r.mediator_ids), r.status.value)
            want = (ROUND_TITLE, NEWS_DAY, ["Cairo"], {"egypt", "qatar", "united-states"})
            if got != (*want, "under way"):
                return f"round is {got}"
            if s is None or (s.outlet, s.published.isoformat()) != ("Reuters", NEWS_DAY):
                return f"source is {s!r}"
        elif name in ("status", "response"):
            if added:
                return f"added {added}"
            last = [c for c in repo.history(limit=1)]
            if name == "status":
                point = repo.get("point", POINT)
                entry = point.status_log[-1]
                got = (point.status.value, entry.date.isoformat(), len(entry.source_ids))
                if got != ("deadlocked", NEWS_DAY, 1):
                    return f"status is {got}"
                cited = repo.get("source", entry.source_ids[0])
            else:
                proposal = repo.get("proposal", PROPOSAL)
                response = next(r for r in proposal.responses if r.actor_id == "hamas")
                got = (response.status.value, str(response.date), len(response.source_ids))
                if got != ("rejected", NEWS_DAY, 1):
                    return f"response is {got}"
                cited = repo.get("source", response.source_ids[0])
            if cited.outlet != "Reuters":
                return f"cites {cited.label!r}, not the Reuters report used last"
            if not last:
                return "nothing written"
    return ""


async def drive(road: dict[str, list[Step]], store: Path) -> dict[str, dict[str, Any]]:
    from store import RECORD_TYPES, open_store
    from tui.app import ParleyApp

    results: dict[str, dict[str, Any]] = {}
    repo = open_store(store)
    app = ParleyApp(repo, track_id=TRACK, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        for name, steps in road.items():
            before = {kind: set(repo.ids(kind)) for kind in RECORD_TYPES}
            result = Result()
            saved_at = 0.0
            for what, value in steps:
                if what == "key":
                    result.keys += 1
                    if value == "ctrl+s":
                        saved_at = await timed_save(app, pilot)
                    else:
                        await pilot.press(value)
                else:
                    result.chars += len(value)
                    await pilot.press(*value)
                await pilot.pause()
            await pilot.pause(0.2)
            result.save_ms = saved_at * 1000
            result.why = check(name, before, store)
            result.ok = not result.why
            results[name] = result.__dict__
    repo.close()
    return results


async def timed_save(app: Any, pilot: Any) -> float:
    """Seconds from the form's save (what ctrl+s runs) to the first refresh of the screen
    under it: the write made durable, the form closed, the view on show reloaded."""
    form = app.screen
    started = time.perf_counter()
    form.action_save()
    # The form closes on the next turn of the loop; the screen under it then redraws.
    while app.screen is form:
        await asyncio.sleep(0)
    drawn = asyncio.Event()
    app.screen.call_after_refresh(drawn.set)
    app.screen.refresh()
    await drawn.wait()
    took = time.perf_counter() - started
    await pilot.pause()
    return took


def seed_store(directory: Path) -> Path:
    from worktree import module

    from store import open_store

    seed = module("store.exchange.seed", "store.seed").seed

    path = directory / "parley.json"
    with open_store(path) as repo:
        seed(repo)
    return path


def big_store(directory: Path, n: int) -> Path:
    """The seed store, with ``n`` records of other tracks (as tui_bench.py makes them)."""
    from store import open_store

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from tui_bench import generate

    path = seed_store(directory)
    with open_store(path) as repo:
        chunk: list[Any] = []
        for record in generate(n):
            chunk.append(record)
            if len(chunk) == 5000:
                repo.put_many(chunk)
                chunk = []
        repo.put_many(chunk)
        repo.compact()
    return path


def run_road(road_name: str, records: int = 0) -> dict[str, dict[str, Any]]:
    road = QUICK if road_name == "quick" else FULL
    with tempfile.TemporaryDirectory(prefix="parley-capture-") as tmp:
        store = big_store(Path(tmp), records) if records else seed_store(Path(tmp))
        return asyncio.run(drive(road, store))


def run_baseline(rev: str) -> dict[str, dict[str, Any]] | str:
    """The full forms, on Parley at ``rev``, in a child process."""
    from worktree import checkout, figures

    with checkout(ROOT, rev) as tree:
        if isinstance(tree, str):
            return tree
        return figures(__file__, ["--road", "full"], tree)


# -- from an article to records ------------------------------------------------------------

REPORT = ROOT.parent / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"
SEED_SOURCE = "xinhua-2024-08-21-blinken-tour"


def report_sentence(words: str) -> str:
    from worktree import module

    sentences = module("store.articles.article", "store.articles").sentences

    text = REPORT.read_text(encoding="utf-8")
    return next(s.text for s in sentences(text) if words in s.text)


def article_records() -> dict[str, dict[str, Any]]:
    """What each road must write: the same values, the quotes the report's sentences."""
    from tui.text import shorten

    diabat = report_sentence("Kheir Diabat")
    fighting = report_sentence("Fighting continued")
    insists = report_sentence("Israel insists")
    return {
        "assessment": {
            "analyst": "Kheir Diabat",
            "affiliation": "professor of international affairs, Qatar University",
            "gist": diabat,
            "quote": diabat,
            "date": "2024-08-21",
        },
        "event": {
            "title": shorten(fighting, 70),
            "event_kind": "military",
            "actor_ids": ["israel"],
            "text": fighting,
            "date": "2024-08-20",
        },
        "position": {
            "point_id": "dismantling-hamas",
            "actor_id": "israel",
            "firmness": "red line",
            "stance": insists,
            "date": "2024-08-21",
        },
    }


def reader_road() -> list[Step]:
    return [
        *k("c"),  # the paste box
        ("paste", REPORT.read_text(encoding="utf-8")),
        *k("ctrl+s"),  # outlet and title proposed from the report; it has no dateline
        *t("2024-08-21"),
        *k("enter", "s", "ctrl+s"),  # state media; the reader opens on it
        *k("slash"),
        *t("Diabat"),
        *k("enter"),
        *k("i", "enter"),  # the assessment: every field filled from the sentence
        *k("j", "n", "m", "enter"),  # the next sentence, an event: military
        *k("j", "j", "j", "p"),  # two sentences on, a position
        *t("dism"),
        *k("enter", "tab", "r", "ctrl+s"),  # the point; Israel named; a red line
    ]


def typed_road() -> list[Step]:
    want = article_records()
    a, e, p = want["assessment"], want["event"], want["position"]
    return [
        *k("i"),
        *t(a["analyst"]),
        *k("enter"),
        *t(a["affiliation"]),
        *k("enter"),
        *t(a["gist"]),
        *k("tab"),
        *t(a["quote"]),
        *k("ctrl+s"),  # the report, cited by the point in view; the date follows it
        *k("n"),
        *t(e["title"]),
        *k("enter", "m"),
        *t("isr"),
        *k("enter", "enter"),
        *t(e["text"]),
        *k("tab", "tab"),  # the source used last, to the date
        *k("ctrl+u"),  # clears the date that followed the source
        *t(e["date"]),
        *k("ctrl+s"),
        *k("p"),  # on the gap board's first row, Dismantling Hamas
        *t("isr"),
        *k("enter", "r"),
        *t(p["stance"]),
        *k("ctrl+s"),
    ]


def check_article(before: dict[str, set[str]], path: Path, anchored: bool) -> str:
    """What is wrong with the three records written; "" when each is as meant (and, on
    the reader's road, each quote is anchored where the report has it)."""
    from worktree import module

    from store import open_store

    anchor_fault = module("store.articles.anchors", "store.anchors").anchor_fault

    want = article_records()
    with open_store(path) as repo:
        for kind, values in want.items():
            new = sorted(set(repo.ids(kind)) - before[kind])
            if len(new) != 1:
                return f"{len(new)} new {kind} records"
            record = repo.get(kind, new[0])
            got = record.model_dump(mode="json")
            wrong = {f: got.get(f) for f, v in values.items() if got.get(f) != v}
            if wrong:
                return f"{kind}: {wrong}"
            if record.source_ids != [SEED_SOURCE]:  # type: ignore[attr-defined]
                return f"{kind} cites {record.source_ids}"  # type: ignore[attr-defined]
            anchor = getattr(record, "anchor", None)
            if anchored and kind != "position" and anchor is None:
                return f"{kind} has no anchor"
            source = repo.get("source", SEED_SOURCE)
            if anchor is not None and anchor_fault(record, source):  # type: ignore[arg-type]
                return f"{kind}: {anchor_fault(record, source)}"  # type: ignore[arg-type]
    return ""


async def drive_article(steps: list[Step], store: Path, anchored: bool) -> dict[str, Any]:
    from textual import events

    from store import RECORD_TYPES, open_store
    from tui.app import ParleyApp

    repo = open_store(store)
    before = {kind: set(repo.ids(kind)) for kind in RECORD_TYPES}
    app = ParleyApp(repo, track_id=TRACK, poll=False)
    result = Result()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        for what, value in steps:
            if what == "key":
                result.keys += 1
                await pilot.press(value)
            elif what == "paste":
                # One key, as a terminal pastes: the app hands it to the field in focus.
                result.keys += 1
                app.post_message(events.Paste(value))
            else:
                result.chars += len(value)
                for char in value:
                    if char.isascii():
                        await pilot.press(char)
                    else:
                        # A character no key name stands for (“, ’): sent as the
                        # terminal sends it, a key event carrying the character.
                        app.post_message(events.Key(char, char))
                        await pilot.pause()
            await pilot.pause()
        await pilot.pause(0.2)
    repo.close()
    result.why = check_article(before, store, anchored)
    result.ok = not result.why
    return result.__dict__


def run_article() -> dict[str, dict[str, Any]]:
    results = {}
    for name, steps, anchored in (
        ("reader", reader_road(), True),
        ("typed", typed_road(), False),
    ):
        with tempfile.TemporaryDirectory(prefix="parley-article-") as tmp:
            store = seed_store(Path(tmp))
            results[name] = asyncio.run(drive_article(steps, store, anchored))
    return results


def print_article(results: dict[str, dict[str, Any]]) -> bool:
    """The two roads side by side; True when the reader met its target."""
    print("\n  from the seed report to an assessment, an event and a position (every key)")
    for name, title in (
        ("typed", "typed in the quick-entry forms"),
        ("reader", "taken in the reader, quotes anchored"),
    ):
        row = results[name]
        total = row["keys"] + row["chars"]
        shown = f"{total} keys ({row['keys']} + {row['chars']} typed)" if row["ok"] else "FAILED"
        print(f"  {title:<42}{shown:>40}")
        if not row["ok"]:
            print(f"      {row['why']}")
    reader, typed = results["reader"], results["typed"]
    met = reader["ok"] and typed["ok"]
    if met:
        share = (reader["keys"] + reader["chars"]) / (typed["keys"] + typed["chars"])
        met = share <= 0.5
        verdict = "ok" if met else "MISSED"
        print(f"  the reader takes {share:.0%} of the keys   target <= 50% {verdict}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="the revision before quick entry")
    parser.add_argument(
        "--records", type=int, default=100_000, help="save times on a store this big (0: skip)"
    )
    parser.add_argument("--road", choices=("quick", "full"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--article-only", action="store_true", help="only the road from an article to records"
    )
    args = parser.parse_args()
    if args.article_only:
        sys.path.insert(0, str(ROOT))
        return 0 if print_article(run_article()) else 1
    if args.road:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(run_road(args.road)))
        return 0
    sys.path.insert(0, str(ROOT))
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; seed store, terminal 120x40"
    )
    now = run_road("quick")
    before = run_baseline(args.baseline)
    print(f"\n{'':<44}{'before (' + args.baseline + ')':>22}{'now':>18}   target")
    failed = False
    for name, title in (
        ("position", "(1) position, new source, from Overview"),
        ("round", "(2) round, 3 mediators, new source"),
        ("status", "(3) status, last-used source"),
        ("response", "(4) response to the bridging proposal"),
    ):
        row = now[name]
        if isinstance(before, dict) and before[name]["ok"]:
            b = before[name]
            was = f"{b['keys']} keys + {b['chars']} ch"
        elif isinstance(before, dict):
            was = "check failed"
        else:
            was = "—"
        got = f"{row['keys']} keys + {row['chars']} ch" if row["ok"] else "FAILED"
        target = TARGETS[name]
        verdict = "ok" if row["ok"] and row["keys"] <= target else "MISSED"
        failed |= verdict != "ok"
        print(f"  {title:<42}{was:>22}{got:>18}   <= {target} keys {verdict}")
        if not row["ok"]:
            print(f"      {row['why']}")
    if isinstance(before, str):
        print(f"\n  {before}")
    elif not all(r["ok"] for r in before.values()):
        for name, r in before.items():
            if not r["ok"]:
                print(f"  baseline {name}: {r['why']}")
    print(
        "\n  save: from the form's save to the next screen refresh (written to disk, the form"
        "\n  closed, the view on show reloaded); measured inside the app, without the terminal"
    )
    rows = [("seed store", now, before if isinstance(before, dict) else None)]
    if args.records:
        started = time.perf_counter()
        big = run_road("quick", args.records)
        took = time.perf_counter() - started
        rows.append((f"{args.records:,} more records (run {took:.0f} s)", big, None))
        failed |= not all(r["ok"] for r in big.values())
    for label, results, baseline in rows:
        saves = [r["save_ms"] for r in results.values() if r["ok"]]
        was = ""
        if baseline is not None:
            old = [r["save_ms"] for r in baseline.values() if r["ok"]]
            was = f" (before: {statistics.median(old):.0f} ms)" if old else ""
        each = ", ".join(f"{r['save_ms']:.0f}" for r in results.values())
        median = statistics.median(saves) if saves else float("nan")
        verdict = "" if "seed" in label else ("  ok" if median <= 50 else "  MISSED <= 50 ms")
        print(f"  {label:<40} median {median:>4.0f} ms [{each}]{was}{verdict}")
    failed |= not print_article(run_article())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
