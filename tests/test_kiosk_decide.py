import json

import pytest

from kiosk.decide import decide
from kiosk.words import words
from shared.cards import make_token
from shared.protocol import decode
from tests.conftest import CARD_KEYS, SECRET, card

STATE = decode("state", json.dumps({
    "v": 1, "seq": 1, "hub_time": 0.0,
    "clock": {"round": 1, "rounds": 2, "duration": 60, "running": True, "ends_at": 60.0, "left": None},
    "stations": [{"id": "reading-nook", "name": "Reading Nook", "kind": "reading", "kiosk": True,
                  "groups": ["lynxes"]},
                 {"id": "tech", "name": "Tech Station", "kind": "tech", "kiosk": True, "groups": ["otters"]}],
    "groups": [], "presence": {},
    "students": {"s01": {"name": "Maya R.", "card": 1, "group": "otters"},
                 "s05": {"name": "Sofia R.", "card": 2, "group": "lynxes"},
                 "s09": {"name": "Priya P.", "card": 1, "group": None}},
}).encode())


def test_right_station_greets_by_first_name_and_initial():
    decision = decide(card("s05", 2), CARD_KEYS, STATE, "reading-nook", 0.0)
    assert (decision.outcome, *decision.english) == (
        "welcome", "Hi Sofia R.", "You're in the right place.")
    assert decision.records_checkin
    assert decision.good  # green, with the happy sound


def test_wrong_station_says_where_the_group_is():
    decision = decide(card("s01"), CARD_KEYS, STATE, "reading-nook", 0.0)
    assert decision.english[0] == "Maya R., your group is at Tech Station"
    assert decision.records_checkin
    assert not decision.good  # not green: she is to go elsewhere


@pytest.mark.parametrize("text, outcome, title", [
    (card("s05", 1), "revoked", "This card has been replaced"),
    (card("s77"), "unknown", "I don't know this card yet"),
    (card("s05", 2, key=b"x" * 32), "forged", "This card isn't from our class"),
    ("RS1:s05:2:ABC", "unreadable", "Let's try that again"),
    (make_token(SECRET, "s05", 2), "forged", "This card has been replaced"),  # an old card, where none are taken
])
def test_bad_cards_get_a_kind_message_and_no_name(text, outcome, title):
    decision = decide(text, CARD_KEYS, STATE, "reading-nook", 0.0)
    assert (decision.outcome, decision.english[0]) == (outcome, title)
    assert decision.name is None and "Sofia" not in "".join(decision.english)
    assert not decision.records_checkin
    assert not decision.good


def test_without_any_state_a_genuine_card_is_recorded_without_a_name():
    decision = decide(f" {card('s05', 2)} ", CARD_KEYS, None, "reading-nook", 0.0)
    assert (decision.outcome, *decision.english) == ("checked_in", "You're checked in",
                                                     "Thanks! Your teacher will see you here.")
    assert decision.name is None and decision.records_checkin
    assert (decision.student_id, decision.card) == ("s05", card("s05", 2))  # what the check-in records


def test_an_old_card_is_taken_where_the_room_still_takes_them():
    from dataclasses import replace

    decision = decide(make_token(SECRET, "s05", 2), replace(CARD_KEYS, old_secret=SECRET), STATE, "reading-nook", 0.0)
    assert (decision.outcome, decision.english[0]) == ("welcome", "Hi Sofia R.")


def test_the_screens_after_a_students_answer_and_their_buttons_stay_theirs():
    from kiosk.decide import checking_out, gives_ticket_first, going_out, thanks

    said = thanks("Sofia R.", "s05", "card-s05", leaving=False)
    assert (said.outcome, *said.english, said.student_id, said.card) == (
        "thanks", "Thank you!", "Your teacher will see it.", "s05", "card-s05")
    assert said.good and said.may_go_out and not said.records_checkin
    assert thanks("Sofia R.", "s05", "card-s05", leaving=True).outcome == "goodbye"
    greeted = decide(card("s01"), CARD_KEYS, STATE, "tech", 0.0)
    bye = checking_out(greeted)
    assert (bye.outcome, *bye.english, bye.student_id) == ("checkout", "Bye Maya R.", "Thanks for your work here!",
                                                           "s01")
    out = going_out(greeted)
    assert (out.outcome, *out.english) == ("out", "See you soon, Maya R.", "Scan your card when you are back.")
    assert out.good and not out.records_checkin
    from msgspec.structs import replace

    from shared.protocol import Presence
    here = replace(STATE, presence={"s01": Presence("tech", 5.0)})
    assert gives_ticket_first(here, "s01", "tech")
    assert not gives_ticket_first(here, "s01", "reading-nook")
    assert not gives_ticket_first(replace(here, checked_out={"s01": Presence("tech", 9.0)}), "s01", "tech")
    assert not gives_ticket_first(STATE, "s01", "tech")


def test_a_student_may_choose_where_they_are_or_anywhere_before_their_first_check_in_while_choosing_is_open():
    from msgspec.structs import replace

    from kiosk.decide import may_choose_here
    from shared.protocol import ChoiceRound, Presence

    choosing = replace(STATE, choice=ChoiceRound(2, 100.0, allowed={"s01": ("tech",), "s05": ("tech",)}),
                       presence={"s01": Presence("reading-nook", 5.0)})
    assert may_choose_here(choosing, "s01", "reading-nook", 50.0)  # where she is
    assert not may_choose_here(choosing, "s01", "tech", 50.0)  # not at another station
    assert may_choose_here(choosing, "s05", "tech", 50.0)  # checked in nowhere yet: any kiosk
    assert not may_choose_here(choosing, "s05", "tech", 100.0)  # choosing is over
    assert not may_choose_here(choosing, "s09", "tech", 50.0)  # not one of those choosing
    placed = replace(choosing, choice=replace(choosing.choice, going={"s05": "tech"}))
    assert not may_choose_here(placed, "s05", "tech", 50.0)  # has a place already
    assert not may_choose_here(STATE, "s05", "tech", 50.0)  # no choice round
    assert decide(card("s01"), CARD_KEYS, choosing, "reading-nook", 50.0).outcome == "choose"
    assert decide(card("s01"), CARD_KEYS, choosing, "tech", 50.0).outcome != "choose"  # chooses where she is


def test_scanning_again_a_minute_after_checking_in_this_round_is_leaving_and_not_before():
    from msgspec.structs import replace

    from shared.protocol import Presence

    here = replace(STATE, clock=replace(STATE.clock, started_at=100.0),
                   presence={"s05": Presence("reading-nook", 100.0)})
    assert decide(card("s05", 2), CARD_KEYS, here, "reading-nook", 159.9).outcome == "welcome"
    assert decide(card("s05", 2), CARD_KEYS, here, "reading-nook", 160.0).outcome == "checkout"  # a minute
    first_moment = replace(here, presence={"s05": Presence("reading-nook", 100.0)})
    assert decide(card("s05", 2), CARD_KEYS, first_moment, "reading-nook", 400.0).outcome == "checkout"
    before = replace(here, clock=replace(STATE.clock, started_at=100.1))  # checked in just before the round
    assert decide(card("s05", 2), CARD_KEYS, before, "reading-nook", 400.0).outcome == "welcome"
    idle = replace(here, clock=replace(STATE.clock, round=0, started_at=500.0))  # no round: no round to be before
    assert decide(card("s05", 2), CARD_KEYS, idle, "reading-nook", 400.0).outcome == "checkout"


def test_a_station_to_go_to_shows_its_colour_and_picture_only_when_it_has_both():
    from msgspec.structs import replace

    from kiosk.decide import _look

    nook = STATE.stations[0]
    assert _look(replace(nook, colour="rust", picture="menu_book")) == ("rust", "menu_book")
    assert _look(replace(nook, colour="rust", picture=None)) is None
    assert _look(replace(nook, colour=None, picture="menu_book")) is None


def _room():
    """The room, with Sofia asked in Spanish, in large text."""
    from msgspec.structs import replace

    from shared.protocol import Needs, Student

    students = {**STATE.students, "s05": Student("Sofia R.", 2, "lynxes", Needs(language="es", large_text=True))}
    return replace(STATE, students=students)


def _every_screen():
    """Each situation a genuine card of the running class meets, and what the student sees (in English)."""
    from msgspec.structs import replace

    from shared.protocol import ChoiceRound, Presence

    room = _room()
    nook, tech = "reading-nook", "tech"
    return [
        ("closing", replace(room, clock=replace(room.clock, closing_at=50.0)), nook, 0.0,
         ("checkout", "Bye Sofia R.", "The lesson is ending."), None),
        ("back from out, at their station", replace(room, out={"s05": Presence(nook, 5.0)}), nook, 0.0,
         ("back", "Welcome back, Sofia R.", "You're checked in."), None),
        ("back from out, elsewhere", replace(room, out={"s05": Presence(nook, 5.0)}), tech, 0.0,
         ("back", "Welcome back, Sofia R.", "You're checked in. Your group is at Reading Nook."), None),
        ("choosing", replace(room, choice=ChoiceRound(1, 100.0, allowed={"s05": (tech,)})), nook, 0.0,
         ("choose", "Hi Sofia R.", "Time to choose your next station."), None),
        ("leaving after a while", replace(room, presence={"s05": Presence(nook, 0.0)}), nook, 60.0,
         ("checkout", "Bye Sofia R.", "Thanks for your work here!"), None),
        ("right station", room, nook, 0.0, ("welcome", "Hi Sofia R.", "You're in the right place."), None),
        ("in no group", replace(room, students={**room.students, "s05": replace(room.students["s05"], group=None)}),
         tech, 0.0, ("welcome", "Hi Sofia R.", "You're checked in."), None),
        ("their group's elsewhere", room, tech, 0.0,
         ("elsewhere", "Sofia R., your group is at Reading Nook", "Please head over there now."), None),
        ("chose elsewhere", replace(room, choice=ChoiceRound(1, 0.0, going={"s05": tech})), nook, 0.0,
         ("elsewhere", "Sofia R., go to Tech Station", "Please head over there now."), None),
        ("painted station elsewhere",
         replace(room, stations=(replace(room.stations[0], colour="rust", picture="menu_book"), room.stations[1])),
         tech, 0.0, ("elsewhere", "Sofia R., your group is at Reading Nook", "Please head over there now."),
         ("rust", "menu_book")),
        ("painted station, back from out",
         replace(room, out={"s05": Presence(nook, 5.0)},
                 stations=(replace(room.stations[0], colour="rust", picture="menu_book"), room.stations[1])),
         tech, 0.0, ("back", "Welcome back, Sofia R.", "You're checked in. Your group is at Reading Nook."),
         ("rust", "menu_book")),
    ]


@pytest.mark.parametrize("situation, state, station, now, seen, look", _every_screen(),
                         ids=[screen[0] for screen in _every_screen()])
def test_every_screen_of_a_students_own_card_names_them_in_their_words_and_keeps_their_needs(situation, state, station,
                                                                                           now, seen, look):
    outcome, title, detail = seen
    decision = decide(card("s05", 2), CARD_KEYS, state, station, now)
    assert (decision.outcome, *decision.english) == (outcome, title, detail), situation
    assert (decision.student_id, decision.name, decision.card) == ("s05", "Sofia R.", card("s05", 2))
    assert decision.language == "es" and decision.needs.large_text  # asked in Spanish, in large text
    assert decision.look == look
    assert decision.said(words("es")) != decision.english  # and it is said in Spanish


def test_a_card_of_another_class_says_where_they_belong_without_a_name_or_a_check_in():
    from msgspec.structs import replace

    from shared.protocol import ClassEntry

    math_class = ClassEntry("period-2", "Period 2 Math", students=("s40",))
    science = ClassEntry("period-3", "Period 3 Science", students=("s05",))
    idle = replace(STATE, classes=(math_class,), class_id=None)
    decision = decide(card("s40"), CARD_KEYS, idle, "tech", 0.0)
    assert (decision.outcome, *decision.english) == ("other_class", "You're in Period 2 Math",
                                                       "Please ask your teacher.")
    running = replace(STATE, classes=(math_class, science), class_id="period-3")
    decision = decide(card("s40"), CARD_KEYS, running, "tech", 0.0)
    assert (decision.outcome, *decision.english) == (
        "other_class", "You're in Period 2 Math", "This is Period 3 Science. Please ask your teacher.")
    assert decision.name is None and decision.student_id is None and not decision.records_checkin
    assert decide(card("s41"), CARD_KEYS, running, "tech", 0.0).outcome == "unknown"  # in no class of the room


def test_the_screens_after_an_answer_keep_the_students_name_and_needs():
    from kiosk.decide import checking_out, going_out, thanks
    from shared.protocol import Needs

    needs = Needs(language="es")
    said = thanks("Sofia R.", "s05", "card-s05", leaving=False, needs=needs)
    assert (said.name, said.language) == ("Sofia R.", "es")
    greeted = decide(card("s05", 2), CARD_KEYS, _room(), "reading-nook", 0.0)
    assert checking_out(greeted).english == ("Bye Sofia R.", "Thanks for your work here!")
    assert going_out(greeted).english == ("See you soon, Sofia R.", "Scan your card when you are back.")
