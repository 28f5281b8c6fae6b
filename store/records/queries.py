"""What the dashboard asks of a track: its rounds, points, positions, proposals, events
and assessments, today or as of a past date; its timeline; the records citing a source."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..kinds import PointStatus, Role, RoundStatus
from ..models import (
    RECORD_TYPES,
    TRACK_KINDS,
    Assessment,
    Event,
    Position,
    Proposal,
    Round,
    StickingPoint,
    Track,
)
from ..record import Record
from .reads import Reads


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of a track's timeline."""

    date: date
    kind: str  # a record kind, or "response" for a party's response to a proposal
    record: Record
    text: str
    actor_ids: tuple[str, ...] = ()


class TrackQueries(Reads):
    """A track's records as the views show them."""

    def tracks(self) -> builtins.list[Track]:
        return sorted(self.list_as(Track), key=lambda t: t.title.casefold())

    def parties(self, track_id: str) -> builtins.list[str]:
        track = self.get_as(Track, track_id)
        return track.actors_with(Role.PARTY)

    def rounds(self, track_id: str, as_of: date | None = None) -> builtins.list[Round]:
        """A track's rounds by start date; as of a date, those known by then with their status."""
        rounds = self.list_as(Round, track_id=track_id)
        if as_of is None:
            return rounds
        shown = []
        for r in rounds:
            logged = r.status_on(as_of)
            if r.start > as_of and logged is None:
                continue
            if logged is None:
                if r.start > as_of:
                    logged = RoundStatus.SCHEDULED
                elif r.end is None or r.end >= as_of:
                    logged = RoundStatus.UNDER_WAY if r.end != r.start else r.status
                else:
                    logged = r.status
            shown.append(r.model_copy(update={"status": RoundStatus(logged)}))
        return shown

    def points(self, track_id: str, as_of: date | None = None) -> builtins.list[StickingPoint]:
        """A track's sticking points, by priority then title; as of a date, with the status then."""
        order = {"high": 0, "medium": 1, "low": 2}
        points = sorted(
            self.list_as(StickingPoint, track_id=track_id),
            key=lambda p: (order[p.priority.value], p.title.casefold()),
        )
        if as_of is None:
            return points
        shown = []
        for p in points:
            if p.raised is not None and p.raised > as_of:
                continue
            logged = p.status_on(as_of)
            if logged is None and p.status_log:
                logged = PointStatus.OPEN
            shown.append(
                p.model_copy(update={"status": PointStatus(logged)}) if logged is not None else p
            )
        return shown

    def positions(
        self,
        track_id: str,
        point_id: str | None = None,
        actor_id: str | None = None,
        as_of: date | None = None,
    ) -> builtins.list[Position]:
        """Positions, newest first."""
        filters: dict[str, Any] = {"track_id": track_id}
        if point_id is not None:
            filters["point_id"] = point_id
        if actor_id is not None:
            filters["actor_id"] = actor_id
        found = [p for p in self.list_as(Position, **filters) if as_of is None or p.date <= as_of]
        found.reverse()
        return found

    def latest_positions(
        self, track_id: str, as_of: date | None = None
    ) -> dict[tuple[str, str], Position]:
        """Each party's latest position on each sticking point: (point, actor) -> position."""
        latest: dict[tuple[str, str], Position] = {}
        for position in reversed(self.positions(track_id, as_of=as_of)):
            latest[(position.point_id, position.actor_id)] = position
        return latest

    def proposals(self, track_id: str, as_of: date | None = None) -> builtins.list[Proposal]:
        found = []
        for proposal in self.list_as(Proposal, track_id=track_id):
            if as_of is not None:
                if proposal.date > as_of:
                    continue
                proposal = self._proposal_as_of(proposal, as_of)
            found.append(proposal)
        return found

    def proposal(self, proposal_id: str, as_of: date | None = None) -> Proposal:
        """A proposal with each party's response, as they stood on ``as_of``."""
        proposal = self.get_as(Proposal, proposal_id)
        return proposal if as_of is None else self._proposal_as_of(proposal, as_of)

    @staticmethod
    def _proposal_as_of(proposal: Proposal, as_of: date) -> Proposal:
        # Each party's latest response by then; one given only later reads as pending.
        return proposal.model_copy(update={"responses": proposal.current_responses(as_of)})

    def events(self, track_id: str, as_of: date | None = None) -> builtins.list[Event]:
        return [
            e for e in self.list_as(Event, track_id=track_id) if as_of is None or e.date <= as_of
        ]

    def assessments(self, track_id: str, as_of: date | None = None) -> builtins.list[Assessment]:
        return [
            a
            for a in self.list_as(Assessment, track_id=track_id)
            if as_of is None or a.date <= as_of
        ]

    def timeline(self, track_id: str, as_of: date | None = None) -> builtins.list[TimelineEntry]:
        """Rounds, status changes, positions (each naming its point), proposals,
        responses, events and analysts' assessments of a track, in date order."""
        entries: builtins.list[TimelineEntry] = []
        for r in self.rounds(track_id, as_of):
            actors = tuple(r.mediator_ids + r.participant_ids)
            entries.append(TimelineEntry(r.start, "round", r, r.title, actors))
            entries += self._status_entries(r, as_of)
        titles = {}
        for point in self.points(track_id, as_of):
            titles[point.id] = point.title
            entries += self._status_entries(point, as_of)
        for p in self.positions(track_id, as_of=as_of):
            # A position names its point: the row says what the stance is about.
            text = f"{titles.get(p.point_id, p.point_id)}: {p.gist or p.stance}"
            entries.append(TimelineEntry(p.date, "position", p, text, (p.actor_id,)))
        for pr in self.proposals(track_id, as_of):
            entries.append(TimelineEntry(pr.date, "proposal", pr, pr.title, tuple(pr.by_ids)))
            for resp in pr.responses:
                if resp.date is not None:
                    actor = self._maybe("actor", resp.actor_id)
                    who = actor.label if actor is not None else resp.actor_id
                    text = f"{who}: {resp.status.value} ({pr.title})"
                    entries.append(TimelineEntry(resp.date, "response", pr, text, (resp.actor_id,)))
        for e in self.events(track_id, as_of):
            entries.append(TimelineEntry(e.date, "event", e, e.title, tuple(e.actor_ids)))
        for a in self.assessments(track_id, as_of):
            entries.append(TimelineEntry(a.date, "assessment", a, f"{a.analyst}: {a.gist}"))
        order = {
            "round": 0,
            "status": 0,
            "proposal": 1,
            "response": 2,
            "position": 3,
            "event": 4,
            "assessment": 5,
        }
        entries.sort(key=lambda t: (t.date, order[t.kind], t.record.id))
        return entries

    @staticmethod
    def _status_entries(
        record: Round | StickingPoint, as_of: date | None
    ) -> builtins.list[TimelineEntry]:
        """Each logged status of a round or point as a line: what it moved from, to what."""
        entries = []
        was: str | None = None
        for entry in sorted(record.status_log, key=lambda e: e.date):
            if as_of is not None and entry.date > as_of:
                break
            moved = f"{was} → {entry.status}" if was and was != entry.status else entry.status
            entries.append(TimelineEntry(entry.date, "status", record, f"{record.title}: {moved}"))
            was = entry.status
        return entries

    def citing(self, source_id: str, track_id: str | None = None) -> builtins.list[Record]:
        """Every record that cites a source; of one track only, when given (much faster)."""
        if track_id is None:
            return self.referrers("source", source_id)
        found: builtins.list[Record] = []
        for kind in TRACK_KINDS:
            cls = RECORD_TYPES[kind]
            docs = self._docs(kind)
            for doc_id in builtins.list(self._track_ids(kind, track_id)):
                if any(r == source_id for _, k, r in cls.refs_of(docs[doc_id]) if k == "source"):
                    found.append(self._record(kind, doc_id))
        return found
