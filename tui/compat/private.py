"""The only places Parley reaches into private names of Textual, rich and textual-serve.

Each function says why no public API does the job, and which pin in ``pins``
covers it: outside those versions ``tui.compat`` warns at import and
``tests/test_layers.py`` fails, so an upgrade says which of these to look at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widget import Widget

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from textual.widgets._footer import FooterKey
    from textual_serve.app_service import AppService


def footer_key_class() -> type[FooterKey]:
    """Textual's ``FooterKey``, the widget ``Footer`` shows for each binding.

    Pin: ``pins.FOOTER_KEY``. ``textual.widgets`` exports ``Footer`` but not the
    keys it composes, and ``KeyFooter`` has to tell them apart from the rest.
    """
    from textual.widgets._footer import FooterKey

    return FooterKey


def drop_data_binds(widget: Widget) -> None:
    """Undo ``widget.data_bind(...)`` before the widget is mounted.

    Pin: ``pins.FOOTER_KEY``. ``Footer.compose`` binds each ``FooterKey`` to the
    footer's ``compact`` reactive, and the watcher that sets up is not removed
    with the key (https://github.com/Textualize/textual/issues/6666), so every
    recompose kept the old keys alive. Textual has no public way to unbind: the
    pending bindings live in ``_reactive_connect`` until mount, and emptying it
    means none are made.
    """
    widget._reactive_connect = None


def drop_closed_watchers(obj: object) -> None:
    """Forget the watchers of ``obj``'s reactives that belong to closed widgets.

    Pin: ``pins.CLOSED_WATCHERS``. ``TextArea`` watches the app's ``theme``, and
    Textual removes a watcher only when the watched value next changes
    (https://github.com/Textualize/textual/issues/6666), so every closed form with a
    text area kept it alive, document and render caches included, until the theme
    changed. The watchers live in the private ``__watchers`` dict; Textual has no
    public way to unwatch. Closed is what Textual itself prunes on: ``_closing``.
    """
    watchers: dict[str, list[tuple[Any, Any]]] = getattr(obj, "__watchers", {})
    for pairs in watchers.values():
        pairs[:] = [(node, callback) for node, callback in pairs if not node._closing]


def wrap_offsets(text: str, width: int) -> list[int]:
    """Where ``text`` breaks when word-wrapped to ``width`` cells (folding long words).

    Pin: ``pins.WRAP_OFFSETS``. Textual 8.2's ``Content`` wraps with rich's private
    ``divide_line``; counting lines the same way without building them needs the
    same function. ``Content.wrap`` would build every line, which is what
    ``TextView`` exists to avoid.
    """
    from rich._wrap import divide_line

    return divide_line(text, width, fold=True)


def session_process(service: AppService) -> Process | None:
    """The app process a textual-serve ``AppService`` started, or None before it starts.

    Pin: ``pins.SERVE_PROCESS``. ``AppService.stop`` asks the app to quit and waits
    for it, for ever if the app does not answer; ``parley serve`` has to be able to
    end every session's process when it stops, and the process is only in the
    private ``_process``.
    """
    process: Process | None = getattr(service, "_process", None)
    return process


class HeadlessFrames:
    """Frames of headless apps left undrawn until asked for: a switch for tests.

    Pin: ``pins.HEADLESS_FRAMES``. Headless, Textual still renders every frame of
    the top screen, after each key and each change, and ``App._display`` throws it
    away; in the dashboard's tests that is a third of the CPU. What a test reads
    of the screen (``App.export_screenshot``) is rendered afresh, so between the
    moments a test looks, the frames can go undrawn. Some state is only reached by
    drawing (a ``TextView`` measures the paragraphs it draws), so a test that
    looks draws first (``draw``). The only way in is the screen's private
    ``_compositor_refresh``, and the bookkeeping it does besides drawing.
    """

    def __init__(self) -> None:
        from textual.screen import Screen

        self._screen = Screen
        self._original = Screen._compositor_refresh
        self.drawing = False

    def __enter__(self) -> HeadlessFrames:
        original, frames = self._original, self

        def refresh(screen: Any) -> None:
            app = screen.app
            if frames.drawing or screen is not app.screen or not app.is_headless:
                original(screen)
                return
            screen._compositor._dirty_regions.clear()
            screen._dirty_widgets.clear()
            app._update_mouse_over(screen)

        self._screen._compositor_refresh = refresh  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        self._screen._compositor_refresh = self._original  # type: ignore[method-assign]
