"""A failure inside a screen, a dialog or a widget: written down in full, said in one line.

The app goes on (``ParleyApp.survive``), so a form keeps what was typed in it. The
details (when, where, the traceback) go to a log beside the settings, which the one
line names, for a bug report.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from textual.message_pump import MessagePump
from textual.screen import Screen

from tui.config import config_path

LOG_NAME = "errors.log"


def log_path() -> Path:
    return config_path().parent / LOG_NAME


def shown_path(path: Path) -> str:
    """``path`` as a person types it: under the home folder, with ``~``."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def place(pump: MessagePump) -> str:
    """Where it failed, in words: the form's kind (its title up to a colon), else the
    screen's name."""
    node: object = pump
    while node is not None and not isinstance(node, Screen):
        node = getattr(node, "parent", None)
    if node is None:
        return type(pump).__name__
    title = getattr(node, "form_title", "")
    if isinstance(title, str) and title:
        return title.split(":")[0].strip()
    return type(node).__name__.removesuffix("Screen").lower() or "screen"


def report(error: BaseException, pump: MessagePump) -> str:
    """Write ``error`` with its traceback to the log; the line to show the person."""
    where = place(pump)
    path = log_path()
    entry = "".join(
        [
            f"--- {datetime.now(UTC).isoformat(timespec='seconds')} in {where} ({pump!r})\n",
            *traceback.format_exception(error),
        ]
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(entry)
        details = f"details in {shown_path(path)}"
    except OSError as exc:
        details = f"the details could not be written ({exc.strerror or exc})"
    kind = type(error).__name__
    return f"Something failed in {where} ({kind}); what you typed is kept; {details}"
