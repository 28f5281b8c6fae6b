"""Exporting a whole store to JSON or CSV, and importing such an export back.

The JSON export is one versioned document::

    {"format": "parley-export", "schema": 1,
     "records": {"actor": [...], "person": [...], ...},
     "changes": [...]}

with every kind present (possibly empty), records sorted by id, changes by
sequence number, and each record's keys in the model's field order, so that
the same store always exports to the same bytes: export, import into an empty
store and export again gives identical JSON.

The CSV export is a folder with one file per kind (``actor.csv`` ...
``assessment.csv`` and ``change.csv`` for the history). Columns are the
model's fields; list and nested fields are JSON in their cell, an empty cell
is "none" for optional fields and the empty text for text fields. A text cell a
spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with a leading ``'``, and so is one that
starts with ``'`` itself; the import drops that one ``'`` again, so the round trip
is exact.

Importing validates everything before writing anything: every record against
its model, ids unique per kind, every reference resolving to a record in the
file or already in the store, and the history's own consistency. Each problem
is reported as file, record, field and reason; any problem means nothing is
written. The records are then written with ``Repository.put_many``, in one
transaction.

The change history is restored only into an empty store, and only when
replaying it yields exactly the records in the file: merging another store's
history into a store with its own would make "undo" revert changes this
store never saw, and a history that disagrees with its records would do the
same. In every other case the import is recorded like any other write, as
new changes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import limits
from ..errors import DiskError, StoreError

# Written whole by store.files.atomic; still importable from here, where it was first.
from ..files.atomic import write_atomic as write_atomic
from ..files.journal import CHANGES
from ..models import KIND_ORDER, RECORD_TYPES, Change, Record, track_of
from ..records.commands import Commands
from ..records.references import dangling, move_blocker
from ..records.repository import Repository
from . import backup

EXPORT_FORMAT = "parley-export"
EXPORT_SCHEMA = 1
CHANGE_FILE = f"{CHANGES}.csv"
# A cell may hold a long stance or a whole record as JSON; the csv module's default
# limit (128 KiB) is lower than a store allows.
CSV_FIELD_LIMIT = 64 * 1024 * 1024

# Called as progress(done, total) while records are checked.
Progress = Callable[[int, int], None]


# -- problems ------------------------------------------------------------------


def _printable(text: str) -> str:
    """Text safe to print on one terminal line: control characters shown as escapes."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _show(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


@dataclass(frozen=True)
class Problem:
    """One reason an import cannot go ahead: where it is and why."""

    file: str
    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        parts = [self.file, self.record, self.field, self.reason]
        return _printable(": ".join(p for p in parts if p))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _validation_problems(
    file: str, record: str, exc: ValidationError, prefix: str = ""
) -> list[Problem]:
    found = []
    for error in exc.errors():
        where = _loc(tuple(error["loc"]))
        if prefix:
            where = f"{prefix}.{where}" if where else prefix
        reason = str(error["msg"]).removeprefix("Value error, ")
        found.append(Problem(file, record, where or "(record)", reason))
    return found


# -- the parsed contents of an export ------------------------------------------


@dataclass
class Bundle:
    """What an export holds, validated record by record (references not yet checked)."""

    records: list[Record] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # Where each record came from, for problems found later: (kind, id) -> (file, record).
    origin: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The file or folder read, and the file the history came from.
    name: str = ""
    history_file: str = ""


@dataclass
class ImportReport:
    """What an import found, and what it did (or, in a dry run, would do)."""

    problems: list[Problem] = field(default_factory=list)
    added: list[Record] = field(default_factory=list)
    changed: list[tuple[Record, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    history_restored: int = 0
    history_note: str = ""
    written: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{verb} {len(self.added)}, "
            f"{'would change' if self.dry_run else 'changed'} {len(self.changed)}, "
            f"unchanged {self.unchanged}"
        )
        if self.history_restored:
            restored = "would restore" if self.dry_run else "restored"
            text += f"; {restored} {self.history_restored} history entries"
        elif self.history_note:
            text += f"; {self.history_note}"
        return text

    def lines(self) -> list[str]:
        """One line per record added or changed."""
        out = [f"add {r.kind} {r.id!r}" for r in self.added]
        out += [f"change {r.kind} {r.id!r} ({', '.join(fields)})" for r, fields in self.changed]
        return [_printable(line) for line in out]


# -- exporting -----------------------------------------------------------------


def _record_dumps(repo: Repository, kind: str) -> list[dict[str, Any]]:
    records = sorted(repo.list(kind), key=lambda r: r.id)
    return [r.model_dump(mode="json") for r in records]


def _change_dumps(repo: Repository) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in reversed(repo.history())]


def export_document(repo: Repository) -> dict[str, Any]:
    """The whole store as one JSON-ready document (see the module doc)."""
    with repo.storage.locked(shared=True):
        repo.refresh()
        return {
            "format": EXPORT_FORMAT,
            "schema": EXPORT_SCHEMA,
            "records": {kind: _record_dumps(repo, kind) for kind in KIND_ORDER},
            "changes": _change_dumps(repo),
        }


def dump_export(document: dict[str, Any]) -> str:
    """The export document as text: UTF-8 JSON, two-space indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_json(repo: Repository) -> str:
    return dump_export(export_document(repo))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


# A cell a spreadsheet would take for a formula (OWASP's "CSV injection"): one that
# starts with one of these, also after leading spaces (some programs trim them first),
# and the full-width forms, which some spreadsheets read as the ASCII ones.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Written before such a cell, as OWASP advises, so that it is shown as text.
_QUOTE = "'"


def _needs_quote(text: str) -> bool:
    """Whether a text cell is written with a leading quote: when a spreadsheet would run
    it, and when it starts with a quote itself, so that reading drops only ours."""
    return text.startswith(_QUOTE) or text.lstrip(" ").startswith(_FORMULA_START)


def _defuse(text: str) -> str:
    """A text cell as written: quoted when a spreadsheet would run it (see _restore)."""
    return _QUOTE + text if _needs_quote(text) else text


def _restore(cell: str) -> str:
    """A text cell as read: _defuse undone. A quote is dropped only where _defuse would
    have put one, so a hand-made cell like ``'tis`` keeps its quote."""
    rest = cell[1:]
    return rest if cell.startswith(_QUOTE) and _needs_quote(rest) else cell


def _csv_text(model: type[BaseModel], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(model.model_fields)
    # Only text columns are quoted. Dates, numbers and true/false are written as they
    # are (a negative number stays a number, which a spreadsheet shows and never runs);
    # lists and objects are JSON, which starts with "[" or "{".
    columns = _columns(model)
    text = [columns[name].textual and not columns[name].nested for name in names]
    writer.writerow(names)
    for row in rows:
        cells = [_cell(row.get(name)) for name in names]
        writer.writerow([_defuse(c) if t else c for c, t in zip(cells, text, strict=True)])
    return buffer.getvalue()


def export_csv_files(repo: Repository) -> dict[str, str]:
    """Each CSV file of the export: file name -> its text."""
    return _csv_files(export_document(repo))


def _csv_files(document: dict[str, Any]) -> dict[str, str]:
    files = {
        f"{kind}.csv": _csv_text(RECORD_TYPES[kind], document["records"][kind])
        for kind in KIND_ORDER
    }
    files[CHANGE_FILE] = _csv_text(Change, document["changes"])
    return files


def export_csv(repo: Repository, folder: Path) -> list[Path]:
    """Write the CSV export as ``folder``, whole, with its manifest (``store/exchange/backup.py``);
    an older export there is replaced. Returns the CSV files written."""
    document = export_document(repo)
    files = {name: text.encode("utf-8") for name, text in _csv_files(document).items()}
    rows = {f"{kind}.csv": len(document["records"][kind]) for kind in KIND_ORDER}
    rows[CHANGE_FILE] = len(document["changes"])
    backup.write_folder(folder, files, rows)
    return [folder / name for name in files]


# -- reading an export ---------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def _validate_record(
    bundle: Bundle,
    problems: list[Problem],
    seen: dict[tuple[str, str], str],
    kind: str,
    raw: Any,
    file: str,
    where: str,
) -> None:
    """Validate one raw record and add it to the bundle, or say what is wrong with it."""
    cls = RECORD_TYPES[kind]
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    label = f"{where} {_show(raw_id)}" if isinstance(raw_id, str) else where
    if not isinstance(raw, dict):
        problems.append(Problem(file, label, "(record)", "must be an object"))
        return
    try:
        record = cls.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(file, label, exc))
        return
    key = (kind, record.id)
    if key in seen:
        problems.append(Problem(file, label, "id", f"{kind} {record.id!r} is also {seen[key]}"))
        return
    seen[key] = label
    bundle.records.append(record)
    bundle.origin[key] = (file, label)


def _validate_change(
    bundle: Bundle,
    problems: list[Problem],
    seen: dict[int, str],
    raw: Any,
    file: str,
    where: str,
) -> None:
    if not isinstance(raw, dict):
        problems.append(Problem(file, where, "(record)", "must be an object"))
        return
    try:
        change = Change.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(file, where, exc))
        return
    if change.seq < 1:
        problems.append(Problem(file, where, "seq", "must be 1 or more"))
        return
    for name in ("record_kind", "record_id", "summary", "before", "after"):
        bad = _unwritable(getattr(change, name))
        if bad:
            problems.append(Problem(file, where, name, bad))
            return
    if change.seq in seen:
        problems.append(Problem(file, where, "seq", f"{change.seq} is also {seen[change.seq]}"))
        return
    seen[change.seq] = where
    bundle.changes.append(change)


def _unwritable(value: Any) -> str:
    """Why a value from the history cannot go into the store as is, or ""."""
    if isinstance(value, str):
        for ch in value:
            if unicodedata.category(ch) == "Cs":
                return f"contains a lone surrogate (U+{ord(ch):04X}), which UTF-8 cannot hold"
        return ""
    if isinstance(value, dict):
        for key, item in value.items():
            reason = _unwritable(key) or _unwritable(item)
            if reason:
                return reason
    if isinstance(value, list):
        for item in value:
            reason = _unwritable(item)
            if reason:
                return reason
    return ""


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % 200 == 0 or done == total):
        progress(done, total)


def read_json_export(
    data: bytes | str, name: str, progress: Progress | None = None
) -> tuple[Bundle, list[Problem]]:
    """Parse and validate a JSON export; the bundle is only meaningful without problems."""
    bundle = Bundle(name=name, history_file=name)
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = _loads(text)
    except UnicodeDecodeError as exc:
        return bundle, [Problem(name, "", "", f"byte {exc.start} is not valid UTF-8")]
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        return bundle, [Problem(name, "", "", reason)]
    except ValueError as exc:
        return bundle, [Problem(name, "", "", f"not valid JSON: {exc}")]
    except RecursionError:
        return bundle, [Problem(name, "", "", "not valid JSON: nested too deeply")]
    if not isinstance(document, dict):
        found = type(document).__name__
        return bundle, [Problem(name, "", "", f"expected a Parley export object, found {found}")]
    if document.get("format") != EXPORT_FORMAT:
        reason = f'not a Parley export (no "format": "{EXPORT_FORMAT}" at the top)'
        return bundle, [Problem(name, "", "format", reason)]
    schema = document.get("schema")
    if schema != EXPORT_SCHEMA or isinstance(schema, bool):
        reason = f"this Parley reads export schema {EXPORT_SCHEMA}, not {_show(schema)}"
        return bundle, [Problem(name, "", "schema", reason)]
    for key in sorted(set(document) - {"format", "schema", "records", "changes"}):
        problems.append(Problem(name, "", _show(key), "unexpected top-level key"))
    records = document.get("records", {})
    changes = document.get("changes", [])
    if not isinstance(records, dict):
        problems.append(Problem(name, "", "records", "must be an object of kinds"))
        records = {}
    if not isinstance(changes, list):
        problems.append(Problem(name, "", "changes", "must be a list"))
        changes = []
    for kind, items in records.items():
        if kind not in RECORD_TYPES:
            kinds = ", ".join(KIND_ORDER)
            problems.append(Problem(name, "", f"records.{_show(kind)}", f"not a kind: {kinds}"))
        elif not isinstance(items, list):
            problems.append(Problem(name, "", f"records.{kind}", "must be a list of records"))
    total = sum(
        len(items)
        for kind, items in records.items()
        if kind in RECORD_TYPES and isinstance(items, list)
    ) + len(changes)
    done = 0
    seen: dict[tuple[str, str], str] = {}
    for kind in KIND_ORDER:
        items = records.get(kind, [])
        if not isinstance(items, list):
            continue
        for n, raw in enumerate(items, start=1):
            _validate_record(bundle, problems, seen, kind, raw, name, f"{kind} #{n}")
            done += 1
            _tick(progress, done, total)
    seen_seq: dict[int, str] = {}
    for n, raw in enumerate(changes, start=1):
        _validate_change(bundle, problems, seen_seq, raw, name, f"change #{n}")
        done += 1
        _tick(progress, done, total)
    return bundle, problems


def _unwrap(annotation: Any) -> list[Any]:
    """The member types of an annotation: ``Slug | None`` -> [str, NoneType]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


@dataclass(frozen=True)
class _Column:
    nested: bool  # a list or an object: JSON in its cell
    nullable: bool  # an empty cell means None
    textual: bool  # an empty cell means ""
    required: bool


def _columns(model: type[BaseModel]) -> dict[str, _Column]:
    found = {}
    for name, info in model.model_fields.items():
        members = _unwrap(info.annotation)
        nested = textual = nullable = False
        for t in members:
            origin = typing.get_origin(t) or t
            if t is type(None):
                nullable = True
            elif origin in (list, dict) or (isinstance(t, type) and issubclass(t, BaseModel)):
                nested = True
            elif origin is typing.Literal or (isinstance(t, type) and issubclass(t, str)):
                textual = True
        found[name] = _Column(nested, nullable, textual, info.is_required())
    return found


def _decode_row(
    columns: dict[str, _Column], header: list[str], cells: list[str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A CSV row as the raw record it encodes, and (field, reason) for cells that are not."""
    raw: dict[str, Any] = {}
    bad: list[tuple[str, str]] = []
    for name, cell in zip(header, cells, strict=True):
        column = columns[name]
        if cell == "":
            if column.nullable:
                raw[name] = None
            elif column.textual:
                raw[name] = ""
            continue
        if column.nested:
            try:
                raw[name] = _loads(cell)
            except (ValueError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                bad.append((name, f"not valid JSON in the cell: {reason or 'too deep'}"))
        else:
            raw[name] = _restore(cell) if column.textual else cell
    return raw, bad


def _read_csv_rows(
    name: str, data: bytes, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """A file's header and its (row number, cells); None after reporting why it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, "", "", f"byte {exc.start} is not valid UTF-8"))
        return None
    if "\x00" in text:
        problems.append(Problem(name, "", "", "contains a NUL byte; not a CSV file"))
        return None
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        # Row numbers as a spreadsheet shows them: the header is row 1.
        for number, row in enumerate(reader, start=2):
            if row:
                rows.append((number, row))
    except csv.Error as exc:
        problems.append(Problem(name, f"line {reader.line_num}", "", f"not valid CSV: {exc}"))
        return None
    if not header:
        problems.append(Problem(name, "", "", "empty file: the first line must name the columns"))
        return None
    return header, rows


def _check_header(
    name: str, model: type[BaseModel], header: list[str], problems: list[Problem]
) -> dict[str, _Column] | None:
    columns = _columns(model)
    before = len(problems)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, "row 1", _show(column), "column appears twice"))
        elif column not in columns:
            problems.append(Problem(name, "row 1", _show(column), "not a column of this kind"))
        seen.add(column)
    for column, shape in columns.items():
        if shape.required and column not in seen:
            problems.append(Problem(name, "row 1", column, "required column is missing"))
    return columns if len(problems) == before else None


def read_csv_files(
    files: Mapping[str, bytes], folder: str = "", progress: Progress | None = None
) -> tuple[Bundle, list[Problem]]:
    """Parse and validate the CSV files of an export: file name -> its bytes."""
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    bundle = Bundle(name=folder or "CSV files", history_file=prefix + CHANGE_FILE)
    problems: list[Problem] = []
    known = {f"{kind}.csv": kind for kind in KIND_ORDER}
    known[CHANGE_FILE] = CHANGES
    for file in sorted(files):
        if file not in known:
            reason = f"not a file of a Parley CSV export (expected {', '.join(sorted(known))})"
            problems.append(Problem(prefix + file, "", "", reason))
    if not any(file in known for file in files):
        where = folder or "the folder"
        problems.append(Problem(where, "", "", "holds no CSV files of a Parley export"))
        return bundle, problems
    parsed: list[tuple[str, str, dict[str, _Column], list[str], list[tuple[int, list[str]]]]] = []
    for file, kind in known.items():
        if file not in files:
            continue
        label = prefix + file
        read = _read_csv_rows(label, files[file], problems)
        if read is None:
            continue
        header, rows = read
        model: type[BaseModel] = Change if kind == CHANGES else RECORD_TYPES[kind]
        columns = _check_header(label, model, header, problems)
        if columns is not None:
            parsed.append((label, kind, columns, header, rows))
    total = sum(len(rows) for *_, rows in parsed)
    done = 0
    seen: dict[tuple[str, str], str] = {}
    seen_seq: dict[int, str] = {}
    for label, kind, columns, header, rows in parsed:
        for number, cells in rows:
            done += 1
            _tick(progress, done, total)
            where = f"row {number}"
            if len(cells) != len(header):
                reason = f"has {len(cells)} cells; the header names {len(header)} columns"
                problems.append(Problem(label, where, "(row)", reason))
                continue
            raw, bad = _decode_row(columns, header, cells)
            if bad:
                problems.extend(Problem(label, where, f, reason) for f, reason in bad)
                continue
            if kind == CHANGES:
                _validate_change(bundle, problems, seen_seq, raw, label, where)
            else:
                _validate_record(bundle, problems, seen, kind, raw, label, where)
    return bundle, problems


def read_csv_folder(
    folder: Path, progress: Progress | None = None, manifest: bool = True
) -> tuple[Bundle, list[Problem]]:
    """Read a CSV export folder: its size first, then its manifest (unless the files were
    edited by hand since, ``manifest=False``), then its rows."""
    files: dict[str, bytes] = {}
    try:
        paths = [p for p in sorted(folder.iterdir()) if p.is_file()]
        size = sum(p.stat().st_size for p in paths)
        if size > limits.IMPORT_BYTES:
            return Bundle(), [_too_large(str(folder), size)]
        if manifest:
            backup.check_folder(folder)
        for path in paths:
            if path.suffix.lower() == ".csv":
                files[path.name] = path.read_bytes()
    except backup.BrokenExport as exc:
        return Bundle(), [Problem(str(exc), "", "", "")]
    except OSError as exc:
        return Bundle(), [Problem(str(folder), "", "", f"cannot read: {exc.strerror or exc}")]
    return read_csv_files(files, str(folder), progress)


def _too_large(name: str, size: int) -> Problem:
    bound = limits.said(limits.IMPORT_BYTES)
    # Standard input is read no further than one byte past the limit.
    said = f"more than {bound}" if name == "<stdin>" else limits.said(size)
    return Problem(name, "", "", f"{said}, past the limit of {bound} for an import")


def read_export(
    path: Path, progress: Progress | None = None, manifest: bool = True
) -> tuple[Bundle, list[Problem]]:
    """Read a JSON export file, a CSV export folder, or ``-`` for JSON on standard input;
    past the import's size limit, refused before it is parsed."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(limits.IMPORT_BYTES + 1)
        if len(data) > limits.IMPORT_BYTES:
            return Bundle(), [_too_large("<stdin>", len(data))]
        return read_json_export(data, "<stdin>", progress)
    try:
        if path.is_dir():
            return read_csv_folder(path, progress, manifest)
    except OSError as exc:
        return Bundle(), [Problem(str(path), "", "", f"cannot read: {exc.strerror or exc}")]
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.IMPORT_BYTES:
                return Bundle(), [_too_large(str(path), size)]
            data = fh.read()
    except OSError as exc:
        return Bundle(), [Problem(str(path), "", "", f"cannot read: {exc.strerror or exc}")]
    return read_json_export(data, str(path), progress)


# -- checking against the store and importing ----------------------------------


def _check_references(repo: Repository, bundle: Bundle) -> list[Problem]:
    """Dangling and cross-track references, as the repository would refuse them."""
    incoming: dict[tuple[str, str], Record] = {(r.kind, r.id): r for r in bundle.records}

    def lookup(kind: str, ref: str) -> Record | None:
        # The import's own version of a record first, else the store's.
        found = incoming.get((kind, ref))
        if found is None and repo.exists(kind, ref):
            found = repo.get(kind, ref)
        return found

    problems = []
    for record in bundle.records:
        file, label = bundle.origin[(record.kind, record.id)]
        for problem in dangling(record, lookup):
            reason = problem.reason(missing="is neither in the import nor the store")
            problems.append(Problem(file, label, problem.field, reason))
        problems += _move_problems(repo, record, incoming, file, label)
    return problems


def _move_problems(
    repo: Repository,
    record: Record,
    incoming: dict[tuple[str, str], Record],
    file: str,
    label: str,
) -> list[Problem]:
    """A record moved to another track while records of other tracks still refer to it."""
    old = repo.get(record.kind, record.id) if repo.exists(record.kind, record.id) else None
    after = move_blocker(
        record,
        old,
        lambda: (incoming.get((r.kind, r.id), r) for r in repo.referrers(record.kind, record.id)),
    )
    if after is None:
        return []
    reason = (
        f"moves it to track {track_of(record)!r}, but {after.kind} {after.id!r} "
        f"of track {track_of(after)!r} refers to it"
    )
    return [Problem(file, label, "track_id", reason)]


def _replay(changes: list[Change]) -> dict[tuple[str, str], dict[str, Any]]:
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for change in sorted(changes, key=lambda c: c.seq):
        key = (change.record_kind, change.record_id)
        if change.after is None:
            state.pop(key, None)
        else:
            state[key] = change.after
    return state


def _history_problems(bundle: Bundle) -> list[Problem]:
    seqs = {c.seq for c in bundle.changes}
    found = []
    for change in bundle.changes:
        # What an undo undoes and a redo redoes comes before it; a transaction starts
        # at or before each of its changes.
        for name, verb, may_be_itself in (
            ("undoes", "undoes", False),
            ("redoes", "redoes", False),
            ("batch", "belongs to a transaction starting at", True),
        ):
            seq = getattr(change, name)
            if seq is None:
                continue
            later = seq > change.seq if may_be_itself else seq >= change.seq
            if seq not in seqs or later:
                reason = f"{verb} change {seq}, which is not an earlier change in the history"
                found.append(Problem(bundle.history_file, f"change seq {change.seq}", name, reason))
    return found


def _history_mismatch(bundle: Bundle) -> str:
    """Why replaying the history does not give the records, or "" when it does."""
    state = _replay(bundle.changes)
    records: dict[tuple[str, str], dict[str, Any]] = {
        (r.kind, r.id): r.model_dump(mode="json") for r in bundle.records
    }
    for key in sorted(set(state) | set(records)):
        if state.get(key) != records.get(key):
            return f"first difference at {key[0]} {key[1]!r}"
    return ""


def _store_is_empty(repo: Repository) -> bool:
    return repo.count() == 0 and not repo.history(limit=1)


def _plan(repo: Repository, bundle: Bundle, report: ImportReport) -> None:
    for record in bundle.records:
        if not repo.exists(record.kind, record.id):
            report.added.append(record)
            continue
        before = repo.get(record.kind, record.id).model_dump(mode="json")
        after = record.model_dump(mode="json")
        fields = [name for name in after if before.get(name) != after[name]]
        if fields:
            report.changed.append((record, fields))
        else:
            report.unchanged += 1
    if not bundle.changes:
        return
    if not _store_is_empty(repo):
        report.history_note = (
            f"its {len(bundle.changes)} history entries are not merged into a store "
            "with a history of its own"
        )
        return
    mismatch = _history_mismatch(bundle)
    if mismatch:
        report.history_note = (
            "its history does not match its records "
            f"({mismatch}), so the import is recorded as new changes instead"
        )
        return
    report.history_restored = len(bundle.changes)


def import_bundle(
    repo: Repository, bundle: Bundle, problems: list[Problem], dry_run: bool = False
) -> ImportReport:
    """Check a read bundle against the store and write it, all or nothing."""
    report = ImportReport(problems=list(problems), dry_run=dry_run)
    if report.problems:
        return report
    storage = repo.storage
    with storage.locked(shared=dry_run):
        repo.refresh()
        report.problems += _check_references(repo, bundle)
        report.problems += _history_problems(bundle)
        if report.problems:
            return report
        _plan(repo, bundle, report)
        if dry_run:
            return report
        to_write = report.added + [r for r, _ in report.changed]
        try:
            commands = Commands(repo)
            if report.history_restored:
                # Records and the history that led to them, in one transaction.
                commands.restore(to_write, bundle.changes)
                made = bundle.changes
            else:
                made = list(commands.put(to_write).changes)
        except DiskError:
            # Not a problem of the file imported: said as any other write's would be.
            raise
        except StoreError as exc:
            report.problems.append(Problem(bundle.name or "import", "", "", str(exc)))
            report.added, report.changed, report.unchanged = [], [], 0
            report.history_restored = 0
            return report
        except OSError as exc:
            raise StoreError(f"{repo.path}: cannot write: {exc.strerror or exc}") from None
        report.written = bool(made)
    return report


def import_path(
    repo: Repository,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    manifest: bool = True,
) -> ImportReport:
    """Import a JSON export file or a CSV export folder; see :class:`ImportReport`.
    ``manifest=False`` takes a CSV folder edited by hand without its manifest's check."""
    bundle, problems = read_export(path, progress, manifest)
    return import_bundle(repo, bundle, problems, dry_run)


def import_json(
    repo: Repository, data: bytes | str, name: str = "import.json", dry_run: bool = False
) -> ImportReport:
    bundle, problems = read_json_export(data, name)
    return import_bundle(repo, bundle, problems, dry_run)
