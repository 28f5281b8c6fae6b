"""Filling a new store from the seed files in ``seeds/``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from ..errors import InvalidRecord, StoreError, describe
from ..kinds import Kind
from ..models import Change, model_for
from ..record import Record
from ..records.commands import Commands
from ..records.repository import Repository

# seeds/ beside the packages in a checkout; once installed, the copy the package ships
# as store/seeds (pyproject.toml maps the one onto the other).
_STORE = Path(__file__).resolve().parent.parent
SEEDS_DIR = _STORE.parent / "seeds" if (_STORE.parent / "seeds").is_dir() else _STORE / "seeds"


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


@lru_cache(1)
def seed_keys() -> frozenset[tuple[str, str]]:
    """The kind and id of every seed record."""
    return frozenset((r.kind, r.id) for r in load_seed_records())


def is_seed(step: Sequence[Change]) -> bool:
    """Whether ``step`` (one transaction, or its undo) wrote the seed records and no other."""
    return len(step) > 1 and {(c.record_kind, c.record_id) for c in step} == seed_keys()


def seed(repo: Repository, directory: Path = SEEDS_DIR) -> int:
    """Fill an empty store with the seed records; returns how many were added."""
    if repo.count() > 0:
        return 0
    return len(Commands(repo).seed(load_seed_records(directory)).records)


def seed_undone(repo: Repository) -> bool:
    """Whether the seed was written into this store and its tracks are gone since (its
    adding undone, or the tracks deleted): the seed can then be written again."""
    tracks = {record_id for kind, record_id in seed_keys() if kind == Kind.TRACK}
    if any(repo.exists(Kind.TRACK, t) for t in tracks):
        return False
    return any(c.action == "add" and c.record_id in tracks for c in repo.history(Kind.TRACK))


def seed_again(repo: Repository) -> int:
    """Write back the seed records the store does not hold; returns how many."""
    return len(Commands(repo).seed(load_seed_records(), again=True).records)
