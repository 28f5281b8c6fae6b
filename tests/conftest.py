"""Shared fixtures: a fixed clock, fresh stores, the seed data and the sample store.

Two data sets serve the tests: the project's seed (``store.exchange.seed``), which the dashboard
tests and snapshots show, and ``sample_store``, a small track with every kind of record
and a history, which the brief, export/import, CLI and serve tests read. Helpers that
are not fixtures are in ``tui_helpers.py``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import desk_store
import pytest
import sample_store
from textual.pilot import Pilot

from store import Repository, open_store
from store.exchange.seed import seed
from store.files import access
from store.kinds import ActorKind, EventKind, SourceKind
from store.models import Actor, Event, Source
from tui.compat.private import HeadlessFrames

FIXED_NOW = datetime(2024, 8, 21, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


# Small records for the storage tests (an event of track "t" citing a source).
def actor(actor_id: str, name: str | None = None) -> Actor:
    return Actor(id=actor_id, name=name or actor_id, actor_kind=ActorKind.STATE)


def source(source_id: str) -> Source:
    return Source(
        id=source_id,
        outlet="Wire",
        title=f"Report {source_id}",
        published=date(2024, 8, 21),
        source_kind=SourceKind.WIRE,
    )


def event(event_id: str, source_id: str) -> Event:
    return Event(
        id=event_id,
        track_id="t",
        date=date(2024, 8, 21),
        event_kind=EventKind.STATEMENT,
        title=f"Event {event_id}",
        text="Something was said.",
        source_ids=[source_id],
    )


def to_old_layout(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Rewrite a snapshot as Parley wrote it before the file was a TinyDB database (a
    header and the records keyed by id); return those records, for a test to change
    and hand to ``write_old_layout``. Such a file is read, then moved over, unchecked
    against the history: the way to put a record where no change of its left it."""
    data = json.loads(path.read_bytes())
    tables = {
        kind: {doc["id"]: doc for doc in table.values()}
        for kind, table in data.items()
        if kind != "_parley"
    }
    write_old_layout(path, tables)
    return tables


def write_old_layout(path: Path, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
    meta = json.loads(path.read_bytes()).get("_parley", {}).get("1")
    meta = meta or {k: v for k, v in json.loads(path.read_bytes()).items() if k != "tables"}
    header = {k: meta[k] for k in ("schema", "generation", "last_seq")}
    path.write_text(json.dumps({"format": "parley", **header, "tables": tables}))


@pytest.fixture(autouse=True)
def own_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data folders of the test's own, never the user's: the settings file
    of the person running the tests must not change what a test sees. The store's
    files start owner-only in each test, whatever one before set."""
    monkeypatch.setattr(access.Access, "shared_group", False)
    # Set, not removed: what parley --shared-group sets in the test is then undone too.
    monkeypatch.setenv("PARLEY_SHARED_GROUP", "")
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


@pytest.fixture(autouse=True)
def failures_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside a screen or widget, which the app survives and reports, fails the
    test it happens in (Pilot raises it at the end); tests of surviving turn this off."""
    from tui.app import ParleyApp

    monkeypatch.setattr(ParleyApp, "raise_failures", True)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "parley.json"


@pytest.fixture
def repo(store_path: Path) -> Iterator[Repository]:
    with open_store(store_path, clock=fixed_clock) as r:
        yield r


@pytest.fixture
def seeded(repo: Repository) -> Repository:
    """The store at ``store_path``, filled with the seed data."""
    seed(repo)
    return repo


@pytest.fixture
def three_tracks(tmp_path: Path) -> Iterator[Repository]:
    """The seed's Gaza track and two made up for the desk (``desk_store``)."""
    with open_store(tmp_path / "three.json", clock=fixed_clock) as repo:
        desk_store.build(repo)
        yield repo


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Repository]:
    """An open store holding the sample, its clock left at the day of its last write."""
    clock = sample_store.Clock()
    with open_store(tmp_path / "sample.json", clock=clock) as repo:
        sample_store.build(repo, clock)
        yield repo


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    """The path of a closed store holding the sample, for commands to open."""
    path = tmp_path / "talks.json"
    clock = sample_store.Clock()
    with open_store(path, clock=clock) as repo:
        sample_store.build(repo, clock)
    return path


@pytest.fixture(autouse=True)
def known_author(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changes are by one named author whoever runs the tests, so that what shows them
    (history, snapshots) does not depend on the login."""
    monkeypatch.setenv("PARLEY_USER", "desk")


@pytest.fixture(autouse=True)
def frames(request: pytest.FixtureRequest) -> Iterator[None]:
    """A headless app's frames left undrawn (``HeadlessFrames``): Textual draws each one
    and throws it away, a third of the dashboard tests' time. What a test reads of the
    screen is drawn afresh (``screen_text``), and a snapshot draws the screen whole first
    (``snap_compare``, ``tui_helpers.draw``). Tests of drawing itself, or of what no drawing
    may break, are marked ``every_frame``."""
    import tui_helpers  # not at the top: it imports this module

    if request.node.get_closest_marker("every_frame"):
        yield
        return
    with HeadlessFrames() as undrawn:
        tui_helpers.UNDRAWN.append(undrawn)
        try:
            yield
        finally:
            tui_helpers.UNDRAWN.remove(undrawn)


@pytest.fixture
def snap_compare(snap_compare: Any) -> Any:
    """The plugin's ``snap_compare``, with the screen drawn whole before it is shot."""
    import tui_helpers  # not at the top: it imports this module

    def compare(app: Any, *, run_before: Any = None, **options: Any) -> bool:
        async def before(pilot: Pilot[None]) -> None:
            if run_before is not None:
                done = run_before(pilot)
                if inspect.isawaitable(done):
                    await done
            await tui_helpers.draw(pilot)

        return bool(snap_compare(app, run_before=before, **options))

    return compare
