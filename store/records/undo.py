"""Undo and redo: whole transactions, read from the change log itself, so that every
window and process shares one stack; a step refused when a record it would put back has
moved on since."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..errors import Conflict, IntegrityError
from ..models import Change, model_for
from ..reading.change_words import change_summary
from ..reading.words import changed_by, what_of
from ..record import Record
from .cache import dump_record
from .writes import Writes


class Undo(Writes):
    """Undoing and redoing the newest transaction."""

    def undoable(self) -> builtins.list[Change]:
        """The changes ``undo()`` would revert, newest first: the newest write not undone
        and not an undo, with the rest of its transaction.

        A redo counts as a write of its own, so it can be undone in turn.
        """
        undone: set[int] = set()

        def wanted(doc: dict[str, Any]) -> bool:
            if doc.get("origin") is not None:  # another machine's change, taken in by sync
                return False
            if doc.get("undoes") is not None:
                undone.add(doc["undoes"])
                return False
            return doc.get("seq") not in undone

        return self._newest_transaction(wanted)

    def redoable(self) -> builtins.list[Change]:
        """The undos ``redo()`` would take back, newest first.

        Undos not yet redone stack up at the newest end of the log; any other write
        ends the stack, so a new write after an undo leaves nothing to redo.
        """
        redone: set[int] = set()

        def wanted(doc: dict[str, Any]) -> bool | None:
            if doc.get("redoes") is not None:
                redone.add(doc["redoes"])
                return False
            if doc.get("undoes") is None:
                return None
            return doc.get("seq") not in redone

        return self._newest_transaction(wanted)

    def _newest_transaction(
        self, wanted: Callable[[dict[str, Any]], bool | None]
    ) -> builtins.list[Change]:
        """The newest change ``wanted`` takes, with the others of its transaction;
        none once ``wanted`` says None (stop)."""
        found: builtins.list[Change] = []
        for doc in self.storage.newest_changes():
            if found:
                if found[0].batch is not None and doc.get("batch") == found[0].batch:
                    found.append(Change.model_validate(doc))
                    continue
                break
            verdict = wanted(doc)
            if verdict is None:
                break
            if verdict:
                found.append(Change.model_validate(doc))
                if found[0].batch is None:
                    break
        return found

    def undo(self) -> builtins.list[Change]:
        """Revert the newest write not yet undone, its whole transaction; returns the
        changes that did it (none when there is nothing to undo)."""
        with self.storage.locked():
            self.storage.catch_up()
            targets = self.undoable()
            if not targets:
                return []
            self._check_steps(targets, "undo")
            try:
                return self._write([self._revert(t) for t in targets], reverts=targets)
            except IntegrityError as exc:
                what = change_summary(self, targets[-1], prefix=False)
                raise IntegrityError(f"cannot undo {what}: {exc}") from None

    def redo(self) -> builtins.list[Change]:
        """Take back the newest undo not yet redone, its whole transaction; returns the
        changes that did it (none when the newest write is not an undo)."""
        with self.storage.locked():
            self.storage.catch_up()
            targets = self.redoable()
            if not targets:
                return []
            self._check_steps(targets, "redo")
            try:
                return self._write([self._revert(t) for t in targets], reverts=targets, redo=True)
            except IntegrityError as exc:
                what = change_summary(self, targets[-1], prefix=False)
                raise IntegrityError(f"cannot redo {what}: {exc}") from None

    @staticmethod
    def _revert(change: Change) -> tuple[str, str, Record | None, str]:
        """The write that puts a record back as it was before ``change``."""
        kind, record_id = change.record_kind, change.record_id
        if change.before is None:
            return (kind, record_id, None, "delete")
        return (kind, record_id, model_for(kind).model_validate(change.before), "put")

    def _check_steps(self, targets: builtins.list[Change], doing: str) -> None:
        """Refuse to undo (or redo) changes whose records moved on since: each must read
        as its change left it, or the step would overwrite what came after."""
        state: dict[tuple[str, str], dict[str, Any] | None] = {}
        for target in targets:  # newest first: each step finds what the newer left
            key = (target.record_kind, target.record_id)
            if key in state:
                stands = state[key] == target.after
            else:
                stands = self._stands_as(*key, target.after)
            if not stands:
                kind, record_id = key
                last = self.last_change(kind, record_id)
                doc = target.after or target.before or {"id": record_id}
                what = what_of(self, kind, doc)
                if last is not None and last.seq > target.seq:
                    how = f"has since been {changed_by(last)}"
                else:
                    how = "no longer reads as that change left it"
                step = change_summary(self, targets[-1], prefix=False)
                raise Conflict(
                    f"cannot {doing} {step}: {what} {how}; nothing was {doing}ne",
                    kind=kind,
                    record_id=record_id,
                    expected=target.seq,
                    revision=self.revision(kind, record_id) if self.exists(kind, record_id) else 0,
                    change=last,
                )
            state[key] = target.before

    def _stands_as(self, kind: str, record_id: str, doc: dict[str, Any] | None) -> bool:
        """Does the record read as ``doc`` (None: is it absent)? Both are read through the
        model, so a document an older version wrote compares by what it says."""
        current = self._maybe(kind, record_id)
        if current is None or doc is None:
            return current is None and doc is None
        try:
            return dump_record(current) == dump_record(model_for(kind).model_validate(doc))
        except ValidationError:
            return False
