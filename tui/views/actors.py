"""Actors: parties, mediators and people, with the rounds they attended and what they said."""

from __future__ import annotations

from textual.content import Content

from store import Actor, Kind, Person, Record, Track
from store.models import ROLES
from tui.format import MUTED, day, field, heading, name_of
from tui.text import line
from tui.views.base import TableView
from tui.views.details import position_lines
from tui.widgets.record_table import Column, Row


class ActorsView(TableView):
    title = "Actors"
    key = "actors"
    kinds = (Kind.ACTOR, Kind.PERSON)
    columns = (
        Column("Name", min_width=14, ratio=2),
        Column("Kind", width=12),
        Column("Role here", width=10),
        Column("Speaks for / title", min_width=12, ratio=3),
    )

    def key_for(self, kind: str, record_id: str) -> str:
        return f"{kind}:{record_id}"

    def rows(self) -> list[Row]:
        track = self.repo.get_as(Track, self.track_id)
        roles = {p.actor_id: p.role.value for p in track.participants}
        order = {role: n for n, role in enumerate(ROLES)}
        actors = sorted(
            self.repo.list_as(Actor),
            key=lambda a: (order.get(roles.get(a.id, ""), 9), a.name.casefold()),
        )
        rows = [
            Row(
                f"actor:{a.id}",
                (a.name, a.actor_kind.value, roles.get(a.id, "—"), ", ".join(a.aliases)),
            )
            for a in actors
        ]
        for person in sorted(self.repo.list_as(Person), key=lambda p: p.name.casefold()):
            speaks = name_of(self.repo, Kind.ACTOR, person.actor_id) if person.actor_id else ""
            role = roles.get(person.actor_id or "", "—")
            title = ", ".join(x for x in (person.title, speaks) if x)
            rows.append(Row(f"person:{person.id}", (person.name, Kind.PERSON, role, title)))
        return rows

    def record_for(self, key: str) -> Record | None:
        kind, _, record_id = key.partition(":")
        return self.repo.get(kind, record_id) if self.repo.exists(kind, record_id) else None

    def detail(self, key: str) -> Content:
        record = self.record_for(key)
        if record is None:
            return Content("")
        repo = self.repo
        if isinstance(record, Person):
            parts = [
                heading(record.name),
                field("Title", record.title or "—"),
                field("Speaks for", name_of(repo, Kind.ACTOR, record.actor_id)),
            ]
            positions = [
                p
                for p in repo.positions(self.track_id, as_of=self.as_of)
                if p.speaker_id == record.id
            ]
            actor_id = record.actor_id
        else:
            assert isinstance(record, Actor)
            parts = [
                heading(record.name),
                field("Kind", record.actor_kind.value),
                field("Also known as", ", ".join(record.aliases) or "—"),
            ]
            if record.description:
                parts.append(line(record.description))
            positions = repo.positions(self.track_id, actor_id=record.id, as_of=self.as_of)
            actor_id = record.id
        rounds = [
            r
            for r in repo.rounds(self.track_id, self.as_of)
            if actor_id and (actor_id in r.mediator_ids or actor_id in r.participant_ids)
        ]
        parts.append(Content(""))
        parts.append(heading(f"Rounds attended ({len(rounds)})"))
        for r in rounds:
            parts.append(line((day(r.start), "bold"), "  ", r.title))
        if not rounds:
            parts.append(line(("none on this track", MUTED)))
        parts.append(Content(""))
        parts.append(heading(f"Positions stated ({len(positions)})"))
        for position in positions:
            parts.append(line((name_of(repo, Kind.POINT, position.point_id), "italic")))
            parts.extend(position_lines(repo, position, with_actor=isinstance(record, Person)))
        if not positions:
            parts.append(line(("none on this track", MUTED)))
        return Content("\n").join(parts)
