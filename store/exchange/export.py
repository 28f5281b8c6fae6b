"""Exporting a whole store to JSON or CSV.

The JSON export is one versioned document::

    {"format": "parley-export", "schema": 1,
     "records": {"actor": [...], "person": [...], ...},
     "changes": [...]}

with every kind present (possibly empty), records sorted by id, changes by
sequence number, and each record's keys in the model's field order, so that
the same store always exports to the same bytes: export, import into an empty
store and export again gives identical JSON."""

from __future__ import annotations

import csv
import io
import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..models import KIND_ORDER, RECORD_TYPES, Change
from ..records.repository import Repository
from . import backup
from .bundle import CHANGE_FILE, EXPORT_FORMAT, EXPORT_SCHEMA


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
    """A text cell as written: quoted when a spreadsheet would run it (see restore_cell)."""
    return _QUOTE + text if _needs_quote(text) else text


def restore_cell(cell: str) -> str:
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
    columns = csv_columns(model)
    text = [columns[name].textual and not columns[name].nested for name in names]
    writer.writerow(names)
    for row in rows:
        cells = [_cell(row.get(name)) for name in names]
        writer.writerow([_defuse(c) if t else c for c, t in zip(cells, text, strict=True)])
    return buffer.getvalue()


def _unwrap(annotation: Any) -> list[Any]:
    """The member types of an annotation: ``Slug | None`` -> [str, NoneType]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


@dataclass(frozen=True)
class CsvColumn:
    nested: bool  # a list or an object: JSON in its cell
    nullable: bool  # an empty cell means None
    textual: bool  # an empty cell means ""
    required: bool


def csv_columns(model: type[BaseModel]) -> dict[str, CsvColumn]:
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
        found[name] = CsvColumn(nested, nullable, textual, info.is_required())
    return found


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
