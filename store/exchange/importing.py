"""Importing an export into a store.

The CSV export is a folder with one file per kind (``actor.csv`` ...
``assessment.csv`` and ``change.csv`` for the history). Columns are the
model's fields; list and nested fields are JSON in their cell, an empty cell
is "none" for optional fields and the empty text for text fields. A text cell a
spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with a leading ``'``, and so is one that
starts with ``'`` itself; the import drops that one ``'`` again, so the round trip
is exact.

Importing validates everything before writing anything: every record against
its model, ids unique per kind, every reference resolving to a record in the
file or already in the store, and the history's own consistency. Each problem
is reported as file, record, field and reason; any problem means nothing is
written. The records are then written with ``Repository.put_many``, in one
transaction.

The change history is restored only into an empty store, and only when
replaying it yields exactly the records in the file: merging another store's
history into a store with its own would make "undo" revert changes this
store never saw, and a history that disagrees with its records would do the
same. In every other case the import is recorded like any other write, as
new changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DiskError, StoreError
from ..models import Change
from ..record import Record, track_of
from ..records.commands import Commands
from ..records.references import dangling, move_blocker
from ..records.repository import Repository
from .bundle import Bundle, ImportReport, Problem, Progress
from .read import read_export, read_json_export


def _check_references(repo: Repository, bundle: Bundle) -> list[Problem]:
    """Dangling and cross-track references, as the repository would refuse them."""
    incoming: dict[tuple[str, str], Record] = {(r.kind, r.id): r for r in bundle.records}

    def lookup(kind: str, ref: str) -> Record | None:
        # The import's own version of a record first, else the store's.
        found = incoming.get((kind, ref))
        if found is None and repo.exists(kind, ref):
            found = repo.get(kind, ref)
        return found

    problems = []
    for record in bundle.records:
        file, label = bundle.origin[(record.kind, record.id)]
        for problem in dangling(record, lookup):
            reason = problem.reason(missing="is neither in the import nor the store")
            problems.append(Problem(file, label, problem.field, reason))
        problems += _move_problems(repo, record, incoming, file, label)
    return problems


def _move_problems(
    repo: Repository,
    record: Record,
    incoming: dict[tuple[str, str], Record],
    file: str,
    label: str,
) -> list[Problem]:
    """A record moved to another track while records of other tracks still refer to it."""
    old = repo.get(record.kind, record.id) if repo.exists(record.kind, record.id) else None
    after = move_blocker(
        record,
        old,
        lambda: (incoming.get((r.kind, r.id), r) for r in repo.referrers(record.kind, record.id)),
    )
    if after is None:
        return []
    reason = (
        f"moves it to track {track_of(record)!r}, but {after.kind} {after.id!r} "
        f"of track {track_of(after)!r} refers to it"
    )
    return [Problem(file, label, "track_id", reason)]


def _replay(changes: list[Change]) -> dict[tuple[str, str], dict[str, Any]]:
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for change in sorted(changes, key=lambda c: c.seq):
        key = (change.record_kind, change.record_id)
        if change.after is None:
            state.pop(key, None)
        else:
            state[key] = change.after
    return state


def _history_problems(bundle: Bundle) -> list[Problem]:
    seqs = {c.seq for c in bundle.changes}
    found = []
    for change in bundle.changes:
        # What an undo undoes and a redo redoes comes before it; a transaction starts
        # at or before each of its changes.
        for name, verb, may_be_itself in (
            ("undoes", "undoes", False),
            ("redoes", "redoes", False),
            ("batch", "belongs to a transaction starting at", True),
        ):
            seq = getattr(change, name)
            if seq is None:
                continue
            later = seq > change.seq if may_be_itself else seq >= change.seq
            if seq not in seqs or later:
                reason = f"{verb} change {seq}, which is not an earlier change in the history"
                found.append(Problem(bundle.history_file, f"change seq {change.seq}", name, reason))
    return found


def _history_mismatch(bundle: Bundle) -> str:
    """Why replaying the history does not give the records, or "" when it does."""
    state = _replay(bundle.changes)
    records: dict[tuple[str, str], dict[str, Any]] = {
        (r.kind, r.id): r.model_dump(mode="json") for r in bundle.records
    }
    for key in sorted(set(state) | set(records)):
        if state.get(key) != records.get(key):
            return f"first difference at {key[0]} {key[1]!r}"
    return ""


def _store_is_empty(repo: Repository) -> bool:
    return repo.count() == 0 and not repo.history(limit=1)


def _plan(repo: Repository, bundle: Bundle, report: ImportReport) -> None:
    for record in bundle.records:
        if not repo.exists(record.kind, record.id):
            report.added.append(record)
            continue
        before = repo.get(record.kind, record.id).model_dump(mode="json")
        after = record.model_dump(mode="json")
        fields = [name for name in after if before.get(name) != after[name]]
        if fields:
            report.changed.append((record, fields))
        else:
            report.unchanged += 1
    if not bundle.changes:
        return
    if not _store_is_empty(repo):
        report.history_note = (
            f"its {len(bundle.changes)} history entries are not merged into a store "
            "with a history of its own"
        )
        return
    mismatch = _history_mismatch(bundle)
    if mismatch:
        report.history_note = (
            "its history does not match its records "
            f"({mismatch}), so the import is recorded as new changes instead"
        )
        return
    report.history_restored = len(bundle.changes)


def import_bundle(
    repo: Repository, bundle: Bundle, problems: list[Problem], dry_run: bool = False
) -> ImportReport:
    """Check a read bundle against the store and write it, all or nothing."""
    report = ImportReport(problems=list(problems), dry_run=dry_run)
    if report.problems:
        return report
    storage = repo.storage
    with storage.locked(shared=dry_run):
        repo.refresh()
        report.problems += _check_references(repo, bundle)
        report.problems += _history_problems(bundle)
        if report.problems:
            return report
        _plan(repo, bundle, report)
        if dry_run:
            return report
        to_write = report.added + [r for r, _ in report.changed]
        try:
            commands = Commands(repo)
            if report.history_restored:
                # Records and the history that led to them, in one transaction.
                commands.restore(to_write, bundle.changes)
                made = bundle.changes
            else:
                made = list(commands.put(to_write).changes)
        except DiskError:
            # Not a problem of the file imported: said as any other write's would be.
            raise
        except StoreError as exc:
            report.problems.append(Problem(bundle.name or "import", "", "", str(exc)))
            report.added, report.changed, report.unchanged = [], [], 0
            report.history_restored = 0
            return report
        except OSError as exc:
            raise StoreError(f"{repo.path}: cannot write: {exc.strerror or exc}") from None
        report.written = bool(made)
    return report


def import_path(
    repo: Repository,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    manifest: bool = True,
) -> ImportReport:
    """Import a JSON export file or a CSV export folder; see :class:`ImportReport`.
    ``manifest=False`` takes a CSV folder edited by hand without its manifest's check."""
    bundle, problems = read_export(path, progress, manifest)
    return import_bundle(repo, bundle, problems, dry_run)


def import_json(
    repo: Repository, data: bytes | str, name: str = "import.json", dry_run: bool = False
) -> ImportReport:
    bundle, problems = read_json_export(data, name)
    return import_bundle(repo, bundle, problems, dry_run)
