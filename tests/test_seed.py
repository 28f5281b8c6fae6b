"""The seed: what it must contain, that it is sourced, idempotent and in our own words."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from store import Repository, open_store
from store.exchange.seed import SEEDS_DIR, load_seed_records, seed
from store.kinds import ResponseStatus, Role, RoundFormat, RoundStatus, SourceKind
from store.models import (
    Actor,
    Event,
    Person,
    Position,
    Proposal,
    Round,
    Source,
    StickingPoint,
    Track,
)
from store.record import Record

SEED_FILE = SEEDS_DIR / "gaza-2024-08.json"
# The news report the seed was written from; it lives beside the project, not in it.
REPORT = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_4fa9cd2df846f441.txt"

SOURCE_ID = "xinhua-2024-08-21-blinken-tour"
TRACK_ID = "gaza-ceasefire-hostage-talks"
NGRAM = 8


def clock() -> datetime:
    return datetime(2024, 8, 21, 12, 0, tzinfo=UTC)


MINIMUM = {
    "source": 1,
    "track": 1,
    "actor": 7,
    "person": 9,
    "round": 2,
    "point": 4,
    "position": 10,
    "proposal": 1,
    "event": 8,
    "assessment": 4,
}


@pytest.fixture
def seeded(repo: Repository) -> Repository:
    added = seed(repo)
    assert added == len(load_seed_records())
    return repo


# -- contents ----------------------------------------------------------------


def test_the_seed_file_is_there_and_loads() -> None:
    assert SEED_FILE.is_file()
    assert load_seed_records()


def test_counts_by_kind_meet_the_minimums(seeded: Repository) -> None:
    counts = {kind: seeded.count(kind) for kind in MINIMUM}
    short = {k: (counts[k], n) for k, n in MINIMUM.items() if counts[k] < n}
    assert not short, f"kind: (found, needed) {short}"


def test_the_report_is_a_state_media_source(seeded: Repository) -> None:
    source = seeded.get_as(Source, SOURCE_ID)
    assert source.outlet == "Xinhua News Agency"
    assert source.source_kind is SourceKind.STATE_MEDIA
    assert "state media" in source.reliability.casefold()
    assert "second hand" in source.reliability.casefold()


def test_the_track_and_its_participants(seeded: Repository) -> None:
    track = seeded.get_as(Track, TRACK_ID)
    assert track.title == "Gaza ceasefire and hostage-release talks"
    assert set(track.actors_with(Role.PARTY)) == {"israel", "hamas"}
    assert set(track.actors_with(Role.MEDIATOR)) == {"united-states", "egypt", "qatar"}
    assert set(track.actors_with(Role.OBSERVER)) == {"iran", "hezbollah"}


def test_the_actors(seeded: Repository) -> None:
    kinds = {
        "israel": "state",
        "hamas": "movement",
        "united-states": "state",
        "egypt": "state",
        "qatar": "state",
        "iran": "state",
        "hezbollah": "movement",
    }
    for actor_id, kind in kinds.items():
        assert seeded.get_as(Actor, actor_id).actor_kind.value == kind


def test_the_people_and_who_they_speak_for(seeded: Repository) -> None:
    speaks_for = {
        "antony-blinken": "united-states",
        "joe-biden": "united-states",
        "benjamin-netanyahu": "israel",
        "ismail-haniyeh": "hamas",
        "fouad-shokor": "hezbollah",
    }
    for person_id, actor_id in speaks_for.items():
        person = seeded.get_as(Person, person_id)
        assert person.actor_id == actor_id
        assert person.title
    for analyst in ("michael-milshtein", "kheir-diabat", "mostafa-amin", "baris-doster"):
        assert seeded.get_as(Person, analyst).actor_id is None


def test_the_rounds(seeded: Repository) -> None:
    doha = seeded.get_as(Round, "doha-round-2024-08")
    assert (doha.start.isoformat(), doha.end and doha.end.isoformat()) == (
        "2024-08-15",
        "2024-08-16",
    )
    assert set(doha.mediator_ids) == {"united-states", "egypt", "qatar"}
    assert doha.format is RoundFormat.PROXIMITY
    assert doha.status is RoundStatus.CONCLUDED
    assert "constructive" in doha.outcome

    tour = seeded.get_as(Round, "blinken-tour-2024-08")
    assert tour.format is RoundFormat.SHUTTLE
    assert tour.venues == ["Israel", "Egypt", "Qatar"]
    assert tour.status in (RoundStatus.CONCLUDED, RoundStatus.STALLED)
    assert tour.end is not None and tour.end.isoformat() == "2024-08-20"


def test_the_sticking_points(seeded: Repository) -> None:
    for point_id in (
        "philadelphi-corridor",
        "permanent-vs-temporary-ceasefire",
        "dismantling-hamas",
        "hostage-release-deal",
    ):
        point = seeded.get_as(StickingPoint, point_id)
        assert point.description
        assert point.status_log, f"{point_id} has no dated status"
        assert point.status_log[-1].status == point.status.value


def test_positions_cover_both_parties_on_every_point(seeded: Repository) -> None:
    positions = seeded.list_as(Position, track_id=TRACK_ID)
    covered = {(p.point_id, p.actor_id) for p in positions}
    for point in seeded.list_as(StickingPoint, track_id=TRACK_ID):
        assert (point.id, "israel") in covered
        assert (point.id, "hamas") in covered
    us = [p for p in positions if p.actor_id == "united-states"]
    assert {p.speaker_id for p in us} >= {"antony-blinken", "joe-biden"}


def test_the_bridging_proposal_and_its_responses(seeded: Repository) -> None:
    proposal = seeded.get_as(Proposal, "us-bridging-proposal-2024-08")
    assert "united-states" in proposal.by_ids
    assert "hostage-release-deal" in proposal.point_ids
    israel = proposal.response_of("israel")
    hamas = proposal.response_of("hamas")
    assert israel is not None and israel.status is ResponseStatus.ACCEPTED
    assert israel.date is not None and israel.date.isoformat() == "2024-08-19"
    assert "blinken" in israel.note.casefold()
    assert hamas is not None and hamas.status is ResponseStatus.PENDING


def test_the_named_events(seeded: Repository) -> None:
    expected = {
        "arms-sale-approval-2024-08-13": ("2024-08-13", "arms sale"),
        "haniyeh-killed-tehran-2024-07-31": ("2024-07-31", "assassination"),
        "shokor-killed-beirut-2024-07-30": ("2024-07-30", "assassination"),
        "iran-hezbollah-vow-retaliation-2024-07-31": ("2024-07-31", "statement"),
        "gaza-death-toll-40000-2024-08-15": ("2024-08-15", "casualties"),
        "rafah-fighting-2024-08-20": ("2024-08-20", "military"),
        "biden-accuses-hamas-2024-08-19": ("2024-08-19", "accusation"),
        "hamas-calls-biden-misleading-2024-08-20": ("2024-08-20", "statement"),
        "hamas-accuses-netanyahu-2024-08-20": ("2024-08-20", "accusation"),
        "blinken-leaves-qatar-2024-08-20": ("2024-08-20", "diplomatic"),
    }
    for event_id, (day, kind) in expected.items():
        event = seeded.get_as(Event, event_id)
        assert (event.date.isoformat(), event.event_kind.value) == (day, kind), event_id
    arms = seeded.get_as(Event, "arms-sale-approval-2024-08-13")
    assert "20 billion" in arms.text


def test_the_assessments(seeded: Repository) -> None:
    analysts = {a.analyst for a in seeded.assessments(TRACK_ID)}
    assert analysts >= {"Michael Milshtein", "Kheir Diabat", "Mostafa Amin", "Baris Doster"}


def test_no_problems_after_seeding(seeded: Repository) -> None:
    assert seeded.problems() == []


# -- provenance --------------------------------------------------------------


def _source_lists(value: Any, where: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every ``source_ids`` list in a dumped record, nested ones included."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "source_ids":
                yield f"{where}.{key}", item
            else:
                yield from _source_lists(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _source_lists(item, f"{where}[{n}]")


def test_every_sourced_record_cites_an_existing_source(seeded: Repository) -> None:
    records: list[Record] = [r for kind in MINIMUM for r in seeded.list(kind)]
    checked = 0
    for record in records:
        for where, ids in _source_lists(record.model_dump(mode="json")):
            label = f"{record.kind} {record.id}{where}"
            assert ids, f"{label} cites nothing"
            for source_id in ids:
                assert seeded.exists("source", source_id), f"{label}: no source {source_id}"
            assert SOURCE_ID in ids, f"{label} does not cite the report"
            checked += 1
        assert not getattr(record, "unsourced", False), f"{record.kind} {record.id} is unsourced"
    assert checked >= sum(n for k, n in MINIMUM.items() if k not in ("track", "actor", "person"))


# -- idempotence -------------------------------------------------------------


def _store_files(store_path: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(store_path.parent.iterdir())
        if p.name.startswith(store_path.name) and not p.name.endswith(".lock")
    }


def test_seeding_twice_adds_nothing(repo: Repository, store_path: Path) -> None:
    assert seed(repo) > 0
    before = _store_files(store_path)
    count, changes = repo.count(), len(repo.history())
    assert seed(repo) == 0
    assert (repo.count(), len(repo.history())) == (count, changes)
    assert _store_files(store_path) == before


def test_seeding_a_reopened_store_adds_nothing(store_path: Path) -> None:
    with open_store(store_path, clock=clock) as first:
        assert seed(first) > 0
    before = _store_files(store_path)
    with open_store(store_path, clock=clock) as again:
        assert seed(again) == 0
    assert _store_files(store_path) == before


# -- our own words -----------------------------------------------------------

# Fields that may repeat the report word for word: a speaker's quoted words, and a
# source's title, which is how the work is cited and so is kept as published.
VERBATIM_FIELDS = {"quote"}
VERBATIM_SOURCE_FIELDS = {"title"}


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"['’‘`]", "", folded)
    return re.findall(r"\w+", folded)


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _texts(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in VERBATIM_FIELDS:
                yield from _texts(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _texts(item, f"{where}[{n}]")


def test_words_helper_strips_case_and_punctuation() -> None:
    assert _words("Blinken’s “Tour”, U.S.-led!") == ["blinkens", "tour", "u", "s", "led"]


@pytest.mark.skipif(not REPORT.is_file(), reason=f"the source report is not at {REPORT}")
def test_no_run_of_eight_words_from_the_report() -> None:
    report = _ngrams(_words(REPORT.read_text(encoding="utf-8")))
    assert report
    copied = []
    for record in load_seed_records():
        dumped = record.model_dump(mode="json")
        if isinstance(record, Source):
            dumped = {k: v for k, v in dumped.items() if k not in VERBATIM_SOURCE_FIELDS}
        for where, text in _texts(dumped):
            for gram in sorted(_ngrams(_words(text)) & report):
                copied.append(f"{record.kind} {record.id}{where}: {' '.join(gram)}")
    assert not copied, "copied from the report:\n" + "\n".join(copied)


def test_seed_records_are_unique_per_kind() -> None:
    keys = Counter((r.kind, r.id) for r in load_seed_records())
    assert [k for k, n in keys.items() if n > 1] == []
