"""SVG snapshots of the screens that update the store: every form with a validation
error on show, the delete confirmation, a form saved over another writer's change,
the history of an edited record, and the overview as it stood on an earlier date.

Regenerate with ``pytest tests/test_update_snapshots.py --snapshot-update`` and look at
what changed (``snapshot_report.html`` shows the differences) before committing.
"""

from __future__ import annotations

import pytest
from conftest import fixed_clock
from textual.pilot import Pilot
from tui_helpers import THEME, Compare, make_app, one_size, press, settle, shoot, sizes

from store import RECORD_TYPES, Repository, Round, open_store
from store.records.commands import Commands

# The "Add a record" list: one line a kind.
KINDS = len(RECORD_TYPES)


def add(n: int) -> tuple[str, ...]:
    """`+`, then the n-th kind of the list, reached from whichever end is nearer."""
    if n < KINDS - 1 - n:
        return ("plus", "home", *["down"] * n, "enter")
    return ("plus", "end", *["up"] * (KINDS - 1 - n), "enter")


# How each form is reached from the dashboard, and what is typed before ctrl+s so
# that it shows a validation error. Most forms are simply saved empty.
FORMS: dict[str, tuple[str, ...]] = {
    "round": ("2", "R"),
    "point": ("3", *add(5)),
    "position": ("3", "P"),
    "proposal": ("6", *add(7)),
    "event": ("6", "N"),
    "source": ("7", *add(3)),
    "actor": ("5", *add(1)),
    "person": ("5", *add(2)),
    "track": add(0),
    "assessment": add(9),
    "status": ("3", "S"),
    "response": ("A",),
    "as-of": ("t", "end", "ctrl+u", *"16 August"),
}


@one_size
@pytest.mark.parametrize("form", list(FORMS))
def test_form_with_error(
    snap_compare: Compare, seeded: Repository, form: str, size: tuple[int, int]
) -> None:
    """The form, saved with ctrl+s while empty or invalid: the reason shows beside the field
    at fault. Position, event, status and response forms check sources first, so theirs
    is that a source is needed, shown under Sources."""
    assert shoot(snap_compare, seeded, size, *FORMS[form], "ctrl+s")


@one_size
def test_delete_confirmation(
    snap_compare: Compare, seeded: Repository, size: tuple[int, int]
) -> None:
    """`d` on the Doha round (first row of Rounds, referred to by nothing): asks first."""
    assert shoot(snap_compare, seeded, size, "2", "d")


@one_size
def test_conflict_after_another_writers_edit(
    snap_compare: Compare, seeded: Repository, size: tuple[int, int]
) -> None:
    """`e` on the Doha round, amal renames it from another process, ctrl+s: who changed
    it and when, their change field by field, and the three ways on."""

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.theme = THEME
        await settle(pilot)
        await press(pilot, "2", "e", "tab", *"2024-08-14")
        with open_store(seeded.path, clock=fixed_clock, author="amal") as other:
            Commands(other).edit("round", "doha-round-2024-08", {"title": "Doha summit"})
        await press(pilot, "ctrl+s")

    assert snap_compare(make_app(seeded), terminal_size=size, run_before=run_before)


@one_size
def test_history_after_an_edit(
    snap_compare: Compare, seeded: Repository, size: tuple[int, int]
) -> None:
    """`h` on the Doha round after its title was changed: two changes, the edit's before
    and after on the right."""
    doha = seeded.get_as(Round, "doha-round-2024-08")
    seeded.update(doha.model_copy(update={"title": "Doha talks, 15-16 August 2024"}))
    assert shoot(snap_compare, seeded, size, "2", "h")


@sizes
def test_overview_as_of(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """`t`, 2024-08-16, ctrl+s: the overview as it stood then (the Doha round the latest,
    concluded; no position stated; no proposal yet); the header, highlighted, leads with
    "as of 2024-08-16" (at 80 columns the track title after it is cut short)."""
    assert shoot(snap_compare, seeded, size, "t", "end", "ctrl+u", *"2024-08-16", "ctrl+s")
