"""A form's fields: what each is, the widget it is shown with, and how it is read.

A ``Field`` names a value and the widget that edits it: a line of text, a date,
several lines, a drop-down, a chooser of records (full forms), a type-ahead
picker or a one-key choice (quick forms), a check box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from tui.text import literal
from tui.widgets.chooser import Chooser
from tui.widgets.field_widgets import FieldCheckbox, FieldInput, FieldSelect, FieldTextArea
from tui.widgets.key_choice import KeyChoice
from tui.widgets.picker import Picker
from tui.widgets.ref_chooser import RefChooser
from tui.widgets.text_block import TextBlock

# "pick"/"picks": type-ahead pickers of one record or several; "keys": one key per choice.
Kind = Literal["text", "area", "date", "choice", "ref", "refs", "check", "pick", "picks", "keys"]
# A kind of record -> its (id, name) pairs, for choosers and pickers.
Options = Callable[[str], list[tuple[str, str]]]
# What a type-ahead picker needs beyond its options (aliases, entries not stored yet).
PickerSetup = Callable[["Field"], dict[str, Any]]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: Kind = "text"
    choices: tuple[str, ...] = ()
    ref_kind: str = ""
    hint: str = ""
    # Consecutive fields with the same group are boxed together under its name.
    group: str = ""
    # Left empty when nothing fits (a statement made outside any round): a quick form
    # does not start on it.
    optional: bool = False


def field_widget(
    field: Field,
    value: Any,
    options: Options,
    picker_setup: PickerSetup | None = None,
    offer_new: bool = False,
) -> Widget:
    """The widget that edits ``field``, showing ``value``; ``offer_new``: a chooser offers
    "+ new …" when nothing matches what was typed."""
    wid = f"field-{field.name}"
    if field.widget == "area":
        return FieldTextArea(
            str(value or ""), id=wid, soft_wrap=True, show_line_numbers=False, compact=True
        )
    if field.widget == "choice":
        # Choices are the models' own enum values, never store text; as plain strings
        # they let Select find a choice as you type.
        return FieldSelect(
            [(c, c) for c in field.choices],
            value=value if value in field.choices else Select.NULL,
            id=wid,
            allow_blank=value not in field.choices,
            compact=True,
        )
    chosen = value if isinstance(value, list) else ([value] if value else [])
    if field.widget in ("ref", "refs", "pick", "picks"):
        quick = field.widget in ("pick", "picks")
        chooser = Picker if quick else RefChooser
        setup = picker_setup(field) if quick and picker_setup else {}
        return chooser(
            options(field.ref_kind),
            multiple=field.widget in ("refs", "picks"),
            chosen=chosen,
            noun=field.label.lower(),
            id=wid,
            new_kind=field.ref_kind if offer_new else "",
            **setup,
        )
    if field.widget == "keys":
        return KeyChoice(field.choices, value=value, id=wid)
    if field.widget == "check":
        return FieldCheckbox(literal(field.label), bool(value), id=wid, compact=True)
    if field.widget == "date":
        return FieldInput(
            str(value or ""), placeholder="YYYY-MM-DD", id=wid, classes="date", compact=True
        )
    return FieldInput(str(value or ""), id=wid, compact=True)


def read_field(field: Field, widget: Widget) -> Any:
    """What the widget of ``field`` holds, as the form's submit function takes it."""
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Select):
        return None if widget.is_blank() else widget.value
    if isinstance(widget, Chooser):
        chosen = widget.value
        return chosen if field.widget in ("refs", "picks") else next(iter(chosen), None)
    if isinstance(widget, KeyChoice | Checkbox):
        return widget.value
    if isinstance(widget, Input):
        text = widget.value.strip()
        return text if text or field.widget != "date" else None
    return None


def write_field(widget: Widget, value: Any) -> None:
    """Show ``value`` in a field's widget (a value that follows another field's)."""
    if isinstance(widget, Picker):
        widget.set_chosen(value if isinstance(value, list) else [value])
    elif isinstance(widget, KeyChoice):
        widget.value = value
    elif isinstance(widget, Input):
        widget.value = "" if value is None else str(value)


def field_row(
    field: Field,
    value: Any,
    options: Options,
    setup: PickerSetup | None,
    compact: bool,
    offer_new: bool = False,
) -> Vertical | Horizontal:
    """A field in its box: the label in the box's top edge, the hint inside, and the
    error below them once there is one (``FormScreen.show_errors`` adds it: most forms
    never show one, and a widget fewer a field is a form that opens sooner). The box
    is the field's focus ring (see dialogs/modal.tcss). In a quick form the label
    stands beside the field, and a bar beside it is the ring."""
    children: list[Widget] = [field_widget(field, value, options, setup, offer_new)]
    if field.hint:
        children.append(TextBlock(literal(field.hint), classes="form-hint"))
    classes, wid = f"form-row row-{field.widget}", f"row-{field.name}"
    if compact:
        label = Label(literal(field.label), classes="form-label")
        field_box = Vertical(*children, classes="form-field")
        return Horizontal(label, field_box, classes=classes, id=wid)
    row = Vertical(*children, classes=classes, id=wid)
    if field.widget != "check":  # a check box carries its own label
        row.border_title = literal(field.label)
    return row


def row_of(widget: Widget) -> Widget | None:
    """The form row a widget stands in, if any."""
    node: object = widget
    while isinstance(node, Widget):
        if node.has_class("form-row"):
            return node
        node = node.parent
    return None
