"""The same news from two outlets, driven as a person would: two agencies' reports of one
statement (``articles/corroboration/``) pasted with ``c``, three records taken from the
first with their quotes anchored, and the second agency's report of one of them added to
that record with one key in the offer the save opens. The store file is read after the
keys. The offer's other ways (save as new, back to the form) and the full form's; the
offer as a picture at both terminal sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import fixed_clock
from textual import events
from textual.pilot import Pilot
from tui_helpers import (
    THEME,
    Compare,
    make_app,
    press,
    run_async,
    screen_text,
    seeded_store,
    settle,
    sizes,
)

from store import Event, Position, Repository, Source, open_store
from store.articles.anchors import anchor_quote, quote_problems
from store.articles.article import sentences
from store.record import quoted
from store.records.commands import Commands
from store.records.drafts import Citation
from tui.dialogs.corroboration import CorroborationScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import Corroborates
from tui.dialogs.record_sources import sources_content
from tui.forms import Forms
from tui.passage import passage_lines
from tui.screens.reader import ReaderScreen

ARTICLES = Path(__file__).parent / "articles" / "corroboration"
HARBOUR = (ARTICLES / "harbour-wire.txt").read_text(encoding="utf-8")
CRESCENT = (ARTICLES / "crescent-press.txt").read_text(encoding="utf-8")
TRACK = "gaza-ceasefire-hostage-talks"


def at(text: str, words: str) -> int:
    """The index, among the article's sentences, of the one holding ``words``."""
    return next(i for i, s in enumerate(sentences(text)) if words in s.text)


async def paste(pilot: Pilot[None], text: str) -> None:
    """``c``, the article pasted as a terminal pastes, its fields confirmed: the reader
    opens on it."""
    await press(pilot, "c")
    pilot.app.post_message(events.Paste(text))
    await settle(pilot)
    await press(pilot, "ctrl+s", "ctrl+s")
    assert isinstance(pilot.app.screen, ReaderScreen), pilot.app.screen


@run_async
async def test_one_article_to_three_anchored_records_one_corroborated(tmp_path: Path) -> None:
    path = tmp_path / "parley.json"
    repo = seeded_store(path)
    app = make_app(repo)
    keys: dict[str, list[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await paste(pilot, HARBOUR)
        # Hamas's stance on the corridor: a position, its speaker a new person (Enter
        # saves both).
        keys["position"] = [*["j"] * at(HARBOUR, "Husam Badran said"), "p", "enter"]
        await press(pilot, *keys["position"])
        assert isinstance(app.screen, ReaderScreen)
        # Hamas staying away from the talks: an event, a statement.
        stance, said = at(HARBOUR, "Husam Badran said"), at(HARBOUR, "will not send a delegation")
        keys["statement"] = [*["k"] * (stance - said), "n", "s", "enter"]
        await press(pilot, *keys["statement"])
        # The mediators going ahead: a diplomatic event.
        ahead = at(HARBOUR, "would go ahead with the meeting")
        keys["diplomatic"] = [*["j"] * (ahead - said), "n", "d", "enter"]
        await press(pilot, *keys["diplomatic"])
        assert isinstance(app.screen, ReaderScreen)
        await press(pilot, "escape")

        # The second agency's report of the same statement.
        await paste(pilot, CRESCENT)
        keys["corroboration"] = [*["j"] * at(CRESCENT, "Hamas will not accept"), "p", "enter"]
        await press(pilot, *keys["corroboration"])
        offer = app.screen
        assert isinstance(offer, CorroborationScreen)
        shown = screen_text(app)
        assert "This position may be recorded already" in shown
        assert "Harbour Wire" in shown and "Crescent Press" in shown
        keys["corroboration"].append("enter")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        # The sentence is marked as quoted by a position in the second article too.
        row = app.screen.query_one(f"#sentence-{at(CRESCENT, 'Hamas will not accept')}")
        assert "P" in str(row.query_one(".margin").render())
    repo.close()

    with open_store(path, clock=fixed_clock, read_only=True) as stored:
        harbour, crescent = (
            next(s for s in stored.list_as(Source) if s.text == text)
            for text in (HARBOUR, CRESCENT)
        )
        records: list[Position | Event] = [*stored.list_as(Position), *stored.list_as(Event)]
        made = [r for r in records if harbour.id in r.source_ids]
        assert len(made) == 3
        assert all(r.anchor is not None and r.anchor.source_id == harbour.id for r in made)
        [position] = [r for r in made if isinstance(r, Position)]
        assert (position.actor_id, position.point_id) == ("hamas", "philadelphi-corridor")
        assert position.source_ids == [harbour.id, crescent.id]
        [second] = position.corroborations
        assert second.anchor is not None and second.anchor.source_id == crescent.id
        assert crescent.text[second.anchor.start : second.anchor.end] == second.quote
        assert "Hamas will not accept an Israeli military presence" in second.quote
        # The others stand on the first article alone; no record cites the second but
        # the one it corroborates.
        assert sorted(len(quoted(r)) for r in made) == [1, 1, 2]
        citing = [r.id for r in stored.citing(crescent.id)]
        assert citing == [position.id]
        assert quote_problems(stored) == []
        # One write, the last: undo would take back exactly it.
        last = stored.history(limit=1)[0]
        assert (last.record_id, last.before is not None) == (position.id, True)
        assert last.summary.startswith("added Crescent Press as another source of")
    # Three keys on the sentence: p, Enter to save, Enter to add it to the stored one.
    assert keys["corroboration"][-3:] == ["p", "enter", "enter"]


def setup_two(path: Path) -> tuple[Repository, Source, Source]:
    """The seed, both reports kept, and Hamas's stance from the first as a position."""
    repo = seeded_store(path)
    commands = Commands(repo)
    kept = []
    for text, outlet, title, day in (
        (HARBOUR, "Harbour Wire", "Hamas to stay away", "2024-08-14"),
        (CRESCENT, "Crescent Press", "No Israeli presence", "2024-08-15"),
    ):
        made = commands.capture(
            text, outlet=outlet, title=title, published=day, source_kind="wire"
        ).record
        assert isinstance(made, Source)
        kept.append(made)
    quote = "the group would not accept any Israeli troops in the Philadelphi Corridor"
    anchor = anchor_quote(kept[0], quote)
    assert anchor is not None
    commands.create(
        "position",
        {
            "point_id": "philadelphi-corridor",
            "actor_id": "hamas",
            "date": "2024-08-14",
            "firmness": "red line",
            "stance": "Hamas would not accept any Israeli troops in the Philadelphi Corridor.",
            "quote": quote,
            "anchor": anchor.model_dump(),
        },
        track_id=TRACK,
        cite=Citation([kept[0].id]),
    )
    return repo, kept[0], kept[1]


async def open_offer(
    app: Any, pilot: Pilot[None], repo: Repository, crescent: Source
) -> FormScreen:
    """The reader on the second report's sentence, p, Enter: the offer over the form."""
    where = crescent.text.index("Hamas will not accept")
    await app.push_screen(ReaderScreen(repo, app.commands, crescent.id, TRACK, at=where))
    await settle(pilot)
    await press(pilot, "p")
    form = app.screen
    assert isinstance(form, FormScreen)
    await press(pilot, "enter")
    assert isinstance(app.screen, CorroborationScreen)
    return form


@run_async
async def test_esc_goes_back_to_the_form_as_typed_and_n_saves_it_as_new(tmp_path: Path) -> None:
    path = tmp_path / "parley.json"
    repo, _, crescent = setup_two(path)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form = await open_offer(app, pilot, repo, crescent)
        typed = form.values()
        await press(pilot, "escape")
        assert app.screen is form
        assert form.values() == typed
        form.focus_field("gist")
        await press(pilot, "ctrl+a", *"no troops")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CorroborationScreen)
        await press(pilot, "n")
        assert isinstance(app.screen, ReaderScreen)
    repo.close()
    with open_store(path, clock=fixed_clock, read_only=True) as stored:
        positions = [p for p in stored.list_as(Position) if p.date.isoformat() == "2024-08-14"]
        assert len(positions) == 2
        new = next(p for p in positions if crescent.id in p.source_ids)
        assert new.gist == "no troops" and new.corroborations == []
        assert new.anchor is not None and new.anchor.source_id == crescent.id


@run_async
async def test_a_key_adds_it_and_undo_takes_back_that_one_change(tmp_path: Path) -> None:
    path = tmp_path / "parley.json"
    repo, harbour, crescent = setup_two(path)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_offer(app, pilot, repo, crescent)
        await press(pilot, "a")
        [position] = [p for p in repo.list_as(Position) if harbour.id in p.source_ids]
        assert position.source_ids == [harbour.id, crescent.id]
        # `o` and the details: one record, each source with the passage it backs.
        shown = " ".join(
            [
                sources_content(repo, position).plain,
                *(c.plain for c in passage_lines(repo, position)),
            ]
        )
        assert shown.count("Backs: stance:") == 2
        assert "In the article (Harbour Wire: Hamas to stay away)" in shown
        assert "Also reported (Crescent Press: No Israeli presence)" in shown
        assert "Hamas will not accept an Israeli military presence" in shown
        await press(pilot, "escape", "u")
        [position] = [p for p in repo.list_as(Position) if harbour.id in p.source_ids]
        assert position.source_ids == [harbour.id] and position.corroborations == []
    repo.close()


def test_the_full_form_offers_it_too(tmp_path: Path) -> None:
    """The full position form, saved with the second report as its source: the offer,
    whose one key adds the source and anchors its quote in the report's text."""
    repo, harbour, crescent = setup_two(tmp_path / "parley.json")
    forms = Forms(repo, Commands(repo), TRACK, fixed_clock().date())
    screen = forms.record_form("position")
    values = {
        "point_id": "philadelphi-corridor",
        "actor_id": "hamas",
        "date": "2024-08-15",
        "firmness": "red line",
        "stance": "Hamas will not accept an Israeli military presence in the Philadelphi Corridor.",
        "quote": "an Israeli military presence",
        "source_ids": [crescent.id],
    }
    try:
        screen.submit(values)
    except Corroborates as exc:
        offer = exc.offer
    else:
        raise AssertionError("no offer")
    assert offer.add_words == "add Crescent Press and its quote to it"
    assert offer.new_words == "save as a new position"
    outcome = offer.add()
    [position] = outcome.records
    assert isinstance(position, Position)
    [item] = position.corroborations
    assert item.anchor is not None
    assert crescent.text[item.anchor.start : item.anchor.end] == "an Israeli military presence"
    assert position.source_ids == [harbour.id, crescent.id]
    repo.close()


@sizes
def test_corroboration_offer_snapshot(
    snap_compare: Compare, size: tuple[int, int], tmp_path: Path
) -> None:
    """p and Enter on the second agency's report of a statement already recorded: the
    stored record named with its source, why it is taken for the same news, and one key
    to add this report to it."""
    repo, _, crescent = setup_two(tmp_path / "parley.json")

    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        app.theme = THEME
        await settle(pilot)
        await open_offer(app, pilot, repo, crescent)
        await settle(pilot)

    try:
        assert snap_compare(make_app(repo), terminal_size=size, run_before=run_before)
    finally:
        repo.close()
