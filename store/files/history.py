"""The change log, ``parley.json.history``: the changes a checkpoint folds out of the
journal, one line each, appended; read whole only when asked for, else from its end as
far as a reader goes; its last line checked against the snapshot at every read."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from ..errors import CorruptStore
from . import access
from .atomic import fsync_dir, write_all
from .disk import UNCHANGED, close_quietly, disk_error, loads, read_file, system
from .journal import CHANGES, ROLLED_BACK
from .state import StorageState

# The history file is read backwards in blocks of this many bytes.
HISTORY_BLOCK = 256 * 1024
# A change as Parley writes it starts with its number.
_SEQ_RE = re.compile(rb'\{"seq":(\d{1,18})[,}]')


def change_seq(doc: Any) -> int:
    """The number of a change as read from the history; ValueError when it has none."""
    seq = doc.get("seq") if isinstance(doc, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("not a valid change")
    return seq


def end_of_last_line(fd: int, size: int) -> int:
    """The offset just past the last newline in the first ``size`` bytes of ``fd``."""
    position = size
    while position > 0:
        block = min(HISTORY_BLOCK, position)
        position -= block
        newline = os.pread(fd, block, position).rfind(b"\n")
        if newline >= 0:
            return position + newline + 1
    return 0


class ChangeHistory(StorageState):
    """The history file of one storage: appended by a checkpoint, read by history."""

    def _check_history_end(self) -> None:
        """Refuse a snapshot older than the history file: its next write would number a
        change with a number the history holds already.

        Only the last line is read: changes are appended in order, so it holds the
        highest number. A compaction cut short leaves changes in the history that are
        still in the journal, whose numbers ``last_seq`` counts. A last line that does
        not parse is left to ``problems()`` to report.
        """
        try:
            # The number starts the line as Parley writes it: the rest of a long last
            # change need not be read at every open.
            found = _SEQ_RE.match(self._last_history_head())
            if found:
                newest = int(found.group(1))
            else:
                _, line = next(iter(self._history_lines_backwards()), (0, b""))
                newest = change_seq(loads(line))
        except ValueError:
            return
        if newest > self.last_seq:
            kept = f"{self.path} ends at change {self.last_seq}"
            if not self._snapshot_found:
                kept = f"there is no {self.path} and its journal ends at change {self.last_seq}"
            raise CorruptStore(
                f"{self.history_path} holds change {newest}, but {kept}: {ROLLED_BACK}"
            )

    def _last_history_head(self, size: int = 40) -> bytes:
        """The first ``size`` bytes of the history's last complete line (none if none)."""
        try:
            fd = os.open(self.history_path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise disk_error(exc, "opening", self.history_path) from None
        try:
            with system("reading", self.history_path):
                end = end_of_last_line(fd, os.fstat(fd).st_size)
                if not end:
                    return b""
                start = end_of_last_line(fd, end - 1)
                return os.pread(fd, min(size, end - 1 - start), start)
        finally:
            close_quietly(fd)

    def _append_history(self, changes: dict[str, dict[str, Any]]) -> int:
        """Append changes to the history file, durably; return where they start, for
        ``_cut_history`` should the compaction fail after. A failure here cuts the file
        back and raises a DiskError."""
        path = self.history_path
        fd, created, start, doing = None, False, 0, "opening"
        try:
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW)
            except FileNotFoundError:
                fd = access.create(path, os.O_RDWR | os.O_APPEND | os.O_EXCL)
                created = True
            doing = "reading"
            size = start = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # Cut a line torn by a crash mid-append: it was never part of a snapshot.
                start = end_of_last_line(fd, size)
                doing = "writing"
                os.ftruncate(fd, start)
            lines = [
                json.dumps(changes[k], ensure_ascii=False, separators=(",", ":"))
                for k in sorted(changes, key=int)
            ]
            doing = "writing"
            write_all(fd, ("\n".join(lines) + "\n").encode("utf-8"))
            doing = "flushing {} to disk"
            os.fsync(fd)
            if created:
                doing = "flushing to disk the folder of"
                fsync_dir(path.parent)
        except BaseException as exc:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                with contextlib.suppress(OSError):
                    os.close(fd)
            if created:
                # Made again, and its folder synced, by the next compaction.
                with contextlib.suppress(OSError):
                    os.unlink(path)
            if isinstance(exc, OSError):
                raise disk_error(exc, doing, path, UNCHANGED) from None
            raise
        with contextlib.suppress(OSError):
            os.close(fd)
        return start

    def _cut_history(self, end: int) -> None:
        """Take back what a failed compaction appended to the history file, if it can;
        should it not, the journal's copies of those changes are the ones history reads."""
        with contextlib.suppress(OSError):
            if not end:
                # Nothing was in it before (it may have been made for this compaction):
                # the next compaction makes it again, and syncs its folder.
                os.unlink(self.history_path)
                return
            fd = os.open(self.history_path, os.O_WRONLY | os.O_NOFOLLOW)
            try:
                os.ftruncate(fd, end)
                os.fsync(fd)
            finally:
                os.close(fd)

    def history(self) -> dict[int, dict[str, Any]]:
        """Every change ever written, by number: the history file and the journal's."""
        if self._history is None:
            found: dict[int, dict[str, Any]] = {}
            data = read_file(self.history_path) or b""
            end = data.rfind(b"\n") + 1
            for lineno, line in enumerate(data[: max(end - 1, 0)].split(b"\n"), start=1):
                if not line.strip():
                    continue
                try:
                    doc = loads(line)
                    seq = change_seq(doc)
                except ValueError:
                    raise CorruptStore(
                        f"{self.history_path} line {lineno}: not a valid change"
                    ) from None
                found[seq] = doc
            self._history = found
        merged = dict(self._history)
        for key, doc in self.tables.get(CHANGES, {}).items():
            merged[int(key)] = doc
        return merged

    def newest_changes(self, containing: bytes | None = None) -> Iterator[dict[str, Any]]:
        """Changes, newest first, read from the end of the history file only as far
        as the caller goes: the last change, or a screenful of them, costs no more on a
        store with a hundred thousand changes than on a new one, and nothing is kept.

        ``containing``: skip, without parsing them, history lines without these bytes
        (a pre-filter only: the caller still checks what it gets).
        Yields what ``history()`` holds, in the same order, duplicates left out.
        """
        journal = self.tables.get(CHANGES, {})
        lowest: int | None = None
        for seq in sorted((int(k) for k in journal), reverse=True):
            lowest = seq
            yield journal[str(seq)]
        if self._history is not None:
            for seq in sorted(self._history, reverse=True):
                if lowest is None or seq < lowest:
                    yield self._history[seq]
            return
        for offset, line in self._history_lines_backwards():
            found = _SEQ_RE.match(line)
            doc = None
            if found is None:
                doc = self._history_doc(offset, line)
                seq = change_seq(doc)
            else:
                seq = int(found.group(1))
            # A compaction cut short may have written some changes twice; the copy
            # written last is the one history() keeps, and the first met here.
            if lowest is not None and seq >= lowest:
                continue
            lowest = seq
            if containing is not None and containing not in line:
                continue
            yield doc if doc is not None else self._history_doc(offset, line)

    def _history_doc(self, offset: int, line: bytes) -> dict[str, Any]:
        try:
            doc: dict[str, Any] = loads(line)
            change_seq(doc)  # anything but an object fails here too
        except ValueError:
            raise CorruptStore(
                f"{self.history_path}: the line at byte {offset} is not a valid change"
            ) from None
        return doc

    def _history_lines_backwards(self) -> Iterator[tuple[int, bytes]]:
        """(byte offset, line) of each complete line of the history file, last first."""
        try:
            yield from self._read_history_backwards()
        except OSError as exc:
            raise disk_error(exc, "reading", self.history_path) from None

    def _read_history_backwards(self) -> Iterator[tuple[int, bytes]]:
        try:
            # Through os.open, as every other file of the store is opened.
            fd = os.open(self.history_path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        with open(fd, "rb") as fh:
            position = fh.seek(0, os.SEEK_END)
            # Bytes after the last newline are a line torn by a crash: never part of
            # a snapshot, and ignored as history() ignores them.
            end = 0
            while position > 0:
                size = min(HISTORY_BLOCK, position)
                position -= size
                fh.seek(position)
                newline = fh.read(size).rfind(b"\n")
                if newline >= 0:
                    end = position + newline + 1
                    break
            # The line being read, in blocks, last first: joined once, when its start is
            # found, so that a line of many blocks costs its length, not its square.
            position, carry = end, []
            while position > 0:
                size = min(HISTORY_BLOCK, position)
                position -= size
                fh.seek(position)
                block = fh.read(size)
                if b"\n" not in block:
                    carry.append(block)
                    continue
                lines = block.split(b"\n")
                lines[-1] += b"".join(reversed(carry))
                carry = [lines[0]]
                start = position + len(lines[0]) + 1
                found = []
                for line in lines[1:]:
                    found.append((start, line))
                    start += len(line) + 1
                for line_offset, line in reversed(found):
                    if line.strip():
                        yield line_offset, line
            first = b"".join(reversed(carry))
            if first.strip():
                yield 0, first
