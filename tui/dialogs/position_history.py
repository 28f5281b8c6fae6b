"""One sticking point's positions over time: of one party, or of every actor."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.content import Content

from store import Kind, Repository, StickingPoint
from tui.dialogs.detail import DetailScreen
from tui.format import MUTED, heading, name_of
from tui.text import line
from tui.views.details import position_lines


class PositionHistoryScreen(DetailScreen):
    def __init__(
        self, repo: Repository, point_id: str, actor_id: str | None, as_of: date | None
    ) -> None:
        self.repo, self.point_id, self.actor_id, self.as_of = repo, point_id, actor_id, as_of
        super().__init__(Content(""), title="")

    def compose(self) -> ComposeResult:
        repo = self.repo
        point = repo.get_as(StickingPoint, self.point_id)
        positions = repo.positions(
            point.track_id, point_id=point.id, actor_id=self.actor_id, as_of=self.as_of
        )
        who = name_of(repo, Kind.ACTOR, self.actor_id) if self.actor_id else "Every actor"
        self.heading = f"{who} on {point.title}"
        parts = [heading(f"{len(positions)} position(s), newest first")]
        for position in positions:
            parts.extend(position_lines(repo, position, with_actor=self.actor_id is None))
            parts.append(Content(""))
        if not positions:
            parts.append(line(("No position recorded.", MUTED)))
        self.body = Content("\n").join(parts)
        yield from super().compose()
