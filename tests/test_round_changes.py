"""A lesson as it runs: passing time and the last minute, the lesson changed while it runs (round length,
stations off or on from the next round), groups set from the next round or lesson, the out-of-room pass, and
End collecting the last exit tickets before the summary and the report. On the real hub, with its clock
moved by the test."""
import time

import pytest

from hub.mapview import build_map
from hub.service import HubService
from kiosk.decide import decide
from kiosk.view import KioskView
from shared.clock import phase
from shared.protocol import Command
from tests.conftest import CARD_KEYS, card, eventually


class MovableClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return MovableClock()


@pytest.fixture
def hub_at(room, clock):
    """The hub on the test's clock; not connected: commands and events are handed to it."""
    service = HubService(room, now=clock)
    yield service
    service.finish_background()  # a lesson's report, written as it ended
    service.store.close()


def send(hub, action, **args):
    """The command, as the display sends it; returns the hub's answer."""
    answers = []
    hub.client.publish = lambda topic, payload, **kw: answers.append(payload)  # the reply, read back below
    hub.handle_command(Command(f"c{time.monotonic_ns()}", action, "display-test", args))
    from shared.protocol import decode

    reply = decode("reply", answers[-1])
    assert reply.ok, reply.message
    return reply.message


def refused(hub, action, **args) -> str:
    answers = []
    hub.client.publish = lambda topic, payload, **kw: answers.append(payload)
    hub.handle_command(Command(f"c{time.monotonic_ns()}", action, "display-test", args))
    from shared.protocol import decode

    reply = decode("reply", answers[-1])
    assert not reply.ok
    return reply.message


def four_groups(hub) -> dict[str, list[str]]:
    ids = sorted(hub.room.students)
    groups = {name: ids[n::4] for n, name in enumerate(("red", "blue", "green", "gold"))}
    send(hub, "set_groups", groups=groups)
    return groups


def test_each_round_begins_with_its_passing_time_then_work_then_a_last_minute_in_another_colour(hub_at, clock):
    message = send(hub_at, "start", minutes=10, rounds=3, passing=1)
    assert message == "started round 1 of 3, 10-minute rounds, 1 minute to move"
    state = hub_at.room.snapshot(clock.now)
    assert phase(state.clock, clock.now) == "passing"
    room_map = build_map("Room 12", state, {}, True, clock.now + 15)
    assert (room_map.clock, room_map.round, room_map.phase) == ("0:45", "Round 1 of 3 · move to your stations",
                                                                "passing")
    view = KioskView("Tech")
    view.update(0.0, None, True, True, phase="passing", moving=45.0)
    model = view.model()
    assert (model.title, model.clock) == ("Time to move!", "Move 0:45")
    assert model.clock_ink != (1, 1, 1, 1)

    clock.now += 60  # passing time over: ten minutes of work
    room_map = build_map("Room 12", hub_at.room.snapshot(clock.now), {}, True, clock.now)
    assert (room_map.clock, room_map.phase) == ("10:00", "working")
    view.update(0.0, 600.0, True, True, phase="working")
    assert view.model().clock == "10 min" and view.model().clock_ink == (1, 1, 1, 1)

    clock.now += 9 * 60 + 1  # the last minute
    room_map = build_map("Room 12", hub_at.room.snapshot(clock.now), {}, True, clock.now)
    assert (room_map.clock, room_map.phase, room_map.round) == ("0:59", "warning", "Round 1 of 3 · last minute")
    view.update(0.0, 59.0, True, True, phase="warning")
    assert view.model().clock == "0:59" and view.model().clock_ink != (1, 1, 1, 1)

    clock.now += 59
    send(hub_at, "next")  # round 2 has its passing time too
    assert phase(hub_at.room.clock, clock.now + 30) == "passing"
    assert hub_at.room.clock.ends_at == clock.now + 60 + 600


def test_the_round_length_changes_for_this_round_and_the_next_ones(hub_at, clock):
    send(hub_at, "start", minutes=12)
    clock.now += 120
    assert send(hub_at, "change_lesson", minutes=8) == "8-minute rounds"
    assert hub_at.room.clock.ends_at == clock.now - 120 + 8 * 60  # this round: 8 minutes from its start
    send(hub_at, "next")
    assert hub_at.room.clock.ends_at == clock.now + 8 * 60
    assert "fewer rounds" in refused(hub_at, "change_lesson", rounds=1)


def test_a_lesson_cut_to_one_round_says_1_round(hub_at, clock):
    send(hub_at, "start", minutes=10)
    assert send(hub_at, "change_lesson", rounds=1) == "1 round"
    assert send(hub_at, "change_lesson", rounds=3) == "3 rounds"


def test_a_station_switched_off_during_a_lesson_is_left_from_the_next_round_and_every_group_visits_the_rest(
        room, hub_at, clock):
    four_groups(hub_at)
    send(hub_at, "start", minutes=10, off=["tech"])
    before = dict(hub_at.room.plan())
    message = send(hub_at, "change_lesson", off=["reading-nook"], on=["tech"])
    assert message == "from round 2: Reading Nook off; 5 rounds"
    assert hub_at.room.plan() == before  # this round goes on as planned
    assert not hub_at.room.snapshot(clock.now).station("reading-nook").off

    again = HubService(room, now=clock)  # a restart keeps the change waiting for the next round
    try:
        assert again.room.off_next == {"reading-nook"} and again.room.plan() == before
    finally:
        again.store.close()

    visits: dict[str, list[str]] = {}
    for _ in range(4):  # rounds 2 to 5: every group at every running station once
        send(hub_at, "next")
        state = hub_at.room.snapshot(clock.now)
        assert state.station("reading-nook").off and state.station("reading-nook").groups == ()
        for station in state.stations:
            for group in station.groups:
                visits.setdefault(group, []).append(station.id)
    assert {group: sorted(places) for group, places in visits.items()} == {
        group: ["collaborative", "independent", "teacher-table", "tech"] for group in ("red", "blue", "green", "gold")}

    again = HubService(room, now=clock)  # and a restart mid-cycle keeps the plan where it is
    try:
        assert again.room.plan() == hub_at.room.plan() and again.room.off == {"reading-nook"}
    finally:
        again.store.close()


def test_groups_set_for_the_next_round_wait_for_it_and_for_the_next_lesson_wait_for_the_end(hub_at, clock):
    groups = four_groups(hub_at)
    send(hub_at, "start", minutes=10)
    swapped = {"red": groups["blue"], "blue": groups["red"], "green": groups["green"], "gold": groups["gold"]}
    assert send(hub_at, "set_groups", groups=swapped, when="round") == "4 groups set from round 2"
    first = groups["red"][0]
    assert hub_at.room.students[first].group == "red"  # working students stay where they are this round
    send(hub_at, "next")
    assert hub_at.room.students[first].group == "blue"
    assert hub_at.store.class_students(hub_at.room.class_id, hub_at._local_now().date())[0].group is not None

    assert send(hub_at, "set_groups", groups=groups, when="lesson") == "4 groups set from the next lesson"
    send(hub_at, "next")
    assert hub_at.room.students[first].group == "blue"
    send(hub_at, "end")
    assert hub_at.room.students[first].group == "red"


def test_the_out_of_room_pass_shows_on_the_map_with_its_time_and_ends_at_the_next_scan(room, hub_at, clock):
    send(hub_at, "start", minutes=10)
    state = hub_at.room.snapshot(clock.now)
    student = sorted(state.students)[0]
    station = state.expected_station(student).id
    hub_at.room.check_in(student, station, clock.now + 5)
    assert hub_at.room.go_out(student, station, clock.now + 60)
    room_map = build_map("Room 12", hub_at.room.snapshot(clock.now + 70), {}, True, clock.now + 70)
    out = room_map.tile(station).out
    assert [t.student_id for t in out] == [student] and out[0].note.startswith("out since ")
    assert student not in {t.student_id for tile in room_map.tiles for t in tile.missing + tile.here}
    assert "1 out of the room" in room_map.summary

    view_state = hub_at.room.snapshot(clock.now + 70)
    back = decide(card(student), CARD_KEYS, view_state, station, clock.now + 300)
    assert back.outcome == "back" and back.records_checkin and back.title.startswith("Welcome back")
    hub_at.room.check_in(student, station, clock.now + 300)
    assert student not in hub_at.room.out


def test_end_collects_the_last_exit_tickets_for_a_minute_then_shows_the_summary_and_writes_the_report(
        hub_at, clock):
    send(hub_at, "start", minutes=10)
    students = sorted(hub_at.room.students)
    state = hub_at.room.snapshot(clock.now)
    for student in students[:10]:
        hub_at.room.check_in(student, state.expected_station(student).id, clock.now + 10)
    send(hub_at, "mark_attendance", student=students[-1], mark="absent")
    assert send(hub_at, "end", collect=60) == ("collecting the last exit tickets for 1 minute; then the lesson "
                                                "ends")
    closing = hub_at.room.snapshot(clock.now)
    assert phase(closing.clock, clock.now) == "closing"
    somewhere_else = "tech" if closing.expected_station(students[0]).id != "tech" else "independent"
    asked = decide(card(students[0]), CARD_KEYS, closing, somewhere_else, clock.now + 5)
    assert asked.outcome == "checkout"  # a last exit ticket at any kiosk
    hub_at.room.record_progress(students[0], "exit_ticket", {"how": "stuck"}, somewhere_else, clock.now + 5)
    hub_at.room.record_progress(students[1], "exit_ticket", {"how": "got_it"}, "tech", clock.now + 6)

    clock.now += 61
    with hub_at._lock:
        assert hub_at._tick_room()
    ended = hub_at.room.snapshot(clock.now).ended
    assert hub_at.room.clock.round == 0 and ended is not None
    assert (sum(s.here for s in ended.checked_in), ended.absent, ended.tickets, ended.stuck) == (10, 1, 2, 1)
    eventually(lambda: hub_at.room.ended.report is not None, message="the report written")
    assert (hub_at.room.ended.report and "reports" in hub_at.room.ended.report)


def test_a_second_end_while_the_tickets_come_in_ends_at_once(hub_at, clock):
    send(hub_at, "start", minutes=10)
    send(hub_at, "end", collect=60)
    assert send(hub_at, "end", collect=60) == "session ended"
    assert hub_at.room.clock.round == 0 and hub_at.room.ended is not None


def test_minutes_at_the_teachers_table_count_in_the_report(hub_at, clock, room):
    import csv
    from pathlib import Path

    groups = four_groups(hub_at)
    send(hub_at, "start", minutes=10, off=["tech"])
    assert len(hub_at.room.plan()["teacher-table"]) == 1
    clock.now += 600
    send(hub_at, "next")
    clock.now += 300
    send(hub_at, "end")
    eventually(lambda: hub_at.room.ended.report is not None, message="the report written at the end")
    folder = Path(hub_at.room.ended.report)
    rows = {row["station"]: row for row in csv.DictReader((folder / "stations.csv").open())}
    table = rows["Teacher's Table"]
    # Round 1's group for 10 minutes, round 2's for the 5 until the end; nobody scanned there. Four groups of 7.
    assert {len(members) for members in groups.values()} == {7}
    assert float(table["minutes"]) == pytest.approx(7 * 10 + 7 * 5, abs=0.2)
    assert int(table["students"]) == 14


def test_a_pause_during_passing_time_keeps_what_was_left_of_it_for_the_resume(hub_at, clock):
    send(hub_at, "start", minutes=10, passing=1)
    clock.now += 20
    send(hub_at, "pause")
    clock.now += 300  # the teacher talks to the class
    send(hub_at, "resume")
    assert phase(hub_at.room.clock, clock.now) == "passing"
    assert hub_at.room.clock.passing_ends == pytest.approx(clock.now + 40)
    assert hub_at.room.clock.ends_at == pytest.approx(clock.now + 40 + 600)


def test_a_station_switched_off_after_a_skip_stays_off_through_a_restart(room, hub_at, clock):
    four_groups(hub_at)
    send(hub_at, "start", minutes=10)
    send(hub_at, "skip_station", group="red", station="tech")
    send(hub_at, "change_lesson", off=["tech"])
    send(hub_at, "next")
    again = HubService(room, now=clock)
    try:
        assert again.room.off == {"tech"} and again.room.skips == []
        assert again.room.plan() == hub_at.room.plan()
    finally:
        again.store.close()


def test_a_station_change_taken_back_gives_the_lesson_its_rounds_back(hub_at, clock):
    four_groups(hub_at)
    send(hub_at, "start", minutes=10, rounds=4)
    send(hub_at, "next")
    assert send(hub_at, "change_lesson", off=["reading-nook"]) == "from round 3: Reading Nook off; 6 rounds"
    assert [s.id for s in hub_at.room.snapshot(clock.now).stations if s.next_off] == ["reading-nook"]
    assert send(hub_at, "change_lesson", on=["reading-nook"]) == "from round 3: every station running; 4 rounds"
    assert hub_at.room.off_next is None
    assert not any(s.next_off for s in hub_at.room.snapshot(clock.now).stations)


def test_the_board_switching_a_station_during_a_lesson_leaves_the_rounds_to_the_hub(hub_at, clock):
    from hub.lesson_form import LessonForm

    four_groups(hub_at)
    send(hub_at, "start", minutes=10, rounds=5)
    for _ in range(3):
        send(hub_at, "next")
    state = hub_at.room.snapshot(clock.now)
    form = LessonForm.for_state(state).toggle_station("reading-nook", len(state.stations))
    assert form.change_args(state) == {"off": ["reading-nook"], "on": []}
    send(hub_at, "change_lesson", **form.change_args(state))
    assert hub_at.room.clock.rounds == 4 + 4  # round 4, then a cycle of the four running stations
    again = LessonForm.for_state(hub_at.room.snapshot(clock.now))
    assert again.off == {"reading-nook"}  # the board shows the change waiting for the next round


def test_in_a_one_round_lesson_next_starts_the_round_again_with_the_groups_set_for_it(hub_at, clock):
    groups = four_groups(hub_at)
    send(hub_at, "start", minutes=10, rounds=1)
    swapped = {"red": groups["blue"], "blue": groups["red"], "green": groups["green"], "gold": groups["gold"]}
    send(hub_at, "set_groups", groups=swapped, when="round")
    clock.now += 600
    send(hub_at, "next")
    assert hub_at.room.clock.round == 1 and hub_at.room.students[groups["red"][0]].group == "blue"


def test_a_hub_stopped_as_a_lesson_ends_writes_its_report_whole_first(room):
    """systemctl stop just after End: the report, drawn on a thread of its own, is finished before the hub
    closes its database (it was cut off, its drawing could abort the process at exit, and the lesson had
    no report)."""
    from pathlib import Path

    hub = HubService(room)
    hub.start()
    try:
        assert hub.subscribed.wait(10), "the hub did not subscribe"
        hub.handle_command(Command("c-start", "start", "display-test", {"minutes": 10}))
        hub.room.check_in("s01", hub.room.snapshot(time.time()).expected_station("s01").id, time.time())
        hub.handle_command(Command("c-end", "end", "display-test", {}))
    finally:
        hub.stop()
    report = hub.room.ended.report if hub.room.ended else None
    assert report and (Path(report) / "summary.png").stat().st_size > 10_000, report


def test_a_report_that_fails_in_a_way_nobody_foresaw_is_logged_with_its_traceback(hub_at, caplog, monkeypatch):
    def broken(command):
        raise TypeError("a bug in the report")

    monkeypatch.setattr(hub_at, "_make_report", broken)
    hub_at.handle_command(Command("c-report", "make_report", "display-test", {}))
    hub_at.finish_background()
    failed = [r for r in caplog.records if r.getMessage() == "command make_report failed"]
    assert failed and "a bug in the report" in str(failed[0].exc_info[1])
