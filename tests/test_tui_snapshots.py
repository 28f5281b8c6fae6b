"""SVG snapshots of every view and dialog, on the seed data, at a small and a large terminal.

Regenerate with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at
what changed (``snapshot_report.html`` shows the differences) before committing.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from tui_helpers import Compare, make_app, shoot, sizes, snapshot_keys, three_sizes

from store import Repository

VIEW_KEYS = {
    "overview": "1",
    "rounds": "2",
    "points": "3",
    "positions": "4",
    "actors": "5",
    "timeline": "6",
    "sources": "7",
}


@pytest.mark.parametrize("view", ["overview", "rounds", "timeline"])
def test_view_on_a_wide_screen(snap_compare: Compare, seeded: Repository, view: str) -> None:
    """At 200x50 the columns take the free width: no cell is cut that fits in it."""
    assert shoot(snap_compare, seeded, (200, 50), VIEW_KEYS[view])


@sizes
@pytest.mark.parametrize("view", list(VIEW_KEYS))
def test_view(snap_compare: Compare, seeded: Repository, view: str, size: tuple[int, int]) -> None:
    """Each of the seven views, reached by its number key, on the seed track."""
    assert shoot(snap_compare, seeded, size, VIEW_KEYS[view])


@sizes
def test_help(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """`?` over the dashboard: every binding that works there, and the list moves."""
    assert shoot(snap_compare, seeded, size, "question_mark")


def test_sorted_table(snap_compare: Compare, seeded: Repository) -> None:
    """Actors, `>` three times: by name, by name the other way, then by kind (▲)."""
    assert shoot(snap_compare, seeded, (80, 24), "5", *["greater_than_sign"] * 3)


def test_help_filtered(snap_compare: Compare, seeded: Repository) -> None:
    """`?` then "form": the keys that open a full form, then a form's own keys."""
    assert shoot(snap_compare, seeded, (80, 24), "question_mark", *"form")


@sizes
def test_track_picker(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """`T`: the desk, the seed's one track on it, highlighted."""
    assert shoot(snap_compare, seeded, size, "T")


@three_sizes
def test_desk(snap_compare: Compare, three_tracks: Repository, size: tuple[int, int]) -> None:
    """Three tracks: Parley opens on the desk, a line a track with its trend and why."""
    assert shoot(snap_compare, three_tracks, size)


@three_sizes
def test_overview_since(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """PgDn on the Overview scrolls the page to the Since section: the week up to the
    latest news, newest first, each change with its footnote."""
    assert shoot(snap_compare, seeded, size, "pagedown")


@sizes
def test_round_detail(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """Enter on the first row of Rounds: the Doha round's full detail in a dialog."""
    assert shoot(snap_compare, seeded, size, "2", "enter")


@sizes
def test_position_history(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """Enter on the gap board's Israel cell of the first point: Israel's positions on it."""
    assert shoot(snap_compare, seeded, size, "right", "right", "enter")


@sizes
def test_record_sources(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """`o` on the gap board's Hamas cell: where that position comes from."""
    assert shoot(snap_compare, seeded, size, "right", "right", "right", "o")


@sizes
def test_filter(snap_compare: Compare, seeded: Repository, size: tuple[int, int]) -> None:
    """`/` on the Timeline, "blinken" typed: only the entries that mention him remain."""
    assert shoot(snap_compare, seeded, size, "6", "slash", *"blinken")


def test_palette_with_actions(snap_compare: Compare, seeded: Repository) -> None:
    """ctrl+p "undo": the keys whose action says it (Undo, with its key) beside the records."""

    async def run_before(pilot: Pilot[None]) -> None:
        await snapshot_keys("ctrl+p", *"undo")(pilot)
        await pilot.pause(0.3)
        await snapshot_keys()(pilot)

    assert snap_compare(make_app(seeded), terminal_size=(80, 24), run_before=run_before)


@three_sizes
def test_round_detail_with_people(
    snap_compare: Compare, three_tracks: Repository, size: tuple[int, int]
) -> None:
    """From the desk into Gaza, Rounds, the US tour: the people who took part, each
    with the actor they speak for."""
    assert shoot(snap_compare, three_tracks, size, "enter", "2", "down", "enter")
