"""Snapshots of what capture and the reader propose, at both terminal sizes: the
capture's confirm form, a position form offering a new person as its speaker, and the
reader on a page with a caption."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from tui_helpers import THEME, Compare, make_app, seeded_store, settle, sizes

from store import Source
from store.records.commands import Commands
from tui.screens.reader import ReaderScreen

CORPUS = Path(__file__).parent / "articles" / "reader"
WIRE = (CORPUS / "01-cairo-wire.txt").read_text(encoding="utf-8")


@sizes
def test_capture_confirm_snapshot(
    snap_compare: Compare, size: tuple[int, int], tmp_path: Path
) -> None:
    """A wire story pasted with c: outlet, title, date and kind proposed, shown to confirm."""
    repo = seeded_store(tmp_path / "parley.json")

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.theme = THEME
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        pilot.app.post_message(events.Paste(WIRE))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)

    try:
        assert snap_compare(make_app(repo), terminal_size=size, run_before=run_before)
    finally:
        repo.close()


def shoot_reader(
    snap_compare: Compare,
    size: tuple[int, int],
    path: Path,
    page: str,
    at: str,
    *keys: str,
    **fields: str,
) -> bool:
    """``page`` captured with ``fields`` into a seeded store at ``path``, the reader opened
    on it at the sentence holding ``at``, ``keys`` pressed: compared with its snapshot."""
    repo: Any = seeded_store(path)
    source = Commands(repo).capture(page, **fields).record
    assert isinstance(source, Source)

    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        app.theme = THEME
        await settle(pilot)
        offset = source.text.index(at)
        await app.push_screen(ReaderScreen(repo, app.commands, source.id, app.track_id, at=offset))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    try:
        return bool(snap_compare(make_app(repo), terminal_size=size, run_before=run_before))
    finally:
        repo.close()


@sizes
def test_new_person_offer_snapshot(
    snap_compare: Compare, size: tuple[int, int], tmp_path: Path
) -> None:
    """p on the sentence naming "senior Hamas official Izzat al-Rishq", who is not in the
    store: the form offers him as a new person, the rest proposed from the sentence."""
    assert shoot_reader(
        snap_compare,
        size,
        tmp_path / "parley.json",
        WIRE,
        "Senior Hamas official",
        "p",
        outlet="Meridian News",
        title="Hamas team leaves Cairo talks with corridor still unresolved",
        published="2024-08-25",
        source_kind="wire",
    )


@sizes
def test_reader_captions_snapshot(
    snap_compare: Compare, size: tuple[int, int], tmp_path: Path
) -> None:
    """The reader on a page with a picture's caption and its credit between paragraphs:
    they are sentences of their own, dimmed and in italics; the cursor on the sentence
    after them holds none of their words."""
    assert shoot_reader(
        snap_compare,
        size,
        tmp_path / "parley.json",
        (CORPUS / "11-captions.txt").read_text(encoding="utf-8"),
        "Hamas said in response",
        outlet="Harbour Herald",
        title="Israeli team returns from Cairo as gaps remain on prisoners",
        published="2024-08-25",
        source_kind="other",
    )
