"""Choice rounds, the rules alone (hub/choices.py, the engine's choosing, kiosk/choosing.py): which stations a student
may choose, who gets the last place, where a student who did not choose goes, and what the kiosk says. Pure; the
same through the real kiosks, broker and hub: tests/test_choice_rounds.py."""
from msgspec.structs import replace

from hub.choices import Choosing, allowed_stations
from hub.engine import Room
from hub.report import SessionEvent
from hub.roster import RosterStudent
from hub.tomorrow import choice_lines
from kiosk.choosing import after_pick
from kiosk.prompts import Prompt
from shared.config import StationConfig
from shared.protocol import PickAnswer, StartArgs
from tests.conftest import card
from tests.test_kiosk_decide import STATE

# Three stations of two places, six students in groups of one: the plan's tracks are two students each.
STATIONS = (("x", "Library", "reading"), ("y", "Lab", "tech"), ("z", "Studio", "collaborative"))
STUDENTS = ("a1", "a2", "a3", "a4", "a5", "a6")


def pure_room() -> Room:
    stations = tuple(StationConfig(sid, name, kind, capacity=2) for sid, name, kind in STATIONS)
    students = [RosterStudent(s, f"Kid{s[-1]}", "Lee", f"g{s[-1]}") for s in STUDENTS]
    return Room("room-12", stations, students, {s: 1 for s in STUDENTS}, 600)


def test_a_student_with_must_dos_left_may_choose_only_those_and_then_only_may_dos():
    assert allowed_stations(["x", "y", "z"], frozenset({"x", "y"}), frozenset()) == ("x", "y")
    assert allowed_stations(["x", "y", "z"], frozenset({"x", "y"}), frozenset({"x"})) == ("y",)
    assert allowed_stations(["x", "y", "z"], frozenset({"x", "y"}), frozenset({"x", "y"})) == ("z",)
    assert allowed_stations(["x", "y", "z"], frozenset(), frozenset({"x"})) == ("y", "z")  # not back again
    assert allowed_stations(["x", "y", "z"], frozenset({"x"}), frozenset({"x", "y", "z"})) == ("y", "z")
    room = pure_room()
    room.command("start", 1000.0, lesson=StartArgs(choice_rounds=(2,), must_do=("x",), passing=1))
    plan = room.plan()
    at_x = next(s for s in STUDENTS if f"g{s[-1]}" in plan["x"])
    elsewhere = next(s for s in STUDENTS if f"g{s[-1]}" in plan["y"])
    room.check_in(at_x, "x", 1010.0)
    room.check_in(elsewhere, "y", 1010.0)
    assert room.choice_round() is None  # round 1 is the teacher's
    room.command("next", 1600.0)
    choice = room.choice_round()
    assert choice is not None and choice.until == 1660.0  # the passing time
    assert choice.allowed[elsewhere] == ("x",)  # the must-do first
    assert choice.allowed[at_x] == ("y", "z")  # been there: the may-dos
    assert room.pick(elsewhere, "y", 1601.0) == "not_allowed"
    assert room.pick(at_x, "y", 1601.0) is None
    assert room.snapshot(1601.0).expected_station(at_x).id == "y"


def test_the_last_place_goes_to_the_first_pick_and_the_next_is_told_it_is_full():
    choosing = Choosing(2, 100.0, frozenset(), {"x": 2}, {s: ("x", "y") for s in STUDENTS})
    assert choosing.pick("a1", "x", 10.0) is None
    assert choosing.places_for("a2") == {"x": 1}
    assert choosing.pick("a2", "x", 10.0) is None
    assert choosing.pick("a3", "x", 10.0) == "full"
    assert choosing.pick("a3", "y", 10.0) is None  # no limit
    assert choosing.pick("a1", "x", 10.0) is None  # the same pick again (a resend) is still theirs
    assert choosing.pick("a4", "y", 100.0) == "closed"


def test_who_does_not_choose_goes_where_the_plan_sends_them_or_where_there_is_room_must_do_first():
    choosing = Choosing(2, 100.0, frozenset({"z"}), {"x": 1, "y": 2, "z": 2},
                        {"a1": ("x", "y", "z"), "a2": ("z",), "a3": ("z",), "a4": ("y",)})
    assert choosing.pick("a1", "x", 1.0) is None  # x is now full
    placed = choosing.close({"a2": "x", "a3": "y", "a4": "y"}, ["x", "y", "z"])
    assert placed == {"a2": "z", "a3": "y", "a4": "y"}  # a2's planned x is full: their must-do z
    assert choosing.public().how == {"a1": "chose", "a2": "placed", "a3": "placed", "a4": "placed"}


def test_tomorrow_names_a_student_who_always_chose_the_same_station_or_avoided_a_must_do():

    members = [RosterStudent(s, f"Kid{s[-1]}", "Lee", None) for s in ("a1", "a2")]
    names = {"a1": "Kid1 L.", "a2": "Kid2 L."}
    events = [SessionEvent(1.0, "checkin", "a1", "y"), SessionEvent(2.0, "pick", "a1", "y", {"to": "z"}),
              SessionEvent(3.0, "checkin", "a1", "z"), SessionEvent(4.0, "pick", "a1", "z", {"to": "z"}),
              SessionEvent(1.0, "checkin", "a2", "x"), SessionEvent(2.0, "pick", "a2", "x", {"to": "y"})]
    lines = choice_lines(events, members, names, {"x": "Library", "y": "Lab", "z": "Studio"}, ["x"])
    assert [(line.name, line.reason) for line in lines] == [
        ("Kid1 L.", "always chose Studio (2 times): offer another station first"),
        ("Kid1 L.", "avoided a must-do: never at Library")]


def test_a_student_who_chose_a_station_without_a_kiosk_is_sent_there_but_not_told_to_scan_there():
    table = replace(STATE.stations[0], id="table", name="Teacher's Table", kiosk=False)
    state = replace(STATE, stations=(*STATE.stations, table))
    prompt = Prompt("pick", card("s05", 2), "s05", "Sofia R.", "Where next?", "Where next?", ())
    to_table, _ = after_pick(prompt, PickAnswer(id="e-1", student="s05", to="table", granted=True), state)
    assert to_table.english == ("Sofia R., go to Teacher's Table", "Your place is saved.")
    to_tech, _ = after_pick(prompt, PickAnswer(id="e-2", student="s05", to="tech", granted=True), state)
    assert to_tech.english == ("Sofia R., go to Tech Station", "Your place is saved. Scan your card there.")


def test_places_left_count_only_stations_with_a_limit_and_never_go_below_none():
    choosing = Choosing(2, 100.0, frozenset(), {"x": 1}, {"a1": ("x", "y"), "a2": ("x", "y")})
    assert (choosing.left("x"), choosing.left("y")) == (1, None)
    choosing.going.update({"a1": "x", "a2": "x"})  # placed over the limit when choosing closed
    assert choosing.left("x") == 0 and choosing.places() == {"x": 0}
    assert choosing.places_for("a1") == {"x": 0} and choosing.places_for("zz") == {}


def test_a_pick_moves_a_students_place_and_a_station_they_may_not_choose_is_refused():
    choosing = Choosing(2, 100.0, frozenset(), {"x": 1, "y": 1}, {"a1": ("x", "y"), "a2": ("x",)})
    assert choosing.pick("a1", "x", 1.0) is None
    assert choosing.pick("a1", "y", 2.0) is None  # changed their mind: x has its place back
    assert choosing.places() == {"x": 1, "y": 0}
    assert choosing.pick("a2", "y", 3.0) == "not_allowed"
    assert choosing.pick("a2", "x", 99.9) is None
    choosing.close({}, ["x", "y"])
    assert choosing.pick("a2", "x", 50.0) == "closed"  # closed early, before its time was up


def test_with_no_room_anywhere_a_student_who_did_not_choose_goes_where_the_plan_sends_them():
    choosing = Choosing(2, 100.0, frozenset(), {"x": 1, "y": 1}, {"a1": ("x", "y"), "a2": ("x", "y"),
                                                                   "a3": ("x", "y")})
    choosing.pick("a1", "x", 1.0)
    choosing.pick("a2", "y", 1.0)
    assert choosing.close({"a3": "y"}, ["x", "y"]) == {"a3": "y"}
    unplanned = Choosing(2, 100.0, frozenset(), {"x": 0}, {"a4": ("x",)})
    assert unplanned.close({}, ["x"]) == {"a4": "x"}  # nor a plan: their first choice
    nowhere = Choosing(2, 100.0, frozenset(), {}, {"a5": ()})
    assert nowhere.close({}, []) == {}


def test_choosing_opens_for_the_running_stations_only_and_their_limits():
    from hub.choices import open_choosing

    choosing = open_choosing(3, 500.0, ["x", "y"], frozenset({"x", "z"}), {"x": 2, "y": None, "z": 4},
                             ["a1", "a2"], {"a1": frozenset({"x"})})
    assert (choosing.round, choosing.until, choosing.must) == (3, 500.0, frozenset({"x"}))  # z is off
    assert choosing.capacity == {"x": 2}
    assert choosing.allowed == {"a1": ("y",), "a2": ("x",)}
    assert choosing.public().must == ("x",)


PROMPT = Prompt("pick", card("s05", 2), "s05", "Sofia R.", "Where next?", "Where next?", ())


def test_a_place_taken_first_asks_again_among_the_stations_left_and_after_choosing_the_board_decides():
    from shared.protocol import ChoiceRound

    stations = tuple(replace(s, colour="blue", picture="menu_book") if s.id == "reading-nook" else s
                     for s in STATE.stations)
    state = replace(STATE, stations=stations, choice=ChoiceRound(2, 100.0, places={"tech": 0, "reading-nook": 3},
                                                                 allowed={"s05": ("tech", "reading-nook")}))
    full, again = after_pick(PROMPT, PickAnswer(id="e-1", student="s05", to="tech", granted=False, reason="full",
                                                left={"tech": 0, "reading-nook": 3}), state)
    assert full.english == ("Sorry, Tech Station just filled up", "Pick another station.")
    assert full.outcome == "full" and full.student_id == "s05"
    assert [(o.value, o.places) for o in again.options] == [("reading-nook", 3)]
    closed, nothing = after_pick(PROMPT, PickAnswer(id="e-2", student="s05", to="tech", granted=False,
                                                    reason="closed"), state)
    assert closed.english == ("Choosing has finished", "Look at the board to see where to go.")
    assert nothing is None and closed.outcome == "closed"
    granted, _ = after_pick(PROMPT, PickAnswer(id="e-3", student="s05", to="reading-nook", granted=True), state)
    assert granted.look == ("blue", "menu_book") and granted.good  # the station's colour and picture, in green


def test_while_the_hub_is_asked_and_when_it_does_not_answer_the_student_is_told_so():
    from kiosk.choosing import overdue, saving

    waiting = saving(PROMPT, "Lab")
    assert waiting.english == ("Saving your place…", "Lab: just a moment.") and waiting.card == PROMPT.card
    late = overdue(PROMPT)
    assert late.english == ("Your place is not saved yet", "Look at the board to see where to go.")
    assert not late.good


def test_the_time_to_choose_counts_down_only_while_choosing_is_open():
    from kiosk.choosing import choosing_left
    from shared.protocol import ChoiceRound

    state = replace(STATE, choice=ChoiceRound(2, 100.0))
    assert choosing_left(state, 58.0) == 42.0
    assert choosing_left(state, 100.0) is None
    assert choosing_left(replace(STATE, choice=None), 58.0) is None
    assert choosing_left(None, 58.0) is None


def test_every_screen_of_a_pick_stays_the_students_own_in_their_language():
    from kiosk.choosing import overdue, saving
    from kiosk.prompts import Option
    from shared.protocol import ChoiceRound, Needs

    theirs = Prompt("pick", card("s05", 2), "s05", "Sofia R.", "Where next?", "Where next?",
                    (Option("tech", "computer", "Tech Station"),), needs=Needs(language="es"))
    choice = ChoiceRound(2, 100.0, places={"tech": 1, "reading-nook": 1}, allowed={"s05": ("tech", "reading-nook")})
    state = replace(STATE, choice=choice)
    full, again = after_pick(theirs, PickAnswer(id="e-1", student="s05", to="tech", granted=False, reason="full",
                                                left={"tech": 0, "reading-nook": 1}), state)
    screens = [saving(theirs, "Lab"), overdue(theirs), full,
               after_pick(theirs, PickAnswer(id="e-2", student="s05", to="tech", granted=True), state)[0]]
    for screen in screens:
        assert (screen.student_id, screen.name, screen.card, screen.language) == (
            "s05", "Sofia R.", card("s05", 2), "es"), screen.outcome
    assert [screen.outcome for screen in screens] == ["saving", "closed", "full", "chose"]
    assert (again.card, again.name, again.needs) == (card("s05", 2), "Sofia R.", Needs(language="es"))
    assert [(o.value, o.places) for o in again.options] == [("reading-nook", 1)]  # the hub's count: tech is full
