"""Which library versions each workaround in ``tui.compat`` is known to be needed for.

A workaround patches, or reaches into, a library as it is in the versions it was
written against. Each one names those versions here, with the upstream report it
waits on. When the installed version is outside a pin's range, importing
``tui.compat`` warns (``CompatWarning``) and ``tests/test_layers.py`` fails: time
to look upstream, and drop the workaround or move its pin.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version


class CompatWarning(UserWarning):
    """A library is at a version a workaround in ``tui.compat`` was not written for."""


def _parse(text: str) -> tuple[int, ...]:
    """``"8.2.8"`` -> ``(8, 2, 8)``; a suffix such as ``rc1`` or ``.dev0`` is dropped."""
    parts: list[int] = []
    for part in text.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.end() < len(part):
            break
    return tuple(parts)


def installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


@dataclass(frozen=True)
class Pin:
    """A workaround for ``package`` at versions ``low`` (included) to ``high`` (excluded)."""

    name: str
    package: str
    low: str
    high: str
    upstream: str

    @property
    def range(self) -> str:
        return f"{self.package}>={self.low},<{self.high}"

    def covers(self, found: str | None) -> bool:
        if found is None:
            return False
        have = _parse(found)
        return _parse(self.low) <= have < _parse(self.high)

    def holds(self) -> bool:
        """Whether the installed version is one this workaround was written for."""
        return self.covers(installed(self.package))

    def problem(self) -> str | None:
        """What is wrong with the installed version, in one sentence, or None."""
        found = installed(self.package)
        if self.covers(found):
            return None
        return (
            f"tui.compat: the workaround {self.name!r} was written for {self.range}, "
            f"but {self.package} {found or '(not installed)'} is installed; "
            f"upstream: {self.upstream}. Drop the workaround or move its pin."
        )


STYLES_CACHE_LEAK = Pin(
    name="StylesCache.get_inner_outer lru_cache leak",
    package="textual",
    low="8.2",
    high="8.3",
    upstream="https://github.com/Textualize/textual/issues/6665 (open, no fix released)",
)

FOOTER_KEY = Pin(
    name="Footer keys without data binding",
    package="textual",
    low="8.2",
    high="8.3",
    upstream=(
        "https://github.com/Textualize/textual/issues/6666 (open: watchers from data_bind "
        "are not removed with their widget); FooterKey is not exported by textual.widgets "
        "and no upstream issue asks for it"
    ),
)

CLOSED_WATCHERS = Pin(
    name="watchers of closed widgets kept by the object they watch",
    package="textual",
    low="8.2",
    high="8.3",
    upstream=(
        "https://github.com/Textualize/textual/issues/6666 (open: a watcher is not removed "
        "with its widget; TextArea watches the app's theme)"
    ),
)

WRAP_OFFSETS = Pin(
    name="rich._wrap.divide_line for wrap offsets",
    package="rich",
    low="13",
    high="16",
    upstream=(
        "no upstream issue: rich has no public function giving wrap offsets, and Textual "
        "8.2's Content wraps with rich._wrap.divide_line itself; worth asking rich to export it"
    ),
)

SERVE_PROCESS = Pin(
    name="the process behind a textual-serve AppService",
    package="textual-serve",
    low="1.1",
    high="1.2",
    upstream=(
        "no upstream issue: AppService keeps its process in _process and has no public "
        "way to end it when the app does not quit; worth asking textual-serve for one"
    ),
)
TERMINAL_HANGUP = Pin(
    name="LinuxDriver input loop that ends the app when the terminal goes away",
    package="textual",
    low="8.2",
    high="8.3",
    upstream=(
        "https://github.com/Textualize/textual/pull/6690 (open: the input thread spins at "
        "100% of a core once stdin is at end-of-file); Textual installs no SIGHUP handler"
    ),
)

MESSAGE_LOOP_FAILURE = Pin(
    name="a widget's message loop kept going after a handler raised",
    package="textual",
    low="8.2",
    high="8.3",
    upstream=(
        "no upstream issue: MessagePump._process_messages_loop hands every exception to "
        "App._handle_exception, which always exits, and then ends the widget's loop; "
        "Textual has no public hook to report a handler's failure and go on"
    ),
)

HEADLESS_FRAMES = Pin(
    name="frames drawn and thrown away by a headless app (tests only)",
    package="textual",
    low="8.2",
    high="8.3",
    upstream=(
        "no upstream issue: a headless app renders every frame (Screen._compositor_refresh) "
        "and App._display then discards it; Textual has no switch to skip the rendering"
    ),
)

PINS = (
    STYLES_CACHE_LEAK,
    FOOTER_KEY,
    CLOSED_WATCHERS,
    WRAP_OFFSETS,
    TERMINAL_HANGUP,
    SERVE_PROCESS,
    MESSAGE_LOOP_FAILURE,
    HEADLESS_FRAMES,
)


def warn_outside_pins() -> list[str]:
    """Warn once for each pin the installed libraries are outside of; return the problems."""
    problems = [p for p in (pin.problem() for pin in PINS) if p is not None]
    for problem in problems:
        warnings.warn(problem, CompatWarning, stacklevel=3)
    return problems
