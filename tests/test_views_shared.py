"""Pieces two views share: the gap board and a party's response to a proposal."""

from __future__ import annotations

from datetime import date

from tui_helpers import SEED_TRACK, dashboard, make_app, press, run_async, settle

from store import Firmness, Position, Proposal, Repository, Response, ResponseStatus, Round
from store.exchange.seed import seed
from store.reading.trends import firmness_history
from store.records.commands import Commands
from store.records.drafts import Citation
from tui.trends import strip
from tui.views.details import proposal_lines, response_line, round_detail
from tui.views.gap_board import CHANGED, NO_POSITION, SILENT, GapBoard, gap_cell


def _position(**changes: object) -> Position:
    fields: dict[str, object] = {
        "id": "p",
        "track_id": SEED_TRACK,
        "point_id": "philadelphi-corridor",
        "actor_id": "israel",
        "date": date(2024, 8, 20),
        "stance": "[bold]stays[/bold] on the corridor",
        "firmness": Firmness.RED_LINE,
        "unsourced": True,
    }
    fields.update(changes)
    return Position.model_validate(fields)


def test_gap_cell_reads_firmness_then_gist_literally() -> None:
    """The gist where there is one, else the stance; markup in either stays text."""
    text, style = gap_cell(_position())
    assert text == "red line: [bold]stays[/bold] on the corridor"
    assert style
    assert gap_cell(_position(gist="[i]short[/i]"))[0] == "red line: [i]short[/i]"
    assert gap_cell(None) == NO_POSITION
    # Each firmness has its own look on the board.
    looks = {gap_cell(_position(firmness=f))[1] for f in Firmness}
    assert len(looks) == len(Firmness)


def test_response_line_with_and_without_its_note(repo: Repository) -> None:
    seed(repo)
    response = Response(
        actor_id="hamas",
        status=ResponseStatus.REJECTED,
        date=date(2024, 8, 20),
        note="[bold]new conditions[/bold]",
        unsourced=True,
    )
    full = response_line(repo, response).plain
    assert full == "  Hamas: rejected  2024-08-20  [bold]new conditions[/bold]"
    short = response_line(repo, response, with_note=False).plain
    assert short == "  Hamas: rejected  2024-08-20"
    undated = response.model_copy(update={"date": None, "note": ""})
    assert response_line(repo, undated).plain == "  Hamas: rejected"


def test_proposal_lines_list_every_response(repo: Repository) -> None:
    seed(repo)
    proposal = repo.proposals(SEED_TRACK)[0]
    assert isinstance(proposal, Proposal) and proposal.responses
    text = [c.plain for c in proposal_lines(repo, proposal)]
    for response in proposal.responses:
        assert response_line(repo, response).plain in text


@run_async
async def test_both_boards_select_the_stance_under_the_cursor(repo: Repository) -> None:
    """Overview and Positions: a cell selects that actor's latest position on that point,
    or the point where the actor stated none; the point's own columns select the point."""
    seed(repo)
    latest = repo.latest_positions(SEED_TRACK)
    history = firmness_history(repo, SEED_TRACK)
    app = make_app(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, board_id in (("1", "#gap-board"), ("4", "#matrix")):
            await press(pilot, key)
            view = dashboard(app).active_view
            board = view.query_one(board_id, GapBoard)
            assert board.actors, board_id
            assert [c.label for c in board.columns[board.leading :]] == [
                repo.get("actor", a).label for a in board.actors
            ]
            chose_position = chose_point_for_a_silent_actor = False
            for row_index, row in enumerate(board.rows):
                for column in range(len(board.columns)):
                    board.cursor_row, board.cursor_column = row_index, column
                    actor = board.actor_at(column)
                    expected = latest.get((row.key, actor)) if actor else None
                    chose_position |= expected is not None
                    chose_point_for_a_silent_actor |= actor is not None and expected is None
                    assert view.selected() == (expected or repo.get("point", row.key))
                    if actor is not None:
                        # The Positions matrix leads each stance with its firmness over time.
                        steps = history.get((row.key, actor), [])
                        trend = strip(steps) if board_id == "#matrix" else ""
                        if board_id == "#matrix" and not any(a == actor for _, a in latest):
                            # An actor silent on every point: one mark a cell.
                            assert row.cells[column] == SILENT
                        else:
                            cell = row.cells[column]
                            assert isinstance(cell, tuple)
                            # The Overview marks a cell changed in its Since window.
                            shown = (cell[0].removeprefix(CHANGED), cell[1])
                            assert shown == gap_cell(expected, trend)
            assert chose_position, board_id
            if board_id == "#matrix":
                # Non-parties who spoke on some points only leave other cells empty.
                assert chose_point_for_a_silent_actor


def test_a_rounds_detail_lists_its_own_positions_then_those_only_dated_within_it(
    seeded: Repository,
) -> None:
    """Positions linked to the round first; then, apart and marked, those dated within
    it that name no round; never one that names another round."""
    commands = Commands(seeded)
    doha = seeded.get_as(Round, "doha-round-2024-08")
    track = doha.track_id

    def stance(text: str, on: str, round_id: str | None) -> None:
        commands.record_position(
            track,
            point_id="philadelphi-corridor",
            actor_id="hamas",
            on=on,
            firmness="demand",
            stance=text,
            round_id=round_id,
            cite=Citation(unsourced=True),
        )

    stance("Linked, dated after the round.", "2024-08-30", doha.id)
    stance("Unlinked, dated within.", doha.start.isoformat(), None)
    stance("Linked to another round.", doha.start.isoformat(), "blinken-tour-2024-08")
    text = str(round_detail(seeded, seeded.get_as(Round, doha.id)))
    own = text.index("Positions stated in the round")
    guessed = text.index("Dated within the round, not linked to it")
    assert own < text.index("Linked, dated after the round.") < guessed
    assert guessed < text.index("Unlinked, dated within.")
    assert "Linked to another round." not in text
    assert "Events dated within the round, not linked to it" in text
