"""Two lessons back to back in one room, of two classes, as a teacher runs them: started and ended at the
board, students scanning at the real kiosks through serial scanners (pseudo-terminals), last exit tickets at
End, the summary, the next class, and each lesson's own report at the end."""
import csv
import os
import tty
from pathlib import Path

import pytest

import hub.lesson_screen
from hub.lesson_screen import EndDialog, LessonDialog, SummaryDialog
from kiosk.core import KioskCore
from kiosk.prompts import after_scan
from kiosk.scanners import SerialScanner
from tests.conftest import card, eventually, press, pump
from tests.test_lesson_screen import button


class Kiosk:
    """A station's kiosk with a serial scanner on a pseudo-terminal: a card is read as the wire sends it."""

    def __init__(self, config, station: str, folder: Path) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.core = KioskCore(config, station, folder / f"{station}.db")
        self.decisions: list = []
        self.core.decision_listeners.append(self.decisions.append)
        self.scanner = SerialScanner(os.ttyname(self.slave), 9600, self.core.scan, self.core.unreadable,
                                     line_timeout=0.3)
        self.core.start()
        self.scanner.start()

    def scan(self, student: str, answer: str | None = None):
        """The student's card on the wire; the kiosk's answer, and the student's tap on its first question."""
        before = len(self.decisions)
        os.write(self.master, card(student).encode() + b"\r\n")
        eventually(lambda: len(self.decisions) > before, message=f"{self.core.station.id} to read {student}")
        decision = self.decisions[-1]
        prompt = after_scan(decision, self.core.state, self.core.station.id)
        if prompt is not None and answer is not None:
            self.core.answer(prompt, answer)
        return decision

    def close(self) -> None:
        self.scanner.stop()
        self.core.stop()
        for fd in (self.master, self.slave):
            os.close(fd)


@pytest.fixture
def kiosks(board, tmp_path):
    hub_service = board[0]
    made = {s.id: Kiosk(hub_service.config, s.id, tmp_path) for s in hub_service.config.stations if s.kiosk}
    eventually(lambda: all(k.core.online and k.core.state for k in made.values()), 10, "the kiosks online")
    yield made
    for kiosk in made.values():
        kiosk.close()


def scan_in(hub_service, kiosks, students) -> None:
    """Each student at their group's station: a kiosk where there is one (the teacher's table has none)."""
    for student in students:
        expected = hub_service.room.snapshot(0).expected_station(student)
        if expected is not None and expected.kiosk:
            decision = kiosks[expected.id].scan(student)
            assert decision.outcome == "welcome", (student, decision)
            kiosks[expected.id].core.answer(after_scan(decision, kiosks[expected.id].core.state, expected.id),
                                            kiosks[expected.id].core.state.station(expected.id).activities[0])
    eventually(lambda: all(s in hub_service.room.presence for s in students
                           if hub_service.room.snapshot(0).expected_station(s).kiosk), message="the check-ins")


def tap_end(screen) -> None:
    """End, once the board shows the lesson running and nothing over it."""
    pump(lambda: button(screen, "End…").shown and screen.get_root_window().children[0] is screen,
         message="the board showing the lesson")
    press(lambda: button(screen, "End…"))


def test_two_classes_back_to_back_from_the_board_through_the_kiosks_to_their_reports(board, kiosks, monkeypatch):
    hub_service, screen, presenter = board
    monkeypatch.setattr(hub.lesson_screen, "LAST_TICKETS_SECONDS", 3.0)  # a minute in class, 3 s here

    # Period 2, started at the board.
    press(lambda: screen.ids.start)
    pump(lambda: isinstance(presenter.dialog, LessonDialog), message="the lesson screen")
    press(lambda: presenter.dialog.ids.go)
    eventually(lambda: hub_service.room.clock.round == 1 and hub_service.room.class_id == "period-2")
    period_2 = sorted(hub_service.room.students)
    scan_in(hub_service, kiosks, period_2)
    assert kiosks["tech"].scan("s03").outcome == "other_class"  # Noah is in Period 3

    kiosks["tech"].core.ask_help()  # one call for help in the lesson
    eventually(lambda: hub_service.room.help, message="the call for help at the hub")

    # End at the board: the last exit tickets, at whichever kiosk each student passes.
    tap_end(screen)
    pump(lambda: isinstance(presenter.dialog, EndDialog), message="the question")
    press(lambda: presenter.dialog.ids.collect)
    eventually(lambda: hub_service.room.clock.closing_at is not None, message="the last tickets")
    # What a student meets is the kiosk's view of it, a moment behind the hub.
    eventually(lambda: kiosks["tech"].core.state.clock.closing_at is not None, message="the kiosk to know it")
    for student, how in zip(period_2, ("got_it", "stuck", "getting_there"), strict=False):
        decision = kiosks["tech"].scan(student, answer=how)
        assert decision.outcome == "checkout"
    eventually(lambda: sum(1 for p in hub_service.room.progress.values() if p.ticket) == len(period_2),
               message="the tickets at the hub")
    pump(lambda: isinstance(presenter.dialog, SummaryDialog) and "Report saved" in presenter.dialog.lines,
         timeout=15, message="the summary with its report")
    summary = presenter.dialog.lines
    assert "3 exit tickets, 1 stuck" in summary and "Period 2" in presenter.dialog.title
    assert "\n1 call for help\n" in summary  # one, not "1 calls"

    # Period 3, from the summary.
    press(lambda: button(presenter.dialog, "Next lesson…"))
    pump(lambda: isinstance(presenter.dialog, LessonDialog), message="the lesson screen")
    press(lambda: button(presenter.dialog.ids.classes, "Period 3"))
    pump(lambda: presenter.dialog.described.startswith("Period 3"))
    press(lambda: presenter.dialog.ids.go)
    eventually(lambda: hub_service.room.clock.round == 1 and hub_service.room.class_id == "period-3")
    pump(lambda: presenter.dialog is None, message="the summary gone with the new lesson")
    period_3 = sorted(hub_service.room.students)
    assert period_3 == ["s01", "s03", "s05"]
    eventually(lambda: all(k.core.state.class_id == "period-3" for k in kiosks.values()), message="kiosks follow")
    scan_in(hub_service, kiosks, period_3)
    assert kiosks["tech"].scan("s02").outcome == "other_class"  # Liam's lesson is over
    tap_end(screen)
    pump(lambda: isinstance(presenter.dialog, EndDialog), message="the question")
    press(lambda: button(presenter.dialog, "End now"))
    eventually(lambda: hub_service.room.ended is not None and hub_service.room.ended.report is not None,
               timeout=15, message="the second report")

    # Each lesson's report is its class's.
    reports = hub_service.config.hub.database.parent / "reports"
    (first,) = reports.glob("* period-2")
    (second,) = reports.glob("* period-3")
    first_names = {row["name"] for row in csv.DictReader((first / "timeline.csv").open())}
    second_names = {row["name"] for row in csv.DictReader((second / "timeline.csv").open())}
    assert first_names >= {"Liam C.", "Ava D."} and "Noah K." not in first_names
    assert second_names >= {"Noah K.", "Zoë N."} and "Liam C." not in second_names
    tickets = [row["what"] for row in csv.DictReader((first / "timeline.csv").open())
               if row["what"].startswith("exit ticket")]
    assert sorted(tickets) == ["exit ticket: getting there", "exit ticket: got it", "exit ticket: stuck"]
