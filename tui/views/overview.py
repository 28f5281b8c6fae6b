"""Overview: where the talks stand, at a glance."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content

from store import PointStatus, Position, Record, Role, Track
from tui.format import (
    FIRMNESS_STYLE,
    MUTED,
    RESPONSE_STYLE,
    STATUS_STYLE,
    day,
    heading,
    name_of,
    names,
    span,
)
from tui.screens.position_history import PositionHistoryScreen
from tui.text import line, lines, shorten
from tui.views.base import View
from tui.widgets.record_table import Column, RecordTable, Row
from tui.widgets.text_block import TextBlock

RECENT_EVENTS = 5


def gap_cell(position: Position | None) -> tuple[str, str]:
    if position is None:
        return ("no stated position", "dim italic")
    words = position.gist or position.stance
    return (f"{position.firmness.value}: {words}", FIRMNESS_STYLE[position.firmness])


class OverviewView(View):
    title = "Overview"
    key = "overview"
    selects = ("point", "position")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="overview-scroll"):
            yield TextBlock(classes="summary")
            yield TextBlock(Content("Gap board: each party's latest stance"), classes="section")
            yield RecordTable(cell_cursor=True, id="gap-board", empty_text="No sticking points.")
            yield TextBlock(classes="proposals")
            yield TextBlock(classes="events")

    @property
    def board(self) -> RecordTable:
        return self.query_one("#gap-board", RecordTable)

    def reload(self) -> None:
        repo, track_id, as_of = self.repo, self.track_id, self.as_of
        track = repo.get_as(Track, track_id)
        rounds = repo.rounds(track_id, as_of)
        today = as_of or repo.today()
        past = [r for r in rounds if r.start <= today]
        upcoming = [r for r in rounds if r.start > today]
        points = repo.points(track_id, as_of)
        counts = Counter(p.status for p in points)
        summary = [heading(track.title)]
        if past:
            latest = past[-1]
            summary.append(
                line(
                    ("Latest round  ", "bold"),
                    latest.title,
                    (f"  {span(latest.start, latest.end)}  ", MUTED),
                    (latest.status.value, STATUS_STYLE[latest.status]),
                )
            )
        else:
            summary.append(line(("Latest round  ", "bold"), ("none yet", MUTED)))
        if upcoming:
            nxt = upcoming[0]
            summary.append(
                line(
                    ("Next round    ", "bold"),
                    nxt.title,
                    (f"  {span(nxt.start, nxt.end)}  ", MUTED),
                    (nxt.status.value, STATUS_STYLE[nxt.status]),
                )
            )
        else:
            summary.append(line(("Next round    ", "bold"), ("none scheduled", MUTED)))
        summary.append(
            line(("Mediators     ", "bold"), names(repo, "actor", track.actors_with(Role.MEDIATOR)))
        )
        status_parts: list[object | tuple[object, str]] = [("Points        ", "bold")]
        for status in PointStatus:
            if counts[status]:
                status_parts.append((f"{counts[status]} {status.value}", STATUS_STYLE[status]))
                status_parts.append("  ")
        if len(status_parts) == 1:
            status_parts.append(("none recorded", MUTED))
        summary.append(line(*status_parts))
        self.query_one(".summary", TextBlock).update(lines(summary))

        parties = track.actors_with(Role.PARTY)
        latest_positions = repo.latest_positions(track_id, as_of)
        board = self.board
        board.set_columns(
            [Column("Sticking point", min_width=16, ratio=2), Column("Status", width=10)]
            + [Column(name_of(repo, "actor", a), min_width=12, ratio=2) for a in parties]
        )
        rows = []
        for point in points:
            cells: list[str | tuple[str, str]] = [
                point.title,
                (point.status.value, STATUS_STYLE[point.status]),
            ]
            cells += [gap_cell(latest_positions.get((point.id, a))) for a in parties]
            rows.append(Row(point.id, tuple(cells)))
        board.set_rows(rows)
        board.styles.height = max(len(rows), 1) + 1

        proposals = [p for p in repo.proposals(track_id, as_of)]
        block = [heading("Proposals")]
        if not proposals:
            block.append(line(("none on the table", MUTED)))
        for proposal in proposals:
            block.append(
                line(
                    proposal.title,
                    (f"  {day(proposal.date)}  by {names(repo, 'actor', proposal.by_ids)}", MUTED),
                )
            )
            for response in proposal.responses:
                block.append(
                    line(
                        "  ",
                        name_of(repo, "actor", response.actor_id),
                        ": ",
                        (response.status.value, RESPONSE_STYLE[response.status]),
                        (f"  {day(response.date)}" if response.date else "", MUTED),
                    )
                )
        self.query_one(".proposals", TextBlock).update(lines(block))

        events = repo.events(track_id, as_of)[-RECENT_EVENTS:]
        block = [heading("Recent events")]
        if not events:
            block.append(line(("none recorded", MUTED)))
        for event in reversed(events):
            block.append(
                line(
                    (f"{day(event.date)}  ", MUTED),
                    (event.event_kind.value, "bold"),
                    "  ",
                    shorten(event.title, 90),
                )
            )
        self.query_one(".events", TextBlock).update(lines(block))

    def selected(self) -> Record | None:
        board = self.board
        key = board.cursor_key
        if key is None:
            return None
        parties = self.repo.get_as(Track, self.track_id).actors_with(Role.PARTY)
        column = board.cursor_column - 2
        if 0 <= column < len(parties):
            found = self.repo.latest_positions(self.track_id, self.as_of).get(
                (key, parties[column])
            )
            if found is not None:
                return found
        return self.repo.get("point", key)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        parties = self.repo.get_as(Track, self.track_id).actors_with(Role.PARTY)
        column = event.column - 2
        actor = parties[column] if 0 <= column < len(parties) else None
        self.app.push_screen(PositionHistoryScreen(self.repo, event.key, actor, self.as_of))

    def focus_main(self) -> None:
        self.board.focus()
