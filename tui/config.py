"""The user's settings, in ``$XDG_CONFIG_HOME/parley/config.toml`` (``~/.config`` by default).

```toml
store = "~/talks/parley.json"   # the store opened without --db or $PARLEY_DB
theme = "textual-light"         # any of Textual's themes; the palette's "Theme" sets it
shared_group = false            # true: the store's files are shared with their group
start = "auto"                  # the first screen: "desk" (every track), "track", or
                                # "auto" (the desk when the store holds more than one)

[visits]                        # written by Parley: each track's latest news when last seen
gaza-2024 = 2024-08-26

[keymap]                        # binding id = key(s); `parley config show` lists every id
"dashboard.undo" = "z"
"dashboard.redo" = "Z,ctrl+y"
```

A setting that does not validate is reported in one line naming it, and its default
is used: the rest of the file still applies, and Parley still starts.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

CONFIG_NAME = "config.toml"
# A key as Textual names it ("z", "ctrl+y", "question_mark", "f5"), or a character.
_KEY = re.compile(r"[^\s,]+")


def _xdg(variable: str, default: str) -> Path:
    # The XDG base directory spec ignores a relative value.
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default


def config_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "parley" / CONFIG_NAME


def data_dir() -> Path:
    """Where Parley keeps its store when installed rather than run from a checkout."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "parley"


def theme_names() -> list[str]:
    from textual.theme import BUILTIN_THEMES

    return list(BUILTIN_THEMES)


def _keys(text: str) -> str:
    parts = [part.strip() for part in text.split(",")]
    if not all(_KEY.fullmatch(part) for part in parts):
        raise ValueError(f"{text!r} is not a key or a comma-separated list of keys (e.g. 'ctrl+z')")
    return ",".join(parts)


def _binding_id(binding_id: str, info: ValidationInfo) -> str:
    known: Collection[str] | None = (info.context or {}).get("binding_ids")
    if known is not None and binding_id not in known:
        raise ValueError("no key has this binding id (`parley config show` lists them)")
    return binding_id


class Config(BaseModel):
    """What config.toml may hold; every setting has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: Path | None = None
    theme: str | None = None
    shared_group: bool = False
    start: Literal["auto", "desk", "track"] = "auto"
    visits: dict[str, date] = Field(default_factory=dict)
    keymap: dict[
        Annotated[str, AfterValidator(_binding_id)], Annotated[str, AfterValidator(_keys)]
    ] = Field(default_factory=dict)

    def opens_on_desk(self, tracks: int, track_given: bool = False) -> bool:
        """Whether Parley opens on the desk over a store of ``tracks`` tracks: the setting
        says so, or leaves it to the store, which holds several, and no track is named."""
        return self.start == "desk" or (self.start == "auto" and tracks > 1 and not track_given)

    @field_validator("store")
    @classmethod
    def _absolute(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        path = path.expanduser()
        if not path.is_absolute():
            raise ValueError(f"{str(path)!r} is relative; give a full path (or one from ~)")
        return path

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, theme: str | None) -> str | None:
        if theme is not None and theme not in theme_names():
            raise ValueError(f"{theme!r} is not a theme; one of: {', '.join(theme_names())}")
        return theme


@dataclass(frozen=True)
class Settings:
    """The settings in force, the file they came from, and what in it was set aside."""

    path: Path
    config: Config
    problems: tuple[str, ...] = ()
    found: bool = False


def _message(error: Any) -> str:
    text = str(error["msg"])
    return text.removeprefix("Value error, ")


def _where(loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The setting an error is in: ``("theme",)`` or ``("keymap", "dashboard.undo")``."""
    names = [str(part) for part in loc if part != "[key]"]
    return tuple(names[:2]) if names[:1] == ["keymap"] else tuple(names[:1])


def _validate(
    data: dict[str, Any], context: dict[str, Any]
) -> tuple[Config, list[tuple[tuple[str, ...], str]]]:
    """The config from ``data``, dropping each setting that fails with why, until one holds."""
    dropped: list[tuple[tuple[str, ...], str]] = []
    while True:
        try:
            return Config.model_validate(data, context=context), dropped
        except ValidationError as exc:
            for error in exc.errors():
                where = _where(error["loc"])
                if not where:  # the file as a whole: nothing of it can be used
                    return Config(), [*dropped, ((), _message(error))]
                dropped.append((where, _message(error)))
                if len(where) == 2 and isinstance(data.get("keymap"), dict):
                    data["keymap"] = {k: v for k, v in data["keymap"].items() if k != where[1]}
                else:
                    data = {k: v for k, v in data.items() if k != where[0]}


def _problem(path: Path, where: tuple[str, ...], why: str) -> str:
    if not where:
        return f"{path}: {why}; using the defaults"
    # A keymap entry that fails is left out: its key keeps its default.
    then = "left out" if len(where) == 2 else "using its default"
    return f"{path}: {'.'.join(where)}: {why}; {then}"


def load(path: Path | None = None, scopes: list[dict[str, str]] | None = None) -> Settings:
    """The settings in ``path`` (default: ``config_path()``). With the app's bindings
    (``key_scopes()``), a keymap entry for no binding, or one that takes another
    binding's key, is set aside too."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path, Config())
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return Settings(path, Config(), (f"{path}: cannot read it ({reason}); using the defaults",))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Settings(path, Config(), (f"{path}: {exc}; using the defaults",), found=True)
    binding_ids = None if scopes is None else default_keys(scopes)
    config, dropped = _validate(data, {"binding_ids": binding_ids})
    if scopes is not None:
        clashes = _clashes(config.keymap, scopes)
        dropped += [(("keymap", i), why) for i, why in sorted(clashes.items())]
        keymap = {i: keys for i, keys in config.keymap.items() if i not in clashes}
        config = config.model_copy(update={"keymap": keymap})
    problems = tuple(_problem(path, where, why) for where, why in dropped)
    return Settings(path, config, problems, found=True)


def _remember(path: Path, what: str, change: Callable[[Any], bool]) -> str | None:
    """Change the file at ``path`` with ``change`` (which says whether it changed
    anything), keeping the rest of it as written (its comments too); None, or why it
    could not."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from store.files.atomic import write_atomic

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        return f"{what} was not saved: {path}: {getattr(exc, 'strerror', None) or exc}"
    if not change(document):
        return None
    try:
        write_atomic(path, tomlkit.dumps(document))
    except OSError as exc:
        return f"{what} was not saved: {path}: {exc.strerror or exc}"
    return None


def remember_theme(path: Path, theme: str) -> str | None:
    """Set ``theme`` in the file at ``path``; None, or why it could not."""

    def change(document: Any) -> bool:
        if document.get("theme") == theme:
            return False
        document["theme"] = theme
        return True

    return _remember(path, "the theme", change)


def remember_visit(path: Path, track_id: str, day: date) -> str | None:
    """Keep ``day`` as the latest news seen on a track, for "since my last visit"."""
    import tomlkit

    def change(document: Any) -> bool:
        visits = document.setdefault("visits", tomlkit.table())
        if visits.get(track_id) == day:
            return False
        visits[track_id] = day
        return True

    return _remember(path, "the visit", change)


# -- the keys ----------------------------------------------------------------------------


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def key_scopes() -> list[dict[str, str]]:
    """The bindings of each screen and widget of Parley, inherited ones included: where a
    key means one thing. Each as {binding id: its default key(s)}."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import tui

    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        if not module.name.startswith("tui.cli"):
            importlib.import_module(module.name)
    scopes = []
    for cls in sorted(set(_subclasses(DOMNode)), key=lambda c: (c.__module__, c.__qualname__)):
        if not cls.__module__.startswith("tui."):
            continue
        scope = {
            binding.id: binding.key
            for base in reversed(cls.__mro__)
            for binding in base.__dict__.get("BINDINGS", [])
            if isinstance(binding, Binding) and binding.id
        }
        if scope:
            scopes.append(scope)
    return scopes


def default_keys(scopes: list[dict[str, str]] | None = None) -> dict[str, str]:
    """Every binding id in Parley, with the key(s) it has unless the keymap rebinds it."""
    keys: dict[str, str] = {}
    for scope in key_scopes() if scopes is None else scopes:
        for binding_id, key in scope.items():
            keys.setdefault(binding_id, key)
    return keys


def _clashes(keymap: dict[str, str], scopes: list[dict[str, str]]) -> dict[str, str]:
    """The keymap's entries that give a key to a binding of a screen or widget where another
    binding keeps it (Textual would drop the other without a word): {id: why}."""
    found: dict[str, str] = {}
    for scope in scopes:
        holders: dict[str, list[str]] = {}
        for binding_id, keys in scope.items():
            for key in keymap.get(binding_id, keys).split(","):
                holders.setdefault(key, []).append(binding_id)
        for key, ids in holders.items():
            # A key given back to the binding that has it already changes nothing: the
            # labels of one key that a screen shows by turns (a form's ctrl+s) share it.
            moved = (i for i in ids if keymap.get(i, scope[i]) != scope[i])
            for rebound in (i for i in moved if len(ids) > 1):
                others = ", ".join(i for i in ids if i != rebound)
                found.setdefault(rebound, f"{key!r} is already the key of {others}")
    return found


def show(settings: Settings, store: Path, keys: dict[str, str]) -> str:
    """The settings in force as a config file: every setting, and every key by its id."""
    import tomlkit
    from textual import constants

    config = settings.config
    document = tomlkit.document()
    state = "" if settings.found else " (not there: these are the defaults)"
    document.add(tomlkit.comment(f"{settings.path}{state}"))
    document["store"] = str(store)
    document["theme"] = config.theme or constants.DEFAULT_THEME
    document["shared_group"] = config.shared_group
    keymap = tomlkit.table()
    keymap.add(tomlkit.comment("every key by its binding id; a line in the file rebinds it"))
    for binding_id, key in sorted(keys.items()):
        keymap[binding_id] = config.keymap.get(binding_id, key)
    document["keymap"] = keymap
    return tomlkit.dumps(document)
