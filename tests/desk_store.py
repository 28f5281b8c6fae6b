"""A store of three tracks for the desk's tests: the seed's Gaza track and two made up
for them, each written so that the desk reads it one way.

- Sudan (``SUDAN``): a point on aid corridors went from open to deadlocked in the
  week up to its latest news, and the army's stance hardened: worse.
- The Gaza track's US tour names the people who took part, beside the actors.
- A port-inspection track (``PORTS``): a point moved from open to narrowing and the
  gap between the two sides closed: better.

Every record is written in this project's own words; the outlets are invented.
"""

from __future__ import annotations

from datetime import date

from store import (
    Actor,
    ActorKind,
    Firmness,
    Participant,
    PointStatus,
    Position,
    Repository,
    Role,
    Round,
    RoundFormat,
    RoundStatus,
    Source,
    SourceKind,
    StatusEntry,
    StickingPoint,
    Track,
)
from store.exchange.seed import seed
from store.records.commands import Commands

SUDAN = "sudan-jeddah-talks"
PORTS = "port-inspection-talks"
SUDAN_SOURCE = "horn-desk-2023-05-18"
PORTS_SOURCE = "harbour-review-2022-07-20"


def _position(
    n: int, track: str, point: str, actor: str, day: date, firmness: Firmness, gist: str
) -> Position:
    source = SUDAN_SOURCE if track == SUDAN else PORTS_SOURCE
    return Position(
        id=f"{track}-position-{n}",
        track_id=track,
        point_id=point,
        actor_id=actor,
        date=day,
        stance=f"{gist[0].upper()}{gist[1:]}.",
        gist=gist,
        firmness=firmness,
        source_ids=[source],
    )


def build(repo: Repository) -> None:
    """Fill an empty store: the seed, with the people who took part in the US tour
    (the Secretary of State, and the Israeli prime minister he met), then the two
    made-up tracks."""
    seed(repo)
    tour = repo.get_as(Round, "blinken-tour-2024-08")
    people = ["antony-blinken", "benjamin-netanyahu"]
    Commands(repo).put(
        [
            tour.model_copy(update={"person_ids": people}),
            Actor(id="sudan-army", name="Sudanese army", actor_kind=ActorKind.STATE),
            Actor(id="rapid-support", name="Rapid support units", actor_kind=ActorKind.MOVEMENT),
            Actor(id="saudi-arabia", name="Saudi Arabia", actor_kind=ActorKind.STATE),
            Actor(id="coastal-state", name="Coastal state", actor_kind=ActorKind.STATE),
            Actor(id="shipping-bloc", name="Shipping bloc", actor_kind=ActorKind.COALITION),
            Actor(id="harbour-league", name="Harbour league", actor_kind=ActorKind.ORGANISATION),
            Source(
                id=SUDAN_SOURCE,
                outlet="Horn Desk",
                title="Aid corridor talks stall in Jeddah",
                published=date(2023, 5, 18),
                source_kind=SourceKind.WIRE,
            ),
            Source(
                id=PORTS_SOURCE,
                outlet="Harbour Review",
                title="Sides near a deal on port checks",
                published=date(2022, 7, 20),
                source_kind=SourceKind.ANALYSIS,
            ),
            Track(
                id=SUDAN,
                title="Sudan: Jeddah talks",
                region="Horn of Africa",
                started=date(2023, 5, 6),
                participants=[
                    Participant(actor_id="sudan-army", role=Role.PARTY),
                    Participant(actor_id="rapid-support", role=Role.PARTY),
                    Participant(actor_id="saudi-arabia", role=Role.MEDIATOR),
                    Participant(actor_id="united-states", role=Role.MEDIATOR),
                ],
            ),
            Round(
                id="jeddah-first-round",
                track_id=SUDAN,
                title="Jeddah first round",
                start=date(2023, 5, 6),
                end=date(2023, 5, 11),
                venues=["Jeddah"],
                mediator_ids=["saudi-arabia", "united-states"],
                participant_ids=["sudan-army", "rapid-support"],
                format=RoundFormat.PROXIMITY,
                status=RoundStatus.STALLED,
                source_ids=[SUDAN_SOURCE],
            ),
            StickingPoint(
                id="aid-corridors",
                track_id=SUDAN,
                title="Aid corridors",
                status=PointStatus.DEADLOCKED,
                raised=date(2023, 5, 6),
                status_log=[
                    StatusEntry(date=date(2023, 5, 6), status="open", source_ids=[SUDAN_SOURCE]),
                    StatusEntry(
                        date=date(2023, 5, 18), status="deadlocked", source_ids=[SUDAN_SOURCE]
                    ),
                ],
            ),
            _position(
                1,
                SUDAN,
                "aid-corridors",
                "sudan-army",
                date(2023, 5, 8),
                Firmness.CONDITIONAL,
                "corridors once fighters leave the towns",
            ),
            _position(
                2,
                SUDAN,
                "aid-corridors",
                "rapid-support",
                date(2023, 5, 8),
                Firmness.DEMAND,
                "corridors at once, without conditions",
            ),
            _position(
                3,
                SUDAN,
                "aid-corridors",
                "sudan-army",
                date(2023, 5, 18),
                Firmness.RED_LINE,
                "no corridor through held towns",
            ),
            Track(
                id=PORTS,
                title="Port inspection talks",
                region="Black Sea",
                started=date(2022, 7, 1),
                participants=[
                    Participant(actor_id="coastal-state", role=Role.PARTY),
                    Participant(actor_id="shipping-bloc", role=Role.PARTY),
                    Participant(actor_id="harbour-league", role=Role.MEDIATOR),
                ],
            ),
            Round(
                id="harbour-round",
                track_id=PORTS,
                title="Harbour round",
                start=date(2022, 7, 13),
                end=date(2022, 7, 14),
                venues=["Istanbul"],
                mediator_ids=["harbour-league"],
                participant_ids=["coastal-state", "shipping-bloc"],
                format=RoundFormat.DIRECT,
                status=RoundStatus.CONCLUDED,
                source_ids=[PORTS_SOURCE],
            ),
            StickingPoint(
                id="joint-inspections",
                track_id=PORTS,
                title="Joint inspections",
                status=PointStatus.NARROWING,
                raised=date(2022, 7, 1),
                status_log=[
                    StatusEntry(date=date(2022, 7, 1), status="open", source_ids=[PORTS_SOURCE]),
                    StatusEntry(
                        date=date(2022, 7, 20), status="narrowing", source_ids=[PORTS_SOURCE]
                    ),
                ],
            ),
            _position(
                1,
                PORTS,
                "joint-inspections",
                "coastal-state",
                date(2022, 7, 2),
                Firmness.DEMAND,
                "its own inspectors on every ship",
            ),
            _position(
                2,
                PORTS,
                "joint-inspections",
                "shipping-bloc",
                date(2022, 7, 2),
                Firmness.DEMAND,
                "no inspectors on board",
            ),
            _position(
                3,
                PORTS,
                "joint-inspections",
                "coastal-state",
                date(2022, 7, 20),
                Firmness.FLEXIBLE,
                "joint teams would do",
            ),
        ]
    )
