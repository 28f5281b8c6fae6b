"""The repository's records as read: the stored documents, the models built from them
when first asked for, the lists and the ids by track kept beside them, and the change
notice sent when any of them changes."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ..errors import CorruptStore, describe
from ..files.journal import CHANGES
from ..files.state import Op
from ..files.storage import JournalStorage
from ..models import RECORD_TYPES, model_for
from ..record import Record

R = TypeVar("R", bound=Record)


Clock = Callable[[], datetime]


def dump_record(record: Record) -> dict[str, Any]:
    """A record as stored: its fields as JSON values (its revision apart)."""
    return record.model_dump(mode="json")


class RecordCache:
    """The stored documents of one store, and the models, lists and indexes read from them."""

    clock: Clock
    author: str
    storage: JournalStorage
    db: JournalStorage
    path: Path
    version: int
    compact_on_close: bool
    _cache: dict[str, dict[str, Record]]
    _lists: dict[str, dict[tuple[Any, ...], builtins.list[Record]]]
    _by_track: dict[str, dict[str, dict[str, None]]]
    _derived: dict[tuple[str, str], int]
    _listeners: builtins.list[Callable[[int], None]]

    # -- the change notice ---------------------------------------------------

    def subscribe(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """Call ``listener`` with the new version after every change to the store, made
        here or taken in from another process; returns the function that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _changed(self) -> None:
        self.version += 1
        for listener in builtins.list(self._listeners):
            listener(self.version)

    # -- the records as read -------------------------------------------------

    def _validate(self, cls: type[Record], doc_id: str, doc: dict[str, Any]) -> Record:
        try:
            record = cls.model_validate(doc)
        except ValidationError as exc:
            raise CorruptStore(f"{self.path}: {cls.kind} {doc_id!r}: {describe(exc)}") from None
        if record.id != doc_id:
            raise CorruptStore(
                f"{self.path}: {cls.kind} {doc_id!r} is stored under a different id ({record.id!r})"
            )
        return record

    def _docs(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.storage.tables.get(kind, {})

    def _track_ids(self, kind: str, track_id: str) -> dict[str, None]:
        """The ids of a track's records of a kind that belongs to tracks, in stored order."""
        tracks = self._by_track[kind]
        ids = tracks.get(track_id)
        if ids is None:
            ids = tracks[track_id] = {
                doc_id: None
                for doc_id, doc in self._docs(kind).items()
                if doc.get("track_id") == track_id
            }
        return ids

    def _record(self, kind: str, record_id: str) -> Record:
        """The model of a stored record; KeyError when there is none."""
        cached = self._cache[kind].get(record_id)
        if cached is None:
            doc = self._docs(kind)[record_id]
            cached = self._validate(RECORD_TYPES[kind], record_id, doc)
            self._cache[kind][record_id] = cached
        return cached

    def _maybe(self, kind: str, record_id: str) -> Record | None:
        return self._record(kind, record_id) if record_id in self._docs(kind) else None

    def _all(self, kind: str) -> Iterator[Record]:
        for record_id in builtins.list(self._docs(kind)):
            yield self._record(kind, record_id)

    @property
    def _max_seq(self) -> int:
        return self.storage.last_seq

    def _take_ops(self, ops: builtins.list[Op]) -> None:
        """Bring the models in line with operations another process wrote."""
        for table_name, doc_id, doc in ops:
            if table_name == CHANGES:
                continue
            cls = model_for(table_name)
            self._index(
                table_name, doc_id, None if doc is None else self._validate(cls, doc_id, doc)
            )
        self._changed()

    def _index(self, kind: str, record_id: str, record: Record | None) -> None:
        self._cache[kind].pop(record_id, None)
        self._derived.pop((kind, record_id), None)
        self._lists.pop(kind, None)
        if kind in self._by_track:
            # The old track is not known once the document is replaced: look in each.
            for ids in self._by_track[kind].values():
                ids.pop(record_id, None)
            if record is not None:
                # A track not gathered yet will find the record when it is.
                gathered = self._by_track[kind].get(record.track_id)  # type: ignore[attr-defined]
                if gathered is not None:
                    gathered[record_id] = None
        if record is not None:
            self._cache[kind][record_id] = record
