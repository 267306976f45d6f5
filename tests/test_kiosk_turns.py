"""Whose turn the kiosk's screen is, as a line of students uses it: pure, on the view alone."""
from kiosk.decide import Decision, checking_out, going_out
from kiosk.prompts import Option, Prompt
from kiosk.view import GREETING_SECONDS, SHOW_SECONDS, THANKS_SECONDS, UNDO_SECONDS, KioskView

ACTIVITIES = (Option("Read a book", "menu_book", "Read a book"),)
GOALS = (Option("Help a friend", "handshake", "Help a friend"),)


def hello(student: str, name: str) -> Decision:
    return Decision("welcome", "Hi {name}", "You're in the right place.", student, name, f"card-{student}")


def question(student: str, name: str, kind: str = "choice") -> Prompt:
    options = ACTIVITIES if kind == "choice" else GOALS
    return Prompt(kind, f"card-{student}", student, name, "{name}, what will you do?", "What will you do?",
                  options, skippable=kind == "goal")


def shown(view: KioskView, now: float) -> tuple[str, str, str]:
    view.update(now, 600, True, True)
    model = view.model()
    return model.outcome, model.title, model.notice


def test_a_student_going_out_mid_question_keeps_it_and_the_line_moves_on_after_the_goodbye():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.arrive(hello("s2", "Maya"), question("s2", "Maya"), 1.0)
    assert shown(view, 1.0) == ("ask:choice", "Hi Tom", "Maya, you're next")
    on_screen = view.decision_on_screen()
    view.show(going_out(on_screen), None, 2.0)  # Tom takes the out-of-room pass
    assert shown(view, 3.0)[:2] == ("out", "See you soon, Tom")
    assert shown(view, 2.0 + SHOW_SECONDS)[:2] == ("ask:choice", "Hi Maya")  # then Maya's turn
    view.clear()
    view.arrive(Decision("back", "Welcome back, {name}", "", "s1", "Tom", "card-s1"), None, 30.0)
    assert view.prompt is None  # a "welcome back" asks nothing...
    view.clear()
    view.arrive(hello("s1", "Tom"), question("s1", "Tom", "goal"), 40.0)
    assert view.prompt.kind == "choice"  # ...and his next arrival asks the question he left


def test_a_student_who_scans_again_in_line_keeps_their_place_and_leaves_it_once_on_screen():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.arrive(hello("s2", "Maya"), question("s2", "Maya"), 1.0)
    view.arrive(hello("s3", "Ana"), question("s3", "Ana"), 2.0)
    view.arrive(hello("s2", "Maya"), question("s2", "Maya"), 3.0)
    assert shown(view, 3.0)[2] == "Maya, you're next"
    view.answered(view.prompt, None, 4.0)
    assert shown(view, 4.0)[:2] == ("ask:choice", "Hi Maya")
    view.answered(view.prompt, None, 5.0)
    assert shown(view, 5.0)[:2] == ("ask:choice", "Hi Ana")
    view.answered(view.prompt, None, 6.0)
    assert view.waiting() == 0 and shown(view, 6.0)[0] == "thanks"


def test_a_changed_answer_leaves_nothing_behind_to_be_asked_again():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    choice = view.prompt
    view.answered(choice, question("s1", "Tom", "goal"), 1.0)
    view.change_answer(2.0)
    assert view.prompt is choice
    view.answered(choice, question("s1", "Tom", "goal"), 3.0)
    view.answered(view.prompt, None, 4.0)
    view.clear()
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 60.0)
    assert view.prompt.kind == "choice"  # not the goal again: he answered it


def test_a_kept_goal_is_not_asked_of_a_student_who_has_set_one_since():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom", "goal"), 0.0)
    view.clear()  # walked off
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 60.0, has_goal=True)
    assert view.prompt.kind == "choice"


def test_after_the_last_answer_i_m_done_follows_changed_your_mind():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.answered(view.prompt, None, 1.0)
    view.update(1.5, 600, True, True)
    assert view.model().undo == "Changed your mind?"
    view.update(1.0 + UNDO_SECONDS + 0.5, 600, True, True)
    model = view.model()
    assert not model.undo and model.can_check_out and model.outcome == "thanks"
    view.update(1.0 + THANKS_SECONDS + 0.1, 600, True, True)
    assert view.model().outcome == "idle"


def test_a_notice_over_a_question_says_the_whole_answer():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.arrive(Decision("back", "Welcome back, {name}", "You're checked in. Your group is at {station}.", "s2",
                         "Maya", "card-s2", (("station", "Tech Station"),)), None, 1.0)
    assert shown(view, 1.0)[2] == "Welcome back, Maya\nYou're checked in. Your group is at Tech Station."


def test_i_m_done_replaces_a_question_with_the_exit_ticket_and_keeps_nothing():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    leaving = checking_out(view.decision_on_screen())
    ticket = Prompt("exit_ticket", "card-s1", "s1", "Tom", "{name}, how did it go?", "How did it go?", GOALS)
    view.show(leaving, ticket, 1.0)
    assert shown(view, 1.0)[0] == "ask:exit_ticket"


def test_two_cards_read_at_once_are_each_greeted_in_turn():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), None, 0.0)
    view.arrive(hello("s2", "Maya"), None, 0.01)  # the same burst from the scanner
    view.arrive(Decision("forged", "This card isn't from our class", ""), None, 0.02)
    assert shown(view, 0.5)[:2] == ("welcome", "Hi Tom")
    assert shown(view, GREETING_SECONDS)[:2] == ("welcome", "Hi Maya")
    assert shown(view, 2 * GREETING_SECONDS)[:2] == ("forged", "This card isn't from our class")
    view.arrive(hello("s3", "Ana"), None, 10.0)  # a card a moment later takes the screen at once
    assert shown(view, 10.0)[:2] == ("welcome", "Hi Ana")


def test_two_cards_read_at_once_while_a_student_answers_are_each_told_in_turn():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.arrive(hello("s2", "Maya"), question("s2", "Maya"), 1.0)  # one burst: Maya and Ana
    view.arrive(Decision("elsewhere", "{name}, your group is at Tech", "", "s3", "Ana", "card-s3"), None, 1.01)
    assert shown(view, 1.5) == ("ask:choice", "Hi Tom", "Maya, you're next")
    assert shown(view, 1.0 + GREETING_SECONDS) == ("ask:choice", "Hi Tom", "Ana, your group is at Tech")


def test_cards_read_at_once_while_a_student_answers_are_each_told_once_in_turn():
    def elsewhere(student: str, name: str) -> Decision:
        return Decision("elsewhere", "{name}, your group is at Tech", "", student, name, f"card-{student}")

    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    for n, (student, name) in enumerate((("s2", "Maya"), ("s3", "Ana"), ("s4", "Leo"), ("s3", "Ana"))):
        view.arrive(elsewhere(student, name), None, 1.0 + n / 100)  # one burst; the handheld reads Ana's twice
    told = [shown(view, 1.0 + n * GREETING_SECONDS)[2] for n in range(4)]
    assert told == ["Maya, your group is at Tech", "Leo, your group is at Tech", "Ana, your group is at Tech",
                    "Ana, your group is at Tech"]  # Ana's second read moved her back; she is told once
    assert shown(view, 1.0 + 2 * GREETING_SECONDS + SHOW_SECONDS) == ("ask:choice", "Tom, what will you do?", "")


def test_a_second_read_of_the_card_greeted_on_screen_keeps_the_line_as_it_was():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), None, 0.0)
    view.arrive(hello("s2", "Maya"), None, 0.5)
    view.arrive(hello("s1", "Tom"), None, 0.7)  # the handheld reads Tom's card again
    assert shown(view, GREETING_SECONDS)[:2] == ("welcome", "Hi Maya")
    assert shown(view, 3 * GREETING_SECONDS)[:2] == ("welcome", "Hi Maya") and view.waiting() == 0


def test_the_next_student_does_not_wait_for_the_last_one_s_thanks():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.answered(view.prompt, None, 1.0)
    view.arrive(hello("s2", "Maya"), None, 1.1)
    assert shown(view, 1.1)[:2] == ("welcome", "Hi Maya")


def test_a_question_walked_away_from_comes_back_in_the_language_the_teacher_set_since():
    from dataclasses import replace

    from shared.protocol import Needs

    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Nia"), question("s1", "Nia"), 0.0)
    shown(view, 0.0 + 25.0)  # she walked off: her question waits for her next scan
    assert view.prompt is None
    ukrainian = replace(hello("s1", "Nia"), needs=Needs(language="uk", large_text=True))
    view.arrive(ukrainian, question("s1", "Nia"), 60.0)
    model = view.model()
    assert model.outcome == "ask:choice" and model.language == "uk" and model.large_text


def test_a_question_alone_waits_twenty_seconds_for_its_student_and_twelve_while_others_wait():
    from kiosk.view import LINE_PROMPT_SECONDS, PROMPT_SECONDS

    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 100.0)
    assert shown(view, 100.0 + PROMPT_SECONDS - 0.1)[0] == "ask:choice"
    assert shown(view, 100.0 + PROMPT_SECONDS)[0] == "idle"  # walked off: kept for his next scan
    view.arrive(hello("s1", "Tom"), None, 200.0)
    assert view.prompt is not None and view.prompt.student_id == "s1"
    view.arrive(hello("s2", "Maya"), question("s2", "Maya"), 201.0)
    assert shown(view, 200.0 + LINE_PROMPT_SECONDS - 0.1)[:2] == ("ask:choice", "Tom, what will you do?")
    assert shown(view, 200.0 + LINE_PROMPT_SECONDS)[:2] == ("ask:choice", "Hi Maya")  # sooner: Maya waits


def test_a_second_student_waits_out_the_first_greeting_and_not_a_moment_longer():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), None, 10.0)
    view.arrive(hello("s2", "Maya"), None, 10.0 + GREETING_SECONDS - 0.1)  # Tom's greeting not read yet
    assert view.waiting() == 1 and shown(view, 11.0)[1] == "Hi Tom"
    view.clear()
    view.arrive(hello("s1", "Tom"), None, 20.0)
    view.arrive(hello("s2", "Maya"), None, 20.0 + GREETING_SECONDS)  # read: Maya's at once
    assert view.waiting() == 0 and shown(view, 20.0 + GREETING_SECONDS)[1] == "Hi Maya"


def test_changed_your_mind_and_thank_you_go_after_exactly_their_time():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.answered(view.prompt, None, 50.0)
    view.update(50.0 + UNDO_SECONDS - 0.1, 600, True, True)
    assert view.model().undo
    view.update(50.0 + UNDO_SECONDS, 600, True, True)
    assert not view.model().undo
    assert shown(view, 50.0 + THANKS_SECONDS - 0.1)[0] == "thanks"  # "Thank you!" stays for its own time
    assert shown(view, 50.0 + THANKS_SECONDS)[0] == "idle"


def test_looking_at_my_path_keeps_the_screen_as_it_was_and_coming_back_gives_it_its_whole_time_again():
    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.hold()
    assert shown(view, 100.0)[:2] == ("ask:choice", "Hi Tom")  # the question waits while Tom reads his path
    view.resume(100.0)
    assert shown(view, 119.9)[0] == "ask:choice"
    assert shown(view, 120.0)[0] == "idle"


def test_thanks_after_the_last_answer_is_the_students_in_their_language_and_says_whether_they_leave():
    from shared.protocol import Needs

    view = KioskView("Reading Nook")
    asked = Prompt("next", "card-s1", "s1", "Tom", "{name}, what next?", "What next?", GOALS, needs=Needs("es"))
    view.show(hello("s1", "Tom"), asked, 0.0)
    view.answered(asked, None, 1.0)
    on_screen = view.decision_on_screen()
    assert (on_screen.outcome, on_screen.name, on_screen.student_id, on_screen.language) == (
        "goodbye", "Tom", "s1", "es")


def test_a_goal_question_walked_away_from_is_asked_again_at_the_next_scan_and_sixty_are_kept():
    from kiosk.view import KEPT_QUESTIONS, PROMPT_SECONDS

    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom", "goal"), 0.0)
    shown(view, PROMPT_SECONDS)  # walked off
    view.arrive(hello("s1", "Tom"), None, 100.0)
    assert view.prompt is not None and view.prompt.kind == "goal"
    view.clear()
    for n in range(KEPT_QUESTIONS):  # a whole day of students who walked off
        view.arrive(hello(f"k{n}", "Kid"), question(f"k{n}", "Kid"), 200.0 + n * 100)
        shown(view, 200.0 + n * 100 + PROMPT_SECONDS)
    view.arrive(hello("k0", "Kid"), None, 10_000.0)
    assert view.prompt is not None and view.prompt.student_id == "k0"  # the oldest of sixty: still kept
    view.clear()
    view.arrive(hello("k60", "Kid"), question("k60", "Kid"), 20_000.0)
    shown(view, 20_000.0 + PROMPT_SECONDS)  # a sixty-first: the oldest is forgotten
    view.arrive(hello("k1", "Kid"), None, 30_000.0)
    assert view.prompt is None


def test_changed_your_mind_puts_back_a_student_whose_greeting_had_gone_with_their_question_and_their_needs():
    from shared.protocol import Needs

    view = KioskView("Reading Nook")
    view.arrive(hello("s1", "Tom"), question("s1", "Tom"), 0.0)
    view.answered(view.prompt, None, 1.0)  # Tom is done; "Changed your mind?" for UNDO_SECONDS
    maya = Prompt("choice", "card-s2", "s2", "Maya", "{name}, what will you do?", "What will you do?", ACTIVITIES,
                  needs=Needs(language="es"))
    view.arrive(hello("s2", "Maya"), maya, 1.5)
    view.arrive(hello("s3", "Ana"), question("s3", "Ana"), 1.6)  # Ana waits in line behind her
    shown(view, 1.5 + SHOW_SECONDS)  # Maya's greeting has gone; her question stays
    view.change_answer(1.0 + UNDO_SECONDS - 0.1)  # Tom, just in time
    assert view.prompt.student_id == "s1" and view.waiting() == 2
    view.arrive(hello("s2", "Maya"), maya, 1.0 + UNDO_SECONDS)  # Maya scans again: her place at the front kept
    assert view.waiting() == 2
    view.answered(view.prompt, None, 7.5)
    back = view.decision_on_screen()
    assert (back.outcome, back.student_id, back.name, back.card, back.language) == (
        "welcome", "s2", "Maya", "card-s2", "es")
    assert view.prompt is maya
    view.answered(view.prompt, None, 8.0)
    assert view.decision_on_screen().student_id == "s3" and view.waiting() == 0
