"""A modal form: fields, a message beside each invalid one, and nothing written until all is valid.

The form knows nothing of record kinds, nor of the store. It reads its fields into
a dict and hands it to a ``submit`` function, which runs the command the form is
for and returns what it wrote, or raises ``FormErrors`` (or a ``StoreError``) to
show beside the fields.

An edit form is refused (``Conflict``) when its record changed since it opened.
It then shows the other change and asks: write the edit again on top of it
(only the fields changed in the form), discard it, or go back to it; nothing is
written silently, and going back leaves the edit in the form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget as TextualWidget
from textual.widgets import Input, TextArea

from store import Conflict, StoreError
from store.records.drafts import Outcome
from tui.compat.private import drop_closed_watchers
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.conflict import DISCARD, REAPPLY, ConflictScreen
from tui.dialogs.corroboration import ADD, NEW, CorroborationScreen
from tui.dialogs.dialog import Dialog
from tui.dialogs.form_result import (
    Corroborates,
    Follow,
    FormErrors,
    FormResult,
    NewRecord,
    Offer,
    OnConflict,
    Submit,
)
from tui.fields import Field, Options, PickerSetup, field_row, read_field, row_of, write_field
from tui.text import literal
from tui.widgets.chooser import Chooser
from tui.widgets.footer import KeyFooter
from tui.widgets.key_choice import KeyChoice
from tui.widgets.picker import Picker
from tui.widgets.text_block import TextBlock


class FormBody(VerticalScroll, can_focus=False):
    """The fields, scrolled to whichever has the focus: not a Tab stop of its own."""


class FormScreen(Dialog[FormResult | None]):
    CSS_PATH = ["modal.tcss", "quick.tcss"]
    AUTO_FOCUS = ""  # on_mount focuses the first field
    BINDINGS = [
        # ctrl+s is labelled by what it does; ``verb`` picks the one that runs and shows.
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("ctrl+s", "apply", "Apply", priority=True, id="form.apply"),
        Binding("ctrl+s", "compare", "Compare", priority=True, id="form.compare"),
        Binding("ctrl+s", "find", "Find", priority=True, id="form.find"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # Ahead of the fields' own Enter, and passed on to them unless ``enter_saves``.
        Binding("enter", "enter_save", "Save", show=False, priority=True, id="form.enter-save"),
        # A new line in a quick form's text area, where Enter moves on.
        Binding(
            "shift+enter,ctrl+j",
            "new_line",
            "New line",
            show=False,
            priority=True,
            id="form.new-line",
        ),
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
        enter_saves: bool = False,
        on_conflict: OnConflict | None = None,
        verb: str = "save",
        new_record: NewRecord | None = None,
    ) -> None:
        """``compact``: a quick form, each label beside its field, starting on the first
        field left empty; ``follow`` lets a field follow another until it is changed;
        ``enter_saves``: a form filled for the user, which Enter saves (but in a text
        area, or in a picker's search with something typed); ``verb``: what ctrl+s does
        and is labelled ("save", "apply", "compare", "find"); ``new_record``: the form
        for a new record of a kind, named as typed, which "+ new …" in a chooser opens."""
        super().__init__()
        self.verb = verb
        self.form_title = title
        self.fields = list(fields)
        self.initial = values
        self.submit = submit
        self.options = options
        self.picker_setup = picker_setup
        self.follow = follow
        self.compact = compact
        self.enter_saves = enter_saves
        self.on_conflict = on_conflict
        self.new_record = new_record
        self._unwatch: Callable[[], None] | None = None
        self._saving = False
        # Whether the form has been on screen yet (``on_screen_resume``).
        self._shown = False
        # Values a field was given by ``follow``: it follows until the user changes it.
        self._followed: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form quick" if self.compact else "dialog form"):
            yield TextBlock(literal(self.form_title), classes="dialog-title")
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

    def _row(self, field: Field) -> Vertical | Horizontal:
        value = self.initial.get(field.name)
        return field_row(
            field,
            value,
            self.options,
            self.picker_setup,
            self.compact,
            offer_new=self.new_record is not None,
        )

    def on_mount(self) -> None:
        # A quick form starts on the first field the user must fill: the ones before it
        # came from context. A full form starts at the top.
        empty = [
            f for f in self.fields if self.initial.get(f.name) in (None, "", []) and not f.optional
        ]
        first = empty[0] if self.compact and empty else next(iter(self.fields), None)
        if first is not None:
            self.focus_field(first.name)
        # What the form held when it opened: esc asks before throwing away anything else.
        self.pristine = self.values()
        if self.on_conflict is not None and self.on_conflict.watch is not None:
            self._unwatch = self.on_conflict.watch(self._record_moved)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """A form first shown has its fields styled from being mounted a moment ago:
        Textual would work out the styles of every widget of the form again (a tenth
        of the time it took to open). Only the screen itself is styled again: it was
        styled as it was pushed, before its own CSS was read the first time a form
        opened. Later resumes, after a dialog over the form, restyle as ever."""
        if not self._shown:
            self._shown = True
            event.refresh_styles = False
            self.app.stylesheet.apply(self, animate=False)

    def on_unmount(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
        # The text areas' watchers of the app's theme would keep them alive.
        drop_closed_watchers(self.app)

    def set_focus(
        self,
        widget: TextualWidget | None,
        scroll_visible: bool = True,
        from_app_focus: bool = False,
    ) -> None:
        """The form scrolls to what takes the focus itself (``on_descendant_focus``):
        Textual's own scroll, to the centre and queued apart, raced it, and either
        could end where the fields stood."""
        super().set_focus(widget, scroll_visible=False, from_app_focus=from_app_focus)

    def focus_field(self, name: str) -> None:
        """Focus the field ``name``, or the first part of it that takes the focus.

        At once, not by ``Widget.focus``, which waits its turn in the app's queue: a
        tab typed as the form opens would reach it with no field focused yet, and be
        lost to the focus coming after it."""
        widget = self.query_one(f"#field-{name}")
        if not widget.focusable:
            widget = next((w for w in widget.query("*") if w.focusable), widget)
        self.set_focus(widget)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Whatever takes the focus (tab, a click, a failed save) is scrolled into view
        with its whole box, label included; a group's first field brings the group's
        title with it."""
        if isinstance(event.widget, Input) and event.widget.has_class("date"):
            # A date is replaced more often than edited: typing takes the place of it.
            event.widget.select_all()
        row = row_of(event.widget)
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
                body.scroll_to_widget(target, top=tall, origin_visible=True, animate=False)

        self.call_after_refresh(show)

    def values(self) -> dict[str, Any]:
        return {f.name: read_field(f, self.query_one(f"#field-{f.name}")) for f in self.fields}

    def on_chooser_changed(self, event: Chooser.Changed) -> None:
        self._follow(event.chooser.id)

    def on_chooser_new_wanted(self, event: Chooser.NewWanted) -> None:
        """ "+ new …": the new record's own form, over this one; once it is saved, the
        chooser lists it and chooses it. What was typed here stays either way."""
        event.stop()
        chooser, make = event.chooser, self.new_record
        if make is None or not chooser.new_kind:
            return

        def saved(result: FormResult | None) -> None:
            made = next(
                (r for r in (result.records if result else []) if r.kind == chooser.new_kind),
                None,
            )
            if made is None or not chooser.is_mounted:
                return
            chooser.add_new(made.id, made.label)
            # As when a match is taken: a picker of one goes on to the next field.
            self.call_after_refresh(self._after_new, chooser)

        self.app.push_screen(make(chooser.new_kind, event.text), saved)

    def _after_new(self, chooser: Chooser) -> None:
        search = next(iter(chooser.query(Input)), None)
        if search is not None:
            self.set_focus(search)
            if isinstance(chooser, Picker) and not chooser.multiple:
                self.focus_next()

    def on_key_choice_changed(self, event: KeyChoice.Changed) -> None:
        self._follow(event.choice.id)

    def on_input_changed(self, event: Input.Changed) -> None:
        # A date typed: what follows it (the round it falls in) follows.
        if event.input.has_class("date"):
            self._follow(event.input.id)

    def _follow(self, widget_id: str | None) -> None:
        """Let fields that follow another (a date following its source) follow it."""
        changed = (widget_id or "").removeprefix("field-")
        if self.follow is None:
            return
        values = self.values()
        for name, value in self.follow(changed, values).items():
            if name not in values:
                continue
            current = values[name]
            untouched = current == self.initial.get(name) or current == self._followed.get(name)
            if untouched and current != value:
                self._followed[name] = value
                write_field(self.query_one(f"#field-{name}"), value)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field, the fields at fault outlined (``-invalid``),
        and the focus on the first of them."""
        names = {f.name for f in self.fields}
        general = [msg for key, msg in errors.items() if key not in names]
        self._say("", "; ".join(general))
        for field in self.fields:
            self._say(field.name, errors.get(field.name, ""))
        for field in self.fields:
            invalid = field.name in errors
            self.query_one(f"#row-{field.name}").set_class(invalid, "-invalid")
            self.query_one(f"#field-{field.name}").set_class(invalid, "-invalid")
        first = next((f for f in self.fields if f.name in errors), None)
        if first is not None:
            self.focus_field(first.name)

    def _say(self, name: str, message: str) -> None:
        """Show ``message`` below the field ``name`` (above the fields when ""), or
        nothing. A line is made the first time it has something to say: most forms
        never show one, and each widget fewer is a form that opens sooner."""
        block = next(iter(self.query(f"#error-{name}").results(TextBlock)), None)
        if block is None:
            if not message:
                return
            block = TextBlock(literal(message), classes="form-error -shown", id=f"error-{name}")
            if name:
                row = self.query_one(f"#row-{name}")
                (row.query_one(".form-field") if self.compact else row).mount(block)
            else:
                # The form's own line: below its title, above the fields.
                self.query_one(".dialog").mount(block, before=self.query_one(FormBody))
            return
        block.update(literal(message) if message else Content(""))
        block.set_class(bool(message), "-shown")

    VERBS = ("save", "apply", "compare", "find")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.VERBS:
            return action == self.verb
        return True

    def action_apply(self) -> None:
        self.action_save()

    def action_compare(self) -> None:
        self.action_save()

    def action_find(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        typed = {
            f.name: f"“{picker.pending}” is typed but not taken: ⏎ takes it, or clear it"
            for f in self.fields
            if isinstance(picker := self.query_one(f"#field-{f.name}"), Picker) and picker.pending
        }
        if typed:
            self.show_errors(typed)
            return
        values = self.values()
        self._write(values, lambda: self.submit(values))

    def _record_moved(self, said: str) -> None:
        """Someone else changed the record: say so above the fields, before the save."""
        if self._saving:
            return  # the change is this form's own
        self._say("", said)

    def _write(self, values: dict[str, Any], write: Callable[[], Outcome | None]) -> None:
        self._saving = True
        try:
            outcome = write()
        except Conflict as exc:
            self.show_errors({"": str(exc)})
            if self.on_conflict is not None:
                self._ask(values, exc, self.on_conflict)
            return
        except FormErrors as exc:
            self.show_errors(exc.errors)
            return
        except Corroborates as exc:
            self._offer(values, exc.offer)
            return
        except StoreError as exc:
            self.show_errors({"": str(exc)})
            return
        finally:
            self._saving = False
        self.dismiss(FormResult(list(outcome.records) if outcome else [], values))

    def _offer(self, values: dict[str, Any], offer: Offer) -> None:
        """The record repeats one stored: add this source to that one, save it as new, or
        go back to the form as it was typed."""
        self.show_errors({})

        def answered(choice: str | None) -> None:
            if choice == ADD:
                self._write(values, offer.add)
            elif choice == NEW:
                self._write(values, offer.as_new)

        self.app.push_screen(CorroborationScreen(offer), answered)

    def action_new_line(self) -> None:
        if not isinstance(self.focused, TextArea):
            raise SkipAction()
        self.focused.insert("\n")

    def action_enter_save(self) -> None:
        focused = self.focused
        if self.compact and isinstance(focused, TextArea):
            # One meaning for Enter in a quick form: on to the next field (shift+enter or
            # ctrl+j starts a new line; a paste keeps its lines).
            self.focus_next()
            return
        typing = isinstance(focused, TextArea) or (
            isinstance(focused, Input)
            and bool(focused.value)
            and any(isinstance(node, Chooser) for node in focused.ancestors)
        )
        if not self.enter_saves or typing:
            raise SkipAction()
        self.action_save()

    def _ask(self, values: dict[str, Any], conflict: Conflict, on_conflict: OnConflict) -> None:
        """Show the other change; reapply the edit on top of it, discard it, or go back."""

        def answered(choice: str | None) -> None:
            if choice == REAPPLY:
                self._write(values, lambda: on_conflict.reapply(self.pristine, values, conflict))
            elif choice == DISCARD:
                self.dismiss(None)
                self.app.notify("Your edit was discarded; nothing was saved.", timeout=5)

        self.app.push_screen(
            ConflictScreen(on_conflict.describe(conflict), can_reapply=conflict.revision > 0),
            answered,
        )

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
