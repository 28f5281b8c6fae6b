"""A modal form: fields, a message beside each invalid one, and nothing written until all is valid.

The form knows nothing of record kinds, nor of the store. It reads its fields into
a dict and hands it to a ``submit`` function, which runs the command the form is
for and returns what it wrote, or raises ``FormErrors`` (or a ``StoreError``) to
show beside the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from store import Record, StoreError
from store.commands import Outcome
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.key_choice import KeyChoice
from tui.widgets.picker import Picker
from tui.widgets.ref_chooser import RefChooser
from tui.widgets.text_block import TextBlock

# "pick"/"picks": type-ahead pickers of one record or several; "keys": one key per choice.
Widget = Literal["text", "area", "date", "choice", "ref", "refs", "check", "pick", "picks", "keys"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: Widget = "text"
    choices: tuple[str, ...] = ()
    ref_kind: str = ""
    hint: str = ""


class FormErrors(Exception):
    """Problems to show beside fields: field name -> message ("" for the whole form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


Submit = Callable[[dict[str, Any]], Outcome | None]


@dataclass(frozen=True)
class FormResult:
    """What a saved form wrote, and the values it was saved with."""

    records: list[Record]
    values: dict[str, Any]

    @property
    def record(self) -> Record | None:
        return self.records[-1] if self.records else None


Options = Callable[[str], list[tuple[str, str]]]
# What a type-ahead picker needs beyond its options (aliases, entries not stored yet).
PickerSetup = Callable[["Field"], dict[str, Any]]
# Given the field that changed and every value, new values for other fields.
Follow = Callable[[str, dict[str, Any]], dict[str, Any]]


class FormScreen(ModalScreen[FormResult | None]):
    CSS_PATH = ["modal.tcss", "quick.tcss"]
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        values: dict[str, Any],
        submit: Submit,
        options: Options,
        *,
        picker_setup: PickerSetup | None = None,
        follow: Follow | None = None,
        compact: bool = False,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.initial = values
        self.submit = submit
        self.options = options
        self.picker_setup = picker_setup
        self.follow = follow
        self.compact = compact
        # Values a field was given by ``follow``: it follows again until the user
        # changes it.
        self._followed: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form quick" if self.compact else "dialog form"):
            yield TextBlock(literal(self.form_title), classes="dialog-title")
            yield TextBlock(classes="form-error", id="error-")
            with VerticalScroll(classes="dialog-body"):
                for field in self.fields:
                    if self.compact:
                        # The label beside its field, to fit a form on one screen.
                        with Horizontal(classes=f"form-row row-{field.widget}"):
                            yield Label(literal(field.label), classes="form-label")
                            with Vertical(classes="form-field"):
                                yield from self._field(field)
                        continue
                    with Vertical(classes=f"form-row row-{field.widget}"):
                        if field.widget != "check":
                            yield Label(literal(field.label), classes="form-label")
                        yield from self._field(field)
        yield KeyFooter()

    def _field(self, field: Field) -> ComposeResult:
        yield self._widget(field)
        if field.hint:
            yield TextBlock(literal(field.hint), classes="form-hint")
        yield TextBlock(classes="form-error", id=f"error-{field.name}")

    def _widget(self, field: Field) -> Any:
        value = self.initial.get(field.name)
        wid = f"field-{field.name}"
        if field.widget == "area":
            return TextArea(
                str(value or ""), id=wid, soft_wrap=True, show_line_numbers=False, compact=True
            )
        if field.widget == "choice":
            # Choices are the models' own enum values, never store text; as plain strings
            # they let Select find a choice as you type.
            options = [(c, c) for c in field.choices]
            return Select(
                options,
                value=value if value in field.choices else Select.NULL,
                id=wid,
                allow_blank=value not in field.choices,
                compact=True,
            )
        if field.widget in ("ref", "refs"):
            chosen = value if isinstance(value, list) else ([value] if value else [])
            return RefChooser(
                self.options(field.ref_kind),
                multiple=field.widget == "refs",
                chosen=chosen,
                noun=field.label.lower(),
                id=wid,
            )
        if field.widget in ("pick", "picks"):
            chosen = value if isinstance(value, list) else ([value] if value else [])
            setup = self.picker_setup(field) if self.picker_setup else {}
            return Picker(
                self.options(field.ref_kind),
                multiple=field.widget == "picks",
                chosen=chosen,
                noun=field.label.lower(),
                id=wid,
                **setup,
            )
        if field.widget == "keys":
            return KeyChoice(field.choices, value=value, id=wid)
        if field.widget == "check":
            return Checkbox(literal(field.label), bool(value), id=wid, compact=True)
        placeholder = "YYYY-MM-DD" if field.widget == "date" else ""
        return Input(str(value or ""), placeholder=placeholder, id=wid, compact=True)

    def on_mount(self) -> None:
        # A quick form starts on the first field the user must fill: the ones before it
        # came from context. A full form starts at the top.
        empty = next(
            (
                f
                for f in self.fields
                if self.initial.get(f.name) in (None, "", []) and f.widget != "check"
            ),
            None,
        )
        if self.compact and empty is not None:
            widget = self.query_one(f"#field-{empty.name}")
            target = widget.query_one(Input) if isinstance(widget, Picker) else widget
            target.focus()
        else:
            self.focus_next()
        # Focusing the first field scrolls it into view, which hides its label.
        self.call_after_refresh(
            self.query_one(".dialog-body", VerticalScroll).scroll_home, animate=False
        )

    def _field_of(self, widget: Any) -> Field | None:
        name = (getattr(widget, "id", None) or "").removeprefix("field-")
        return next((f for f in self.fields if f.name == name), None)

    def _changed(self, widget: Any) -> None:
        """Let fields that follow another (a date following its source) follow it."""
        field = self._field_of(widget)
        if self.follow is None or field is None:
            return
        values = self.values()
        for name, value in self.follow(field.name, values).items():
            current = values.get(name)
            untouched = current == self.initial.get(name) or (
                name in self._followed and current == self._followed[name]
            )
            if untouched and current != value:
                self._followed[name] = value
                self._set(name, value)

    def _set(self, name: str, value: Any) -> None:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Picker):
            widget.set_chosen(value if isinstance(value, list) else [value])
        elif isinstance(widget, KeyChoice):
            widget.value = value
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)

    def on_picker_changed(self, event: Picker.Changed) -> None:
        self._changed(event.picker)

    def on_key_choice_changed(self, event: KeyChoice.Changed) -> None:
        self._changed(event.choice)

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, TextArea):
                found[field.name] = widget.text
            elif isinstance(widget, Select):
                found[field.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, RefChooser | Picker):
                chosen = widget.value
                many = field.widget in ("refs", "picks")
                found[field.name] = chosen if many else next(iter(chosen), None)
            elif isinstance(widget, KeyChoice | Checkbox):
                found[field.name] = widget.value
            elif isinstance(widget, Input):
                text = widget.value.strip()
                found[field.name] = text if text or field.widget != "date" else None
        return found

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {f.name for f in self.fields}
        general = [msg for key, msg in errors.items() if key not in names]
        for block in self.query(".form-error").results(TextBlock):
            key = (block.id or "").removeprefix("error-")
            message = errors.get(key, "") if key else "; ".join(general)
            block.update(literal(message) if message else Content(""))
            block.set_class(bool(message), "-shown")
        first = next((f for f in self.fields if f.name in errors), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").scroll_visible()

    def action_save(self) -> None:
        values = self.values()
        try:
            outcome = self.submit(values)
        except FormErrors as exc:
            self.show_errors(exc.errors)
            return
        except StoreError as exc:
            self.show_errors({"": str(exc)})
            return
        self.dismiss(FormResult(list(outcome.records) if outcome else [], values))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
