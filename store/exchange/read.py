"""Reading an export, JSON or a CSV folder, into a ``Bundle``: every record validated
against its model and every change against the history's, each fault a ``Problem``;
nothing is written."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import limits
from ..files.journal import CHANGES
from ..models import KIND_ORDER, RECORD_TYPES, Change
from . import backup
from .bundle import (
    CHANGE_FILE,
    EXPORT_FORMAT,
    EXPORT_SCHEMA,
    Bundle,
    Problem,
    Progress,
    show_value,
    validation_problems,
)
from .export import CsvColumn, csv_columns, restore_cell

# A cell may hold a long stance or a whole record as JSON; the csv module's default
# limit (128 KiB) is lower than a store allows.
CSV_FIELD_LIMIT = 64 * 1024 * 1024


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
    label = f"{where} {show_value(raw_id)}" if isinstance(raw_id, str) else where
    if not isinstance(raw, dict):
        problems.append(Problem(file, label, "(record)", "must be an object"))
        return
    try:
        record = cls.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(file, label, exc))
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
        problems.extend(validation_problems(file, where, exc))
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
        reason = f"this Parley reads export schema {EXPORT_SCHEMA}, not {show_value(schema)}"
        return bundle, [Problem(name, "", "schema", reason)]
    for key in sorted(set(document) - {"format", "schema", "records", "changes"}):
        problems.append(Problem(name, "", show_value(key), "unexpected top-level key"))
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
            problems.append(
                Problem(name, "", f"records.{show_value(kind)}", f"not a kind: {kinds}")
            )
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


def _decode_row(
    columns: dict[str, CsvColumn], header: list[str], cells: list[str]
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
            raw[name] = restore_cell(cell) if column.textual else cell
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
) -> dict[str, CsvColumn] | None:
    columns = csv_columns(model)
    before = len(problems)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, "row 1", show_value(column), "column appears twice"))
        elif column not in columns:
            problems.append(Problem(name, "row 1", show_value(column), "not a column of this kind"))
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
    parsed: list[tuple[str, str, dict[str, CsvColumn], list[str], list[tuple[int, list[str]]]]] = []
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
