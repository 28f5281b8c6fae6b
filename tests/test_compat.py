"""The workarounds in tui.compat: each holds for the installed libraries, and says when not."""

from __future__ import annotations

import pytest

import tui.compat
from tui.compat import pins, styles_cache
from tui.compat.pins import PINS, CompatWarning, Pin


@pytest.mark.parametrize("pin", PINS, ids=[pin.name for pin in PINS])
def test_each_workaround_is_for_the_installed_version(pin: Pin) -> None:
    """Fails after an upgrade past a pin: look upstream, then drop the workaround or move it."""
    assert pin.problem() is None, pin.problem()


def test_importing_compat_warned_of_nothing() -> None:
    assert tui.compat.problems == []


def test_the_leak_fix_is_in_place() -> None:
    assert styles_cache.applied()


def test_a_pin_covers_its_range_only() -> None:
    pin = Pin(name="x", package="textual", low="8.2", high="8.3", upstream="-")
    assert pin.covers("8.2.0") and pin.covers("8.2.8") and pin.covers("8.2")
    assert not pin.covers("8.3.0") and not pin.covers("8.1.9") and not pin.covers("9.0")
    assert not pin.covers(None)
    assert pin.covers("8.2.9rc1") and not pin.covers("8.3.0.dev0")


def test_outside_its_pin_a_workaround_warns_and_patches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pins, "installed", lambda package: "99.0.0")
    with pytest.warns(CompatWarning) as caught:
        problems = pins.warn_outside_pins()
    assert [str(w.message) for w in caught] == problems
    assert len(problems) == len(PINS)
    assert "was written for textual>=8.2,<8.3, but textual 99.0.0 is installed" in problems[0]
    assert "issues/6665" in problems[0]
    assert styles_cache.apply() is False
