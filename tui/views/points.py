"""Sticking points: what the sides disagree on, and what each said about it over time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive

from store import Kind, Record, StickingPoint
from store.reading.trends import Convergence, Step, convergence, counted_actors, firmness_history
from tui.format import MUTED, day, heading, name_of, point_status, status_width
from tui.text import line
from tui.trends import gap_text, reading_words, strip
from tui.views.base import TableView
from tui.views.details import point_detail
from tui.views.trend_since import ask_since
from tui.widgets.record_table import Column, Row

# Steps a party's strip shows in the table; the detail shows more.
TABLE_STEPS = 3


class PointsView(TableView):
    title = "Sticking points"
    tab_label = "Points"
    key = "points"
    kinds = (Kind.POINT,)
    columns = (
        Column("Status", width=10),
        Column("Sticking point", min_width=20, ratio=3),
        Column("Priority", width=8),
        Column("Latest", width=10),
        Column("Gap", width=5),
        Column("Trend", min_width=5, ratio=1),
    )
    BINDINGS = [Binding("w", "trend_since", "Gap since…", show=False, id="points.gap-since")]

    # The day the gap is compared with; None for the default (see store.reading.trends).
    since: reactive[date | None] = reactive(None, init=False)

    def watch_since(self) -> None:
        self._invalidate()

    def action_trend_since(self) -> None:
        ask_since(self, self.since)

    _trends_for: tuple[object, ...] = ()
    _trends_are: tuple[dict[tuple[str, str], list[Step]], dict[str, Convergence]] = ({}, {})

    def _trends(self) -> tuple[dict[tuple[str, str], list[Step]], dict[str, Convergence]]:
        """The track's firmness history and gap readings, read once per version of the
        store, day in view and day compared with: the rows and each detail share them."""
        key = (self.repo.version, self.track_id, self.as_of, self.since)
        if key != self._trends_for:
            history = firmness_history(self.repo, self.track_id, self.as_of)
            readings = convergence(self.repo, self.track_id, self.as_of, self.since, history)
            self._trends_for, self._trends_are = key, (history, readings)
        return self._trends_are

    def _trend_cell(self, history: dict[tuple[str, str], list[Step]]) -> Callable[[str], str]:
        """A point's cell: each counted party's latest steps, in the track's order of
        parties (the detail names them), so that the column stays narrow."""
        actors = counted_actors(self.repo, self.track_id, {a for _, a in history})

        def cell(point_id: str) -> str:
            parts = [strip(history.get((point_id, a), []), TABLE_STEPS) for a in actors]
            # One more cell for the "…" that says there were more steps.
            return "·".join(p.ljust(TABLE_STEPS + 1) for p in parts).rstrip(" ·") or day(None)

        return cell

    def reload(self) -> None:
        # The Status column widens where a point is not yet recorded on the day in view.
        width = status_width(self._points(), self.as_of)
        if self.table.columns[0].width != width:
            status = replace(self.columns[0], width=width)
            self.table.set_columns((status, *self.columns[1:]))
        super().reload()

    def _points(self) -> list[StickingPoint]:
        return self.repo.points(self.track_id, self.as_of)

    def rows(self) -> list[Row]:
        latest: dict[str, str] = {}
        for (point_id, _), position in self.repo.latest_positions(
            self.track_id, self.as_of
        ).items():
            latest[point_id] = max(latest.get(point_id, ""), position.date.isoformat())
        history, readings = self._trends()
        cell = self._trend_cell(history)
        return [
            Row(
                p.id,
                (
                    point_status(p, self.as_of),
                    p.title,
                    p.priority.value,
                    latest.get(p.id, day(None)),
                    gap_text(readings.get(p.id)),
                    cell(p.id),
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
        history, readings = self._trends()
        actors = counted_actors(self.repo, self.track_id, {a for _, a in history})
        trend = [
            Content(""),
            heading("Firmness over time"),
            line(reading_words(readings.get(point.id))),
        ]
        for actor in actors:
            steps = history.get((point.id, actor), [])
            shown = " → ".join(s.firmness.value for s in steps[-4:]) or "no position"
            trend.append(
                line(
                    (f"{name_of(self.repo, Kind.ACTOR, actor)}: ", "bold"),
                    strip(steps),
                    "  ",
                    (shown, MUTED),
                )
            )
        return point_detail(self.repo, point, self.as_of, trend)
