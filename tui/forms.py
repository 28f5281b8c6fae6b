"""Which fields each kind of record's form has, and which command a filled form runs.

Validation is the store's: the commands check what they are given and name each
field at fault, and the form shows each message beside its field. A new
position, event, response or status change must name its source, add a new one
in the same form, or say explicitly that there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from store import (
    ActorKind,
    Conflict,
    EventKind,
    Firmness,
    InvalidRecord,
    Kind,
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
    StickingPoint,
    Track,
)
from store.models import RECORD_TYPES, TRACK_KINDS
from store.reading.corroboration import matches
from store.reading.words import capitalised, changed_by, kind_words
from store.records.commands import Commands
from store.records.drafts import Citation, NewActor, NewSource, Outcome
from tui.dialogs.conflict import conflict_detail
from tui.dialogs.corroboration import offer_body, offer_title
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import Corroborates, FormErrors, Offer, OnConflict
from tui.fields import Field

ROLE_FIELDS = {
    Role.PARTY: "parties",
    Role.MEDIATOR: "mediators",
    Role.GUARANTOR: "guarantors",
    Role.OBSERVER: "observers",
}
# Fields typed as "a; b; c" but stored as lists (a venue such as "Doha, Qatar" has a comma).
LIST_FIELDS = ("aliases", "venues")
# Form fields that make one value together: an edit changing one of them writes them all.
SOURCE_FIELDS = frozenset(
    {
        "source_ids",
        "unsourced",
        "new_outlet",
        "new_title",
        "new_published",
        "new_source_kind",
        "new_url",
    }
)
JOINT_FIELDS = (SOURCE_FIELDS, frozenset(ROLE_FIELDS.values()))


def changed_fields(opened: dict[str, Any], saved: dict[str, Any]) -> set[str]:
    """The fields a form's save changed from what it opened with, with the fields each
    makes one value with (a track's roles are its participants)."""
    changed = {name for name, value in saved.items() if value != opened.get(name)}
    for joint in JOINT_FIELDS:
        if changed & joint:
            changed |= joint & saved.keys()
    return changed


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


NEW_SOURCE = "…or a new source (leave empty unless adding one)"


def source_fields(required: bool) -> list[Field]:
    fields = [
        Field("source_ids", "Sources", "refs", ref_kind=Kind.SOURCE),
        Field("new_outlet", "Outlet", group=NEW_SOURCE),
        Field("new_title", "Title", group=NEW_SOURCE),
        Field("new_published", "Published", "date", group=NEW_SOURCE),
        Field("new_source_kind", "Kind", "choice", _values(SourceKind), group=NEW_SOURCE),
        Field("new_url", "URL (optional)", group=NEW_SOURCE),
    ]
    if required:
        fields.append(Field("unsourced", "No source: record it as unsourced", "check"))
    return fields


FIELDS: dict[str, list[Field]] = {
    Kind.TRACK: [
        Field("title", "Title"),
        Field("description", "Description", "area"),
        Field("region", "Region"),
        Field("started", "Started", "date"),
        *(
            Field(name, name.capitalize(), "refs", ref_kind=Kind.ACTOR)
            for name in ROLE_FIELDS.values()
        ),
    ],
    Kind.ACTOR: [
        Field("name", "Name"),
        Field("actor_kind", "Kind", "choice", _values(ActorKind)),
        Field("aliases", "Aliases", hint="separate them with ;"),
        Field("description", "Description", "area"),
    ],
    Kind.PERSON: [
        Field("name", "Name"),
        Field("title", "Role or title"),
        Field("actor_id", "Speaks for", "ref", ref_kind=Kind.ACTOR),
        Field("aliases", "Aliases", hint="other spellings, separated with ;"),
    ],
    Kind.SOURCE: [
        Field("outlet", "Outlet"),
        Field("title", "Title"),
        Field("published", "Published", "date"),
        Field("source_kind", "Kind", "choice", _values(SourceKind)),
        Field("url", "URL"),
        Field("reliability", "Reliability note", "area"),
    ],
    Kind.ROUND: [
        Field("title", "Title"),
        Field("start", "Start", "date"),
        Field("end", "End", "date", hint="leave empty if open-ended"),
        Field("venues", "Venues", hint="separate them with ; (a venue may hold a comma)"),
        Field("format", "Format", "choice", _values(RoundFormat)),
        Field("status", "Status", "choice", _values(RoundStatus)),
        Field("mediator_ids", "Mediators", "refs", ref_kind=Kind.ACTOR),
        Field("participant_ids", "Participants", "refs", ref_kind=Kind.ACTOR),
        Field("person_ids", "People taking part", "refs", ref_kind=Kind.PERSON),
        Field("outcome", "Outcome", "area"),
        *source_fields(required=False),
    ],
    Kind.POINT: [
        Field("title", "Title"),
        Field("description", "Description", "area"),
        Field("status", "Status", "choice", _values(PointStatus)),
        Field("priority", "Priority", "choice", _values(Priority)),
        Field("raised", "First raised", "date"),
        Field("aliases", "Aliases", hint="words articles name it by, separated with ;"),
        *source_fields(required=False),
    ],
    Kind.POSITION: [
        Field("point_id", "Sticking point", "ref", ref_kind=Kind.POINT),
        Field("actor_id", "Party", "ref", ref_kind=Kind.ACTOR),
        Field("speaker_id", "Speaker", "ref", ref_kind=Kind.PERSON),
        Field("date", "Date", "date"),
        Field("firmness", "Firmness", "choice", _values(Firmness)),
        Field("gist", "In a few words"),
        Field("stance", "Stance", "area"),
        Field("quote", "Quoted words (optional)"),
        Field("round_id", "During round", "ref", ref_kind=Kind.ROUND),
        *source_fields(required=True),
    ],
    Kind.PROPOSAL: [
        Field("title", "Title"),
        Field("date", "Date", "date"),
        Field("by_ids", "Put forward by", "refs", ref_kind=Kind.ACTOR),
        Field("point_ids", "Sticking points it touches", "refs", ref_kind=Kind.POINT),
        Field("summary", "Summary", "area"),
        *source_fields(required=False),
    ],
    Kind.EVENT: [
        Field("title", "Title"),
        Field("date", "Date", "date"),
        Field("event_kind", "Kind", "choice", _values(EventKind)),
        Field("actor_ids", "Actors", "refs", ref_kind=Kind.ACTOR),
        Field("text", "What happened", "area"),
        *source_fields(required=True),
    ],
    Kind.ASSESSMENT: [
        Field("analyst", "Analyst"),
        Field("affiliation", "Affiliation"),
        Field("date", "Date", "date"),
        Field("gist", "Gist", "area"),
        Field("quote", "Quoted words (optional)"),
        *source_fields(required=False),
    ],
}

# The short form "+ new …" in a chooser opens, one a kind a chooser lists: what names the
# record first (filled with what was typed), then what it cannot be stored without.
NEW_FIELDS: dict[str, list[Field]] = {
    Kind.ACTOR: [
        Field("name", "Name"),
        Field("actor_kind", "Kind", "keys", _values(ActorKind)),
        Field("aliases", "Aliases", hint="separate them with ;"),
    ],
    Kind.PERSON: [
        Field("name", "Name"),
        Field("title", "Role or title"),
        Field("actor_id", "Speaks for", "pick", ref_kind=Kind.ACTOR),
    ],
    Kind.SOURCE: [
        Field("title", "Title"),
        Field("outlet", "Outlet"),
        Field("published", "Published", "date"),
        Field("source_kind", "Kind", "keys", _values(SourceKind)),
        Field("url", "URL (optional)"),
    ],
    Kind.ROUND: [
        Field("title", "Title"),
        Field("start", "Start", "date"),
        Field("venues", "Venues", hint="separate them with ;"),
        Field("mediator_ids", "Mediators", "picks", ref_kind=Kind.ACTOR),
        Field("status", "Status", "keys", _values(RoundStatus)),
        Field("format", "Format", "keys", _values(RoundFormat)),
        Field("participant_ids", "Participants", "picks", ref_kind=Kind.ACTOR),
    ],
    Kind.POINT: [
        Field("title", "Title"),
        Field("priority", "Priority", "keys", _values(Priority)),
        Field("description", "Description", "area"),
    ],
    Kind.PROPOSAL: [
        Field("title", "Title"),
        Field("date", "Date", "date"),
        Field("by_ids", "Put forward by", "picks", ref_kind=Kind.ACTOR),
        Field("point_ids", "Sticking points it touches", "picks", ref_kind=Kind.POINT),
        Field("summary", "Summary", "area"),
    ],
}


# A new track's actors not stored yet, typed "Name, kind; Name, kind", by their role.
NEW_ACTORS = "…or actors not stored yet: Name, kind; Name, kind"
NEW_ACTOR_FIELDS = {"new_parties": Role.PARTY, "new_mediators": Role.MEDIATOR}
NEW_TRACK_FIELDS = [
    Field(
        "new_parties",
        "New parties",
        hint="e.g. Sudanese Armed Forces, military; Rapid Support Forces, paramilitary",
        group=NEW_ACTORS,
    ),
    Field(
        "new_mediators",
        "New mediators",
        hint="e.g. Intergovernmental Authority on Development, mediator body",
        group=NEW_ACTORS,
    ),
]


def take_new_actors(values: dict[str, Any]) -> list[tuple[str, str, NewActor]]:
    """The new actors typed in a track's form, taken out of ``values``: each with the
    field and the entry it was typed as. An entry without a kind, or with a kind that
    is none, is the form's error on that field, naming the entry."""
    found: list[tuple[str, str, NewActor]] = []
    errors: dict[str, str] = {}
    for name, role in NEW_ACTOR_FIELDS.items():
        for entry in (part.strip() for part in (values.pop(name, None) or "").split(";")):
            if not entry:
                continue
            try:
                found.append((name, entry, NewActor.from_text(entry, role.value)))
            except ValueError as exc:
                errors.setdefault(name, f"{entry!r}: {exc}")
    if errors:
        raise FormErrors(errors)
    return found


# What a short form leaves out and a record must hold: the full form's default.
NEW_HIDDEN: dict[str, dict[str, str]] = {Kind.POINT: {"status": "open"}}

# Each kind as a person calls it, in the models' order.
KIND_NAMES: dict[str, str] = {kind: kind_words(kind) for kind in RECORD_TYPES}


# A new source's fields as the form names them.
NEW_SOURCE_FIELDS = {
    "new_source.outlet": "new_outlet",
    "new_source.title": "new_title",
    "new_source.published": "new_published",
    "new_source.source_kind": "new_source_kind",
    "new_source.url": "new_url",
}


def run(command: Callable[[], Outcome], names: set[str] | None = None) -> Outcome:
    """Run a command; the fields it refuses become the form's errors. A form without
    the new source's own fields (``names``) shows its problems by the source picker."""
    try:
        return command()
    except InvalidRecord as exc:
        if not exc.fields:
            raise
        errors: dict[str, str] = {}
        for key, message in exc.fields.items():
            field = NEW_SOURCE_FIELDS.get(key, key)
            if names is not None and field not in names and key.startswith("new_source."):
                field, message = "source_ids", f"new source: {key.split('.')[-1]}: {message}"
            errors.setdefault(field, message)
        raise FormErrors(errors) from None


# In a source picker: a new source typed on one line, and "no source".
NEW_SOURCE_PREFIX = "+"
UNSOURCED = "!unsourced"


def take_citation(values: dict[str, Any]) -> Citation:
    """The form's source fields, taken out of ``values``.

    A source picker's value may hold a new source typed on one line (``+Reuters,
    2024-08-25, wire``) and "no source"; the full forms have fields for each.
    """
    published = values.pop("new_published", None)
    new = NewSource(
        outlet=values.pop("new_outlet", None) or "",
        title=values.pop("new_title", None) or "",
        published=published,
        source_kind=values.pop("new_source_kind", None),
        url=values.pop("new_url", None) or "",
    )
    ids = []
    unsourced = bool(values.pop("unsourced", False))
    for value in values.pop("source_ids", None) or []:
        if value == UNSOURCED:
            unsourced = True
        elif value.startswith(NEW_SOURCE_PREFIX):
            new = NewSource.from_text(value.removeprefix(NEW_SOURCE_PREFIX))
        else:
            ids.append(value)
    return Citation(source_ids=ids, new_source=new if new.given else None, unsourced=unsourced)


class Forms:
    """Builds the form for a kind of record, new or existing, on the track in view."""

    def __init__(
        self,
        repo: Repository,
        commands: Commands,
        track_id: str,
        today: date,
        round_id: str | None = None,
    ) -> None:
        """``round_id``: the round last used on this track, which a new position
        proposes as the round it was stated during."""
        self.repo, self.commands, self.track_id, self.today = repo, commands, track_id, today
        self.round_id = round_id

    def options(self, kind: str) -> list[tuple[str, str]]:
        if kind in TRACK_KINDS:
            records = self.repo.list(kind, track_id=self.track_id)
        else:
            records = sorted(self.repo.list(kind), key=lambda r: r.label.casefold())
        return [(r.id, r.label) for r in records]

    def picker_setup(self, field: Field) -> dict[str, Any]:
        """What a quick form's picker needs beyond its options: nothing, here."""
        return {}

    def new_form(self, kind: str, typed: str) -> FormScreen:
        """The short form that adds a record of ``kind`` from a chooser's "+ new …",
        named with what was typed there (a new source by its title)."""
        fields = NEW_FIELDS[kind]
        values = self._initial(kind, None, {fields[0].name: typed.strip()})
        hidden = NEW_HIDDEN.get(kind, {})

        def submit(form: dict[str, Any]) -> Outcome:
            return self._save(kind, None, {**hidden, **form}, fields)

        return FormScreen(
            f"New {KIND_NAMES[kind]}",
            fields,
            values,
            submit,
            self.options,
            picker_setup=self.picker_setup,
            compact=True,
            new_record=self.new_form,
        )

    # -- record forms -------------------------------------------------------

    def record_form(
        self, kind: str, record: Record | None = None, preset: dict[str, Any] | None = None
    ) -> FormScreen:
        """The add form for ``kind`` (with ``preset`` values), or the edit form of ``record``."""
        fields = list(FIELDS[kind])
        if record is None and kind == Kind.TRACK:
            fields += NEW_TRACK_FIELDS
        if record is not None and kind in (Kind.ROUND, Kind.POINT):
            # A status changes through `s`, which dates it and asks for its source.
            fields = [f for f in fields if f.name != "status"]
        values = self._initial(kind, record, preset or {})
        verb = "Edit" if record is not None else "New"
        title = f"{verb} {KIND_NAMES[kind]}"
        if record is not None:
            title += f": {record.label}"

        # An edit names the revision it was made from: saved over someone else's
        # change, it is refused, and the form asks what to do.
        revision = self.repo.revision(kind, record.id) if record is not None else None

        def submit(form: dict[str, Any]) -> Outcome:
            return self._save(kind, record, form, revision=revision)

        on_conflict = None
        if record is not None:

            def reapply(
                opened: dict[str, Any], form: dict[str, Any], conflict: Conflict
            ) -> Outcome:
                changed = changed_fields(opened, form)
                only = {name: value for name, value in form.items() if name in changed}
                return self._save(kind, record, only, revision=conflict.revision)

            def watch(say: Callable[[str], None]) -> Callable[[], None]:
                def changed(_version: int) -> None:
                    moved = self._moved_since(kind, record.id, revision or 0)
                    if moved:
                        say(moved)

                return self.repo.subscribe(changed)

            on_conflict = OnConflict(lambda c: conflict_detail(self.repo, c), reapply, watch)
        return FormScreen(
            title,
            fields,
            values,
            submit,
            self.options,
            on_conflict=on_conflict,
            new_record=self.new_form,
        )

    def _track_round(self, round_id: str | None) -> bool:
        """Whether ``round_id`` is a round of the track in view (still stored)."""
        if not round_id or not self.repo.exists(Kind.ROUND, round_id):
            return False
        return self.repo.get_as(Round, round_id).track_id == self.track_id

    def _moved_since(self, kind: str, record_id: str, revision: int) -> str:
        """A line saying who changed the record since ``revision``; "" if no one did."""
        exists = self.repo.exists(kind, record_id)
        if exists and self.repo.revision(kind, record_id) == revision:
            return ""
        last = self.repo.last_change(kind, record_id)
        who = capitalised(changed_by(last)) if last is not None else "Changed"
        if not exists:
            return f"{who} while you were editing; this edit can no longer be saved."
        return f"{who} while you were editing; ctrl+s shows the change and asks what to do."

    def _initial(self, kind: str, record: Record | None, preset: dict[str, Any]) -> dict[str, Any]:
        if record is None:
            values: dict[str, Any] = {
                f.name: self.today.isoformat()
                for f in FIELDS[kind]
                if f.widget == "date" and not f.name.startswith("new_") and f.name != "end"
            }
            values["new_published"] = self.today.isoformat()
            defaults: dict[str, dict[str, str]] = {
                Kind.ROUND: {"format": "proximity", "status": "scheduled"},
                Kind.POINT: {"status": "open", "priority": "medium"},
            }
            values.update(defaults.get(kind, {}))
            if kind == Kind.POSITION and self._track_round(self.round_id):
                values["round_id"] = self.round_id
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

    def _save(
        self,
        kind: str,
        record: Record | None,
        form: dict[str, Any],
        fields: Sequence[Field] | None = None,
        revision: int | None = None,
        offer: bool = True,
    ) -> Outcome:
        """Run the form's command; an edit with ``revision`` only on that revision, with
        the fields ``form`` holds (all of them, but when an edit is reapplied). A new
        record that repeats one stored is offered to it first (``offer``)."""
        if record is None and offer:
            self.offer_match(kind, form, lambda: self._save(kind, None, form, fields, offer=False))
        values = dict(form)
        names = {f.name for f in (fields or FIELDS[kind])}
        cite = take_citation(values) if "source_ids" in names & values.keys() else None
        new_actors = take_new_actors(values) if kind == Kind.TRACK and record is None else []
        for name in LIST_FIELDS:
            if name in values:
                values[name] = [
                    part.strip() for part in (values[name] or "").split(";") if part.strip()
                ]
        if kind == Kind.TRACK and values.keys() & set(ROLE_FIELDS.values()):
            participants = []
            for role, name in ROLE_FIELDS.items():
                participants += [
                    {"actor_id": a, "role": role.value} for a in values.pop(name) or []
                ]
            values["participants"] = participants
        if record is not None:
            return run(
                lambda: self.commands.edit(kind, record.id, values, cite=cite, revision=revision),
                names,
            )
        if kind == Kind.TRACK:
            return self._add_track(values, new_actors)
        return run(
            lambda: self.commands.create(kind, values, track_id=self.track_id, cite=cite), names
        )

    def _add_track(
        self, values: dict[str, Any], new_actors: list[tuple[str, str, NewActor]]
    ) -> Outcome:
        """A new track and the actors typed for it, in one write; a problem with one of
        those actors shown on the field it was typed in, naming it."""
        try:
            return self.commands.add_track(values, [actor for _, _, actor in new_actors])
        except InvalidRecord as exc:
            errors: dict[str, str] = {}
            for key, message in exc.fields.items():
                head, _, rest = key.partition(".")
                if head == "new_actors":
                    n, _, name = rest.partition(".")
                    field, entry, _ = new_actors[int(n)]
                    errors.setdefault(field, f"{entry!r}: {name}: {message}")
                else:
                    errors.setdefault(key, message)
            raise FormErrors(errors or {"": str(exc)}) from None

    def offer_match(self, kind: str, form: dict[str, Any], as_new: Callable[[], Outcome]) -> None:
        """Raise ``Corroborates`` when the new record a form holds repeats one stored (the
        same news from another outlet): the form then offers to add its source and
        anchored quote to that one, or to save it as new (``as_new``)."""
        if kind not in (Kind.POSITION, Kind.EVENT):
            return
        values = dict(form)
        cite = take_citation(values)
        new = cite.new_source
        if cite.unsourced or not (cite.source_ids or new is not None):
            return
        found = matches(self.repo, kind, self.track_id, values, cite.source_ids)
        if not found:
            return
        match = found[0]
        quote = str(values.get("quote") or "")
        anchor = values.get("anchor")
        outlets = [
            self.repo.get_as(Source, s).outlet
            for s in cite.source_ids
            if self.repo.exists(Kind.SOURCE, s)
        ] + ([new.outlet] if new is not None else [])
        said = " and ".join(dict.fromkeys(outlets)) or "this source"
        record_kind = match.kind

        def add() -> Outcome:
            return run(
                lambda: self.commands.corroborate(
                    record_kind, match.record.id, cite=cite, quote=quote, anchor=anchor
                )
            )

        new_words = new.outlet if new is not None else ""
        raise Corroborates(
            Offer(
                title=offer_title(match),
                body=offer_body(self.repo, match, cite.source_ids, new_words, quote),
                add_words=f"add {said}" + (" and its quote" if quote else "") + " to it",
                new_words=f"save as a new {KIND_NAMES[kind]}",
                add=add,
                as_new=as_new,
            )
        )

    # -- quick actions ------------------------------------------------------

    def status_form(self, record: Round | StickingPoint) -> FormScreen:
        """`s`: a dated, sourced change of a round's or a sticking point's status."""
        choices = _values(RoundStatus if record.kind == Kind.ROUND else PointStatus)
        fields = [
            Field("status", "New status", "choice", choices),
            Field("date", "As of", "date"),
            Field("note", "Note", "area"),
            *source_fields(required=True),
        ]
        values = {
            "status": record.status.value,
            "date": self.today.isoformat(),
            "new_published": self.today.isoformat(),
        }

        def submit(form: dict[str, Any]) -> Outcome:
            return self.set_status(record, form)

        return FormScreen(
            f"Set status: {record.label}",
            fields,
            values,
            submit,
            self.options,
            new_record=self.new_form,
        )

    def set_status(
        self, record: Round | StickingPoint, form: dict[str, Any], names: set[str] | None = None
    ) -> Outcome:
        form = dict(form)
        cite = take_citation(form)
        return run(
            lambda: self.commands.set_status(
                record.kind,
                record.id,
                form.get("status") or "",
                form.get("date"),
                note=form.get("note") or "",
                cite=cite,
            ),
            names,
        )

    def response_form(self, proposal: Proposal | None) -> FormScreen:
        """`a`: a party's response to a proposal, dated and sourced."""
        fields = [
            Field("proposal_id", "Proposal", "ref", ref_kind=Kind.PROPOSAL),
            Field("actor_id", "Party", "ref", ref_kind=Kind.ACTOR),
            Field("status", "Response", "choice", _values(ResponseStatus)),
            Field("date", "Date", "date"),
            Field("note", "Note", "area"),
            *source_fields(required=True),
        ]
        pending = next(
            (
                r.actor_id
                for r in (proposal.current_responses() if proposal else [])
                if r.status == "pending"
            ),
            None,
        )
        values = {
            "proposal_id": proposal.id if proposal else None,
            "actor_id": pending,
            "date": self.today.isoformat(),
            "new_published": self.today.isoformat(),
        }

        def submit(form: dict[str, Any]) -> Outcome:
            return self.respond(form)

        return FormScreen(
            "Record a response", fields, values, submit, self.options, new_record=self.new_form
        )

    def respond(self, form: dict[str, Any], names: set[str] | None = None) -> Outcome:
        form = dict(form)
        cite = take_citation(form)
        return run(
            lambda: self.commands.record_response(
                form.get("proposal_id"),
                form.get("actor_id"),
                form.get("status"),
                form.get("date"),
                note=form.get("note") or "",
                cite=cite,
            ),
            names,
        )

    def as_of_form(self, current: date | None) -> FormScreen:
        """`t`: the date to show the talks as of. Writes nothing."""
        fields = [Field("date", "Show the talks as they stood on", "date")]
        values = {"date": (current or self.today).isoformat()}

        def submit(form: dict[str, Any]) -> None:
            text = form.get("date") or ""
            try:
                date.fromisoformat(text)
            except ValueError:
                raise FormErrors({"date": f"{text!r} is not an ISO date (YYYY-MM-DD)"}) from None

        return FormScreen("As of", fields, values, submit, self.options, verb="apply")
