"""Overview: where the talks stand, at a glance, and what changed lately.

The Since section lists every change dated in a window (``store.reading.compare``), newest
first: by default the week up to the track's latest news; ``w`` takes any day, ``W``
the latest news the user had seen on their last visit (kept in their settings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget as TextualWidget

from store import Event, Kind, PointStatus, Repository, Role, Round, Track
from store.reading.compare import Comparison, compare, news_window
from store.reading.words import long_day, name_of
from tui.dialogs.compare import Notes
from tui.dialogs.form_result import FormResult
from tui.format import MUTED, STATUS_STYLE, day, heading, names, span
from tui.text import line, lines, shorten
from tui.views.details import response_line
from tui.views.gap_board import GapBoard, GapBoardView
from tui.views.trend_since import since_form
from tui.widgets.text_block import TextBlock

# Events shown at least; a taller screen shows as many more as fit.
RECENT_EVENTS = 5
# The word for each section of a comparison, on a line of the Since section.
SINCE_LABEL = {
    "rounds": "round",
    "status": "status",
    "proposals": "proposal",
    "positions": "position",
    "events": "event",
    "assessments": "analysis",
}


def since_lines(repo: Repository, comparison: Comparison, why: str) -> list[Content]:
    """Every change in the window, newest first, each with its footnote; the sources
    after them."""
    notes = Notes()
    block = [heading(f"Since {long_day(comparison.start)} ({why})")]
    if not comparison.changes:
        block.append(line(("nothing dated after it", MUTED)))
    for change in reversed(comparison.changes):
        text = change.text
        if change.section == "positions":
            who = name_of(repo, Kind.ACTOR, change.actor_id)
            text = f"{who} on {name_of(repo, Kind.POINT, change.point_id)}: {text}"
        block.append(
            line(
                (f"{day(change.date)}  ", MUTED),
                (f"{SINCE_LABEL[change.section]:<8}", "bold"),
                # The marks before the text, which a narrow screen cuts.
                notes.mark(change),
                "  ",
                text,
            )
        )
    block.extend(notes.legend(repo, indent=""))
    return block


def changed_cells(comparison: Comparison) -> frozenset[tuple[str, str | None]]:
    """The gap board's cells a comparison touches: (point, actor) for a position,
    (point, None) for a point's status."""
    cells: set[tuple[str, str | None]] = set()
    for change in comparison.changes:
        if change.section == "positions" and change.point_id:
            cells.add((change.point_id, change.actor_id))
        elif change.kind == Kind.POINT:
            cells.add((change.record_id, None))
    return frozenset(cells)


def round_line(label: str, rnd: Round | None, none_text: str) -> Content:
    """A labelled round: its title, dates and status, or what to say when there is none."""
    if rnd is None:
        return line((label, "bold"), (none_text, MUTED))
    return line(
        (label, "bold"),
        rnd.title,
        (f"  {span(rnd.start, rnd.end)}  ", MUTED),
        (rnd.status.value, STATUS_STYLE[rnd.status]),
    )


class OverviewView(GapBoardView):
    title = "Overview"
    key = "overview"
    selects = (Kind.POINT, Kind.POSITION)
    BINDINGS = [
        Binding("w", "since_day", "Since…", id="overview.since"),
        Binding("W", "since_visit", "Since last visit", id="overview.since-visit"),
    ]

    # The first day of the Since window; None: the week up to the latest news.
    since: reactive[date | None] = reactive(None, init=False)
    # Track id -> the latest news the user had seen on their last visit to it.
    visits: Mapping[str, date] = {}

    def watch_since(self) -> None:
        self._invalidate()

    def watch_track_id(self) -> None:
        self.since = None
        super().watch_track_id()

    def action_since_day(self) -> None:
        def chosen(result: FormResult | None) -> None:
            if result is not None:
                text = result.values.get("since")
                self.since = date.fromisoformat(text) if text else None

        start, _ = news_window(self.repo, self.track_id, self.as_of)
        self.app.push_screen(since_form(self.since or start, "Since", "Changes since"), chosen)

    def action_since_visit(self) -> None:
        visit = self.visits.get(self.track_id)
        if visit is None:
            self.notify("No earlier visit to this track is recorded.", timeout=3)
            return
        self.since = visit

    def _window(self) -> tuple[date, date, str]:
        """The Since window and what it is, in words."""
        start, end = news_window(self.repo, self.track_id, self.as_of)
        if self.since is None:
            return start, end, "the week up to the latest news"
        if self.since == self.visits.get(self.track_id):
            return self.since, max(end, self.since), "your last visit"
        return self.since, max(end, self.since), "the day chosen"

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="overview-scroll"):
            yield TextBlock(classes="summary")
            yield TextBlock(
                Content("Gap board: each party's latest stance (• changed lately)"),
                classes="section",
            )
            yield GapBoard(point_width=16, actor_width=12, id="gap-board", pages_scroll=True)
            yield TextBlock(classes="since")
            yield TextBlock(classes="proposals")
            yield TextBlock(classes="events")

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
        summary.append(round_line("Latest round  ", past[-1] if past else None, "none yet"))
        summary.append(
            round_line("Next round    ", upcoming[0] if upcoming else None, "none scheduled")
        )
        summary.append(
            line(
                ("Mediators     ", "bold"),
                names(repo, Kind.ACTOR, track.actors_with(Role.MEDIATOR)),
            )
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

        start, end, why = self._window()
        comparison = compare(repo, track_id, start, end)
        self.query_one(".since", TextBlock).update(lines(since_lines(repo, comparison, why)))
        board = self.board
        board.show(
            repo,
            points,
            track.actors_with(Role.PARTY),
            repo.latest_positions(track_id, as_of),
            as_of=as_of,
            marked=changed_cells(comparison),
        )
        # The whole board, header and all, above the proposals: the page scrolls, not it.
        board.styles.height = max(len(points), 1) + 1

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
            # The note is the detail's to show; here, only who answered how and when.
            block.extend(
                response_line(repo, response, with_note=False)
                for response in proposal.current_responses()
            )
        self.query_one(".proposals", TextBlock).update(lines(block))

        self._events = repo.events(track_id, as_of)
        self._show_events(RECENT_EVENTS)
        self.call_after_refresh(self._fill_height)

    _events: list[Event] = []
    _events_shown = 0
    _events_width = 0

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill_height)

    def _fill_height(self) -> None:
        """As many recent events as the screen has lines left for, one line each."""
        scroll = self.query_one(".overview-scroll", VerticalScroll)
        used = sum(
            child.outer_size.height + child.styles.margin.top + child.styles.margin.bottom
            for child in scroll.children
            if isinstance(child, TextualWidget)
        )
        free = scroll.scrollable_content_region.height - used
        wanted = min(max(RECENT_EVENTS, self._events_shown + free), len(self._events))
        if wanted != self._events_shown or scroll.size.width != self._events_width:
            self._show_events(wanted)

    def _show_events(self, count: int) -> None:
        events = self._events[-count:] if count else []
        self._events_shown = len(events)
        block = [heading("Recent events")]
        if not events:
            block.append(line(("none recorded", MUTED)))
        # Each on one line: the title cut to the width there is.
        scroll = self.query_one(".overview-scroll", VerticalScroll)
        self._events_width = scroll.size.width
        width = scroll.scrollable_content_region.width
        for event in reversed(events):
            kind = event.event_kind.value
            room = max(width - len("2024-01-01  ") - len(kind) - 2, 20)
            block.append(
                line(
                    (f"{day(event.date)}  ", MUTED),
                    (kind, "bold"),
                    "  ",
                    shorten(event.title, room),
                )
            )
        self.query_one(".events", TextBlock).update(lines(block))
