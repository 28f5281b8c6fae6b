"""Textual's Footer, without the keys it leaves behind each time it redraws.

``Footer.compose`` data-binds every ``FooterKey`` it makes to the footer's
``compact`` reactive. That registers a watcher on the footer that nothing
removes when the keys are replaced, so each redraw (every tab switch, every
modal closed) kept the old keys alive: about 5 MB per form opened on a large
store. The keys here take ``compact`` once, as the footer has it; Parley never
changes it afterwards.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget._reactive_connect = None
                widget.compact = self.compact
            yield widget
