"""Goals that carry over (issue 20), through the real kiosk screen, the real hub (restarted between lessons) and
the broker: a goal set in one lesson is shown at check-in in the next, with what the student said there last
time; the exit ticket asks about it; "I met my goal!" closes it; the teacher's goal list in the student's
language; and a kiosk is told only the goals of the students its station needs."""
import itertools
import time
from contextlib import contextmanager

import msgspec

from hub.kiosk_view import kiosk_view
from kiosk.app import KioskScreen
from shared.protocol import Command, LastVisit, Presence, StandingGoal
from tests.conftest import card, eventually, kiosk_on_screen, pump, running_hub, tap
from tests.test_kiosk_decide import STATE

NOOK = "reading-nook"
_ids = itertools.count()


def shot(screen: KioskScreen, path) -> None:
    """The screen as the student sees it, once drawn: a PNG to look at."""
    from kivy.base import EventLoop

    for _ in range(3):
        EventLoop.idle()
    screen.export_to_png(str(path))


def command(hub, action: str, **args) -> None:
    hub.handle_command(Command(f"c{next(_ids)}", action, "test", args))


def lesson_with(hub, core, student: str, station: str) -> None:
    """A new lesson, moved on until the student's group is due at ``station``, as the kiosk there sees it."""
    if hub.room.clock.round:
        command(hub, "end")
    command(hub, "start")
    for _ in range(len(hub.room.stations)):
        if hub.room.snapshot(0).expected_station(student).id == station:
            break
        command(hub, "next")
    clock = hub.room.snapshot(0).clock  # this lesson's: the last one's may have had the student due here too
    eventually(lambda: core.state.clock == clock and core.state.expected_station(student).id == station,
               message=f"{student}'s group due at {station}")


@contextmanager
def nook_kiosk(room, kivy_window, tmp_path):
    later = {"by": 0.0}
    with kiosk_on_screen(room, NOOK, kivy_window, tmp_path / "outbox.db",
                         now=lambda: time.time() + later["by"]) as (screen, core, presenter):
        yield screen, core, later


def scan(core, later, student: str, minutes_later: float = 0.0) -> None:
    later["by"] += minutes_later * 60
    core._last_scan = ("", 0.0)
    core.scan(card(student))


def answer_the_exit_ticket(screen, how: str, goal_answer: str, wish: str) -> None:
    """The exit ticket on screen answered: how it went, the goal question, what next time."""
    pump(lambda: screen.outcome == "ask:exit_ticket", message="the exit ticket")
    tap(screen, how)
    pump(lambda: screen.outcome == "ask:goal_check", message="the question about the goal")
    tap(screen, goal_answer)
    pump(lambda: screen.outcome == "ask:next", message="what next time")
    tap(screen, wish)


def check_in_with_a_goal(hub, screen, core, later, student: str, activity: str, goal: str) -> None:
    """A new lesson with the student due at the nook, and their check-in there: an activity, then a goal."""
    lesson_with(hub, core, student, NOOK)
    scan(core, later, student)
    pump(lambda: screen.outcome == "ask:choice", message="the choice of activities")
    tap(screen, activity)
    pump(lambda: screen.outcome == "ask:goal", message="the goal question")
    tap(screen, goal)


def test_a_goal_set_in_one_lesson_is_shown_at_check_in_in_the_next_after_a_hub_restart_until_met(
        room, kivy_window, tmp_path):
    first = running_hub(room)
    hub = first.__enter__()
    try:
        with nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
            lesson_with(hub, core, "s05", NOOK)
            scan(core, later, "s05")
            pump(lambda: screen.outcome == "ask:choice", message="the choice of activities")
            assert screen.goal == "" and screen.last_time == ""  # nothing yet to remind Sofia of
            tap(screen, "Listen to a story")
            pump(lambda: screen.outcome == "ask:goal", message="the goal question")
            tap(screen, "Help a friend")
            eventually(lambda: hub.store.open_goals().get("s05") is not None, message="the goal kept at the hub")
            eventually(lambda: "s05" in core.state.presence and "s05" in core.state.standing, message="the state")

            scan(core, later, "s05", minutes_later=2)  # leaving
            pump(lambda: screen.outcome == "ask:exit_ticket", message="the exit ticket")
            tap(screen, "Getting there")
            pump(lambda: screen.outcome == "ask:goal_check", message="the question about the goal")
            assert screen.title == "Sofia R., did you get closer to your goal?"
            assert [b.text.rsplit("\n", 1)[-1] for b in reversed(screen.ids.choices.children)] == [
                "Closer", "Not yet", "I met my goal!"]
            shot(screen, tmp_path / "kiosk-goal-check.png")
            tap(screen, "Closer")
            pump(lambda: screen.outcome == "ask:next", message="what next time")
            tap(screen, "Something harder")
            eventually(lambda: hub.room.progress["s05"].next == "Something harder", message="the exit ticket")
            eventually(lambda: [c.answer for c in hub.store.goals_of("s05")[0].checks] == ["closer"],
                       message="the goal's answer kept once for the visit")
            command(hub, "end")
            first.__exit__(None, None, None)
            first = None
            with running_hub(room) as hub:  # another day: the hub started afresh
                lesson_with(hub, core, "s05", NOOK)
                later["by"] += 600
                scan(core, later, "s05")
                pump(lambda: screen.outcome == "ask:choice", message="the choice of activities, lesson 2")
                assert screen.goal == "Your goal: Help a friend"
                assert screen.goal_picture  # the goal's own picture beside its words
                assert screen.last_time == "Last time here: Getting there · You wanted: Something harder"
                shot(screen, tmp_path / "kiosk-goal-reminder.png")
                tap(screen, "Read a book")
                pump(lambda: screen.title == "Thank you!", message="thanks, with no goal question: one stands")
                eventually(lambda: "s05" in core.state.presence, message="the kiosk told she is here, lesson 2")

                scan(core, later, "s05", minutes_later=2)
                pump(lambda: screen.outcome == "ask:exit_ticket", message="the exit ticket, lesson 2")
                tap(screen, "Got it!")
                pump(lambda: screen.outcome == "ask:goal_check", message="the question about the goal, lesson 2")
                assert (screen.goal, screen.last_time) == ("Your goal: Help a friend", "")  # which goal: this one
                assert screen.goal_picture
                tap(screen, "I met my goal!")
                pump(lambda: screen.outcome == "ask:next", message="what next time, lesson 2")
                tap(screen, "More of this")
                eventually(lambda: "s05" not in hub.room.standing, message="the goal closed as met")
                goals = hub.store.goals_of("s05")
                assert [(g.text, g.outcome, [c.answer for c in g.checks]) for g in goals] == [
                    ("Help a friend", "met", ["closer", "met"])]

                lesson_with(hub, core, "s05", NOOK)  # the next lesson asks for a new goal
                eventually(lambda: "s05" not in core.state.standing, message="the kiosk told the goal is met")
                later["by"] += 600
                scan(core, later, "s05")
                pump(lambda: screen.outcome == "ask:choice", message="the choice of activities, lesson 3")
                assert screen.goal == ""
                tap(screen, "Read a book")
                pump(lambda: screen.outcome == "ask:goal", message="a new goal asked for")
    finally:
        if first is not None:
            first.__exit__(None, None, None)


def test_a_student_picks_a_new_goal_from_the_check_in_screen_and_the_old_one_closes_as_changed(
        room, kivy_window, tmp_path):
    with running_hub(room) as hub, nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
        check_in_with_a_goal(hub, screen, core, later, "s05", "Read a book", "Try something hard")
        eventually(lambda: "s05" in core.state.standing, message="the goal at the kiosk")
        lesson_with(hub, core, "s05", NOOK)
        later["by"] += 600
        scan(core, later, "s05")
        pump(lambda: screen.outcome == "ask:choice", message="the choice of activities")
        tap(screen, "Read a book")
        pump(lambda: screen.can_change_goal and screen.outcome == "thanks", message="the New goal button")
        screen.ids.new_goal.dispatch("on_release")
        pump(lambda: screen.outcome == "ask:goal", message="the goal question, asked anew")
        tap(screen, "Ask a good question")
        eventually(lambda: [(g.text, g.outcome) for g in hub.store.goals_of("s05")] == [
            ("Try something hard", "changed"), ("Ask a good question", None)], message="the goal changed")


def test_the_teachers_goal_list_is_shown_in_the_students_language(room, kivy_window, tmp_path):
    words = {"en": "Read every day", "es": "Leer cada día", "uk": "Читати щодня"}
    with running_hub(room) as hub, nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
        command(hub, "set_goals", goals=[{"picture": "menu_book", "words": words},
                                         {"picture": "lightbulb", "words": {"en": "Ask", "es": "Preguntar",
                                                                             "uk": "Питати"}}])
        command(hub, "set_needs", student="s05", needs={"language": "es"})
        eventually(lambda: core.state.goals == ("Read every day", "Ask") and core.state.students["s05"].needs,
                   message="the teacher's goals and Sofia's language at the kiosk")
        lesson_with(hub, core, "s05", NOOK)
        scan(core, later, "s05")
        pump(lambda: screen.outcome == "ask:choice", message="the choice of activities")
        tap(screen, "Read a book")
        pump(lambda: screen.outcome == "ask:goal", message="the goal question")
        assert [b.text.rsplit("\n", 1)[-1] for b in reversed(screen.ids.choices.children)][:2] == [
            "Leer cada día", "Preguntar"]
        tap(screen, "Leer cada día")
        eventually(lambda: "s05" in core.state.standing, message="the goal at the kiosk")
        assert hub.store.open_goals()["s05"].text == "Read every day"  # recorded as the teacher's first words
        lesson_with(hub, core, "s05", NOOK)
        later["by"] += 600
        scan(core, later, "s05")
        pump(lambda: screen.outcome == "ask:choice", message="the check-in, lesson 2")
        assert screen.goal == "Tu meta: Leer cada día"
        tap(screen, screen.ids.choices.children[-1].text.rsplit("\n", 1)[-1])  # the first activity
        pump(lambda: screen.can_change_goal, message="the New goal button after the choice")
        shot(screen, tmp_path / "kiosk-goal-spanish.png")


def test_a_kiosk_view_carries_only_the_goals_and_last_visits_of_students_its_station_needs():
    goal = StandingGoal(text="Help a friend", picture="handshake", set_at=1.0)
    visits = (LastVisit(NOOK, 1.0, "got_it", "More of this", "closer"), LastVisit("tech", 2.0, "stuck"))
    snapshot = msgspec.structs.replace(STATE, standing={s: goal for s in STATE.students},
                                       last_visits={s: visits for s in STATE.students},
                                       presence={"s01": Presence(NOOK, 5.0)})
    nook, tech = kiosk_view(snapshot, NOOK), kiosk_view(snapshot, "tech")
    # the nook: Sofia's group is due there, Maya is there (her group is due at tech), Priya has no group
    assert set(nook.standing) == set(nook.last_visits) == {"s05", "s01", "s09"}
    assert set(tech.standing) == set(tech.last_visits) == {"s01", "s09"}  # never Sofia's
    assert nook.last_visits["s05"] == (visits[0],) and tech.last_visits["s01"] == (visits[1],)  # this station's


def test_the_hub_sends_each_kiosk_only_the_goals_of_students_there_or_expected(room, kivy_window, tmp_path):
    with running_hub(room) as hub, nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
        lesson_with(hub, core, "s05", NOOK)
        for student in ("s01", "s05"):  # otters and lynxes: never at the same station in a round
            command(hub, "set_own_goal", student=student, text="Read to my brother", picture="menu_book")
        eventually(lambda: "s05" in core.state.standing, message="Sofia's own goal at the nook's kiosk")
        assert "s01" not in core.state.standing and "s01" in hub.room.snapshot(0).standing
        assert core.state.standing["s05"].own and core.state.standing["s05"].text == "Read to my brother"


def test_retention_erases_goals_closed_before_the_cutoff_and_keeps_a_standing_one_however_old(tmp_path):
    from hub.store import HubStore

    store = HubStore(tmp_path / "hub.db")
    try:
        store.open_goal("s01", "Help a friend", "handshake", "room", "student", at=100.0, event_id="e1")
        store.check_goal("s01", "tech", visit=150.0, at=160.0, answer="met")
        store.close_goal("s01", "met", at=200.0)
        store.open_goal("s01", "Ask a good question", "lightbulb", "room", "student", at=300.0, event_id="e2")
        store.open_goal("s02", "Read to my brother", "menu_book", "own", "teacher", at=50.0)
        assert store.open_goal("s01", "Help a friend", "handshake", "room", "student", 400.0, "e1") is None  # again
        store.purge_before(250.0)
        assert [(g.student, g.text, g.outcome) for g in store.goals_of("s01") + store.goals_of("s02")] == [
            ("s01", "Ask a good question", None), ("s02", "Read to my brother", None)]
        assert store.db.execute("SELECT count(*) FROM goal_checks").fetchone()[0] == 0
    finally:
        store.close()


def test_a_students_goal_is_spoken_in_their_language_where_speech_is_on(tmp_path, broker, kivy_window):
    from shared.config import load_config
    from tests.conftest import room_changed

    config = load_config(room_changed(tmp_path, broker.port, 'name = "Room 12"', 'name = "Room 12"\nspeech = true'))
    with running_hub(config) as hub, kiosk_on_screen(config, NOOK, kivy_window, tmp_path / "outbox.db") as (
            screen, core, presenter):
        command(hub, "set_needs", student="s05", needs={"language": "uk"})
        command(hub, "set_own_goal", student="s05", text="Читати братові", picture="menu_book")
        lesson_with(hub, core, "s05", NOOK)
        said = "Твоя мета: Читати братові"
        pump(lambda: presenter.speech.ready("uk", said) is not None, timeout=60, message="the goal's sound made")
        before = presenter.last_spoken_at
        core.scan(card("s05"))
        pump(lambda: screen.outcome == "ask:choice" and presenter.last_spoken_at != before, message="the greeting said")
        assert screen.goal == said
        assert said in presenter.view.model().speech  # said after the greeting and the question


def test_a_teachers_goal_command_with_bad_input_is_refused_saying_why_and_changes_nothing(room, hub):
    from hub.display_link import DisplayLink

    link = DisplayLink(room)
    link.start()
    try:
        eventually(lambda: link.hub_online, 10, "the display online")
        every = {"en": "Read", "es": "Leer", "uk": "Читати"}
        refusals = [
            ("set_goals", {"goals": [{"picture": "skull", "words": every}, {"picture": "flag", "words": every}]},
             "'skull' is not one of the goals' pictures"),
            ("set_goals", {"goals": [{"picture": "flag", "words": every}, {"picture": "flag", "words": {"en": "Ask"}}]},
             "goal 2 “Ask” needs its words in Spanish, Ukrainian too"),
            ("set_goals", {"goals": [{"picture": "flag", "words": every}]}, "a student picks from at least two goals"),
            ("set_goals", {"goals": [{"picture": "flag", "words": every}, {"picture": "star", "words": every}]},
             "two goals have the same words"),
            ("set_own_goal", {"student": "s05", "text": "   ", "picture": "flag"}, "$.args.text"),
            ("set_own_goal", {"student": "s99", "text": "Read", "picture": "flag"}, "'s99' is not a student"),
            ("close_goal", {"student": "s05", "outcome": "met"}, "Sofia R. has no goal open"),
            ("close_goal", {"student": "s05", "outcome": "forgotten"}, "$.args.outcome"),
        ]
        for action, args, said in refusals:
            reply = link.command(action, args)
            assert reply is not None and not reply.ok and said in reply.message, (action, args, reply)
        assert hub.store.room_goals() == [] and hub.store.goals_of("s05") == []
        assert hub.room.snapshot(0).goals == room.goals  # the room file's, as before
    finally:
        link.stop()
