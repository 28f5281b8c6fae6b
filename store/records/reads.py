"""Reading the repository: records as models (never dicts), the stored documents for
scans, who refers to a record, the history of changes, and a record's revision."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from ..errors import NotFound
from ..models import RECORD_TYPES, Change, model_for
from ..record import Record, revision_of
from .cache import R, RecordCache


class Reads(RecordCache):
    """What any reader of the store asks of it."""

    def get(self, kind: str, record_id: str) -> Record:
        model_for(kind)
        try:
            return self._record(kind, record_id)
        except KeyError:
            raise NotFound(f"no {kind} with id {record_id!r}") from None

    def get_as(self, cls: type[R], record_id: str) -> R:
        record = self.get(cls.kind, record_id)
        assert isinstance(record, cls)
        return record

    def exists(self, kind: str, record_id: str) -> bool:
        return kind in RECORD_TYPES and record_id in self._docs(kind)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return sum(len(self._docs(k)) for k in RECORD_TYPES)
        return len(self._docs(model_for(kind).kind))

    def list(self, kind: str, **filters: Any) -> builtins.list[Record]:
        """Records of a kind, oldest first; a filter on a list field matches a member."""
        model_for(kind)
        try:
            key = tuple(sorted(filters.items()))
            hash(key)
        except TypeError:  # a list among the filters: answered afresh each time
            return self._list(kind, **filters)
        known = self._lists.setdefault(kind, {})
        if key not in known:
            known[key] = self._list(kind, **filters)
        return builtins.list(known[key])

    def _list(self, kind: str, **filters: Any) -> builtins.list[Record]:
        track_id = filters.pop("track_id", None)
        if track_id is not None and kind in self._by_track:
            ids = builtins.list(self._track_ids(kind, track_id))
            candidates: Iterable[Record] = (self._record(kind, i) for i in ids)
        else:
            candidates = self._all(kind)
            if track_id is not None:
                filters["track_id"] = track_id
        found = []
        for record in candidates:
            for name, wanted in filters.items():
                value = getattr(record, name)
                if isinstance(value, list) and not isinstance(wanted, list):
                    if wanted not in value:
                        break
                elif value != wanted:
                    break
            else:
                found.append(record)
        found.sort(key=lambda r: (r.sort_date or date.min, r.id))
        return found

    def list_as(self, cls: type[R], **filters: Any) -> builtins.list[R]:
        return [r for r in self.list(cls.kind, **filters) if isinstance(r, cls)]

    def ids(self, kind: str) -> builtins.list[str]:
        return builtins.list(self._docs(model_for(kind).kind))

    def documents(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every stored document of a kind, read-only, without building models: for
        scans of the whole store (the text search), where validating each would cost
        more than the scan."""
        yield from self._docs(model_for(kind).kind).items()

    def document(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        """One stored document, read-only, without building its model; None if none."""
        return self._docs(model_for(kind).kind).get(record_id)

    def find(self, kind: str, text: str, limit: int = 50) -> builtins.list[Record]:
        """Records whose label contains text, case-insensitively."""
        needle = text.casefold()
        found = []
        for record in self._all(model_for(kind).kind):
            if needle in record.label.casefold() or needle in record.id:
                found.append(record)
                if len(found) >= limit:
                    break
        return found

    def referrers(self, kind: str, record_id: str) -> builtins.list[Record]:
        """Every record that refers to the given one.

        A scan of the stored documents, not of models: deletes and checks are rare,
        and an index of every reference would cost more memory than the scan costs time.
        """
        found: builtins.list[Record] = []
        for other_kind, cls in RECORD_TYPES.items():
            for doc_id, doc in self._docs(other_kind).items():
                if any(k == kind and r == record_id for _, k, r in cls.refs_of(doc)):
                    found.append(self._record(other_kind, doc_id))
        return found

    # -- history and revisions -----------------------------------------------

    def history(
        self, kind: str | None = None, record_id: str | None = None, limit: int | None = None
    ) -> builtins.list[Change]:
        """Changes, newest first, optionally of one kind or one record."""
        # The id as the history file spells it, to pass over other records' lines unread.
        needle = (
            json.dumps({"record_id": record_id}, ensure_ascii=False, separators=(",", ":"))[1:-1]
            if record_id is not None
            else None
        )
        found = []
        for doc in self.storage.newest_changes(needle.encode("utf-8") if needle else None):
            if kind is not None and doc.get("record_kind") != kind:
                continue
            if record_id is not None and doc.get("record_id") != record_id:
                continue
            found.append(Change.model_validate(doc))
            if limit is not None and len(found) >= limit:
                break
        return found

    def changes_since(self, seq: int) -> Iterator[Change]:
        """The changes numbered above ``seq``, newest first, read only that far back."""
        for doc in self.change_documents_since(seq):
            yield Change.model_validate(doc)

    def change_documents_since(self, seq: int) -> Iterator[Mapping[str, Any]]:
        """The same as stored, read-only and without building models: for counting."""
        for doc in self.storage.newest_changes():
            if doc.get("seq", 0) <= seq:
                break
            yield doc

    def revision(self, kind: str, record_id: str) -> int:
        """The record's revision: the number of the change that last wrote it (0 when no
        change is recorded). An edit names it, and is refused once the record moves on."""
        doc = self._docs(model_for(kind).kind).get(record_id)
        if doc is None:
            raise NotFound(f"no {kind} with id {record_id!r}")
        stored = revision_of(doc)
        if stored:
            return stored
        # Written before records carried their revision: the history knows it.
        key = (kind, record_id)
        if key not in self._derived:
            last = self.last_change(kind, record_id)
            self._derived[key] = last.seq if last is not None else 0
        return self._derived[key]

    def last_change(self, kind: str, record_id: str) -> Change | None:
        """The newest change to a record; None when the history has none."""
        return next(iter(self.history(kind, record_id, limit=1)), None)
