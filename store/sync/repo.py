"""The exchange of one store's changes with the desk's git remote: the files sent, the
fetch, merge and push, the changes laid on the store, and the state kept between syncs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from store.atomic import write_atomic
from store.errors import StoreError
from store.models import MERGED, RECORD_TYPES, Change, Record, model_for
from store.repository import Repository
from store.sync.merge import (
    CHANGES_DIR,
    Key,
    Replayed,
    Shared,
    SyncConflict,
    change_file,
    replay,
)

BRANCH = "parley"
REMOTE = "origin"
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


# -- the state of the exchange ------------------------------------------------------


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


# -- git ----------------------------------------------------------------------------


def _git_program() -> str:
    found = shutil.which("git")
    if found is None:
        raise SyncError("sync needs git, and no git program was found on the PATH")
    return found


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if line.lower().startswith(("fatal", "error"))]
    return (useful or lines or ["no reason given"])[0]


class SyncRepo:
    """The exchange of one store's changes with the desk's git remote."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.dir = sync_dir(repo.path)
        self.git_dir = self.dir / ".git"
        self.state_path = self.git_dir / STATE_FILE
        self._files: dict[str, Shared] = {}

    # -- set up ---------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.state_path.exists()

    def init(self, remote: str, machine: str | None = None) -> None:
        """Make the repository beside the store, with ``remote`` as its remote;
        ``machine`` names this machine's changes (default: made up, unique)."""
        try:
            self._init(remote, machine)
        except OSError as exc:
            raise SyncError(f"cannot set up {self.dir}: {exc.strerror or exc}") from exc

    def _init(self, remote: str, machine: str | None) -> None:
        if self.ready:
            self._git("remote", "set-url", REMOTE, remote)
            state = self.state()
            state.remote = remote
            self._save(state)
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        self._git("init", "--quiet", f"--initial-branch={BRANCH}")
        machine = machine or uuid.uuid4().hex[:12]
        name = self.repo.author or "parley"
        self._git("config", "user.name", name)
        self._git("config", "user.email", f"{machine}@parley.invalid")
        with contextlib.suppress(SyncError):
            self._git("remote", "remove", REMOTE)
        self._git("remote", "add", REMOTE, remote)
        self._save(SyncState(machine=machine, remote=remote))

    def state(self) -> SyncState:
        try:
            return SyncState.from_json(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SyncError(
                f"{self.repo.path} does not sync yet: run parley sync --init REMOTE"
            ) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise SyncError(f"{self.state_path}: unreadable ({exc})") from None

    def _save(self, state: SyncState) -> None:
        write_atomic(self.state_path, state.to_json())

    def _git(
        self, *args: str, check: bool = True, given: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        if not os.isatty(0):
            env["GIT_TERMINAL_PROMPT"] = "0"  # nobody there to answer a password prompt
        done = subprocess.run(
            [_git_program(), *args],
            cwd=self.dir,
            env=env,
            input=given,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise SyncError(f"git {args[0]}: {_first_line(done.stderr or done.stdout)}")
        return done

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One sync at a time; what a sync killed half-way left of git's is cleared."""
        with open(self.git_dir / LOCK_FILE, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SyncError("another parley sync of this store is under way") from None
            for stale in self.git_dir.rglob("*.lock"):
                if stale.name != LOCK_FILE:
                    stale.unlink(missing_ok=True)
            if (self.git_dir / "MERGE_HEAD").exists():
                self._git("merge", "--abort", check=False)
            yield

    # -- what is where ----------------------------------------------------------

    def _own_changes(self, since: int) -> list[Change]:
        """Changes written here, by a person, numbered above ``since``, oldest first."""
        found = [c for c in self.repo.changes_since(since) if c.origin is None]
        found.reverse()
        return found

    def status(self) -> Status:
        state = self.state()
        return Status(
            remote=state.remote,
            machine=state.machine,
            unpushed=sum(
                1 for d in self.repo.change_documents_since(state.pushed) if d.get("origin") is None
            ),
            last_sync=state.last_sync,
            conflicts=self.conflicts(state),
        )

    def conflicts(self, state: SyncState | None = None) -> list[SyncConflict]:
        """The conflicts not yet settled, here or anywhere this store has heard of."""
        state = state or self.state()
        settled = set(state.resolved)
        if state.conflicts:
            for doc in self.repo.change_documents_since(state.sent):
                settled.update(doc.get("resolves") or ())
        found = [SyncConflict.from_dict(c) for c in state.conflicts.values()]
        found = [c for c in found if c.id not in settled]
        return sorted(found, key=lambda c: (c.kind, c.record_id, c.field or "", c.id))

    # -- the exchange -----------------------------------------------------------

    def sync(self) -> SyncReport:
        """Send the changes made here, take in everyone else's.

        The steps, each safe to run again after a kill: write this store's new
        changes out as files and commit them; fetch; merge (files are only added,
        each machine its own, so the merge never conflicts); push; only then lay the
        changes taken in onto the store, in one transaction. A remote that cannot be
        reached or refuses the push stops the sync before the store is touched."""
        self.state()  # says how to begin when this store does not sync yet
        self._files = {}
        try:
            with self._locked():
                state = self.state()
                sent = self._send(state)
                self._exchange()
                state.pushed = state.sent
                self._save(state)
                taken = self._take_in(state)
                state.last_sync = self.repo.clock().astimezone(UTC).isoformat(timespec="seconds")
                self._save(state)
                return SyncReport(sent, taken, len(self.conflicts(state)))
        except OSError as exc:  # a full disk, a folder made unwritable
            where = f"{exc.filename}: " if exc.filename else ""
            raise SyncError(f"sync stopped: {where}{exc.strerror or exc}") from exc

    def _exchange(self) -> None:
        """Fetch, merge, push; again if another machine pushed in between (the push is
        never forced: the remote's history is only ever added to)."""
        for attempt in range(PUSH_ATTEMPTS):
            self._git("fetch", "--quiet", REMOTE)
            remote_branch = f"refs/remotes/{REMOTE}/{BRANCH}"
            pushed_before = self._git(
                "rev-parse", "--verify", "--quiet", remote_branch, check=False
            ).returncode
            if pushed_before == 0:
                self._git(
                    "merge", "--quiet", "--no-edit", "--allow-unrelated-histories", remote_branch
                )
            if self._git("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode:
                return  # nothing here, nothing there: nothing to push
            pushed = self._git(
                "push",
                "--quiet",
                REMOTE,
                f"HEAD:refs/heads/{BRANCH}",
                check=attempt + 1 == PUSH_ATTEMPTS,
            )
            if pushed.returncode == 0:
                return

    def _send(self, state: SyncState) -> int:
        """Write this store's changes made since the last sync as files, and commit."""
        own = self._own_changes(state.sent)
        clock = state.clock
        for change in own:
            clock += 1
            shared = Shared(state.machine, change.seq, clock, state.seen_at(change.seq), change)
            path = self.dir / change_file(state.machine, change.seq)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(shared.to_json(), encoding="utf-8")
        if own:
            # The new files by name: git need not look over every file already there.
            names = "".join(change_file(state.machine, c.seq) + "\n" for c in own)
            self._git("add", "--pathspec-from-file=-", given=names)
        if self._git("diff", "--cached", "--quiet", check=False).returncode:
            first, last = own[0].seq if own else 0, own[-1].seq if own else 0
            self._git(
                "commit",
                "--quiet",
                "--no-verify",
                "-m",
                f"changes {first}-{last} of {state.machine}",
            )
        if own:
            state.sent, state.clock = own[-1].seq, clock
            mine = {r for c in own for r in (c.resolves or ())}
            state.resolved = sorted(set(state.resolved) | mine)
            for conflict_id in mine:
                state.conflicts.pop(conflict_id, None)
            self._save(state)
        return len(own)

    def _read(self, change_id: str) -> Shared:
        """A change file, read once a sync (the index, the fold and the take-in ask)."""
        cached = self._files.get(change_id)
        if cached is not None:
            return cached
        self._files[change_id] = found = self._read_file(change_id)
        return found

    def _read_file(self, change_id: str) -> Shared:
        machine, _, seq = change_id.partition(":")
        path = self.dir / change_file(machine, int(seq))
        try:
            return Shared.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SyncError(f"{path}: not a change Parley wrote ({exc})") from None

    def _on_file(self) -> dict[str, list[int]]:
        """Each machine's changes in the repository, by number, oldest first."""
        found: dict[str, list[int]] = {}
        root = self.dir / CHANGES_DIR
        if root.exists():
            for folder in sorted(root.iterdir()):
                numbers = (p.name.removesuffix(".json") for p in folder.iterdir())
                found[folder.name] = sorted(int(n) for n in numbers if n.isdigit())
        return found

    def _index(self, on_file: dict[str, list[int]]) -> dict[str, Any]:
        """Which changes name each record, read from the files once and kept: a sync
        then reads only the new files and those of the records they touch. The files
        never change, so the index is right whenever it was saved."""
        path = self.git_dir / INDEX_FILE
        try:
            index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {"upto": {}, "records": {}}
        upto, records = index["upto"], index["records"]
        grew = False
        for machine, numbers in on_file.items():
            for seq in numbers:
                if seq <= upto.get(machine, 0):
                    continue
                change = self._read(f"{machine}:{seq}").change
                records.setdefault(f"{change.record_kind}/{change.record_id}", []).append(
                    f"{machine}:{seq}"
                )
                upto[machine] = seq
                grew = True
        if grew:
            write_atomic(path, json.dumps(index, separators=(",", ":")))
        return index

    def _take_in(self, state: SyncState) -> int:
        on_file = self._on_file()
        index = self._index(on_file)
        new = [
            self._read(f"{machine}:{seq}")
            for machine, numbers in on_file.items()
            if machine != state.machine
            for seq in numbers
            if seq > state.took.get(machine, 0)
        ]
        records: dict[str, list[str]] = index["records"]

        def changes_of(key: Key) -> list[Shared]:
            return [self._read(i) for i in records.get(f"{key[0]}/{key[1]}", [])]

        settled = set(state.resolved) | {r for s in new for r in (s.change.resolves or ())}
        affected = {(s.change.record_kind, s.change.record_id) for s in new}
        results = {key: replay(key, changes_of(key)) for key in affected}
        self._keep_referred(results, changes_of)
        writes: dict[Key, Record | None] = {}
        for key, result in results.items():
            stored = self.repo.document(*key)
            here = None if stored is None else {k: v for k, v in stored.items() if k != "_rev"}
            if here != result.state:
                cls = model_for(key[0])
                writes[key] = None if result.state is None else cls.model_validate(result.state)
        # Entries already carried by a take-in killed before it could note so.
        carried = {c.origin for c in self.repo.changes_since(self._last_mark(state))}
        entries = [
            # Numbers that name other changes (a transaction's first, what an undo
            # reverted) are the other machine's: they mean nothing in this history.
            s.change.model_copy(
                update={"origin": s.id, "batch": None, "undoes": None, "redoes": None}
            )
            for s in sorted(new, key=lambda s: s.order)
            if s.id not in carried
        ]
        touched = {(e.record_kind, e.record_id) for e in entries}
        for key in writes:
            if key not in touched:
                entries.append(self._merge_entry(key, writes[key]))
        if writes or entries:
            try:
                self.repo.take_in(writes, entries)
            except StoreError as exc:
                raise SyncError(f"the changes taken in cannot be laid on the store: {exc}") from exc
        for shared in new:
            state.took[shared.machine] = max(state.took.get(shared.machine, 0), shared.seq)
            state.clock = max(state.clock, shared.clock)
        for key, result in results.items():
            for c in list(state.conflicts.values()):
                if (c["kind"], c["record_id"]) == key:
                    del state.conflicts[c["id"]]
            for conflict in result.conflicts:
                if conflict.id not in settled:
                    state.conflicts[conflict.id] = conflict.to_dict()
        state.resolved = sorted(set(state.resolved) | settled)
        for conflict_id in settled:
            state.conflicts.pop(conflict_id, None)
        if new:
            newest = next(self.repo.change_documents_since(0), {})
            state.marks.append((int(newest.get("seq", 0)), dict(state.took)))
        return len(entries)

    @staticmethod
    def _last_mark(state: SyncState) -> int:
        return state.marks[-1][0] if state.marks else 0

    def _merge_entry(self, key: Key, record: Record | None) -> Change:
        stored = self.repo.document(*key)
        before = None if stored is None else {k: v for k, v in stored.items() if k != "_rev"}
        after = None if record is None else record.model_dump(mode="json")
        action = "delete" if after is None else "add" if before is None else "update"
        return Change(
            seq=0,
            at=self.repo.clock(),
            action=action,
            record_kind=key[0],
            record_id=key[1],
            before=before,
            after=after,
            summary=f"sync laid every machine's changes to {key[0]} {key[1]} together",
            author=self.repo.author,
            origin=MERGED,
        )

    def _keep_referred(
        self, results: dict[Key, Replayed], changes_of: Callable[[Key], list[Shared]]
    ) -> None:
        """A record deleted on one machine while another came to refer to it is kept,
        as it last stood: the reference stands on every machine."""
        changed = True
        while changed:
            changed = False
            for key, result in list(results.items()):
                if result.state is None:
                    continue
                for _, ref_kind, ref_id in RECORD_TYPES[key[0]].refs_of(result.state):
                    target = (ref_kind, ref_id)
                    if target not in results:
                        if self.repo.exists(*target):
                            continue
                        history = changes_of(target)
                        if not history:
                            continue
                        results[target] = replay(target, history)
                    held = results[target]
                    if held.state is None and held.last_live is not None:
                        held.state = held.last_live
                        changed = True
            for key, result in list(results.items()):
                if result.state is not None or result.last_live is None:
                    continue
                if not self.repo.exists(*key):
                    continue
                users = [
                    r
                    for r in self.repo.referrers(*key)
                    if (r.kind, r.id) not in results or results[(r.kind, r.id)].state is not None
                ]
                if users:
                    result.state = result.last_live
                    changed = True


def when(text: str | None) -> str:
    """A last-sync time for a person: "never", or the UTC minute."""
    if not text:
        return "never"
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")
