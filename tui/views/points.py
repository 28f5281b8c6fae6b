"""Sticking points: what the sides disagree on, and what each said about it over time."""

from __future__ import annotations

from textual.content import Content

from store import Kind, Record, StickingPoint
from tui.format import STATUS_STYLE, day
from tui.views.base import TableView
from tui.views.details import point_detail
from tui.widgets.record_table import Column, Row


class PointsView(TableView):
    title = "Sticking points"
    tab_label = "Points"
    key = "points"
    kinds = (Kind.POINT,)
    columns = (
        Column("Status", width=10),
        Column("Sticking point", min_width=16, ratio=3),
        Column("Priority", width=8),
        Column("Latest", width=10),
    )

    def _points(self) -> list[StickingPoint]:
        return self.repo.points(self.track_id, self.as_of)

    def rows(self) -> list[Row]:
        latest: dict[str, str] = {}
        for (point_id, _), position in self.repo.latest_positions(
            self.track_id, self.as_of
        ).items():
            latest[point_id] = max(latest.get(point_id, ""), position.date.isoformat())
        return [
            Row(
                p.id,
                (
                    (p.status.value, STATUS_STYLE[p.status]),
                    p.title,
                    p.priority.value,
                    latest.get(p.id, day(None)),
                ),
            )
            for p in self._points()
        ]

    def record_for(self, key: str) -> Record | None:
        return next((p for p in self._points() if p.id == key), None)

    def detail(self, key: str) -> Content:
        point = self.record_for(key)
        if not isinstance(point, StickingPoint):
            return Content("")
        return point_detail(self.repo, point, self.as_of)
