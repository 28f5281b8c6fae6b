"""The state of the exchange, kept in the sync repository's ``.git/`` and never in the
store: this machine's id, what was sent and taken in, the conflicts; and what a sync
reports."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.sync.merge import SyncConflict

BRANCH = "parley"
REMOTE = "origin"
HEAD_REF = f"refs/heads/{BRANCH}"
REMOTE_REF = f"refs/remotes/{REMOTE}/{BRANCH}"
# The tree with nothing in it: git knows it without its being stored.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
STATE_FILE = "parley-sync.json"
INDEX_FILE = "parley-sync-index.json"
LOCK_FILE = "parley-sync.lock"
# Pushes refused because another machine pushed first, fetched and merged again each time.
PUSH_ATTEMPTS = 3


class SyncError(StoreError):
    """A sync that could not be done; its message is one line, and the store is as it was."""


def sync_dir(store_path: str | os.PathLike[str]) -> Path:
    """The git repository a store syncs through: beside it, named after it."""
    path = Path(store_path)
    return path.with_name(path.stem + ".sync")


@dataclass
class SyncState:
    machine: str
    remote: str
    sent: int = 0  # the newest change of this store written out as a file
    pushed: int = 0  # the newest change of this store the remote has
    clock: int = 0
    took: dict[str, int] = field(default_factory=dict)  # machine -> newest taken in
    # (the store's newest change once a take-in was written, what had been taken in)
    marks: list[tuple[int, dict[str, int]]] = field(default_factory=list)
    last_sync: str | None = None
    # The commit whose change files were all taken in (and indexed) by the last sync
    # that ran to its end: the next reads only what was added since.
    head: str | None = None
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolved: list[str] = field(default_factory=list)

    def seen_at(self, seq: int) -> dict[str, int]:
        """What this machine had taken in when its change ``seq`` was written."""
        found: dict[str, int] = {}
        for mark, took in self.marks:
            if mark < seq:
                found = took
        return found

    def to_json(self) -> str:
        data = dict(self.__dict__)
        data["marks"] = [[m, t] for m, t in self.marks]
        return json.dumps(data, sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SyncState:
        data = json.loads(text)
        data["marks"] = [(int(m), dict(t)) for m, t in data.get("marks", [])]
        return cls(**data)


@dataclass(frozen=True)
class Status:
    remote: str
    machine: str
    unpushed: int
    last_sync: str | None
    conflicts: list[SyncConflict]


@dataclass(frozen=True)
class SyncReport:
    sent: int
    taken: int
    conflicts: int

    def summary(self) -> str:
        return (
            f"sent {self.sent} change(s), took in {self.taken}; "
            f"{self.conflicts} conflict(s) to settle"
        )


def stopped(exc: OSError) -> SyncError:
    """A full disk, a folder made unwritable: in one line."""
    where = f"{exc.filename}: " if exc.filename else ""
    return SyncError(f"sync stopped: {where}{exc.strerror or exc}")


def when(text: str | None) -> str:
    """A last-sync time for a person: "never", or the UTC minute."""
    if not text:
        return "never"
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")
