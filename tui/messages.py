"""What screens and widgets ask of the app: the app owns the track and date in view."""

from __future__ import annotations

from datetime import date

from textual.message import Message


class OpenRecord(Message):
    """Bring a record into view: its track, the view that lists it, the cursor on it."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__()
        self.kind, self.record_id = kind, record_id


class ShowTrack(Message):
    """Show another track."""

    def __init__(self, track_id: str) -> None:
        super().__init__()
        self.track_id = track_id


class ShowAsOf(Message):
    """Show the talks as they stood on a date; None for today."""

    def __init__(self, as_of: date | None) -> None:
        super().__init__()
        self.as_of = as_of


class LeaveDesk(Message):
    """Back from the desk to the track in view (at start, the first)."""
