"""Positions: the matrix of sticking points against the actors who took a stance."""

from __future__ import annotations

from textual.app import ComposeResult

from store import Position, Record, Role, Track
from tui.format import STATUS_STYLE, name_of
from tui.screens.position_history import PositionHistoryScreen
from tui.views.base import View
from tui.views.overview import gap_cell
from tui.widgets.record_table import Column, RecordTable, Row


class PositionsView(View):
    title = "Positions"
    key = "positions"
    selects = ("point", "position")

    def compose(self) -> ComposeResult:
        yield RecordTable(cell_cursor=True, id="matrix", empty_text="No sticking points.")

    @property
    def matrix(self) -> RecordTable:
        return self.query_one(RecordTable)

    def actors(self) -> list[str]:
        """Parties first, then anyone else who stated a position on this track."""
        track = self.repo.get_as(Track, self.track_id)
        found = list(track.actors_with(Role.PARTY))
        for position in self.repo.positions(self.track_id, as_of=self.as_of):
            if position.actor_id not in found:
                found.append(position.actor_id)
        return found

    def reload(self) -> None:
        actors = self.actors()
        self._actors = actors
        latest = self.repo.latest_positions(self.track_id, self.as_of)
        self.matrix.set_columns(
            [Column("Sticking point", min_width=14, ratio=2), Column("Status", width=10)]
            + [Column(name_of(self.repo, "actor", a), min_width=10, ratio=2) for a in actors]
        )
        rows = []
        for point in self.repo.points(self.track_id, self.as_of):
            cells: list[str | tuple[str, str]] = [
                point.title,
                (point.status.value, STATUS_STYLE[point.status]),
            ]
            cells += [gap_cell(latest.get((point.id, a))) for a in actors]
            rows.append(Row(point.id, tuple(cells)))
        self.matrix.set_rows(rows)

    def _actor_at(self, column: int) -> str | None:
        actors = getattr(self, "_actors", [])
        return actors[column - 2] if 2 <= column < len(actors) + 2 else None

    def selected(self) -> Record | None:
        key = self.matrix.cursor_key
        if key is None:
            return None
        actor = self._actor_at(self.matrix.cursor_column)
        if actor is not None:
            found: Position | None = self.repo.latest_positions(self.track_id, self.as_of).get(
                (key, actor)
            )
            if found is not None:
                return found
        return self.repo.get("point", key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        actor = self._actor_at(event.column)
        self.app.push_screen(PositionHistoryScreen(self.repo, event.key, actor, self.as_of))

    def focus_main(self) -> None:
        self.matrix.focus()
