"""The domain: the pydantic models of every kind of record Parley keeps, built on
``store.record`` (what every record is), ``store.values`` (bounded text, slugs, dates)
and ``store.kinds`` (the enums); and every list of kinds, roles and kinds of source,
derived from them.

Records refer to each other by stable slug ids (``philadelphi-corridor``),
never by storage ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from .kinds import (
    ActorKind,
    EventKind,
    Firmness,
    Kind,
    PointStatus,
    Priority,
    ResponseStatus,
    Role,
    RoundFormat,
    RoundStatus,
    SourceKind,
)
from .limits import ARTICLE_CHARS
from .record import (
    Anchor,
    Corroboration,
    Model,
    QuotingRecord,
    Record,
    Sourced,
    TrackRecord,
    no_corroborations,
)
from .values import Body, ISODate, Line, Slug, Text, Title, no_control

# What a point's status reads as on a day before its first recorded status.
NOT_RECORDED = "not yet recorded"


class Participant(Model):
    actor_id: Slug
    role: Role


class Track(Record):
    kind: ClassVar[Kind] = Kind.TRACK
    title: Title
    description: Text = ""
    region: Line = ""
    started: ISODate | None = None
    participants: list[Participant] = Field(default_factory=list)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        return [("participants", "actor", p["actor_id"]) for p in doc.get("participants") or []]

    def actors_with(self, role: Role) -> list[str]:
        return [p.actor_id for p in self.participants if p.role == role]


class Actor(Record):
    kind: ClassVar[Kind] = Kind.ACTOR
    name: Title
    actor_kind: ActorKind
    aliases: list[Title] = Field(default_factory=list)
    description: Text = ""


class Person(Record):
    kind: ClassVar[Kind] = Kind.PERSON
    refs: ClassVar[dict[str, str]] = {"actor_id": "actor"}
    name: Title
    title: Line = ""
    actor_id: Slug | None = None
    # Other spellings the person is found by in articles ("Ezzat el-Rishq"). Left out
    # of the record when there are none, like a round's people: a person written
    # before keeps its bytes, in the store and in an export.
    aliases: list[Title] = Field(default_factory=list, exclude_if=lambda names: not names)

    @property
    def label(self) -> str:
        return self.name


class StatusEntry(Model):
    """One dated change of status, so that the talks can be shown as they stood."""

    date: ISODate
    status: str
    source_ids: list[Slug] = Field(default_factory=list)
    # Said explicitly when the change was recorded without a source.
    unsourced: bool = False
    note: Text = ""


class _HasStatusLog(TrackRecord):
    status_log: list[StatusEntry] = Field(default_factory=list)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        found = super().refs_of(doc)
        for entry in doc.get("status_log") or []:
            found.extend(("status_log", "source", s) for s in entry.get("source_ids") or [])
        return found

    def status_on(self, day: dt.date) -> str | None:
        """The status logged last on or before ``day``; None when none was logged by then."""
        current = None
        for entry in sorted(self.status_log, key=lambda e: e.date):
            if entry.date <= day:
                current = entry.status
        return current


class Round(_HasStatusLog):
    kind: ClassVar[Kind] = Kind.ROUND
    refs: ClassVar[dict[str, str]] = {
        "track_id": "track",
        "mediator_ids": "actor",
        "participant_ids": "actor",
        "person_ids": "person",
        "source_ids": "source",
    }
    track_id: Slug
    title: Title
    start: ISODate
    end: ISODate | None = None
    venues: list[Title] = Field(default_factory=list)
    mediator_ids: list[Slug] = Field(default_factory=list)
    participant_ids: list[Slug] = Field(default_factory=list)
    # People who took part, each shown with the actor they speak for (an envoy, a
    # spy chief at the table) where the actors alone would not say who was there.
    # Left out of the record when there are none: a round written before keeps its
    # bytes, in the store and in an export, and an earlier Parley still reads it.
    person_ids: list[Slug] = Field(default_factory=list, exclude_if=lambda ids: not ids)
    format: RoundFormat
    outcome: Text = ""
    status: RoundStatus
    source_ids: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self) -> Round:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        for entry in self.status_log:
            RoundStatus(entry.status)
        return self

    @property
    def sort_date(self) -> dt.date:
        return self.start


class StickingPoint(_HasStatusLog):
    kind: ClassVar[Kind] = Kind.POINT
    refs: ClassVar[dict[str, str]] = {"track_id": "track", "source_ids": "source"}
    track_id: Slug
    title: Title
    description: Text = ""
    status: PointStatus
    priority: Priority = Priority.MEDIUM
    raised: ISODate | None = None
    source_ids: list[Slug] = Field(default_factory=list)
    # Words an article names it by ("the corridor", "the Egypt-Gaza border"); left out
    # of the record when there are none, as a person's.
    aliases: list[Title] = Field(default_factory=list, exclude_if=lambda names: not names)

    def recorded_by(self, day: dt.date) -> bool:
        """Whether the point had a status by ``day``: false before its first logged one
        (a point never logged has its status from the start)."""
        return not self.status_log or min(e.date for e in self.status_log) <= day

    @model_validator(mode="after")
    def _log(self) -> StickingPoint:
        for entry in self.status_log:
            PointStatus(entry.status)
        return self

    @property
    def sort_date(self) -> dt.date | None:
        return self.raised


class Position(QuotingRecord, Sourced):
    kind: ClassVar[Kind] = Kind.POSITION
    refs: ClassVar[dict[str, str]] = {
        "track_id": "track",
        "point_id": "point",
        "actor_id": "actor",
        "speaker_id": "person",
        "round_id": "round",
        "source_ids": "source",
    }
    track_id: Slug
    point_id: Slug
    actor_id: Slug
    speaker_id: Slug | None = None
    date: ISODate
    stance: Body
    # The stance in a few words, for boards and briefs.
    gist: Line = ""
    firmness: Firmness
    quote: Text = ""
    round_id: Slug | None = None
    # Where the quote stands in its source's text, when it was taken from there.
    anchor: Anchor | None = None
    # The same news from other outlets, each with its anchored quote
    # (store/reading/corroboration.py).
    # Left out of the record when there are none, as a person's aliases: a store and an
    # export written before keep their bytes.
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=no_corroborations)

    @property
    def label(self) -> str:
        return f"{self.actor_id} on {self.point_id}, {self.date.isoformat()}"

    @property
    def sort_date(self) -> dt.date:
        return self.date


class Response(Model):
    actor_id: Slug
    status: ResponseStatus
    date: ISODate | None = None
    note: Text = ""
    source_ids: list[Slug] = Field(default_factory=list)
    unsourced: bool = False


class Proposal(TrackRecord):
    kind: ClassVar[Kind] = Kind.PROPOSAL
    refs: ClassVar[dict[str, str]] = {
        "track_id": "track",
        "by_ids": "actor",
        "point_ids": "point",
        "source_ids": "source",
    }
    track_id: Slug
    title: Title
    date: ISODate
    by_ids: list[Slug] = Field(default_factory=list)
    summary: Text = ""
    point_ids: list[Slug] = Field(default_factory=list)
    responses: list[Response] = Field(default_factory=list)
    source_ids: list[Slug] = Field(default_factory=list)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        found = super().refs_of(doc)
        for response in doc.get("responses") or []:
            found.append(("responses", "actor", response["actor_id"]))
            found.extend(("responses", "source", s) for s in response.get("source_ids") or [])
        return found

    def response_history(self, actor_id: str) -> list[Response]:
        """A party's responses, oldest first: a new response adds to the history, as a
        status change does, rather than replacing the one before. (Undated ones, such
        as the "pending" a proposal starts with, come first.)"""
        mine = [(i, r) for i, r in enumerate(self.responses) if r.actor_id == actor_id]
        mine.sort(key=lambda ir: (ir[1].date or dt.date.min, ir[0]))
        return [r for _, r in mine]

    def current_responses(self, as_of: dt.date | None = None) -> list[Response]:
        """Each party's latest response (on ``as_of``: the latest dated by then), one a
        party, in the order they first responded; a party whose every response came
        after ``as_of`` reads as pending."""
        found = []
        for actor_id in dict.fromkeys(r.actor_id for r in self.responses):
            history = self.response_history(actor_id)
            known = [r for r in history if as_of is None or r.date is None or r.date <= as_of]
            found.append(
                known[-1]
                if known
                else Response(actor_id=actor_id, status=ResponseStatus.PENDING, unsourced=True)
            )
        return found

    def response_of(self, actor_id: str, as_of: dt.date | None = None) -> Response | None:
        """A party's latest response (on ``as_of``); None when it has none."""
        for response in self.current_responses(as_of):
            if response.actor_id == actor_id:
                return response
        return None

    @property
    def sort_date(self) -> dt.date:
        return self.date


class Event(QuotingRecord, Sourced):
    kind: ClassVar[Kind] = Kind.EVENT
    refs: ClassVar[dict[str, str]] = {
        "track_id": "track",
        "actor_ids": "actor",
        "source_ids": "source",
    }
    track_id: Slug
    date: ISODate
    event_kind: EventKind
    title: Title
    text: Body
    actor_ids: list[Slug] = Field(default_factory=list)
    # Words quoted from the source, and where they stand in its text.
    quote: Text = ""
    anchor: Anchor | None = None
    # As a position's.
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=no_corroborations)

    @property
    def sort_date(self) -> dt.date:
        return self.date


class Source(Record):
    kind: ClassVar[Kind] = Kind.SOURCE
    # Its text is an article: its own bound, the others keep theirs through their types.
    model_config = ConfigDict(str_max_length=ARTICLE_CHARS)
    outlet: Title
    title: Title
    published: ISODate
    url: Line = ""
    source_kind: SourceKind
    # The outlet this one's report relies on ("as per Al-Qahira News"); left out of the
    # record when there is none, so that a source written before keeps its bytes.
    via: Line = Field(default="", exclude_if=lambda outlet: not outlet)
    reliability: Text = ""
    # The article itself, as taken in (`parley capture`), and the SHA-256 of its UTF-8
    # bytes: the text never changes afterwards, and `parley check` holds it to the hash.
    text: Annotated[
        str, StringConstraints(max_length=ARTICLE_CHARS), AfterValidator(no_control)
    ] = ""
    text_sha256: Line = ""

    @property
    def label(self) -> str:
        return f"{self.outlet}: {self.title}"


class Assessment(QuotingRecord):
    kind: ClassVar[Kind] = Kind.ASSESSMENT
    refs: ClassVar[dict[str, str]] = {"track_id": "track", "source_ids": "source"}
    track_id: Slug
    analyst: Title
    affiliation: Line = ""
    date: ISODate
    gist: Body
    quote: Text = ""
    source_ids: list[Slug] = Field(default_factory=list)
    anchor: Anchor | None = None
    # As a position's.
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=no_corroborations)

    @property
    def label(self) -> str:
        return f"{self.analyst}, {self.date.isoformat()}"

    @property
    def sort_date(self) -> dt.date:
        return self.date


class Change(Model):
    """One write to the store: what it was before and after, for history and undo."""

    kind: ClassVar[str] = "change"

    seq: int
    at: dt.datetime
    action: Literal["add", "update", "delete"]
    record_kind: str
    record_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    undoes: int | None = None
    # The undo this change takes back (a redo): it writes again what that undo reverted.
    redoes: int | None = None
    # The seq of the first change written in the same transaction, when it wrote more
    # than one: undo and redo take a transaction back whole.
    batch: int | None = None
    summary: str = ""
    # Who wrote it: a login or the name a session was given; "" for a change written
    # before changes recorded their author (shown as "unknown").
    author: Line = ""
    # Written by `parley sync` (store/sync.py): the id ("machine:seq") of the change on
    # another machine this entry carries, or MERGED for one sync wrote of itself. Such
    # entries are never sent on again, and undo here passes over them.
    origin: str | None = None
    # The sync conflicts this change settles (their ids), even when it changes nothing.
    resolves: list[str] | None = None

    @model_serializer(mode="wrap")
    def _leave_out_unset_sync_fields(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A change that never met sync is dumped as before the fields existed, so the
        # files and exports of a store that does not sync stay as they were.
        data = handler(self)
        for name in ("origin", "resolves"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


# Change.origin of an entry sync wrote of itself (a record kept back because it is
# still referred to, or laid as every machine's changes together leave it).
MERGED = "merge"


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (
        Track,
        Actor,
        Person,
        Source,
        Round,
        StickingPoint,
        Position,
        Proposal,
        Event,
        Assessment,
    )
}


# Kinds that belong to a track (everything but actors, people and sources).
TRACK_KINDS = tuple(k for k, cls in RECORD_TYPES.items() if issubclass(cls, TrackRecord))
# Every list of kinds, roles and kinds of source is derived here, from the models and
# their enums, never written out again elsewhere.
# What a record refers to comes first: the kinds every track shares (actors, people,
# sources), then tracks, then what belongs to a track. Exports are written in this order.
KIND_ORDER: tuple[str, ...] = (
    *(k for k in RECORD_TYPES if k != Kind.TRACK and k not in TRACK_KINDS),
    Kind.TRACK,
    *TRACK_KINDS,
)
# Kinds whose records state something a source backs (they cite sources) ...
CITING_KINDS = tuple(k for k, cls in RECORD_TYPES.items() if "source_ids" in cls.model_fields)
# ... and those of them that must say so when no source reports them.
SOURCED_KINDS = tuple(k for k, cls in RECORD_TYPES.items() if "unsourced" in cls.model_fields)
ROLES = tuple(role.value for role in Role)
SOURCE_KINDS = tuple(kind.value for kind in SourceKind)


def model_for(kind: str) -> type[Record]:
    try:
        return RECORD_TYPES[kind]
    except KeyError:
        raise ValueError(
            f"unknown kind {kind!r}; one of: {', '.join(sorted(RECORD_TYPES))}"
        ) from None
