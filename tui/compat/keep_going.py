"""A handler that raises inside a screen, a dialog or a widget need not end the app.

Textual sends every exception a message handler raises to ``App._handle_exception``,
which always exits, and then ends the message loop of the widget it happened in (the
widget is removed from the screen). A form with the user's typing in it went with it.
Here each message a screen or widget handles is wrapped: an exception is handed to
the app's ``survive(error, where)``, and the loop goes on when it says so. An app
without ``survive`` (and the app's own messages) fail as Textual would.

Pin: ``pins.MESSAGE_LOOP_FAILURE``; outside it nothing is patched and ``tui.compat``
warns.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Callable, Coroutine
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from tui.compat.pins import MESSAGE_LOOP_FAILURE

Dispatch = Callable[[MessagePump, Message], Coroutine[Any, Any, None]]


def _guarded(dispatch: Dispatch) -> Dispatch:
    async def guarded(pump: MessagePump, message: Message) -> None:
        try:
            await dispatch(pump, message)
        except CancelledError:
            raise
        except Exception as error:
            app: Any = pump.app
            survive = getattr(app, "survive", None)
            if pump is app or survive is None or not survive(error, pump):
                raise

    guarded.__wrapped__ = dispatch  # type: ignore[attr-defined]
    return guarded


def apply() -> bool:
    """Wrap ``MessagePump._dispatch_message`` once, if Textual is at a pinned version."""
    if not MESSAGE_LOOP_FAILURE.holds():
        return False
    current = MessagePump._dispatch_message
    if not hasattr(current, "__wrapped__"):
        MessagePump._dispatch_message = _guarded(current)  # type: ignore[method-assign,assignment]
    return True
