"""The questions a kiosk asks after a scan: choice, goal, exit ticket and what next. Pure."""
from msgspec.structs import replace

from kiosk.decide import decide
from kiosk.prompts import after_answer, after_scan
from shared.pictures import goal_pictures
from shared.protocol import Presence, Progress
from tests.conftest import CARD_KEYS, card
from tests.test_kiosk_decide import STATE

NOOK = replace(STATE.stations[0], activities=("Read a book", "Listen to a story", "Write a review"),
               picture="menu_book")
ROOM = replace(STATE, stations=(NOOK, STATE.stations[1]), goals=("Try something hard", "Help a friend"))


def scan(state, now: float = 0.0, station: str = "reading-nook"):
    decision = decide(card("s05", 2), CARD_KEYS, state, station, now)
    return decision, after_scan(decision, state, station)


def test_arriving_at_the_right_station_asks_which_activity_then_a_goal():
    decision, choice = scan(ROOM)
    assert (decision.english[0], choice.kind, choice.question) == (
        "Hi Sofia R.", "choice", "What will you do? Tap one.")
    assert [(o.picture, o.label) for o in choice.options] == [  # the station's picture: none of their own
        ("menu_book", "Read a book"), ("menu_book", "Listen to a story"), ("menu_book", "Write a review")]
    data, goal = after_answer(choice, "Listen to a story", ROOM)
    assert data == {"activity": "Listen to a story"}
    assert (goal.kind, goal.title.format(name=goal.name), goal.skippable) == (
        "goal", "Sofia R., what is your goal?", True)
    assert after_answer(goal, "Help a friend", ROOM) == ({"goal": "Help a friend"}, None)
    assert after_answer(goal, None, ROOM) == (None, None)  # Skip records nothing


def test_one_goal_a_session_and_no_questions_for_the_wrong_station():
    with_goal = replace(ROOM, progress={"s05": Progress(goal="Help a friend")})
    _, choice = scan(with_goal)
    assert after_answer(choice, "Read a book", with_goal) == ({"activity": "Read a book"}, None)
    _, nothing = scan(ROOM, station="tech")  # Sofia's group is at the reading nook
    assert nothing is None
    _, goal_only = scan(replace(ROOM, stations=STATE.stations))  # a station with no activities
    assert goal_only.kind == "goal"


def test_scanning_again_a_minute_later_is_checking_out_with_an_exit_ticket():
    here = replace(ROOM, presence={"s05": Presence("reading-nook", 100.0)})
    assert scan(here, now=130.0)[1].kind == "choice"  # half a minute: a double scan or second thoughts
    decision, ticket = scan(here, now=170.0)
    assert (decision.outcome, ticket.kind) == ("checkout", "exit_ticket")
    assert [o.label for o in ticket.options] == ["Got it!", "Getting there", "I'm stuck"]
    data, following = after_answer(ticket, "getting_there", here)
    assert data == {"how": "getting_there"} and following.kind == "next" and following.skippable
    assert after_answer(following, "Something harder", here) == (
        {"how": "getting_there", "next": "Something harder"}, None)
    earlier_round = replace(here, clock=replace(here.clock, started_at=150.0))
    assert scan(earlier_round, now=170.0)[0].outcome == "welcome"  # last round's check-in: arriving anew
    left = replace(here, checked_out={"s05": Presence("reading-nook", 160.0)})
    assert scan(left, now=400.0)[0].outcome == "welcome"  # she said "I'm done" here: now she is back


def test_every_answer_has_a_picture_of_its_own_and_a_station_without_them_lends_its_own():
    pictured = replace(ROOM, stations=(replace(NOOK, pictures=("menu_book", "headphones", "edit")),
                                       STATE.stations[1]),
                       goal_pictures=goal_pictures(ROOM.goals, (), ("Try something hard", "Help a friend")))
    _, choice = scan(pictured)
    assert [o.picture for o in choice.options] == ["menu_book", "headphones", "edit"]
    _, goal = after_answer(choice, "Read a book", pictured)
    assert len({o.picture for o in goal.options}) == len(goal.options) == 2
    here = replace(pictured, presence={"s05": Presence("reading-nook", 100.0)})
    _, ticket = scan(here, now=170.0)
    _, following = after_answer(ticket, "got_it", here)
    for question in (ticket, following):
        assert len({o.picture for o in question.options}) == len(question.options)
    assert [o.picture for o in goal.options] == list(pictured.goal_pictures)  # each goal with its own


def test_a_class_without_goals_is_never_asked_for_one():
    no_goals = replace(ROOM, goals=(), goal_pictures=())
    _, choice = scan(no_goals)
    assert after_answer(choice, "Read a book", no_goals) == ({"activity": "Read a book"}, None)
    _, nothing = scan(replace(no_goals, stations=STATE.stations))  # no activities either: nothing to ask
    assert nothing is None
