"""How changes from several machines become one record: replayed in one order,
field by field, and the conflicts found on the way (store/sync/__init__.py says why).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from store.models import Change

CHANGES_DIR = "changes"
# Fields that are logs: entries added on either side are all kept, in the order they
# were replayed, and never conflict.
STATUS, STATUS_LOG = "status", "status_log"
LOG_FIELDS = frozenset({STATUS_LOG})
Key = tuple[str, str]


# -- one change as it travels ----------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """A change as the desk knows it: made on ``machine`` as its change ``seq``."""

    machine: str
    seq: int
    clock: int
    # How far this machine had taken in each other machine's changes when it was made.
    seen: Mapping[str, int]
    # The change as its file holds it (for this machine's own: as the store holds it).
    data: Mapping[str, Any]

    @cached_property
    def change(self) -> Change:
        """The change, validated when first asked for: a file sent from here is written
        from the store's own record of it, and needs no model to be written."""
        return Change.model_validate(self.data)

    @property
    def key(self) -> tuple[str, str]:
        """The record it changes: (kind, id)."""
        return (str(self.data["record_kind"]), str(self.data["record_id"]))

    @property
    def id(self) -> str:
        return f"{self.machine}:{self.seq}"

    @property
    def order(self) -> tuple[int, str, int]:
        return (self.clock, self.machine, self.seq)

    def saw(self, other: Shared) -> bool:
        """Was ``other`` known where and when this change was made?"""
        if other.machine == self.machine:
            return other.seq <= self.seq
        return self.seen.get(other.machine, 0) >= other.seq

    def to_json(self) -> str:
        data = {
            "machine": self.machine,
            "seq": self.seq,
            "clock": self.clock,
            "seen": dict(sorted(self.seen.items())),
            "change": self.data,
        }
        # Compact: with an indent json falls back to its pure-Python encoder, several
        # times slower, and a sync writes a file per change.
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Shared:
        """A change file another machine wrote, validated whole, once."""
        data = json.loads(text)
        shared = cls(
            machine=str(data["machine"]),
            seq=int(data["seq"]),
            clock=int(data["clock"]),
            seen={str(k): int(v) for k, v in data["seen"].items()},
            data=data["change"],
        )
        shared.change  # noqa: B018  (validated now: a file that is not a change stops here)
        return shared


def change_file(machine: str, seq: int) -> str:
    return f"{CHANGES_DIR}/{machine}/{seq:012d}.json"


# -- conflicts --------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side of a conflict: the value a change left, who made it, when, where."""

    value: Any
    change_id: str
    author: str
    at: str
    machine: str
    sources: list[str]


@dataclass(frozen=True)
class SyncConflict:
    """A field set to different values on two machines that had not seen each other's
    change (``field`` None: a record deleted on one and changed on the other). The
    record holds ``kept``'s value; ``lost`` is what the other side wrote."""

    id: str
    kind: str
    record_id: str
    field: str | None
    kept: Side
    lost: Side

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "record_id": self.record_id,
            "field": self.field,
            "kept": self.kept.__dict__,
            "lost": self.lost.__dict__,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncConflict:
        return cls(
            id=data["id"],
            kind=data["kind"],
            record_id=data["record_id"],
            field=data["field"],
            kept=Side(**data["kept"]),
            lost=Side(**data["lost"]),
        )


def _side(shared: Shared, value: Any) -> Side:
    before, after = shared.change.before or {}, shared.change.after or shared.change.before or {}
    # A status is cited by the log entries its change added; anything else, by the record.
    logged = [e for e in after.get(STATUS_LOG) or [] if e not in (before.get(STATUS_LOG) or [])]
    cited = [s for e in logged for s in e.get("source_ids") or []] if logged else None
    sources = [str(s) for s in (cited if cited is not None else after.get("source_ids") or [])]
    return Side(
        value=value,
        change_id=shared.id,
        author=shared.change.author,
        at=shared.change.at.isoformat(),
        machine=shared.machine,
        sources=sources,
    )


def _conflict(key: Key, field_name: str | None, kept: Side, lost: Side) -> SyncConflict:
    ids = "|".join([key[0], key[1], field_name or "", *sorted([kept.change_id, lost.change_id])])
    digest = hashlib.sha256(ids.encode()).hexdigest()[:12]
    return SyncConflict(digest, key[0], key[1], field_name, kept, lost)


# -- replaying changes --------------------------------------------------------------


@dataclass
class Replayed:
    """A record as every change to it leaves it, and the conflicts on the way."""

    state: dict[str, Any] | None = None
    last_live: dict[str, Any] | None = None
    conflicts: list[SyncConflict] = field(default_factory=list)


def replay(key: Key, changes: Iterable[Shared]) -> Replayed:
    """Replay a record's changes in the desk's one order, field by field."""
    out = Replayed()
    writer: dict[str, Shared] = {}  # field -> the change that last set it
    log_writers: list[Shared] = []  # the changes that logged a status, in order
    applied: list[Shared] = []
    deleted_by: Shared | None = None
    for shared in sorted(changes, key=lambda s: s.order):
        change = shared.change
        before, after = change.before or {}, change.after
        if not applied and change.before is not None:
            # A record older than the desk's files: it stood as its first change found it.
            out.state = dict(change.before)
        if after is None:
            if change.before is None:
                continue  # a note that settles a conflict: nothing to replay
            if out.state is not None:
                unseen = [s for s in applied if not shared.saw(s) and s.change.after is not None]
                if unseen:
                    edit = unseen[-1]
                    kept, lost = _side(shared, None), _side(edit, edit.change.after)
                    out.conflicts.append(_conflict(key, None, kept, lost))
                out.last_live, out.state = out.state, None
                deleted_by = shared
            applied.append(shared)
            continue
        if out.state is None:
            if change.before is not None and deleted_by is not None:
                # An edit of a record deleted elsewhere: it stays deleted, and a person
                # is told what the edit would have made of it.
                if not shared.saw(deleted_by):
                    kept, lost = _side(deleted_by, None), _side(shared, after)
                    out.conflicts.append(_conflict(key, None, kept, lost))
                applied.append(shared)
                continue
            if change.before is not None:
                applied.append(shared)
                continue
            out.state = dict(after)
            writer = {name: shared for name in after}
            deleted_by = None
            applied.append(shared)
            continue
        state = out.state
        logged = any(before.get(n) != after.get(n) for n in LOG_FIELDS if n in after)
        for name in sorted(set(before) | set(after)):
            old, new = before.get(name), after.get(name)
            if old == new and change.before is not None:
                continue
            if name in LOG_FIELDS:
                state[name] = _merge_log(state.get(name) or [], old or [], new or [])
                continue
            if name == STATUS and logged and STATUS_LOG in state:
                continue  # read from the merged log below
            last = writer.get(name)
            if (
                last is not None
                and not shared.saw(last)
                and state.get(name) != new
                and last.change.after is not None
            ):
                out.conflicts.append(
                    _conflict(key, name, _side(shared, new), _side(last, state.get(name)))
                )
            if name in after:
                state[name] = new
            else:
                state.pop(name, None)
            writer[name] = shared
        if logged and STATUS_LOG in state:
            _settle_status(key, out, shared, state, log_writers)
            log_writers.append(shared)
        applied.append(shared)
    return out


def _settle_status(
    key: Key, out: Replayed, shared: Shared, state: dict[str, Any], earlier: list[Shared]
) -> None:
    """A status is the one its log dates last (on a tie, the one replayed last), as
    when it is set here; a status logged on a machine that had not seen another's
    different one is a conflict all the same."""
    entries = state[STATUS_LOG]
    if not entries:
        return
    status = sorted(entries, key=lambda e: str(e.get("date")))[-1].get("status")
    mine = (shared.change.after or {}).get(STATUS)
    for other in reversed(earlier):
        theirs = (other.change.after or {}).get(STATUS)
        if not shared.saw(other) and theirs != mine:
            kept_by, lost_by = (shared, other) if status == mine else (other, shared)
            kept = _side(kept_by, (kept_by.change.after or {}).get(STATUS))
            lost = _side(lost_by, (lost_by.change.after or {}).get(STATUS))
            out.conflicts.append(_conflict(key, STATUS, kept, lost))
            break
    state[STATUS] = status


def _merge_log(current: list[Any], before: list[Any], after: list[Any]) -> list[Any]:
    removed = [e for e in before if e not in after]
    added = [e for e in after if e not in before]
    kept = [e for e in current if e not in removed]
    return kept + [e for e in added if e not in kept]


def shown_value(value: Any) -> str:
    """A conflict's value in one line: "deleted" for a record gone, else its JSON."""
    if value is None:
        return "deleted"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join(text.split())


def side_time(side: Side) -> str:
    """When a side's change was made, to the minute, in UTC."""
    return datetime.fromisoformat(side.at).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def side_words(side: Side) -> str:
    cited = f", citing {', '.join(side.sources)}" if side.sources else ""
    return (
        f"{shown_value(side.value)} (by {side.author or 'unknown'}, {side_time(side)} "
        f"on {side.machine}{cited})"
    )


def conflict_words(conflict: SyncConflict) -> str:
    """A conflict in one line: which record and field, the value kept, the other."""
    what = f"{conflict.kind} {conflict.record_id}"
    if conflict.field is not None:
        what += f", {conflict.field}"
    return f"{what}: kept {side_words(conflict.kept)}; other {side_words(conflict.lost)}"
