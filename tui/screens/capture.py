"""The keys that write: quick entry and full forms, edit, delete, undo and redo.

A screen over the records of one track inherits them. Every write goes through
the store's commands; the repository's change notice then redraws the views, so
nothing here tells a view to reload.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date

from textual.binding import Binding
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen

from store import (
    Conflict,
    Kind,
    Position,
    Record,
    Repository,
    Round,
    StickingPoint,
    StoreError,
    track_of,
)
from store.exchange.seed import is_seed
from store.reading.change_words import step_words
from store.reading.compare import last_day
from store.reading.words import kind_words, record_words
from store.records.commands import Commands
from store.records.drafts import Outcome
from tui.dialogs.choice import ChoiceScreen
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormResult
from tui.format import saved_notice
from tui.forms import KIND_NAMES, Forms
from tui.messages import ShowTrack
from tui.quick import Passage, QuickForms, cited
from tui.views.base import View

# The keys that write, by binding id. The dashboard and the reader take theirs from
# here, so that each is said once and a key rebound in the settings moves on both.
WRITE_KEYS: dict[str, tuple[str, str, str]] = {
    "dashboard.status": ("s", "set_status", "Status"),
    "dashboard.position": ("p", "add_position", "Position"),
    "dashboard.round": ("r", "add_round", "Round"),
    "dashboard.response": ("a", "respond", "Response"),
    "dashboard.event": ("n", "add_event", "Event"),
    "dashboard.assessment": ("i", "add_assessment", "Assessment"),
    "dashboard.status-form": ("S", "set_status(True)", "Status, full form"),
    "dashboard.position-form": ("P", "add_position(True)", "Position, full form"),
    "dashboard.round-form": ("R", "add_round(True)", "Round, full form"),
    "dashboard.response-form": ("A", "respond(True)", "Response, full form"),
    "dashboard.event-form": ("N", "add_event(True)", "Event, full form"),
    "dashboard.assessment-form": ("I", "add_assessment(True)", "Assessment, full form"),
    "dashboard.add": ("plus", "add_any", "Add…"),
    "dashboard.edit": ("e", "edit", "Edit"),
    "dashboard.delete": ("d", "delete", "Delete"),
    "dashboard.undo": ("u", "undo", "Undo"),
    "dashboard.redo": ("U,ctrl+r", "redo", "Redo"),
}


def write_keys(*ids: str, hidden: tuple[str, ...] = ()) -> list[Binding]:
    """The bindings of those keys that write, in that order; ``hidden`` ones are
    left out of the footer (``?`` lists them)."""
    return [Binding(*WRITE_KEYS[i], show=i not in hidden, id=i) for i in ids]


class CaptureScreen(Screen[None]):
    """Writes to the track in view, from the keyboard."""

    track_id: reactive[str] = reactive("", init=False)
    as_of: reactive[date | None] = reactive(None, init=False)
    version: reactive[int] = reactive(0, init=False)

    def __init__(self, repo: Repository, commands: Commands) -> None:
        super().__init__()
        self.repo, self.commands = repo, commands
        # Track id -> the sources the last form saved on it cited: the next quick form's
        # default there, and never on another track.
        self.sources: dict[str, list[str]] = {}
        # Track id -> the round last added there or named by a position saved there:
        # what the next position's "During round" proposes, on that track only.
        self.rounds: dict[str, str] = {}

    @property
    def active_view(self) -> View:
        """The view on show; NoMatches while there is none."""
        raise NoMatches("no view")

    def selected(self) -> Record | None:
        """The selected record as stored now (views may show it as of a past date)."""
        try:
            view = self.active_view
        except NoMatches:
            return None
        # With no track in view, nothing is on show to select.
        record = view.selected() if view.track_id else None
        if record is None or not self.repo.exists(record.kind, record.id):
            return None
        return self.repo.get(record.kind, record.id)

    def default_day(self) -> date:
        """The day a form proposes where no source says otherwise, in quick and full
        forms alike: the track's latest news (never after today), else today."""
        today = self.repo.today()
        latest = last_day(self.repo, self.track_id) if self.track_id else None
        return min(latest, today) if latest is not None else today

    def forms(self) -> Forms:
        return Forms(
            self.repo,
            self.commands,
            self.track_id,
            self.default_day(),
            round_id=self.rounds.get(self.track_id),
        )

    def passage(self) -> Passage | None:
        """The words of an article the quick forms are filled from (the reader's)."""
        return None

    def quick(self) -> QuickForms:
        return QuickForms(
            self.repo,
            self.commands,
            self.track_id,
            self.default_day(),
            sources=self.sources.get(self.track_id, []),
            passage=self.passage(),
            round_id=self.rounds.get(self.track_id),
        )

    def _open(self, form: FormScreen) -> None:
        self.app.push_screen(form, self._saved)

    def _saved(self, result: FormResult | None) -> None:
        if result is None or result.record is None:
            return
        record = result.record
        self.sources[self.track_id] = cited(result) or self.sources.get(self.track_id, [])
        for saved in result.records:
            used = saved.id if isinstance(saved, Round) else None
            if isinstance(saved, Position):
                used = saved.round_id
            if used and track_of(saved) == self.track_id:
                self.rounds[self.track_id] = used
        self.notify(saved_notice(self.repo, record), timeout=3)
        if record.kind == Kind.TRACK and record.id != self.track_id:
            # A new track has nothing in it yet; it is shown so that it can be filled in.
            self.post_message(ShowTrack(record.id))
        # Stay in the view the form was opened from; show the record there if it lists it.
        self.call_after_refresh(self._select_saved, record.kind, record.id)

    def _select_saved(self, kind: str, record_id: str) -> None:
        with contextlib.suppress(NoMatches):
            self.active_view.show_record(kind, record_id)

    def action_add(self, kind: str) -> None:
        self.app.push_screen(self.forms().record_form(kind), self._saved)

    def action_add_any(self) -> None:
        def chosen(kind: str | None) -> None:
            if kind:
                self.action_add(kind)

        self.app.push_screen(
            ChoiceScreen("Add a record", [(k, v) for k, v in KIND_NAMES.items()]), chosen
        )

    def action_add_position(self, full: bool = False) -> None:
        self._open(self.quick().position(self.selected(), full))

    def action_add_round(self, full: bool = False) -> None:
        self._open(self.quick().round(self.selected(), full))

    def action_add_event(self, full: bool = False) -> None:
        self._open(self.quick().event(self.selected(), full))

    def action_add_assessment(self, full: bool = False) -> None:
        self._open(self.quick().assessment(self.selected(), full))

    def action_set_status(self, full: bool = False) -> None:
        record = self.selected()
        if isinstance(record, Position) and self.repo.exists(Kind.POINT, record.point_id):
            # A gap-board or matrix cell: the status is its sticking point's.
            record = self.repo.get_as(StickingPoint, record.point_id)
        if isinstance(record, Round | StickingPoint):
            self._open(self.quick().status(record, full))
        else:
            self.notify("Select a round or a sticking point first.", severity="warning")

    def action_respond(self, full: bool = False) -> None:
        form = self.quick().response(self.selected(), full)
        if form is None:
            self.notify("This track has no proposal to respond to.", severity="warning")
        else:
            self._open(form)

    def action_edit(self) -> None:
        record = self.selected()
        if record is None:
            self.notify("Select a record first.", severity="warning")
        else:
            self.app.push_screen(self.forms().record_form(record.kind, record), self._saved)

    def action_delete(self) -> None:
        record = self.selected()
        if record is None:
            return
        what = record_words(self.repo, record)
        # The record as the user saw it: should it change before they answer, it stays.
        revision = self.repo.revision(record.kind, record.id)
        users = self.repo.referrers(record.kind, record.id)
        if users:
            names = "; ".join(record_words(self.repo, r) for r in users[:3])
            more = f"; and {len(users) - 3} more" if len(users) > 3 else ""
            self.notify(
                f"Cannot delete {what}: {names}{more} refer to it. Nothing was deleted.",
                severity="error",
                timeout=8,
            )
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.commands.delete(record.kind, record.id, revision=revision)
            except Conflict as exc:
                self.notify(str(exc), severity="error", timeout=8)
                return
            except StoreError as exc:
                self.notify(f"{exc}. Nothing was deleted.", severity="error", timeout=8)
                return
            self.notify(f"Deleted {what}. u undoes it.", timeout=5)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete this {kind_words(record.kind)}?", f"Delete {what}? u undoes it."
            ),
            answered,
        )

    def action_undo(self) -> None:
        """Undo this session's own change at once; ask before undoing anyone else's, an
        earlier session's, or a batch such as the seed."""
        step = self.repo.undoable()
        if not step or self.commands.own(step):
            self._step(self.commands.undo, "Undid", "Nothing to undo.")
            return
        seqs = [c.seq for c in step]

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify("Nothing was undone.", timeout=3)
            elif [c.seq for c in self.repo.undoable()] != seqs:
                self.notify("The last change is another one now; nothing was undone.", timeout=5)
            else:
                self._step(self.commands.undo, "Undid", "Nothing to undo.")

        what = step_words(self.repo, step, seed=is_seed(step), me=self.repo.author)
        self.app.push_screen(
            ConfirmScreen("Undo?", f"Undo {what}? It was not made in this session by you."),
            answered,
        )

    def action_redo(self) -> None:
        self._step(self.commands.redo, "Redid", "Nothing to redo: the last change was not an undo.")

    def _step(self, command: Callable[[], Outcome], done: str, nothing: str) -> None:
        try:
            outcome = command()
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        if not outcome.changed:
            self.notify(nothing, timeout=3)
            return
        # The record the step was about first, a source written with it after.
        ordered = sorted(outcome.changes, key=lambda c: c.seq, reverse=done == "Redid")
        what = step_words(self.repo, ordered, seed=is_seed(ordered), me=self.repo.author)
        self.notify(f"{done}: {what}", timeout=5)
