"""Parley ends when its terminal goes away.

Textual 8.2's ``LinuxDriver`` reads the terminal in a thread that loops on
``select``: once the terminal's input is at end-of-file (the window or tmux pane
closed while the process did not get SIGHUP, e.g. under ``make run``), ``select``
keeps saying "readable", ``os.read`` keeps returning nothing, and the thread spins
at 100% of a core for as long as the process lives; a read error ends the thread
with a "panic" that writes to the dead terminal. Nor does Textual handle SIGHUP:
the default action kills the process on the spot, with no orderly close of the
store.

``HangupDriver`` is ``LinuxDriver`` with its input loop as in 8.2.8 except for
what the end of the input does: end-of-file or an error asks the app to exit,
as SIGHUP does, and from then on nothing more is written to the terminal (a
write to a hung-up terminal fails, and Textual's writer thread would die with
its queue filling). The app then closes like on ``q``: the store's lock is
released, and every acknowledged write was already on disk (a command returns
only once its journal line is flushed).

Upstream: https://github.com/Textualize/textual/pull/6690 (open: stops the spin
on end-of-file, leaving the app running without input). Used only with the
versions in ``pins.TERMINAL_HANGUP``; outside them Textual's own driver runs,
``tui.compat`` warns, and ``tests/test_layers.py`` fails.
"""

from __future__ import annotations

import os
import selectors
import signal
from codecs import getincrementaldecoder
from typing import TYPE_CHECKING

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from tui.compat.pins import TERMINAL_HANGUP

if TYPE_CHECKING:
    from textual.app import App


class HangupDriver(LinuxDriver):
    """``LinuxDriver``, ending the app when the terminal hangs up or its input ends."""

    def __init__(self, app: App[object], **kwargs: object) -> None:
        super().__init__(app, **kwargs)  # type: ignore[arg-type]
        self.terminal_gone = False

    def start_application_mode(self) -> None:
        super().start_application_mode()  # type: ignore[no-untyped-call]
        # On the event loop, not as a plain handler: exit() must run there.
        self._loop.add_signal_handler(signal.SIGHUP, self.hang_up)

    def stop_application_mode(self) -> None:
        self._loop.remove_signal_handler(signal.SIGHUP)
        super().stop_application_mode()

    def hang_up(self) -> None:
        """The terminal is gone: write nothing more to it, and have the app close."""
        if not self.terminal_gone:
            self.terminal_gone = True
            self._app.exit()

    def write(self, data: str) -> None:
        if not self.terminal_gone:
            super().write(data)

    def run_input_thread(self) -> None:
        """Textual 8.2.8's input loop, which stops at end-of-file or a read error."""
        # Private, as in the loop this copies: the parser of the terminal's escape codes.
        from textual._loop import loop_last
        from textual._parser import ParseError
        from textual._xterm_parser import XTermParser

        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> bool:
            """Feed what was read to the parser; False once the input has ended."""
            for last, (_key, mask) in loop_last(events):
                if mask & selectors.EVENT_READ:
                    try:
                        data = os.read(fileno, 1024 * 4)
                    except OSError:
                        return False
                    if not data:
                        return False
                    for event in feed(decode(data, final=final and last)):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not process(selector.select(0.1)):
                    self._loop.call_soon_threadsafe(self.hang_up)
                    return
            selector.unregister(fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def driver_for(driver: type[Driver]) -> type[Driver]:
    """The driver to run the app with, given the one Textual chose."""
    if driver is LinuxDriver and TERMINAL_HANGUP.holds():
        return HangupDriver
    return driver
