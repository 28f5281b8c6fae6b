"""The exchange of one store's changes with the desk's git remote: the files sent, the
fetch, merge and push, the changes laid on the store, and the state kept between syncs.

The repository beside the store has no checkout: the change files live in git's
objects only. This machine's new files go in with one ``git fast-import`` (a commit
whose tree adds them on top of the branch), another machine's are read with one
``git cat-file --batch`` over the blob ids a ``git diff-tree`` names. Writing thousands
of small files, having git hash them back in and merging a checkout cost several times
the Python work around them."""

from __future__ import annotations

import contextlib
import uuid

from store.files.disk import collector_paused
from store.sync.git import SyncFolder
from store.sync.round import SyncRound
from store.sync.state import BRANCH, REMOTE, Status, SyncError, SyncReport, SyncState, stopped


class SyncRepo(SyncFolder):
    """The exchange of one store's changes with the desk's git remote."""

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
            raise stopped(exc) from exc
        try:
            state = self.state()
            return SyncRound(self, state, self._own_changes(state.sent), lock)
        except BaseException:
            lock.close()
            raise
