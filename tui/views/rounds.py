"""Rounds: every meeting and shuttle tour of the track, with the chosen one's detail."""

from __future__ import annotations

from textual.content import Content

from store import Kind, Record, Round
from store.reading.words import day
from tui.format import STATUS_STYLE, names, span
from tui.views.base import TableView
from tui.views.details import round_detail
from tui.widgets.record_table import Column, Row


class RoundsView(TableView):
    title = "Rounds"
    key = "rounds"
    kinds = (Kind.ROUND,)
    columns = (
        Column("Dates", width=16),
        Column("Title", min_width=14, ratio=3),
        Column("Venue", min_width=8, ratio=1),
        Column("Mediators", min_width=8, ratio=2),
        Column("Format", width=9),
        Column("Status", width=10),
    )

    def rows(self) -> list[Row]:
        return [
            Row(
                r.id,
                (
                    span(r.start, r.end),
                    r.title,
                    ", ".join(r.venues),
                    names(self.repo, Kind.ACTOR, r.mediator_ids),
                    r.format.value,
                    (r.status.value, STATUS_STYLE[r.status]),
                ),
                # The dates are words ("14–16 Aug 2024"): they sort by the days.
                sort=(f"{r.start.isoformat()} {day(r.end, '')}",),
            )
            for r in self.repo.rounds(self.track_id, self.as_of)
        ]

    def record_for(self, key: str) -> Record | None:
        for r in self.repo.rounds(self.track_id, self.as_of):
            if r.id == key:
                return r
        return None

    def detail(self, key: str) -> Content:
        record = self.record_for(key)
        if not isinstance(record, Round):
            return Content("")
        return round_detail(self.repo, record, self.as_of)
