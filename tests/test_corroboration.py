"""The same news from two outlets is one record with two sources.

Two agencies' reports of one statement (``articles/corroboration/``, written for these
tests) are kept as sources; the first makes a position and an event with anchored
quotes. What a new record repeats is found by party and point (or kind and actors),
date and words; the second outlet's report joins the stored record with its own
anchored quote in one write, which undo takes back whole; `parley check` holds every
anchor; the brief and compare say the record once, citing both. A store written
before (``fixtures/main-426f2bd``) opens and exports as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from tui_helpers import run_cli, seeded_store

from store import Event, InvalidRecord, Position, Repository, Source, StoreError, open_store
from store.articles.anchors import anchor_quote, quote_problems
from store.exchange.export import export_csv_files, export_document, export_json
from store.exchange.importing import import_json
from store.exchange.read import read_csv_files
from store.reading.brief import build_brief
from store.reading.compare import compare
from store.reading.corroboration import (
    content_words,
    event_matches,
    matches,
    position_matches,
    similar,
)
from store.record import Anchor, Corroboration, quoted
from store.records.commands import Commands
from store.records.drafts import Citation

ARTICLES = Path(__file__).parent / "articles" / "corroboration"
FIXTURE = Path(__file__).parent / "fixtures" / "main-426f2bd"
TRACK = "gaza-ceasefire-hostage-talks"
HARBOUR = "hamas-to-stay-away"
CRESCENT = "no-israeli-presence"
# The same statement, as each agency worded it.
HARBOUR_QUOTE = "the group would not accept any Israeli troops in the Philadelphi Corridor"
CRESCENT_QUOTE = (
    "Hamas will not accept an Israeli military presence in the Philadelphi Corridor as part "
    "of any agreement"
)


def capture(commands: Commands, name: str, outlet: str, title: str, day: str) -> Source:
    text = (ARTICLES / name).read_text(encoding="utf-8")
    made = commands.capture(
        text, outlet=outlet, title=title, published=day, source_kind="wire"
    ).record
    assert isinstance(made, Source)
    return made


def anchor_in(repo: Repository, source_id: str, quote: str) -> dict[str, Any]:
    found = anchor_quote(repo.get_as(Source, source_id), quote)
    assert found is not None, quote
    return found.model_dump()


@pytest.fixture
def two(tmp_path: Path) -> Repository:
    """The seed, both reports kept, and the first one's position and event."""
    repo = seeded_store(tmp_path / "parley.json")
    commands = Commands(repo)
    capture(commands, "harbour-wire.txt", "Harbour Wire", "Hamas to stay away", "2024-08-14")
    capture(commands, "crescent-press.txt", "Crescent Press", "No Israeli presence", "2024-08-15")
    commands.create(
        "position",
        {
            "point_id": "philadelphi-corridor",
            "actor_id": "hamas",
            "date": "2024-08-14",
            "firmness": "red line",
            "stance": "The group would not accept any Israeli troops in the Philadelphi Corridor.",
            "quote": HARBOUR_QUOTE,
            "anchor": anchor_in(repo, HARBOUR, HARBOUR_QUOTE),
        },
        track_id=TRACK,
        cite=Citation([HARBOUR]),
    )
    quote = "Hamas will not send a delegation to the ceasefire talks"
    commands.create(
        "event",
        {
            "date": "2024-08-14",
            "event_kind": "statement",
            "title": "Hamas will not send a delegation to the Doha talks",
            "text": "Hamas says it will not take part in the ceasefire talks opening in Doha.",
            "actor_ids": ["hamas", "qatar"],
            "quote": quote,
            "anchor": anchor_in(repo, HARBOUR, quote),
        },
        track_id=TRACK,
        cite=Citation([HARBOUR]),
    )
    return repo


POSITION = "hamas-philadelphi-corridor-2024-08-14"
EVENT = "hamas-will-not-send-a-delegation-to-the-doha"


def crescent_position(**changed: Any) -> dict[str, Any]:
    values = {
        "actor_id": "hamas",
        "point_id": "philadelphi-corridor",
        "date": "2024-08-14",
        "stance": "Hamas will not accept an Israeli military presence in the Philadelphi "
        "Corridor as part of any agreement.",
        "quote": CRESCENT_QUOTE,
    }
    return values | changed


# -- words ---------------------------------------------------------------------------


def test_content_words_fold_case_accents_plurals_and_attribution() -> None:
    assert content_words("The Israeli troops, Hamas said on Wednesday") == {
        "israeli",
        "troop",
        "hama",
    }
    # A denial is news: "not" stays, whichever word said it.
    assert "not" in content_words("would never accept")
    assert content_words("Hamas’s délégation") == {"hama", "delegation"}


def test_similar_wants_half_the_shorter_and_two_words_at_least() -> None:
    assert similar([HARBOUR_QUOTE], [CRESCENT_QUOTE]) == {
        "not",
        "accept",
        "israeli",
        "philadelphi",
        "corridor",
    }
    # Three shared of a shorter text of eight: not similar.
    assert similar(["Israel wants troops to stay on the border"], [CRESCENT_QUOTE]) is None
    # One word alike is never enough, however short the texts.
    assert similar(["No deal"], ["No way"]) is None
    assert similar([""], [CRESCENT_QUOTE]) is None


# -- matching ------------------------------------------------------------------------


def test_a_position_matches_the_same_party_on_the_same_point_within_three_days(
    two: Repository,
) -> None:
    [match] = matches(two, "position", TRACK, crescent_position(), [CRESCENT])
    assert match.record.id == POSITION
    assert match.days == 0
    three_days_on = crescent_position(date="2024-08-17")
    assert [m.days for m in matches(two, "position", TRACK, three_days_on, [CRESCENT])] == [3]


@pytest.mark.parametrize(
    "changed",
    [
        {"actor_id": "israel"},
        {"point_id": "hostage-release-deal"},
        {"date": "2024-08-18"},
        {"date": "2024-08-10"},
        {"stance": "Hamas wants a full end to the war first.", "quote": ""},
        {"date": None},
    ],
    ids=[
        "another party",
        "another point",
        "four days on",
        "four days before",
        "other words",
        "no date",
    ],
)
def test_near_misses_are_not_the_same_position(two: Repository, changed: dict[str, Any]) -> None:
    found = matches(two, "position", TRACK, crescent_position(**changed), [CRESCENT])
    assert POSITION not in [m.record.id for m in found]


def test_the_same_outlets_report_never_corroborates_itself(two: Repository) -> None:
    assert (
        position_matches(
            two,
            TRACK,
            actor_id="hamas",
            point_id="philadelphi-corridor",
            on="2024-08-14",
            stance=HARBOUR_QUOTE,
            source_ids=[HARBOUR],
        )
        == []
    )


def test_an_event_matches_the_same_kind_about_the_same_actors(two: Repository) -> None:
    said = {
        "event_kind": "statement",
        "date": "2024-08-15",
        "title": "Hamas will not attend the Doha talks",
        "text": "Badran said the movement would not attend the round of talks in Doha.",
        "actor_ids": ["hamas", "qatar"],
    }
    assert [m.record.id for m in matches(two, "event", TRACK, said, [CRESCENT])] == [EVENT]
    # One outlet naming one actor fewer is still the same news about Hamas.
    fewer = said | {"actor_ids": ["hamas"]}
    assert [m.record.id for m in matches(two, "event", TRACK, fewer, [CRESCENT])] == [EVENT]
    for near_miss in (
        said | {"event_kind": "diplomatic"},
        said | {"actor_ids": ["qatar", "hamas", "israel"]},
        said | {"actor_ids": ["israel"]},
        said | {"date": "2024-08-18"},
        said | {"title": "Israel strikes Rafah", "text": "Strikes hit the south of Gaza."},
    ):
        assert matches(two, "event", TRACK, near_miss, [CRESCENT]) == [], near_miss
    assert event_matches(two, TRACK, event_kind="statement", actor_ids=[], on="2024-08-15") == []


# -- adding the second outlet's report -----------------------------------------------


def test_corroborate_adds_the_source_and_its_anchored_quote_in_one_write(
    two: Repository,
) -> None:
    commands = Commands(two)
    before = two.get_as(Position, POSITION)
    outcome = commands.corroborate(
        "position", POSITION, cite=Citation([CRESCENT]), quote=CRESCENT_QUOTE
    )
    assert len(outcome.changes) == 1
    after = two.get_as(Position, POSITION)
    assert after.source_ids == [HARBOUR, CRESCENT]
    [added] = after.corroborations
    assert added.source_id == CRESCENT and added.quote == CRESCENT_QUOTE
    text = two.get_as(Source, CRESCENT).text
    assert added.anchor is not None
    assert text[added.anchor.start : added.anchor.end] == CRESCENT_QUOTE
    # Everything else as it was: one record, now with two sources and two quotes.
    assert after.model_dump(exclude={"source_ids", "corroborations"}) == before.model_dump(
        exclude={"source_ids", "corroborations"}
    )
    assert [(q.source_id, q.quote) for q in quoted(after)] == [
        (HARBOUR, HARBOUR_QUOTE),
        (CRESCENT, CRESCENT_QUOTE),
    ]
    assert two.history(limit=1)[0].summary == (
        "added Crescent Press as another source of Hamas's position on Philadelphi Corridor: "
        'Israeli troops staying "the day after", 14 Aug 2024'
    )
    assert quote_problems(two) == []

    # Undo takes back exactly that one write.
    assert len(commands.undo().changes) == 1
    assert two.get_as(Position, POSITION) == before
    assert "corroborations" not in json.dumps(export_document(two)["records"])


def test_an_event_and_a_new_source_typed_in_the_form_are_one_step(two: Repository) -> None:
    commands = Commands(two)
    from store.records.drafts import NewSource

    new = NewSource(
        outlet="Gulf Radio", title="Hamas skips Doha", published="2024-08-15", source_kind="wire"
    )
    commands.corroborate(
        "event", EVENT, cite=Citation(new_source=new), quote="will stay away from Doha"
    )
    event = two.get_as(Event, EVENT)
    assert event.source_ids == [HARBOUR, "hamas-skips-doha"]
    # A source that keeps no text gives the words, unanchored.
    assert event.corroborations == [
        Corroboration(source_id="hamas-skips-doha", quote="will stay away from Doha")
    ]
    commands.undo()
    assert not two.exists("source", "hamas-skips-doha")
    assert two.get_as(Event, EVENT).corroborations == []


def test_corroborate_refuses_what_would_not_hold(two: Repository) -> None:
    commands = Commands(two)
    with pytest.raises(StoreError, match="cites 'hamas-to-stay-away' already"):
        commands.corroborate("position", POSITION, cite=Citation([HARBOUR]))
    with pytest.raises(InvalidRecord, match="not in the text of source"):
        commands.corroborate(
            "position", POSITION, cite=Citation([CRESCENT]), quote="words nobody wrote"
        )
    with pytest.raises(StoreError, match="choose a source"):
        commands.corroborate("position", POSITION, cite=Citation())
    with pytest.raises(StoreError, match="keeps no quotes"):
        commands.corroborate("point", "philadelphi-corridor", cite=Citation([CRESCENT]))
    assert two.get_as(Position, POSITION).corroborations == []


def test_a_source_taken_off_the_record_takes_its_quote_with_it(two: Repository) -> None:
    commands = Commands(two)
    commands.corroborate("position", POSITION, cite=Citation([CRESCENT]), quote=CRESCENT_QUOTE)
    commands.edit("position", POSITION, {}, cite=Citation([HARBOUR]))
    position = two.get_as(Position, POSITION)
    assert (position.source_ids, position.corroborations) == ([HARBOUR], [])
    # An edit that leaves the sources alone leaves the quotes.
    commands.undo()
    commands.edit("position", POSITION, {"gist": "No troops"})
    assert [c.source_id for c in two.get_as(Position, POSITION).corroborations] == [CRESCENT]


def test_check_holds_every_anchor_of_every_corroboration(two: Repository) -> None:
    commands = Commands(two)
    commands.corroborate("position", POSITION, cite=Citation([CRESCENT]), quote=CRESCENT_QUOTE)
    assert quote_problems(two) == []
    # An anchor moved off its words, behind Parley's back, is found.
    position = two.get_as(Position, POSITION)
    item = position.corroborations[0]
    assert item.anchor is not None
    moved = item.anchor.model_copy(update={"start": item.anchor.start + 1})
    broken = position.model_copy(
        update={"corroborations": [item.model_copy(update={"anchor": moved})]}
    )
    commands.put([broken])
    [problem] = quote_problems(two)
    assert str(problem).startswith(
        f"position {POSITION!r}, as {CRESCENT!r} reports it: the quote's anchor"
    )


def test_a_corroboration_must_cite_its_source_once() -> None:
    anchor = Anchor(source_id="b", start=0, end=4, text="word")
    base = {
        "id": "p",
        "track_id": "t",
        "point_id": "x",
        "actor_id": "a",
        "date": "2024-08-14",
        "stance": "s",
        "firmness": "demand",
        "source_ids": ["a", "b"],
    }
    Position.model_validate(
        base | {"corroborations": [{"source_id": "b", "quote": "word", "anchor": anchor}]}
    )
    for wrong, said in (
        ({"source_id": "c"}, "which it does not cite"),
        ({"source_id": "a", "anchor": anchor}, "anchored in 'b'"),
    ):
        with pytest.raises(ValueError, match=said):
            Position.model_validate(base | {"corroborations": [wrong]})
    with pytest.raises(ValueError, match="quoted twice"):
        Position.model_validate(base | {"corroborations": [{"source_id": "b"}] * 2})


# -- reading: once, with every source --------------------------------------------------


def test_the_brief_and_compare_say_it_once_citing_both(two: Repository) -> None:
    Commands(two).corroborate("position", POSITION, cite=Citation([CRESCENT]), quote=CRESCENT_QUOTE)
    brief = build_brief(two, TRACK, since=dt.date(2024, 8, 13))
    numbers = {c.source_id: c.number for c in brief.sources}
    since = brief.section("since")
    assert since is not None
    said = [e for e in since.entries if "Philadelphi Corridor" in e.text and e.lead == "2024-08-14"]
    assert len(said) == 1
    assert said[0].notes == (numbers[HARBOUR], numbers[CRESCENT])

    recorded = brief.section("recorded")
    assert recorded is not None
    [group] = [e for e in recorded.entries if e.lead == "Reported by another outlet too"]
    [added] = group.children
    assert added.notes == (numbers[HARBOUR], numbers[CRESCENT])

    found = compare(two, TRACK, dt.date(2024, 8, 13), dt.date(2024, 8, 15))
    positions = [c for c in found.section("positions") if c.record_id == POSITION]
    assert len(positions) == 1
    assert positions[0].source_ids == (HARBOUR, CRESCENT)


# -- stores and exports written before -------------------------------------------------


def lay_out(folder: Path) -> Path:
    for name in ("parley.json", "parley.json.history"):
        shutil.copy(FIXTURE / name, folder / name)
        os.chmod(folder / name, 0o600)
    return folder / "parley.json"


def test_a_store_written_before_opens_and_exports_unchanged(tmp_path: Path) -> None:
    """Written by the Parley before corroborations (the seed, an article kept, a position
    and an event anchored in it, an edit undone): every record, revision and change
    reads as it did, and its export imports into a fresh store as it is."""
    want = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
    path = lay_out(tmp_path)
    with open_store(path, clock=fixed_clock, read_only=True) as repo:
        assert export_document(repo) == want["export"]
        revisions = {
            kind: {r.id: repo.revision(kind, r.id) for r in repo.list(kind)}
            for kind in want["revisions"]
        }
        assert revisions == want["revisions"]
        assert quote_problems(repo) == []
        anchored = [p for p in repo.list_as(Position) if p.anchor is not None]
        # A record with one quote reads as a record with one anchored quote.
        assert [len(quoted(p)) for p in anchored] == [1]
        assert quoted(anchored[0])[0].anchor == anchored[0].anchor
    text = json.dumps(want["export"], ensure_ascii=False, indent=2) + "\n"
    with open_store(tmp_path / "fresh.json", clock=fixed_clock) as fresh:
        assert not import_json(fresh, text).problems
        assert export_document(fresh)["records"] == want["export"]["records"]
        assert "corroborations" not in json.dumps(export_document(fresh))


def test_the_csv_export_carries_corroborations_and_reads_them_back(
    two: Repository, tmp_path: Path
) -> None:
    Commands(two).corroborate("position", POSITION, cite=Citation([CRESCENT]), quote=CRESCENT_QUOTE)
    files = export_csv_files(two)
    header = files["position.csv"].splitlines()[0].split(",")
    assert "corroborations" in header
    bundle, problems = read_csv_files({k: v.encode() for k, v in files.items()})
    assert problems == []
    [back] = [r for r in bundle.records if r.kind == "position" and r.id == POSITION]
    assert back == two.get_as(Position, POSITION)
    # The JSON export carries them too, into a fresh store.
    with open_store(tmp_path / "fresh.json", clock=fixed_clock) as fresh:
        assert not import_json(fresh, export_json(two)).problems
        assert fresh.get_as(Position, POSITION) == two.get_as(Position, POSITION)
        assert quote_problems(fresh) == []
    # A row without corroborations leaves the cell empty, and reads as none.
    [plain] = [r for r in bundle.records if r.id == "hamas-philadelphi-2024-08-21"]
    assert isinstance(plain, Position) and plain.corroborations == []


# -- the command line ----------------------------------------------------------------


def test_the_command_line_says_so_and_corroborates_when_asked(
    two: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(two.storage.path)
    two.close()
    said = [
        "--db",
        db,
        "position",
        "--point",
        "philadelphi-corridor",
        "--actor",
        "hamas",
        "--date",
        "2024-08-15",
        "--firmness",
        "red line",
        "--stance",
        "Hamas will not accept an Israeli military presence in the Philadelphi Corridor.",
        "--quote",
        CRESCENT_QUOTE,
        "--source",
        CRESCENT,
    ]
    code, out, err = run_cli(said, capsys)
    assert code == 0
    assert out.startswith("added position hamas-philadelphi-corridor-2024-08-15")
    assert err == (
        f"parley: this position repeats position {POSITION} (a day apart, in like words); "
        "--corroborate adds its source to that one instead\n"
    )
    assert run_cli(["--db", db, "undo"], capsys)[0] == 0
    code, out, err = run_cli([*said, "--corroborate"], capsys)
    assert (code, out, err) == (0, f"corroborated position {POSITION}\n", "")
    with open_store(Path(db), clock=fixed_clock, read_only=True) as repo:
        [item] = repo.get_as(Position, POSITION).corroborations
        assert item.anchor is not None and item.quote == CRESCENT_QUOTE
        assert quote_problems(repo) == []
    event = ["--db", db, "add", "event", "--title", "Strikes in Rafah", "--date", "2024-08-15"]
    event += ["--event-kind", "military", "--text", "Strikes hit Rafah.", "--actor", "israel"]
    code, _, err = run_cli([*event, "--source", CRESCENT, "--corroborate"], capsys)
    assert code == 1
    assert "no stored event repeats this one; leave out --corroborate" in err
