"""`C`: what changed on the track between two dates, section by section, the
positions point by point and party by party, each line with its footnote.

The dates come from a small form (``compare_form``); the comparison itself is
``store.reading.compare``, read from the records' own dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.binding import Binding
from textual.content import Content

from store import Kind, Repository, Track
from store.reading.compare import SECTIONS, Change, Comparison, compare
from store.reading.words import long_day, name_of
from tui.dialogs.detail import DetailScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormErrors, FormResult
from tui.fields import Field, Options
from tui.format import MUTED, UNSOURCED, heading
from tui.text import line, literal
from tui.widgets.text_block import TextBlock
from tui.widgets.text_view import TextView


def compare_form(start: date, end: date, options: Options) -> FormScreen:
    """The two dates to compare, ``start`` and ``end`` filled in. Writes nothing."""
    fields = [
        Field("start", "From (the talks as they stood that day)", "date"),
        Field("end", "To (changes up to and including that day)", "date"),
    ]
    values = {"start": start.isoformat(), "end": end.isoformat()}

    def submit(form: dict[str, Any]) -> None:
        errors = {}
        for name in ("start", "end"):
            text = form.get(name) or ""
            try:
                date.fromisoformat(text)
            except ValueError:
                errors[name] = f"{text!r} is not an ISO date (YYYY-MM-DD)"
        if errors:
            raise FormErrors(errors)

    # One thing to do: Enter runs it, wherever the focus is.
    return FormScreen(
        "Compare two dates", fields, values, submit, options, enter_saves=True, verb="compare"
    )


class Notes:
    """Footnote numbers, one per source, in the order first cited."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def mark(self, change: Change) -> tuple[str, str]:
        if not change.source_ids:
            return (" unsourced", UNSOURCED) if change.unsourced else ("", "")
        marks = []
        for source_id in change.source_ids:
            number = self.numbers.setdefault(source_id, len(self.numbers) + 1)
            marks.append(str(number))
        return (f" [{','.join(marks)}]", MUTED)

    def legend(self, repo: Repository, indent: str = "  ") -> list[Content]:
        """One line a source: its number and its name."""
        return [
            line((f"{indent}[{number}] ", MUTED), name_of(repo, Kind.SOURCE, source_id))
            for source_id, number in self.numbers.items()
        ]


def comparison_text(repo: Repository, comparison: Comparison) -> Content:
    """The comparison as a reader takes it: a heading a section, dated lines."""
    notes = Notes()
    parts: list[Content] = []
    for key, title in SECTIONS.items():
        changes = comparison.section(key)
        parts.append(heading(f"{title} ({len(changes)})"))
        if not changes:
            parts.append(line(("  none", MUTED)))
        elif key == "positions":
            parts.extend(_positions(repo, changes, notes))
        else:
            for change in changes:
                parts.append(
                    line(
                        "  ",
                        (change.date.isoformat(), "bold"),
                        "  ",
                        change.text,
                        notes.mark(change),
                    )
                )
        parts.append(Content(""))
    parts.append(heading("Sources"))
    if not notes.numbers:
        parts.append(line(("  none cited", MUTED)))
    parts.extend(notes.legend(repo))
    return Content("\n").join(parts)


def _positions(repo: Repository, changes: list[Change], notes: Notes) -> list[Content]:
    """Point by point, party by party, oldest first within each."""
    by_point: dict[str, dict[str, list[Change]]] = {}
    for change in changes:
        by_point.setdefault(change.point_id or "", {}).setdefault(change.actor_id or "", []).append(
            change
        )
    parts = []
    for point_id, by_actor in by_point.items():
        parts.append(line("  ", (name_of(repo, Kind.POINT, point_id), "bold")))
        for actor_id, stated in by_actor.items():
            who = name_of(repo, Kind.ACTOR, actor_id)
            for change in stated:
                parts.append(line(f"    {who}: ", change.text, notes.mark(change)))
    return parts


class CompareScreen(DetailScreen):
    """The comparison, full screen; `C` asks for other dates, as on the dashboard."""

    BINDINGS = [Binding("C", "dates", "Other dates", id="compare.dates")]

    def __init__(
        self, repo: Repository, track_id: str, start: date, end: date, options: Options
    ) -> None:
        self.repo, self.track_id, self.options = repo, track_id, options
        super().__init__(Content(""), title="")
        self._compare(start, end)

    def _compare(self, start: date, end: date) -> None:
        self.comparison = compare(self.repo, self.track_id, start, end)
        track = self.repo.get_as(Track, self.track_id)
        first, last = self.comparison.start, self.comparison.end
        self.heading = f"What changed after {long_day(first)}, to {long_day(last)} · {track.title}"
        self.body = comparison_text(self.repo, self.comparison)

    def action_dates(self) -> None:
        def chosen(result: FormResult | None) -> None:
            if result is None:
                return
            values = result.values
            self._compare(date.fromisoformat(values["start"]), date.fromisoformat(values["end"]))
            self.query_one(".dialog-title", TextBlock).update(literal(self.heading))
            self.query_one(".dialog-body", TextView).update(self.body)

        form = compare_form(self.comparison.start, self.comparison.end, self.options)
        self.app.push_screen(form, chosen)
