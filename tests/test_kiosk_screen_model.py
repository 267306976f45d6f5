"""What the kiosk's screen shows, as data (kiosk/view.py KioskView.model): its words, colours, clock and foot, for
each moment of a lesson. Pure: the Kivy screen only copies these fields (tests/test_kiosk_screen.py draws them)."""
from kiosk.decide import Decision
from kiosk.moves import Move, moves_from
from kiosk.prompts import Option, Prompt
from kiosk.view import COLOURS, CONTRAST_BACKGROUND, MOVE_SECONDS, STATUS, WARNING_INK, KioskView
from shared.protocol import Needs

HELLO = Decision("welcome", "Hi {name}", "You're in the right place.", "s1", "Tom R.", "card-s1")
ELSEWHERE = Decision("elsewhere", "{name}, your group is at {station}", "Please go there.", "s2", "Maya R.",
                     "card-s2", params=(("station", "Tech Station"),))
FORGED = Decision("forged", "This card isn't from our class", "Please show your teacher.")


def screen(view: KioskView, now: float = 0.0, time_left: float | None = 600, **status):
    view.update(now, time_left, status.pop("connected", True), status.pop("hub_online", True), **status)
    return view.model()


def test_with_nobody_at_it_the_kiosk_asks_for_a_card_and_shows_whole_minutes_left():
    model = screen(KioskView("Reading Nook"), time_left=61)
    assert (model.station, model.title, model.detail) == ("Reading Nook", "Show your card",
                                                         "Hold your QR card up to the scanner.")
    assert (model.colour, model.outcome, model.clock, model.status) == (COLOURS["idle"], "idle", "2 min", "")
    assert model.help == "I need help" and not model.help_waiting
    assert not (model.can_go_out or model.can_check_out or model.can_open_path)


def test_the_clock_counts_seconds_only_in_the_last_minute_and_says_paused_ending_and_times_up():
    view = KioskView("Reading Nook")
    assert screen(view, time_left=60).clock == "1:00"
    assert screen(view, time_left=59.5).clock == "1:00"  # a second shows until it is over
    assert screen(view, time_left=58.9).clock == "0:59"
    assert screen(view, time_left=0).clock == "time's up"
    assert screen(view, time_left=None).clock == ""
    assert screen(view, phase="paused").clock == "Paused"
    assert screen(view, phase="closing").clock == "Ending"
    assert screen(view, phase="passing", moving=75).clock == "Move 1:15"
    assert screen(view, choosing_left=42).clock == "Choose 0:42"


def test_the_clock_turns_amber_in_the_last_minute_while_moving_and_while_choosing():
    view = KioskView("Reading Nook")
    for phase in ("warning", "over", "passing"):
        screen(view, phase=phase)
        assert view.clock_ink == WARNING_INK, phase
    screen(view, phase="working")
    assert view.clock_ink == (1, 1, 1, 1)
    screen(view, phase="working", choosing_left=30)
    assert view.clock_ink == WARNING_INK


def test_the_foot_says_what_is_wrong_with_the_kiosk_most_urgent_first():
    view = KioskView("Reading Nook")
    assert screen(view, scanner_ok=False, connected=False).status == STATUS["scanner"]
    assert screen(view, scanner_set_up_wrong=True, connected=False).status == STATUS["scanner_set_up"]
    assert screen(view, storage_full=True, hub_online=False).status == STATUS["storage_alone"]
    assert screen(view, storage_full=True).status == STATUS["storage"]
    assert screen(view, connected=False, kept_off="taken_over").status == STATUS["taken_over"]
    assert screen(view, connected=False, kept_off="refused").status == STATUS["refused"]
    assert screen(view, connected=True, kept_off="refused").status == ""  # back in: nothing to say
    assert screen(view, connected=False).status == STATUS["offline"]
    assert screen(view, hub_online=False).status == STATUS["no_hub"]


def test_a_greeting_is_green_a_wrong_station_amber_a_bad_card_purple_and_each_is_said_aloud_without_a_name():
    view = KioskView("Reading Nook")
    view.show(HELLO, None, 0.0)
    model = screen(view)
    assert (model.title, model.detail, model.colour, model.outcome) == (
        "Hi Tom R.", "You're in the right place.", COLOURS["good"], "welcome")
    assert model.speech == ("Hi", "You're in the right place.")  # a name is never said aloud
    assert model.can_go_out and model.can_open_path
    view.show(ELSEWHERE, None, 1.0)
    model = screen(view, 1.0)
    assert (model.title, model.colour) == ("Maya R., your group is at Tech Station", COLOURS["elsewhere"])
    view.show(FORGED, None, 2.0)
    model = screen(view, 2.0)
    assert (model.colour, model.outcome, model.can_go_out) == (COLOURS["problem"], "forged", False)


def test_a_station_to_go_to_is_shown_in_its_colour_with_its_picture():
    view = KioskView("Reading Nook")
    view.show(Decision("chose", "{name}, go to {station}", "", "s1", "Tom R.", "card-s1",
                       params=(("station", "Art Corner"),), look=("purple", "palette")), None, 0.0)
    model = screen(view)
    assert model.picture == "palette" and model.colour != COLOURS["good"] and model.title == "Tom R., go to Art Corner"


def test_a_question_shows_its_buttons_and_says_the_greeting_and_the_question():
    view = KioskView("Reading Nook")
    options = (Option("Read a book", "menu_book", "Read a book"), Option("Listen", "headphones", "Listen"))
    view.arrive(HELLO, Prompt("choice", "card-s1", "s1", "Tom R.", "{name}, what will you do?", "What will you do?",
                              options), 0.0)
    model = screen(view)
    assert (model.title, model.colour, model.outcome) == ("Hi Tom R.", COLOURS["prompt"], "ask:choice")
    assert model.detail == "You're in the right place. What will you do?"
    assert [o.label for o in model.options] == ["Read a book", "Listen"] and not model.skippable
    assert model.speech == ("Hi", "You're in the right place.", "What will you do?")
    assert not model.can_check_out  # not while a question waits


def test_at_a_new_round_the_kiosk_lists_who_goes_where_for_a_minute_and_the_rest_to_the_board():
    view = KioskView("Reading Nook")
    screen(view)
    view.round_is(1, [], 0.0)
    moves = [Move(f"Kid{n} L.", "Tech Station", False) for n in range(6)]
    moves[0] = Move("Ana B.", "Reading Nook", True)
    moves[1] = Move("Ben C.", "", False, True)
    assert not view.round_is(1, moves, 1.0)  # the same round: no news
    assert view.round_is(2, moves, 10.0)
    model = screen(view, 10.0)
    assert (model.title, model.colour, model.outcome) == ("Time to move!", COLOURS["move"], "move")
    assert model.detail.split("\n") == ["Ana B. \u2013 stay here", "Ben C. \u2013 scan your card to choose",
                                        "Kid2 L. \u2013 go to Tech Station", "Kid3 L. \u2013 go to Tech Station",
                                        "Kid4 L. \u2013 go to Tech Station", "and 1 more: look at the board"]
    view.large_text = True
    assert len(screen(view, 11.0).detail.split("\n")) == 3  # two names and the rest to the board
    assert screen(view, 10.0 + MOVE_SECONDS).outcome == "idle"


def test_while_students_move_and_at_the_lessons_end_the_idle_screen_says_what_to_do():
    view = KioskView("Reading Nook")
    model = screen(view, phase="passing", moving=60)
    assert (model.title, model.detail, model.outcome) == ("Time to move!", "Go to your station and scan your card.",
                                                          "move")
    model = screen(view, phase="passing", moving=60, choosing_left=50)
    assert model.detail == "Scan your card here to choose your next station."
    model = screen(view, phase="closing")
    assert (model.title, model.detail, model.colour) == ("Last exit tickets", "Scan your card: how did it go today?",
                                                         COLOURS["prompt"])


def test_a_students_needs_set_the_screen_while_they_are_on_it():
    view = KioskView("Reading Nook", speech=False)
    view.show(Decision("welcome", "Hi {name}", "You're in the right place.", "s1", "Tom R.", "card-s1",
                       needs=Needs(language="es", large_text=True, high_contrast=True, speech=True)), None, 0.0)
    model = screen(view)
    assert (model.language, model.large_text, model.high_contrast, model.speak) == ("es", True, True, True)
    assert model.colour == CONTRAST_BACKGROUND
    assert model.title == "Hola, Tom R." and model.buttons.help == "Necesito ayuda"
    view.clear()
    model = screen(view)
    assert (model.language, model.large_text, model.high_contrast, model.speak) == ("en", False, False, False)


def test_a_call_for_help_waiting_says_so_on_its_button_and_how_to_take_it_back():
    model = screen(KioskView("Reading Nook"), help_waiting=True)
    assert (model.help, model.help_hint, model.help_waiting) == ("Help is on the way", "Tap to cancel", True)


def test_moves_list_those_checked_in_here_before_the_round_began():
    from msgspec.structs import replace

    from shared.protocol import Presence
    from tests.test_kiosk_decide import STATE

    state = replace(STATE, clock=replace(STATE.clock, started_at=100.0),
                    presence={"s01": Presence("reading-nook", 50.0), "s05": Presence("reading-nook", 60.0),
                              "s09": Presence("reading-nook", 150.0)})
    assert moves_from(state, "reading-nook") == [Move("Maya R.", "Tech Station", False),
                                                 Move("Sofia R.", "Reading Nook", True)]
    assert moves_from(state, "tech") == []
    assert moves_from(replace(state, clock=replace(state.clock, round=0)), "reading-nook") == []
