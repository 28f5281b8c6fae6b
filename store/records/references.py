"""Which references of a record cannot stand: to nothing, or into another track.

One check for both writers: the repository refuses a write on the first problem
:func:`dangling` yields, an import collects every problem of every record to
report them all at once. The caller says where targets are looked up (the store,
the records of the same transaction or the same import) through ``lookup``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..record import Record, track_of

# (kind, id) -> the record the reference would land on (or its stored document), or
# None when there is none.
Lookup = Callable[[str, str], Record | Mapping[str, Any] | None]


@dataclass(frozen=True)
class Dangling:
    """One reference that cannot stand: ``field`` of the record refers to ``kind`` ``ref``."""

    field: str
    kind: str
    ref: str
    # Set when the target exists but belongs to another track than the record's.
    other_track: str | None = None
    track_id: str | None = None

    @property
    def missing(self) -> bool:
        return self.other_track is None

    def reason(self, missing: str = "does not exist") -> str:
        """Why, in words; ``missing`` says where the target was not found."""
        if self.other_track is None:
            return f"refers to {self.kind} {self.ref!r}, which {missing}"
        return (
            f"{self.kind} {self.ref!r} belongs to track {self.other_track!r}, not {self.track_id!r}"
        )


def dangling(
    record: Record, lookup: Lookup, refs: list[tuple[str, str, str]] | None = None
) -> Iterator[Dangling]:
    """Every reference of ``record`` to a missing record or to a record of another track.

    Actors and sources have no track and may be referred to from any track. ``refs``:
    the record's references when the caller has them (read from its document).
    """
    track_id = track_of(record)
    for field, kind, ref in record.references() if refs is None else refs:
        target = lookup(kind, ref)
        if target is None:
            yield Dangling(field, kind, ref)
            continue
        # A document says its track as its model would: only records of a track have one.
        other_track = target.get("track_id") if isinstance(target, Mapping) else track_of(target)
        if track_id and other_track and other_track != track_id:
            yield Dangling(field, kind, ref, other_track, track_id)


def move_blocker(
    record: Record, old: Record | None, referrers: Callable[[], Iterable[Record | None]]
) -> Record | None:
    """A record of another track that would refer across tracks once ``record`` (stored
    as ``old``) moves to its new track; None when nothing stands in the way.

    ``referrers()`` gives the records that refer to it as they will be after the write
    (None for one the write deletes). Finding them scans the store, so it is called
    only when the record does move.
    """
    track_id = track_of(record)
    if old is None or track_id is None or track_of(old) == track_id:
        return None
    for after in referrers():
        other = track_of(after) if after is not None else None
        if (
            after is not None
            and other
            and other != track_id
            and any(k == record.kind and i == record.id for _, k, i in after.references())
        ):
            return after
    return None
