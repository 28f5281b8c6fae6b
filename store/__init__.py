"""Parley's store: the domain models and the TinyDB-backed repository."""

from __future__ import annotations

from os import PathLike

from .errors import (
    Conflict,
    CorruptStore,
    DiskError,
    DuplicateId,
    IntegrityError,
    InvalidRecord,
    LockedStore,
    NotFound,
    StoreError,
)
from .files.state import Preread

# The domain, whole: the models, what every record is, its values and its enums.
from .kinds import *  # noqa: F403
from .kinds import Kind
from .models import *  # noqa: F403
from .models import RECORD_TYPES, model_for
from .record import *  # noqa: F403
from .record import TrackRecord, track_of
from .records.cache import Clock
from .records.queries import TimelineEntry
from .records.repository import Repository, default_author, system_clock
from .values import *  # noqa: F403
from .values import slugify


def open_store(
    path: str | PathLike[str],
    clock: Clock | None = None,
    preread: Preread | None = None,
    author: str | None = None,
    read_only: bool = False,
    defer: bool = False,
) -> Repository:
    """Open (or start) the store at ``path``; raises StoreError with a one-line reason.

    ``preread`` is the snapshot file read ahead without the lock (see ``ReadAhead``
    in ``tui.cli``); it is used only if it is still the store's snapshot. ``author``
    names who the changes made through it are by (default: ``default_author()``).
    ``read_only``: leave the files as they are found (no checkpoint, nothing taken in
    from a snapshot another program changed), as ``parley check`` does. ``defer``: read
    the files on ``Repository.open()`` or when first used, not now.
    """
    return Repository(
        path, clock=clock, preread=preread, author=author, read_only=read_only, defer=defer
    )


__all__ = [  # noqa: RUF022
    "open_store",
    "Preread",
    "Repository",
    "TimelineEntry",
    "Clock",
    "system_clock",
    "default_author",
    "RECORD_TYPES",
    "model_for",
    "Kind",
    "TrackRecord",
    "track_of",
    "slugify",
    "StoreError",
    "Conflict",
    "CorruptStore",
    "DiskError",
    "DuplicateId",
    "IntegrityError",
    "InvalidRecord",
    "LockedStore",
    "NotFound",
]
