"""Dialogs that are dismissed once: the base of every Parley dialog, and the palette.

Keys typed quickly reach a dialog before it has gone: Enter twice on a list of
choices or in the command palette, ``y`` twice on a question, ctrl+s twice on a form.
Textual's ``dismiss`` pops whichever screen is on top, so a second dismiss closed the
screen under the dialog (the dashboard), or one the first answer had just opened.
Here a screen that is no longer on the screen stack ignores it.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

Result = TypeVar("Result")


class DismissedOnce(Screen[Result]):
    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        if not self.is_attached or self not in self.app.screen_stack:
            return AwaitComplete()  # of nothing: done already
        return super().dismiss(result)


# The Textual class first: Textual takes a screen's CSS and component classes from the
# first base of each class up the line, and the guard's dismiss still comes before
# Screen's.


class Dialog(ModalScreen[Result], DismissedOnce[Result]):
    """A modal screen of Parley's."""


class Palette(CommandPalette, DismissedOnce[None]):
    """Textual's command palette (ctrl+p), which dismisses itself on each Enter."""
