"""Store text is data: markup, escapes and odd Unicode in any record show literally.

A store can be shared, imported or edited by hand, so every text field is a way in.
The corpus below goes into records of every kind; each view, dialog and the command
palette must show it character for character, and nothing in it may run an action
(``[@click=app.quit]`` must not quit, ``[@click=app.bell]`` must not ring).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import fixed_clock
from pydantic import ValidationError
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Select, Static
from tui_helpers import (
    dashboard,
    make_app,
    notices,
    press,
    run_async,
    screen_text,
    settle,
)

from store import (
    Actor,
    ActorKind,
    Assessment,
    Event,
    EventKind,
    Firmness,
    InvalidRecord,
    Participant,
    Person,
    PointStatus,
    Position,
    Priority,
    Proposal,
    Record,
    Repository,
    Response,
    ResponseStatus,
    Role,
    Round,
    RoundFormat,
    RoundStatus,
    Source,
    SourceKind,
    StickingPoint,
    Track,
    open_store,
)
from tui.app import ParleyApp
from tui.screens.dashboard import DashboardScreen
from tui.screens.desk import DeskScreen
from tui.text import plain
from tui.views.base import TableView
from tui.views.gap_board import CHANGED, GapBoard
from tui.widgets.record_table import RecordTable
from tui.widgets.text_view import TextView

LONG_WORD = "Antidisestablishmentarianism" * 8

HOSTILE = [
    "[bold]x[/bold]",
    "[/]",
    "[/",
    "[link=https://evil.example]x[/link]",
    "[@click=app.quit]boom[/]",
    "[@click=app.bell]",
    "$accent",
    "[red",
    "]]][[[",
    "\\x1b[31m",
    "<script>alert(1)</script>",
    "**md**",
    "`code`",
    "{}",
    "%s",
    "\u202eevil override",
    "peace 🕊️ dove 👍🏽",
    "停火谈判与人质释放",
    "Za\u0308\u0301lgo\u0336 te\u0337xt",
    "family 👨\u200d👩\u200d👧\u200d👦 joined",
    LONG_WORD,
    "[b]Hamas[/b]",
    "[$accent]var[/]",
    "${PATH} $(rm -rf /)",
    "\\n not a newline",
    "&amp; &lt;b&gt;",
    "Robert'); DROP TABLE rounds;--",
    ":warning: :smile:",
    "zero\u200bwidth\u200bspace",
    "\\[bold] escaped",
    "{0} {{x}}",
    "[#ff0000]hex[/]",
    "[on red]bg[/on red]",
    "line\u2028separator",
    "\ufeffbom start",
    "@click=app.quit",
    "[@click=screen.dismiss]close[/]",
    "ﷺ العربية שלום",
]
N = len(HOSTILE)
# Each as the screen shows it: invisible characters as escapes (tui.text.plain).
SHOWN = {plain(s) for s in HOSTILE}
TRACK = "hostile-track"
TRACK_TITLE = "[@click=app.quit]Talks[/] [b]bold[/b] $accent :warning:"
OTHER_TRACK_TITLE = "[link=https://evil.example]other[/link] [/"
PARTIES = 4
DAY0 = date(2024, 1, 1)


def h(i: int) -> str:
    return HOSTILE[i % N]


def visible(text: str, width: int = 10) -> str:
    """A prefix of text short enough to sit on one screen line, whatever wraps it."""
    return text[: min(width, len(text))].split(" ")[0] or text[:width]


def hostile_records() -> list[Record]:
    records: list[Record] = []
    for i in range(N):
        records.append(
            Source(
                id=f"source-{i}",
                outlet=h(i),
                title=h(i + 1),
                published=DAY0,
                source_kind=SourceKind.WIRE,
                reliability=h(i + 2),
                url=h(i + 3),
            )
        )
        records.append(
            Actor(
                id=f"actor-{i}",
                name=h(i),
                actor_kind=ActorKind.MOVEMENT,
                aliases=[h(i + 3)],
                description=h(i + 4),
            )
        )
        records.append(Person(id=f"person-{i}", name=h(i), title=h(i + 5), actor_id=f"actor-{i}"))
    participants = [Participant(actor_id=f"actor-{i}", role=Role.PARTY) for i in range(PARTIES)]
    participants.append(Participant(actor_id=f"actor-{PARTIES}", role=Role.MEDIATOR))
    records.append(Track(id=TRACK, title=TRACK_TITLE, description=h(7), participants=participants))
    records.append(Track(id="other-track", title=OTHER_TRACK_TITLE))
    for i in range(N):
        day = DAY0 + timedelta(days=i)
        records += [
            Round(
                id=f"round-{i}",
                track_id=TRACK,
                title=h(i),
                start=day,
                end=day,
                venues=[h(i + 1)],
                mediator_ids=[f"actor-{PARTIES}"],
                participant_ids=[f"actor-{i % PARTIES}"],
                format=RoundFormat.DIRECT,
                outcome=h(i + 2),
                status=RoundStatus.CONCLUDED,
                source_ids=[f"source-{i}"],
            ),
            StickingPoint(
                id=f"point-{i}",
                track_id=TRACK,
                title=h(i),
                description=h(i + 1),
                status=PointStatus.OPEN,
                priority=Priority.HIGH,
                raised=day,
                source_ids=[f"source-{i}"],
            ),
            Position(
                id=f"position-{i}",
                track_id=TRACK,
                point_id=f"point-{i}",
                actor_id=f"actor-{i % PARTIES}",
                speaker_id=f"person-{i % PARTIES}",
                date=day,
                stance=h(i),
                gist=h(i + 1),
                quote=h(i + 2),
                firmness=Firmness.DEMAND,
                round_id=f"round-{i}",
                source_ids=[f"source-{i}"],
            ),
            Proposal(
                id=f"proposal-{i}",
                track_id=TRACK,
                title=h(i),
                date=day,
                by_ids=[f"actor-{PARTIES}"],
                summary=h(i + 1),
                point_ids=[f"point-{i}"],
                responses=[
                    Response(
                        actor_id=f"actor-{i % PARTIES}",
                        status=ResponseStatus.REJECTED,
                        date=day,
                        note=h(i + 2),
                        source_ids=[f"source-{i}"],
                    )
                ],
                source_ids=[f"source-{i}"],
            ),
            Event(
                id=f"event-{i}",
                track_id=TRACK,
                date=day,
                event_kind=EventKind.STATEMENT,
                title=h(i),
                text=h(i + 1),
                actor_ids=[f"actor-{i}"],
                source_ids=[f"source-{i}"],
            ),
            Assessment(
                id=f"assessment-{i}",
                track_id=TRACK,
                analyst=h(i),
                affiliation=h(i + 1),
                date=day,
                gist=h(i + 2),
                source_ids=[f"source-{i}"],
            ),
        ]
    return records


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    with open_store(path, clock=fixed_clock) as repo:
        repo.add_many(hostile_records())
    return path


@pytest.fixture
def hostile_repo(hostile_path: Path, tmp_path: Path) -> Iterator[Repository]:
    # A copy per test: tests that write must not change what others read.
    path = tmp_path / "hostile.json"
    path.write_bytes(hostile_path.read_bytes())
    journal = hostile_path.with_name(hostile_path.name + ".journal")
    if journal.exists():
        path.with_name(path.name + ".journal").write_bytes(journal.read_bytes())
    with open_store(path, clock=fixed_clock) as repo:
        yield repo


class Tripwire:
    """Replaces the app's actions that markup could reach; records any call."""

    def __init__(self, app: ParleyApp) -> None:
        self.calls: list[str] = []
        for name in ("bell", "action_bell", "action_quit", "open_url", "action_open_url"):
            setattr(app, name, self._record(name))

    def _record(self, name: str) -> Any:
        def called(*args: object, **kwargs: object) -> None:
            self.calls.append(name)

        return called


def parties() -> list[str]:
    return [f"actor-{i}" for i in range(PARTIES)]


def party_of(point: StickingPoint) -> str:
    """The party that stated the one position on a point."""
    return f"actor-{int(point.id.rsplit('-', 1)[1]) % PARTIES}"


def hostile_app(repo: Repository) -> tuple[ParleyApp, Tripwire]:
    app = make_app(repo, track_id=TRACK)
    return app, Tripwire(app)


def texts_of(record: Record) -> list[str]:
    """Every string a record holds, nested ones included."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(record.model_dump(mode="json"))
    return [t for t in found if t in HOSTILE or t in (TRACK_TITLE, OTHER_TRACK_TITLE)]


def detail_texts(record: Record) -> list[str]:
    """What a record's detail shows: all its text but a position's gist (boards show that)."""
    texts = texts_of(record)
    if isinstance(record, Position) and record.gist in texts and record.gist != record.stance:
        texts.remove(record.gist)
    return texts


def assert_literal(content: object, expected: list[str], where: str) -> None:
    """``content`` (a Content, or a str) holds each of ``expected`` character for character."""
    assert isinstance(content, Content | str), f"{where}: {type(content).__name__} shown"
    text = content.plain if isinstance(content, Content) else content
    for item in expected:
        assert plain(item) in text, f"{where}: {item!r} not shown literally"


def assert_on_screen(app: ParleyApp, expected: list[str], where: str) -> None:
    text = screen_text(app)
    for item in expected:
        assert visible(plain(item)) in text, f"{where}: {item!r} not on screen"


def assert_untouched(app: ParleyApp, tripwire: Tripwire) -> None:
    assert tripwire.calls == [], f"store text ran actions: {tripwire.calls}"
    assert app.is_running
    assert app.return_code is None, "the app stopped on an error"
    errors = [n for n in notices(app) if n.severity == "error"]
    assert not errors, [n.message for n in errors]


def table_cells(table: RecordTable) -> str:
    return "\n".join(
        " | ".join(c[0] if isinstance(c, tuple) else c for c in row.cells) for row in table.rows
    )


def test_corpus_is_hostile_enough() -> None:
    assert N >= 30 and len(set(HOSTILE)) == N
    # Nothing here is a real control character: the models would refuse those (below).
    # The invisible ones (a direction override, a zero-width space) are kept as data and
    # shown as escapes; everything else shows as it is.
    escaped = [s for s in HOSTILE if plain(s) != s]
    assert escaped == [s for s in HOSTILE if "\\u" in plain(s) and "\\u" not in s]
    assert len(escaped) == 4


# The views and what their tables list; every row's detail is checked, too.
TABLE_VIEWS = ["rounds", "points", "actors", "timeline", "sources"]


@run_async
async def test_every_view_shows_hostile_text_literally(hostile_repo: Repository) -> None:
    repo = hostile_repo
    app, tripwire = hostile_app(repo)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        screen = dashboard(app)
        header = screen_text(app).splitlines()[0]
        assert header.endswith(f" · {TRACK_TITLE}") and "Parley — latest news: " in header
        assert app.sub_title.endswith(f" · {TRACK_TITLE}")

        # Overview: the summary, the gap board, proposals and recent events.
        overview = screen.active_view
        summary = overview.query_one(".summary", Static).content
        assert_literal(summary, [TRACK_TITLE, h(N - 1), h(PARTIES)], "overview summary")
        assert_literal(
            overview.query_one(".proposals", Static).content,
            [h(i) for i in range(N)],
            "overview proposals",
        )
        board = overview.query_one(RecordTable)
        cells = table_cells(board)
        assert_literal(cells, [h(i) for i in range(N)], "gap board")
        assert [c.label for c in board.columns][2:] == [h(i) for i in range(PARTIES)]
        assert_on_screen(app, [TRACK_TITLE, *(h(i) for i in range(PARTIES))], "overview")
        titles = [row.cells[0] for row in board.rows[:10]]
        # A point changed in the Since window leads with its mark.
        assert all(isinstance(t, str) and t.removeprefix(CHANGED) in SHOWN for t in titles)
        assert_on_screen(app, [str(t) for t in titles], "gap board")

        # Positions: the matrix's columns are actor names, its cells gists.
        await press(pilot, "4")
        matrix = screen.active_view.query_one(GapBoard)
        # After the point's title, its status and the gap between the parties: the
        # parties, then the mediator.
        shown = [h(i) for i in range(PARTIES + 1)]
        assert [c.label for c in matrix.columns][matrix.leading :] == shown
        assert_literal(table_cells(matrix), [h(i) for i in range(N)], "positions matrix")
        assert_on_screen(app, [h(i) for i in range(PARTIES)], "positions header")

        for key, view_key in zip("23567", TABLE_VIEWS, strict=True):
            await press(pilot, key)
            view = screen.active_view
            assert view.key == view_key and isinstance(view, TableView)
            table = view.table
            assert_literal(table_cells(table), [h(i) for i in range(N)], f"{view_key} table")
            shown = table.rows[: table.scrollable_content_region.height - 1]
            first_cells = [c[0] if isinstance(c, tuple) else c for r in shown for c in r.cells]
            assert_on_screen(app, [c for c in first_cells if c in SHOWN], f"{view_key} rows")
            # Every row's detail holds its record's text, character for character.
            for row in table.rows:
                record = view.record_for(row.key)
                assert record is not None, row.key
                expected = detail_texts(record)
                assert_literal(view.detail(row.key), expected, f"{view_key} {row.key}")
            # And the detail pane on screen shows the highlighted one.
            await press(pilot, "G")
            record = view.record_for(table.rows[-1].key)
            assert record is not None
            detail = view.query_one(".detail", TextView).content
            assert_literal(detail, detail_texts(record), f"{view_key} detail pane")
            assert_on_screen(app, detail_texts(record)[:1], f"{view_key} detail pane")
        assert_untouched(app, tripwire)


@run_async
async def test_dialogs_show_hostile_text_literally(hostile_repo: Repository) -> None:
    app, tripwire = hostile_app(hostile_repo)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        # Enter on a round: the detail dialog. (Cursors are placed directly below:
        # moving them by key is tested elsewhere, and each move costs a repaint.)
        await press(pilot, "2")
        rounds = dashboard(app).active_view.query_one(RecordTable)
        rounds.cursor_row = 4
        await press(pilot, "enter")
        assert isinstance(app.screen, ModalScreen)
        rnd = hostile_repo.get_as(Round, "round-4")
        assert_on_screen(app, [rnd.title, rnd.venues[0], rnd.outcome], "round dialog")
        await press(pilot, "escape")

        # `o` on a position in the matrix: the sources dialog.
        await press(pilot, "4")
        matrix = dashboard(app).active_view.query_one(RecordTable)
        point = hostile_repo.get_as(StickingPoint, matrix.rows[2].key)
        position = hostile_repo.latest_positions(TRACK)[(point.id, party_of(point))]
        matrix.cursor_row, matrix.cursor_column = 2, 2 + parties().index(party_of(point))
        await press(pilot, "o")
        assert isinstance(app.screen, ModalScreen)
        source = hostile_repo.get_as(Source, position.source_ids[0])
        assert_on_screen(
            app, [source.outlet, source.title, source.reliability, source.url], "sources"
        )
        await press(pilot, "escape")

        # Enter on a gap-board cell: the position history.
        await press(pilot, "1")
        board = dashboard(app).active_view.query_one(RecordTable)
        point = hostile_repo.get_as(StickingPoint, board.rows[1].key)
        position = hostile_repo.latest_positions(TRACK)[(point.id, party_of(point))]
        board.cursor_row, board.cursor_column = 1, 2 + parties().index(party_of(point))
        await press(pilot, "enter")
        assert isinstance(app.screen, ModalScreen)
        actor = hostile_repo.get_as(Actor, party_of(point))
        assert_on_screen(
            app, [f"{actor.name} on {point.title}", position.stance, position.quote], "history"
        )
        await press(pilot, "escape")

        # The help screen, and the desk with both hostile titles.
        await press(pilot, "question_mark")
        assert isinstance(app.screen, ModalScreen)
        await press(pilot, "escape", "T")
        assert isinstance(app.screen, DeskScreen)
        desk = app.screen.desk_view.table
        assert sorted(str(row.cells[1]) for row in desk.rows) == sorted(
            [OTHER_TRACK_TITLE, TRACK_TITLE]
        )
        # The cursor's track is read whole below the table.
        assert_on_screen(app, [TRACK_TITLE], "desk")
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)

        # Clicks on the text itself: a click action in it would fire here.
        await press(pilot, "5")
        # Split on newlines only: U+2028 in the corpus is a line break to str.splitlines.
        lines = screen_text(app).split("\n")
        for needle in ("[@click=app.quit]", "[@click=app.bell]", "[@click=screen.dismiss]"):
            y = next(y for y, line in enumerate(lines) if needle in line)
            await pilot.click(offset=(lines[y].index(needle) + 2, y))
            await settle(pilot)
            if isinstance(app.screen, ModalScreen):
                await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        assert_untouched(app, tripwire)


@run_async
async def test_palette_search_shows_hostile_labels_literally(
    hostile_repo: Repository,
) -> None:
    app, tripwire = hostile_app(hostile_repo)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        for query, wanted in [
            ("[@click=app.quit]", "[@click=app.quit]boom[/] (round)"),
            ("[/", "[/ (point)"),
            ("停火", "停火谈判与人质释放 (round)"),
            ("[b]H", "[b]Hamas[/b] (person)"),
        ]:
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*query)
            command_list = app.screen.query_one(CommandList)
            prompts: list[str] = []
            for _ in range(100):
                await pilot.pause(0.02)
                # A hit's prompt is its text, a newline, and its help.
                prompts = [
                    str(command_list.get_option_at_index(i).prompt).split("\n")[0]
                    for i in range(command_list.option_count)
                ]
                if wanted in prompts:
                    break
            assert wanted in prompts, (query, prompts)
            await settle(pilot)
            assert_on_screen(app, [wanted], f"palette {query!r}")
            await press(pilot, "escape")
            if isinstance(app.screen, CommandPalette):
                await press(pilot, "escape")
        # Choosing a hostile hit opens its record.
        await press(pilot, "ctrl+p")
        await pilot.press(*"$(rm")
        command_list = app.screen.query_one(CommandList)
        for _ in range(100):
            await pilot.pause(0.02)
            if command_list.option_count:
                break
        assert command_list.option_count
        await press(pilot, "enter")
        await settle(pilot)
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        record = view.selected()
        assert record is not None and "${PATH} $(rm -rf /)" in texts_of(record)
        assert_untouched(app, tripwire)


@run_async
async def test_quick_actions_quote_hostile_labels_literally(hostile_repo: Repository) -> None:
    """Delete, undo, history and their notifications name records: literally, too."""
    app, tripwire = hostile_app(hostile_repo)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await settle(pilot)
        # A source that records cite cannot go; the refusal names it, and them.
        await press(pilot, "7")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        view.table.move_to_key("source-1")
        await press(pilot, "d")
        source = hostile_repo.get_as(Source, "source-1")
        assert source.label == "[/]: [/"
        assert hostile_repo.exists("source", "source-1")
        assert any(source.label in n.message for n in notices(app))
        assert_on_screen(app, [source.label], "refusal notification")

        # A person no record refers to: asked, deleted, undone, and in the history.
        await press(pilot, "5")
        view = dashboard(app).active_view
        assert isinstance(view, TableView)
        person = hostile_repo.get_as(Person, "person-5")
        assert person.name == "[@click=app.bell]"
        assert view.table.move_to_key("person:person-5")
        await press(pilot, "d")
        assert isinstance(app.screen, ModalScreen)
        assert_on_screen(app, [f"person {person.name}?"], "confirmation")
        await press(pilot, "y")
        assert not hostile_repo.exists("person", "person-5")
        assert_on_screen(app, [f"person {person.name}."], "deletion notification")
        await press(pilot, "u")
        assert hostile_repo.exists("person", "person-5")
        assert view.table.move_to_key("person:person-5")
        await press(pilot, "h")
        assert isinstance(app.screen, ModalScreen)
        assert_on_screen(app, [f"person {person.name}"], "history")
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        assert tripwire.calls == []
        assert app.is_running and app.return_code is None


@run_async
async def test_timeline_actor_filter_shows_names_literally(repo: Repository) -> None:
    """The actor filter's menu lists party names; '[/]' once crashed it as bad markup."""
    names = ["[bold]x[/bold]", "[/]", "[@click=app.quit]boom[/]"]
    repo.add_many(
        [
            *(
                Actor(id=f"actor-{i}", name=name, actor_kind=ActorKind.STATE)
                for i, name in enumerate(names)
            ),
            Track(
                id=TRACK,
                title="Talks",
                participants=[
                    Participant(actor_id=f"actor-{i}", role=Role.PARTY) for i in range(len(names))
                ],
            ),
        ]
    )
    app, tripwire = hostile_app(repo)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        select = dashboard(app).active_view.query_one("#actor-filter", Select)
        select.focus()
        await press(pilot, "enter")
        assert_on_screen(app, names, "actor filter menu")
        # Choose the first party: the control shows its name.
        await press(pilot, "down", "enter")
        assert select.value == "actor-0"
        assert_on_screen(app, names[:1], "actor filter")
        assert_untouched(app, tripwire)


# -- real control characters never get in ----------------------------------------------

CONTROL = ["\x1b[31m", "\x00", "\x07", "\x08", "\r", "\x7f", "\x9b31m", "\x1b]8;;x\x1b\\"]

# A valid record of each kind and the text fields to poison in it.
FIELDS: list[tuple[type[Record], dict[str, Any], list[str]]] = [
    (Track, {"id": "t", "title": "T"}, ["title", "description", "region"]),
    (Actor, {"id": "a", "name": "A", "actor_kind": "state"}, ["name", "description"]),
    (Person, {"id": "p", "name": "P"}, ["name", "title"]),
    (
        Source,
        {"id": "s", "outlet": "O", "title": "T", "published": "2024-08-21", "source_kind": "wire"},
        ["outlet", "title", "url", "reliability"],
    ),
    (
        Round,
        {
            "id": "r",
            "track_id": "t",
            "title": "R",
            "start": "2024-08-21",
            "format": "direct",
            "status": "concluded",
        },
        ["title", "outcome"],
    ),
    (
        StickingPoint,
        {"id": "k", "track_id": "t", "title": "K", "status": "open"},
        ["title", "description"],
    ),
    (
        Position,
        {
            "id": "q",
            "track_id": "t",
            "point_id": "k",
            "actor_id": "a",
            "date": "2024-08-21",
            "stance": "S",
            "firmness": "demand",
            "unsourced": True,
        },
        ["stance", "gist", "quote"],
    ),
    (
        Proposal,
        {"id": "b", "track_id": "t", "title": "B", "date": "2024-08-21"},
        ["title", "summary"],
    ),
    (
        Event,
        {
            "id": "e",
            "track_id": "t",
            "date": "2024-08-21",
            "event_kind": "other",
            "title": "E",
            "text": "X",
            "unsourced": True,
        },
        ["title", "text"],
    ),
    (
        Assessment,
        {"id": "z", "track_id": "t", "analyst": "Z", "date": "2024-08-21", "gist": "G"},
        ["analyst", "affiliation", "gist", "quote"],
    ),
]


@pytest.mark.parametrize("control", CONTROL, ids=[repr(c) for c in CONTROL])
def test_models_refuse_control_characters(control: str) -> None:
    for cls, valid, fields in FIELDS:
        cls.model_validate(valid)
        for name in fields:
            with pytest.raises(ValidationError, match="control character"):
                cls.model_validate({**valid, name: f"before {control} after"})


def test_repository_refuses_control_characters_slipped_past_validation(repo: Repository) -> None:
    actor = Actor(id="a", name="A", actor_kind=ActorKind.STATE)
    # model_copy(update=...) skips validation; the repository checks again.
    with pytest.raises(InvalidRecord, match="control character"):
        repo.add(actor.model_copy(update={"name": "\x1b[2J"}))
    assert not repo.exists("actor", "a")


def test_plain_makes_control_characters_visible() -> None:
    """The last line of defence, should one ever reach the screen."""
    assert plain("a\x1b[31mb") == "a\\x1b[31mb"
    assert plain("bell\x07", one_line=False) == "bell\\x07"
    assert plain("two\nlines") == "two lines"
    assert plain("two\nlines", one_line=False) == "two\nlines"
    assert plain("\x9b") == "\\x9b"
