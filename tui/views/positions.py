"""Positions: the matrix of sticking points against the track's parties and anyone
else who took a stance, each cell with that actor's firmness over time, and each
point's gap between the parties (see ``store.reading.trends``)."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive

from store import Kind, Role, Track
from store.reading.trends import convergence, firmness_history
from tui.views.gap_board import GapBoard, GapBoardView
from tui.views.trend_since import ask_since

# Who has a column, in this order, whether or not they stated anything yet.
SHOWN_ROLES = (Role.PARTY, Role.MEDIATOR, Role.GUARANTOR)


class PositionsView(GapBoardView):
    title = "Positions"
    key = "positions"
    selects = (Kind.POINT, Kind.POSITION)
    BINDINGS = [Binding("w", "trend_since", "Gap since…", show=False, id="positions.gap-since")]

    # The day the gap is compared with; None for the default (see store.reading.trends).
    since: reactive[date | None] = reactive(None, init=False)

    def compose(self) -> ComposeResult:
        yield GapBoard(
            point_width=14, actor_width=16, id="matrix", fit_text=True, scroll_sideways=True
        )

    def actors(self) -> list[str]:
        """The track's parties, mediators and guarantors, then anyone else who stated a
        position on this track."""
        track = self.repo.get_as(Track, self.track_id)
        found: list[str] = []
        for role in SHOWN_ROLES:
            found += [a for a in track.actors_with(role) if a not in found]
        for position in self.repo.positions(self.track_id, as_of=self.as_of):
            if position.actor_id not in found:
                found.append(position.actor_id)
        return found

    def reload(self) -> None:
        history = firmness_history(self.repo, self.track_id, self.as_of)
        self.board.show(
            self.repo,
            self.repo.points(self.track_id, self.as_of),
            self.actors(),
            self.repo.latest_positions(self.track_id, self.as_of),
            history=history,
            readings=convergence(self.repo, self.track_id, self.as_of, self.since, history),
            as_of=self.as_of,
        )

    def watch_since(self) -> None:
        self._invalidate()

    def action_trend_since(self) -> None:
        ask_since(self, self.since)
