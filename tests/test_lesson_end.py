"""The end-of-lesson summary on the board (hub/lesson_end.py): counts only, as the class sees it. Pure."""
from msgspec.structs import replace

from hub.lesson_end import lesson_end, summary_lines
from shared.protocol import ClassEntry, LessonEnd, Presence, Progress, StationCount
from tests.test_kiosk_decide import STATE


def test_the_summary_counts_where_students_ended_who_was_absent_and_how_the_tickets_went():
    state = replace(STATE, class_id="p1", classes=(ClassEntry("p1", "Period 1"),),
                    presence={"s01": Presence("tech", 10.0), "s05": Presence("tech", 20.0)},
                    attendance={"s09": "absent", "s05": "absent"},  # s05 marked absent, then came
                    progress={"s01": Progress(ticket="stuck"), "s05": Progress(ticket="got_it"),
                              "s09": Progress(activity="Read a book")})
    end = lesson_end(state, started=0.0, ended=3600.0, help_calls=3)
    counts = (StationCount("reading-nook", "Reading Nook", 0, 1), StationCount("tech", "Tech Station", 2, 1))
    assert end == LessonEnd("Period 1", 0.0, 3600.0, counts, absent=1, stuck=1, tickets=2, help_calls=3)
    assert summary_lines(end) == ["2 checked in: Tech Station 2", "1 absent", "2 exit tickets, 1 stuck",
                                  "3 calls for help", "Writing the report…"]


def test_a_station_switched_off_shows_only_if_someone_checked_in_there_and_one_of_each_reads_as_one():
    off = tuple(replace(s, off=True) if s.id == "reading-nook" else s for s in STATE.stations)
    end = lesson_end(replace(STATE, stations=off, progress={"s01": Progress(ticket="got_it")}), 0.0, 60.0, 1)
    assert end.class_name == "The lesson"  # no class running: no name to give
    assert [s.id for s in end.checked_in] == ["tech"]
    assert summary_lines(replace(end, report="/srv/rotation/reports/2026-12-01 Period 1.pdf")) == [
        "0 checked in", "0 absent", "1 exit ticket", "1 call for help", "Report saved: 2026-12-01 Period 1.pdf"]
    there = lesson_end(replace(STATE, stations=off, presence={"s05": Presence("reading-nook", 5.0)}), 0.0, 60.0, 0)
    assert [s.id for s in there.checked_in] == ["reading-nook", "tech"]


def test_absent_counts_those_marked_absent_who_never_came_and_stations_are_listed_in_turn():
    state = replace(STATE, presence={"s01": Presence("tech", 1.0), "s05": Presence("reading-nook", 2.0)},
                    students={**STATE.students, "s10": STATE.students["s09"], "s11": STATE.students["s09"]},
                    attendance={"s09": "absent", "s10": "absent", "s05": "absent", "s11": "late"})
    end = lesson_end(state, 0.0, 60.0, 0)
    assert end.absent == 2  # s05 came after all; s11 was only late
    assert summary_lines(end)[0] == "2 checked in: Reading Nook 1, Tech Station 1"
