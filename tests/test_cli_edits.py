"""The editing subcommands of ``parley``: add, edit, set-status, position, undo, redo,
history and list — what each writes, and that a refused one writes nothing."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import run_cli

from store import RECORD_TYPES, models, open_store
from store.kinds import Kind, Role, SourceKind
from store.models import TRACK_KINDS
from tui.cli import edits

EDIT_COMMANDS = [
    "add",
    "edit",
    "delete",
    "set-status",
    "position",
    "undo",
    "redo",
    "history",
    "list",
    "show",
]


@pytest.fixture
def db(sample_db: Path) -> Path:
    return sample_db


def parley(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--db", str(db), *args], capsys)


def one_line(text: str) -> str:
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1, lines
    assert "Traceback" not in text
    return lines[0]


def stored(db: Path, kind: str, record_id: str) -> dict[str, Any] | None:
    """The record as a fresh opening of the store reads it."""
    with open_store(db) as repo:
        if not repo.exists(kind, record_id):
            return None
        return repo.get(kind, record_id).model_dump(mode="json")


def files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def counts(db: Path) -> dict[str, int]:
    with open_store(db) as repo:
        return {kind: repo.count(kind) for kind in RECORD_TYPES}


# -- the parser ----------------------------------------------------------------------


def test_the_cli_knows_every_kind_of_record() -> None:
    assert tuple(RECORD_TYPES) == edits.KINDS
    assert edits.TRACK_KINDS == TRACK_KINDS


def test_every_list_of_kinds_roles_and_sources_is_the_models_own() -> None:
    """The command line, the forms, the paste box and the citations offer exactly what
    the models accept: a kind, role or kind of source added to a model shows up in each."""
    from store.reading import citations
    from tui import forms
    from tui.cli import capture
    from tui.screens import article

    assert edits.ROLES == tuple(Role) == models.ROLES
    assert edits.SOURCE_KINDS == capture.SOURCE_KINDS == tuple(SourceKind)
    (kind_field,) = [f for f in article.SOURCE if f.name == "source_kind"]
    assert tuple(kind_field.choices) == tuple(SourceKind)
    assert list(forms.KIND_NAMES) == list(RECORD_TYPES)
    assert forms.KIND_NAMES[Kind.POINT] == "sticking point"
    cite = {k for k, cls in RECORD_TYPES.items() if "source_ids" in cls.model_fields}
    assert set(edits.CITING_KINDS) == citations.CLAIM_KINDS == cite == set(TRACK_KINDS)
    assert set(edits.SOURCED_KINDS) == {Kind.POSITION, Kind.EVENT}


@pytest.mark.parametrize("name", EDIT_COMMANDS)
def test_each_command_has_help_with_an_example(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli([name, "--help"], capsys)
    assert code == 0
    assert "example:" in out
    assert re.search(rf"^  parley {name}\b", out, re.M), out


@pytest.mark.parametrize("command", ["add", "edit"])
@pytest.mark.parametrize("kind", edits.KINDS)
def test_each_kind_has_help_with_an_example(
    command: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli([command, kind, "--help"], capsys)
    assert code == 0
    assert re.search(rf"^example:\n  parley {command} {kind} ", out, re.M), out
    assert "--json FILE" in out


def test_top_level_help_lists_the_editing_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0
    for name in EDIT_COMMANDS:
        assert re.search(rf"^    {name}\s", out, re.M), name


# -- position and set-status ---------------------------------------------------------


def test_position_adds_exactly_that_position(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(db)
    code, out, err = parley(
        db,
        "position",
        "--point", "corridor",
        "--actor", "hamas",
        "--date", "2024-08-25",
        "--firmness", "red-line",
        "--stance", "No troops in the corridor.",
        "--gist", "No troops",
        "--speaker", "spokesman",
        "--source", "state-0821",
        capsys=capsys,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert one_line(out) == "added position hamas-corridor-2024-08-25"
    assert stored(db, "position", "hamas-corridor-2024-08-25") == {
        "id": "hamas-corridor-2024-08-25",
        "track_id": "talks",
        "point_id": "corridor",
        "actor_id": "hamas",
        "speaker_id": "spokesman",
        "date": "2024-08-25",
        "stance": "No troops in the corridor.",
        "gist": "No troops",
        "firmness": "red line",
        "quote": "",
        "round_id": None,
        "anchor": None,
        "source_ids": ["state-0821"],
        "unsourced": False,
    }
    assert counts(db) == {**before, "position": before["position"] + 1}


def test_position_with_a_new_source_writes_both(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(
        db,
        "position",
        "--point", "hostages",
        "--actor", "israel",
        "--date", "2024-08-26",
        "--firmness", "conditional",
        "--stance", "Open to a phased deal.",
        "--new-source-outlet", "Example Wire",
        "--new-source-title", "Israel signals flexibility",
        "--new-source-published", "2024-08-26",
        "--new-source-kind", "wire",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert one_line(out) == (
        "added position israel-hostages-2024-08-26, citing the new source "
        "israel-signals-flexibility"
    )
    source = stored(db, "source", "israel-signals-flexibility")
    assert source is not None and source["outlet"] == "Example Wire"
    position = stored(db, "position", "israel-hostages-2024-08-26")
    assert position is not None and position["source_ids"] == ["israel-signals-flexibility"]


@pytest.mark.parametrize("kind_word", [[], ["point"]])
def test_set_status_logs_a_dated_sourced_status(
    db: Path, kind_word: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(
        db,
        "set-status", *kind_word, "corridor", "deadlocked",
        "--date", "2024-08-25",
        "--note", "Both sides dig in.",
        "--source", "state-0821",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert one_line(out) == "set sticking point corridor to deadlocked as of 2024-08-25"
    point = stored(db, "point", "corridor")
    assert point is not None
    assert point["status"] == "deadlocked"
    assert point["status_log"][-1] == {
        "date": "2024-08-25",
        "status": "deadlocked",
        "source_ids": ["state-0821"],
        "unsourced": False,
        "note": "Both sides dig in.",
    }


def test_set_status_of_a_round_takes_a_hyphenated_status(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(
        db, "set-status", "cairo-round", "under-way", "--date", "2024-08-25", "--unsourced",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert one_line(out) == "set round cairo-round to under way as of 2024-08-25"
    round_ = stored(db, "round", "cairo-round")
    assert round_ is not None and round_["status"] == "under way"
    assert round_["status_log"][-1]["unsourced"] is True


def test_set_status_asks_which_when_an_id_is_a_point_and_a_round(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(
        db, "add", "round", "--title", "Corridor", "--start", "2024-08-25",
        "--format", "direct", "--status", "scheduled",
        capsys=capsys,
    )  # fmt: skip
    assert (code, one_line(out)) == (0, "added round corridor")
    before = files(db)
    code, _, err = parley(
        db, "set-status", "corridor", "open", "--date", "2024-08-25", "--unsourced", capsys=capsys
    )
    assert code == 1
    assert "'corridor' is both a sticking point and a round; say which" in one_line(err)
    assert files(db) == before
    code, out, _ = parley(
        db, "set-status", "round", "corridor", "concluded", "--date", "2024-08-26",
        "--unsourced",
        capsys=capsys,
    )  # fmt: skip
    assert (code, one_line(out)) == (0, "set round corridor to concluded as of 2024-08-26")


# -- add and edit --------------------------------------------------------------------


def test_add_a_round_from_options(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = parley(
        db,
        "add", "round",
        "--title", "Cairo talks resume",
        "--start", "2024-08-24",
        "--venues", "Cairo, Egypt; Doha",
        "--format", "proximity",
        "--status", "scheduled",
        "--mediator", "egypt", "--mediator", "qatar;united-states",
        "--source", "wire-0819",
        capsys=capsys,
    )  # fmt: skip
    assert code == 0
    assert one_line(out) == "added round cairo-talks-resume"
    record = stored(db, "round", "cairo-talks-resume")
    assert record is not None
    assert record["track_id"] == "talks"
    assert record["venues"] == ["Cairo, Egypt", "Doha"]
    assert record["mediator_ids"] == ["egypt", "qatar", "united-states"]
    assert record["source_ids"] == ["wire-0819"]
    assert record["end"] is None
    assert [e["status"] for e in record["status_log"]] == ["scheduled"]


def test_add_from_a_json_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = {
        "analyst": "D. Analyst",
        "affiliation": "A think tank",
        "date": "2024-08-22",
        "gist": "The corridor is the crux.",
        "source_ids": ["review-0822"],
    }
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(values))
    code, out, _ = parley(db, "add", "assessment", "--json", str(path), capsys=capsys)
    assert code == 0
    assert one_line(out) == "added assessment d-analyst"
    assert stored(db, "assessment", "d-analyst") == {
        **values,
        "id": "d-analyst",
        "track_id": "talks",
        "quote": "",
        "anchor": None,
    }


def test_add_from_standard_input_with_options_overriding(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {"kind": "actor", "name": "Jordan", "actor_kind": "movement", "aliases": ["HKJ"]}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc)))
    code, out, _ = parley(db, "add", "actor", "--json", "-", "--actor-kind", "state", capsys=capsys)
    assert code == 0
    assert one_line(out) == "added actor jordan"
    assert stored(db, "actor", "jordan") == {
        "id": "jordan",
        "name": "Jordan",
        "actor_kind": "state",
        "aliases": ["HKJ"],
        "description": "",
    }


def test_add_a_track_with_its_participants(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = parley(
        db, "add", "track", "--title", "Border talks", "--party", "israel;egypt",
        "--mediator", "qatar", "--participants", "united-states:observer",
        capsys=capsys,
    )  # fmt: skip
    assert (code, one_line(out)) == (0, "added track border-talks")
    record = stored(db, "track", "border-talks")
    assert record is not None
    assert record["participants"] == [
        {"actor_id": "united-states", "role": "observer"},
        {"actor_id": "israel", "role": "party"},
        {"actor_id": "egypt", "role": "party"},
        {"actor_id": "qatar", "role": "mediator"},
    ]


def test_add_a_track_with_actors_not_stored_yet(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--new-party and --new-mediator make the actors with the track, in one write that
    one undo takes back; a kind that is none is one line naming the option and entry,
    and nothing is written."""
    before = files(db)
    code, _, err = parley(
        db, "add", "track", "--title", "Sudan talks", "--new-party", "RSF, warband",
        capsys=capsys,
    )  # fmt: skip
    assert code == 1
    assert one_line(err).startswith("parley: new track: --new-party: 'RSF, warband': 'warband'")
    assert files(db) == before
    code, out, _ = parley(
        db, "add", "track", "--title", "Sudan talks", "--party", "egypt",
        "--new-party", "Sudanese Armed Forces, military; RSF, para",
        "--new-mediator", "IGAD, mediator body",
        capsys=capsys,
    )  # fmt: skip
    assert (code, one_line(out)) == (0, "added track sudan-talks")
    record = stored(db, "track", "sudan-talks")
    assert record is not None
    assert record["participants"] == [
        {"actor_id": "egypt", "role": "party"},
        {"actor_id": "sudanese-armed-forces", "role": "party"},
        {"actor_id": "rsf", "role": "party"},
        {"actor_id": "igad", "role": "mediator"},
    ]
    assert stored(db, "actor", "rsf") == {
        "id": "rsf",
        "name": "RSF",
        "actor_kind": "paramilitary",
        "aliases": [],
        "description": "",
    }
    code, _, _ = parley(db, "undo", capsys=capsys)
    assert code == 0
    assert stored(db, "track", "sudan-talks") is None
    assert stored(db, "actor", "igad") is stored(db, "actor", "rsf") is None


def test_edit_changes_only_the_fields_given(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stored(db, "round", "doha-round")
    assert before is not None
    code, out, _ = parley(
        db, "edit", "round", "doha-round", "--outcome", "Adjourned.", "--end", "", capsys=capsys
    )
    assert code == 0
    assert one_line(out).startswith("changed round doha-round (end, outcome); now revision ")
    assert stored(db, "round", "doha-round") == {**before, "outcome": "Adjourned.", "end": None}


def test_an_edit_that_changes_nothing_writes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(db)
    code, out, _ = parley(db, "edit", "point", "aid", "--priority", "low", capsys=capsys)
    assert code == 0
    assert one_line(out).startswith("point aid already reads so; nothing changed (revision ")
    assert files(db) == before


def test_edit_of_a_track_role_keeps_the_other_roles(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = parley(db, "edit", "track", "talks", "--mediator", "qatar", capsys=capsys)
    assert code == 0
    record = stored(db, "track", "talks")
    assert record is not None
    assert record["participants"] == [
        {"actor_id": "israel", "role": "party"},
        {"actor_id": "hamas", "role": "party"},
        {"actor_id": "qatar", "role": "mediator"},
    ]


# -- refusals ------------------------------------------------------------------------

POSITION = [
    "position", "--point", "corridor", "--actor", "hamas", "--date", "2024-08-25",
    "--firmness", "demand", "--stance", "Out.", "--source", "wire-0819",
]  # fmt: skip


def _position(**changes: str) -> list[str]:
    args = list(POSITION)
    for name, value in changes.items():
        args[args.index(f"--{name}") + 1] = value
    return args


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (_position(date="25/08"),
         1, "parley: new position: date: '25/08' is not an ISO date (YYYY-MM-DD)"),
        (_position(date="2024-02-30"), 1, "parley: new position: date: '2024-02-30' is not a real"),
        (_position(firmness="adamant"), 1, "parley: new position: firmness: Input should be"),
        (_position(point="nope"), 1, "point_id refers to point 'nope', which does not exist"),
        (_position(source="nope"), 1, "source_ids refers to source 'nope', which does not exist"),
        ([*POSITION, "--track", "elsewhere"], 1, "no track with id 'elsewhere'"),
        ([*POSITION[:-2]], 1, "source_ids: give --source ID, a new source"),
        ([*POSITION, "--unsourced"], 1, "cannot be marked unsourced"),
        ([*POSITION[:-2], "--new-source-url", "https://x.org"], 2, "a new source needs"),
        ([*POSITION[:-2], "--new-source-outlet", "Wire", "--new-source-kind", "wire"],
         1, "new_source.title: must not be empty"),
        (POSITION[:3], 2, "the following arguments are required: --actor, --date"),
        ([*POSITION, "--frobnicate"], 2, "unrecognized arguments: --frobnicate"),
        (["set-status", "corridor", "closed", "--date", "2024-08-25", "--unsourced"],
         1, "status: choose one of agreed, bridged, deadlocked, narrowing, open"),
        (["set-status", "corridor", "open", "--date", "2024-8-25", "--unsourced"],
         1, "date: '2024-8-25' is not an ISO date"),
        (["set-status", "corridor", "open", "--date", "2024-08-25"], 1, "give --source ID"),
        (["set-status", "nope", "open", "--date", "2024-08-25", "--unsourced"],
         1, "no sticking point or round with id 'nope'"),
        (["set-status", "actor", "hamas", "open", "--date", "2024-08-25"], 2, "has no status"),
        (["set-status", "corridor", "--date", "2024-08-25"], 2, "give [point|round] ID STATUS"),
        (["set-status", "corridor", "open"], 2, "required: --date"),
        (["add", "round", "--title", "X"], 1, "parley: new round: start: required"),
        (["add", "round"], 2, "give the new round's fields"),
        (["add", "widget", "--title", "X"], 2, "invalid choice: 'widget'"),
        (["add", "point", "--title", "X", "--status", "open", "--bogus", "1"],
         2, "unrecognized arguments: --bogus"),
        (["add", "point", "--title", "X", "--status", "open", "--track", "nope"],
         1, "no track with id 'nope'"),
        (["add", "actor", "--json", "missing.json"], 1, "missing.json: no such file"),
        (["add", "event", "--title", "T", "--date", "2024-08-24", "--event-kind", "other",
          "--text", "x"], 1, "new event: source_ids: give --source ID"),
        (["add", "track", "--title", "T", "--party", "nobody"], 1, "actor 'nobody'"),
        (["edit", "round", "nope", "--title", "X"], 1, "no round with id 'nope'"),
        (["edit", "round", "doha-round"], 2, "nothing to change"),
        (["edit", "round", "doha-round", "--status", "stalled"],
         2, "unrecognized arguments: --status"),
        (["edit", "round", "doha-round", "--start", "2024-08-30"],
         1, "end 2024-08-16 is before start 2024-08-30"),
        (["edit", "position", "israel-corridor-0810", "--stance", ""],
         1, "stance: must not be empty"),
        (["list", "actor", "--track", "talks"], 2, "actors are shared by every track"),
        (["list", "round", "--track", "nope"], 1, "no track with id 'nope'"),
        (["list", "widget"], 2, "invalid choice: 'widget'"),
        (["history", "--limit", "many"], 2, "'many' is not a number"),
        (["history", "--id", "nope"], 1, "no record with id 'nope', and no change to one"),
    ],
)  # fmt: skip
def test_a_refusal_is_one_line_and_writes_nothing(
    db: Path, args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(db)
    got, out, err = parley(db, *args, capsys=capsys)
    assert got == code
    assert out == ""
    assert message in one_line(err)
    assert files(db) == before


def test_a_bad_json_file_is_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "bad.json"
    before = files(db)
    for text, message in [
        ("{not json", "bad.json: not valid JSON"),
        ("[1, 2]", "bad.json: give one JSON object of field values"),
        ('{"kind": "round", "name": "X"}', "bad.json: holds a round, not an actor"),
        ('{"id": "mine", "name": "X", "actor_kind": "state"}', "id: a new record's id is made"),
        ('{"name": "X", "actor_kind": "state", "colour": "red"}', "colour: Extra inputs"),
    ]:
        path.write_text(text)
        code, _, err = parley(db, "add", "actor", "--json", str(path), capsys=capsys)
        assert code == 1
        assert message in one_line(err), text
    assert files(db) == before


# -- undo and redo -------------------------------------------------------------------


def test_undo_then_redo_restores_the_record(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = parley(db, *POSITION, capsys=capsys)
    assert code == 0
    added = stored(db, "position", "hamas-corridor-2024-08-25")
    assert added is not None

    code, out, _ = parley(db, "undo", capsys=capsys)
    assert code == 0
    assert one_line(out) == "undid: added Hamas's position on Border corridor, 25 Aug 2024"
    assert stored(db, "position", "hamas-corridor-2024-08-25") is None

    code, out, _ = parley(db, "redo", capsys=capsys)
    assert code == 0
    assert one_line(out) == "redid: added Hamas's position on Border corridor, 25 Aug 2024"
    assert stored(db, "position", "hamas-corridor-2024-08-25") == added


def test_undo_takes_back_a_new_source_with_its_record(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*POSITION[:-2], "--new-source-outlet", "Wire", "--new-source-title", "Out",
            "--new-source-published", "2024-08-25", "--new-source-kind", "wire"]  # fmt: skip
    assert parley(db, *args, capsys=capsys)[0] == 0
    code, out, _ = parley(db, "undo", capsys=capsys)
    assert code == 0
    assert one_line(out) == (
        "undid: added Hamas's position on Border corridor, 25 Aug 2024; added source Wire: Out"
    )
    assert stored(db, "source", "out") is None


def test_redo_after_a_new_write_has_nothing_to_redo(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parley(db, "undo", capsys=capsys)[0] == 0
    assert parley(db, "edit", "point", "aid", "--description", "Trucks.", capsys=capsys)[0] == 0
    before = files(db)
    code, out, err = parley(db, "redo", capsys=capsys)
    assert (code, out) == (1, "")
    assert one_line(err) == "parley: nothing to redo"
    assert files(db) == before


def test_nothing_to_undo_in_an_empty_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = parley(tmp_path / "empty.json", "undo", capsys=capsys)
    assert (code, out) == (1, "")
    assert one_line(err) == "parley: nothing to undo"


# -- history and list ----------------------------------------------------------------


def test_history_of_one_record(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parley(db, "set-status", "aid", "agreed", "--date", "2024-08-25", "--unsourced", capsys=capsys)
    code, out, _ = parley(db, "history", "--kind", "point", "--id", "aid", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3  # added, changed by the sample, and the status just set
    assert all(" point aid " in line for line in lines)
    assert lines[0].endswith("set the status of Aid deliveries to agreed, as of 25 Aug 2024")
    assert lines[1].endswith("edited sticking point Aid deliveries (status, sources)")
    assert lines[-1].endswith("added sticking point Aid deliveries")

    code, out, _ = parley(db, "history", "--limit", "2", "--json", capsys=capsys)
    assert code == 0
    changes = json.loads(out)
    assert len(changes) == 2
    assert changes[0]["record_id"] == "aid" and changes[0]["action"] == "update"
    assert changes[0]["after"]["status"] == "agreed"
    assert changes[0]["seq"] > changes[1]["seq"]


def test_list_is_a_table_of_ids_and_names(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = parley(db, "list", "round", capsys=capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["doha-round", "cairo-round"]
    assert out.splitlines()[0].endswith("  Doha round")


def test_list_json_parses_and_holds_the_records(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = parley(db, "list", "point", "--track", "talks", "--json", capsys=capsys)
    assert code == 0
    records = json.loads(out)
    with open_store(db) as repo:
        assert records == [
            {**p.model_dump(mode="json"), "revision": repo.revision("point", p.id)}
            for p in repo.list("point")
        ]
    assert {r["id"] for r in records} == {"corridor", "ceasefire-terms", "hostages", "aid"}


def test_store_text_is_printed_literally(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "[bold]Rafah[/bold] <b>x</b>"
    code, out, _ = parley(db, "add", "point", "--title", title, "--status", "open", capsys=capsys)
    assert (code, one_line(out)) == (0, "added point bold-rafah-bold-b-x-b")
    _, out, _ = parley(db, "list", "point", capsys=capsys)
    assert f"bold-rafah-bold-b-x-b  {title}" in out
