"""Timeline: rounds, status changes, positions, proposals, responses, events and
assessments in date order."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Select

from store import Kind, Record, TimelineEntry, Track
from tui.format import INFO, MUTED, OTHER, SUCCESS, WARNING, day, names
from tui.text import literal
from tui.views.base import TableView
from tui.views.details import record_detail
from tui.widgets.record_table import Column, Row

KINDS = (
    Kind.ROUND,
    "status",
    Kind.POSITION,
    Kind.PROPOSAL,
    "response",
    Kind.EVENT,
    Kind.ASSESSMENT,
)
KIND_STYLE: dict[str, str] = {
    Kind.ROUND: f"bold {INFO}",
    "status": INFO,
    Kind.POSITION: WARNING,
    Kind.PROPOSAL: f"bold {SUCCESS}",
    "response": SUCCESS,
    Kind.EVENT: OTHER,
    Kind.ASSESSMENT: f"italic {MUTED}",
}
# The Kind column is eight cells wide.
KIND_LABEL: dict[str, str] = {Kind.ASSESSMENT: "analysis"}


def timeline_columns(newest_first: bool) -> tuple[Column, ...]:
    """The Date heading says which way the entries run."""
    return (
        Column("Date ↓" if newest_first else "Date ↑", width=10),
        Column("Kind", width=8),
        Column("Who", min_width=10, ratio=1),
        Column("What", min_width=20, ratio=4),
    )


class TimelineView(TableView):
    """Newest first, so today's entries are on screen; ``F`` flips the order."""

    title = "Timeline"
    key = "timeline"
    kinds = (Kind.ROUND, Kind.POSITION, Kind.PROPOSAL, Kind.EVENT, Kind.ASSESSMENT)
    columns = timeline_columns(newest_first=True)
    BINDINGS = [Binding("F", "flip_order", "Flip order", id="timeline.flip")]

    newest_first = True

    def action_flip_order(self) -> None:
        """Oldest first, or newest first again; the cursor stays on its entry."""
        self.newest_first = not self.newest_first
        self.table.set_columns(timeline_columns(self.newest_first))
        record = self.selected()
        self.show_rows()
        if record is not None:
            self.table.move_to_key(self.key_for(record.kind, record.id))

    def compose(self) -> ComposeResult:
        with Horizontal(classes="timeline-filters"):
            yield Select(
                [(k, k) for k in KINDS], prompt="every kind", id="kind-filter", compact=True
            )
            yield Select([], prompt="every actor", id="actor-filter", compact=True)
        yield from super().compose()

    def _entries(self) -> list[TimelineEntry]:
        entries = self.repo.timeline(self.track_id, self.as_of)
        kind = self.query_one("#kind-filter", Select).value
        actor = self.query_one("#actor-filter", Select).value
        if isinstance(kind, str):
            entries = [e for e in entries if e.kind == kind]
        if isinstance(actor, str):
            entries = [e for e in entries if actor in e.actor_ids]
        return entries[::-1] if self.newest_first else entries

    @staticmethod
    def _key(entry: TimelineEntry, n: int) -> str:
        return f"{entry.kind}:{entry.record.id}:{n}"

    def key_for(self, kind: str, record_id: str) -> str:
        for n, entry in enumerate(self._entries()):
            if entry.kind == kind and entry.record.id == record_id:
                return self._key(entry, n)
        return ""

    def reload(self) -> None:
        track = self.repo.get_as(Track, self.track_id)
        actor_select = self.query_one("#actor-filter", Select)
        options = [
            (literal(names(self.repo, Kind.ACTOR, [p.actor_id])), p.actor_id)
            for p in track.participants
        ]
        current = actor_select.value
        actor_select.set_options(options)
        if isinstance(current, str) and current in {o[1] for o in options}:
            actor_select.value = current
        super().reload()

    def rows(self) -> list[Row]:
        self._by_key = {}
        rows = []
        for n, entry in enumerate(self._entries()):
            key = self._key(entry, n)
            self._by_key[key] = entry.record
            rows.append(
                Row(
                    key,
                    (
                        day(entry.date),
                        (KIND_LABEL.get(entry.kind, entry.kind), KIND_STYLE[entry.kind]),
                        names(self.repo, Kind.ACTOR, entry.actor_ids),
                        entry.text,
                    ),
                )
            )
        return rows

    def record_for(self, key: str) -> Record | None:
        return getattr(self, "_by_key", {}).get(key)

    def detail(self, key: str) -> Content:
        record = self.record_for(key)
        return record_detail(self.repo, record, self.as_of) if record else Content("")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.track_id:
            self.show_rows()
