"""The session report's arithmetic and words (hub/report.py): stays, tickets, groups, each event as a teacher would
say it. Pure; `rotation report` reading the hub's database: tests/test_report.py."""
from hub.report import SessionEvent, build_report, describe

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


def test_the_report_says_each_exit_tickets_answer_about_the_students_goal():
    assert describe(SessionEvent(1, "exit_ticket", "s1", "tech", {"how": "got_it", "goal": "met", "next": "More"})) \
        == "exit ticket: got it, met their goal (next: More)"
    assert describe(SessionEvent(1, "exit_ticket", "s1", "tech", {"how": "stuck", "goal": "not_yet"})) \
        == "exit ticket: stuck, not yet closer to their goal"


def test_every_other_kind_of_event_reads_as_a_teacher_would_say_it_and_names_no_suggested_classmate():
    def said(kind, data=None, stations=None):
        return describe(SessionEvent(0, kind, "a", "lab", data or {}), stations)

    assert said("checkin") == "checked in"
    assert said("seated") == "at the teacher's table" and said("left_table") == "left the teacher's table"
    assert said("checkout", {"by": "student"}) == "said they were done"
    assert said("checkout") == "marked absent"
    assert said("pick", {"to": "nook"}, {"nook": "Nook"}) == "chose the next station: Nook"
    assert said("pick", {"to": "gym"}) == "chose the next station: gym"
    assert said("placed") == "placed here: did not choose in time"
    assert said("help") == "asked for help"
    assert said("help", {"peer": "b", "taken": True}) == "asked for help (a classmate suggested: asked)"
    assert said("help", {"peer": "b", "taken": False}) == "asked for help (a classmate suggested: not asked)"
    assert said("help", {"peer": "b"}) == "asked for help (a classmate suggested: no answer)"
    assert said("conference", {"text": "reads aloud"}) == "conference: reads aloud"
    assert said("conference", {"tags": ["pace"]}) == "conference: pace"
    assert said("exit_ticket", {"how": "got_it"}) == "exit ticket: got it"
    assert said("mystery") == "mystery"


def test_the_teachers_table_counts_as_a_stay_until_the_group_leaves_and_a_choice_round_is_listed_by_name():
    events = [SessionEvent(0, "seated", "c", "nook"), SessionEvent(120, "left_table", "c", "nook"),
              SessionEvent(130, "checkin", "b", "nook"), SessionEvent(190, "checkout", "b", "nook", {"by": "student"}),
              SessionEvent(200, "pick", "b", "nook", {"to": "lab"}), SessionEvent(210, "placed", "a", "nook",
                                                                                  {"to": "lab"}),
              SessionEvent(50, "checkin", "ghost", "nook")]  # not a student of the class: left out
    report = build_report(events, STUDENTS, STATIONS, 0, 600, class_name="Period 1")
    nook = report.stations[1]
    assert (nook.students, nook.minutes, nook.help_calls) == (2, 3.0, 0)
    assert report.class_name == "Period 1" and report.groups[0].minutes == 1.0
    assert [(c.name, c.station, c.chose) for c in report.choices] == [("Ana O.", "Lab", False), ("Ben N.", "Lab", True)]
    assert "ghost" not in {row.student_id for row in report.timeline}
    assert [row.what for row in report.timeline if row.student_id == "b"] == [
        "checked in", "said they were done", "chose the next station: Lab"]


def test_a_lesson_is_titled_by_its_class_its_day_and_its_hours():
    import time

    from hub.report import clock_time, lesson_title

    started = time.mktime((2026, 12, 1, 9, 5, 0, 0, 0, -1))
    assert clock_time(started) == "09:05"
    assert lesson_title("Period 1", started, started + 3000) == "Period 1 · Tue 01 Dec 2026, 09:05–09:55"
    assert lesson_title("", started, started + 60).startswith("Lesson · Tue 01 Dec 2026")


def test_the_report_carries_its_times_each_rows_station_by_name_and_each_groups_minutes_to_the_tenth():
    events = [SessionEvent(0, "checkin", "a", "lab"), SessionEvent(100, "checkin", "b", "lab"),
              SessionEvent(200, "exit_ticket", "b", "lab", {"how": "stuck"}),
              SessionEvent(250, "exit_ticket", "a", "lab", {"how": "got_it"}),  # the same group's last word
              SessionEvent(260, "checkin", "a", "gym"),  # a station the room no longer has: by its id
              SessionEvent(270, "pick", "a", "gym", {"to": "nook"}),
              SessionEvent(290, "checkin", "c", "nook"), SessionEvent(290.5, "checkout", "c", "nook")]
    report = build_report(events, STUDENTS, STATIONS, 10.0, 300.0)
    assert (report.started, report.ended, report.class_name) == (10.0, 300.0, "")
    assert [(r.student_id, r.at, r.station) for r in report.timeline if r.student_id == "a"] == [
        ("a", 0, "Lab"), ("a", 250, "Lab"), ("a", 260, "gym"), ("a", 270, "gym")]
    assert [(c.student_id, c.at, c.station) for c in report.choices] == [("a", 270, "Nook")]
    lab, nook = report.stations
    assert (lab.station, lab.minutes, lab.tickets) == ("Lab", round((250 + 100) / 60, 1),
                                                       {"got_it": 1, "getting_there": 0, "stuck": 1})
    assert nook.minutes == 0.0  # half a second is no tenth of a minute
    (reds,) = report.groups
    assert reds.minutes == round((250 + 40 + 100) / 60, 1)  # Ana at the lab and then at gym to the end; Ben
    assert reds.tickets == {"got_it": 1, "getting_there": 0, "stuck": 1}
    ignored = build_report([SessionEvent(0, "exit_ticket", "a", "lab", {"how": "meh"})], STUDENTS, STATIONS, 0, 1)
    assert ignored.stations[0].tickets == {"got_it": 0, "getting_there": 0, "stuck": 0}
