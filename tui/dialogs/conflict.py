"""When a form is saved over a record someone changed since it opened: what they changed,
and a choice: write the edit again on top of theirs, throw it away, or go back to it.

Nothing is written until the choice is made; going back leaves the edit in its form.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content

from store import Conflict, Repository
from tui.dialogs.detail import scroll_body
from tui.dialogs.dialog import Dialog
from tui.dialogs.history import change_detail
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock
from tui.widgets.text_view import TextView

REAPPLY, DISCARD = "reapply", "discard"
# The other writes shown in full; a record edited more often since says how many more.
SHOWN = 5


def conflict_detail(repo: Repository, conflict: Conflict) -> Content:
    """The refusal in one line, then each change written since the form's revision."""
    since = [
        c
        for c in repo.history(conflict.kind, conflict.record_id, limit=SHOWN + 1)
        if c.seq > conflict.expected
    ]
    parts = [literal(str(conflict))]
    for change in since[:SHOWN]:
        parts += [Content(""), change_detail(repo, change)]
    if len(since) > SHOWN:
        parts += [Content(""), literal("…and earlier changes since (h shows the history).")]
    return Content("\n").join(parts)


class ConflictScreen(Dialog[str | None]):
    """Answers ``REAPPLY``, ``DISCARD``, or None to go back to the form."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [
        Binding("r", "answer('reapply')", "Reapply my edit", id="conflict.reapply"),
        Binding("d", "answer('discard')", "Discard my edit", id="conflict.discard"),
        Binding("escape", "answer", "Back to the form", id="conflict.back"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="conflict.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="conflict.up"),
    ]

    def __init__(self, body: Content, can_reapply: bool = True) -> None:
        """``can_reapply``: False when the record is gone; there is nothing to write on."""
        super().__init__()
        self.body, self.can_reapply = body, can_reapply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog conflict"):
            yield TextBlock(
                literal("Changed by someone else while you were editing"),
                classes="dialog-title",
            )
            yield TextView(self.body, classes="dialog-body")
            hint = "r: write my edit on top of theirs    " if self.can_reapply else ""
            yield TextBlock(
                literal(hint + "d: discard my edit    esc: back to the form"), classes="hint"
            )
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With the record gone there is nothing to write the edit on.
        return self.can_reapply or not (action == "answer" and parameters == (REAPPLY,))

    def action_answer(self, choice: str | None = None) -> None:
        self.dismiss(choice)

    def action_scroll(self, direction: str) -> None:
        scroll_body(self, direction)
