"""Export and import: identical round trips, all-or-nothing imports, fuzzed inputs."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sample_store
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sample_store import TRACK, Clock

from store import Repository, model_for, open_store
from store.exchange.bundle import EXPORT_FORMAT, ImportReport
from store.exchange.export import (
    dump_export,
    export_csv,
    export_csv_files,
    export_document,
    export_json,
)
from store.exchange.importing import import_json, import_path
from store.exchange.read import read_csv_files
from store.models import KIND_ORDER
from tui.cli import ImportProgress, main


def store_files(path: Path) -> dict[str, bytes | None]:
    """The bytes of a store's snapshot and journal (None where a file does not exist)."""
    found: dict[str, bytes | None] = {}
    for name in (path.name, path.name + ".journal"):
        p = path.with_name(name)
        found[name] = p.read_bytes() if p.exists() else None
    return found


# -- export ------------------------------------------------------------------------


def test_export_is_versioned_sorted_and_deterministic(sample: Repository) -> None:
    document = export_document(sample)
    assert list(document) == ["format", "schema", "records", "changes"]
    assert document["format"] == EXPORT_FORMAT and document["schema"] == 1
    assert list(document["records"]) == list(KIND_ORDER)
    for kind, records in document["records"].items():
        ids = [r["id"] for r in records]
        assert ids == sorted(ids), kind
        assert len(ids) == sample.count(kind)
    seqs = [c["seq"] for c in document["changes"]]
    assert seqs == sorted(seqs) and len(seqs) == len(sample.history())
    # Keys in the model's own order (a field left out when empty, such as a round's
    # people, only then), and the same text every time.
    for kind in KIND_ORDER:
        declared = model_for(kind).model_fields
        for record in document["records"][kind]:
            fields = [f for f in declared if f in record or declared[f].exclude_if is None]
            assert list(record) == fields
    assert export_json(sample) == export_json(sample) == dump_export(document)


def test_json_round_trip_is_identical(sample: Repository, tmp_path: Path) -> None:
    first = export_json(sample)
    with open_store(tmp_path / "copy.json") as copy_repo:
        report = import_json(copy_repo, first)
        assert report.ok, report.problems
        assert report.history_restored == len(sample.history())
        second = export_json(copy_repo)
    assert second == first
    # From disk too, and the restored history undoes what the original would.
    with open_store(tmp_path / "copy.json") as again:
        assert export_json(again) == first
        assert again.undoable() == sample.undoable()
        # New writes are numbered after the restored history, not over it.
        event = again.get("event", "toll")
        again.update(event.model_copy(update={"title": "Death toll revised"}))
        assert again.history(limit=1)[0].seq == len(sample.history()) + 1
        assert len(again.history()) == len(sample.history()) + 1


def test_csv_round_trip_gives_the_same_json(sample: Repository, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    written = export_csv(sample, folder)
    assert sorted(p.name for p in written) == sorted(
        [f"{k}.csv" for k in KIND_ORDER] + ["change.csv"]
    )
    rows = list(csv.DictReader(io.StringIO((folder / "position.csv").read_text())))
    row = next(r for r in rows if r["id"] == "hamas-hostages-0821")
    assert json.loads(row["source_ids"]) == ["state-0821", "review-0822"]
    assert row["unsourced"] == "false" and row["round_id"] == ""
    with open_store(tmp_path / "from-csv.json") as copy_repo:
        report = import_path(copy_repo, folder)
        assert report.ok, report.problems
        assert export_json(copy_repo) == export_json(sample)


# -- import: all or nothing ----------------------------------------------------------


def partial_store(path: Path) -> Repository:
    """A store that already holds something: the sample's actors."""
    repo = open_store(path)
    repo.add_many([r for r in sample_store.records() if r.kind == "actor"])
    # Folded in now: closing has nothing left to checkpoint, and leaves the files alone.
    repo.compact()
    return repo


def test_an_error_in_the_last_json_record_writes_nothing(
    sample: Repository, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = export_document(sample)
    last = document["records"]["assessment"][-1]
    assert last["id"] == "pundit-0821"
    last["date"] = "2024-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(dump_export(document))
    target_path = tmp_path / "target.json"
    with partial_store(target_path) as target:
        before, count = store_files(target_path), target.count()
        report = import_path(target, bad)
        assert target.count() == count
    assert store_files(target_path) == before
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.file == str(bad)
    assert "assessment" in problem.record and "pundit-0821" in problem.record
    assert problem.field == "date"
    assert "not a real date" in problem.reason
    # The command says the same, one line per problem, and exits 1.
    code = main(["--db", str(target_path), "import", str(bad)])
    err = capsys.readouterr().err.strip().split("\n")
    assert code == 1
    assert err[0] == str(problem)
    assert err[0].startswith(f"{bad}: assessment #2 'pundit-0821': date: ")
    assert err[-1] == f"parley: 1 problem(s) in {bad}; nothing was imported"
    assert store_files(target_path) == before


def test_an_error_in_the_last_csv_row_writes_nothing(sample: Repository, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    export_csv(sample, folder)
    # change.csv is read last; break its last row.
    path = folder / "change.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[-1][rows[0].index("action")] = "rename"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue())
    target_path = tmp_path / "target.json"
    with partial_store(target_path) as target:
        before = store_files(target_path)
        report = import_path(target, folder, manifest=False)
    assert store_files(target_path) == before
    assert [(p.file, p.record, p.field) for p in report.problems] == [
        (str(path), f"row {len(rows)}", "action")
    ]


def test_dangling_and_cross_track_references_are_problems(
    sample: Repository, tmp_path: Path
) -> None:
    document = export_document(sample)
    document["records"]["actor"] = [a for a in document["records"]["actor"] if a["id"] != "egypt"]
    other = dict(document["records"]["track"][0], id="other-talks", title="Other talks")
    document["records"]["track"].append(other)
    moved = next(e for e in document["records"]["event"] if e["id"] == "arms-sale")
    moved["track_id"] = "other-talks"
    with open_store(tmp_path / "t.json") as target:
        report = import_json(target, dump_export(document), "x.json")
        assert target.count() == 0
    found = {(p.record, p.field) for p in report.problems}
    assert ("track #1 'talks'", "participants") in found
    assert ("round #1 'cairo-round'", "mediator_ids") in found
    assert any("proposal" in r and f == "by_ids" for r, f in found)
    text = [str(p) for p in report.problems]
    assert any(
        "refers to actor 'egypt', which is neither in the import nor the store" in t for t in text
    )
    # The event moved to the other track cites nothing from it; its actors are shared.
    assert not any("arms-sale" in t for t in text)


def test_every_bad_reference_of_a_record_is_reported(sample: Repository, tmp_path: Path) -> None:
    """An import lists all of a record's bad references, where a write stops at the first."""
    document = export_document(sample)
    other = dict(document["records"]["track"][0], id="other-talks", title="Other talks")
    document["records"]["track"].append(other)
    point = dict(
        next(p for p in document["records"]["point"] if p["id"] == "aid"),
        id="elsewhere",
        track_id="other-talks",
    )
    document["records"]["point"].append(point)
    stray = dict(
        next(p for p in document["records"]["position"] if p["track_id"] == TRACK),
        id="stray",
        point_id="elsewhere",
        actor_id="nobody",
        speaker_id="no-one",
    )
    document["records"]["position"].append(stray)
    with open_store(tmp_path / "t.json") as target:
        report = import_json(target, dump_export(document), "x.json")
        assert target.count() == 0
    found = {(p.field, p.reason) for p in report.problems if "'stray'" in p.record}
    assert found == {
        ("point_id", "point 'elsewhere' belongs to track 'other-talks', not 'talks'"),
        ("actor_id", "refers to actor 'nobody', which is neither in the import nor the store"),
        ("speaker_id", "refers to person 'no-one', which is neither in the import nor the store"),
    }
    # Nothing else in the import is wrong.
    assert all("'stray'" in p.record for p in report.problems), [str(p) for p in report.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "not valid JSON at line 1, column 1"),
        ("[1, 2]", "expected a Parley export object, found list"),
        ('{"format": "parley"}', 'format: not a Parley export (no "format": "parley-export"'),
        ('{"format": "parley-export", "schema": 2}', "schema: this Parley reads export schema 1"),
        ('{"format": "parley-export", "schema": true}', "schema: this Parley reads"),
        ('{"format": "parley-export", "schema": 1, "extra": 1}', "'extra': unexpected top-level"),
        ('{"format": "parley-export", "schema": 1, "records": {"treaty": []}}', "not a kind"),
        ('{"format": "parley-export", "schema": 1, "records": {"actor": {}}}', "must be a list"),
        ('{"format": "parley-export", "schema": 1, "records": {"actor": [7]}}', "be an object"),
        ('{"format": "parley-export", "schema": 1, "changes": {}}', "changes: must be a list"),
        ('{"format": "parley-export", "schema": 1, "records": {"actor": [{"id": "a"}]}}',
         "actor #1 'a': name: Field required"),
        ('{"format": "parley-export", "schema": NaN}', "NaN is not a JSON number"),
        ("[" * 100_000, "nested too deeply"),
        (b"\xff\xfe".decode("latin-1"), "not valid JSON"),
    ],
)  # fmt: skip
def test_file_level_problems(tmp_path: Path, text: str, expected: str) -> None:
    with open_store(tmp_path / "t.json") as target:
        report = import_json(target, text, "in.json")
    assert report.problems
    assert any(expected in str(p) for p in report.problems), [str(p) for p in report.problems]
    assert all("\n" not in str(p) and str(p).startswith("in.json") for p in report.problems)


def test_duplicates_and_bad_history_are_problems(sample: Repository, tmp_path: Path) -> None:
    document = export_document(sample)
    document["records"]["actor"].append(copy.deepcopy(document["records"]["actor"][0]))
    document["changes"].append(dict(document["changes"][-1]))
    document["changes"][0]["undoes"] = 99
    with open_store(tmp_path / "t.json") as target:
        report = import_json(target, dump_export(document), "d.json")
    text = [str(p) for p in report.problems]
    assert any("actor #6 'egypt': id: actor 'egypt' is also actor #1 'egypt'" in t for t in text)
    assert any(t.startswith("d.json: change #") and ": seq: " in t for t in text)
    # Reference problems are only looked for once each record is valid on its own.
    assert len(text) == 2


def test_bad_csv_files(sample: Repository) -> None:
    files = {k: v.encode() for k, v in export_csv_files(sample).items()}
    cases: list[tuple[dict[str, bytes], str]] = [
        ({"notes.csv": b"a\n"}, "not a file of a Parley CSV export"),
        ({"actor.csv": b""}, "empty file"),
        ({"actor.csv": b"id,name,colour\n"}, "'colour': not a column of this kind"),
        ({"actor.csv": b"id,name\n"}, "actor_kind: required column is missing"),
        ({"actor.csv": b"id,id,name,actor_kind\n"}, "'id': column appears twice"),
        (
            {"actor.csv": b'id,name,actor_kind,aliases\na,A,state,"[1,"\n'},
            "aliases: not valid JSON",
        ),
        ({"actor.csv": b"id,name,actor_kind\na,A\n"}, "row 2: (row): has 2 cells"),
        ({"actor.csv": b'id,name\n"a\n'}, "not valid CSV"),
        ({"actor.csv": b"id,name\x00\n"}, "NUL byte"),
        ({"actor.csv": b"\xff\n"}, "not valid UTF-8"),
        ({"point.csv": files["point.csv"]}, "refers to track 'talks', which is neither"),
    ]
    for given_files, expected in cases:
        bundle, problems = read_csv_files(given_files, "dir")
        with tempfile.TemporaryDirectory() as d, open_store(Path(d) / "t.json") as target:
            from store.exchange.importing import import_bundle

            report = import_bundle(target, bundle, problems)
            assert target.count() == 0
        assert any(expected in str(p) for p in report.problems), (
            expected,
            [str(p) for p in report.problems],
        )
    # A byte-order mark, as spreadsheets write, is fine.
    bundle, problems = read_csv_files({"actor.csv": b"\xef\xbb\xbf" + files["actor.csv"]})
    assert not problems and len(bundle.records) == 5


def test_dry_run_reports_and_writes_nothing(sample: Repository, tmp_path: Path) -> None:
    document = export_document(sample)
    position = next(p for p in document["records"]["position"] if p["id"] == "israel-aid-0814")
    position["stance"] = "No more trucks."
    event = dict(document["records"]["event"][0], id="new-event", title="Something new")
    document["records"]["event"].append(event)
    path = sample.path
    before = store_files(path)
    report = import_json(sample, dump_export(document), dry_run=True)
    assert report.ok and report.dry_run and not report.written
    assert store_files(path) == before
    assert [(r.kind, r.id) for r in report.added] == [("event", "new-event")]
    assert [(r.id, fields) for r, fields in report.changed] == [("israel-aid-0814", ["stance"])]
    assert report.lines() == [
        "add event 'new-event'",
        "change position 'israel-aid-0814' (stance)",
    ]
    assert "not merged" in report.history_note
    # Done for real: two new changes on top of the store's own history.
    seqs = len(sample.history())
    report = import_json(sample, dump_export(document))
    assert report.written and report.summary().startswith("added 1, changed 1, unchanged")
    assert len(sample.history()) == seqs + 2
    assert sample.get("position", "israel-aid-0814").stance == "No more trucks."  # type: ignore[attr-defined]


def test_a_history_that_disagrees_with_the_records_is_not_restored(
    sample: Repository, tmp_path: Path
) -> None:
    document = export_document(sample)
    document["records"]["actor"][0]["description"] = "Edited by hand."
    with open_store(tmp_path / "t.json") as target:
        report = import_json(target, dump_export(document))
        assert report.ok and report.history_restored == 0
        assert "does not match its records" in report.history_note
        assert len(target.history()) == sample.count()
        assert target.problems() == []


def test_progress_is_reported_for_big_imports(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {
            "id": f"event-{n:05d}",
            "track_id": TRACK,
            "date": "2024-08-20",
            "event_kind": "other",
            "title": f"Event {n}",
            "text": "Something happened.",
            "unsourced": True,
        }
        for n in range(2100)
    ]
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "schema": 1, "records": {}}
    base = [r for r in sample_store.records() if r.kind in ("actor", "track")]
    for record in base:
        document["records"].setdefault(record.kind, []).append(record.model_dump(mode="json"))
    document["records"]["event"] = records
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    calls: list[tuple[int, int]] = []
    with open_store(tmp_path / "t.json") as target:
        report = import_path(target, path, progress=lambda done, total: calls.append((done, total)))
        assert report.ok and target.count("event") == 2100
    total = 2100 + len(base)
    assert calls[-1] == (total, total) and len(calls) > 5
    bar = ImportProgress()
    bar(10, 100)
    assert bar.progress is None, "no bar for a small import"
    bar(10, total)
    assert bar.progress is not None
    bar(total, total)
    bar.close()


# -- fuzzing -----------------------------------------------------------------------


class Target:
    """A store with the sample in it, put back only after an import changed it."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.dir = Path(tempfile.mkdtemp(prefix="parley-fuzz-"))
        self.path = self.dir / "store.json"
        self.repo = self._open()

    def _open(self) -> Repository:
        for p in self.source.parent.glob(self.source.name + "*"):
            if not p.name.endswith(".lock"):
                shutil.copy(p, self.dir / p.name.replace(self.source.name, self.path.name))
        return open_store(self.path, clock=Clock())

    def files(self) -> dict[str, bytes | None]:
        return store_files(self.path)

    def reset(self) -> None:
        self.repo.close()
        for p in self.dir.glob(self.path.name + "*"):
            p.unlink()
        self.repo = self._open()

    def close(self) -> None:
        self.repo.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    clock = Clock()
    path = tmp_path_factory.mktemp("base") / "base.json"
    with open_store(path, clock=clock) as repo:
        sample_store.build(repo, clock)
        repo.compact()
        document = export_document(repo)
    yield path, document


def check_import(target: Target, run: Any) -> ImportReport:
    """Run an import; with problems the store must be byte for byte as it was."""
    before = target.files()
    report: ImportReport = run()
    event("problems" if report.problems else "written" if report.written else "nothing to write")
    if report.problems:
        assert target.files() == before
        for problem in report.problems:
            line = str(problem)
            assert line and "\n" not in line and "\r" not in line
            assert problem.file
    else:
        assert target.repo.problems() == []
        if report.written:
            with open_store(target.path) as again:
                assert export_json(again) == export_json(target.repo)
            target.reset()
    return report


SAMPLES = [
    "",
    " ",
    "x",
    "talks",
    "wire-0819",
    "israel",
    "hamas",
    "2024-08-20",
    "2024-02-30",
    "2024-08-20T10:00:00",
    "open",
    "red line",
    "accepted",
    "Bad Id",
    "line\nbreak",
    "tab\there",
    "esc\x1b[31m",
    "nul\x00",
    "<script>alert(1)</script>",
    "[bold]x[/bold]",
    "a" * 300,
    "\ud800",
]
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(SAMPLES),
)
VALUE = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def mutate(data: st.DataObject, node: Any) -> None:
    """Walk into the document at random and break (or quietly change) one thing."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.integers(0, 9)) < 8:
            node = child
            continue
        op = data.draw(st.sampled_from(["delete", "replace", "sample", "duplicate", "rename"]))
        if op == "delete":
            del node[key]
        elif op == "replace":
            node[key] = data.draw(VALUE)
        elif op == "sample":
            node[key] = data.draw(st.sampled_from(SAMPLES))
        elif op == "duplicate" and isinstance(node, list):
            node.append(copy.deepcopy(child))
        elif op == "rename" and isinstance(node, dict):
            node[data.draw(st.sampled_from([*SAMPLES[:8], "kind", "extra"]))] = node.pop(key)
        return


def corrupt_text(data: st.DataObject, text: bytes) -> bytes:
    where = data.draw(st.integers(0, max(len(text) - 1, 0)))
    op = data.draw(st.sampled_from(["truncate", "insert", "bom", "none"]))
    if op == "truncate":
        return text[:where]
    if op == "insert":
        return text[:where] + data.draw(st.binary(min_size=1, max_size=4)) + text[where:]
    if op == "bom":
        return b"\xef\xbb\xbf" + text
    return text


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Damaged imports tried in each test: a bounded run here, new draws each run; `make fuzz`
# runs twenty times as many (PARLEY_IMPORT_EXAMPLES).
IMPORT_EXAMPLES = int(os.environ.get("PARLEY_IMPORT_EXAMPLES", "250"))


@settings(FUZZ, max_examples=IMPORT_EXAMPLES)
@given(data=st.data())
def test_fuzzed_json_imports(base: tuple[Path, dict[str, Any]], data: st.DataObject) -> None:
    path, document = base
    # Into the sample store (a merge) or into an empty one (where history is restored).
    target = _target(path if data.draw(st.integers(0, 3)) else path.with_name("empty.json"))
    mutated = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(0, 3))):
        mutate(data, mutated)
    try:
        text = json.dumps(mutated, ensure_ascii=data.draw(st.booleans())).encode(
            "utf-8", "surrogatepass"
        )
    except (TypeError, ValueError):
        return
    if data.draw(st.integers(0, 4)) == 0:
        text = corrupt_text(data, text)
    check_import(target, lambda: import_json(target.repo, text, "fuzz.json"))


@settings(FUZZ, max_examples=IMPORT_EXAMPLES)
@given(data=st.data())
def test_fuzzed_csv_imports(base: tuple[Path, dict[str, Any]], data: st.DataObject) -> None:
    path, _ = base
    target = _target(path)
    files = {name: text.encode() for name, text in _csv_files(path).items()}
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(files))) if files else "actor.csv"
        op = data.draw(
            st.sampled_from(["cell", "cell", "cell", "row", "header", "drop", "extra", "bytes"])
        )
        text = files.get(name, b"")
        if op == "drop":
            files.pop(name, None)
            continue
        if op == "extra":
            files[data.draw(st.sampled_from(["notes.csv", "actor.csv", "change.csv"]))] = text
            continue
        if op == "bytes":
            files[name] = corrupt_text(data, text)
            continue
        try:
            rows = list(csv.reader(io.StringIO(text.decode("utf-8"))))
        except (UnicodeDecodeError, csv.Error):
            continue
        if not rows:
            continue
        r = data.draw(st.integers(0, len(rows) - 1)) if op != "header" else 0
        if op == "row":
            rows.insert(r, copy.copy(rows[r]) if data.draw(st.booleans()) else rows[r][:-1])
        elif rows[r]:
            c = data.draw(st.integers(0, len(rows[r]) - 1))
            value = data.draw(
                st.one_of(st.sampled_from(SAMPLES), st.text(max_size=10), VALUE.map(json.dumps))
            )
            rows[r][c] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        files[name] = buffer.getvalue().encode("utf-8", "surrogatepass")
    folder = target.dir / "csv"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    check_import(target, lambda: import_path(target.repo, folder, manifest=False))


_TARGETS: dict[Path, Target] = {}
_CSV: dict[Path, dict[str, str]] = {}


def _target(path: Path) -> Target:
    if path not in _TARGETS:
        _TARGETS[path] = Target(path)
    return _TARGETS[path]


def _csv_files(path: Path) -> dict[str, str]:
    if path not in _CSV:
        with open_store(path) as repo:
            _CSV[path] = export_csv_files(repo)
    return _CSV[path]


@pytest.fixture(scope="module", autouse=True)
def _close_targets() -> Iterator[None]:
    yield
    for target in _TARGETS.values():
        target.close()
    _TARGETS.clear()


def test_fuzz_base_is_a_valid_import(base: tuple[Path, dict[str, Any]]) -> None:
    """The unmutated inputs of the fuzz tests import cleanly, so mutations are what fail."""
    _, document = base
    with tempfile.TemporaryDirectory() as d, open_store(Path(d) / "t.json") as repo:
        assert import_json(repo, dump_export(document)).ok
    assert model_for("track").model_validate(document["records"]["track"][0]).id == TRACK
