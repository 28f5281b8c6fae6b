"""`w` on the Points and Positions views: the day the gap reading compares with."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from textual.widget import Widget

from store import Repository
from store.reading.trends import default_since
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormErrors, FormResult
from tui.fields import Field


class ReadsTrends(Protocol):
    repo: Repository
    track_id: str
    as_of: date | None
    since: date | None


def since_form(
    day: date, title: str = "Gap since", label: str = "Has the gap narrowed since"
) -> FormScreen:
    """One date, ``day`` filled in. Writes nothing."""
    hint = "empty: the week up to the latest news"
    fields = [Field("since", label, "date", hint=hint)]

    def submit(form: dict[str, Any]) -> None:
        text = form.get("since") or ""
        if not text:
            return
        try:
            date.fromisoformat(text)
        except ValueError:
            raise FormErrors({"since": f"{text!r} is not an ISO date (YYYY-MM-DD)"}) from None

    return FormScreen(title, fields, {"since": day.isoformat()}, submit, lambda _: [])


def ask_since(view: ReadsTrends, current: date | None) -> None:
    """Ask for the day; an empty answer goes back to the default."""

    def chosen(result: FormResult | None) -> None:
        if result is not None:
            text = result.values.get("since")
            view.since = date.fromisoformat(text) if text else None

    shown = current or default_since(view.repo, view.track_id, view.as_of)
    assert isinstance(view, Widget)
    view.app.push_screen(since_form(shown), chosen)
