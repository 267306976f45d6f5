"""The kiosk screen's model at a round change: when to tell students to move, and for how long."""
from kiosk.decide import UNREADABLE
from kiosk.moves import Move
from kiosk.view import MOVE_SECONDS, KioskView

MOVES = [Move("Ana O.", "Tech Station", False), Move("Ben N.", "Reading Nook", True)]


def test_a_new_round_lists_who_goes_where_until_the_room_has_changed_over():
    view = KioskView("Reading Nook")
    assert not view.round_is(1, MOVES, 0.0)  # the first round seen after starting up is not news
    assert view.round_is(2, MOVES, 10.0)
    model = view.model()
    assert (model.title, model.outcome) == ("Time to move!", "move")
    assert model.detail.splitlines() == ["Ana O. \u2013 go to Tech Station", "Ben N. \u2013 stay here"]
    view.show(UNREADABLE, 20.0)
    assert view.model().outcome == "unreadable"  # a scan still gets its answer
    view.update(26.0, 600, True, True)
    assert view.model().outcome == "move"  # and then the list is back
    view.update(10.0 + MOVE_SECONDS, 600, True, True)
    assert view.model().outcome == "idle"


def test_no_move_screen_when_the_session_starts_or_nobody_is_here():
    view = KioskView("Reading Nook")
    assert not view.round_is(0, [], 0.0)
    assert not view.round_is(1, MOVES, 1.0)  # the session starts: students arrive, nobody leaves
    assert not view.round_is(2, [], 2.0)  # a new round with nobody checked in here
    assert not view.round_is(2, MOVES, 3.0)  # the same round again is not news
    assert view.model().outcome == "idle"


def test_a_long_list_points_to_the_board():
    view = KioskView("Tech Station")
    view.round_is(1, [], 0.0)
    view.round_is(2, [Move(f"Student {i}.", "Tech", False) for i in range(9)], 1.0)
    assert view.model().detail.splitlines()[-1] == "and 3 more: look at the board"
