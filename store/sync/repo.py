"""The exchange of one store's changes with the desk's git remote: the files sent, the
fetch, merge and push, the changes laid on the store, and the state kept between syncs.

The repository beside the store has no checkout: the change files live in git's
objects only. This machine's new files go in with one ``git fast-import`` (a commit
whose tree adds them on top of the branch), another machine's are read with one
``git cat-file --batch`` over the blob ids a ``git diff-tree`` names. Writing thousands
of small files, having git hash them back in and merging a checkout cost several times
the Python work around them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from store.errors import StoreError
from store.files.atomic import write_atomic
from store.files.disk import collector_paused
from store.models import MERGED, RECORD_TYPES, Change, model_for
from store.records.repository import Repository
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


def _plain(text: str) -> str:
    """A name as git's committer line can hold it."""
    return " ".join(text.replace("<", "").replace(">", "").split()) or "parley"


class _Blobs:
    """One ``git cat-file --batch`` for a sync: objects asked for by name, read back."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [_git_program(), "cat-file", "--batch"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, names: list[str]) -> list[bytes | None]:
        """Each object's bytes, None for one git does not have."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        asked = "".join(name + "\n" for name in names).encode()
        # Asked for from a thread of its own: git answers as it reads, and a pipe
        # written full on both sides would stop both.
        writer = threading.Thread(target=self._ask, args=(stdin, asked), daemon=True)
        writer.start()
        found: list[bytes | None] = []
        try:
            for _ in names:
                header = stdout.readline().split()
                if len(header) == 3:
                    found.append(stdout.read(int(header[2]) + 1)[:-1])
                elif header:
                    found.append(None)  # "<name> missing"
                else:
                    raise SyncError("git cat-file: stopped before answering")
        finally:
            writer.join()
        return found

    @staticmethod
    def _ask(stdin: IO[bytes], asked: bytes) -> None:
        with contextlib.suppress(OSError):
            stdin.write(asked)
            stdin.flush()

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class _Added:
    """Change files a commit gained: their blob ids by path."""

    files: dict[str, str] = field(default_factory=dict)
    # Files the other side of the diff has that this one lacks (a desk's history that
    # does not hold this one's: it cannot simply be built on).
    lacks: bool = False


def _change_id(path: str) -> str | None:
    """``machine:seq`` of a change file's path; None for any other file."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != CHANGES_DIR or not parts[2].endswith(".json"):
        return None
    number = parts[2].removesuffix(".json")
    return f"{parts[1]}:{int(number)}" if number.isdigit() else None


def _split_id(change_id: str) -> tuple[str, int]:
    machine, _, seq = change_id.partition(":")
    return machine, int(seq)


class SyncRepo:
    """The exchange of one store's changes with the desk's git remote."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.dir = sync_dir(repo.path)
        self.git_dir = self.dir / ".git"
        self.state_path = self.git_dir / STATE_FILE

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

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if not os.isatty(0):
            env["GIT_TERMINAL_PROMPT"] = "0"  # nobody there to answer a password prompt
        return env

    def _git(
        self, *args: str, check: bool = True, given: str | bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        binary = isinstance(given, bytes)
        done = subprocess.run(
            [_git_program(), *args],
            cwd=self.dir,
            env=self._env(),
            input=given,
            capture_output=True,
            text=not binary,
            check=False,
        )
        if binary:
            out, err = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
            done = subprocess.CompletedProcess(done.args, done.returncode, out, err)
        if check and done.returncode != 0:
            raise SyncError(f"git {args[0]}: {_first_line(done.stderr or done.stdout)}")
        return done

    def _read_blobs(self, blobs: _Blobs | None, names: list[str]) -> tuple[_Blobs, list[bytes]]:
        """The objects ``names`` (blob ids, or ``commit:path``) from ``blobs``, the sync's
        one ``git cat-file``, started if need be; one git lacks is a broken repository."""
        blobs = blobs or _Blobs(self.dir, self._env())
        found = blobs.read(names) if names else []
        for name, data in zip(names, found, strict=True):
            if data is None:
                raise SyncError(f"git cat-file: {name} is missing from {self.dir}")
        return blobs, [d for d in found if d is not None]

    def _lock(self) -> IO[str]:
        """One sync at a time; what a sync killed half-way left of git's is cleared."""
        lock = open(self.git_dir / LOCK_FILE, "a+")  # noqa: SIM115  (held across threads)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise SyncError("another parley sync of this store is under way") from None
        try:
            for stale in self.git_dir.rglob("*.lock"):
                if stale.name != LOCK_FILE:
                    stale.unlink(missing_ok=True)
            if (self.git_dir / "MERGE_HEAD").exists():
                # Left by a sync of an earlier Parley, which merged in a checkout.
                self._git("merge", "--abort", check=False)
        except BaseException:
            lock.close()
            raise
        return lock

    # -- what is where ----------------------------------------------------------

    def _own_changes(self, since: int) -> list[Mapping[str, Any]]:
        """Changes written here, by a person, numbered above ``since``, oldest first,
        as the store holds them."""
        found = [d for d in self.repo.change_documents_since(since) if d.get("origin") is None]
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

        The steps, each safe to run again after a kill: fetch; one commit that adds
        this store's new changes as files on top of the branch (on top of the desk's
        when it has moved on, or a merge with it; files are only added, each machine
        its own, so the merge never conflicts); push; read the files added since the
        last sync; only then lay the changes taken in onto the store, in one
        transaction. A remote that cannot be reached or refuses the push stops the
        sync before the store is touched."""
        # The collector held off, as when a store is read: a take-in builds thousands of
        # containers, and each full collection would walk every record of the store.
        with collector_paused(), self.begin() as round_:
            round_.exchange()
            return round_.finish()

    def begin(self) -> SyncRound:
        """A sync, begun: the lock taken and this store's new changes read. Its
        ``exchange`` runs git and may run on any thread; ``begin`` and ``finish``,
        which read and write the store, on the thread that has the store."""
        self.state()  # says how to begin when this store does not sync yet
        try:
            lock = self._lock()
        except OSError as exc:
            raise _stopped(exc) from exc
        try:
            state = self.state()
            return SyncRound(self, state, self._own_changes(state.sent), lock)
        except BaseException:
            lock.close()
            raise

    @staticmethod
    def _last_mark(state: SyncState) -> int:
        return state.marks[-1][0] if state.marks else 0


def _stopped(exc: OSError) -> SyncError:
    """A full disk, a folder made unwritable: in one line."""
    where = f"{exc.filename}: " if exc.filename else ""
    return SyncError(f"sync stopped: {where}{exc.strerror or exc}")


class SyncRound:
    """One sync under way (see ``SyncRepo.sync``); ``close`` ends it whatever happened."""

    def __init__(
        self, desk: SyncRepo, state: SyncState, own: list[Mapping[str, Any]], lock: IO[str]
    ) -> None:
        self.desk = desk
        self.state = state
        self.own = own
        self._lock: IO[str] | None = lock
        self._blobs: _Blobs | None = None
        self._files: dict[str, Shared] = {}  # change files read, by change id
        self._index: dict[str, Any] = {"upto": {}, "records": {}}
        self._new: list[Shared] = []  # other machines' changes not yet taken in
        self._head: str | None = None
        self._sent = 0
        self._committer = _plain(desk.repo.author or "parley")
        self._exchanged = False

    def __enter__(self) -> SyncRound:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()
            self._blobs = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # -- git's part: any thread ---------------------------------------------------

    def exchange(self) -> None:
        """Send, fetch, merge, push, and read what came in; the store is not touched."""
        try:
            self._exchange()
        except OSError as exc:
            raise _stopped(exc) from exc
        self._exchanged = True

    def _exchange(self) -> None:
        desk, state = self.desk, self.state
        index_path = desk.git_dir / INDEX_FILE
        try:
            self._index = json.loads(index_path.read_text(encoding="utf-8"))
            base = state.head
        except (OSError, ValueError):
            # No index (or one unreadable): every file is read again to make it.
            self._index = {"upto": {}, "records": {}}
            base = None
        own = self._shared_own()
        self._files.update((s.id, s) for s in own)
        added: dict[str, str] = {}
        pending = own
        head: str | None = None
        for attempt in range(PUSH_ATTEMPTS):
            desk._git("fetch", "--quiet", REMOTE)
            head, origin = self._refs()
            if attempt == 0 and head is not None and head != base:
                # A sync stopped part-way (or the first since the index was lost): the
                # files it committed count as new, its own among them.
                added.update(self._diff(base, head).files)
                pending = [s for s in own if change_file(s.machine, s.seq) not in added]
                if own and not pending:
                    self._sent_out(own)
            theirs = self._diff(head, origin) if origin not in (None, head) else _Added()
            merge: str | None = None
            parent = head
            if origin is not None and origin != head:
                if head is None or (head == base and not theirs.lacks):
                    # The desk's branch went on from this one: build on it.
                    parent = origin
                elif theirs.files or not self._has(head, origin):
                    merge = origin
            if pending or merge is not None:
                head = self._commit(parent, merge, theirs.files if merge else {}, pending)
                self._sent_out(own)
                pending = []
            elif parent != head and parent is not None:
                desk._git("update-ref", HEAD_REF, parent, *([head] if head else []))
                head = parent
            added.update(theirs.files)
            if head is None or head == origin:
                break  # nothing to push
            pushed = desk._git(
                "push",
                "--quiet",
                REMOTE,
                f"HEAD:{HEAD_REF}",
                check=attempt + 1 == PUSH_ATTEMPTS,
            )
            if pushed.returncode == 0:
                break
        if state.pushed != state.sent:
            state.pushed = state.sent
            desk._save(state)
        self._head = head
        self._read_added(added)

    def _shared_own(self) -> list[Shared]:
        """This store's new changes as the desk will know them."""
        state = self.state
        clock = state.clock
        found = []
        for doc in self.own:
            clock += 1
            seq = int(doc["seq"])
            found.append(Shared(state.machine, seq, clock, state.seen_at(seq), doc))
        return found

    def _sent_out(self, sent: list[Shared]) -> None:
        """Note the files committed, saved with what the push did. (A sync stopped
        before then finds them on this branch, among the files since the last sync,
        and does not write them again.)"""
        state = self.state
        if not sent:
            return
        state.sent, state.clock = sent[-1].seq, sent[-1].clock
        mine = {str(r) for s in sent for r in (s.data.get("resolves") or ())}
        state.resolved = sorted(set(state.resolved) | mine)
        for conflict_id in mine:
            state.conflicts.pop(conflict_id, None)
        self._sent = len(sent)

    def _refs(self) -> tuple[str | None, str | None]:
        """This branch's commit and the desk's, as last fetched (None: none yet)."""
        done = self.desk._git(
            "for-each-ref", "--format=%(objectname) %(refname)", HEAD_REF, REMOTE_REF
        )
        found: dict[str, str] = {}
        for line in done.stdout.splitlines():
            commit, _, name = line.partition(" ")
            found[name] = commit
        return found.get(HEAD_REF), found.get(REMOTE_REF)

    def _diff(self, old: str | None, new: str | None) -> _Added:
        """The change files ``new`` has that ``old`` has not (None: no commit)."""
        if new is None:
            return _Added()
        done = self.desk._git(
            "diff-tree", "-r", "--no-renames", old or EMPTY_TREE, new, "--", CHANGES_DIR
        )
        found = _Added()
        for line in done.stdout.splitlines():
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) != 5:
                continue
            if fields[4] == "D":
                found.lacks = True
            else:
                found.files[path] = fields[3]
        return found

    def _has(self, head: str, other: str) -> bool:
        """Does ``head``'s history hold ``other``? (Asked only after a sync stopped
        part-way: otherwise which holds which is known.)"""
        done = self.desk._git("merge-base", "--is-ancestor", other, head, check=False)
        return done.returncode == 0

    def _commit(
        self, parent: str | None, merge: str | None, theirs: dict[str, str], own: list[Shared]
    ) -> str:
        """One commit on this branch, by one ``git fast-import``: ``parent``'s files,
        ``theirs`` (blob ids by path) and this store's new changes written in."""
        state = self.state
        if own:
            message = f"changes {own[0].seq}-{own[-1].seq} of {state.machine}"
        else:
            message = "the desk's changes merged"
        words = message.encode()
        out = [
            b"feature done\n",
            f"commit {HEAD_REF}\nmark :1\n".encode(),
            f"committer {self._committer} <{state.machine}@parley.invalid> now\n".encode(),
            b"data %d\n%s\n" % (len(words), words),
        ]
        if parent is not None:
            out.append(f"from {parent}\n".encode())
        if merge is not None:
            out.append(f"merge {merge}\n".encode())
        out += [f"M 100644 {blob} {path}\n".encode() for path, blob in sorted(theirs.items())]
        for shared in own:
            data = shared.to_json().encode()
            path = change_file(shared.machine, shared.seq)
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        # A stream cut short (the sync killed while writing it) is refused whole.
        out.append(b"\nget-mark :1\ndone\n")
        done = self.desk._git(
            "fast-import", "--quiet", "--force", "--date-format=now", given=b"".join(out)
        )
        made = done.stdout.strip()
        if len(made) != 40:
            raise SyncError(f"git fast-import: no commit made ({_first_line(done.stderr)})")
        return made

    def _read_added(self, added: dict[str, str]) -> None:
        """Read the files added since the last sync, once, into the index, and the
        files of every record they change, for the take-in."""
        state = self.state
        upto: dict[str, int] = self._index["upto"]
        records: dict[str, list[str]] = self._index["records"]
        wanted: dict[str, str] = {}
        for path, blob in added.items():
            change_id = _change_id(path)
            if change_id is None or change_id in self._files:
                continue
            machine, seq = _split_id(change_id)
            if seq > upto.get(machine, 0) or (
                machine != state.machine and seq > state.took.get(machine, 0)
            ):
                wanted[change_id] = blob
        ids = sorted(wanted, key=_split_id)
        for change_id, data in zip(ids, self._blobs_of([wanted[i] for i in ids]), strict=True):
            self._files[change_id] = self._parse(change_id, data)
        fresh = sorted(
            (s for s in self._files.values() if s.seq > upto.get(s.machine, 0)),
            key=lambda s: (s.machine, s.seq),
        )
        for shared in fresh:
            records.setdefault("/".join(shared.key), []).append(shared.id)
            upto[shared.machine] = shared.seq
        if fresh:
            index_path = self.desk.git_dir / INDEX_FILE
            write_atomic(index_path, json.dumps(self._index, separators=(",", ":")))
        self._new = sorted(
            (
                s
                for s in self._files.values()
                if s.machine != state.machine and s.seq > state.took.get(s.machine, 0)
            ),
            key=lambda s: s.order,
        )
        # The earlier files of each record changed: the take-in replays them all.
        affected = {"/".join(s.key) for s in self._new}
        earlier = sorted(
            {i for key in affected for i in records.get(key, []) if i not in self._files}
        )
        self._read_ids(earlier)

    def _read_ids(self, ids: list[str]) -> None:
        if not ids or self._head is None:
            return
        names = [f"{self._head}:{change_file(*_split_id(i))}" for i in ids]
        for change_id, data in zip(ids, self._blobs_of(names), strict=True):
            self._files[change_id] = self._parse(change_id, data)

    def _blobs_of(self, names: list[str]) -> list[bytes]:
        if not names:
            return []
        self._blobs, found = self.desk._read_blobs(self._blobs, names)
        return found

    def _parse(self, change_id: str, data: bytes) -> Shared:
        machine, seq = _split_id(change_id)
        where = change_file(machine, seq)
        try:
            shared = Shared.from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncError(f"{where}: not a change Parley wrote ({exc})") from None
        if shared.id != change_id:
            raise SyncError(f"{where}: holds change {shared.id}, not {change_id}")
        return shared

    def _read(self, change_id: str) -> Shared:
        """A change file, read once a sync."""
        if change_id not in self._files:
            self._read_ids([change_id])
        return self._files[change_id]

    # -- the store's part: on the thread that has the store ------------------------

    def finish(self) -> SyncReport:
        """Lay the changes taken in onto the store, in one transaction, caught up with
        every write made meanwhile (those are sent by the next sync)."""
        if not self._exchanged:
            raise SyncError("a sync cannot take in before it has fetched")
        try:
            with collector_paused():
                taken = self._take_in()
        except OSError as exc:
            raise _stopped(exc) from exc
        state = self.state
        return SyncReport(self._sent, taken, len(self.desk.conflicts(state)))

    def _take_in(self) -> int:
        desk, state, repo = self.desk, self.state, self.desk.repo
        records: dict[str, list[str]] = self._index["records"]
        new = self._new
        with repo.latest():
            # Changes made here since this sync read them: not files yet, but every
            # machine will replay them, with the clock they will be sent with.
            clock = max([state.clock, *(s.clock for s in new)])
            unsent: dict[Key, list[Shared]] = {}
            for doc in desk._own_changes(state.sent):
                clock += 1
                seq = int(doc["seq"])
                shared = Shared(state.machine, seq, clock, state.seen_at(seq), doc)
                unsent.setdefault(shared.key, []).append(shared)

            def changes_of(key: Key) -> list[Shared]:
                found = [self._read(i) for i in records.get(f"{key[0]}/{key[1]}", [])]
                return found + unsent.get(key, [])

            settled = set(state.resolved) | {r for s in new for r in (s.change.resolves or ())}
            affected = {(s.change.record_kind, s.change.record_id) for s in new}
            results = {key: replay(key, changes_of(key)) for key in affected}
            self._keep_referred(results, changes_of)
            writes: dict[Key, dict[str, Any] | None] = {}
            for key, result in results.items():
                stored = repo.document(*key)
                here = None if stored is None else {k: v for k, v in stored.items() if k != "_rev"}
                if here != result.state:
                    writes[key] = result.state
            # Entries already carried by a take-in killed before it could note so.
            carried = {d.get("origin") for d in repo.change_documents_since(desk._last_mark(state))}
            entries = [
                # Numbers that name other changes (a transaction's first, what an undo
                # reverted) are the other machine's: they mean nothing in this history.
                s.change.model_copy(
                    update={"origin": s.id, "batch": None, "undoes": None, "redoes": None}
                )
                for s in new
                if s.id not in carried
            ]
            touched = {(e.record_kind, e.record_id) for e in entries}
            for key in writes:
                if key not in touched:
                    entries.append(self._merge_entry(key, writes[key]))
            if writes or entries:
                try:
                    repo.take_in(writes, entries)
                except StoreError as exc:
                    raise SyncError(
                        f"the changes taken in cannot be laid on the store: {exc}"
                    ) from exc
            newest = int(next(repo.change_documents_since(0), {}).get("seq", 0))
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
            state.marks.append((newest, dict(state.took)))
        state.head = self._head
        state.last_sync = repo.clock().astimezone(UTC).isoformat(timespec="seconds")
        desk._save(state)
        return len(entries)

    def _merge_entry(self, key: Key, after: dict[str, Any] | None) -> Change:
        repo = self.desk.repo
        stored = repo.document(*key)
        before = None if stored is None else {k: v for k, v in stored.items() if k != "_rev"}
        if after is not None:
            # As the store will hold it.
            after = model_for(key[0]).model_validate(after).model_dump(mode="json")
        action = "delete" if after is None else "add" if before is None else "update"
        return Change(
            seq=0,
            at=repo.clock(),
            action=action,
            record_kind=key[0],
            record_id=key[1],
            before=before,
            after=after,
            summary=f"sync laid every machine's changes to {key[0]} {key[1]} together",
            author=repo.author,
            origin=MERGED,
        )

    def _keep_referred(
        self, results: dict[Key, Replayed], changes_of: Callable[[Key], list[Shared]]
    ) -> None:
        """A record deleted on one machine while another came to refer to it is kept,
        as it last stood: the reference stands on every machine."""
        repo = self.desk.repo
        changed = True
        while changed:
            changed = False
            for key, result in list(results.items()):
                if result.state is None:
                    continue
                for _, ref_kind, ref_id in RECORD_TYPES[key[0]].refs_of(result.state):
                    target = (ref_kind, ref_id)
                    if target not in results:
                        if repo.exists(*target):
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
                if not repo.exists(*key):
                    continue
                users = [
                    r
                    for r in repo.referrers(*key)
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
