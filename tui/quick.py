"""Quick entry: compact forms for what happens every day, filled from context.

A new position, a status change, a new round, a response, an event. Each form
starts on the first field the user must fill; the rest comes from what is in
view (the sticking point, the round, the proposal, the track), the source from
the last one used or the one the selection cites, and the date from that source.
Pickers are type-ahead, short lists take one key, and a new source is typed in
the source picker on one line ("Reuters, 2024-08-25, wire"). Each form runs the
same command as the full form of its kind.

Opened on a passage of an article (the reader), a form is filled from it: the
quote, its source, the actors and people it names, the day it speaks of; a
position, an event or an assessment saved from it keeps the quote's anchor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from store import (
    Actor,
    EventKind,
    Firmness,
    Kind,
    Person,
    PointStatus,
    Position,
    Proposal,
    Record,
    ResponseStatus,
    Round,
    RoundFormat,
    RoundStatus,
    Source,
    StickingPoint,
)
from store.articles.anchors import anchor_quote
from store.articles.article import DateGuess, without_dateline
from store.articles.proposals import Reading, round_on
from store.articles.speakers import NewPerson
from store.records.drafts import NewSource, Outcome
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormErrors, FormResult
from tui.fields import Field
from tui.forms import NEW_SOURCE_PREFIX, UNSOURCED, Forms
from tui.text import shorten
from tui.widgets.picker import Extra


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def sources_field(required: bool) -> Field:
    hint = "new: type “Reuters, 2024-08-25, wire”"
    if required:
        hint += " · none: “no source”"
    return Field("source_ids", "Sources", "picks", ref_kind=Kind.SOURCE, hint=hint)


# The round a statement was made in: proposed from its date, and following it.
ROUND_FIELD = Field(
    "round_id",
    "During round",
    "pick",
    ref_kind=Kind.ROUND,
    hint="the round its date falls in, if any",
    optional=True,
)
POSITION = [
    Field("point_id", "Sticking point", "pick", ref_kind=Kind.POINT),
    Field("actor_id", "Party", "pick", ref_kind=Kind.ACTOR),
    Field("firmness", "Firmness", "keys", _values(Firmness)),
    Field("stance", "Stance", "area"),
    sources_field(required=True),
    Field("date", "Date", "date", hint="follows the source until you change it"),
    Field("gist", "In brief"),
    # Many statements are an actor's, no one's by name: left empty, not to start on.
    Field("speaker_id", "Speaker", "pick", ref_kind=Kind.PERSON, optional=True),
    ROUND_FIELD,
]
STATUS = [
    Field("status", "New status", "keys"),
    sources_field(required=True),
    Field("date", "As of", "date", hint="follows the source until you change it"),
    Field("note", "Note"),
]
ROUND = [
    Field("title", "Title"),
    Field("start", "Start", "date"),
    Field("venues", "Venues", hint="separate them with ;"),
    Field("mediator_ids", "Mediators", "picks", ref_kind=Kind.ACTOR),
    Field("status", "Status", "keys", _values(RoundStatus)),
    sources_field(required=False),
    Field("format", "Format", "keys", _values(RoundFormat)),
    Field("participant_ids", "Participants", "picks", ref_kind=Kind.ACTOR),
]
RESPONSE = [
    Field("proposal_id", "Proposal", "pick", ref_kind=Kind.PROPOSAL),
    Field("actor_id", "Party", "pick", ref_kind=Kind.ACTOR),
    Field("status", "Response", "keys", _values(ResponseStatus)),
    sources_field(required=True),
    Field("date", "Date", "date", hint="follows the source until you change it"),
    Field("note", "Note"),
]
EVENT = [
    Field("title", "What happened, in a line"),
    Field("event_kind", "Kind", "keys", _values(EventKind)),
    Field("actor_ids", "Actors", "picks", ref_kind=Kind.ACTOR),
    Field("text", "In full", "area"),
    sources_field(required=True),
    Field("date", "Date", "date", hint="follows the source until you change it"),
]
ASSESSMENT = [
    Field("analyst", "Analyst"),
    Field("affiliation", "Affiliation"),
    Field("gist", "Gist", "area"),
    Field("quote", "Quoted words"),
    sources_field(required=False),
    Field("date", "Date", "date", hint="follows the source until you change it"),
]
QUOTE = Field("quote", "Quote", hint="the article's words, verbatim; trim them to what you quote")
# Where a form opened on a passage shows its quote: after the field it fills in words.
QUOTE_AFTER: dict[str, str] = {Kind.POSITION: "stance", Kind.EVENT: "text"}


@dataclass(frozen=True)
class Passage:
    """Words of an article kept as a source, which a quick form is opened on."""

    source_id: str
    start: int
    end: int
    quote: str
    actor_ids: tuple[str, ...] = ()
    person_ids: tuple[str, ...] = ()
    # The day the words speak of; None: the article's own date.
    day: DateGuess | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Who said it, for whom, on what, how firmly: proposed from the words.
    reading: Reading | None = None


NEW_PERSON_PREFIX = "+person:"


def new_person_key(person: NewPerson) -> str:
    """A new person, as the speaker picker holds them until the form is saved."""
    return NEW_PERSON_PREFIX + person.name


def new_person_label(person: NewPerson, actor: str) -> str:
    about = ", ".join(part for part in (person.title, actor) if part)
    return f"+ new person: {person.name}" + (f" ({about})" if about else "")


def cited(result: FormResult) -> list[str]:
    """The sources a saved form cited, new ones included: the next form's default."""
    chosen = [
        v
        for v in result.values.get("source_ids") or []
        if not v.startswith(NEW_SOURCE_PREFIX) and v != UNSOURCED
    ]
    return chosen + [r.id for r in result.records if isinstance(r, Source)]


class QuickForms(Forms):
    """The quick-entry forms of the track in view."""

    def __init__(
        self,
        *args: Any,
        sources: Sequence[str] = (),
        passage: Passage | None = None,
        **kwargs: Any,
    ) -> None:
        """``sources``: those to cite unless the user chooses others; ``passage``: the
        words of an article the forms are filled from."""
        super().__init__(*args, **kwargs)
        self.sources = [s for s in sources if self.repo.exists(Kind.SOURCE, s)]
        self.passage = passage

    # -- the forms -----------------------------------------------------------

    def position(self, selected: Record | None, full: bool = False) -> FormScreen:
        preset: dict[str, Any] = {}
        if isinstance(selected, StickingPoint):
            preset["point_id"] = selected.id
        elif isinstance(selected, Position):
            preset.update(point_id=selected.point_id, actor_id=selected.actor_id)
        elif isinstance(selected, Actor) and not full:
            preset["actor_id"] = selected.id
        if full:
            return self.record_form(Kind.POSITION, preset=preset)
        return self._form(Kind.POSITION, "New position", POSITION, preset, selected)

    def status(self, record: Round | StickingPoint, full: bool = False) -> FormScreen:
        if full:
            return self.status_form(record)
        choices = _values(RoundStatus if isinstance(record, Round) else PointStatus)
        fields = [Field("status", "New status", "keys", choices), *STATUS[1:]]

        def submit(form: dict[str, Any]) -> Outcome:
            return self.set_status(record, form, names={f.name for f in fields})

        title = f"Status of {record.label} (now {record.status.value})"
        return self._screen(title, fields, self._initial_quick({}, record), submit)

    def round(self, selected: Record | None, full: bool = False) -> FormScreen:
        if full:
            return self.record_form(Kind.ROUND)
        preset = {"format": RoundFormat.PROXIMITY.value, "status": RoundStatus.SCHEDULED.value}
        return self._form(Kind.ROUND, "New round", ROUND, preset, selected)

    def event(self, selected: Record | None, full: bool = False) -> FormScreen:
        if full:
            return self.record_form(Kind.EVENT)
        return self._form(Kind.EVENT, "New event", EVENT, {}, selected)

    def assessment(self, selected: Record | None, full: bool = False) -> FormScreen:
        if full:
            return self.record_form(Kind.ASSESSMENT)
        return self._form(Kind.ASSESSMENT, "New assessment", ASSESSMENT, {}, selected)

    def response(self, selected: Record | None, full: bool = False) -> FormScreen | None:
        """A response to the selected proposal, else to the latest one still awaiting a
        party's answer; None when the track has no proposal."""
        proposal = selected if isinstance(selected, Proposal) else None
        if proposal is None:
            proposals = self.repo.proposals(self.track_id)
            pending = [
                p for p in proposals if any(r.status == "pending" for r in p.current_responses())
            ]
            if not proposals:
                return None
            proposal = (pending or proposals)[-1]
        if full:
            return self.response_form(proposal)
        waiting = next((r.actor_id for r in proposal.responses if r.status == "pending"), None)
        preset = {"proposal_id": proposal.id, "actor_id": waiting}

        def submit(form: dict[str, Any]) -> Outcome:
            return self.respond(form, names={f.name for f in RESPONSE})

        values = self._initial_quick(preset, proposal)
        return self._screen("Response to a proposal", RESPONSE, values, submit)

    # -- shared --------------------------------------------------------------

    def _form(
        self,
        kind: str,
        title: str,
        fields: list[Field],
        preset: dict[str, Any],
        selected: Record | None,
    ) -> FormScreen:
        values = self._initial_quick(preset, selected)
        fields = self._passage_fields(kind, fields)

        def submit(form: dict[str, Any], offer: bool = True) -> Outcome:
            typed = form
            form = self._anchored(form)
            if offer:
                # Before a new speaker is made: added to a stored record, it needs none.
                self.offer_match(kind, form, lambda: submit(typed, offer=False))
            person = self._new_speaker(form.get("speaker_id"))
            if person is None:
                return self._save(kind, None, form, fields, offer=False)
            made = self.commands.create(
                Kind.PERSON,
                {"name": person.name, "title": person.title, "actor_id": person.actor_id},
            )
            assert made.record is not None
            try:
                speaker = {**form, "speaker_id": made.record.id}
                outcome = self._save(kind, None, speaker, fields, offer=False)
            except Exception:
                # The record was not saved: nor is the person made for it.
                self.commands.delete(Kind.PERSON, made.record.id)
                raise
            return Outcome((*made.changes, *outcome.changes), (*made.records, *outcome.records))

        return self._screen(title, fields, values, submit)

    def _new_speaker(self, value: object) -> NewPerson | None:
        """The new person the speaker picker holds, if it holds the one proposed."""
        reading = self.passage.reading if self.passage is not None else None
        proposed = reading.new_speaker if reading is not None else None
        if proposed is None or value != new_person_key(proposed):
            return None
        return proposed

    def _screen(
        self, title: str, fields: list[Field], values: dict[str, Any], submit: Any
    ) -> FormScreen:
        if self.passage is not None and self.passage.day is not None:
            hint = self.passage.day.words
            fields = [replace(f, hint=hint) if f.widget == "date" else f for f in fields]
        return FormScreen(
            title,
            fields,
            values,
            submit,
            self.options,
            picker_setup=self.picker_setup,
            follow=self.follow,
            compact=True,
            # Filled from the article, the form is mostly there: Enter saves it.
            enter_saves=self.passage is not None,
            new_record=self.new_form,
        )

    def _initial_quick(self, preset: dict[str, Any], selected: Record | None) -> dict[str, Any]:
        """The session's last source, else the one the selection cites; the date from it.
        On a passage: its source, its day, and what it says and names."""
        sources = self.sources or self._cited_by(selected)
        if self.passage is not None:
            sources = [self.passage.source_id]
        values: dict[str, Any] = {"source_ids": sources}
        day = self._source_day(sources) or self.today.isoformat()
        if self.passage is not None and self.passage.day is not None:
            day = self.passage.day.day.isoformat()
        values.update(date=day, start=day)
        values["round_id"] = self._round_on(day)
        if self.passage is not None:
            values.update(self._from_passage(self.passage))
        values.update(preset)
        return values

    def _round_on(self, day: object) -> str | None:
        """The round of the track that a record of ``day`` was made in, if any."""
        try:
            when = date.fromisoformat(str(day))
        except ValueError:
            return None
        return round_on(self.repo.list_as(Round, track_id=self.track_id), when)

    def _from_passage(self, passage: Passage) -> dict[str, Any]:
        words = " ".join(without_dateline(passage.quote).split())
        people = [
            self.repo.get_as(Person, p)
            for p in passage.person_ids
            if self.repo.exists(Kind.PERSON, p)
        ]
        actor = passage.actor_ids[0] if passage.actor_ids else None
        speaker = next((p.id for p in people if actor and p.actor_id == actor), None)
        # An analyst is a person who speaks for none of the actors.
        analyst = next((p for p in people if p.actor_id is None), None)
        values: dict[str, Any] = {
            "quote": passage.quote,
            "stance": words,
            "text": words,
            "gist": words,
            "note": words,
            "title": shorten(words, 70),
            "actor_ids": list(passage.actor_ids),
            "actor_id": actor,
            "speaker_id": speaker,
        }
        reading = passage.reading
        if reading is not None:
            values.update(
                stance=reading.stance,
                actor_id=reading.actor_id or actor,
                speaker_id=reading.speaker_id,
                point_id=reading.point_id,
                firmness=reading.firmness,
            )
            if reading.new_speaker is not None:
                values["speaker_id"] = new_person_key(reading.new_speaker)
        if analyst is not None:
            name, _, affiliation = analyst.title.partition("; ")
            values.update(analyst=analyst.name, affiliation=affiliation or name)
        values.update(passage.extra)
        return values

    def _passage_fields(self, kind: str, fields: list[Field]) -> list[Field]:
        """A form on a passage shows the quote it will anchor; and who said it, which
        the passage proposes, beside the party they speak for."""
        if self.passage is None or kind not in QUOTE_AFTER:
            return fields
        at = next(i for i, f in enumerate(fields) if f.name == QUOTE_AFTER[kind]) + 1
        fields = [*fields[:at], QUOTE, *fields[at:]]
        speaker = next((f for f in fields if f.name == "speaker_id"), None)
        if speaker is not None and any(f.name == "actor_id" for f in fields):
            fields.remove(speaker)
            at = next(i for i, f in enumerate(fields) if f.name == "actor_id") + 1
            fields.insert(at, speaker)
        return fields

    def _anchored(self, form: dict[str, Any]) -> dict[str, Any]:
        """The form's values, with the anchor of its quote in the passage's source."""
        passage = self.passage
        quote = str(form.get("quote") or "")
        if passage is None or not quote.strip():
            return form
        if passage.source_id not in (form.get("source_ids") or []):
            return form
        source = self.repo.get_as(Source, passage.source_id)
        anchor = anchor_quote(source, quote, near=passage.start)
        if anchor is None:
            raise FormErrors(
                {"quote": "these words are not in the article: quote them exactly, or clear it"}
            )
        return {**form, "anchor": anchor.model_dump()}

    @staticmethod
    def _cited_by(record: Record | None) -> list[str]:
        if record is None:
            return []
        return list(
            dict.fromkeys(ref for _, kind, ref in record.references() if kind == Kind.SOURCE)
        )

    def _source_day(self, chosen: Sequence[str]) -> str | None:
        for value in chosen:
            if value.startswith(NEW_SOURCE_PREFIX):
                published = NewSource.from_text(value.removeprefix(NEW_SOURCE_PREFIX)).published
                if isinstance(published, str | date):
                    return str(published)
            elif value != UNSOURCED and self.repo.exists(Kind.SOURCE, value):
                return self.repo.get_as(Source, value).published.isoformat()
        return None

    def follow(self, changed: str, values: dict[str, Any]) -> dict[str, Any]:
        """A date follows the source it comes from, and the round the date it falls in,
        each until the user changes it."""
        if changed == "date":
            return {"round_id": self._round_on(values.get("date"))}
        if changed != "source_ids":
            return {}
        day = self._source_day(values.get("source_ids") or [])
        return {"date": day} if day else {}

    def picker_setup(self, field: Field) -> dict[str, Any]:
        setup: dict[str, Any] = {}
        if field.ref_kind == Kind.ACTOR:
            setup["aliases"] = {a.id: a.aliases for a in self.repo.list_as(Actor)}
        reading = self.passage.reading if self.passage is not None else None
        if field.ref_kind == Kind.PERSON and reading is not None and reading.new_speaker:
            person = reading.new_speaker
            actor = person.actor_id or ""
            if actor and self.repo.exists(Kind.ACTOR, actor):
                actor = self.repo.get(Kind.ACTOR, actor).label
            setup["labels"] = {new_person_key(person): new_person_label(person, actor)}
        if field.ref_kind == Kind.SOURCE:
            setup["soft"] = True
            setup["extra"] = self._source_extra(required=field.name == "source_ids")
            setup["labels"] = self._pending_labels()
        return setup

    @staticmethod
    def _source_extra(required: bool) -> Extra:
        def extra(text: str) -> list[tuple[str, str]]:
            typed = text.strip()
            found = []
            if (
                required
                and len(typed) >= 2
                and ("no source".startswith(typed.casefold()) or "unsourced".startswith(typed))
            ):
                found.append((UNSOURCED, "no source: record it as unsourced"))
            if typed:
                found.append((NEW_SOURCE_PREFIX + typed, f"+ new source: {typed}"))
            return found

        return extra

    @staticmethod
    def _pending_labels() -> dict[str, str]:
        return {UNSOURCED: "no source (unsourced)"}
