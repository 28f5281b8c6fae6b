"""The gap board: each sticking point against each actor's latest stance, by firmness.

The Overview shows it for the parties; the Positions view for every actor who
stated a position. Both are this one table, so a cell reads and selects the same
in either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from store import Kind, Position, Record, Repository, StickingPoint
from tui.format import FIRMNESS_STYLE, STATUS_STYLE, name_of
from tui.screens.position_history import PositionHistoryScreen
from tui.views.base import View
from tui.widgets.record_table import Cell, Column, RecordTable, Row

NO_POSITION: Cell = ("no stated position", "dim italic")


def gap_cell(position: Position | None) -> Cell:
    """One actor's latest stance on one point: its firmness, then its gist."""
    if position is None:
        return NO_POSITION
    words = position.gist or position.stance
    return (f"{position.firmness.value}: {words}", FIRMNESS_STYLE[position.firmness])


class GapBoard(RecordTable):
    """Sticking points down, actors across; the cursor is on a cell."""

    # The point's title and its status stand before the actors' columns.
    LEADING = 2

    def __init__(self, *, point_width: int, actor_width: int, id: str) -> None:
        super().__init__(cell_cursor=True, empty_text="No sticking points.", id=id)
        self.point_width = point_width
        self.actor_width = actor_width
        self.actors: list[str] = []

    def show(
        self,
        repo: Repository,
        points: Sequence[StickingPoint],
        actors: Sequence[str],
        latest: dict[tuple[str, str], Position],
    ) -> None:
        """Fill the board: one row a point, one column an actor, from ``latest`` positions."""
        self.actors = list(actors)
        self.set_columns(
            [
                # The stances take the room before the point's title does.
                Column("Sticking point", min_width=self.point_width, ratio=1),
                Column("Status", width=10),
            ]
            + [
                Column(name_of(repo, Kind.ACTOR, a), min_width=self.actor_width, ratio=2)
                for a in self.actors
            ]
        )
        rows = []
        for point in points:
            cells: list[Cell] = [point.title, (point.status.value, STATUS_STYLE[point.status])]
            cells += [gap_cell(latest.get((point.id, a))) for a in self.actors]
            rows.append(Row(point.id, tuple(cells)))
        self.set_rows(rows)

    def actor_at(self, column: int) -> str | None:
        """The actor whose column ``column`` is; None on the point's own columns."""
        index = column - self.LEADING
        return self.actors[index] if 0 <= index < len(self.actors) else None

    def selected_record(self, repo: Repository, track_id: str, as_of: date | None) -> Record | None:
        """The position under the cursor; the point itself where its actor stated none."""
        key = self.cursor_key
        if key is None:
            return None
        actor = self.actor_at(self.cursor_column)
        if actor is not None:
            found = repo.latest_positions(track_id, as_of).get((key, actor))
            if found is not None:
                return found
        return repo.get(Kind.POINT, key)


class GapBoardView(View):
    """A view built round one gap board: its cursor selects, Enter opens the history."""

    @property
    def board(self) -> GapBoard:
        return self.query_one(GapBoard)

    def selected(self) -> Record | None:
        return self.board.selected_record(self.repo, self.track_id, self.as_of)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        actor = self.board.actor_at(event.column)
        self.app.push_screen(PositionHistoryScreen(self.repo, event.key, actor, self.as_of))

    def focus_main(self) -> None:
        self.board.focus()
