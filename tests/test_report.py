"""The session report's arithmetic, and `rotation report` reading the hub's database."""
from hub.report import SessionEvent, build_report, describe
from hub.roster_source import read_roster
from hub.store import HubStore
from rotation.cli import main
from tests.conftest import SAMPLE, write_room

STUDENTS = {"a": ("Ana O.", "reds"), "b": ("Ben N.", "reds"), "c": ("Cy L.", None)}
STATIONS = [("lab", "Lab"), ("nook", "Nook")]


def test_a_stay_runs_from_check_in_to_exit_ticket_or_the_next_check_in_or_the_end():
    events = [SessionEvent(0, "checkin", "a", "lab"), SessionEvent(300, "exit_ticket", "a", "lab", {"how": "stuck"}),
              SessionEvent(360, "checkin", "a", "nook"),  # no exit ticket: the stay runs to the end
              SessionEvent(60, "checkin", "b", "lab"), SessionEvent(120, "checkin", "b", "lab"),
              SessionEvent(130, "exit_ticket", "b", "lab", {"how": "got_it"}),
              SessionEvent(140, "exit_ticket", "b", "lab", {"how": "getting_there"}),  # changed her mind
              SessionEvent(200, "help", "a", "lab")]
    report = build_report(events, STUDENTS, STATIONS, 0, 600, {"lab": 3})
    lab, nook = report.stations
    assert (lab.students, lab.minutes, nook.minutes) == (2, round((300 + 60 + 10) / 60, 1), 4.0)
    assert lab.tickets == {"got_it": 0, "getting_there": 1, "stuck": 1}  # each student's last word counts
    (reds,) = report.groups
    assert (reds.group, reds.students, reds.tickets) == ("reds", 2, {"got_it": 0, "getting_there": 1, "stuck": 1})
    assert [(row.name, row.what) for row in report.timeline][:4] == [
        ("Ana O.", "checked in"), ("Ana O.", "asked for help"), ("Ana O.", "exit ticket: stuck"),
        ("Ana O.", "checked in")]
    assert (lab.help_calls, nook.help_calls) == (3, 0)


def test_each_kind_reads_as_a_teacher_would_say_it():
    assert [describe(SessionEvent(0, kind, "a", "lab", data)) for kind, data in [
        ("choice", {"activity": "Read a book"}), ("goal", {"goal": "Help a friend"}),
        ("exit_ticket", {"how": "getting_there", "next": "Something harder"}),
        ("conference", {"tags": ["fluency", "pace"], "text": "reads with expression"})]] == [
        "chose: Read a book", "goal: Help a friend", "exit ticket: getting there (next: Something harder)",
        "conference: fluency, pace · reads with expression"]


def test_rotation_report_works_without_the_hub_and_says_when_there_is_nothing(tmp_path, capsys):
    path = write_room(tmp_path, 1883)
    assert main(["report", "--config", str(path)]) == 1
    assert "no session has been started yet" in capsys.readouterr().err
    store = HubStore(tmp_path / "hub.db")
    store.import_roster(read_roster(SAMPLE / "roster.csv")[0])  # as the hub does when it starts
    store.begin_session(1000.0, "class")
    store.add_note("s01", "teacher-table", 1010.0, ["goal"], "wants to try chapter books")
    store.end_session(1100.0)
    store.close()
    assert main(["report", "--config", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "report written to" in capsys.readouterr().out
    assert "wants to try chapter books" in (tmp_path / "out" / "timeline.csv").read_text()


def test_the_report_says_each_exit_tickets_answer_about_the_students_goal():
    from hub.report import SessionEvent, describe

    assert describe(SessionEvent(1, "exit_ticket", "s1", "tech", {"how": "got_it", "goal": "met", "next": "More"})) \
        == "exit ticket: got it, met their goal (next: More)"
    assert describe(SessionEvent(1, "exit_ticket", "s1", "tech", {"how": "stuck", "goal": "not_yet"})) \
        == "exit ticket: stuck, not yet closer to their goal"
