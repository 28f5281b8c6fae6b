"""A small store for the brief, exchange and CLI tests: one track, every kind of record.

``build(repo)`` fills an empty repository and leaves a history with an add batch, an
update, a delete and an undo, written at different (fixed) times. ``hostile=True``
puts markup, HTML and Markdown into the text of the records, which must come out
literally in every rendering.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from store import Repository, model_for
from store.record import Record

TRACK = "talks"
HOSTILE_ACTOR = "<script>alert('x')</script> Hamas"
HOSTILE_TITLE = "[bold]Corridor[/bold] **x** <b>&amp;</b> `tick` [link](javascript:alert(1))"
HOSTILE_STANCE = (
    "# not a heading\n- not a list\n1. not numbered\n"
    "[red]stays[/red] __under__ ~~struck~~ <script>alert(1)</script> \\ | x &lt; y"
)
HOSTILE_OUTLET = '<img src=x onerror="alert(1)"> Daily'
HOSTILE_URL = "javascript:alert(1)"
HOSTILE_QUOTE = "[bold]red[/bold] **x** [^1]"


class Clock:
    """A settable clock, so each write of the sample lands on a known day."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2024, 8, 21, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int) -> None:
        self.now = datetime(year, month, day, 12, 0, tzinfo=UTC)


def _raw(hostile: bool) -> list[dict[str, Any]]:
    def t(normal: str, bad: str) -> str:
        return bad if hostile else normal

    return [
        {
            "kind": "source",
            "id": "wire-0819",
            "outlet": "Example Wire",
            "title": "Mediators table a bridging text",
            "published": "2024-08-19",
            "url": "https://example.org/wire/0819",
            "source_kind": "wire",
            "reliability": "A wire report; quotes both sides.",
        },
        {
            "kind": "source",
            "id": "state-0821",
            "outlet": t("State Daily", HOSTILE_OUTLET),
            "title": "Tour ends without a breakthrough",
            "published": "2024-08-21",
            "url": t("", HOSTILE_URL),
            "source_kind": "state media",
            "reliability": "State media; critical of the mediators.",
        },
        {
            "kind": "source",
            "id": "review-0822",
            "outlet": "Policy Review",
            "title": "Why the gap stays wide",
            "published": "2024-08-22",
            "source_kind": "analysis",
        },
        {"kind": "actor", "id": "israel", "name": "Israel", "actor_kind": "state"},
        {
            "kind": "actor",
            "id": "hamas",
            "name": t("Hamas", HOSTILE_ACTOR),
            "actor_kind": "movement",
        },
        {"kind": "actor", "id": "united-states", "name": "United States", "actor_kind": "state"},
        {"kind": "actor", "id": "egypt", "name": "Egypt", "actor_kind": "state"},
        {"kind": "actor", "id": "qatar", "name": "Qatar", "actor_kind": "state"},
        {
            "kind": "person",
            "id": "pm",
            "name": "A. Premier",
            "title": "Prime Minister",
            "actor_id": "israel",
        },
        {
            "kind": "person",
            "id": "envoy",
            "name": "B. Envoy",
            "title": "Secretary of State",
            "actor_id": "united-states",
        },
        {"kind": "person", "id": "spokesman", "name": "C. Spokesman", "actor_id": "hamas"},
        {
            "kind": "track",
            "id": TRACK,
            "title": "Ceasefire and hostage talks",
            "region": "Middle East",
            "description": "Indirect talks between two parties through three mediators.",
            "participants": [
                {"actor_id": "israel", "role": "party"},
                {"actor_id": "hamas", "role": "party"},
                {"actor_id": "united-states", "role": "mediator"},
                {"actor_id": "egypt", "role": "mediator"},
                {"actor_id": "qatar", "role": "mediator"},
            ],
        },
        {
            "kind": "round",
            "id": "doha-round",
            "track_id": TRACK,
            "title": "Doha round",
            "start": "2024-08-15",
            "end": "2024-08-16",
            "venues": ["Doha"],
            "mediator_ids": ["united-states", "egypt", "qatar"],
            "format": "proximity",
            "outcome": "Mediators call the talks constructive.",
            "status": "concluded",
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "round",
            "id": "cairo-round",
            "track_id": TRACK,
            "title": "Cairo round",
            "start": "2024-08-25",
            "venues": ["Cairo"],
            "mediator_ids": ["egypt"],
            "format": "proximity",
            "status": "scheduled",
            "status_log": [
                {"date": "2024-08-18", "status": "scheduled", "source_ids": ["wire-0819"]}
            ],
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "point",
            "id": "corridor",
            "track_id": TRACK,
            "title": t("Border corridor", HOSTILE_TITLE),
            "description": "Whether troops stay on the border strip.",
            "status": "open",
            "priority": "high",
            "source_ids": ["state-0821"],
        },
        {
            "kind": "point",
            "id": "ceasefire-terms",
            "track_id": TRACK,
            "title": "Permanent or temporary ceasefire",
            "status": "deadlocked",
            "priority": "high",
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "point",
            "id": "hostages",
            "track_id": TRACK,
            "title": "Hostage release",
            "status": "narrowing",
            "priority": "medium",
            "raised": "2024-08-10",
            "status_log": [
                {"date": "2024-08-10", "status": "open", "source_ids": ["wire-0819"]},
                {"date": "2024-08-19", "status": "narrowing", "source_ids": ["wire-0819"]},
            ],
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "point",
            "id": "aid",
            "track_id": TRACK,
            "title": "Aid deliveries",
            "status": "open",
            "priority": "low",
        },
        {
            "kind": "position",
            "id": "israel-corridor-0810",
            "track_id": TRACK,
            "point_id": "corridor",
            "actor_id": "israel",
            "date": "2024-08-10",
            "stance": "Troops must stay for now.",
            "firmness": "demand",
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "position",
            "id": "israel-corridor-0820",
            "track_id": TRACK,
            "point_id": "corridor",
            "actor_id": "israel",
            "speaker_id": "pm",
            "date": "2024-08-20",
            "stance": t("Troops stay on the corridor after the war.", HOSTILE_STANCE),
            "gist": "troops stay",
            "firmness": "red line",
            "source_ids": ["state-0821"],
        },
        {
            "kind": "position",
            "id": "hamas-corridor-0820",
            "track_id": TRACK,
            "point_id": "corridor",
            "actor_id": "hamas",
            "date": "2024-08-20",
            "stance": "No foreign troops on the corridor.",
            "firmness": "rejected",
            "source_ids": ["state-0821"],
        },
        {
            "kind": "position",
            "id": "israel-ceasefire-0812",
            "track_id": TRACK,
            "point_id": "ceasefire-terms",
            "actor_id": "israel",
            "date": "2024-08-12",
            "stance": "Only a pause until the war aims are met.",
            "firmness": "conditional",
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "position",
            "id": "hamas-ceasefire-0812",
            "track_id": TRACK,
            "point_id": "ceasefire-terms",
            "actor_id": "hamas",
            "date": "2024-08-12",
            "stance": "A permanent end to the war, not a truce.",
            "firmness": "demand",
            "unsourced": True,
        },
        {
            "kind": "position",
            "id": "israel-hostages-0819",
            "track_id": TRACK,
            "point_id": "hostages",
            "actor_id": "israel",
            "speaker_id": "pm",
            "date": "2024-08-19",
            "stance": "Accepts the bridging text on hostages.",
            "firmness": "accepted",
            "quote": t("we accept", HOSTILE_QUOTE),
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "position",
            "id": "hamas-hostages-0821",
            "track_id": TRACK,
            "point_id": "hostages",
            "actor_id": "hamas",
            "speaker_id": "spokesman",
            "date": "2024-08-21",
            "stance": "Ready for an exchange if the fighting stops.",
            "firmness": "conditional",
            "source_ids": ["state-0821", "review-0822"],
        },
        {
            "kind": "position",
            "id": "us-hostages-0820",
            "track_id": TRACK,
            "point_id": "hostages",
            "actor_id": "united-states",
            "speaker_id": "envoy",
            "date": "2024-08-20",
            "stance": "Hamas should take the deal now.",
            "firmness": "demand",
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "position",
            "id": "israel-aid-0814",
            "track_id": TRACK,
            "point_id": "aid",
            "actor_id": "israel",
            "date": "2024-08-14",
            "stance": "More trucks once checks are agreed.",
            "firmness": "flexible",
            "source_ids": ["review-0822"],
        },
        {
            "kind": "proposal",
            "id": "bridging",
            "track_id": TRACK,
            "title": "Bridging proposal",
            "date": "2024-08-16",
            "by_ids": ["united-states", "egypt", "qatar"],
            "summary": "A text to close the remaining gaps.",
            "point_ids": ["corridor", "hostages"],
            "responses": [
                {
                    "actor_id": "israel",
                    "status": "accepted",
                    "date": "2024-08-19",
                    "note": "Per the mediators.",
                    "source_ids": ["wire-0819"],
                },
                {"actor_id": "hamas", "status": "pending"},
            ],
            "source_ids": ["wire-0819"],
        },
        {
            "kind": "proposal",
            "id": "aid-deal",
            "track_id": TRACK,
            "title": "Aid crossing arrangement",
            "date": "2024-08-05",
            "by_ids": ["egypt"],
            "responses": [
                {
                    "actor_id": "israel",
                    "status": "accepted",
                    "date": "2024-08-06",
                    "unsourced": True,
                },
                {
                    "actor_id": "hamas",
                    "status": "accepted",
                    "date": "2024-08-06",
                    "unsourced": True,
                },
            ],
        },
        {
            "kind": "event",
            "id": "arms-sale",
            "track_id": TRACK,
            "date": "2024-08-13",
            "event_kind": "arms sale",
            "title": "Arms sale approved",
            "text": "A large arms sale is approved.",
            "actor_ids": ["united-states", "israel"],
            "source_ids": ["state-0821"],
        },
        {
            "kind": "event",
            "id": "talks-end",
            "track_id": TRACK,
            "date": "2024-08-20",
            "event_kind": "diplomatic",
            "title": "Envoy leaves the region",
            "text": "The envoy flies home without a deal.",
            "actor_ids": ["united-states"],
            "source_ids": ["wire-0819", "state-0821"],
        },
        {
            "kind": "event",
            "id": "toll",
            "track_id": TRACK,
            "date": "2024-08-15",
            "event_kind": "casualties",
            "title": "Death toll passes a grim mark",
            "text": "The toll passes a round number.",
            "unsourced": True,
        },
        {
            "kind": "assessment",
            "id": "analyst-0822",
            "track_id": TRACK,
            "analyst": "D. Analyst",
            "affiliation": "Policy Review",
            "date": "2024-08-22",
            "gist": "The gap is wider than the mediators say.",
            "quote": "very wide",
            "source_ids": ["review-0822"],
        },
        {
            "kind": "assessment",
            "id": "pundit-0821",
            "track_id": TRACK,
            "analyst": "E. Pundit",
            "date": "2024-08-21",
            "gist": "A deal is unlikely before the elections.",
        },
    ]


def records(hostile: bool = False) -> list[Record]:
    found = []
    for raw in _raw(hostile):
        fields = dict(raw)
        kind = fields.pop("kind")
        found.append(model_for(kind).model_validate(fields))
    return found


def build(repo: Repository, clock: Clock, hostile: bool = False) -> None:
    """Fill an empty store, leaving a history written on 21, 23 and 24 August 2024."""
    clock.set(2024, 8, 21)
    repo.add_many(records(hostile))
    clock.set(2024, 8, 23)
    aid = repo.get("point", "aid").model_dump(mode="json")
    aid.update(status="narrowing", source_ids=["review-0822"])
    repo.update(model_for("point").model_validate(aid))
    event = model_for("event").model_validate(
        {
            "id": "rumour",
            "track_id": TRACK,
            "date": "2024-08-23",
            "event_kind": "other",
            "title": "A rumour",
            "text": "Unconfirmed.",
            "unsourced": True,
        }
    )
    repo.add(event)
    clock.set(2024, 8, 24)
    repo.delete("event", "rumour")
    repo.undo()


def latest_stances(repo: Repository) -> dict[tuple[str, str], Any]:
    return repo.latest_positions(TRACK)


def day(text: str) -> date:
    return date.fromisoformat(text)
