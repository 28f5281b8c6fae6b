"""The reader, driven as a person would: an article taken in, read sentence by sentence,
and records taken from its words with their quotes anchored; the paste box; a quote's
passage shown with its record. Snapshots of the reader at both terminal sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from textual import events
from textual.widgets import Input, TextArea
from tui_helpers import (
    Compare,
    make_app,
    press,
    run_async,
    run_cli,
    screen_text,
    seeded_store,
    settle,
    sizes,
    snapshot_keys,
)

from store import Event, Kind, Position, Source, open_store
from store.articles.article import sentences
from tui.dialogs.record_sources import RecordSourcesScreen
from tui.passage import passage_lines
from tui.screens.reader import ReaderScreen

REPORT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"
ARTICLES = Path(__file__).parent / "articles"
SEED_SOURCE = "xinhua-2024-08-21-blinken-tour"
SOURCES_VIEW = "7"


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A fresh seed store with the seed report captured, dated as it was published (the
    report has no dateline): Wednesday 21 August 2024."""
    path = tmp_path / "parley.json"
    seeded_store(path).close()
    args = ["--db", str(path), "capture", str(REPORT), "--date", "2024-08-21", "--kind", "state"]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    return path


def hamas_sentence() -> int:
    """Where, among the report's sentences, Hamas calls Biden's remarks misleading."""
    found = sentences(REPORT.read_text(encoding="utf-8"))
    return next(i for i, s in enumerate(found) if "Hamas called Biden’s remarks" in s.text)


def events_in(db: Path) -> dict[str, Event]:
    with open_store(db, clock=fixed_clock) as repo:
        return {e.id: e for e in repo.list_as(Event)}


@run_async
async def test_an_event_taken_from_the_report_keeps_its_anchor(db: Path) -> None:
    """`n s` Enter on a sentence of the report: an event, a statement, anchored on that
    sentence and marked E in the margin. Its sources (`o`) then show the passage its
    quote stands in, the paragraph around the sentence."""
    before = events_in(db)
    repo = open_store(db, clock=fixed_clock)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, SOURCES_VIEW, "v")
        assert isinstance(app.screen, ReaderScreen)
        await press(pilot, *["j"] * hamas_sentence())
        assert "from “on Tuesday”" in screen_text(app)
        # Two keys and Enter: an event, a statement, saved as the form was filled.
        await press(pilot, "n", "s", "enter")
        assert isinstance(app.screen, ReaderScreen)
        # The sentence is now marked as backing an event.
        row = app.screen.query_one(f"#sentence-{hamas_sentence()}")
        assert "E" in str(row.query_one(".margin").render())
        await press(pilot, "escape")
        [event] = [e for e in repo.list_as(Event) if e.anchor is not None]
        app.push_screen(RecordSourcesScreen(repo, event))
        await settle(pilot)
        shown = screen_text(app)
        assert "In the article" in shown
        assert "Hamas called Biden’s remarks" in shown
    detail = "\n".join(c.plain for c in passage_lines(repo, event))
    assert "commit more crimes against defenseless civilians" in detail
    repo.close()

    [new] = [e for e in events_in(db).values() if e.id not in before]
    text = REPORT.read_text(encoding="utf-8")
    sentence = sentences(text)[hamas_sentence()]
    assert new.anchor is not None
    assert (new.anchor.source_id, new.anchor.start, new.anchor.end) == (
        SEED_SOURCE,
        sentence.start,
        sentence.end,
    )
    assert new.quote == new.anchor.text == sentence.text == text[sentence.start : sentence.end]
    assert new.date.isoformat() == "2024-08-20"
    assert new.event_kind.value == "statement"
    assert {"hamas", "united-states"} <= set(new.actor_ids)
    assert new.actor_ids[0] == "hamas"
    assert new.source_ids == [SEED_SOURCE]


@run_async
async def test_a_longer_passage_and_a_trimmed_quote(db: Path) -> None:
    """J takes in the next sentence; a quote trimmed in the form is anchored where its
    words stand; words not in the article are refused beside the field."""
    repo = open_store(db, clock=fixed_clock)
    app = make_app(repo)
    index = hamas_sentence()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, SOURCES_VIEW, "v", *["j"] * index, "J")
        assert f"sentence {index + 1}–{index + 2} of" in screen_text(app)
        await press(pilot, "K", "p")
        form = app.screen
        # The sticking point proposed is put right; the party came from the sentence;
        # a red line.
        form.focus_field("point_id")
        await press(pilot, *"phil", "enter")
        form.focus_field("firmness")
        await press(pilot, "r")
        quote = form.query_one("#field-quote", Input)
        quote.value = "not the article's words"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert "not in the article" in screen_text(app)
        quote.value = "“misleading,”"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReaderScreen)
    repo.close()
    with open_store(db, clock=fixed_clock) as repo:
        [taken] = [p for p in repo.list_as(Position) if p.anchor is not None]
        sentence = sentences(REPORT.read_text(encoding="utf-8"))[index]
        assert taken.anchor is not None
        assert (taken.point_id, taken.actor_id, taken.firmness.value) == (
            "philadelphi-corridor",
            "hamas",
            "red line",
        )
        assert taken.quote == taken.anchor.text == "“misleading,”"
        assert sentence.start < taken.anchor.start < taken.anchor.end < sentence.end


@run_async
async def test_the_paste_box_keeps_an_article_and_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "parley.json"
    repo = seeded_store(path)
    text = (ARTICLES / "statement.md").read_text(encoding="utf-8")
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.focused, TextArea)
        # As a terminal pastes: to the app, which hands it to the field in focus.
        app.post_message(events.Paste(text))
        await settle(pilot)
        await press(pilot, "ctrl+s")
        shown = screen_text(app)
        # Proposed from the statement: asked only for what it does not say.
        assert "Ministry of Foreign Affairs of Ruritania" in shown
        assert "2024-08-16" in shown
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReaderScreen)
        assert "Ruritania stands ready" in screen_text(app)
    repo.close()
    with open_store(path, clock=fixed_clock) as repo:
        [kept] = [s for s in repo.list_as(Source) if s.text]
        assert kept.text == text
        assert (kept.outlet, kept.published.isoformat(), kept.source_kind.value) == (
            "Ministry of Foreign Affairs of Ruritania",
            "2024-08-16",
            "official statement",
        )


def test_v_says_why_there_is_nothing_to_read(tmp_path: Path) -> None:
    from store.records.commands import Commands
    from tui.screens.article import reader_for

    repo = seeded_store(tmp_path / "parley.json")
    source = repo.get_as(Source, SEED_SOURCE)
    assert "keeps no article" in str(reader_for(repo, Commands(repo), source, ""))
    position = repo.get(Kind.POSITION, "hamas-biden-remarks-2024-08-20")
    assert "keeps its article" in str(reader_for(repo, Commands(repo), position, ""))
    repo.close()


@sizes
def test_reader_snapshot(
    snap_compare: Compare, db: Path, size: tuple[int, int], tmp_path: Path
) -> None:
    """The reader on the seed report, on the sentence where Hamas calls Biden's remarks
    misleading: the P in the margin is the seed's position quoting it."""
    repo: Any = open_store(db, clock=fixed_clock)
    try:
        keys = [SOURCES_VIEW, "v", *["j"] * hamas_sentence()]
        assert snap_compare(make_app(repo), terminal_size=size, run_before=snapshot_keys(*keys))
    finally:
        repo.close()


def test_v_on_a_quoting_record_opens_the_reader_on_its_sentence(db: Path) -> None:
    from store.records.commands import Commands
    from tui.screens.article import reader_for

    with open_store(db, clock=fixed_clock) as repo:
        # The seed's position quoting Hamas's “misleading”, written before the report was
        # kept: its words are found in the text.
        position = repo.get(Kind.POSITION, "hamas-biden-remarks-2024-08-20")
        reader = reader_for(repo, Commands(repo), position, "")
        assert isinstance(reader, ReaderScreen)
        assert reader.cursor == hamas_sentence()


ROUND_ARTICLE = (
    "Israel sends its team to Doha\n\n"
    "DOHA, Aug 16 (Meridian News) — Israeli Prime Minister Benjamin Netanyahu said on "
    "Thursday that Israel will not leave the Philadelphi Corridor.\n\n"
    "The talks began in October 2023.\n"
)


@run_async
async def test_a_record_from_the_reader_joins_the_round_it_was_made_in(tmp_path: Path) -> None:
    """A statement said on a day of the Doha round: the position form proposes that round,
    Enter saves it there, and the round's detail lists it among those stated in it."""
    db = tmp_path / "parley.json"
    repo = seeded_store(db)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source = app.commands.capture(
            ROUND_ARTICLE,
            outlet="Meridian News",
            title="Israel sends its team to Doha",
            published="2024-08-16",
            source_kind="wire",
        ).record
        assert isinstance(source, Source)
        at = source.text.index("Israeli Prime Minister")
        await app.push_screen(ReaderScreen(repo, app.commands, source.id, app.track_id, at=at))
        await settle(pilot)
        await press(pilot, "p")
        text = screen_text(app)
        assert "During round" in text and "Doha round, mid-August 2024" in text
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        await press(pilot, "escape", "2", "enter")
        detail = screen_text(app)
        stated = detail.index("Positions stated in the round (1)")
        assert "Israel will not leave the Philadelphi" in detail[stated:]
    repo.close()
    with open_store(db, clock=fixed_clock) as repo:
        [taken] = [p for p in repo.list_as(Position) if p.anchor is not None]
        assert (taken.round_id, taken.date.isoformat()) == ("doha-round-2024-08", "2024-08-15")


@run_async
async def test_captions_are_shown_apart_and_a_quote_on_the_next_sentence_leaves_them_out(
    tmp_path: Path,
) -> None:
    """A caption and its credit, with the article going on on the next line: the reader
    shows them as captions, and a position taken on the next sentence quotes only it."""
    db = tmp_path / "parley.json"
    repo = seeded_store(db)
    text = (
        "Hamas answers the veto\n\n"
        "Relatives rally in Tel Aviv on Saturday night.\nPhoto: Courtesy of the forum\n"
        "Hamas said on Sunday that it rejects any Israeli veto over the prisoners.\n"
    )
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source = app.commands.capture(
            text,
            outlet="Meridian News",
            title="Hamas answers the veto",
            published="2024-08-26",
            source_kind="wire",
        ).record
        assert isinstance(source, Source)
        at = source.text.index("Hamas said")
        reader = ReaderScreen(repo, app.commands, source.id, app.track_id, at=at)
        await app.push_screen(reader)
        await settle(pilot)
        rows = list(reader.query(".row"))
        assert [r.has_class("-caption") for r in rows] == [False, True, True, False]
        await press(pilot, "p", "enter")
        assert isinstance(app.screen, ReaderScreen)
    repo.close()
    with open_store(db, clock=fixed_clock) as repo:
        [taken] = [p for p in repo.list_as(Position) if p.anchor is not None]
        assert taken.quote == (
            "Hamas said on Sunday that it rejects any Israeli veto over the prisoners."
        )


@run_async
async def test_find_takes_a_straight_apostrophe_for_a_curly_one(db: Path) -> None:
    """The report prints “Biden’s”: typed with ', / finds its sentence all the same."""
    repo = open_store(db, clock=fixed_clock)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, SOURCES_VIEW, "v")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        keys = {" ": "space", "'": "apostrophe"}
        await press(pilot, "slash", *(keys.get(c, c) for c in "biden's remarks"), "enter")
        assert reader.cursor == hamas_sentence()
    repo.close()
