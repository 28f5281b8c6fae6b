"""A CSV export is whole or refused: written apart, moved in complete, and checked
against its manifest before an import reads a row.

An export cut short (a full disk, a killed process) must not leave a folder that an
import takes for a whole one: a folder missing ``event.csv`` would import without
the events, and one where a failed export left new files beside older ones would
mix two stores. So the files are written, and flushed to disk, in a new hidden folder
beside the target, with ``manifest.json`` last: each file's name, its rows and the
SHA-256 of its bytes. Only then does the folder take the target's name (an older
export there is moved aside first, and removed once the new one is in place).

An import of a folder checks the manifest first: a file it lists that is missing,
cut short or changed since (from another export), or a file it does not list, is
refused in one line naming the file, before any file is parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..files import access
from ..files.atomic import fsync_dir, write_all

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "parley-export-manifest"


class BrokenExport(StoreError):
    """An export folder that is not whole: a file missing, extra, changed or cut short."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: Mapping[str, bytes], rows: Mapping[str, int]) -> bytes:
    """The manifest of an export's files (name -> bytes), with each file's rows."""
    listed = {
        name: {"rows": rows[name], "bytes": len(data), "sha256": sha256(data)}
        for name, data in sorted(files.items())
    }
    document = {"format": MANIFEST_FORMAT, "files": listed}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def folder_mode() -> int:
    """An export folder is its owner's (0700), or the group's too when shared (0770)."""
    return 0o770 if access.Access.shared_group else 0o700


def _replaceable(folder: Path, names: set[str]) -> bool:
    """May ``folder`` be replaced by an export of the files ``names``? Only if nothing in
    it is the user's own: it is empty, or holds an earlier export's files and nothing else."""
    return all(entry.name in names and entry.is_file() for entry in folder.iterdir())


def _remove_stale(folder: Path) -> None:
    """Take away what an export that a crash or a failing disk cut short left beside
    ``folder``: its half-written folder, or the older export it had moved aside once the
    new one stands (should the folder be missing, the older one is the only copy left)."""
    prefix = f".{folder.name}."
    if not folder.parent.is_dir():
        return
    kinds = ("tmp", "old") if folder.is_dir() else ("tmp",)
    for entry in folder.parent.iterdir():
        middle = entry.name[len(prefix) :].rpartition(".")
        if entry.name.startswith(prefix) and middle[0].isdigit() and middle[2] in kinds:
            shutil.rmtree(entry, ignore_errors=True)


def _write_file(path: Path, data: bytes) -> None:
    """A new file in the export's temporary folder, flushed: the folder, not each file,
    is what moves in whole, so a file need not be written beside and renamed."""
    fd = access.create(path, os.O_WRONLY | os.O_EXCL)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_folder(folder: Path, files: Mapping[str, bytes], rows: Mapping[str, int]) -> None:
    """Write ``files`` and their manifest as the folder ``folder``, whole or not at all;
    a StoreError names what failed, and leaves an older export there as it was."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise StoreError(f"cannot read {folder}: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{folder} is not a folder; give a folder for the CSV export")
    try:
        replaceable = st is None or _replaceable(folder, {*files, MANIFEST})
        _remove_stale(folder)
    except OSError as exc:
        raise StoreError(f"cannot read {folder}: {exc.strerror or exc}") from None
    if not replaceable:
        raise StoreError(
            f"{folder} holds files that are not a Parley export's; give a new or empty folder"
        )
    parent = folder.parent
    tmp = parent / f".{folder.name}.{os.getpid()}.tmp"
    old = parent / f".{folder.name}.{os.getpid()}.old"
    doing = f"writing the export in {tmp}"
    moved_in = False
    try:
        parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        os.mkdir(tmp, folder_mode())
        # The mode itself, not as the umask leaves it.
        os.chmod(tmp, folder_mode())
        for name, data in files.items():
            doing = f"writing {folder / name}"
            _write_file(tmp / name, data)
        doing = f"writing {folder / MANIFEST}"
        _write_file(tmp / MANIFEST, manifest(files, rows))
        fsync_dir(tmp)
        doing = f"moving the export into {folder}"
        if st is not None:
            os.rename(folder, old)
            try:
                os.rename(tmp, folder)
            except BaseException:
                os.rename(old, folder)
                raise
        else:
            os.rename(tmp, folder)
        moved_in = True
        fsync_dir(parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror or str(exc)
        if moved_in:
            raise StoreError(
                f"cannot export: {reason.lower()} flushing {parent} to disk; the export is "
                "in place, but a crash now could take it away"
            ) from None
        raise StoreError(
            f"cannot export: {reason.lower()} {doing}; no export was written"
        ) from None
    finally:
        # The older export goes only once the new one stands in its place.
        if moved_in:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)


def check_folder(folder: Path) -> None:
    """Refuse, in one line naming the file, a folder that is not one whole export."""
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BrokenExport(
            f"{path}: missing; the folder is not a whole Parley CSV export (export it again)"
        ) from None
    except OSError as exc:
        raise BrokenExport(f"{path}: cannot read: {exc.strerror or exc}") from None
    listed = _listed(path, raw)
    names = [entry.name for entry in folder.iterdir()]
    present = {name for name in names if name != MANIFEST and not name.startswith(".")}
    for name in sorted(present - set(listed)):
        raise BrokenExport(
            f"{folder / name}: not part of this export (the manifest does not list it); "
            "move it out of the folder"
        )
    for name, entry in sorted(listed.items()):
        _check_file(folder / name, entry)


def _listed(path: Path, raw: bytes) -> dict[str, dict[str, Any]]:
    try:
        document = json.loads(raw)
    except ValueError:
        raise BrokenExport(f"{path}: not a manifest (cut short?); export it again") from None
    files = document.get("files") if isinstance(document, dict) else None
    if document.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
        raise BrokenExport(f"{path}: not a Parley export's manifest")
    for name, entry in files.items():
        fine = isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        if not fine or "/" in name or name.startswith(".") or name == MANIFEST:
            raise BrokenExport(f"{path}: the entry for {name!r} is not a file of an export")
    return files


def _check_file(path: Path, entry: Mapping[str, Any]) -> None:
    try:
        st = os.lstat(path)
        data = path.read_bytes() if stat.S_ISREG(st.st_mode) else None
    except FileNotFoundError:
        raise BrokenExport(f"{path}: missing; the manifest lists it (export it again)") from None
    except OSError as exc:
        raise BrokenExport(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data is None:
        raise BrokenExport(f"{path}: not a regular file")
    expected = entry.get("bytes")
    if isinstance(expected, int) and len(data) < expected:
        raise BrokenExport(
            f"{path}: not the file this export wrote: {len(data):,} of its {expected:,} "
            "bytes (cut short, or from another export); export it again"
        )
    if sha256(data) != entry["sha256"]:
        raise BrokenExport(
            f"{path}: not the file this export wrote (changed since, or from another "
            "export); export it again"
        )
