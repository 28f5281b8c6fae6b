"""How well the reader reads real pages: capture's fields and the proposals of a position.

Run ``python benchmarks/reader_bench.py``. Over the articles of
``tests/articles/reader/`` (written for the tests in the shapes real pages take,
each with a truth file written by hand) it measures, for this checkout and for
Parley at ``--baseline`` (default: the commit this work started from, checked out
in a temporary git worktree, or ``--baseline-tree DIR``) in the same run:

- capture: whether the proposed outlet, title and date are the truth's (the article
  read as `parley capture` reads it, on a capture day long after the news);
- the reader: for each statement of the truth file, the quick position form opened
  with ``p`` on its sentence, through the app (Pilot), and its proposed speaker,
  party (actor), sticking point, firmness and date compared with the truth;
- keys a record: from ``p`` to the record saved with the truth's values. The wrong
  fields are mended where they stand, going down the form as a person does: the tabs
  (or shift+tabs, whichever are fewer) to reach each and one key to take the value
  are counted; the value's text is typed
  and not counted. The stored record
  is then checked against the truth; a record that could not be saved so is failed.

A speaker not in the store counts as proposed when the form offers that very person
as a new one. Where the form cannot make a new person, the speaker is left empty and
the record counted without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "articles" / "reader"
BASELINE = "426f2bd"
TRACK = "gaza-ceasefire-hostage-talks"
# Long after the news, as when an archive is read: a date without a year must find it.
CAPTURE_DAY = date(2026, 12, 7)
CAPTURE_FIELDS = ("outlet", "title", "date")
STATEMENT_FIELDS = ("speaker", "actor", "point", "firmness", "date said")
# The truth's names for the form's fields.
FORM_FIELD = {
    "speaker": "speaker_id",
    "actor": "actor_id",
    "point": "point_id",
    "firmness": "firmness",
    "date said": "date",
}


# Articles written after the rules that read them: their figures are also given apart.
HELD_OUT = "held-out"
# Only the articles whose names start so (``--only``); all when empty.
ONLY = os.environ.get("READER_BENCH_ONLY", "")


def articles() -> Iterator[tuple[Path, dict[str, Any]]]:
    for truth in sorted(CORPUS.glob(ONLY + "*.json")):
        page = next(p for p in CORPUS.glob(truth.stem + ".*") if p.suffix != ".json")
        yield page, json.loads(truth.read_text(encoding="utf-8"))


def same(a: object, b: object) -> bool:
    return " ".join(str(a or "").split()).casefold() == " ".join(str(b or "").split()).casefold()


# -- capture -------------------------------------------------------------------------


def page_reader() -> Any:
    """The page reader of the tree in use: store.articles.pages now, store.pages before
    the store was grouped, store.articles before that."""
    from worktree import module

    return module("store.articles.pages", "store.pages", "store.articles").read_article


def measure_capture() -> dict[str, dict[str, bool]]:
    read_article = page_reader()

    found: dict[str, dict[str, bool]] = {}
    for page, truth in articles():
        article = read_article(page.read_text(encoding="utf-8"), page.name, today=CAPTURE_DAY)
        want = truth["source"]
        published = article.published.isoformat() if article.published else ""
        found[page.stem] = {
            "outlet": same(article.outlet, want["outlet"]),
            "title": same(article.title, want["title"]),
            "date": published == want["published"],
        }
    return found


# -- the reader ----------------------------------------------------------------------


def speaker_right(repo: Any, value: object, want: str | None) -> bool:
    from store import Kind, Person

    if not want:
        return not value
    if want.startswith("new:"):
        name = want.removeprefix("new:")
        if isinstance(value, str) and repo.exists(Kind.PERSON, value):
            return same(repo.get_as(Person, value).name, name)
        # A new person offered in the picker: the value names them.
        return isinstance(value, str) and name.casefold() in value.casefold()
    return value == want


def field_right(repo: Any, name: str, value: object, want: object) -> bool:
    if name == "speaker":
        return speaker_right(repo, value, want)  # type: ignore[arg-type]
    return same(value, want)


async def read_statements(page: Path, truth: dict[str, Any], db: Path) -> list[dict[str, Any]]:
    from worktree import module

    from store import Kind, Person, Position, Source, open_store
    from tui.app import ParleyApp
    from tui.fields import write_field
    from tui.screens.reader import ReaderScreen

    Commands = module("store.records.commands", "store.commands").Commands
    FormScreen = module("tui.dialogs.form", "tui.screens.form").FormScreen

    text = page_reader()(page.read_text(encoding="utf-8"), page.name, today=CAPTURE_DAY).text
    repo = open_store(db)
    want = truth["source"]
    outcome = Commands(repo).capture(
        text,
        outlet=want["outlet"] or "Unknown",
        title=want["title"],
        published=want["published"],
        source_kind=want["kind"],
        url="",
    )
    source = outcome.record
    assert isinstance(source, Source)
    results: list[dict[str, Any]] = []
    app = ParleyApp(repo, track_id=TRACK, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for statement in truth["statements"]:
            at = source.text.find(statement["sentence"])
            assert at >= 0, f"{page.name}: {statement['sentence']!r} is not in the text"
            reader = ReaderScreen(repo, app.commands, source.id, TRACK, at=at)
            await app.push_screen(reader)
            await pilot.pause()
            before = set(repo.ids(Kind.POSITION))
            await pilot.press("p")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, FormScreen)
            proposed = form.values()
            right = {
                name: field_right(repo, name, proposed.get(FORM_FIELD[name]), statement[key])
                for name, key in zip(
                    STATEMENT_FIELDS, ("speaker", "actor", "point", "firmness", "said"), strict=True
                )
            }
            keys = 1
            order = [f.name for f in form.fields]
            mend = sorted(
                zip(
                    STATEMENT_FIELDS, ("speaker", "actor", "point", "firmness", "said"), strict=True
                ),
                key=lambda pair: order.index(FORM_FIELD[pair[0]]),
            )
            for name, key in mend:
                if right[name]:
                    continue
                value = statement[key]
                if name == "speaker" and value and value.startswith("new:"):
                    made = [
                        p for p in repo.list_as(Person) if same(p.name, value.removeprefix("new:"))
                    ]
                    value = made[0].id if made else None
                keys += await reach(pilot, form, FORM_FIELD[name])
                write_field(form.query_one(f"#field-{FORM_FIELD[name]}"), value)
                keys += 1
                await pilot.pause()
            keys += 1
            await pilot.press("ctrl+s")
            await pilot.pause()
            for _ in range(3):
                # A question after the save (a similar record): Enter takes its offer.
                if app.screen is reader or app.screen is form:
                    break
                keys += 1
                await pilot.press("enter")
                await pilot.pause()
            while app.screen is not reader:
                app.pop_screen()
                await pilot.pause()
            new = set(repo.ids(Kind.POSITION)) - before
            why = "not saved" if len(new) != 1 else ""
            if not why:
                saved = repo.get_as(Position, new.pop())
                for name, key, value in (
                    ("actor", "actor", saved.actor_id),
                    ("point", "point", saved.point_id),
                    ("firmness", "firmness", saved.firmness.value),
                    ("date said", "said", saved.date.isoformat()),
                ):
                    if not same(value, statement[key]):
                        why = f"{name} saved as {value!r}"
                if saved.anchor is None:
                    why = why or "no anchor"
            results.append({"right": right, "keys": keys, "why": why})
            app.pop_screen()
            await pilot.pause()
    repo.close()
    return results


async def reach(pilot: Any, form: Any, name: str) -> int:
    """Tabs (or shift+tabs, whichever are fewer, as a person takes) from where the focus
    is to the field ``name``; their count."""
    box = form.query_one(f"#field-{name}")

    def there() -> bool:
        focused = form.focused
        return focused is not None and (focused is box or box in focused.ancestors)

    chain = list(form.focus_chain)
    now = chain.index(form.focused) if form.focused in chain else 0
    target = next((i for i, w in enumerate(chain) if w is box or box in w.ancestors), now)
    forward, back = (target - now) % len(chain), (now - target) % len(chain)
    key = "tab" if forward <= back else "shift+tab"
    for count in range(40):
        if there():
            return count
        await pilot.press(key)
        await pilot.pause()
    return 40


def measure_reader() -> list[dict[str, Any]]:
    from worktree import module

    from store import open_store

    seed = module("store.exchange.seed", "store.seed").seed
    found = []
    for page, truth in articles():
        with tempfile.TemporaryDirectory(prefix="parley-reader-") as tmp:
            db = Path(tmp) / "parley.json"
            with open_store(db) as repo:
                seed(repo)
            for number, result in enumerate(asyncio.run(read_statements(page, truth, db))):
                found.append({"article": page.stem, "statement": number + 1, **result})
    return found


def measure() -> dict[str, Any]:
    return {"capture": measure_capture(), "reader": measure_reader()}


# -- the baseline --------------------------------------------------------------------


def run_in(tree: Path) -> dict[str, Any] | str:
    """This script's measurement of the Parley checked out at ``tree``, in a child process."""
    from worktree import figures

    return figures(__file__, ["--measure", str(tree)], tree)


def run_baseline(rev: str) -> dict[str, Any] | str:
    from worktree import checkout

    with checkout(ROOT, rev) as tree:
        return tree if isinstance(tree, str) else run_in(tree)


# -- the printout --------------------------------------------------------------------


def accuracy(results: dict[str, Any]) -> dict[str, float]:
    capture = list(results["capture"].values())
    reader = [r["right"] for r in results["reader"]]
    figures = {f: sum(c[f] for c in capture) / len(capture) for f in CAPTURE_FIELDS}
    figures.update({f: sum(r[f] for r in reader) / len(reader) for f in STATEMENT_FIELDS})
    return figures


def keys(results: dict[str, Any]) -> tuple[float, int, int, int]:
    counts = [r["keys"] for r in results["reader"] if not r["why"]]
    failed = sum(1 for r in results["reader"] if r["why"])
    if not counts:
        return 0.0, 0, 0, failed
    return statistics.median(counts), min(counts), max(counts), failed


def held_out(results: dict[str, Any]) -> dict[str, Any]:
    """The figures of the articles written after the rules they are read by."""
    return {
        "capture": {k: v for k, v in results["capture"].items() if HELD_OUT in k},
        "reader": [r for r in results["reader"] if HELD_OUT in r["article"]],
    }


def report(now: dict[str, Any], base: dict[str, Any] | str, label: str) -> None:
    articles_count = len(now["capture"])
    statements = len(now["reader"])
    print(f"{articles_count} articles, {statements} statements; capture day {CAPTURE_DAY}")
    print()
    print(f"{'field':<12}{label:>12}{'this tree':>12}   target ≥ 90%")
    mine = accuracy(now)
    theirs = accuracy(base) if isinstance(base, dict) else {}
    for name, value in mine.items():
        old = f"{theirs[name]:.0%}" if name in theirs else "–"
        print(f"{name:<12}{old:>12}{value:>12.0%}")
    mine_held = held_out(now)
    if mine_held["reader"]:
        print()
        names = ", ".join(sorted(k.split("-")[0] for k in mine_held["capture"]))
        print(f"held out (articles {names}, written after the rules):")
        theirs_held = accuracy(held_out(base)) if isinstance(base, dict) else {}
        for name, value in accuracy(mine_held).items():
            old = f"{theirs_held[name]:.0%}" if name in theirs_held else "–"
            print(f"{name:<12}{old:>12}{value:>12.0%}")
    print()
    print(f"{'keys a record':<24}{label:>12}{'this tree':>12}   target median ≤ 6")
    rows = [("median", 0), ("fewest", 1), ("most", 2), ("not saved right", 3)]
    k_now = keys(now)
    k_base = keys(base) if isinstance(base, dict) else None
    for name, index in rows:
        old = f"{k_base[index]:g}" if k_base else "–"
        print(f"{name:<24}{old:>12}{k_now[index]:>12g}")
    if not isinstance(base, dict):
        print(f"\nbaseline: {base}")
    wrong = [r for r in now["reader"] if r["why"]]
    for r in wrong:
        print(f"  not saved right: {r['article']} #{r['statement']}: {r['why']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with")
    parser.add_argument("--baseline-tree", type=Path, help="a checkout to compare with instead")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--details", action="store_true", help="each statement's figures too")
    parser.add_argument("--only", default="", help="only the articles whose names start so")
    args = parser.parse_args()
    os.environ["READER_BENCH_ONLY"] = args.only
    if args.measure is not None:
        sys.path.insert(0, str(args.measure))
        global ONLY
        ONLY = os.environ["READER_BENCH_ONLY"]
        print(json.dumps(measure()))
        return 0
    base = run_in(args.baseline_tree) if args.baseline_tree else run_baseline(args.baseline)
    label = "baseline" if args.baseline_tree else args.baseline
    now = run_in(ROOT)
    if isinstance(now, str):
        print(f"this tree: {now}")
        return 1
    if args.details:
        for r in now["reader"]:
            misses = [f for f, ok in r["right"].items() if not ok]
            print(f"{r['article']} #{r['statement']}: keys {r['keys']} misses {misses} {r['why']}")
        for name, fields in now["capture"].items():
            misses = [f for f, ok in fields.items() if not ok]
            if misses:
                print(f"capture {name}: misses {misses}")
    report(now, base, label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
