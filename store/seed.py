"""Filling a new store from the seed files in ``seeds/``."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from .commands import Commands
from .errors import InvalidRecord, StoreError, describe
from .models import Record, model_for
from .repository import Repository

# seeds/ beside the packages in a checkout; once installed, the copy the package ships
# as store/seeds (pyproject.toml maps the one onto the other).
_HERE = Path(__file__).resolve().parent
SEEDS_DIR = _HERE.parent / "seeds" if (_HERE.parent / "seeds").is_dir() else _HERE / "seeds"


def load_seed_records(directory: Path = SEEDS_DIR) -> list[Record]:
    """Every record of every ``*.json`` seed file, in file order, validated."""
    records: list[Record] = []
    try:
        paths = sorted(directory.glob("*.json"))
    except OSError as exc:
        raise StoreError(
            f"{directory}: cannot read the seed files: {exc.strerror or exc}"
        ) from None
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path}: cannot read seed file: {exc}") from None
        for n, raw in enumerate(data.get("records", []), start=1):
            fields = dict(raw)
            kind = fields.pop("kind", None)
            try:
                records.append(model_for(str(kind)).model_validate(fields))
            except ValueError as exc:
                detail = describe(exc) if isinstance(exc, ValidationError) else str(exc)
                raise InvalidRecord(f"{path}: record {n} ({kind}): {detail}") from None
    return records


def seed(repo: Repository, directory: Path = SEEDS_DIR) -> int:
    """Fill an empty store with the seed records; returns how many were added."""
    if repo.count() > 0:
        return 0
    return len(Commands(repo).seed(load_seed_records(directory)).records)
