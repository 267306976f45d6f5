"""The lesson set up, changed and ended at the board, tap by tap, with the real hub, broker and display."""
from hub.lesson_screen import LessonDialog, PickButton, SummaryDialog
from shared.protocol import Command
from tests.conftest import eventually, press, pump


class Finger:
    """Taps what a teacher would see, and counts them."""

    def __init__(self) -> None:
        self.taps = 0

    def tap(self, find) -> None:
        self.taps += 1
        press(find)


def button(widget, text: str):
    return next(b for b in widget.walk(restrict=True) if getattr(b, "text", None) == text)


def test_from_the_idle_board_a_class_starts_with_its_preset_in_three_taps(board):
    hub, screen, presenter = board
    hub.handle_command(Command("c1", "start", "setup", {"class": "Period 3", "minutes": 12, "rounds": 3,
                                                          "passing": 1}))
    hub.handle_command(Command("c2", "end", "setup", {}))
    hub.handle_command(Command("c3", "set_class", "setup", {"class": "Period 2"}))
    pump(lambda: screen.room.endswith("Period 2") and isinstance(presenter.dialog, SummaryDialog),
         message="Period 2, and the summary of the lesson just ended")

    finger = Finger()  # from the summary, as the board is after a lesson (from the map: Start… is the same tap)
    finger.tap(lambda: button(presenter.dialog, "Next lesson…"))
    pump(lambda: isinstance(presenter.dialog, LessonDialog), message="the lesson screen")
    dialog = presenter.dialog
    preset = button(dialog, "Period 3 · 12 min × 3")
    assert isinstance(preset, PickButton)
    finger.tap(lambda: button(dialog, "Period 3 · 12 min × 3"))
    pump(lambda: dialog.described.startswith("Period 3 · 12-minute rounds × 3 · 1 min to move"))
    finger.tap(lambda: dialog.ids.go)
    eventually(lambda: hub.room.clock.round == 1, message="the lesson to start")
    assert finger.taps == 3
    assert (hub.room.class_id, hub.room.clock.rounds, hub.room.clock.duration, hub.room.clock.passing) == (
        "period-3", 3, 720.0, 60.0)
    pump(lambda: screen.notice.startswith("Now running Period 3") or screen.notice.startswith("Started round 1"),
         message="the teacher told what happened")


def test_during_a_lesson_the_round_length_changes_from_the_board_and_the_last_minute_is_amber_and_chimes(board):
    hub, screen, presenter = board
    hub.handle_command(Command("c1", "start", "setup", {"minutes": 10}))
    pump(lambda: screen.round_text == "Round 1 of 5", message="round 1")
    finger = Finger()
    finger.tap(lambda: button(screen, "Lesson…"))
    pump(lambda: isinstance(presenter.dialog, LessonDialog) and presenter.dialog.running, message="the lesson")
    dialog = presenter.dialog
    assert dialog.ids.go.text == "Change"
    finger.tap(lambda: button(dialog.ids.minutes, "5"))  # the shortest pick, then − to one minute
    for _ in range(4):
        finger.tap(lambda: button(dialog, "−"))
    assert dialog.minutes_text == "1 min"
    finger.tap(lambda: dialog.ids.go)
    eventually(lambda: hub.room.clock.duration == 60.0, message="one-minute rounds")
    pump(lambda: screen.phase == "warning", message="the last minute")
    assert screen.ids.clock.color != [1, 1, 1, 1]  # amber, seen from the back
    if presenter.chime is not None:  # where the display has sound
        assert presenter.chime.state == "play"


def test_the_running_class_starts_from_the_map_in_two_taps_with_the_rooms_defaults(board):
    hub, screen, presenter = board
    finger = Finger()
    finger.tap(lambda: screen.ids.start)
    pump(lambda: isinstance(presenter.dialog, LessonDialog), message="the lesson screen")
    dialog = presenter.dialog
    assert dialog.described == "Period 2 · 15-minute rounds × 5"  # no preset yet: the room's round length
    assert button(dialog.ids.classes, "Period 2").chosen
    finger.tap(lambda: dialog.ids.go)
    eventually(lambda: hub.room.clock.round == 1, message="the lesson to start")
    assert finger.taps == 2 and hub.room.class_id == "period-2"
    assert hub.store.presets()["period-2"].minutes == 15  # its preset from now on
