"""Stores of one desk on one machine: each its own folder, one local bare repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from store import Clock, Repository, open_store
from store.exchange.export import export_document
from store.exchange.seed import seed
from store.models import MERGED
from store.records.commands import Commands
from store.records.drafts import Citation
from store.sync import SyncRepo

SOURCE = "xinhua-2024-08-21-blinken-tour"
POINT = "dismantling-hamas"


def bare_repository(folder: Path) -> Path:
    remote = folder / "desk.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    return remote


class Laptop:
    """One analyst's store, open, and its exchange with the desk."""

    def __init__(
        self,
        folder: Path,
        name: str,
        remote: Path,
        seeded: bool = False,
        clock: Clock | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.closed = False
        self.repo: Repository = open_store(folder / "parley.json", author=name, clock=clock)
        self.commands = Commands(self.repo)
        if seeded:
            seed(self.repo)
        self.sync_repo = SyncRepo(self.repo)
        self.sync_repo.init(str(remote), machine=f"{name}-laptop")

    def sync(self) -> None:
        self.sync_repo.sync()

    def set_status(self, status: str, on: str, point: str = POINT) -> None:
        self.commands.set_status("point", point, status, on, cite=Citation((SOURCE,)))

    def records(self) -> str:
        """The store's records as an export writes them: the same text on every laptop
        that holds the same records."""
        return json.dumps(export_document(self.repo)["records"], ensure_ascii=False, indent=1)

    def change_ids(self) -> list[str]:
        """Every change in this store's history by its desk-wide id ("machine:seq")."""
        machine = self.sync_repo.state().machine
        return [c.origin or f"{machine}:{c.seq}" for c in self.repo.history() if c.origin != MERGED]

    def close(self) -> None:
        """Close the store (once: a test may close it early, to run a command on it)."""
        if not self.closed:
            self.repo.close()
            self.closed = True
