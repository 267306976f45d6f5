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


def test_the_kiosks_own_buttons_read_in_the_language_on_screen():
    from kiosk.view import Buttons
    from kiosk.words import words

    assert Buttons.said(words("en")) == Buttons("I need help", "I'm done", "I'm going out", "Skip", "Teacher",
                                                "My path", "New goal")
    spanish = Buttons.said(words("es"))
    assert spanish.help == "Necesito ayuda" and spanish.path != "My path" and spanish.new_goal != "New goal"
    assert len({*Buttons.said(words("uk")).__dict__.values()}) == 7  # seven words of their own


def test_an_arriving_student_sees_and_hears_their_goal_and_last_visit_under_the_greeting():
    from kiosk.goal_reminder import Reminder
    from shared.protocol import LastVisit, StandingGoal

    view = KioskView("Reading Nook")
    remind = Reminder(StandingGoal("Help a friend", "handshake", 10.0), LastVisit("reading-nook", 5.0, "stuck",
                                                                                  "Something harder"))
    view.arrive(HELLO, None, 0.0, has_goal=True, reminder=remind)
    model = screen(view)
    assert model.goal == "Your goal: Help a friend" and model.goal_picture == "handshake"
    assert model.last_time == "Last time here: I'm stuck · You wanted: Something harder"
    assert model.speech[-2:] == ("Your goal: Help a friend", "Last time here: I'm stuck · You wanted: Something harder")
    assert model.can_change_goal  # "New goal", as no question is asked
    view.clear()
    view.arrive(HELLO, None, 1.0)  # the next time, told of nothing: nothing shown
    assert screen(view, 1.0).goal == "" and not screen(view, 1.0).can_change_goal


def test_a_students_goal_is_not_shown_on_a_screen_that_is_not_theirs():
    from kiosk.goal_reminder import Reminder
    from shared.protocol import StandingGoal

    view = KioskView("Reading Nook")
    view.arrive(HELLO, None, 0.0, reminder=Reminder(StandingGoal("Help a friend", "handshake", 1.0), None))
    view.show(ELSEWHERE, None, 0.5)  # another student's scan takes the screen
    model = screen(view, 0.5)
    assert model.goal == "" and model.last_time == ""


def test_a_pick_says_saving_until_the_hubs_answer_to_that_pick_and_look_at_the_board_when_none_comes():
    from kiosk.choosing import ANSWER_DUE_SECONDS
    from shared.protocol import PickAnswer

    pick = Prompt("pick", "card-s1", "s1", "Tom R.", "{name}, where next?", "Where next?", ())
    view = KioskView("Reading Nook")
    view.saving(pick, "e-7", "Tech Station", 0.0)
    model = screen(view)
    assert (model.title, model.detail) == ("Saving your place…", "Tech Station: just a moment.")
    assert not view.pick_answered(PickAnswer(id="e-6", student="s1", to="tech", granted=True), None, 0.1)
    assert view.pick_answered(PickAnswer(id="e-7", student="s1", to="tech", granted=True), None, 0.2)
    assert screen(view, 0.2).title == "Tom R., go to tech"
    assert not view.pick_answered(PickAnswer(id="e-7", student="s1", to="tech", granted=True), None, 0.3)  # once
    view.saving(pick, "e-8", "Tech Station", 10.0)
    model = screen(view, 10.0 + ANSWER_DUE_SECONDS)
    assert (model.title, model.outcome) == ("Your place is not saved yet", "closed")


def test_ask_maya_goes_over_the_screen_and_its_call_for_help_is_given_once_it_leaves_unanswered():
    offer = Prompt("peer", "card-s1", "s1", "Tom R.", "{peer} got it! Ask {first}?", "{peer} got it! Ask {first}?",
                   (Option("ask", "record_voice_over", "I'll ask {first}"), Option("no", "close", "No thanks")),
                   params=(("peer", "Maya R."), ("first", "Maya")), spoken=("A classmate here got it!",))
    view = KioskView("Reading Nook")
    view.offer_peer(offer, 0.0)
    model = screen(view)
    assert model.title == "Maya R. got it! Ask Maya?" and [o.label for o in model.options] == ["I'll ask Maya",
                                                                                              "No thanks"]
    assert model.speech == ("A classmate here got it!",)  # no name aloud
    assert view.peer_offer_on_screen() is offer and view.unanswered_offer() is None  # still on screen
    view.put_aside_offer(1.0)
    assert view.peer_offer_on_screen() is None and view.prompt is None
    assert view.unanswered_offer() is offer and view.unanswered_offer() is None  # given once
    view.offer_peer(offer, 2.0)
    view.peer_answered(offer, True, 3.0)
    assert screen(view, 3.0).title == "Go and ask Maya!" and view.unanswered_offer() is None


def test_the_student_on_screen_is_the_questions_student_leaving_or_arriving_and_nobody_for_a_nameless_one():
    view = KioskView("Reading Nook")
    assert view.decision_on_screen() is None and view.card_on_screen() is None
    view.show(None, Prompt("exit_ticket", "card-s1", "s1", "Tom R.", "Bye", "How did it go?", ()), 0.0)
    assert view.decision_on_screen().outcome == "checkout" and view.card_on_screen() == "card-s1"
    view.show(None, Prompt("choice", "card-s1", "s1", "Tom R.", "Hi", "What will you do?", ()), 1.0)
    assert view.decision_on_screen().outcome == "welcome"
    view.show(None, Prompt("peer", "", "", "", "Ask?", "Ask?", ()), 2.0)
    assert view.decision_on_screen() is None
    view.show(FORGED, None, 3.0)
    assert view.decision_on_screen() is None  # a card with no student: nobody's buttons


def test_a_kiosk_just_started_shows_the_idle_screen_in_the_rooms_language_before_its_first_update():
    view = KioskView("Reading Nook")
    model = view.model()
    assert (model.title, model.outcome, model.clock, model.status, model.language) == (
        "Show your card", "idle", "", "", "en")
    assert (model.clock_ink, model.help, model.help_waiting, model.speak) == ((1, 1, 1, 1), "I need help", False,
                                                                             False)
    assert (view.phase, view.waiting(), view.choice_open, view.prompt) == ("idle", 0, False, None)
    assert view.unanswered_offer() is None and view.peer_offer_on_screen() is None
    assert not view.round_is(3, [Move("Ana B.", "Lab", False)], 0.0)  # the first round seen is not news
    assert KioskView("Rincón", language="es").model().title == "Muestra tu tarjeta"


def test_changed_your_mind_puts_the_student_it_interrupts_back_first_in_line_with_their_question():
    view = KioskView("Reading Nook")
    options = (Option("Read a book", "menu_book", "Read a book"),)
    toms = Prompt("choice", "card-s1", "s1", "Tom R.", "{name}, what will you do?", "What will you do?", options)
    mayas = Prompt("choice", "card-s2", "s2", "Maya R.", "{name}, what will you do?", "What will you do?", options,
                   needs=Needs(language="es"))
    view.arrive(HELLO, toms, 0.0)
    view.arrive(ELSEWHERE, mayas, 1.0)  # Maya waits in line
    view.answered(toms, None, 2.0)  # Tom answers: Maya's turn
    assert view.card_on_screen() == "card-s2"
    assert screen(view, 2.0).undo == "Tom R., changed your mind?"
    view.change_answer(3.0)  # Tom's finger: his question again, and Maya back at the front of the line
    assert view.card_on_screen() == "card-s1" and view.waiting() == 1
    assert screen(view, 3.0).undo == ""
    view.answered(view.prompt, None, 4.0)
    model = screen(view, 4.0)
    assert view.card_on_screen() == "card-s2" and model.outcome == "ask:choice" and model.language == "es"
    assert model.undo == "Tom R., changed your mind?"  # in Tom's words (the room's), over Maya's Spanish screen


def test_a_wrong_class_a_full_station_and_a_closed_choosing_are_amber_not_purple():
    view = KioskView("Reading Nook")
    for outcome in ("other_class", "full", "closed"):
        view.show(Decision(outcome, "Sorry", "Look at the board."), None, 0.0)
        assert screen(view).colour == COLOURS["elsewhere"], outcome
    view.show(Decision("chose", "{name}, go to {station}", "", "s1", "Tom R.", "card-s1",
                       params=(("station", "Art"),), look=("teal", "groups")), None, 1.0)
    from shared.pictures import rgba

    assert screen(view, 1.0).colour == rgba("teal")  # the station's own colour, by its name


def test_the_third_in_line_is_told_their_number_and_the_line_moves_a_student_at_a_time():
    from kiosk.view import LINE_PROMPT_SECONDS, SHOW_SECONDS, THANKS_SECONDS

    view = KioskView("Reading Nook")
    options = (Option("Read a book", "menu_book", "Read a book"),)

    def arriving(n):
        return (Decision("welcome", "Hi {name}", "", f"s{n}", f"Kid{n} L.", f"card-s{n}"),
                Prompt("choice", f"card-s{n}", f"s{n}", f"Kid{n} L.", "{name}, what will you do?",
                       "What will you do?", options))

    view.arrive(*arriving(1), 0.0)
    view.arrive(*arriving(2), 1.0)
    view.arrive(*arriving(3), 3.0)
    assert screen(view, 3.0).notice == "Kid3 L., you're number 2 in line"
    assert view.waiting() == 2
    assert screen(view, LINE_PROMPT_SECONDS - 0.1).outcome == "ask:choice" and view.card_on_screen() == "card-s1"
    screen(view, LINE_PROMPT_SECONDS)  # Kid1 walked off: the next one's turn, their question kept for later
    assert view.card_on_screen() == "card-s2"
    view.answered(view.prompt, None, 20.0)
    assert view.card_on_screen() == "card-s3"  # straight to the next in line, no thanks screen between
    view.answered(view.prompt, None, 21.0)
    thanks = screen(view, 21.0)
    assert thanks.outcome == "thanks" and view.card_on_screen() == "card-s3"
    assert screen(view, 21.0 + SHOW_SECONDS).outcome == "thanks"  # "thanks" stays longer than a greeting
    assert screen(view, 21.0 + THANKS_SECONDS).outcome == "idle"
    view.show(HELLO, None, 100.0)
    assert screen(view, 100.0 + SHOW_SECONDS - 0.1).outcome == "welcome"
    assert screen(view, 100.0 + SHOW_SECONDS).outcome == "idle"


def test_in_a_choice_round_those_still_choosing_are_told_to_scan_here_and_the_others_where_they_chose():
    from msgspec.structs import replace

    from shared.protocol import ChoiceRound, Presence
    from tests.test_kiosk_decide import STATE

    state = replace(STATE, clock=replace(STATE.clock, started_at=100.0),
                    presence={"s01": Presence("reading-nook", 50.0), "s05": Presence("reading-nook", 60.0),
                              "s09": Presence("tech", 70.0)},
                    choice=ChoiceRound(2, 160.0, allowed={"s01": ("tech",), "s05": ("tech", "reading-nook")},
                                       going={"s05": "tech"}))
    assert moves_from(state, "reading-nook") == [Move("Maya R.", "", False, True),
                                                 Move("Sofia R.", "Tech Station", False)]
    assert moves_from(state, "tech") == []  # Priya is in no group and not choosing: nowhere to send her


def test_a_question_on_its_own_shows_its_title_with_the_name_and_its_hint_and_in_large_text_the_title_alone():
    options = (Option("Read a book", "menu_book", "Read a book", words=(("es", "Leer un libro"),)),)
    alone = Prompt("goal", "card-s1", "s1", "Tom R.", "{name}, what is your goal?", "What is your goal?", options,
                   skippable=True, picture="flag")
    view = KioskView("Reading Nook")
    view.show(None, alone, 0.0)
    model = screen(view)
    assert (model.title, model.detail, model.skippable, model.picture) == (
        "Tom R., what is your goal?", "Tap one.", True, "flag")
    assert model.speech == ("what is your goal?", "Tap one.")  # said without the name
    assert [o.label for o in model.options] == ["Read a book"]
    view.large_text = True
    large = screen(view)
    assert (large.title, large.detail, large.large_text) == ("Tom R., what is your goal?", "", True)
    spanish = KioskView("Rincón", language="es")
    spanish.show(None, alone, 0.0)
    assert [o.label for o in screen(spanish).options] == ["Leer un libro"]  # the teacher's own words


def test_a_notice_over_a_question_is_said_in_the_language_of_the_student_it_is_for():
    from shared.protocol import Needs as StudentNeeds

    view = KioskView("Reading Nook")
    options = (Option("Read a book", "menu_book", "Read a book"),)
    view.arrive(HELLO, Prompt("choice", "card-s1", "s1", "Tom R.", "{name}, what will you do?", "What will you do?",
                              options), 0.0)
    view.arrive(Decision("elsewhere", "{name}, your group is at {station}", "", "s2", "Maya R.", "card-s2",
                         params=(("station", "Tech Station"),), needs=StudentNeeds(language="es")), None, 1.0)
    model = screen(view, 1.0)
    assert model.notice.startswith("Maya R., tu grupo") and model.language == "en"  # Tom's screen, Maya's words


def test_the_goal_reminder_shows_with_a_check_in_and_its_questions_and_over_the_goal_check_only_the_goal():
    from kiosk.goal_reminder import Reminder
    from shared.protocol import LastVisit, StandingGoal

    remind = Reminder(StandingGoal("Help a friend", "handshake", 10.0), LastVisit("reading-nook", 5.0, "got_it"))
    options = (Option("x", "flag", "x"),)

    def asked(kind):
        view = KioskView("Reading Nook")
        view.arrive(HELLO, Prompt(kind, "card-s1", "s1", "Tom R.", "t", "q", options), 0.0, reminder=remind)
        return screen(view)

    choice = asked("choice")
    assert (choice.goal, choice.last_time, choice.can_change_goal) == (
        "Your goal: Help a friend", "Last time here: Got it!", False)  # no "New goal" while a question is asked
    assert asked("goal").goal == "Your goal: Help a friend"
    check = asked("goal_check")
    assert (check.goal, check.last_time) == ("Your goal: Help a friend", "")  # the goal asked about, no more
    for kind in ("peer", "pick", "exit_ticket", "next"):
        assert (asked(kind).goal, asked(kind).last_time) == ("", ""), kind  # those questions stand alone
    view = KioskView("Reading Nook")
    view.arrive(HELLO, Prompt("choice", "card-s1", "s1", "Tom R.", "t", "q", options), 0.0, reminder=remind)
    view.answered(view.prompt, None, 1.0)  # "Thank you!": the goal still shows, and is not said again
    thanks = screen(view, 1.0)
    assert thanks.goal == "Your goal: Help a friend" and "Your goal: Help a friend" not in thanks.speech
    assert thanks.can_change_goal


def test_the_moving_screen_is_in_the_move_colour_and_lists_exactly_as_many_as_fit_without_a_rest():
    view = KioskView("Reading Nook")
    assert screen(view, phase="passing", moving=60).colour == COLOURS["move"]
    view.round_is(1, [], 0.0)
    five = [Move(f"Kid{n} L.", "Tech Station", False) for n in range(5)]
    view.round_is(2, five, 1.0)
    assert len(screen(view, 1.0).detail.split("\n")) == 5  # all five fit: nothing left for the board
    seven = [Move(f"Kid{n} L.", "Tech Station", False) for n in range(7)]
    view.round_is(3, seven, 2.0)
    assert screen(view, 2.0).detail.split("\n")[-1] == "and 2 more: look at the board"
    assert screen(view, 2.0 + MOVE_SECONDS - 0.1).outcome == "move"
    assert not view.round_is(4, [], 3.0)  # nobody to move: no news


def test_the_clock_shows_the_last_second_before_times_up_and_rounds_minutes_up():
    view = KioskView("Reading Nook")
    assert (screen(view, time_left=0.5).clock, screen(view, time_left=0).clock) == ("0:01", "time's up")
    assert (screen(view, time_left=120.0).clock, screen(view, time_left=120.05).clock,
            screen(view, time_left=120.2).clock) == ("2 min", "2 min", "3 min")
    assert screen(view, time_left=30, moving=20).clock == "0:30"  # not passing: the round's clock


def test_the_idle_screen_says_both_lines_and_its_help_button_and_clock_colour():
    model = screen(KioskView("Reading Nook"), phase="warning", time_left=30)
    assert (model.title, model.detail, model.help) == ("Show your card", "Hold your QR card up to the scanner.",
                                                       "I need help")
    assert model.clock_ink == WARNING_INK


def test_a_notice_goes_after_exactly_its_time():
    from kiosk.view import SHOW_SECONDS

    view = KioskView("Reading Nook")
    view.arrive(HELLO, Prompt("choice", "card-s1", "s1", "Tom R.", "{name}, what will you do?", "What will you do?",
                              (Option("Read", "menu_book", "Read"),)), 0.0)
    view.arrive(FORGED, None, 1.0)  # a bad card over Tom's question: a notice
    assert screen(view, 1.0 + SHOW_SECONDS - 0.1).notice
    assert screen(view, 1.0 + SHOW_SECONDS).notice == ""
