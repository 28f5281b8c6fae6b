"""Textual's Footer, redrawn only when the keys it shows change, and without leaks.

``Footer`` recomposes, removing and mounting every key, each time the bindings
might have changed: on every tab switch, modal closed or focus moved, several
times per key press, though the keys shown rarely differ. Here it recomposes
only when what it would show is different.

``Footer.compose`` also data-binds every ``FooterKey`` to the footer's
``compact`` reactive. That registers a watcher on the footer that nothing
removes when the keys are replaced, so each redraw kept the old keys alive:
about 5 MB per form opened on a large store. The keys here take ``compact``
once, as the footer has it; Parley never changes it afterwards. (Upstream:
https://github.com/Textualize/textual/issues/6666; the private access this
takes is in ``tui.compat.private``.)
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer

from tui.compat.private import drop_data_binds, footer_key_class


class KeyFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What compose would show: each visible binding, enabled or not."""
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown and self.children:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        # Footer composes nothing until the screen's bindings are ready; what it
        # shows is remembered only once it shows something.
        footer_key = footer_key_class()
        shown: tuple[Any, ...] | None = None
        for widget in super().compose():
            if shown is None:
                shown = self._keys()
            if isinstance(widget, footer_key):
                drop_data_binds(widget)
                widget.compact = self.compact
            yield widget
        self._shown = shown
