"""What a person reads about a write is in words: confirmations, undo and redo notices,
change summaries and the history name records by their names and days as "25 Aug 2024",
never by slugs, field names or Python reprs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from test_updates import (
    SOURCE,
    TODAY,
    choose,
    cursor_to,
    fill,
    keys,
    notice_text,
    pick,
    reopened,
    running,
    save,
)
from tui_helpers import notices, run_async, screen_text

from store import RECORD_TYPES, Change, Repository, open_store
from store.reading.change_words import change_summary, fields_said
from store.reading.words import long_day
from store.records.commands import Commands
from store.records.drafts import Citation, NewSource, Outcome
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.history import HistoryScreen, change_detail, change_words
from tui.format import saved_notice
from tui.widgets.record_table import RecordTable
from tui.widgets.text_block import TextBlock

TRACK = "gaza-ceasefire-hostage-talks"
POINT = "philadelphi-corridor"
PROPOSAL = "us-bridging-proposal-2024-08"


# -- the check ---------------------------------------------------------------------


def named_slugs(repo: Repository) -> list[str]:
    """The hyphenated ids of every record that has a name of its own."""
    found = []
    for kind in ("track", "actor", "person", "source", "round", "point", "proposal", "event"):
        found += [r.id for r in repo.list(kind) if "-" in r.id and r.label != r.id]
    found += [r.id for r in repo.list("position")] + [r.id for r in repo.list("assessment")]
    return found


REPR = [
    (re.compile(r"[\[\]{}]"), "a bracket or a brace"),
    (re.compile(r"(^|[\s{(,\[])'[^'\n]*':"), "a quoted key"),
    (re.compile(r"\b(None|True|False)\b"), "None, True or False"),
    (re.compile(r"\w_ids?\b"), "a field's name"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date"),
]


def assert_in_words(texts: Iterable[str], slugs: list[str]) -> None:
    for text in texts:
        assert text.strip(), "an empty message"
        for pattern, what in REPR:
            found = pattern.search(text)
            assert found is None, f"{what} ({found.group()!r}) in {text!r}"
        for slug in slugs:
            assert not re.search(rf"(?<![\w-]){re.escape(slug)}(?![\w-])", text), (
                f"the id {slug!r} in {text!r}"
            )


def history_texts(repo: Repository, changes: Iterable[Change], *, stored: bool = True) -> list[str]:
    """Every line the history shows of these changes: the row, and the detail pane; and
    with ``stored`` the summary the change was stored with (`parley history`, the brief)."""
    texts = []
    for change in changes:
        if stored:
            texts.append(change.summary)
        texts.append(change_words(repo, change))
        texts += [t for t in str(change_detail(repo, change)).splitlines() if t.strip()]
    return texts


def test_the_check_catches_slugs_and_reprs() -> None:
    slugs = ["philadelphi-corridor"]
    for bad in (
        "added position 'hamas on philadelphi-corridor, 2024-08-21'",
        "before [{'date': '2024-08-21', 'status': 'open'}]",
        "source_ids: xinhua",
        "unsourced: False",
        "point philadelphi-corridor",
    ):
        with pytest.raises(AssertionError):
            assert_in_words([bad], slugs)
    assert_in_words(["Saved Hamas's position on Philadelphi Corridor, 25 Aug 2024"], slugs)


# -- every kind of write, in words ------------------------------------------------------


def written(outcome: Outcome) -> list[Change]:
    assert outcome.changed
    return list(outcome.changes)


@pytest.fixture
def commands(seeded: Repository) -> Commands:
    return Commands(seeded)


def test_a_save_of_each_kind_is_confirmed_in_words(seeded: Repository, commands: Commands) -> None:
    """The confirmation `_saved` shows for a new record of each kind, and its history."""
    cite = Citation(source_ids=[SOURCE])
    made = [
        commands.create("track", {"title": "Lebanon border talks"}),
        commands.create("actor", {"name": "Jordan", "actor_kind": "state", "aliases": ["HKJ"]}),
        commands.create("person", {"name": "A. Envoy", "title": "Envoy", "actor_id": "qatar"}),
        commands.create(
            "source",
            {
                "outlet": "Reuters",
                "title": "Talks resume",
                "published": "2024-08-25",
                "source_kind": "wire",
            },
        ),
        commands.create(
            "round",
            {
                "title": "Cairo talks",
                "start": "2024-08-24",
                "end": "2024-08-25",
                "venues": ["Cairo"],
                "mediator_ids": ["egypt", "qatar"],
                "format": "proximity",
                "status": "scheduled",
            },
            track_id=TRACK,
            cite=cite,
        ),
        commands.create(
            "point",
            {"title": "Rafah crossing", "status": "open", "raised": "2024-08-25"},
            track_id=TRACK,
            cite=cite,
        ),
        commands.record_position(
            TRACK,
            point_id=POINT,
            actor_id="hamas",
            on="2024-08-25",
            firmness="red line",
            stance="No troops in the corridor.",
            speaker_id="ismail-haniyeh",
            cite=Citation(
                new_source=NewSource("Wire", "Hamas restates terms", "2024-08-25", "wire")
            ),
        ),
        commands.create(
            "proposal",
            {
                "title": "Egyptian corridor plan",
                "date": "2024-08-25",
                "by_ids": ["egypt"],
                "point_ids": [POINT],
            },
            track_id=TRACK,
            cite=cite,
        ),
        commands.create(
            "event",
            {
                "title": "Talks resume in Cairo",
                "date": "2024-08-25",
                "event_kind": "diplomatic",
                "text": "Delegations arrive.",
                "actor_ids": ["egypt"],
            },
            track_id=TRACK,
            cite=cite,
        ),
        commands.create(
            "assessment",
            {"analyst": "B. Writer", "date": "2024-08-25", "gist": "Little will move."},
            track_id=TRACK,
            cite=cite,
        ),
    ]
    notices = [saved_notice(seeded, o.record) for o in made if o.record is not None]
    assert notices == [
        "Saved track Lebanon border talks",
        "Saved actor Jordan",
        "Saved person A. Envoy",
        "Saved source Reuters: Talks resume",
        "Saved round Cairo talks",
        "Saved sticking point Rafah crossing",
        "Saved Hamas's position on Philadelphi Corridor: Israeli troops staying "
        '"the day after", 25 Aug 2024',
        "Saved proposal Egyptian corridor plan",
        "Saved event Talks resume in Cairo, 25 Aug 2024",
        "Saved B. Writer's assessment, 25 Aug 2024",
    ]
    changes = [c for o in made for c in written(o)]
    assert_in_words(notices + history_texts(seeded, changes), named_slugs(seeded))


def test_an_edit_a_status_and_a_response_in_words(seeded: Repository, commands: Commands) -> None:
    edit = commands.edit(
        "round",
        "doha-round-2024-08",
        {"title": "Doha summit", "venues": ["Doha", "Cairo"], "mediator_ids": ["qatar"]},
    )
    status = commands.set_status(
        "point",
        POINT,
        "narrowing",
        "2024-08-25",
        note="a monitored withdrawal",
        cite=Citation(new_source=NewSource("Reuters", "Talks resume", "2024-08-25", "wire")),
    )
    response = commands.record_response(
        PROPOSAL, "hamas", "accepted with conditions", "2024-08-26", cite=Citation([SOURCE])
    )
    participants = seeded.get("track", TRACK).model_dump(mode="json")["participants"]
    track = commands.edit(
        "track",
        TRACK,
        {"participants": [p for p in participants if p["actor_id"] != "hezbollah"]},
    )
    notices = [saved_notice(seeded, o.record) for o in (edit, status, response, track) if o.record]
    point = seeded.get("point", POINT).label
    assert notices == [
        "Saved round Doha summit",
        f"{point} is now narrowing, as of 25 Aug 2024",
        "Recorded Hamas's response to US bridging proposal, August 2024: "
        "accepted with conditions, 26 Aug 2024",
        "Saved track Gaza ceasefire and hostage-release talks",
    ]
    summaries = [c.summary for c in seeded.history(limit=5)]
    assert summaries == [
        "edited track Gaza ceasefire and hostage-release talks (participants)",
        "recorded Hamas's response to US bridging proposal, August 2024: "
        "accepted with conditions, 26 Aug 2024",
        f"set the status of {point} to narrowing, as of 25 Aug 2024",
        "added source Reuters: Talks resume",
        "edited round Doha summit (title, venues, mediators)",
    ]
    said = {
        c.record_kind: [
            (s.field, s.text) for s in fields_said(seeded, c.record_kind, c.before, c.after)
        ]
        for c in seeded.history(limit=5)
    }
    assert said["point"] == [
        ("status", "open → narrowing"),
        (
            "status log",
            "+ narrowing as of 25 Aug 2024, citing Reuters: Talks resume (a monitored withdrawal)",
        ),
    ]
    assert said["proposal"] == [
        (
            "responses",
            "Hamas: pending → accepted with conditions, 26 Aug 2024, citing "
            + seeded.get("source", SOURCE).label,
        )
    ]
    assert said["round"][1:] == [
        ("venues", "+ Doha; + Cairo; − Doha, Qatar"),
        ("mediators", "− United States; − Egypt"),
    ]
    assert said["track"] == [("participants", "− Hezbollah (observer)")]
    changes = [c for o in (edit, status, response, track) for c in written(o)]
    assert_in_words(notices + history_texts(seeded, changes), named_slugs(seeded))


def test_delete_undo_and_redo_in_words(seeded: Repository, commands: Commands) -> None:
    added = commands.record_position(
        TRACK,
        point_id=POINT,
        actor_id="israel",
        on="2024-08-25",
        firmness="demand",
        stance="Troops stay.",
        cite=Citation(new_source=NewSource("Wire", "Israel restates terms", "2024-08-25", "wire")),
    )
    slugs = named_slugs(seeded)
    assert added.record is not None
    deleted = commands.delete("position", added.record.id)
    undone = commands.undo()
    redone = commands.redo()
    undone_all = [commands.undo(), commands.undo()]
    redone_all = commands.redo()
    point = seeded.get("point", POINT).label
    what = f"Israel's position on {point}, 25 Aug 2024"
    assert [c.summary for c in deleted.changes] == [f"deleted {what}"]
    assert [c.summary for c in undone.changes] == [f"undid: deleted {what}"]
    assert [c.summary for c in redone.changes] == [f"redid: deleted {what}"]
    assert [c.summary for c in undone_all[1].changes] == [
        f"undid: added {what}",
        "undid: added source Wire: Israel restates terms",
    ]
    assert [change_summary(seeded, c, prefix=False) for c in redone_all.changes] == [
        "added source Wire: Israel restates terms",
        f"added {what}",
    ]
    changes = [c for o in (deleted, undone, redone, *undone_all, redone_all) for c in written(o)]
    assert_in_words(history_texts(seeded, changes), slugs)


def test_summaries_an_older_version_wrote_read_in_words(tmp_path: Path) -> None:
    """A store whose summaries an older version wrote with ids and reprs: the history
    reads its changes again, in words."""
    with open_store(tmp_path / "seeded.json") as seeded:
        from store.exchange.seed import seed

        seed(seeded)
        records = [r for k in RECORD_TYPES for r in seeded.list(k)]
    at = datetime(2024, 8, 21, tzinfo=UTC)
    old = [
        Change(
            seq=n,
            at=at,
            action="add",
            record_kind=r.kind,
            record_id=r.id,
            after=r.model_dump(mode="json"),
            summary=f"added {r.kind} {r.label!r}",
        )
        for n, r in enumerate(records, start=1)
    ]
    with open_store(tmp_path / "old.json") as repo:
        repo.restore(records, old)
        changes = repo.history()
        assert any("'hamas on philadelphi-corridor" in c.summary for c in changes)
        rows = [change_words(repo, c) for c in changes]
        assert all(row.startswith("Added ") for row in rows)
        assert any("Hamas's position on Philadelphi Corridor" in row for row in rows)
        assert_in_words(history_texts(repo, changes, stored=False), named_slugs(repo))


def test_a_deleted_records_id_is_what_is_left_to_name_it(
    seeded: Repository, commands: Commands
) -> None:
    commands.create("actor", {"name": "Jordan", "actor_kind": "state"})
    added = commands.create(
        "position",
        {
            "point_id": POINT,
            "actor_id": "jordan",
            "date": "2024-08-25",
            "firmness": "flexible",
            "stance": "Open to monitors.",
        },
        track_id=TRACK,
        cite=Citation(unsourced=True),
    )
    assert added.record is not None
    commands.delete("position", added.record.id)
    commands.delete("actor", "jordan")
    [position_added] = [c for c in seeded.history("position", added.record.id) if c.before is None]
    # Jordan is gone: its id stands in for its name; everything else is in words.
    assert change_words(seeded, position_added).startswith("Added jordan's position on ")
    assert long_day(date(2024, 8, 5)) == "5 Aug 2024"


# -- on screen ----------------------------------------------------------------------


@run_async
async def test_the_dashboard_says_it_in_words(seeded: Repository, store_path: Path) -> None:
    """Through the keys: a status, a response, a delete, an undo and a redo, each said in
    words; then the history, every row and the highlighted change's fields."""
    point = seeded.get("point", POINT).label
    slugs = named_slugs(seeded)
    day = long_day(TODAY)
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "points", POINT)
        await keys(pilot, "S")
        await choose(pilot, "status", "narrowing")
        await fill(pilot, "note", "Mediators float a monitored withdrawal")
        await pick(pilot, "source_ids", "xinhua", SOURCE)
        await save(pilot)
        assert f"{point} is now narrowing, as of {day}" in notice_text(app)

        await keys(pilot, "6", "A")
        await choose(pilot, "status", "rejected")
        await pick(pilot, "source_ids", "xinhua", SOURCE)
        await save(pilot)
        assert (
            f"Recorded Hamas's response to US bridging proposal, August 2024: rejected, {day}"
            in notice_text(app)
        )

        await cursor_to(pilot, "actors", "person:baris-doster")
        await keys(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        confirm = screen_text(app)
        assert "Delete this person?" in confirm
        assert "Delete person Baris Doster? u undoes it." in confirm
        await keys(pilot, "y")
        assert "Deleted person Baris Doster. u undoes it." in notice_text(app)
        await keys(pilot, "u")
        assert "Undid: deleted person Baris Doster" in notice_text(app)
        await keys(pilot, "U")
        assert "Redid: deleted person Baris Doster" in notice_text(app)
        await keys(pilot, "u", "u")
        assert (
            "Undid: recorded Hamas's response to US bridging proposal, August 2024: "
            f"rejected, {day}" in notice_text(app)
        )
        assert_in_words([n.message for n in notices(app)], slugs)

        await keys(pilot, "H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        rows = [row.cells[-1] for row in history.query_one(RecordTable).rows]
        assert rows[:5] == [
            "Undid: recorded Hamas's response to US bridging proposal, August 2024: "
            f"rejected, {day}",
            "Undid: deleted person Baris Doster",
            "Redid: deleted person Baris Doster",
            "Undid: deleted person Baris Doster",
            "Deleted person Baris Doster",
        ]
        detail = str(history.query_one("#change-detail", TextBlock).content)
        assert "responses: Hamas: rejected → pending" in detail
        assert_in_words(rows + [t for t in detail.splitlines() if t.strip()], slugs)
    with reopened(store_path) as fresh:
        assert_in_words(history_texts(fresh, fresh.history(limit=12)), slugs)


@run_async
async def test_help_names_places_as_seen_and_each_key_once(seeded: Repository) -> None:
    """`?` on a list: the places are words (no widget class names), and no key is listed
    on two rows of one place (the list's own keys are not listed again as the generic
    moves)."""
    async with running(seeded) as (app, pilot):
        await cursor_to(pilot, "rounds", "doha-round-2024-08")
        await keys(pilot, "question_mark")
        rows = [row.cells for row in app.screen.query_one(RecordTable).rows]
    places = {str(where) for _, _, where in rows}
    assert "lists" in places and "Dashboard" in places and "everywhere" in places
    assert not [p for p in places if re.search(r"[a-z][A-Z]", p)], places
    listed = [(str(where), k) for key, _, where in rows for k in re.split(r" / |, ", str(key))]
    assert len(listed) == len(set(listed)), sorted(k for k in listed if listed.count(k) > 1)
    assert "↓ / j" in [str(key) for key, _, _ in rows]
