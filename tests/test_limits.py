"""The bounds on what Parley takes in (store/limits.py): at a bound it is taken, one
past it is refused in one line naming what and the bound, and the store's files are
left byte for byte as they were."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from tui_helpers import run_cli

from store import limits, open_store
from store.files.storage import JournalStorage

ARTICLE = (
    "Doha, 25 August. The mediators met both delegations again on Sunday and set out "
    "a timetable for the next round; neither side spoke to the press afterwards.\n\n"
)


@pytest.fixture
def db(sample_db: Path) -> Path:
    return sample_db


def files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def parley(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--db", str(db), *args], capsys)


def refused(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.mark.parametrize(
    ("option", "field", "limit"),
    [
        ("--title", "title", limits.LINE_CHARS),
        ("--description", "description", limits.TEXT_CHARS),
    ],
)
def test_a_text_field_at_its_limit_is_taken_and_one_past_refused(
    db: Path, capsys: pytest.CaptureFixture[str], option: str, field: str, limit: int
) -> None:
    base = ["add", "point", "--status", "open"]
    if field != "title":
        base += ["--title", "Crossings"]
    before = files(db)
    code, _, err = parley(db, *base, option, "é" * (limit + 1), capsys=capsys)
    assert code == 1
    refused(err, f"{field}:", f"at most {limit} characters")
    assert files(db) == before
    code, out, err = parley(db, *base, option, "é" * limit, capsys=capsys)
    assert (code, err) == (0, ""), err
    new_id = out.split()[-1]
    with open_store(db) as repo:
        assert len(getattr(repo.get("point", new_id), field)) == limit


def _text_fields() -> list[tuple[Any, str, bool]]:
    """(a sample record, a text field of its kind, is the field a list of texts), once
    for each field of each kind the sample fills."""
    import sample_store

    found: dict[tuple[str, str], tuple[Any, str, bool]] = {}
    for record in sample_store.records():
        for name in type(record).model_fields:
            value = getattr(record, name)
            listed = isinstance(value, list) and bool(value) and isinstance(value[0], str)
            if (isinstance(value, str) and not isinstance(value, Enum)) or listed:
                found.setdefault((record.kind, name), (record, name, listed))
    return [found[key] for key in sorted(found)]


def _expected_limit(record: Any, name: str, listed: bool) -> int:
    """The bound README gives the field: the article's text, else by whether the field
    takes a second line."""
    if (record.kind, name) == ("source", "text"):
        return limits.ARTICLE_CHARS
    doc = record.model_dump(mode="json")
    two_lines = ["a\nb"] if listed else "a\nb"
    try:
        type(record).model_validate({**doc, name: two_lines})
    except ValidationError:
        return limits.LINE_CHARS
    return limits.TEXT_CHARS


@pytest.mark.parametrize(
    ("record", "name", "listed"),
    _text_fields(),
    ids=[f"{r.kind}.{n}" for r, n, _ in _text_fields()],
)
def test_every_text_field_takes_its_limit_and_refuses_one_more(
    record: Any, name: str, listed: bool
) -> None:
    limit = _expected_limit(record, name, listed)
    doc = record.model_dump(mode="json")
    cls = type(record)

    def value(n: int) -> Any:
        return ["a" * n] if listed else "a" * n

    assert cls.model_validate({**doc, name: value(limit)}).model_dump()[name] == value(limit)
    with pytest.raises(ValidationError) as info:
        cls.model_validate({**doc, name: value(limit + 1)})
    error = info.value.errors()[0]
    assert (error["type"], error["loc"][0]) == ("string_too_long", name)
    assert f"at most {limit} characters" in error["msg"]


def test_a_field_added_later_is_bounded_without_a_word() -> None:
    """The base model holds every string to the text bound, whatever its type says."""
    from pydantic import ValidationError

    from store.record import Model

    class Later(Model):
        note: str
        names: list[str] = []

    Later(note="n" * limits.TEXT_CHARS, names=["n" * limits.TEXT_CHARS])
    with pytest.raises(ValidationError, match=f"at most {limits.TEXT_CHARS} characters"):
        Later(note="n" * (limits.TEXT_CHARS + 1))
    with pytest.raises(ValidationError, match=f"at most {limits.TEXT_CHARS} characters"):
        Later(note="", names=["n" * (limits.TEXT_CHARS + 1)])


def test_an_article_past_its_limit_is_refused_before_it_is_read(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "report.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    size = len(ARTICLE.encode("utf-8"))
    monkeypatch.setattr(limits, "ARTICLE_FILE_BYTES", size - 1)
    before = files(db)
    args = ["capture", str(article), "--outlet", "Desk", "--title", "Doha", "--kind", "wire"]
    code, _, err = parley(db, *args, "--date", "2024-08-25", capsys=capsys)
    assert code == 1
    refused(err, str(article), f"{size} bytes", f"limit of {size - 1} bytes for an article")
    assert files(db) == before
    monkeypatch.setattr(limits, "ARTICLE_FILE_BYTES", size)
    code, _, err = parley(db, *args, "--date", "2024-08-25", capsys=capsys)
    assert (code, err) == (0, "")


def test_a_kept_text_past_its_limit_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "long.txt"
    article.write_text("a" * (limits.ARTICLE_CHARS + 1), encoding="utf-8")
    before = files(db)
    args = ["capture", str(article), "--outlet", "Desk", "--title", "Long", "--kind", "wire"]
    code, _, err = parley(db, *args, "--date", "2024-08-25", capsys=capsys)
    assert code == 1
    refused(err, "text:", f"at most {limits.ARTICLE_CHARS} characters")
    assert files(db) == before


def exported(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "export.json"
    code, _, _ = parley(db, "export", "-o", str(out), capsys=capsys)
    assert code == 0
    return out


@pytest.mark.parametrize("form", ["json", "csv"])
def test_an_import_past_its_limit_is_refused_before_it_is_parsed(
    db: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    form: str,
) -> None:
    if form == "json":
        source = exported(db, tmp_path, capsys)
        size = source.stat().st_size
    else:
        source = tmp_path / "talks-csv"
        assert parley(db, "export", "--format", "csv", "-o", str(source), capsys=capsys)[0] == 0
        size = sum(p.stat().st_size for p in source.iterdir())
    target = tmp_path / "other" / "copy.json"
    target.parent.mkdir()
    with open_store(target):
        pass
    before = files(target)
    monkeypatch.setattr(limits, "IMPORT_BYTES", size - 1)
    code, _, err = parley(target, "import", str(source), capsys=capsys)
    assert code == 1
    assert f"{source}: {size:,} bytes, past the limit of {size - 1:,} bytes for an import" in err
    assert "Traceback" not in err
    assert files(target) == before
    monkeypatch.setattr(limits, "IMPORT_BYTES", size)
    code, _, err = parley(target, "import", str(source), capsys=capsys)
    assert code == 0, err


def test_an_import_on_standard_input_is_read_no_further_than_its_limit(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    data = exported(db, tmp_path, capsys).read_bytes()
    stream = io.BytesIO(data)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(stream))
    monkeypatch.setattr(limits, "IMPORT_BYTES", 100)
    before = files(db)
    code, _, err = parley(db, "import", "-", capsys=capsys)
    assert code == 1
    assert "<stdin>: more than 100 bytes, past the limit of 100 bytes for an import" in err
    assert stream.tell() <= 101 + io.DEFAULT_BUFFER_SIZE
    assert files(db) == before


def test_a_journal_line_past_its_limit_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(db)
    monkeypatch.setattr(limits, "JOURNAL_LINE_BYTES", 200)
    code, _, err = parley(db, "add", "point", "--title", "Crossings", "--status", "open",
                          capsys=capsys)  # fmt: skip
    assert code == 1
    refused(err, "one write to", ".journal", "past the limit of 200 bytes", "nothing was saved")
    assert files(db) == before


def test_a_history_line_of_many_blocks_is_read_whole(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read from the end in blocks, a line longer than many blocks comes back whole, and
    so does every line before it."""
    with open_store(db) as repo:
        repo.compact()
    history = db.with_name(db.name + ".history")
    lines = history.read_bytes().rstrip(b"\n").split(b"\n")
    last = json.loads(lines[-1])
    last["summary"] = "long " * 5000
    lines[-1] = json.dumps(last, separators=(",", ":")).encode()
    history.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr("store.files.history.HISTORY_BLOCK", 64)
    storage = JournalStorage(db)
    try:
        read = list(storage._history_lines_backwards())
    finally:
        storage.close()
    assert [line for _, line in read] == list(reversed(lines))
    offsets = [offset for offset, _ in read]
    data = history.read_bytes()
    assert [data[o : o + len(line)] for o, (_, line) in zip(offsets, read, strict=True)] == [
        line for _, line in read
    ]
