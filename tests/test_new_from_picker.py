"""A picker that finds nothing offers "+ new …": its short form opens named with what was
typed, and once saved the new record is chosen in the picker, both stored on save."""

from __future__ import annotations

from pathlib import Path

from conftest import fixed_clock
from textual.widgets import Input
from tui_helpers import (
    edit_latest_round,
    make_app,
    press,
    run_async,
    screen_text,
    settle,
    type_fast,
)

from store import Actor, Person, Position, Repository, Round, StickingPoint, open_store
from tui.dialogs.form import FormScreen
from tui.widgets.key_choice import KeyChoice
from tui.widgets.picker import Picker, SearchBox
from tui.widgets.ref_chooser import RefChooser

POINT = "philadelphi-corridor"


def reopened(path: Path) -> Repository:
    return open_store(path, clock=fixed_clock)


def form(app: object) -> FormScreen:
    screen = getattr(app, "screen", None)
    assert isinstance(screen, FormScreen), screen
    return screen


@run_async
async def test_a_new_party_from_a_quick_forms_picker(seeded: Repository, store_path: Path) -> None:
    """p on the Philadelphi Corridor, "Houthis" in the party picker: no match, "+ new
    actor"; Enter opens the actor's form named Houthis, m (movement) and ctrl+s save it and
    choose it as the party, and the position saved next names it."""
    actors = len(seeded.list_as(Actor))
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "p")
        position = form(app)
        assert position.query_one("#field-point_id", Picker).value == [POINT]
        await type_fast(pilot, "Houthis")
        text = screen_text(app)
        assert "no match for “Houthis”" in text and "+ new actor: Houthis" in text, text
        await press(pilot, "enter")
        actor_form = form(app)
        assert actor_form is not position and actor_form.form_title == "New actor"
        assert actor_form.query_one("#field-name", Input).value == "Houthis"
        assert isinstance(app.focused, KeyChoice)  # the name is there: on to its kind
        await press(pilot, "m", "ctrl+s")
        assert app.screen is position
        party = position.query_one("#field-actor_id", Picker)
        assert [party.label_of(k) for k in party.value] == ["Houthis"]
        assert party.pending == ""
        # Chosen as a match is: on to the next field, the firmness.
        assert app.focused is position.query_one("#field-firmness", KeyChoice)
        await press(pilot, "d")
        await type_fast(pilot, "Out of the sea lanes.")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
    with reopened(store_path) as fresh:
        [houthis] = [a for a in fresh.list_as(Actor) if a.name == "Houthis"]
        assert houthis.actor_kind.value == "movement"
        assert len(fresh.list_as(Actor)) == actors + 1
        [stance] = [p for p in fresh.list_as(Position) if p.actor_id == houthis.id]
        assert (stance.point_id, stance.stance) == (POINT, "Out of the sea lanes.")


@run_async
async def test_a_new_participant_from_a_full_forms_chooser(
    seeded: Repository, store_path: Path
) -> None:
    """In a round's edit form, "Jordan" among the participants: Enter opens the actor's
    form, and once saved Jordan is ticked beside the others, the search emptied."""
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        round_form = await edit_latest_round(app, pilot)
        chooser = round_form.query_one("#field-participant_ids", RefChooser)
        before = chooser.value
        chooser.focus()
        await type_fast(pilot, "Jordan")
        assert "+ new actor: Jordan" in screen_text(app)
        await press(pilot, "enter")
        assert form(app).query_one("#field-name", Input).value == "Jordan"
        await press(pilot, "s", "ctrl+s")
        assert app.screen is round_form
        assert chooser.value[:-1] == before and chooser.labels[chooser.value[-1]] == "Jordan"
        assert chooser.search.value == "" and app.focused is chooser.search
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
    with reopened(store_path) as fresh:
        [jordan] = [a for a in fresh.list_as(Actor) if a.name == "Jordan"]
        assert jordan.actor_kind.value == "state"
        latest = max(fresh.list_as(Round), key=lambda r: r.start)
        assert latest.participant_ids == [*before, jordan.id]


@run_async
async def test_a_new_speaker_and_the_actor_they_speak_for(
    seeded: Repository, store_path: Path
) -> None:
    """A new person from the speaker picker, and in the person's form a new actor from
    theirs: each form chooses what the one above it made; three records on three saves."""
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "p")
        await type_fast(pilot, "hamas")
        await press(pilot, "enter", "c")
        await type_fast(pilot, "Only with guarantees.")
        position = form(app)
        speaker = position.query_one("#field-speaker_id", Picker)
        speaker.query_one(SearchBox).focus()
        await type_fast(pilot, "Amal Haddad")
        await press(pilot, "enter")
        person_form = form(app)
        assert person_form.query_one("#field-name", Input).value == "Amal Haddad"
        await type_fast(pilot, "Spokesperson")
        await press(pilot, "tab")
        await type_fast(pilot, "Arab League")
        await press(pilot, "enter")
        assert form(app).form_title == "New actor"
        await press(pilot, "o", "ctrl+s")
        assert app.screen is person_form
        assert person_form.query_one("#field-actor_id", Picker).label_of(
            person_form.query_one("#field-actor_id", Picker).value[0]
        ) == ("Arab League")
        await press(pilot, "ctrl+s")
        assert app.screen is position
        assert [speaker.label_of(k) for k in speaker.value] == ["Amal Haddad"]
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
    with reopened(store_path) as fresh:
        [league] = [a for a in fresh.list_as(Actor) if a.name == "Arab League"]
        [amal] = [p for p in fresh.list_as(Person) if p.name == "Amal Haddad"]
        assert (amal.title, amal.actor_id) == ("Spokesperson", league.id)
        [said] = [p for p in fresh.list_as(Position) if p.stance == "Only with guarantees."]
        assert (said.speaker_id, said.actor_id) == (amal.id, "hamas")


@run_async
async def test_leaving_the_new_form_keeps_what_was_typed(
    seeded: Repository, store_path: Path
) -> None:
    """Esc on the new record's form goes back to the picker with the words still typed,
    and nothing is stored; a new sticking point takes its title from them (here in place
    of the one the form was opened on, let go with backspace)."""
    points = len(seeded.list_as(StickingPoint))
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "p", "shift+tab", "backspace")
        await type_fast(pilot, "Rafah crossing")
        await press(pilot, "enter")
        assert form(app).form_title == "New sticking point"
        await press(pilot, "escape")
        position = form(app)
        picker = position.query_one("#field-point_id", Picker)
        assert picker.pending == "Rafah crossing" and picker.value == []
        await press(pilot, "enter", "shift+tab", "h", "ctrl+s")
        assert app.screen is position
        assert [picker.label_of(k) for k in picker.value] == ["Rafah crossing"]
    with reopened(store_path) as fresh:
        made = [p for p in fresh.list_as(StickingPoint) if p.title == "Rafah crossing"]
        assert len(made) == 1 and len(fresh.list_as(StickingPoint)) == points + 1
        assert (made[0].status.value, made[0].priority.value) == ("open", "high")
