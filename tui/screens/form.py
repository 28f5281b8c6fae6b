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

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget as TextualWidget
from textual.widgets import Checkbox, Input, Select, TextArea

from store import Record, StoreError
from store.commands import Outcome
from tui.compat.private import drop_closed_watchers
from tui.screens.confirm import ConfirmScreen
from tui.text import literal
from tui.widgets.footer import KeyFooter
from tui.widgets.ref_chooser import RefChooser
from tui.widgets.text_block import TextBlock

Widget = Literal["text", "area", "date", "choice", "ref", "refs", "check"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: Widget = "text"
    choices: tuple[str, ...] = ()
    ref_kind: str = ""
    hint: str = ""
    # Consecutive fields with the same group are boxed together under its name.
    group: str = ""


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


class FormBody(VerticalScroll, can_focus=False):
    """The fields, scrolled to whichever has the focus: not a Tab stop of its own."""


class FormScreen(ModalScreen[FormResult | None]):
    CSS_PATH = "modal.tcss"
    AUTO_FOCUS = ""  # on_mount focuses the first field
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
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.initial = values
        self.submit = submit
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield TextBlock(literal(self.form_title), classes="dialog-title")
            yield TextBlock(classes="form-error", id="error-")
            with FormBody(classes="dialog-body"):
                index = 0
                while index < len(self.fields):
                    group = self.fields[index].group
                    if not group:
                        yield self._row(self.fields[index])
                        index += 1
                        continue
                    rows = []
                    while index < len(self.fields) and self.fields[index].group == group:
                        rows.append(self._row(self.fields[index]))
                        index += 1
                    box = Vertical(*rows, classes="form-group")
                    box.border_title = literal(group)
                    yield box
        yield KeyFooter()

    def _row(self, field: Field) -> Vertical:
        """A field in its box: the label in the box's top edge, the hint and the error
        inside. The box is the field's focus ring (see modal.tcss)."""
        children = [self._widget(field)]
        if field.hint:
            children.append(TextBlock(literal(field.hint), classes="form-hint"))
        children.append(TextBlock(classes="form-error", id=f"error-{field.name}"))
        row = Vertical(*children, classes=f"form-row row-{field.widget}", id=f"row-{field.name}")
        if field.widget != "check":  # a check box carries its own label
            row.border_title = literal(field.label)
        return row

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
        if field.widget == "check":
            return Checkbox(literal(field.label), bool(value), id=wid, compact=True)
        placeholder = "YYYY-MM-DD" if field.widget == "date" else ""
        return Input(str(value or ""), placeholder=placeholder, id=wid, compact=True)

    def on_mount(self) -> None:
        if self.fields:
            self.focus_field(self.fields[0].name)
        # What the form held when it opened: esc asks before throwing away anything else.
        self.pristine = self.values()

    def on_unmount(self) -> None:
        # The text areas' watchers of the app's theme would keep them alive.
        drop_closed_watchers(self.app)

    def focus_field(self, name: str) -> None:
        """Focus the field ``name``, or the first part of it that takes the focus."""
        widget = self.query_one(f"#field-{name}")
        if not widget.focusable:
            widget = next((w for w in widget.query("*") if w.focusable), widget)
        widget.focus()

    def _row_of(self, widget: TextualWidget) -> TextualWidget | None:
        node: object = widget
        while isinstance(node, TextualWidget):
            if node.has_class("form-row"):
                return node
            node = node.parent
        return None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Whatever takes the focus (tab, a click, a failed save) is scrolled into view
        with its whole box, label included; a group's first field brings the group's
        title with it."""
        row = self._row_of(event.widget)
        if row is None:
            return
        parent = row.parent
        target = row
        if (
            isinstance(parent, TextualWidget)
            and parent.has_class("form-group")
            and parent.children[0] is row
        ):
            target = parent
        body = self.query_one(".dialog-body", VerticalScroll)

        def show() -> None:
            if self.focused is event.widget:
                # Taller than the body (a group at 80x24): its top, where its title is.
                tall = target.outer_size.height > body.scrollable_content_region.height
                body.scroll_to_widget(target, top=tall, origin_visible=True)

        self.call_after_refresh(show)

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, TextArea):
                found[field.name] = widget.text
            elif isinstance(widget, Select):
                found[field.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, RefChooser):
                chosen = widget.value
                found[field.name] = chosen if field.widget == "refs" else next(iter(chosen), None)
            elif isinstance(widget, Checkbox):
                found[field.name] = widget.value
            elif isinstance(widget, Input):
                text = widget.value.strip()
                found[field.name] = text if text or field.widget != "date" else None
        return found

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field, the fields at fault outlined (``-invalid``),
        and the focus on the first of them."""
        names = {f.name for f in self.fields}
        general = [msg for key, msg in errors.items() if key not in names]
        for block in self.query(".form-error").results(TextBlock):
            key = (block.id or "").removeprefix("error-")
            message = errors.get(key, "") if key else "; ".join(general)
            block.update(literal(message) if message else Content(""))
            block.set_class(bool(message), "-shown")
        for field in self.fields:
            invalid = field.name in errors
            self.query_one(f"#row-{field.name}").set_class(invalid, "-invalid")
            self.query_one(f"#field-{field.name}").set_class(invalid, "-invalid")
        first = next((f for f in self.fields if f.name in errors), None)
        if first is not None:
            self.focus_field(first.name)

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

    @property
    def changed(self) -> bool:
        return self.values() != self.pristine

    def action_cancel(self) -> None:
        """Esc: an untouched form closes; a changed one asks first."""
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard changes?", "What was typed in this form is not saved yet."),
            answered,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter goes on to the next field; in a dialog of one field it applies it.
        event.stop()
        if len(self.fields) == 1:
            self.action_save()
        else:
            self.focus_next()
