"""The domain: pydantic models for every kind of record Parley keeps.

Records refer to each other by stable slug ids (``philadelphi-corridor``),
never by storage ids. Every text field refuses control characters so that a
record can never carry a terminal escape sequence into the dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from .limits import ARTICLE_CHARS, LINE_CHARS, TEXT_CHARS

# What a point's status reads as on a day before its first recorded status.
NOT_RECORDED = "not yet recorded"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _no_control(value: str) -> str:
    found = _CONTROL_RE.search(value)
    if found:
        raise ValueError(f"contains a control character (U+{ord(found.group()):04X}); remove it")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits and single hyphens"
        )
    return value


def _iso_date(value: Any) -> Any:
    # pydantic's lax mode would take Unix timestamps and datetimes; a date is a date.
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)")


ISODate = Annotated[dt.date, BeforeValidator(_iso_date)]

# Long free text (descriptions, stances, outcomes): may span lines.
Text = Annotated[str, StringConstraints(max_length=TEXT_CHARS), AfterValidator(_no_control)]
# Short text that names something: one line, may be empty.
Line = Annotated[
    str,
    StringConstraints(max_length=LINE_CHARS),
    AfterValidator(_no_control),
    AfterValidator(_one_line),
]
# A title or name: one line, not empty.
Title = Annotated[
    str,
    StringConstraints(max_length=LINE_CHARS),
    AfterValidator(_no_control),
    AfterValidator(_one_line),
    AfterValidator(_non_empty),
]
# Stance texts, gists and event texts: not empty, may span lines.
Body = Annotated[
    str,
    StringConstraints(max_length=TEXT_CHARS),
    AfterValidator(_no_control),
    AfterValidator(_non_empty),
]
Slug = Annotated[str, StringConstraints(max_length=LINE_CHARS), AfterValidator(_slug)]


def slugify(text: str, max_length: int = 48) -> str:
    """A stable id made from a title: ``Philadelphi Corridor`` -> ``philadelphi-corridor``."""
    # Split words at any punctuation first: NFKD-to-ASCII drops dashes like "–" outright.
    spaced = re.sub(r"[^\w]+", " ", text)
    folded = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "record"


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


class Model(BaseModel):
    # Every string of every record is bounded (store/limits.py), a field added later too.
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, str_max_length=TEXT_CHARS
    )


# The key under which a stored document carries its revision: the number of the change
# that last wrote it. It is the store's bookkeeping, not a field of the record, and no
# field can be named so (pydantic keeps names with a leading underscore private).
REVISION = "_rev"


def revision_of(doc: Mapping[str, Any]) -> int:
    """A stored document's revision; 0 for one written before records carried one."""
    value = doc.get(REVISION)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class Record(Model):
    """A stored record: its kind names its table, its id is a slug unique per kind."""

    kind: ClassVar[Kind]
    # References to other records: field name -> kind of record referred to.
    refs: ClassVar[dict[str, str]] = {}

    id: Slug

    @model_validator(mode="before")
    @classmethod
    def _stored(cls, data: Any) -> Any:
        # A stored document carries its revision beside the fields: read past it.
        if isinstance(data, dict) and REVISION in data:
            data = dict(data)  # the stored document itself stays as it is
            del data[REVISION]
        return data

    @property
    def label(self) -> str:
        """How the record is named in lists and messages."""
        for name in ("title", "name", "outlet"):
            value = getattr(self, name, None)
            if value:
                return str(value)
        return self.id

    def references(self) -> list[tuple[str, str, str]]:
        """Every (field, kind, id) this record refers to."""
        return self.refs_of(self.model_dump(mode="json"))

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """The references in a stored document of this kind, without building the model."""
        found: list[tuple[str, str, str]] = []
        for field, kind in cls.refs.items():
            value = doc.get(field)
            if value is None:
                continue
            for ref in value if isinstance(value, list) else [value]:
                found.append((field, kind, ref))
        return found

    @property
    def sort_date(self) -> dt.date | None:
        return None


class TrackRecord(Record):
    """A record that belongs to one track: everything but tracks, actors, people and
    sources. Each kind declares ``track_id`` among its own fields, in its own place."""

    if TYPE_CHECKING:
        track_id: str


def track_of(record: Record) -> str | None:
    """The track a record belongs to; None for a track, an actor, a person, a source."""
    return record.track_id if isinstance(record, TrackRecord) else None


class Sourced(TrackRecord):
    """A claim that must say where it comes from, or say explicitly that nothing does."""

    source_ids: list[Slug] = Field(default_factory=list)
    unsourced: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> Sourced:
        if not self.source_ids and not self.unsourced:
            raise ValueError("give at least one source, or mark the record as unsourced")
        if self.source_ids and self.unsourced:
            raise ValueError("a record with sources cannot also be marked unsourced")
        return self


class Anchor(Model):
    """Where a quotation stands in the text its source keeps: the characters from
    ``start`` up to ``end``, which were ``text`` when it was taken. Whether they still
    are is for `parley check` to say: a store whose source text was changed behind
    Parley's back still opens."""

    source_id: Slug
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: Text


class Corroboration(Model):
    """The same news from another outlet: the source that reports it too, and the words
    it reports it in, anchored where they stand in that source's text, as the record's
    own quote is in its own source's. The source is one of the record's sources."""

    source_id: Slug
    quote: Text = ""
    anchor: Anchor | None = None


@dataclass(frozen=True)
class Quoted:
    """One source of a record with the words it was quoted in: the record's own quote
    (``corroboration`` None) or a corroboration's (its index)."""

    source_id: str | None
    quote: str
    anchor: Anchor | None
    corroboration: int | None = None

    def may_be_in(self, source_id: str) -> bool:
        """Whether these words may be looked for in ``source_id``: a corroboration's in its
        own source; the record's own unanchored quote in any source the record cites."""
        return self.corroboration is None or self.source_id == source_id


def _anchor_refs(doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    anchor = doc.get("anchor")
    if isinstance(anchor, Mapping) and anchor.get("source_id"):
        found.append(("anchor", "source", str(anchor["source_id"])))
    for item in doc.get("corroborations") or []:
        if not isinstance(item, Mapping):
            continue
        if item.get("source_id"):
            found.append(("corroborations", "source", str(item["source_id"])))
        inner = item.get("anchor")
        if isinstance(inner, Mapping) and inner.get("source_id"):
            found.append(("corroborations", "source", str(inner["source_id"])))
    return found


def _anchored(
    quote: str,
    anchor: Anchor | None,
    source_ids: list[str],
    corroborations: list[Corroboration],
) -> None:
    """An anchor stands in a source the record cites; each corroboration's source is one
    the record cites, other than its own quote's, once, its anchor in that source. (That
    an anchor holds its quote is checked where quotes are written, and by `parley check`.)"""
    if anchor is not None and anchor.source_id not in source_ids:
        raise ValueError(f"the quote is anchored in {anchor.source_id!r}, which it does not cite")
    seen = {anchor.source_id} if anchor is not None else set()
    for item in corroborations:
        if item.source_id not in source_ids:
            raise ValueError(f"corroborated by {item.source_id!r}, which it does not cite")
        if item.source_id in seen:
            raise ValueError(f"source {item.source_id!r} is quoted twice")
        seen.add(item.source_id)
        if item.anchor is not None and item.anchor.source_id != item.source_id:
            raise ValueError(
                f"the words of {item.source_id!r} are anchored in {item.anchor.source_id!r}"
            )


def _no_corroborations(items: list[Corroboration]) -> bool:
    return not items


def quoted(record: Record) -> list[Quoted]:
    """Each source of a record with the words it was quoted in: its own quote first (in
    its anchor's source, else its first source), then each corroboration. A record with
    one quote reads as a record with one anchored quote; one with none, as none."""
    found: list[Quoted] = []
    quote = str(getattr(record, "quote", "") or "")
    anchor: Anchor | None = getattr(record, "anchor", None)
    if quote or anchor is not None:
        sources: list[str] = list(getattr(record, "source_ids", []) or [])
        source = anchor.source_id if anchor is not None else (sources[0] if sources else None)
        found.append(Quoted(source, quote, anchor))
    for index, item in enumerate(getattr(record, "corroborations", []) or []):
        found.append(Quoted(item.source_id, item.quote, item.anchor, index))
    return found


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


class Position(Sourced):
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
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=_no_corroborations)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        return super().refs_of(doc) + _anchor_refs(doc)

    @model_validator(mode="after")
    def _anchor(self) -> Position:
        _anchored(self.quote, self.anchor, self.source_ids, self.corroborations)
        return self

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


class Event(Sourced):
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
    # The same news from other outlets, each with its anchored quote
    # (store/reading/corroboration.py).
    # Left out of the record when there are none, as a person's aliases: a store and an
    # export written before keep their bytes.
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=_no_corroborations)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        return super().refs_of(doc) + _anchor_refs(doc)

    @model_validator(mode="after")
    def _anchor(self) -> Event:
        _anchored(self.quote, self.anchor, self.source_ids, self.corroborations)
        return self

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
        str, StringConstraints(max_length=ARTICLE_CHARS), AfterValidator(_no_control)
    ] = ""
    text_sha256: Line = ""

    @property
    def label(self) -> str:
        return f"{self.outlet}: {self.title}"


class Assessment(TrackRecord):
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
    # The same news from other outlets, each with its anchored quote
    # (store/reading/corroboration.py).
    # Left out of the record when there are none, as a person's aliases: a store and an
    # export written before keep their bytes.
    corroborations: list[Corroboration] = Field(default_factory=list, exclude_if=_no_corroborations)

    @classmethod
    def refs_of(cls, doc: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        return super().refs_of(doc) + _anchor_refs(doc)

    @model_validator(mode="after")
    def _anchor(self) -> Assessment:
        _anchored(self.quote, self.anchor, self.source_ids, self.corroborations)
        return self

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
