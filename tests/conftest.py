"""Shared fixtures: a fixed clock and fresh stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store import Repository, open_store

FIXED_NOW = datetime(2024, 8, 21, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "parley.json"


@pytest.fixture
def repo(store_path: Path) -> Iterator[Repository]:
    with open_store(store_path, clock=fixed_clock) as r:
        yield r
