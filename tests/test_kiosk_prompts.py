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


def test_before_the_teacher_is_called_a_classmate_who_got_it_here_is_offered_never_the_asker():
    from kiosk.prompts import after_peer, first_name, peer_prompt

    asker = decide(card("s05", 2), CARD_KEYS, ROOM, "reading-nook", 0.0)
    with_helpers = replace(ROOM, helpers={"reading-nook": ("s05", "s01", "s09")})
    offer = peer_prompt(with_helpers, "reading-nook", asker)
    assert offer.peer == "s01" and offer.kind == "peer" and offer.student_id == "s05"  # not Sofia herself
    assert dict(offer.params) == {"peer": "Maya R.", "first": "Maya"}
    assert [o.value for o in offer.options] == ["ask", "no"]
    assert "Maya" not in " ".join(offer.spoken)  # no name said aloud
    assert peer_prompt(with_helpers, "reading-nook", asker, {"s01": 2, "s09": 1}).peer == "s09"  # asked least
    assert peer_prompt(with_helpers, "tech", asker) is None
    assert peer_prompt(replace(ROOM, helpers={"reading-nook": ("s05", "gone")}), "reading-nook", asker) is None
    assert peer_prompt(None, "reading-nook", asker) is None
    anyone = peer_prompt(with_helpers, "reading-nook", None)  # the button pressed with nobody on screen
    assert (anyone.peer, anyone.student_id, anyone.card, anyone.name, anyone.needs) == ("s05", "", "", "", None)
    go = after_peer(offer, taken=True)
    assert go.english == ("Go and ask Maya!", "Your teacher is called too.") and go.student_id == "s05"
    called = after_peer(offer, taken=False)
    assert called.english == ("Help is on the way", "Your teacher is called.")
    assert after_peer(anyone, taken=False).student_id is None
    assert (first_name("Maya R."), first_name("Prince"), first_name("Ana María L.")) == ("Maya", "Prince", "Ana María")


def test_new_goal_asks_for_one_even_with_a_goal_standing_and_not_of_a_card_without_a_student():
    from kiosk.prompts import new_goal
    from shared.protocol import StandingGoal

    standing = replace(ROOM, standing={"s05": StandingGoal("Help a friend", "handshake", 10.0)})
    decision = decide(card("s05", 2), CARD_KEYS, standing, "reading-nook", 0.0)
    asked = new_goal(decision, standing)
    assert asked.kind == "goal" and [o.value for o in asked.options] == list(ROOM.goals)
    _, choice = scan(standing)
    assert after_answer(choice, "Read a book", standing) == ({"activity": "Read a book"}, None)  # not asked again
    assert new_goal(decide("RS1:junk", CARD_KEYS, ROOM, "reading-nook", 0.0), ROOM) is None


def test_a_student_with_a_goal_is_asked_at_the_exit_ticket_whether_they_got_closer_then_what_next():
    from shared.protocol import StandingGoal

    here = replace(ROOM, presence={"s05": Presence("reading-nook", 100.0)},
                   standing={"s05": StandingGoal("Help a friend", "handshake", 10.0)})
    _, ticket = scan(here, now=170.0)
    data, check = after_answer(ticket, "stuck", here)
    assert data == {"how": "stuck"} and check.kind == "goal_check" and check.how == "stuck"
    assert [o.value for o in check.options] == ["closer", "not_yet", "met"]
    data, following = after_answer(check, "met", here)
    assert data == {"how": "stuck", "goal": "met"} and following.kind == "next" and following.goal == "met"
    assert after_answer(following, "More of this", here) == (
        {"how": "stuck", "next": "More of this", "goal": "met"}, None)
    assert after_answer(following, None, here) == (None, None)  # skipped: the ticket was recorded already


def test_where_next_offers_the_stations_a_student_may_choose_that_have_room_must_do_first():
    from kiosk.prompts import pick_prompt
    from shared.protocol import ChoiceRound

    stations = (replace(NOOK, colour="green"), STATE.stations[1])
    choice = ChoiceRound(2, 100.0, must=("tech",), places={"tech": 2, "reading-nook": 0},
                         allowed={"s05": ("tech", "reading-nook"), "s01": ("reading-nook",)})
    state = replace(ROOM, stations=stations, choice=choice)
    where = pick_prompt(card("s05", 2), "s05", "Sofia R.", state, None)
    assert [(o.value, o.places) for o in where.options] == [("tech", 2)]  # the nook is full
    assert where.question == "Where next? Start with a must-do station."
    assert where.options[0].colour is None and where.options[0].label == "Tech Station"
    assert pick_prompt(card("s01"), "s01", "Maya R.", state, None) is None  # nowhere left with room
    assert pick_prompt(card("s01"), "s01", "Maya R.", state, None, left={"reading-nook": 1}).question == \
        "Where next? Tap a station."  # the hub's newer count
    assert pick_prompt(card("s09"), "s09", "Priya P.", state, None) is None  # not choosing this round
    chosen = replace(state, choice=replace(choice, going={"s05": "tech"}))
    assert pick_prompt(card("s05", 2), "s05", "Sofia R.", chosen, None) is None  # chosen already
    assert pick_prompt(card("s05", 2), "s05", "Sofia R.", ROOM, None) is None  # no choice round


def test_in_a_choice_round_a_student_gives_the_exit_ticket_here_first_then_chooses():
    from kiosk.decide import Decision
    from shared.protocol import ChoiceRound

    choice = ChoiceRound(2, 100.0, places={"tech": 2}, allowed={"s05": ("tech",)})
    here = replace(ROOM, choice=choice, presence={"s05": Presence("reading-nook", 10.0)})
    choosing = Decision("choose", "{name}, where next?", "", "s05", "Sofia R.", card("s05", 2))
    ticket = after_scan(choosing, here, "reading-nook")
    assert ticket.kind == "exit_ticket" and [o.value for o in ticket.options] == ["got_it", "getting_there", "stuck"]
    data, following = after_answer(ticket, "got_it", here)
    assert data == {"how": "got_it"} and following.kind == "next"
    data, where = after_answer(following, None, here)  # skipped "what next?": still asked where next
    assert data is None and where.kind == "pick" and [o.value for o in where.options] == ["tech"]
    assert after_answer(where, "tech", here) == ({"to": "tech"}, None)
    elsewhere = after_scan(choosing, here, "tech")  # scanned at another kiosk: no ticket owed there
    assert elsewhere.kind == "pick"
    from dataclasses import replace as with_fields

    assert after_scan(with_fields(choosing, card=None), here, "tech") is None
    assert after_scan(choosing, None, "tech") is None


def test_an_answer_reads_in_the_teachers_own_words_for_the_students_language_else_the_catalogs():
    from kiosk.prompts import Option, Prompt
    from kiosk.words import words
    from shared.protocol import Needs

    option = Option("Read for 20 minutes", "menu_book", "Read for 20 minutes",
                    words=(("es", "Leer 20 minutos"),))
    assert option.said(words("es")) == "Leer 20 minutos"
    assert option.said(words("en")) == "Read for 20 minutes"
    assert Option("Help a friend", "handshake", "Help a friend").said(words("es")) == "Ayudar a un compañero"
    asked = Prompt("goal", "c", "s05", "Sofia R.", "t", "q", (option,), needs=Needs(language="es"))
    from dataclasses import replace as with_fields

    assert asked.language == "es" and with_fields(asked, needs=None).language is None


GREEN = (0.16, 0.55, 0.22, 1)


def test_ask_maya_is_asked_in_these_words_with_these_pictures_and_its_answers_say_what_happens():
    from kiosk.prompts import Option, Prompt, after_peer, peer_prompt
    from shared.protocol import Needs

    spanish = Needs(language="es")
    room = replace(ROOM, students={**ROOM.students, "s05": replace(ROOM.students["s05"], needs=spanish)},
                   helpers={"reading-nook": ("s01",)})
    asker = decide(card("s05", 2), CARD_KEYS, room, "reading-nook", 0.0)
    offer = peer_prompt(room, "reading-nook", asker)
    assert offer == Prompt(
        "peer", card("s05", 2), "s05", "Sofia R.", "{peer} got it! Ask {first}?", "{peer} got it! Ask {first}?",
        (Option("ask", "record_voice_over", "I'll ask {first}", GREEN), Option("no", "close", "No thanks")),
        needs=spanish, hint="Your teacher is called too.", params=(("peer", "Maya R."), ("first", "Maya")),
        spoken=("A classmate here got it!", "Ask them? Your teacher is called too."), picture="emoji_people",
        peer="s01")
    go, called = after_peer(offer, True), after_peer(offer, False)
    assert (go.outcome, go.title, go.detail, go.params, go.student_id, go.card, go.name, go.needs) == (
        "thanks", "Go and ask {first}!", "Your teacher is called too.", offer.params, "s05", card("s05", 2),
        "Sofia R.", spanish)
    assert (called.outcome, called.title, called.detail, called.params, called.student_id, called.card, called.name,
            called.needs) == ("thanks", "Help is on the way", "Your teacher is called.", (), "s05", card("s05", 2),
                              "Sofia R.", spanish)


def test_the_leaving_questions_are_asked_in_these_words_with_these_pictures():
    from kiosk.prompts import Option
    from shared.protocol import StandingGoal

    here = replace(ROOM, presence={"s05": Presence("reading-nook", 100.0)},
                   standing={"s05": StandingGoal("Help a friend", "handshake", 10.0)})
    _, ticket = scan(here, now=170.0)
    assert (ticket.title, ticket.question, ticket.skippable) == ("{name}, how did it go?", "How did it go?", False)
    assert ticket.options == (Option("got_it", "check_circle", "Got it!", GREEN),
                              Option("getting_there", "trending_up", "Getting there", (0.85, 0.62, 0.08, 1)),
                              Option("stuck", "help", "I'm stuck", (0.75, 0.22, 0.22, 1)))
    _, check = after_answer(ticket, "stuck", here)
    assert (check.title, check.question, check.how) == ("{name}, did you get closer to your goal?",
                                                        "Did you get closer to your goal?", "stuck")
    assert [(o.label, o.colour) for o in check.options] == [("Closer", GREEN), ("Not yet", (0.85, 0.62, 0.08, 1)),
                                                            ("I met my goal!", (0.45, 0.20, 0.58, 1))]
    _, following = after_answer(check, "closer", here)
    assert (following.title, following.question, following.skippable, following.how, following.goal) == (
        "What would you like next time?", "What would you like next time?", True, "stuck", "closer")
    assert [(o.value, o.picture) for o in following.options] == [
        ("More of this", "replay"), ("Something harder", "rocket_launch"), ("Something different", "shuffle")]
    _, goal = after_answer(scan(ROOM)[1], "Read a book", ROOM)
    assert (goal.title, goal.question, goal.skippable) == ("{name}, what is your goal?",
                                                           "What is your goal? Tap one.", True)


def test_every_question_in_a_students_chain_stays_theirs_card_name_and_needs_and_names_them():
    """However the questions follow one another, each is the scanning student's: answered with their card, asked
    by their name, in their language and text size."""
    from kiosk.prompts import new_goal, pick_prompt
    from kiosk.words import words
    from shared.protocol import ChoiceRound, Needs, StandingGoal, Student

    needs = Needs(language="es", large_text=True)
    sofia = replace(ROOM.students["s05"], needs=needs)
    assert isinstance(sofia, Student)
    room = replace(ROOM, students={**ROOM.students, "s05": sofia},
                   presence={"s05": Presence("reading-nook", 100.0)},
                   standing={"s05": StandingGoal("Help a friend", "handshake", 10.0)},
                   choice=ChoiceRound(2, 1000.0, allowed={"s05": ("tech",)}))
    english = words(None)

    def theirs(prompt, kind, title):
        assert (prompt.kind, prompt.card, prompt.student_id, prompt.name, prompt.needs) == (
            kind, card("s05", 2), "s05", "Sofia R.", needs)
        assert english.say(prompt.title, name=prompt.name) == title

    arriving = replace(room, presence={}, standing={}, choice=None)
    decision, choice = scan(arriving)
    theirs(choice, "choice", "Sofia R., what will you do?")
    theirs(after_answer(choice, "Read a book", arriving)[1], "goal", "Sofia R., what is your goal?")
    theirs(new_goal(decision, arriving), "goal", "Sofia R., what is your goal?")
    theirs(scan(replace(arriving, stations=STATE.stations))[1], "goal", "Sofia R., what is your goal?")

    decision, ticket = scan(room, now=170.0, station="reading-nook")  # choosing, but the ticket here first
    theirs(ticket, "exit_ticket", "Sofia R., how did it go?")
    data, check = after_answer(ticket, "got_it", room)
    theirs(check, "goal_check", "Sofia R., did you get closer to your goal?")
    data, following = after_answer(check, "closer", room)
    assert data == {"how": "got_it", "goal": "closer"}
    theirs(following, "next", "What would you like next time?")
    data, pick = after_answer(following, "Something harder", room)
    assert data == {"how": "got_it", "next": "Something harder", "goal": "closer"}
    theirs(pick, "pick", "Sofia R., where next?")
    theirs(after_answer(following, None, room)[1], "pick", "Sofia R., where next?")  # skipped: still where next

    gave_it = replace(room, checked_out={"s05": Presence("reading-nook", 160.0)})
    decision, pick = scan(gave_it, now=170.0)  # choosing, the ticket here given: where next at once
    theirs(pick, "pick", "Sofia R., where next?")
    assert pick_prompt(card("s05", 2), "s05", "Sofia R.", None, needs) is None


def test_a_goals_button_reads_as_the_teacher_wrote_it_with_its_picture_and_a_plain_one_without():
    from kiosk.prompts import new_goal
    from shared.pictures import GOAL_PICTURE

    room = replace(ROOM, goals=("Try something hard", "Help a friend"), goal_pictures=("fitness_center",),
                   goal_words=({"es": "Intentar algo difícil"},))
    asked = new_goal(decide(card("s05", 2), CARD_KEYS, room, "reading-nook", 0.0), room)
    assert [(o.value, o.picture, o.label, o.words) for o in asked.options] == [
        ("Try something hard", "fitness_center", "Try something hard", (("es", "Intentar algo difícil"),)),
        ("Help a friend", GOAL_PICTURE, "Help a friend", ())]
    import dataclasses

    unsigned = dataclasses.replace(decide(card("s05", 2), CARD_KEYS, room, "reading-nook", 0.0), card=None)
    assert new_goal(unsigned, room) is None
