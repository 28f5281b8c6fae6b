"""Two windows on one store, driven with the keyboard: a form saved over the other's change
shows it and asks before writing; each change shows who made it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import fixed_clock
from test_updates import cursor_to, fill, form, keys, reopened, save, shown_errors, wait_until
from textual.widgets import TextArea
from tui_helpers import make_app, notices, run_async, screen_text, settle

from store import Round, open_store
from store.exchange.seed import seed
from store.records.commands import Commands
from tui.dialogs.conflict import ConflictScreen
from tui.dialogs.history import HistoryScreen
from tui.widgets.record_table import RecordTable

DOHA = "doha-round-2024-08"


def store_files(path: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(path.parent.glob(path.name + "*"))
        if not p.name.endswith(".lock")
    }


@run_async
async def test_a_form_saved_over_another_windows_edit_asks_then_reapplies(
    store_path: Path,
) -> None:
    """Bea's form on the Doha round is saved after amal renamed it in another window:
    bea sees amal's change, nothing is written; back in the form her text is still
    there; reapplying writes her outcome on top of amal's title."""
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
        original = repo.get_as(Round, DOHA)
    amal = make_app(open_store(store_path, clock=fixed_clock, author="amal"), poll=True)
    bea = make_app(open_store(store_path, clock=fixed_clock, author="bea"), poll=True)
    for app in (amal, bea):
        app.animation_level = "none"
    async with amal.run_test(size=(120, 40)) as ap, bea.run_test(size=(120, 40)) as bp:
        await settle(ap)
        await settle(bp)
        await cursor_to(bp, "rounds", DOHA)
        await keys(bp, "e")
        bea_form = form(bea)
        await fill(bp, "outcome", "Bea's account of the outcome.")

        await cursor_to(ap, "rounds", DOHA)
        await keys(ap, "e")
        await fill(ap, "title", "Doha summit")
        seen = bea.version
        await save(ap)
        # Bea's window takes amal's write in through its poll.
        await wait_until(bp, lambda: bea.version > seen, seconds=10)
        await settle(bp)
        # Her form says so at once, before she saves.
        assert shown_errors(bea_form)[""] == (
            "Changed by amal at 12:00 on 21 Aug 2024 while you were editing; "
            "ctrl+s shows the change and asks what to do."
        )
        before = store_files(store_path)

        await keys(bp, "ctrl+s")
        assert isinstance(bea.screen, ConflictScreen)
        text = " ".join(screen_text(bea).split())
        assert "changed by amal at 12:00 on 21 Aug 2024" in text
        assert "Doha summit" in text  # amal's change, field by field
        assert store_files(store_path) == before

        # Back to the form: the edit is still in it, with the refusal above it.
        await keys(bp, "escape")
        assert bea.screen is bea_form
        assert bea_form.query_one("#field-outcome", TextArea).text == (
            "Bea's account of the outcome."
        )
        assert "changed by amal" in shown_errors(bea_form)[""]
        assert store_files(store_path) == before

        await keys(bp, "ctrl+s")
        assert isinstance(bea.screen, ConflictScreen)
        await keys(bp, "r")
        assert bea.screen is not bea_form and not isinstance(bea.screen, ConflictScreen)
    with reopened(store_path) as fresh:
        doha = fresh.get_as(Round, DOHA)
        assert doha.title == "Doha summit"  # amal's, kept
        assert doha.outcome == "Bea's account of the outcome."  # bea's, on top
        assert doha.venues == original.venues
        assert [c.author for c in fresh.history("round", DOHA, limit=2)] == ["bea", "amal"]


@run_async
async def test_discarding_a_conflicting_edit_writes_nothing(store_path: Path) -> None:
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
    bea_repo = open_store(store_path, clock=fixed_clock, author="bea")
    bea = make_app(bea_repo, poll=False)
    bea.animation_level = "none"
    async with bea.run_test(size=(120, 40)) as bp:
        await settle(bp)
        await cursor_to(bp, "rounds", DOHA)
        await keys(bp, "e")
        await fill(bp, "outcome", "Bea's account of the outcome.")
        # Written meanwhile from another process; this window has not polled.
        with open_store(store_path, clock=fixed_clock, author="amal") as other:
            Commands(other).edit("round", DOHA, {"title": "Doha summit"})
        before = store_files(store_path)
        await keys(bp, "ctrl+s")
        assert isinstance(bea.screen, ConflictScreen)
        await keys(bp, "d")
        assert "Your edit was discarded; nothing was saved." in [n.message for n in notices(bea)]
        assert store_files(store_path) == before
    with reopened(store_path) as fresh:
        doha = fresh.get_as(Round, DOHA)
        assert (doha.title, doha.outcome) != ("Doha summit", "Bea's account of the outcome.")
        assert doha.title == "Doha summit"


@run_async
async def test_each_change_shows_its_author_in_history_and_the_brief(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change from the command line as amal, one from the dashboard as bea: `H`,
    `parley history` and the brief's "recorded since" name each."""
    from tui_helpers import run_cli

    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
    monkeypatch.setenv("PARLEY_USER", "amal")
    db = ["--db", str(store_path)]
    assert (
        run_cli([*db, "edit", "point", "philadelphi-corridor", "--priority", "low"], capsys)[0] == 0
    )
    monkeypatch.setenv("PARLEY_USER", "bea")
    app = make_app(open_store(store_path, clock=fixed_clock))
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, "rounds", DOHA)
        await keys(pilot, "e")
        await fill(pilot, "title", "Doha summit")
        await save(pilot)
        await keys(pilot, "H")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(RecordTable)
        assert [row.cells[1] for row in table.rows[:3]] == ["bea", "amal", "desk"]
        text = screen_text(app)
        assert re.search(r"21 Aug 2024 12:00 +bea +Edited round Doha sum", text)
        assert re.search(r"\d\d:\d\d +amal +Edited sticking point", text)
    monkeypatch.setenv("PARLEY_USER", "someone-else")
    code, out, _ = run_cli([*db, "history", "--limit", "2"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "  bea  round doha-round-2024-08  " in lines[0]
    assert "  amal  point philadelphi-corridor  " in lines[1]
    code, out, _ = run_cli([*db, "brief", "--since", "2024-08-21"], capsys)
    assert code == 0
    recorded = out[out.index("Recorded in the store since") :]
    assert "by bea" in recorded and "by amal" in recorded


@run_async
async def test_a_delete_confirmed_after_another_writers_edit_is_refused(
    store_path: Path,
) -> None:
    """`d` on the Doha round; amal edits it from another process while the question is
    open; `y` then deletes nothing and says who changed it."""
    with open_store(store_path, clock=fixed_clock) as repo:
        seed(repo)
    app = make_app(open_store(store_path, clock=fixed_clock, author="bea"))
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, "rounds", DOHA)
        await keys(pilot, "d")
        with open_store(store_path, clock=fixed_clock, author="amal") as other:
            Commands(other).edit("round", DOHA, {"title": "Doha summit"})
        before = store_files(store_path)
        await keys(pilot, "y")
        message = notices(app)[-1]
        assert message.severity == "error"
        assert "was changed by amal at 12:00 on 21 Aug 2024" in message.message
        assert message.message.endswith("; nothing was deleted")
        assert store_files(store_path) == before
    with reopened(store_path) as fresh:
        assert fresh.get_as(Round, DOHA).title == "Doha summit"
