"""Commands: the one road by which anything is written to a store.

Each command is one thing a user does: set a status, record a position, add a
round, record a response, add an event, add, edit or delete any record, undo,
redo. It validates what it is given, writes in one transaction (durable before
it returns) and returns what changed. The dashboard, the CLI, the seed and the
import all write through here, and nothing else calls the repository's write
methods; the repository's change notice then tells every view.

An edit or a delete may name the revision of the record it was made from
(``Repository.revision``): it is refused with a ``Conflict`` naming who changed
the record, and when, if the record has moved on since. Without one, an edit
changes the fields it names on the record as it stands when written. Commands
that only add to a record (a status, a response) read it and write it back under
the store's lock, so they never conflict and never lose another's write.

A command that refuses raises a ``StoreError`` with one sentence. Refused field
values raise ``InvalidRecord`` whose ``fields`` say which field is wrong and why,
every wrong field at once, so that a form can show each beside its field; the
fields of a new source given with the command are named ``new_source.<field>``."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Change
from .daily import DailyCommands
from .drafts import Outcome


class Commands(DailyCommands):
    """Every write to one store: any record's (``RecordCommands``), every day's
    (``DailyCommands``), undo and redo."""

    def undo(self) -> Outcome:
        """Revert the newest change not yet undone; nothing changes when there is none."""
        return Outcome(tuple(self.repo.undo()))

    def redo(self) -> Outcome:
        """Take back the newest undo; nothing changes when the last write was not an undo."""
        return Outcome(tuple(self.repo.redo()))

    def own(self, step: Sequence[Change]) -> bool:
        """Whether every change of ``step`` was written in this session by its author."""
        return all(c.author == self.repo.author and c.seq > self.session_start for c in step)
