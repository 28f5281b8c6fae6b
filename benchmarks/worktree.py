"""Parley as it was at an earlier commit, for a benchmark's baseline measured in the
same run: a temporary git worktree, and a script's JSON figures from a child process
that imports that checkout."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any


@contextmanager
def checkout(root: Path, rev: str) -> Iterator[Path | str]:
    """The checkout of ``rev``, removed afterwards; a string says why there is none."""
    with tempfile.TemporaryDirectory(prefix="parley-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        made = subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", str(tree), rev],
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            yield f"no baseline: {made.stderr.strip()}"
            return
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(root), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
            )


def figures(script: str, args: list[str], tree: Path) -> dict[str, Any] | str:
    """The last line ``script`` prints, as JSON, run on the Parley at ``tree``; a string
    says why it failed."""
    out = subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    if out.returncode != 0:
        return f"failed: {' '.join(out.stderr.strip().splitlines()[-1:])}"
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def module(*names: str) -> ModuleType:
    """The first of ``names`` the tree in use has: a module's name now first, then the
    names it had before (the store and the dialogs were grouped into subpackages), so
    that a baseline from before the move runs the same script."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(f"none of {', '.join(names)} in this tree")
