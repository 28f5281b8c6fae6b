"""Articles kept as sources: taken in from each format, their source fields proposed,
their dates read, the actors they name, and quotes anchored in them, checked.

The articles in ``tests/articles/`` are written for these tests; the seed report is
read from beside the project (``../shared/seeds/``), never copied into it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from tui_helpers import run_cli, seeded_store

from store import Actor, Event, InvalidRecord, Person, Source, StoreError, open_store
from store.articles.anchors import anchor_quote
from store.articles.article import named_in, resolve_date, sentences
from store.articles.pages import read_article
from store.reading.quotes import quote_problems
from store.records.commands import Commands
from store.records.drafts import Citation
from store.values import text_hash

ARTICLES = Path(__file__).parent / "articles"
REPORT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"
SEED_SOURCE = "xinhua-2024-08-21-blinken-tour"
TRACK = "gaza-ceasefire-hostage-talks"
# The readable text of page.html: its article's headings and paragraphs, nothing of the
# page around them (menus, scripts, styles, the picture's caption, the aside, the footer).
PAGE_TEXT = (
    "Ceasefire talks resume in Cairo\n\n"
    "Negotiators returned to Cairo on Sunday for a new round of talks, three days after "
    "the Doha round broke up.\n\n"
    "Hamas said the bridging proposal still left Israeli troops on the Philadelphi "
    'Corridor, which it called "a red line".\n\n'
    "An Israeli official said the government had approved the delegation's mandate on "
    "Saturday.\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "parley.json"
    seeded_store(path).close()
    return path


def sources_of(db: Path) -> dict[str, Source]:
    with open_store(db, clock=fixed_clock) as repo:
        return {s.id: s for s in repo.list_as(Source)}


def new_source(db: Path, before: dict[str, Source]) -> Source:
    [added] = [s for s in sources_of(db).values() if s.id not in before]
    return added


# -- taking an article in --------------------------------------------------------------


@pytest.mark.parametrize("name", ["wire.txt", "statement.md"])
def test_text_and_markdown_are_kept_byte_for_byte(
    db: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sources_of(db)
    path = ARTICLES / name
    code, out, err = run_cli(["--db", str(db), "capture", str(path), "--kind", "wire"], capsys)
    assert (code, err) == (0, ""), err
    assert out.startswith("captured source ")
    source = new_source(db, before)
    assert source.text.encode("utf-8") == path.read_bytes()
    assert source.text_sha256 == text_hash(path.read_text(encoding="utf-8"))


def test_a_web_page_is_kept_as_its_readable_text(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sources_of(db)
    args = ["--db", str(db), "capture", str(ARTICLES / "page.html"), "--kind", "wire"]
    code, _, err = run_cli(args, capsys)
    assert (code, err) == (0, "")
    source = new_source(db, before)
    assert source.text == PAGE_TEXT
    assert source.url == "https://ledger.example/2024/08/25/talks-cairo"


def test_standard_input_is_taken_in_without_a_question(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    text = (ARTICLES / "wire.txt").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    before = sources_of(db)
    args = ["--db", str(db), "capture", "-", "--title", "Corridor dispute", "--kind", "wire"]
    code, _, err = run_cli(args, capsys)
    assert (code, err) == (0, "")
    source = new_source(db, before)
    assert (source.text, source.title, source.outlet) == (text, "Corridor dispute", "Parley Wire")


def test_a_missing_field_names_its_option_and_writes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.read_bytes(), sources_of(db)
    # The web page says no kind of source, and standard input is no terminal to ask at.
    code, out, err = run_cli(["--db", str(db), "capture", str(ARTICLES / "page.html")], capsys)
    assert code == 2 and out == ""
    assert err.strip() == "parley: the article does not say its kind of source: give --kind"
    assert (db.read_bytes(), sources_of(db)) == before


def test_the_same_article_is_kept_once(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", str(db), "capture", str(ARTICLES / "wire.txt")]
    assert run_cli(args, capsys)[0] == 0
    code, _, err = run_cli(args, capsys)
    assert code == 1
    assert "already kept, as source" in err


def test_the_seed_report_fills_in_the_seed_source(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report the seed was written from has its source already: its text joins it."""
    args = ["--db", str(db), "capture", str(REPORT), "--date", "2024-08-21", "--kind", "state"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and out.startswith(f"kept the text of source {SEED_SOURCE}")
    source = sources_of(db)[SEED_SOURCE]
    assert source.text == REPORT.read_text(encoding="utf-8")
    # The seed's quotes of it ("do everything possible … get Hamas on board") are in it.
    assert run_cli(["--db", str(db), "check"], capsys)[0] == 0


def test_a_kept_text_never_changes(seeded: Any) -> None:
    commands = Commands(seeded)
    text = (ARTICLES / "wire.txt").read_text(encoding="utf-8")
    outcome = commands.capture(
        text, outlet="Parley Wire", title="Corridor", published="2024-08-23", source_kind="wire"
    )
    assert outcome.record is not None
    with pytest.raises(InvalidRecord) as refused:
        commands.edit("source", outcome.record.id, {"text": text + "And one more line.\n"})
    assert "never changes" in str(refused.value)
    assert seeded.get_as(Source, outcome.record.id).text == text


# -- the fields an article proposes ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "outlet", "title", "published", "kind"),
    [
        (
            "wire.txt",
            "Parley Wire",
            "Mediators push for Cairo meeting as corridor dispute drags on",
            date(2024, 8, 23),
            "wire",
        ),
        (
            "statement.md",
            "Ministry of Foreign Affairs of Ruritania",
            "Statement by the Ministry of Foreign Affairs of Ruritania",
            date(2024, 8, 16),
            "official statement",
        ),
        (
            "page.html",
            "The Evening Ledger",
            "Ceasefire talks resume in Cairo",
            date(2024, 8, 25),
            None,
        ),
    ],
)
def test_proposed_source_fields(
    name: str, outlet: str, title: str, published: date, kind: str | None
) -> None:
    raw = (ARTICLES / name).read_text(encoding="utf-8")
    # The wire's dateline gives no year: the last 23 August before the day it is read.
    article = read_article(raw, name, today=date(2024, 9, 1))
    assert (article.outlet, article.title, article.published, article.source_kind) == (
        outlet,
        title,
        published,
        kind,
    )


def test_the_seed_report_proposes_its_outlet_and_title() -> None:
    article = read_article(REPORT.read_text(encoding="utf-8"), REPORT.name)
    assert article.outlet == "Xinhua News Agency"
    assert article.title == "Blinken’s Mideast Tour Likely Won’t Resolve Gaza Ceasefire"
    # No dateline: the date is asked for.
    assert article.published is None


# -- sentences ---------------------------------------------------------------------------------


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = REPORT.read_text(encoding="utf-8")
    found = [s.text for s in sentences(text)]
    assert (
        "Israeli Prime Minister Benjamin Netanyahu (R) meets with U.S. Secretary of State "
        "Antony Blinken in Jerusalem, on Aug. 19, 2024." in found
    )
    assert found[0] == "Blinken’s Mideast Tour Likely Won’t Resolve Gaza Ceasefire"
    assert "DISPUTES UNRESOLVED" in found
    # Every sentence is exactly the text at its offsets.
    assert all(text[s.start : s.end] == s.text for s in sentences(text))


@pytest.mark.parametrize(
    ("text", "captions"),
    [
        # A credit on the line below its caption, the article going on at once.
        (
            "Relatives rally in Tel Aviv on Saturday night.\nPhoto: Courtesy of the forum\n"
            "Hamas said in response that it rejects the veto.\n",
            ["Relatives rally in Tel Aviv on Saturday night.", "Photo: Courtesy of the forum"],
        ),
        # A caption and its credit on one line, a paragraph of their own.
        (
            "Hamas said it refused.\n\nProtesters call for a deal on Saturday. Photograph: "
            "Jane Roe/AFP/Getty Images\n\nEgypt said the talks went on.\n",
            ["Protesters call for a deal on Saturday.", "Photograph: Jane Roe/AFP/Getty Images"],
        ),
        # A wire picture's credit in brackets; a gallery's label; a credit alone.
        (
            "Netanyahu (R) meets Blinken in Jerusalem on Aug. 19, 2024. (Jane Roe-GPO/Handout "
            "via Xinhua)\n\n1 of 6\nTrucks wait at the crossing.\n\nPhoto credit: Levant "
            "Ledger\nEgypt said the talks went on.\n",
            [
                "Netanyahu (R) meets Blinken in Jerusalem on Aug. 19, 2024.",
                "(Jane Roe-GPO/Handout via Xinhua)",
                "1 of 6",
                "Photo credit: Levant Ledger",
            ],
        ),
    ],
)
def test_captions_and_credits_are_their_own_sentences(text: str, captions: list[str]) -> None:
    found = sentences(text)
    assert [s.text for s in found if s.caption] == captions
    # Kept in the text as they are, and no sentence of the article holds any of them.
    assert all(text[s.start : s.end] == s.text for s in found)
    prose = [s.text for s in found if not s.caption]
    assert not any(word in s for s in prose for word in ("Photo", "Xinhua", "1 of 6"))
    assert "Hamas said in response that it rejects the veto." in prose or (
        "Egypt said the talks went on." in prose
    )


# -- dates -----------------------------------------------------------------------------------------

# Relative to Wednesday 21 August 2024: (words, the day, approximate).
DATES = [
    ("on Tuesday", date(2024, 8, 20), False),
    ("On Monday night", date(2024, 8, 19), False),
    ("on Wednesday", date(2024, 8, 21), False),
    ("last Wednesday", date(2024, 8, 14), False),
    ("on Sunday", date(2024, 8, 18), False),
    ("next Friday", date(2024, 8, 23), False),
    ("yesterday", date(2024, 8, 20), False),
    ("today", date(2024, 8, 21), False),
    ("the day before yesterday", date(2024, 8, 19), False),
    ("three days ago", date(2024, 8, 18), False),
    ("Aug. 13", date(2024, 8, 13), False),
    ("on Aug. 19, 2024", date(2024, 8, 19), False),
    ("13 August", date(2024, 8, 13), False),
    ("August 2", date(2024, 8, 2), False),
    ("Dec. 25", date(2023, 12, 25), False),
    ("2024-07-31", date(2024, 7, 31), False),
    ("last week", date(2024, 8, 14), True),
    ("this week", date(2024, 8, 21), True),
    ("at the end of July", date(2024, 7, 31), True),
    ("in early August", date(2024, 8, 1), True),
    ("in mid-July", date(2024, 7, 15), True),
    ("late June", date(2024, 6, 25), True),
    ("In May", date(2024, 5, 1), True),
    ("last month", date(2024, 7, 1), True),
    ("two weeks ago", date(2024, 8, 7), True),
    ("last weekend", date(2024, 8, 17), True),
]


@pytest.mark.parametrize(("words", "day", "approximate"), DATES, ids=[d[0] for d in DATES])
def test_dates_are_read_relative_to_the_article(words: str, day: date, approximate: bool) -> None:
    guess = resolve_date(f"The talks, he said, were held {words} in Doha.", date(2024, 8, 21))
    assert guess is not None
    assert (guess.day, guess.approximate) == (day, approximate)
    assert guess.phrase.casefold() in words.casefold()
    assert ("about " in guess.words) == approximate


def test_a_wire_dateline_is_not_the_day_reported() -> None:
    text = (ARTICLES / "wire.txt").read_text(encoding="utf-8")
    [dateline] = [s for s in sentences(text) if s.text.startswith("CAIRO")]
    guess = resolve_date(dateline.text, date(2024, 8, 23))
    assert guess is not None and (guess.day, guess.phrase) == (date(2024, 8, 22), "on Thursday")


def test_a_sentence_without_a_date_names_none() -> None:
    assert resolve_date("Mediators may meet again; nothing is settled.", date(2024, 8, 21)) is None


def test_an_exact_date_wins_over_an_approximate_one() -> None:
    guess = resolve_date("Last week's talks ended on Thursday.", date(2024, 8, 21))
    assert guess is not None and (guess.day, guess.approximate) == (date(2024, 8, 15), False)


# -- names ---------------------------------------------------------------------------------------


def test_actors_are_found_by_name_alias_and_spokesperson(seeded: Any) -> None:
    actors, people = seeded.list_as(Actor), seeded.list_as(Person)
    passage = (
        "Washington pressed the Islamic Resistance Movement again, while the IDF said "
        "Netanyahu would not attend; Qatar hosted nobody."
    )
    named = named_in(passage, actors, people)
    # "Washington" is the United States' alias, "Islamic Resistance Movement" Hamas's,
    # "IDF" Israel's; Netanyahu, by his surname, speaks for Israel too.
    assert named.actor_ids == ["united-states", "hamas", "israel", "qatar"]
    assert named.person_ids == ["benjamin-netanyahu"]


def test_names_are_matched_as_whole_words(seeded: Any) -> None:
    actors, people = seeded.list_as(Actor), seeded.list_as(Person)
    assert named_in("Qatarization, USAID and Egyptology", actors, people).actor_ids == []
    assert named_in("Biden's remarks", actors, people).actor_ids == ["united-states"]


# -- anchors ---------------------------------------------------------------------------------------


def captured_seed(repo: Any) -> tuple[Commands, Source]:
    commands = Commands(repo)
    text = REPORT.read_text(encoding="utf-8")
    outcome = commands.capture(
        text,
        outlet="Xinhua News Agency",
        title="Blinken’s Mideast Tour Likely Won’t Resolve Gaza Ceasefire",
        published="2024-08-21",
        source_kind="state media",
    )
    assert isinstance(outcome.record, Source)
    return commands, outcome.record


QUOTE = "Hamas called Biden’s remarks “misleading,”"


def anchored_event(commands: Commands, source: Source) -> Event:
    anchor = anchor_quote(source, QUOTE)
    assert anchor is not None
    outcome = commands.create(
        "event",
        {
            "title": "Hamas calls Biden's remarks misleading",
            "date": "2024-08-20",
            "event_kind": "statement",
            "text": "Hamas rejected the US president's account of the talks.",
            "actor_ids": ["hamas", "united-states"],
            "quote": QUOTE,
            "anchor": anchor.model_dump(),
        },
        track_id=TRACK,
        cite=Citation(source_ids=[source.id]),
    )
    assert isinstance(outcome.record, Event)
    return outcome.record


def test_a_quote_must_be_the_words_at_its_anchor(seeded: Any) -> None:
    commands, source = captured_seed(seeded)
    anchor = anchor_quote(source, QUOTE)
    assert anchor is not None and source.text[anchor.start : anchor.end] == QUOTE
    shifted = {**anchor.model_dump(), "start": anchor.start + 1, "end": anchor.end + 1}
    with pytest.raises(InvalidRecord) as refused:
        commands.create(
            "event",
            {
                "title": "Off by one",
                "date": "2024-08-20",
                "event_kind": "statement",
                "text": "x",
                "quote": QUOTE,
                "anchor": shifted,
            },
            track_id=TRACK,
            cite=Citation(source_ids=[source.id]),
        )
    assert refused.value.fields == {
        "quote": f"the quote's anchor ({anchor.start + 1}-{anchor.end + 1}) no longer matches "
        f"the text of source '{source.id}'"
    }


def test_editing_a_quote_anchors_it_again(seeded: Any) -> None:
    commands, source = captured_seed(seeded)
    event = anchored_event(commands, source)
    outcome = commands.edit("event", event.id, {"quote": "“misleading,”"})
    assert isinstance(outcome.record, Event) and outcome.record.anchor is not None
    anchor = outcome.record.anchor
    assert source.text[anchor.start : anchor.end] == "“misleading,”"
    assert event.anchor is not None and event.anchor.start < anchor.start < event.anchor.end


def test_an_anchored_quote_survives_export_and_import(seeded: Any, tmp_path: Path) -> None:
    from store.exchange.export import dump_export, export_document
    from store.exchange.importing import import_path

    commands, source = captured_seed(seeded)
    event = anchored_event(commands, source)
    path = tmp_path / "export.json"
    path.write_text(dump_export(export_document(seeded)), encoding="utf-8")
    with open_store(tmp_path / "copy.json", clock=fixed_clock) as copy:
        report = import_path(copy, path)
        assert not report.problems
        assert copy.get_as(Event, event.id) == event
        assert copy.get_as(Source, source.id).text == source.text
        assert quote_problems(copy) == []


def tamper(db: Path, tmp_path: Path, change: Any) -> None:
    """Change the store as an import of an edited export would."""
    from store.exchange.export import dump_export, export_document
    from store.exchange.importing import import_path

    with open_store(db, clock=fixed_clock) as repo:
        document = export_document(repo)
    change(document["records"])
    path = tmp_path / "edited.json"
    path.write_text(dump_export(document), encoding="utf-8")
    with open_store(db, clock=fixed_clock) as repo:
        assert not import_path(repo, path).problems


def record_of(records: dict[str, list[dict[str, Any]]], kind: str, record_id: str) -> Any:
    return next(r for r in records[kind] if r["id"] == record_id)


def test_check_reports_a_tampered_source_text(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(db, clock=fixed_clock) as repo:
        commands, source = captured_seed(repo)
        event = anchored_event(commands, source)
    assert run_cli(["--db", str(db), "check"], capsys)[0] == 0

    def edit(records: dict[str, list[dict[str, Any]]]) -> None:
        kept = record_of(records, "source", SEED_SOURCE)
        kept["text"] = kept["text"].replace("Biden’s remarks", "the remarks")

    tamper(db, tmp_path, edit)
    files = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    code, out, _ = run_cli(["--db", str(db), "check"], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"source '{SEED_SOURCE}': its text no longer matches the hash it was kept with",
        f"event '{event.id}': the quote does not appear in the text of source "
        f"'{SEED_SOURCE}' at all",
    ]
    # Checking changed nothing.
    assert {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()} == files


def test_check_reports_a_tampered_quote(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(db, clock=fixed_clock) as repo:
        commands, source = captured_seed(repo)
        event = anchored_event(commands, source)
        assert event.anchor is not None
        start = event.anchor.start

    def edit(records: dict[str, list[dict[str, Any]]]) -> None:
        stored = record_of(records, "event", event.id)
        stored["quote"] = stored["anchor"]["text"] = QUOTE.replace("misleading", "false")
        stored["anchor"]["end"] = start + len(stored["quote"])
        # And an unanchored quote the report never had.
        position = record_of(records, "position", "hamas-biden-remarks-2024-08-20")
        position["quote"] = "a total fabrication"

    tamper(db, tmp_path, edit)
    files = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    code, out, _ = run_cli(["--db", str(db), "check"], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"position 'hamas-biden-remarks-2024-08-20': the quote does not appear in the text "
        f"of '{SEED_SOURCE}' at all",
        f"event '{event.id}': the quote does not appear in the text of source "
        f"'{SEED_SOURCE}' at all",
    ]
    assert {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()} == files


def test_a_moved_anchor_is_told_apart_from_a_missing_quote(seeded: Any) -> None:
    from store.articles.anchors import anchor_fault

    commands, source = captured_seed(seeded)
    event = anchored_event(commands, source)
    assert event.anchor is not None
    moved_text = "A new first line.\n" + source.text
    moved = source.model_copy(update={"text": moved_text})
    assert "no longer matches" in anchor_fault(event, moved)
    assert anchor_fault(event, source) == ""


def test_capture_refuses_an_empty_article(seeded: Any) -> None:
    with pytest.raises(StoreError):
        Commands(seeded).capture(
            "  \n", outlet="X", title="Y", published="2024-08-21", source_kind="wire"
        )


def test_export_keeps_the_anchor_in_json(seeded: Any) -> None:
    from store.exchange.export import export_document

    commands, source = captured_seed(seeded)
    event = anchored_event(commands, source)
    document = export_document(seeded)
    stored = record_of(document["records"], "event", event.id)
    assert stored["anchor"]["source_id"] == SEED_SOURCE
    assert json.loads(json.dumps(stored))["anchor"]["text"] == QUOTE


def test_at_a_terminal_each_missing_field_is_asked_once() -> None:
    import argparse

    from tui.cli.capture import settle

    article = read_article((ARTICLES / "page.html").read_text(encoding="utf-8"), "page.html")
    asked: list[str] = []
    answers = iter(["a newspaper", "newspaper", "wire"])

    def ask(question: str) -> str:
        asked.append(question)
        return next(answers)

    args = argparse.Namespace(outlet=None, title=None, date=None, kind=None, url=None)
    fields = settle(article, args, ask)
    # Only the kind was missing; a kind that is none of the kinds is asked again.
    assert [q.split(" (")[0] for q in asked] == ["Kind", "Kind", "Kind"]
    assert fields["source_kind"] == "wire"
    assert fields["outlet"] == "The Evening Ledger"
