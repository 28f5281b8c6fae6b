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
from textual.widget import Widget
from textual.widgets import Footer

from tui.compat.private import drop_data_binds, footer_key_class

HELP_ACTION = "app.help"
# Refreshes to wait for new keys to be laid out before leaving them as they are.
MEASURE_TRIES = 5


class KeyFooter(Footer):
    """Shows as many keys as fit whole, in order: the focused widget's first, then
    ``?`` (which always shows), then the screen's. ``Footer`` would cut the last
    one mid-word and let the command palette's key cover part of another."""

    _shown: tuple[Any, ...] | None = None
    _tries = 0

    def on_mount(self) -> None:
        # Each key's width, by key and action, measured while it showed.
        self._key_widths: dict[tuple[str, str], int] = {}
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        footer_key = footer_key_class()
        keys = [k for k in self.children if isinstance(k, footer_key)]
        palette = [k for k in keys if k.has_class("-command-palette")]
        keys = [k for k in keys if k not in palette]
        widths = self._key_widths
        for key in keys:
            if key.display and key.outer_size.width:
                margin = key.styles.margin
                widths[key.key, key.action] = key.outer_size.width + margin.left + margin.right
        if any((key.key, key.action) not in widths for key in keys):
            # Not laid out yet: again after the next refresh, a few times at most.
            self._tries += 1
            if self._tries <= MEASURE_TRIES:
                self.call_after_refresh(self._fit)
            return
        self._tries = 0
        # Up to where the palette's key starts, less a cell to keep them apart.
        room = self.content_region.width - sum(
            k.outer_size.width + k.styles.margin.left + 1 for k in palette
        )
        room -= sum(widths[k.key, k.action] for k in keys if k.action == HELP_ACTION)
        fits = True
        for key in keys:
            if key.action == HELP_ACTION:
                self._show(key, True)
                continue
            width = widths[key.key, key.action]
            fits = fits and width <= room
            if fits:
                room -= width
            self._show(key, fits)

    @staticmethod
    def _show(key: Widget, shown: bool) -> None:
        if key.display != shown:
            key.display = shown

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
        # The new keys are mounted now; once laid out, those that do not fit go.
        self.call_after_refresh(self._fit)

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
                # The class its watcher sets, set first without restyling: the key is
                # styled once, when mounted, not once more for the class.
                widget.set_class(self.compact, "-compact", update=False)
                widget.compact = self.compact
            yield widget
        self._shown = shown
