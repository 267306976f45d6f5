"""Students reach a station together: a line at the real kiosk, with real touches, the real hub and broker.
Every answer is stored for the student whose question was on screen, none is lost, and each can be changed."""
import json

from kivy.tests.common import UnitTestTouch

from kiosk.app import KioskScreen
from tests.conftest import card, eventually, pump

LYNXES = ("s05", "s10", "s15", "s20", "s25")  # their group starts at the reading nook


def frames(count: int = 3) -> None:
    from kivy.base import EventLoop

    for _ in range(count):
        EventLoop.idle()


def button(screen: KioskScreen, label: str):
    frames()
    return next(b for b in screen.ids.choices.children if b.text.endswith(label))


def finger_on(widget) -> UnitTestTouch:
    frames()  # laid out where the student sees it
    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    return touch


def tap(screen: KioskScreen, label: str) -> None:
    finger_on(button(screen, label)).touch_up()


def answers(hub) -> list[tuple[str, str, dict]]:
    """What the hub stored: (student, kind, data), in the order it took them."""
    rows = hub.store.db.execute("SELECT student, kind, data FROM events WHERE kind IN ('choice', 'goal', "
                                "'exit_ticket', 'checkout') ORDER BY rowid").fetchall()
    return [(student, kind, json.loads(data or "{}")) for student, kind, data in rows]



def test_a_scan_during_a_touch_never_moves_the_tap_to_someone_else(nook, hub):
    screen, core, presenter, _ = nook
    core.scan(card("s05"))
    pump(lambda: screen.title == "Hi Sofia R." and screen.outcome == "ask:choice", message="Sofia's question")
    finger = finger_on(button(screen, "Listen to a story"))  # Sofia's finger goes down...
    core.scan(card("s10"))  # ...Lucas scans before she lifts it
    pump(lambda: screen.notice == "Lucas S., you're next", message="Lucas told he is next")
    assert (screen.title, screen.outcome) == ("Hi Sofia R.", "ask:choice")  # her question stayed
    finger.touch_up()
    pump(lambda: screen.outcome == "ask:goal" and screen.title == "Sofia R., what is your goal?",
         message="Sofia's goal question, not Lucas's")
    tap(screen, "Skip")
    pump(lambda: screen.title == "Hi Lucas S." and screen.outcome == "ask:choice",
         message="Lucas's question, without scanning again")
    tap(screen, "Read a book")
    pump(lambda: screen.outcome == "ask:goal", message="Lucas's goal question")
    tap(screen, "Help a friend")
    eventually(lambda: len(answers(hub)) == 3, message="the three answers at the hub")
    assert answers(hub) == [("s05", "choice", {"activity": "Listen to a story"}),
                            ("s10", "choice", {"activity": "Read a book"}),
                            ("s10", "goal", {"goal": "Help a friend"})]


def test_a_line_of_students_each_gets_their_own_questions_and_every_choice_is_kept(nook, hub, tmp_path):
    """Five scan a fraction of a second apart; each answers in turn, and nobody scans twice."""
    screen, core, presenter, _ = nook
    activities = ("Read a book", "Listen to a story", "Write a review", "Read a book", "Listen to a story")
    for student in LYNXES:
        core.scan(card(student))
        frames(1)
    pump(lambda: presenter.view.waiting() == 4, message="four students in line")
    names = [core.state.students[student].name for student in LYNXES]
    told = []  # each in turn, as drawn frame by frame: none replaced before it was seen
    pump(lambda: told.append(screen.notice) or told[-1].endswith("number 4 in line"), timeout=10,
         message="the fifth student told their place")
    assert [notice for notice in dict.fromkeys(told) if notice] == [
        f"{names[1]}, you're next", f"{names[2]}, you're number 2 in line", f"{names[3]}, you're number 3 in line",
        f"{names[4]}, you're number 4 in line"]
    screen.export_to_png("/tmp/kiosk-line.png")
    for student, activity in zip(LYNXES, activities, strict=True):
        name = core.state.students[student].name
        # Greeted, or asked by name once the greeting has been up its 5 s (the line's notices take about as long)
        pump(lambda name=name: screen.title in (f"Hi {name}", f"{name}, what will you do?")
             and screen.outcome == "ask:choice", message=f"{name}'s turn")
        tap(screen, activity)
        pump(lambda: screen.outcome == "ask:goal", message=f"{name}'s goal question")
        tap(screen, "Try something hard")
    pump(lambda: screen.title == "Thank you!", message="the last thanks")
    eventually(lambda: len(answers(hub)) == 10, message="every answer at the hub")
    assert answers(hub) == [answer for student, activity in zip(LYNXES, activities, strict=True) for answer in (
        (student, "choice", {"activity": activity}), (student, "goal", {"goal": "Try something hard"}))]
    assert {s: hub.room.progress[s].activity for s in LYNXES} == dict(zip(LYNXES, activities, strict=True))


def test_a_question_nobody_answered_is_asked_again_at_the_next_scan(nook, hub):
    screen, core, presenter, _ = nook
    core.scan(card("s05"))
    pump(lambda: screen.outcome == "ask:choice", message="Sofia's question")
    tap(screen, "Read a book")
    pump(lambda: screen.outcome == "ask:goal", message="Sofia's goal question")
    presenter.view._asked_at -= 60  # she walked off a minute ago
    pump(lambda: screen.outcome == "idle", message="the question to go away")
    core._last_scan = ("", 0.0)
    core.scan(card("s05"))
    pump(lambda: screen.outcome == "ask:goal" and screen.title == "Hi Sofia R.",
         message="the goal question again, not the activity she already chose")


def test_an_answer_can_be_changed_for_a_few_seconds_and_the_latest_counts(nook, hub, tmp_path):
    screen, core, presenter, _ = nook
    core.scan(card("s05"))
    pump(lambda: screen.outcome == "ask:choice", message="Sofia's question")
    tap(screen, "Read a book")
    pump(lambda: screen.outcome == "ask:goal" and screen.undo == "Changed your mind?", message="the undo button")
    screen.export_to_png("/tmp/kiosk-undo.png")
    finger_on(screen.ids.undo).touch_up()
    pump(lambda: screen.outcome == "ask:choice", message="the choice again")
    tap(screen, "Write a review")
    pump(lambda: screen.outcome == "ask:goal", message="the goal question")
    tap(screen, "Help a friend")
    pump(lambda: screen.title == "Thank you!" and screen.undo, message="thanks, still undoable")
    eventually(lambda: hub.room.progress.get("s05") and hub.room.progress["s05"].goal == "Help a friend",
               message="the goal at the hub")
    assert hub.room.progress["s05"].activity == "Write a review"
    presenter.view._undo = (presenter.view._undo[0], presenter.view._undo[1] - 60)
    pump(lambda: not screen.undo, message="the undo button to go after a few seconds")


def test_im_done_checks_out_at_once_and_asks_how_it_went(nook, hub):
    screen, core, presenter, _ = nook
    core.scan(card("s10"))
    pump(lambda: screen.outcome == "ask:choice", message="Lucas's question")
    tap(screen, "Read a book")
    pump(lambda: screen.outcome == "ask:goal", message="the goal question")
    tap(screen, "Skip")
    presenter.view._undo = None  # "Changed your mind?" has gone: "I'm done" is in its place
    pump(lambda: screen.outcome == "thanks" and screen.can_check_out and not screen.undo, message="I'm done offered")
    eventually(lambda: "s10" in hub.room.presence, message="Lucas placed")
    finger_on(screen.ids.done).touch_up()
    pump(lambda: screen.outcome == "ask:exit_ticket", message="the exit ticket")
    eventually(lambda: "s10" in hub.room.checked_out, message="Lucas checked out at the hub at once")
    tap(screen, "Got it!")
    pump(lambda: screen.outcome == "ask:next", message="what next")
    tap(screen, "More of this")
    eventually(lambda: hub.room.progress["s10"].ticket == "got_it", message="the ticket at the hub")
    eventually(lambda: len(answers(hub)) == 4, message="the answers stored")
    assert [kind for student, kind, _ in answers(hub)] == ["choice", "checkout", "exit_ticket", "exit_ticket"]
