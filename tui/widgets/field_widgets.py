"""Textual's input widgets as a form builds them: styled once, when they are mounted.

A Textual widget restyles itself each time a class of its changes, and styling
looks the widget up in the whole stylesheet. Built with ``compact=True``, or an
``Input`` with a value (it adds ``-valid`` at once), a widget changes its classes
in its constructor, before it has a parent: each was styled there for nothing,
to be styled again as it is mounted — about a millisecond a field, a tenth of the
time a form took to open. These widgets skip styling until they have a parent;
mounting styles them with every class they have by then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Checkbox, Input, OptionList, Select, TextArea

if TYPE_CHECKING:
    from textual.widget import Widget as _Mixed
else:
    # Not a widget class itself: Textual takes a widget's CSS type names, and with
    # them its default CSS, from the first widget class among the bases.
    _Mixed = object


class StyledWhenMounted(_Mixed):
    """Put first among the bases of a widget: it is not styled before it has a parent
    (see the module's text)."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self.parent is not None:
            super().update_node_styles(animate)


class FieldInput(StyledWhenMounted, Input):
    pass


class FieldTextArea(StyledWhenMounted, TextArea):
    pass


class FieldSelect(StyledWhenMounted, Select[str]):
    pass


class FieldCheckbox(StyledWhenMounted, Checkbox):
    pass


class FieldOptionList(StyledWhenMounted, OptionList):
    pass
