"""A block of text built from store data: shown literally, never parsed as markup."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class TextBlock(Static):
    """Static that only takes Content; markup is off so a str can't sneak markup in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(*args, **kwargs)
