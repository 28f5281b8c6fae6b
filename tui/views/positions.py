"""Positions: the matrix of sticking points against the actors who took a stance."""

from __future__ import annotations

from textual.app import ComposeResult

from store import Kind, Role, Track
from tui.views.gap_board import GapBoard, GapBoardView


class PositionsView(GapBoardView):
    title = "Positions"
    key = "positions"
    selects = (Kind.POINT, Kind.POSITION)

    def compose(self) -> ComposeResult:
        yield GapBoard(point_width=14, actor_width=10, id="matrix")

    def actors(self) -> list[str]:
        """Parties first, then anyone else who stated a position on this track."""
        track = self.repo.get_as(Track, self.track_id)
        found = list(track.actors_with(Role.PARTY))
        for position in self.repo.positions(self.track_id, as_of=self.as_of):
            if position.actor_id not in found:
                found.append(position.actor_id)
        return found

    def reload(self) -> None:
        self.board.show(
            self.repo,
            self.repo.points(self.track_id, self.as_of),
            self.actors(),
            self.repo.latest_positions(self.track_id, self.as_of),
        )
