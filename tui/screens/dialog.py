"""The base of every dialog: a modal screen that is dismissed once.

Keys typed quickly reach a dialog before it has gone: Enter twice on a list of
choices, ``y`` twice on a question, ctrl+s twice on a form. Textual's ``dismiss``
pops whichever screen is on top, so a second dismiss closed the screen under the
dialog (the dashboard), or one the first answer had just opened. Here a dialog that
is no longer on the screen stack ignores it.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        if not self.is_attached or self not in self.app.screen_stack:
            return AwaitComplete()  # of nothing: done already
        return super().dismiss(result)
