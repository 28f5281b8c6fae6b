"""Undo stops at the edge of one's own work: this session's own changes are undone at
once, anything else (the seed, another author's) only once the person says yes; after
undoing and redoing the seed every view is as on a fresh start; notices stay short and
in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast
from tui_helpers import make_app, notices, press, run_async, run_cli, screen_text, settle

from store import Kind, Repository, open_store
from store.exchange.seed import seed_keys
from store.records.drafts import Citation
from tui.app import ParleyApp
from tui.dialogs.confirm import ConfirmScreen
from tui.screens.dashboard import DashboardScreen

VIEWS = "1234567"


async def view_texts(app: ParleyApp, pilot: object) -> dict[str, str]:
    """What each view shows, its header line left out (it names the track in view)."""
    shown = {}
    for key in VIEWS:
        await press(pilot, key)  # type: ignore[arg-type]
        shown[key] = "\n".join(screen_text(app).splitlines()[1:-1])
    await press(pilot, "1")  # type: ignore[arg-type]
    return shown


def toast_heights(app: ParleyApp) -> list[int]:
    """How many lines each notice on screen takes, its padding left out."""
    return [toast.size.height - 2 for toast in app.screen.query(Toast)]


async def add_event(app: ParleyApp, pilot: object, title: str) -> None:
    """An event written in this session, by its author, through the app's commands."""
    values = {"title": title, "date": "2024-08-22", "event_kind": "diplomatic", "text": "Said."}
    app.commands.create("event", values, track_id=app.track_id, cite=Citation(unsourced=True))
    await settle(pilot)  # type: ignore[arg-type]


@run_async
async def test_own_changes_undo_at_once_and_the_seed_only_when_asked(
    seeded: Repository, store_path: Path
) -> None:
    app = make_app(seeded)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        fresh = await view_texts(app, pilot)
        await add_event(app, pilot, "Mediators meet in Cairo")
        await add_event(app, pilot, "Talks adjourn for a week")
        assert "Mediators meet in Cairo" in str(seeded.history(limit=3))
        # Both events are this session's own: no question.
        await press(pilot, "u")
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "u")
        assert isinstance(app.screen, DashboardScreen)
        assert not any("Cairo" in e.title for e in seeded.events(app.track_id))
        # The next step is the seed: it asks, in words, and n keeps it.
        await press(pilot, "u")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Undo the seed: 54 records" in screen_text(app)
        await press(pilot, "n")
        assert isinstance(app.screen, DashboardScreen)
        assert seeded.count() == len(seed_keys())
        # Yes: the seed goes, and nothing of its track stays on show.
        await press(pilot, "u", "y")
        assert seeded.tracks() == [] and app.track_id == ""
        for key in VIEWS:
            await press(pilot, key)
            assert "Hamas" not in screen_text(app), key
        # Redone, every view shows what a fresh start showed.
        await press(pilot, "U")
        assert await view_texts(app, pilot) == fresh
        said = [n.message for n in notices(app)]
        assert any(m.startswith("Undid: the seed: 54 records") for m in said), said
    with open_store(store_path) as reopened:
        assert reopened.count() == len(seed_keys())


@run_async
async def test_notices_are_short_and_name_no_ids(seeded: Repository) -> None:
    """Every notice of an undo, a redo and a save fits in three lines at 80 columns and
    names records by their names, never their ids."""
    app = make_app(seeded)
    app.animation_level = "none"
    ids = {record_id for _, record_id in seed_keys() if "-" in record_id}
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await add_event(app, pilot, "Mediators meet in Cairo")
        heights = toast_heights(app)
        for keys in (("u",), ("U",), ("u",), ("u", "y"), ("U",), ("u", "n")):
            await press(pilot, *keys)
            heights += toast_heights(app)
        said = [n.message for n in notices(app)]
        assert len(said) >= 6, said
        assert heights and max(heights) <= 3, (heights, said)
        for message in said:
            assert "\n" not in message
            assert not [i for i in ids if i in message], message


def test_seeding_again_after_the_seed_was_undone(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """parley seed; parley undo; parley add actor …; parley redo (nothing: a write came
    between); parley seed puts the seed back."""
    db = ["--db", str(store_path)]
    assert run_cli([*db, "seed"], capsys)[0] == 0
    assert run_cli([*db, "undo"], capsys)[0] == 0
    code, _, err = run_cli(
        [*db, "add", "actor", "--name", "Norway", "--actor-kind", "state"], capsys
    )
    assert code == 0, err
    code, _, err = run_cli([*db, "redo"], capsys)
    assert code == 1 and "nothing to redo" in err
    code, out, err = run_cli([*db, "seed"], capsys)
    assert code == 0, err
    assert "seed was undone" in out
    with open_store(store_path) as repo:
        assert repo.count() == len(seed_keys()) + 1
        assert repo.exists(Kind.ACTOR, "norway")
        assert repo.tracks()
