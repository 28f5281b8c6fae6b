"""Which fields each kind of record's form has, and how a filled form becomes records.

Validation is the models': a form's values are turned into model input and any
ValidationError is shown beside the field it names. A new position, event,
response or status change must name its source, add a new one in the same
form, or say explicitly that there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from pydantic import ValidationError

from store import (
    ActorKind,
    EventKind,
    Firmness,
    PointStatus,
    Priority,
    Proposal,
    Record,
    Repository,
    ResponseStatus,
    Role,
    Round,
    RoundFormat,
    RoundStatus,
    Source,
    SourceKind,
    StatusEntry,
    StickingPoint,
    Track,
    model_for,
)
from store.errors import field_errors
from tui.screens.form import Field, FormErrors, FormScreen

TRACK_BOUND = ("round", "point", "position", "proposal", "event", "assessment")
ROLE_FIELDS = {
    Role.PARTY: "parties",
    Role.MEDIATOR: "mediators",
    Role.GUARANTOR: "guarantors",
    Role.OBSERVER: "observers",
}
# Fields typed as "a; b; c" but stored as lists (a venue such as "Doha, Qatar" has a comma).
LIST_FIELDS = ("aliases", "venues")


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def source_fields(required: bool) -> list[Field]:
    fields = [
        Field("source_ids", "Sources", "refs", ref_kind="source"),
        Field("new_outlet", "…or a new source: outlet", hint="leave empty unless adding a source"),
        Field("new_title", "New source: title"),
        Field("new_published", "New source: published", "date"),
        Field("new_source_kind", "New source: kind", "choice", _values(SourceKind)),
        Field("new_url", "New source: URL (optional)"),
    ]
    if required:
        fields.append(Field("unsourced", "No source: record it as unsourced", "check"))
    return fields


FIELDS: dict[str, list[Field]] = {
    "track": [
        Field("title", "Title"),
        Field("description", "Description", "area"),
        Field("region", "Region"),
        Field("started", "Started", "date"),
        *(
            Field(name, name.capitalize(), "refs", ref_kind="actor")
            for name in ROLE_FIELDS.values()
        ),
    ],
    "actor": [
        Field("name", "Name"),
        Field("actor_kind", "Kind", "choice", _values(ActorKind)),
        Field("aliases", "Aliases", hint="separate them with ;"),
        Field("description", "Description", "area"),
    ],
    "person": [
        Field("name", "Name"),
        Field("title", "Role or title"),
        Field("actor_id", "Speaks for", "ref", ref_kind="actor"),
    ],
    "source": [
        Field("outlet", "Outlet"),
        Field("title", "Title"),
        Field("published", "Published", "date"),
        Field("source_kind", "Kind", "choice", _values(SourceKind)),
        Field("url", "URL"),
        Field("reliability", "Reliability note", "area"),
    ],
    "round": [
        Field("title", "Title"),
        Field("start", "Start", "date"),
        Field("end", "End", "date", hint="leave empty if open-ended"),
        Field("venues", "Venues", hint="separate them with ; (a venue may hold a comma)"),
        Field("format", "Format", "choice", _values(RoundFormat)),
        Field("status", "Status", "choice", _values(RoundStatus)),
        Field("mediator_ids", "Mediators", "refs", ref_kind="actor"),
        Field("participant_ids", "Participants", "refs", ref_kind="actor"),
        Field("outcome", "Outcome", "area"),
        *source_fields(required=False),
    ],
    "point": [
        Field("title", "Title"),
        Field("description", "Description", "area"),
        Field("status", "Status", "choice", _values(PointStatus)),
        Field("priority", "Priority", "choice", _values(Priority)),
        Field("raised", "First raised", "date"),
        *source_fields(required=False),
    ],
    "position": [
        Field("point_id", "Sticking point", "ref", ref_kind="point"),
        Field("actor_id", "Party", "ref", ref_kind="actor"),
        Field("speaker_id", "Speaker", "ref", ref_kind="person"),
        Field("date", "Date", "date"),
        Field("firmness", "Firmness", "choice", _values(Firmness)),
        Field("gist", "In a few words"),
        Field("stance", "Stance", "area"),
        Field("quote", "Quoted words (optional)"),
        Field("round_id", "During round", "ref", ref_kind="round"),
        *source_fields(required=True),
    ],
    "proposal": [
        Field("title", "Title"),
        Field("date", "Date", "date"),
        Field("by_ids", "Put forward by", "refs", ref_kind="actor"),
        Field("point_ids", "Sticking points it touches", "refs", ref_kind="point"),
        Field("summary", "Summary", "area"),
        *source_fields(required=False),
    ],
    "event": [
        Field("title", "Title"),
        Field("date", "Date", "date"),
        Field("event_kind", "Kind", "choice", _values(EventKind)),
        Field("actor_ids", "Actors", "refs", ref_kind="actor"),
        Field("text", "What happened", "area"),
        *source_fields(required=True),
    ],
    "assessment": [
        Field("analyst", "Analyst"),
        Field("affiliation", "Affiliation"),
        Field("date", "Date", "date"),
        Field("gist", "Gist", "area"),
        Field("quote", "Quoted words (optional)"),
        *source_fields(required=False),
    ],
}

KIND_NAMES = {
    "track": "track",
    "actor": "actor",
    "person": "person",
    "source": "source",
    "round": "round",
    "point": "sticking point",
    "position": "position",
    "proposal": "proposal",
    "event": "event",
    "assessment": "assessment",
}


def validate(cls: type[Record], data: dict[str, Any], rename: dict[str, str] | None = None) -> Any:
    """A model from data, or FormErrors naming the form's fields."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        rename = rename or {}
        errors = {}
        for key, message in field_errors(exc).items():
            # Model-level checks name no field; put them beside the field they are about.
            if key == "" and "source" in message:
                key = "source_ids"
            elif key == "" and message.startswith("end "):
                key = "end"
            errors[rename.get(key, key)] = message
        raise FormErrors(errors) from None


@contextmanager
def also_raising(found: dict[str, str]) -> Iterator[None]:
    """Raise ``found`` together with whatever FormErrors the block raises, so that one
    save shows every problem of the form rather than one group of them at a time."""
    try:
        yield
    except FormErrors as exc:
        raise FormErrors({**exc.errors, **found}) from None
    if found:
        raise FormErrors(found)


class Forms:
    """Builds the form for a kind of record, new or existing, on the app's current track."""

    def __init__(self, repo: Repository, track_id: str, today: date) -> None:
        self.repo, self.track_id, self.today = repo, track_id, today

    def options(self, kind: str) -> list[tuple[str, str]]:
        if kind in TRACK_BOUND:
            records = self.repo.list(kind, track_id=self.track_id)
        else:
            records = sorted(self.repo.list(kind), key=lambda r: r.label.casefold())
        return [(r.id, r.label) for r in records]

    # -- sources ------------------------------------------------------------

    def _take_sources(
        self, values: dict[str, Any], required: bool
    ) -> tuple[list[str], list[Record], dict[str, str]]:
        """The chosen source ids (a new source's included), the new source to write, and
        what is wrong with the form's source fields."""
        ids = list(values.pop("source_ids", None) or [])
        new = {k: values.pop(k, None) for k in list(values) if k.startswith("new_")}
        unsourced = bool(values.pop("unsourced", False))
        created: list[Record] = []
        errors: dict[str, str] = {}
        adding = bool(new.get("new_outlet") or new.get("new_title"))
        if adding:
            try:
                source = validate(
                    Source,
                    {
                        "id": self.repo.make_id(
                            "source", new.get("new_title") or new["new_outlet"]
                        ),
                        "outlet": new.get("new_outlet") or "",
                        "title": new.get("new_title") or "",
                        "published": new.get("new_published"),
                        "source_kind": new.get("new_source_kind"),
                        "url": new.get("new_url") or "",
                    },
                    rename={
                        "outlet": "new_outlet",
                        "title": "new_title",
                        "published": "new_published",
                        "source_kind": "new_source_kind",
                        "url": "new_url",
                    },
                )
            except FormErrors as exc:
                errors.update(exc.errors)
            else:
                ids.append(source.id)
                created.append(source)
        if required and not ids and not adding and not unsourced:
            errors["source_ids"] = "choose a source, add a new one, or tick “No source”"
        if (ids or adding) and unsourced:
            errors["unsourced"] = "a record with sources cannot be marked unsourced"
        if required:
            # While the sources are at fault the rest of the form is still checked, as
            # though they were settled: the model would otherwise report them again.
            values["unsourced"] = not ids if errors else unsourced
        values["source_ids"] = ids
        return ids, created, errors

    # -- record forms -------------------------------------------------------

    def record_form(
        self, kind: str, record: Record | None = None, preset: dict[str, Any] | None = None
    ) -> FormScreen:
        """The add form for ``kind`` (with ``preset`` values), or the edit form of ``record``."""
        fields = list(FIELDS[kind])
        if record is not None and kind in ("round", "point"):
            # A status changes through `s`, which dates it and asks for its source.
            fields = [f for f in fields if f.name != "status"]
        values = self._initial(kind, record, preset or {})
        verb = "Edit" if record is not None else "New"
        title = f"{verb} {KIND_NAMES[kind]}"
        if record is not None:
            title += f": {record.label}"

        def build(form: dict[str, Any]) -> list[Record]:
            return self._build(kind, record, form)

        return FormScreen(title, fields, values, build, self.options)

    def _initial(self, kind: str, record: Record | None, preset: dict[str, Any]) -> dict[str, Any]:
        if record is None:
            values: dict[str, Any] = {
                f.name: self.today.isoformat()
                for f in FIELDS[kind]
                if f.widget == "date" and not f.name.startswith("new_") and f.name != "end"
            }
            values["new_published"] = self.today.isoformat()
            defaults = {
                "round": {"format": "proximity", "status": "scheduled"},
                "point": {"status": "open", "priority": "medium"},
            }
            values.update(defaults.get(kind, {}))
            values.update(preset)
            return values
        values = record.model_dump(mode="json")
        for name in LIST_FIELDS:
            if name in values:
                values[name] = "; ".join(values[name])
        if isinstance(record, Track):
            for role, name in ROLE_FIELDS.items():
                values[name] = record.actors_with(role)
        values["new_published"] = self.today.isoformat()
        return values

    def _build(self, kind: str, record: Record | None, form: dict[str, Any]) -> list[Record]:
        cls = model_for(kind)
        values = dict(form)
        created: list[Record] = []
        source_errors: dict[str, str] = {}
        if any(f.name == "source_ids" for f in FIELDS[kind]):
            required = any(f.name == "unsourced" for f in FIELDS[kind])
            _, created, source_errors = self._take_sources(values, required)
        for name in LIST_FIELDS:
            if name in values:
                values[name] = [
                    part.strip() for part in (values[name] or "").split(";") if part.strip()
                ]
        if kind == "track":
            participants = []
            for role, name in ROLE_FIELDS.items():
                participants += [
                    {"actor_id": a, "role": role.value} for a in values.pop(name) or []
                ]
            values["participants"] = participants
        data = record.model_dump() if record is not None else {}
        data.update({k: v for k, v in values.items()})
        if record is None:
            label = next(
                (values.get(n) for n in ("title", "name", "analyst") if values.get(n)), None
            )
            if kind == "position":
                parts = (values.get("actor_id"), values.get("point_id"), values.get("date"))
                label = " ".join(str(p) for p in parts if p)
            data["id"] = self.repo.make_id(kind, str(label or kind))
            if kind in TRACK_BOUND:
                data["track_id"] = self.track_id
            if kind in ("round", "point") and values.get("status"):
                when = values.get("start") or values.get("raised") or self.today.isoformat()
                data["status_log"] = [
                    {"date": when, "status": values["status"], "source_ids": values["source_ids"]}
                ]
            if kind == "proposal":
                track = self.repo.get_as(Track, self.track_id)
                data["responses"] = [
                    {"actor_id": a, "status": "pending", "unsourced": True}
                    for a in track.actors_with(Role.PARTY)
                ]
        with also_raising(source_errors):
            return [*created, validate(cls, data)]

    # -- quick actions ------------------------------------------------------

    def status_form(self, record: Round | StickingPoint) -> FormScreen:
        """`s`: a dated, sourced change of a round's or a sticking point's status."""
        choices = _values(RoundStatus if record.kind == "round" else PointStatus)
        fields = [
            Field("status", "New status", "choice", choices),
            Field("date", "As of", "date"),
            Field("note", "Note"),
            *source_fields(required=True),
        ]
        values = {
            "status": record.status.value,
            "date": self.today.isoformat(),
            "new_published": self.today.isoformat(),
        }

        def build(form: dict[str, Any]) -> list[Record]:
            form = dict(form)
            ids, created, source_errors = self._take_sources(form, required=True)
            with also_raising(source_errors):
                entry = {
                    "date": form.get("date"),
                    "status": form.get("status"),
                    "note": form.get("note") or "",
                    "source_ids": ids,
                    "unsourced": form["unsourced"],
                }
                try:
                    checked = StatusEntry.model_validate(entry)
                except ValidationError as exc:
                    raise FormErrors(field_errors(exc)) from None
                if checked.status not in choices:
                    raise FormErrors({"status": "choose a status"})
                data = record.model_dump()
                data["status_log"] = [*data.get("status_log", []), checked.model_dump()]
                # The entry dated last wins; on a tie, the one logged last.
                latest = sorted(data["status_log"], key=lambda e: e["date"])[-1]
                data["status"] = latest["status"]
                return [*created, validate(type(record), data)]

        return FormScreen(f"Set status: {record.label}", fields, values, build, self.options)

    def response_form(self, proposal: Proposal | None) -> FormScreen:
        """`a`: a party's response to a proposal, dated and sourced."""
        fields = [
            Field("proposal_id", "Proposal", "ref", ref_kind="proposal"),
            Field("actor_id", "Party", "ref", ref_kind="actor"),
            Field("status", "Response", "choice", _values(ResponseStatus)),
            Field("date", "Date", "date"),
            Field("note", "Note"),
            *source_fields(required=True),
        ]
        pending = next(
            (r.actor_id for r in (proposal.responses if proposal else []) if r.status == "pending"),
            None,
        )
        values = {
            "proposal_id": proposal.id if proposal else None,
            "actor_id": pending,
            "date": self.today.isoformat(),
            "new_published": self.today.isoformat(),
        }

        def build(form: dict[str, Any]) -> list[Record]:
            form = dict(form)
            _, created, source_errors = self._take_sources(form, required=True)
            with also_raising(source_errors):
                errors = {}
                if not form.get("proposal_id"):
                    errors["proposal_id"] = "choose the proposal"
                if not form.get("actor_id"):
                    errors["actor_id"] = "choose the party that responded"
                if not form.get("status"):
                    errors["status"] = "choose the response"
                if errors:
                    raise FormErrors(errors)
                target = self.repo.get_as(Proposal, form["proposal_id"])
                response = {
                    "actor_id": form["actor_id"],
                    "status": form["status"],
                    "date": form.get("date"),
                    "note": form.get("note") or "",
                    "source_ids": form["source_ids"],
                    "unsourced": form["unsourced"],
                }
                data = target.model_dump()
                others = [r for r in data["responses"] if r["actor_id"] != form["actor_id"]]
                data["responses"] = [*others, response]
                return [*created, validate(Proposal, data, rename={"responses": "status"})]

        return FormScreen("Record a response", fields, values, build, self.options)

    def as_of_form(self, current: date | None) -> FormScreen:
        """`t`: the date to show the talks as of. Writes nothing."""
        fields = [Field("date", "Show the talks as they stood on", "date")]
        values = {"date": (current or self.today).isoformat()}

        def build(form: dict[str, Any]) -> list[Record]:
            text = form.get("date") or ""
            try:
                date.fromisoformat(text)
            except ValueError:
                raise FormErrors({"date": f"{text!r} is not an ISO date (YYYY-MM-DD)"}) from None
            return []

        return FormScreen("As of", fields, values, build, self.options)
