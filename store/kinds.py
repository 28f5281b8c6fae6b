"""The enums of the domain: kinds of actor, roles, round formats and statuses, a point's
status and priority, firmness, a response's status, kinds of event, of source and of
record. The lists derived from them are in ``store.models``, beside the models."""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    """What an actor is, wide enough for the parties of armed conflicts. The first four
    were once the only kinds; each keeps its name and meaning, so a store written
    then needs no step in migrations.py, and only a kind added here is new to it."""

    STATE = "state"
    MOVEMENT = "movement"
    ORGANISATION = "organisation"
    COALITION = "coalition"
    GOVERNMENT = "government"
    ARMED_GROUP = "armed group"
    MILITARY = "military"
    PARAMILITARY = "paramilitary"
    MILITIA = "militia"
    MEDIATOR_BODY = "mediator body"


class Role(StrEnum):
    PARTY = "party"
    MEDIATOR = "mediator"
    GUARANTOR = "guarantor"
    OBSERVER = "observer"


class RoundFormat(StrEnum):
    DIRECT = "direct"
    PROXIMITY = "proximity"
    SHUTTLE = "shuttle"


class RoundStatus(StrEnum):
    SCHEDULED = "scheduled"
    UNDER_WAY = "under way"
    CONCLUDED = "concluded"
    STALLED = "stalled"
    COLLAPSED = "collapsed"


class PointStatus(StrEnum):
    OPEN = "open"
    NARROWING = "narrowing"
    BRIDGED = "bridged"
    AGREED = "agreed"
    DEADLOCKED = "deadlocked"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Firmness(StrEnum):
    RED_LINE = "red line"
    DEMAND = "demand"
    CONDITIONAL = "conditional"
    FLEXIBLE = "flexible"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ResponseStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CONDITIONS = "accepted with conditions"
    REJECTED = "rejected"


class EventKind(StrEnum):
    STATEMENT = "statement"
    ACCUSATION = "accusation"
    MILITARY = "military"
    ARMS_SALE = "arms sale"
    ASSASSINATION = "assassination"
    CASUALTIES = "casualties"
    DIPLOMATIC = "diplomatic"
    OTHER = "other"


class SourceKind(StrEnum):
    WIRE = "wire"
    STATE_MEDIA = "state media"
    OFFICIAL_STATEMENT = "official statement"
    ANALYSIS = "analysis"
    OTHER = "other"


class Kind(StrEnum):
    """The kinds of record; each names its table in the store."""

    TRACK = "track"
    ACTOR = "actor"
    PERSON = "person"
    SOURCE = "source"
    ROUND = "round"
    POINT = "point"
    POSITION = "position"
    PROPOSAL = "proposal"
    EVENT = "event"
    ASSESSMENT = "assessment"
