"""Positions: the matrix of sticking points against the actors who took a stance."""

from __future__ import annotations

from textual.app import ComposeResult

from store import Record, Role, Track
from tui.views.base import View
from tui.views.gap_board import GapBoard
from tui.widgets.record_table import RecordTable


class PositionsView(View):
    title = "Positions"
    key = "positions"
    selects = ("point", "position")

    def compose(self) -> ComposeResult:
        yield GapBoard(point_width=14, actor_width=10, id="matrix")

    @property
    def matrix(self) -> GapBoard:
        return self.query_one(GapBoard)

    def actors(self) -> list[str]:
        """Parties first, then anyone else who stated a position on this track."""
        track = self.repo.get_as(Track, self.track_id)
        found = list(track.actors_with(Role.PARTY))
        for position in self.repo.positions(self.track_id, as_of=self.as_of):
            if position.actor_id not in found:
                found.append(position.actor_id)
        return found

    def reload(self) -> None:
        self.matrix.show(
            self.repo,
            self.repo.points(self.track_id, self.as_of),
            self.actors(),
            self.repo.latest_positions(self.track_id, self.as_of),
        )

    def selected(self) -> Record | None:
        return self.matrix.selected_record(self.repo, self.track_id, self.as_of)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        from tui.screens.position_history import PositionHistoryScreen

        self.app.push_screen(PositionHistoryScreen(event.key, self.matrix.actor_at(event.column)))

    def focus_main(self) -> None:
        self.matrix.focus()
