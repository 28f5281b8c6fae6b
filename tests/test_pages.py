"""Capture reads real pages: the source fields proposed from the shapes wire copy and
news pages take, and always shown before they are kept."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import make_app, press, run_async, run_cli, screen_text, seeded_store, settle

from store import Source, open_store
from store.articles.pages import date_in, is_furniture, read_article

CORPUS = Path(__file__).parent / "articles" / "reader"
# Long after the news: a date without a year must find its year in the text.
LATER = date(2026, 12, 7)


def truths() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for truth in sorted(CORPUS.glob("*.json")):
        page = next(p for p in CORPUS.glob(truth.stem + ".*") if p.suffix != ".json")
        found.append((page, json.loads(truth.read_text(encoding="utf-8"))["source"]))
    return found


@pytest.mark.parametrize(("page", "want"), truths(), ids=lambda v: getattr(v, "stem", ""))
def test_each_test_page_proposes_its_true_outlet_title_and_date(
    page: Path, want: dict[str, Any]
) -> None:
    article = read_article(page.read_text(encoding="utf-8"), page.name, today=LATER)
    assert article.outlet == want["outlet"]
    assert article.via == want["via"]
    assert article.title == want["title"]
    if want.get("year_unknown"):
        # Nothing in the text tells the year: the guess is said to be one.
        assert article.date_unsure
    else:
        assert article.published is not None
        assert article.published.isoformat() == want["published"]


@pytest.mark.parametrize(
    ("head", "outlet", "kind", "day"),
    [
        ("CAIRO, August 25 (Meridian News) — Talks went on.", "Meridian News", "wire", 25),
        ("CAIRO, Aug. 25 (Reuters) - Talks went on.", "Reuters", "wire", 25),
        ("JERUSALEM (AP) — Talks went on.", "AP", "wire", None),
        ("CAIRO, August 25. /TASS/. Talks went on.", "TASS", "state media", 25),
    ],
)
def test_each_dateline_form_names_its_agency(
    head: str, outlet: str, kind: str, day: int | None
) -> None:
    text = f"Mediators meet again in Cairo on the corridor\n\n{head}\n\nThis began in 2024.\n"
    article = read_article(text, today=LATER)
    assert (article.outlet, article.source_kind) == (outlet, kind)
    assert article.title == "Mediators meet again in Cairo on the corridor"
    assert article.published == (date(2024, 8, day) if day else None)


def test_a_syndication_footer_names_the_outlet_and_a_desk_does_not() -> None:
    text = (
        "Gaza truce talks go on in Cairo today\nWeb Desk\n\nTeams met on Tuesday.\n\n"
        "Source: Xinhua\n"
    )
    article = read_article(text, today=LATER)
    assert (article.outlet, article.source_kind) == ("Xinhua", "state media")


def test_a_byline_is_an_author_not_an_outlet() -> None:
    article = read_article("Talks resume in Cairo on Sunday\nBy Dana Holt\n\nText.\n")
    assert article.outlet == ""


def test_navigation_section_and_date_lines_are_not_the_title() -> None:
    for line in (
        "Home | World | Middle East | Contact Us",
        "World",
        "Contact Us",
        "August 25, 2024",
        "World > Middle East",
        "Skip to main content",
        "Monday 26 August 2024 06.10 BST",
        "Thursday, 29 August 2024 - 07:45",
    ):
        assert is_furniture(line), line
    assert not is_furniture("Hamas team leaves Cairo talks")


def test_published_in_any_spacing_and_as_per() -> None:
    text = (
        "Mediators set a new deadline for a deal\nPublished August 26,2024\n\n"
        "As per Al-Qahira News, the sides have a week.\n"
    )
    article = read_article(text, today=LATER)
    assert article.published == date(2024, 8, 26)
    assert article.via == "Al-Qahira News"


def test_a_yearless_date_takes_the_year_the_text_fits() -> None:
    # After the mentioned October 2023, on or before the capture day.
    assert date_in("Aug. 22", "The war began on October 7, 2023.", LATER) == (
        date(2024, 8, 22),
        False,
    )
    # Nothing to go by: the last such day before the capture day, and unsure.
    assert date_in("Aug. 22", "No year anywhere.", LATER) == (date(2026, 8, 22), True)


@pytest.mark.parametrize(
    "mention",
    ["since October 2023", "since Oct. 2023", "in October, 2023", "the war of October 2023"],
)
def test_a_yearless_date_after_a_month_and_year_counts_from_that_month(mention: str) -> None:
    # "October 2023" is the first of that October, not of 2023: an August without a
    # year comes after it, in 2024.
    text = f"The war has gone on {mention}."
    assert date_in("Aug 29", text, LATER) == (date(2024, 8, 29), False)
    wire = f"RIYADH, Aug 29 (Gulf Dispatch) — Ministers met.\n\nThe war began {mention}.\n"
    assert read_article(wire, today=LATER).published == date(2024, 8, 29)
    # A later month of that year is still that year.
    assert date_in("Nov 3", text, LATER) == (date(2023, 11, 3), False)


def test_a_page_with_and_without_og_tags() -> None:
    og = read_article((CORPUS / "07-page-og.html").read_text(encoding="utf-8"), "a.html")
    plain = read_article((CORPUS / "08-page-plain.html").read_text(encoding="utf-8"), "b.html")
    assert (og.outlet, plain.outlet) == ("Levant Ledger", "Nile Observer")
    # Menus and footers are not kept; paragraphs are parted by a blank line.
    assert "Contact Us" not in og.text and "Contact Us" not in plain.text
    assert "\n\nBenjamin Netanyahu told his cabinet" in og.text


# -- at the command line --------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "parley.json"
    seeded_store(path).close()
    return path


def test_unasked_capture_prints_what_it_kept_on_one_line(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = CORPUS / "01-cairo-wire.txt"
    code, out, err = run_cli(["--db", str(db), "capture", str(page), "--yes"], capsys)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    assert "Meridian News · “Hamas team leaves Cairo talks" in out and "2024-08-25 · wire" in out
    with open_store(db) as repo:
        kept = [s for s in repo.list_as(Source) if s.text]
    assert kept[0].id.startswith("hamas-team-leaves-cairo")


def test_at_a_terminal_the_proposal_is_confirmed_and_a_field_changed(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["title", "Hamas leaves Cairo without a deal", ""])
    monkeypatch.setattr("builtins.input", lambda question: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    page = CORPUS / "01-cairo-wire.txt"
    code, out, _ = run_cli(["--db", str(db), "capture", str(page)], capsys)
    assert code == 0
    assert "Keep the article as this source?" in out and "Meridian News" in out
    with open_store(db) as repo:
        kept = next(s for s in repo.list_as(Source) if s.text)
    assert (kept.title, kept.id) == (
        "Hamas leaves Cairo without a deal",
        "hamas-leaves-cairo-without-a-deal",
    )


def test_the_same_article_twice_names_the_source_that_keeps_it(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = CORPUS / "07-page-og.html"
    args = ["--db", str(db), "capture", str(page), "--kind", "other", "--yes"]
    assert run_cli(args, capsys)[0] == 0
    code, _, err = run_cli(args, capsys)
    assert code == 1
    assert "already kept, as source netanyahu-holds-firm" in err and "then v" in err


def test_unsure_year_is_said() -> None:
    from tui.cli.capture import proposal_line, settle

    article = read_article(
        "Talks go on in Cairo today\nCAIRO, Aug 25 (Wire) — Text.\n", today=LATER
    )
    assert article.date_unsure
    args = argparse.Namespace(outlet=None, title=None, date=None, kind=None, url=None, via=None)
    assert "(year guessed)" in proposal_line(settle(article, args, None), unsure=True)


@run_async
async def test_pasting_a_kept_article_again_offers_to_read_it(db: Path) -> None:
    from textual import events

    from tui.dialogs.confirm import ConfirmScreen
    from tui.screens.reader import ReaderScreen

    text = (CORPUS / "12-last-night.txt").read_text(encoding="utf-8")
    repo = open_store(db)
    before = len(repo.list_as(Source))
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await press(pilot, "escape", "escape", "1", "c")
            app.post_message(events.Paste(text))
            await pilot.pause()
            await press(pilot, "ctrl+s", "enter")
        # The second time: the source that keeps it is named, and y reads it.
        assert isinstance(app.screen, ConfirmScreen)
        assert "washington-says-cairo-talks" in screen_text(app)
        await press(pilot, "y")
        assert isinstance(app.screen, ReaderScreen)
    assert len(repo.list_as(Source)) == before + 1
    repo.close()
