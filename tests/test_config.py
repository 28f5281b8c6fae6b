"""The settings file: the store, the theme and the keys it sets; a bad one is reported in
one line naming the setting, and Parley starts all the same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import fixed_clock
from textual.binding import Binding
from textual.dom import DOMNode
from textual.pilot import Pilot
from tui_helpers import (
    Compare,
    NoticeRecorder,
    exit_status,
    in_terminal,
    no_blink,
    notices,
    press,
    read_until,
    run_async,
    run_cli,
    settle,
    sizes,
)

from store import Kind, Repository, open_store
from store.records.commands import Commands
from tui import config
from tui.app import ParleyApp
from tui.config import Config


def write_config(text: str) -> Path:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def app_with(repo: Repository, settings: config.Settings) -> ParleyApp:
    return ParleyApp(repo, poll=False, config=settings.config, notices=settings.problems)


def test_the_settings_file_is_in_the_users_config_folder(own_folders: Path) -> None:
    assert config.config_path() == own_folders / "config" / "parley" / "config.toml"


def test_every_key_has_a_binding_id() -> None:
    keys = config.default_keys()  # imports every module of tui
    missing = [
        f"{cls.__module__}.{cls.__qualname__}: {binding.key}"
        for cls in config._subclasses(DOMNode)
        if cls.__module__.startswith("tui.")
        for binding in cls.__dict__.get("BINDINGS", [])
        if not (isinstance(binding, Binding) and binding.id)
    ]
    assert missing == []
    assert keys["dashboard.undo"] == "u"
    assert keys["quit"] == "q"


def test_settings_are_read_from_the_file(tmp_path: Path) -> None:
    write_config(
        f'store = "{tmp_path}/talks.json"\ntheme = "textual-light"\n'
        '[keymap]\n"dashboard.undo" = "z"\n"dashboard.redo" = "Z, ctrl+y"\n'
    )
    settings = config.load(scopes=config.key_scopes())
    assert settings.problems == ()
    assert settings.config == Config(
        store=tmp_path / "talks.json",
        theme="textual-light",
        keymap={"dashboard.undo": "z", "dashboard.redo": "Z,ctrl+y"},
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('theme = "nord-light"\n', "theme: 'nord-light' is not a theme"),
        ('store = "talks.json"\n', "store: 'talks.json' is relative"),
        ("shared_group = 3\n", "shared_group:"),
        ('colour = "red"\n', "colour: Extra inputs are not permitted"),
        ('[keymap]\n"dashbord.undo" = "z"\n', "keymap.dashbord.undo: no key has this binding id"),
        ('[keymap]\n"dashboard.undo" = "ctrl z"\n', "keymap.dashboard.undo: 'ctrl z' is not a key"),
        (
            '[keymap]\n"dashboard.undo" = "d"\n',
            "keymap.dashboard.undo: 'd' is already the key of dashboard.delete",
        ),
    ],
)
def test_a_bad_setting_is_named_and_the_others_still_apply(text: str, named: str) -> None:
    path = write_config('theme = "solarized-light"\n' + text if "theme" not in text else text)
    settings = config.load(scopes=config.key_scopes())
    assert len(settings.problems) == 1
    (problem,) = settings.problems
    assert problem.startswith(f"{path}: {named}")
    assert "\n" not in problem
    if "theme" not in text:
        assert settings.config.theme == "solarized-light"


def test_a_file_that_is_not_toml_gives_the_defaults_and_says_which_line() -> None:
    write_config('theme = "textual-light"\n[keymap\n')
    settings = config.load()
    assert settings.config == Config()
    (problem,) = settings.problems
    assert "line 2" in problem and problem.endswith("using the defaults")


def test_remembering_the_theme_keeps_the_rest_of_the_file() -> None:
    path = write_config('# mine\ntheme = "nord"\n\n[keymap]\n"dashboard.undo" = "z"\n')
    assert config.remember_theme(path, "textual-light") is None
    assert (
        path.read_text() == '# mine\ntheme = "textual-light"\n\n[keymap]\n"dashboard.undo" = "z"\n'
    )
    assert config.load().config.theme == "textual-light"


def test_config_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(["config", "path"], capsys)
    assert (code, out) == (0, f"{config.config_path()}\n")
    write_config(f'store = "{tmp_path}/talks.json"\n[keymap]\n"dashboard.undo" = "z"\n')
    code, out, err = run_cli(["config", "show"], capsys)
    assert code == 0 and err == ""
    shown = config.load(Path(write_config(out)), scopes=config.key_scopes())
    assert shown.problems == ()
    assert shown.config.store == tmp_path / "talks.json"
    assert shown.config.keymap["dashboard.undo"] == "z"
    assert shown.config.keymap["dashboard.redo"] == "U,ctrl+r"


def test_the_store_setting_is_the_default_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_config(f'store = "{tmp_path}/talks.json"\n')
    code, out, _ = run_cli(["seed"], capsys)
    assert code == 0 and str(tmp_path / "talks.json") in out
    # --db, then $PARLEY_DB, come first.
    code, out, _ = run_cli(["--db", str(tmp_path / "other.json"), "seed"], capsys)
    assert str(tmp_path / "other.json") in out


def test_a_bad_setting_is_reported_by_every_command(
    capsys: pytest.CaptureFixture[str], sample_db: Path
) -> None:
    write_config('theme = "nord-light"\n')
    code, _, err = run_cli(["--db", str(sample_db), "check"], capsys)
    assert code == 0
    assert err.count("\n") == 1 and "theme: 'nord-light' is not a theme" in err


@run_async
async def test_a_rebound_key_and_the_theme_take_effect(seeded: Repository) -> None:
    write_config('theme = "textual-light"\n[keymap]\n"dashboard.undo" = "z"\n')
    event_id = seeded.ids(Kind.EVENT)[0]
    Commands(seeded).delete(Kind.EVENT, event_id)
    app = app_with(seeded, config.load(scopes=config.key_scopes()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        await press(pilot, "u")  # no longer undo
        assert not seeded.exists(Kind.EVENT, event_id)
        # The deletion was made before this session: undo asks first.
        await press(pilot, "z", "y")
    with open_store(seeded.path, clock=fixed_clock) as reopened:
        assert reopened.exists(Kind.EVENT, event_id)


@run_async
async def test_the_app_starts_with_a_bad_file_and_says_what_is_wrong(seeded: Repository) -> None:
    write_config('theme = "nord-light"\n[keymap]\n"dashboard.undo" = "z"\n')
    event_id = seeded.ids(Kind.EVENT)[0]
    Commands(seeded).delete(Kind.EVENT, event_id)
    app = app_with(seeded, config.load(scopes=config.key_scopes()))
    app.notify = NoticeRecorder(app.notify)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        (notice,) = notices(app)
        assert "theme: 'nord-light' is not a theme" in notice.message
        await press(pilot, "z", "y")  # the rest of the file still applies
        assert seeded.exists(Kind.EVENT, event_id)


@run_async
async def test_a_theme_chosen_in_the_palette_is_remembered(seeded: Repository) -> None:
    path = write_config("# mine\n")
    app = ParleyApp(
        seeded, poll=False, on_theme=lambda theme: config.remember_theme(path, theme) and None
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"theme", "enter")
        await press(pilot, *"solarized-light", "enter")
        assert app.theme == "solarized-light"
    assert path.read_text() == '# mine\ntheme = "solarized-light"\n'


@sizes
def test_light_theme_and_rebound_key_snapshot(
    snap_compare: Compare, seeded: Repository, size: tuple[int, int]
) -> None:
    """The dashboard in Textual's light theme, its footer showing a key the file rebinds."""
    write_config('theme = "textual-light"\n[keymap]\n"dashboard.undo" = "z"\n')
    app = app_with(seeded, config.load(scopes=config.key_scopes()))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        no_blink(app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_parley_starts_in_a_terminal_with_a_bad_file_and_names_the_setting(
    tmp_path: Path,
) -> None:
    write_config('[keymap]\n"dashbord.undo" = "z"\n')
    db = tmp_path / "parley.json"
    with in_terminal(db, tmp_path) as (process, master):
        seen = bytearray()
        read_until(master, b"dashbord.undo", seen)
        read_until(master, b"Overview", seen)
        os.write(master, b"q")
        assert exit_status(process, master, timeout=10) == 0
