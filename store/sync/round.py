"""One sync under way: git's part (send, fetch, merge, push, read what came in), which
may run on any thread, then the store's (lay what came in on it, in one transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import IO, Any

from store.errors import StoreError
from store.files.atomic import write_atomic
from store.files.disk import collector_paused
from store.models import MERGED, RECORD_TYPES, Change, model_for
from store.sync.git import Added, Blobs, SyncFolder, change_id_of, first_line, plain, split_id
from store.sync.merge import CHANGES_DIR, Key, Replayed, Shared, change_file, replay
from store.sync.state import (
    EMPTY_TREE,
    HEAD_REF,
    INDEX_FILE,
    PUSH_ATTEMPTS,
    REMOTE,
    REMOTE_REF,
    SyncError,
    SyncReport,
    SyncState,
    stopped,
)


class SyncRound:
    """One sync under way (see ``SyncRepo.sync``); ``close`` ends it whatever happened."""

    def __init__(
        self, desk: SyncFolder, state: SyncState, own: list[Mapping[str, Any]], lock: IO[str]
    ) -> None:
        self.desk = desk
        self.state = state
        self.own = own
        self._lock: IO[str] | None = lock
        self._blobs: Blobs | None = None
        self._files: dict[str, Shared] = {}  # change files read, by change id
        self._index: dict[str, Any] = {"upto": {}, "records": {}}
        self._new: list[Shared] = []  # other machines' changes not yet taken in
        self._head: str | None = None
        self._sent = 0
        self._committer = plain(desk.repo.author or "parley")
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
            raise stopped(exc) from exc
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
            theirs = self._diff(head, origin) if origin not in (None, head) else Added()
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

    def _diff(self, old: str | None, new: str | None) -> Added:
        """The change files ``new`` has that ``old`` has not (None: no commit)."""
        if new is None:
            return Added()
        done = self.desk._git(
            "diff-tree", "-r", "--no-renames", old or EMPTY_TREE, new, "--", CHANGES_DIR
        )
        found = Added()
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
            raise SyncError(f"git fast-import: no commit made ({first_line(done.stderr)})")
        return made

    def _read_added(self, added: dict[str, str]) -> None:
        """Read the files added since the last sync, once, into the index, and the
        files of every record they change, for the take-in."""
        state = self.state
        upto: dict[str, int] = self._index["upto"]
        records: dict[str, list[str]] = self._index["records"]
        wanted: dict[str, str] = {}
        for path, blob in added.items():
            change_id = change_id_of(path)
            if change_id is None or change_id in self._files:
                continue
            machine, seq = split_id(change_id)
            if seq > upto.get(machine, 0) or (
                machine != state.machine and seq > state.took.get(machine, 0)
            ):
                wanted[change_id] = blob
        ids = sorted(wanted, key=split_id)
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
        names = [f"{self._head}:{change_file(*split_id(i))}" for i in ids]
        for change_id, data in zip(ids, self._blobs_of(names), strict=True):
            self._files[change_id] = self._parse(change_id, data)

    def _blobs_of(self, names: list[str]) -> list[bytes]:
        if not names:
            return []
        self._blobs, found = self.desk._read_blobs(self._blobs, names)
        return found

    def _parse(self, change_id: str, data: bytes) -> Shared:
        machine, seq = split_id(change_id)
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
            raise stopped(exc) from exc
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
