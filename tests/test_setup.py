"""Set-up on a fresh machine: the Makefile finds a Python 3.11 or newer (or says what to
install), the lock files pin every dependency with hashes, and Parley installed from a
wheel runs outside a checkout with its store in the user's data folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from store.exchange.seed import load_seed_records
from tui import cli
from tui.config import data_dir

ROOT = Path(__file__).resolve().parents[1]
MAKE = "/usr/bin/make"


def fake_pythons(folder: Path, versions: dict[str, tuple[int, int]]) -> Path:
    """A bin folder of stand-ins, each answering the Makefile's version test as
    that version would, and saying what it was asked to do otherwise."""
    folder.mkdir()
    for name, version in versions.items():
        ok = 0 if version >= (3, 11) else 1
        script = folder / name
        script.write_text(f'#!/bin/sh\n[ "$1" = -c ] && exit {ok}\necho "{name} $*"\n')
        script.chmod(0o755)
    return folder


def make(folder: Path, bin_folder: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """``make TARGETS`` in a copy of the checkout's set-up files, with only
    ``bin_folder`` on the PATH."""
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        (folder / name).write_bytes((ROOT / name).read_bytes())
    return subprocess.run(
        [MAKE, *targets],
        cwd=folder,
        env={"PATH": str(bin_folder), "HOME": str(folder)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not os.path.exists(MAKE), reason="make is not installed at /usr/bin/make")
def test_make_takes_the_first_python_311_or_newer(tmp_path: Path) -> None:
    found = fake_pythons(
        tmp_path / "bin", {"python3": (3, 10), "python3.12": (3, 12), "python3.11": (3, 11)}
    )
    done = make(tmp_path, found, "-n", ".venv/bin/python")
    assert done.returncode == 0, done.stderr
    assert "python3.12 -m venv .venv" in done.stdout


@pytest.mark.skipif(not os.path.exists(MAKE), reason="make is not installed at /usr/bin/make")
def test_make_says_what_to_install_when_there_is_no_python_311(tmp_path: Path) -> None:
    found = fake_pythons(tmp_path / "bin", {"python3": (3, 10)})
    done = make(tmp_path, found, "run")
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()[:1]
    assert line.startswith("make: Parley needs Python 3.11 or newer") and "install" in line
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_pins_every_dependency_with_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.MULTILINE))
    wanted = ["textual", "pydantic", "tinydb", "rich", "textual-serve", "tomlkit", "setuptools"]
    if lock == "requirements-dev.lock":
        wanted += ["pytest", "pytest-textual-snapshot", "hypothesis", "ruff", "mypy"]
    assert [name for name in wanted if name not in pins] == []
    # Every requirement line carries at least one hash.
    for requirement in re.split(r"\n(?=[A-Za-z])", text.split("\n", 2)[2]):
        assert "--hash=sha256:" in requirement, requirement


def test_the_store_is_in_data_in_a_checkout_and_in_the_data_folder_once_installed(
    own_folders: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert cli.default_db() == ROOT / "data" / "parley.json"
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path / "site-packages")
    assert cli.default_db() == data_dir() / "parley.json" == own_folders / "data/parley/parley.json"


def test_parley_installed_from_a_wheel_runs_outside_a_checkout(tmp_path: Path) -> None:
    # Built from a copy of the sources: a build leaves build/ and *.egg-info behind.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("store", "tui", "seeds"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels, target = tmp_path / "wheels", tmp_path / "installed"
    pip = [sys.executable, "-m", "pip", "--quiet"]
    build = ["wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(wheels), str(source)]
    subprocess.run([*pip, *build], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("parley-*.whl")
    install = ["install", "--no-deps", "--target", str(target), str(wheel)]
    subprocess.run([*pip, *install], check=True, capture_output=True, timeout=300)
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"store/seeds/{p.name}" for p in (ROOT / "seeds").glob("*.json")}
    styles = {str(p.relative_to(ROOT)) for p in (ROOT / "tui").rglob("*.tcss")}
    assert shipped and shipped | styles <= names
    # Installed on its own (its dependencies come from this interpreter's), run elsewhere.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PARLEY_DB", "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)

    def parley(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    store = data_dir() / "parley.json"
    seeded = len(load_seed_records())
    assert parley("seed") == f"seeded {store} with {seeded} records\n"
    assert "Briefing: Gaza ceasefire" in parley("brief")
    assert not list(elsewhere.iterdir())


@pytest.mark.skipif(not os.path.exists(MAKE), reason="make is not installed at /usr/bin/make")
def test_make_says_what_it_does_while_it_sets_up(tmp_path: Path) -> None:
    """A fresh clone's make run is not silent while it installs: a line per step."""
    found = fake_pythons(tmp_path / "bin", {"python3.12": (3, 12)})
    done = make(tmp_path, found, "-n", ".venv/.run-installed")
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stdout.splitlines() if line.startswith('echo "make: ')]
    assert [s.split(":")[1].split()[0] for s in steps] == ["creating", "installing", "installing"]
