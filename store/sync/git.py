"""Git as sync runs it: the program the user has, one ``git cat-file --batch`` for the
objects a sync reads, and ``SyncFolder``, the git repository beside the store."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from store.files.atomic import write_atomic
from store.records.repository import Repository
from store.sync.merge import CHANGES_DIR, SyncConflict
from store.sync.state import LOCK_FILE, STATE_FILE, SyncError, SyncState, sync_dir


def _git_program() -> str:
    found = shutil.which("git")
    if found is None:
        raise SyncError("sync needs git, and no git program was found on the PATH")
    return found


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if line.lower().startswith(("fatal", "error"))]
    return (useful or lines or ["no reason given"])[0]


def plain(text: str) -> str:
    """A name as git's committer line can hold it."""
    return " ".join(text.replace("<", "").replace(">", "").split()) or "parley"


class Blobs:
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
class Added:
    """Change files a commit gained: their blob ids by path."""

    files: dict[str, str] = field(default_factory=dict)
    # Files the other side of the diff has that this one lacks (a desk's history that
    # does not hold this one's: it cannot simply be built on).
    lacks: bool = False


def change_id_of(path: str) -> str | None:
    """``machine:seq`` of a change file's path; None for any other file."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != CHANGES_DIR or not parts[2].endswith(".json"):
        return None
    number = parts[2].removesuffix(".json")
    return f"{parts[1]}:{int(number)}" if number.isdigit() else None


def split_id(change_id: str) -> tuple[str, int]:
    machine, _, seq = change_id.partition(":")
    return machine, int(seq)


class SyncFolder:
    """The git repository a store syncs through, its state, and the lock one sync holds."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.dir = sync_dir(repo.path)
        self.git_dir = self.dir / ".git"
        self.state_path = self.git_dir / STATE_FILE

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
            raise SyncError(f"git {args[0]}: {first_line(done.stderr or done.stdout)}")
        return done

    def _read_blobs(self, blobs: Blobs | None, names: list[str]) -> tuple[Blobs, list[bytes]]:
        """The objects ``names`` (blob ids, or ``commit:path``) from ``blobs``, the sync's
        one ``git cat-file``, started if need be; one git lacks is a broken repository."""
        blobs = blobs or Blobs(self.dir, self._env())
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

    def _own_changes(self, since: int) -> list[Mapping[str, Any]]:
        """Changes written here, by a person, numbered above ``since``, oldest first,
        as the store holds them."""
        found = [d for d in self.repo.change_documents_since(since) if d.get("origin") is None]
        found.reverse()
        return found

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

    @staticmethod
    def _last_mark(state: SyncState) -> int:
        return state.marks[-1][0] if state.marks else 0
