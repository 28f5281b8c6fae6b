"""The store's words for names and dates, shared by the dashboard and the brief."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sample_store
from sample_store import Clock

from store import Repository, open_store
from store.reading.words import day, describe, name_of, names, span, speaker_name


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Repository]:
    clock = Clock()
    with open_store(tmp_path / "s.json", clock=clock) as repo:
        sample_store.build(repo, clock)
        yield repo


@pytest.mark.parametrize(
    ("start", "end", "compact", "expected"),
    [
        (date(2024, 8, 19), None, True, "2024-08-19"),
        (date(2024, 8, 19), date(2024, 8, 19), False, "2024-08-19"),
        (date(2024, 8, 19), date(2024, 8, 20), True, "2024-08-19–20"),
        (date(2024, 8, 1), date(2024, 8, 9), True, "2024-08-01–09"),
        (date(2024, 7, 30), date(2024, 8, 2), True, "2024-07-30 – 2024-08-02"),
        (date(2024, 12, 30), date(2025, 1, 2), True, "2024-12-30 – 2025-01-02"),
        (date(2024, 8, 19), date(2024, 8, 20), False, "2024-08-19 to 2024-08-20"),
        (date(2024, 7, 30), date(2024, 8, 2), False, "2024-07-30 to 2024-08-02"),
    ],
)
def test_span(start: date, end: date | None, compact: bool, expected: str) -> None:
    assert span(start, end, compact=compact) == expected


def test_day() -> None:
    assert day(date(2024, 8, 21)) == "2024-08-21"
    assert day(None) == "—"
    assert day(None, blank="") == ""


def test_names_of_records(sample: Repository) -> None:
    assert name_of(sample, "actor", "israel") == "Israel"
    assert name_of(sample, "point", "corridor") == "Border corridor"
    # A reference to a record that is gone reads as its id, not as nothing.
    assert name_of(sample, "actor", "no-such-actor") == "no-such-actor"
    assert name_of(sample, "actor", None) == "—"
    assert name_of(sample, "actor", None, blank="") == ""
    assert names(sample, "actor", ["egypt", "qatar", "gone"]) == "Egypt, Qatar, gone"
    assert names(sample, "actor", []) == "—"
    assert names(sample, "actor", [], blank="") == ""


def test_speaker_name(sample: Repository) -> None:
    assert speaker_name(sample, "envoy") == "B. Envoy (Secretary of State)"
    assert speaker_name(sample, "spokesman") == "C. Spokesman"
    assert speaker_name(sample, "gone") == "gone"
    assert speaker_name(sample, None) == ""


def test_describe(sample: Repository) -> None:
    position = sample.get("position", "israel-corridor-0810")
    assert describe(sample, position) == "Israel on Border corridor, 2024-08-10"
    actor = sample.get("actor", "egypt")
    assert describe(sample, actor) == "Egypt"
