"""Workarounds for Textual and rich, in one place, each tied to the versions it is for.

- ``styles_cache``: a leak fix patched into Textual when this package is imported
  (``tui.app`` imports it before any widget renders).
- ``private``: the few private names of Textual and rich Parley needs, each behind
  one function that says why.
- ``keep_going``: a screen's or widget's handler that raises is reported to the app
  (``ParleyApp.survive``) and its message loop goes on, instead of the app exiting.
- ``hangup``: the terminal driver that ends the app when its terminal goes away
  (``ParleyApp.get_driver_class`` picks it).
- ``pins``: the library versions each workaround was written for, and the upstream
  issue it waits on. Importing this package warns (``CompatWarning``) for each pin
  the installed libraries are outside of.
"""

from __future__ import annotations

from tui.compat import keep_going, styles_cache
from tui.compat.pins import PINS, CompatWarning, Pin, warn_outside_pins

__all__ = ["PINS", "CompatWarning", "Pin", "problems"]

problems = warn_outside_pins()
styles_cache.apply()
keep_going.apply()
