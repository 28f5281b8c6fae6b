"""Errors the store raises: each carries one sentence a user can act on."""

from __future__ import annotations

from pydantic import ValidationError

from .models import Change


class StoreError(Exception):
    """Base of every error the store reports; its message is one line."""


class CorruptStore(StoreError):
    """The file is not a Parley store this version can read."""


class DiskError(StoreError):
    """The operating system refused to read or write one of the store's files (a full
    disk, a read-only file system, a failing device); the message names the file."""


class TooLarge(StoreError):
    """Something given to the store is past one of its bounds (``store/limits.py``);
    nothing was written."""


class LockedStore(StoreError):
    """Another process holds the store's lock for too long."""


class IntegrityError(StoreError):
    """A write would leave a dangling reference, or delete a record still referred to."""


class Conflict(StoreError):
    """A record moved on since the revision a write was made from: someone else wrote it
    in between. Nothing was written; ``revision`` is where the record stands now (0 when
    it is gone) and ``change`` the write that moved it, when the history has it."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        record_id: str,
        expected: int,
        revision: int,
        change: Change | None = None,
    ) -> None:
        super().__init__(message)
        self.kind, self.record_id = kind, record_id
        self.expected, self.revision = expected, revision
        self.change = change


class NotFound(StoreError):
    """No record of that kind has that id."""


class DuplicateId(StoreError):
    """A record of that kind already has that id."""


class InvalidRecord(StoreError):
    """A record fails the model's validation.

    ``fields`` names each field at fault with its reason, when the error is about
    values someone gave (a form, a command line): each can then be shown by its field.
    """

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


def describe(exc: ValidationError) -> str:
    """The first problem of a pydantic error as ``field: reason``, on one line."""
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"]) or "record"
        msg = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    more = f" (and {len(parts) - 1} more)" if len(parts) > 1 else ""
    return (parts[0] if parts else str(exc)).replace("\n", " ") + more


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Each failing top-level field with its reason; model-level problems under ``""``."""
    found: dict[str, str] = {}
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else ""
        msg = str(error["msg"]).removeprefix("Value error, ")
        # "Input should be a valid string" says nothing to someone who left a field
        # empty, or a drop-down unchosen.
        if len(error["loc"]) == 1 and (error["type"] == "missing" or error.get("input") is None):
            msg = "required"
        elif len(error["loc"]) == 1 and error["type"] == "enum" and error.get("input") == "":
            msg = "choose one"
        found.setdefault(key, msg)
    return found
