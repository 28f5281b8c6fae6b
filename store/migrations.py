"""Ordered migrations of the store file's schema.

``MIGRATIONS[n]`` turns the tables of schema ``n`` into schema ``n + 1``. When
the schema changes, add a step here and a fixture file of the old version under
``tests/fixtures/`` that the tests open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CURRENT_SCHEMA = 2

Tables = dict[str, dict[str, dict[str, Any]]]


# Schema 1 knew four actor kinds (state, movement, organisation, coalition); schema 2
# adds those of armed conflicts (government, armed group, military, paramilitary,
# militia, mediator body). Each old kind keeps its name and meaning, so the step
# rewrites no record; it is a step all the same, so that a Parley of schema 1 refuses
# a store that may hold the new kinds, saying to upgrade, rather than failing on the
# first such actor. An export keeps schema 1: its records still import as they are.
def _wider_actor_kinds(tables: Tables) -> Tables:
    return tables


MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {1: _wider_actor_kinds}


def migrate(tables: Tables, schema: int) -> Tables:
    """Bring tables written under ``schema`` up to ``CURRENT_SCHEMA``, step by step."""
    for version in range(schema, CURRENT_SCHEMA):
        tables = MIGRATIONS[version](tables)
    return tables
