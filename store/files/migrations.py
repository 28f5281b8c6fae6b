"""Ordered migrations of the store file's schema.

``MIGRATIONS[n]`` turns the tables of schema ``n`` into schema ``n + 1``. When
the schema changes, add a step here and a fixture file of the old version under
``tests/fixtures/`` that the tests open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CURRENT_SCHEMA = 1

Tables = dict[str, dict[str, dict[str, Any]]]
MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {}


def migrate(tables: Tables, schema: int) -> Tables:
    """Bring tables written under ``schema`` up to ``CURRENT_SCHEMA``, step by step."""
    for version in range(schema, CURRENT_SCHEMA):
        tables = MIGRATIONS[version](tables)
    return tables
