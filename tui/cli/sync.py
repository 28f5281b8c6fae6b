"""``parley sync``: exchange the store's changes with the desk's git remote."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store import Repository


def cmd_sync(args: argparse.Namespace, repo: Repository) -> int:
    from store.sync import SyncRepo, conflict_words, when

    # Sync writes the store only to lay the changes taken in; it never folds the
    # journal on its way out, so a sync that stops leaves the store's files as they were.
    repo.compact_on_close = False
    desk = SyncRepo(repo)
    if args.init:
        desk.init(args.init)
        print(f"{repo.path} syncs with {args.init} through {desk.dir}")
    if args.status:
        status = desk.status()
        print(f"remote: {status.remote} (this machine: {status.machine})")
        print(f"changes not yet pushed: {status.unpushed}")
        print(f"last sync: {when(status.last_sync)}")
        print(f"conflicts to settle: {len(status.conflicts)}")
        for conflict in status.conflicts:
            print(f"  {conflict.id} {conflict_words(conflict)}")
        return 0
    report = desk.sync()
    print(report.summary())
    return 0


def register(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add(
        "sync",
        cmd_sync,
        "send this store's changes to the desk's git remote and take in everyone else's",
        "parley sync --init git@example.org:desk/talks.git   once, on each machine\n"
        "  parley sync                                        then, whenever you like\n"
        "  parley sync --status                               what is waiting, and conflicts",
    )
    p.add_argument(
        "--init",
        metavar="REMOTE",
        help="sync through the git repository at REMOTE (a URL or a path git understands)",
    )
    p.add_argument(
        "--status",
        action="store_true",
        help="say how many changes are not yet pushed, when the last sync was, and the "
        "conflicts to settle, without syncing",
    )
