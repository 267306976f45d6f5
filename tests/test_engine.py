"""The room as the hub runs it (hub/engine.py), alone: no broker, no store, times passed in. What a teacher would
see on the clock, the map and the queue after each command."""
import pytest

from hub.engine import Room, Verdict
from hub.goals import BY_STUDENT, ROOM, GoalRow
from hub.plan import Skip
from hub.roster import RosterStudent
from shared.cards import CardClaim
from shared.clock import time_left
from shared.config import StationConfig
from shared.protocol import (
    ChangeLessonArgs,
    ClassEntry,
    Clock,
    Command,
    ExtendArgs,
    LastVisit,
    Needs,
    Presence,
    Progress,
    ProtocolError,
    StartArgs,
    command_args,
)

T0 = 1_000_000.0  # hub time when the lesson starts
STATIONS = (StationConfig("table", "Teacher's Table", "teacher-led", kiosk=False),
            StationConfig("nook", "Reading Nook", "reading", capacity=6, activities=("Read a book",)),
            StationConfig("tech", "Tech Station", "tech", capacity=6),
            StationConfig("art", "Art Corner", "collaborative", capacity=6))
GROUPS = {"red": ("r1", "r2", "r3"), "blue": ("b1", "b2", "b3"), "green": ("g1", "g2", "g3"),
          "gold": ("y1", "y2", "y3")}


def students() -> list[RosterStudent]:
    return [RosterStudent(sid, f"Kid{sid}", "Lee", group) for group, ids in GROUPS.items() for sid in ids]


def room(**kwargs) -> Room:
    return Room("room-12", STATIONS, students(), {s.id: 1 for s in students()}, round_seconds=600, **kwargs)


def started(**lesson) -> Room:
    r = room()
    r.command("start", T0, lesson=StartArgs(**lesson))
    return r


def where_each_group_is(r: Room) -> dict[str, str]:
    return {group: station for station, groups in r.plan().items() for group in groups}


# The clock
def test_extend_adds_that_many_minutes_to_the_round_running_or_paused():
    r = started()
    assert r.command("extend", T0 + 100, minutes=1) == "extended by 1 min"
    assert time_left(r.clock, T0 + 100) == 600 - 100 + 60
    r.command("pause", T0 + 200)
    r.command("extend", T0 + 250, minutes=5)
    assert time_left(r.clock, T0 + 5000) == 600 - 200 + 60 + 300  # paused: the clock does not run down


def extend_args(args: dict) -> ExtendArgs:
    return command_args(Command(id="c1", action="extend", client="t", args=args), ExtendArgs)


def test_one_minute_the_default_is_an_extension_a_teacher_may_ask_for_and_none_and_over_an_hour_are_not():
    assert extend_args({}) == ExtendArgs(minutes=1)
    assert extend_args({"minutes": 1}) == ExtendArgs(minutes=1)
    assert extend_args({"minutes": 60}) == ExtendArgs(minutes=60)
    for refused in (0, 0.5, 61, -1):
        with pytest.raises(ProtocolError):
            extend_args({"minutes": refused})


def test_pause_holds_the_time_left_and_resume_goes_on_from_it():
    r = started()
    r.command("pause", T0 + 120)
    assert not r.clock.running
    assert time_left(r.clock, T0 + 900) == 480
    r.command("resume", T0 + 900)
    assert r.clock.running
    assert time_left(r.clock, T0 + 960) == 420


def test_resume_on_a_running_clock_changes_nothing():
    r = started()
    before = r.clock
    assert r.command("resume", T0 + 30) == "resumed"
    assert r.clock == before
    assert r.tick(T0 + 31, auto_advance=True) is None  # the round did not end


def test_when_the_time_is_up_auto_advance_starts_the_next_round_with_every_group_one_station_on():
    r = started()
    first = where_each_group_is(r)
    assert r.tick(T0 + 599, auto_advance=True) is None
    assert r.clock.round == 1
    assert r.tick(T0 + 600, auto_advance=True) == "round"
    assert r.clock.round == 2
    assert time_left(r.clock, T0 + 600) == 600  # a full round from when it started
    second = where_each_group_is(r)
    assert set(second) == set(first) and all(second[g] != first[g] for g in first)


def test_without_auto_advance_the_round_waits_for_the_teacher_however_late():
    r = started()
    assert r.tick(T0 + 5000, auto_advance=False) is None
    assert r.clock.round == 1
    assert r.command("next", T0 + 5000) == "round 2 started"
    assert r.clock.round == 2


def test_after_the_last_round_next_goes_back_to_the_first():
    r = started(rounds=2)
    r.command("next", T0 + 600)
    r.command("next", T0 + 1200)
    assert r.clock.round == 1


def test_end_with_time_to_collect_waits_for_the_last_exit_tickets_then_ends():
    r = started()
    said = r.command("end", T0 + 100, collect=90)
    assert said == "collecting the last exit tickets for 90 seconds; then the lesson ends"
    assert r.clock.round == 1
    assert r.tick(T0 + 189, auto_advance=True) is None
    assert r.tick(T0 + 190, auto_advance=True) == "end"
    assert r.clock.round == 0


def test_a_second_end_while_collecting_ends_at_once():
    r = started()
    r.command("end", T0 + 100, collect=60)
    assert r.command("end", T0 + 110, collect=60) == "session ended"
    assert r.clock.round == 0 and r.clock.closing_at is None


def test_commands_a_lesson_must_be_running_for_are_refused_before_it_starts():
    r = room()
    for action in ("pause", "resume", "extend", "next", "end"):
        with pytest.raises(ValueError, match="has not started"):
            r.command(action, T0)
    r.command("start", T0)
    with pytest.raises(ValueError, match="already started"):
        r.command("start", T0 + 1)
    with pytest.raises(ValueError, match="unknown command"):
        r.command("dance", T0 + 1)


def test_a_lesson_starts_with_its_own_round_length_rounds_and_passing_time():
    r = room()
    said = r.command("start", T0, lesson=StartArgs(minutes=12, rounds=3, passing=1))
    assert said == "started round 1 of 3, 12-minute rounds, 1 minute to move"
    assert (r.clock.round, r.clock.rounds, r.clock.duration, r.clock.passing) == (1, 3, 720, 60)
    for seconds, length in ((20, "20-second"), (90, "1.5-minute")):  # the room's own (the demo's: 20 s)
        short = Room("room-12", STATIONS, students(), {s.id: 1 for s in students()}, round_seconds=seconds)
        assert short.command("start", T0) == f"started round 1 of 4, {length} rounds"
    assert time_left(r.clock, T0) == 60 + 720


def test_by_default_a_lesson_has_a_round_for_each_running_station():
    r = room()
    r.command("start", T0, lesson=StartArgs(off=("art",)))
    assert r.clock.rounds == 3
    assert "art" not in where_each_group_is(r).values()


# Groups and the plan
def test_a_skip_without_instead_keeps_the_group_where_it_was_a_round_longer():
    r = started()
    round_of = {r.rotation.station_of("red", n): n for n in range(1, 5)}
    skipped = r.rotation.station_of("red", 2)
    said = r.skip("red", skipped)
    assert said.startswith(f"red skip {r._station_name(skipped)}: in round 2 they are at ")
    assert r.rotation.station_of("red", 2) == r.rotation.station_of("red", 1)  # stays a round longer
    assert skipped not in {r.rotation.station_of("red", n) for n in range(1, 5)}
    assert r.skips == [Skip("red", skipped, None)]
    assert round_of  # the plan had red at every station before


def test_a_skip_the_plan_cannot_keep_is_refused_and_changes_nothing():
    r = started()
    before = r.rotation
    with pytest.raises(ValueError):
        r.skip("red", "nook", instead="nowhere")
    assert r.rotation == before and r.skips == []


def test_regrouping_puts_every_new_group_at_a_station():
    r = started()
    assignment = r.set_groups({"otters": ("r1", "b1", "g1", "y1"), "owls": ("r2", "b2", "g2", "y2"),
                               "bees": ("r3", "b3", "g3", "y3")})
    assert assignment["r1"] == "otters" and assignment["y3"] == "bees"
    placed = where_each_group_is(r)
    assert sorted(placed) == ["bees", "otters", "owls"]
    assert len(set(placed.values())) == 3  # each at a station of its own
    assert {g.id for g in r.snapshot(T0).groups} == {"otters", "owls", "bees"}


def test_a_grouping_with_a_student_twice_or_a_stranger_is_refused():
    r = started()
    with pytest.raises(ValueError, match="in two groups"):
        r.set_groups({"a": ("r1",), "b": ("r1",)})
    with pytest.raises(ValueError, match="not a student"):
        r.set_groups({"a": ("zz",)})
    with pytest.raises(ValueError, match="must be 1-40"):
        r.set_groups({"Bad Name": ("r1",)})
    assert where_each_group_is(r).keys() == GROUPS.keys()


def test_moving_a_student_changes_only_their_group():
    r = started()
    r.move_student("r1", "blue")
    assert r.students["r1"].group == "blue"
    assert [s.id for s in r.students.values() if s.group == "red"] == ["r2", "r3"]


# Calls for help
def test_calls_for_help_are_queued_once_per_station_in_order_of_arrival_and_answered_by_id():
    r = started()
    assert r.ask_help("h1", "nook", T0 + 1, student="r1")
    assert not r.ask_help("h2", "nook", T0 + 2)  # the nook is already waiting
    assert r.ask_help("h3", "tech", T0 + 3)
    assert [h.station for h in r.help] == ["nook", "tech"]
    assert r.help_coming("h3") == "on the way to Tech Station"
    assert r.help[1].coming
    assert r.answer_help("h1") == "answered the call from Reading Nook"
    assert [h.id for h in r.help] == ["h3"]
    with pytest.raises(ValueError):
        r.answer_help("h1")
    assert r.cancel_help("tech") and r.help == []
    assert not r.cancel_help("tech")


def test_a_suggested_classmate_is_kept_only_if_a_student_of_the_class_other_than_the_caller():
    r = started()
    r.ask_help("h1", "nook", T0, student="r1", peer="r1", peer_taken=True)
    r.ask_help("h2", "tech", T0, student="b1", peer="zz", peer_taken=True)
    r.ask_help("h3", "art", T0, student="g1", peer="g2", peer_taken=False)
    assert [(h.peer, h.peer_taken) for h in r.help] == [(None, None), (None, None), ("g2", False)]


# A restart: what the lesson's events said comes back
def test_a_restart_keeps_the_lessons_choices_tickets_and_goals():
    before = started()
    lesson_events = [("r1", "choice", {"activity": "Read a book"}, "nook", T0 + 10),
                     ("r1", "exit_ticket", {"how": "stuck"}, "nook", T0 + 500),
                     ("b1", "goal", {"goal": "Read for 20 minutes"}, "tech", T0 + 20)]
    for student, kind, data, station, at in lesson_events:
        before.record_progress(student, kind, data, station, at)
    after = room(clock=before.clock, progress_events=lesson_events,
                 standing_goals={"b1": GoalRow(1, "b1", "Read for 20 minutes", "book", ROOM, BY_STUDENT, T0 + 20)})
    assert after.progress == before.progress
    assert after.progress["r1"].activity == "Read a book"
    assert after.progress["r1"].ticket == "stuck"
    assert after.progress["b1"].goal == "Read for 20 minutes"


def test_a_restart_in_a_choice_round_keeps_the_places_taken():
    before = room()
    before.command("start", T0, lesson=StartArgs(choice_rounds=(1,)))
    assert before.pick("r1", "art", T0 + 5) is None
    events = [("r1", "pick", {"to": "art"}, "nook", T0 + 5)]
    after = room(clock=before.clock, progress_events=events, lesson=StartArgs(choice_rounds=(1,)))
    assert after.choosing is not None and after.choosing.going == {"r1": "art"}
    assert after.choice_round() == before.choice_round()


# The state every screen draws
def test_the_snapshot_shows_this_rounds_plan_and_stations_switched_off():
    r = started(off=("art",))
    state = r.snapshot(T0 + 1)
    by_id = {s.id: s for s in state.stations}
    assert by_id["art"].off and not by_id["nook"].off
    assert {g for s in state.stations for g in s.groups} == set(GROUPS)
    assert state.clock.round == 1 and state.hub_time == T0 + 1


def test_a_change_of_stations_takes_effect_from_the_next_round_and_adds_rounds_for_them():
    r = started(rounds=4)
    said = r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 60)
    assert said.startswith("from round 2: Art Corner off")
    assert "art" in where_each_group_is(r).values()  # this round goes on as planned
    r.command("next", T0 + 600)
    assert "art" not in where_each_group_is(r).values()
    assert r.clock.rounds == max(4, 1 + 3)


# Where students are
def test_a_check_in_places_the_student_and_an_older_one_arriving_late_does_not_move_them_back():
    r = started()
    assert r.check_in("r1", "nook", T0 + 10)
    assert r.presence["r1"] == Presence("nook", T0 + 10)
    assert not r.check_in("r1", "nook", T0 + 10)  # the same check-in again changes nothing
    assert not r.check_in("r1", "tech", T0 + 5)  # an older check-in, come late through a kiosk's outbox
    assert r.presence["r1"].station == "nook"
    assert r.check_in("r1", "tech", T0 + 20)
    assert r.visits["r1"] == {"nook": T0 + 10, "tech": T0 + 20}  # where she went, first when


def test_im_done_checks_the_student_out_only_where_and_after_they_checked_in_and_a_check_in_ends_it():
    r = started()
    assert not r.check_out("r1", "nook", T0 + 5)  # not checked in anywhere
    r.check_in("r1", "nook", T0 + 10)
    assert not r.check_out("r1", "tech", T0 + 20)  # not where she is
    assert not r.check_out("r1", "nook", T0 + 9)  # before she came
    assert r.check_out("r1", "nook", T0 + 20)
    assert r.checked_out["r1"] == Presence("nook", T0 + 20)
    assert not r.check_out("r1", "nook", T0 + 30)  # once
    r.check_in("r1", "tech", T0 + 40)
    assert "r1" not in r.checked_out


def test_the_out_of_room_pass_lasts_until_the_students_next_scan():
    r = started()
    assert not r.go_out("zz", "nook", T0)  # not a student of the class
    assert r.go_out("r1", "nook", T0 + 10)
    assert not r.go_out("r1", "nook", T0 + 10)
    assert r.out["r1"] == Presence("nook", T0 + 10)
    assert not r.came_back("r1", T0 + 5)  # a scan from before the pass does not end it
    assert "r1" in r.out
    r.check_in("r1", "nook", T0 + 60)
    assert "r1" not in r.out
    assert not r.came_back("r1", T0 + 70)


def test_a_student_marked_absent_who_checks_in_is_late_and_marks_can_be_taken_back():
    r = started()
    assert r.mark_attendance("r1", "absent") == "Kidr1 L. is absent"
    r.check_in("r1", "nook", T0 + 300)
    assert r.attendance["r1"] == "late"
    assert r.mark_attendance("r1", "present") == "Kidr1 L. is here"
    assert "r1" not in r.attendance
    with pytest.raises(ValueError, match="'zz' is not a student of this class"):
        r.mark_attendance("zz", "late")


def test_a_card_is_taken_only_at_its_students_current_version():
    r = room(classes=(ClassEntry("period-2", "Period 2", ("p2kid",)),), class_id="period-1")
    r.card_versions["r1"] = 2
    assert r.check_card(CardClaim("r1", 2)) == Verdict(True)
    assert r.check_card(CardClaim("r1", 1)) == Verdict(False, "revoked card")
    assert r.check_card(CardClaim("r1", 3)) == Verdict(False, "card version not issued")
    assert r.check_card(CardClaim("p2kid", 1)) == Verdict(False, "student of another class")
    assert r.check_card(CardClaim("nobody", 1)) == Verdict(False, "unknown student")


# What students chose and said
def test_an_exit_ticket_where_the_student_is_checked_in_checks_them_out_and_is_kept_as_their_last_visit():
    r = started()
    r.check_in("r1", "nook", T0 + 10)
    assert r.record_progress("r1", "choice", {"activity": "Read a book"}, "nook", T0 + 11)
    assert r.record_progress("r1", "exit_ticket", {"how": "stuck", "next": "Something harder", "goal": "closer"},
                             "nook", T0 + 500)
    assert r.progress["r1"] == Progress(activity="Read a book", ticket="stuck", next="Something harder")
    assert r.checked_out["r1"] == Presence("nook", T0 + 500)
    assert r.last_here["r1"]["nook"] == LastVisit("nook", T0 + 500, "stuck", "Something harder", "closer")
    assert not r.record_progress("r1", "dance", {}, "nook", T0 + 501)  # no such kind: nothing kept
    elsewhere = started()
    elsewhere.check_in("b1", "tech", T0 + 10)
    elsewhere.record_progress("b1", "exit_ticket", {"how": "got_it"}, "nook", T0 + 20)
    assert "b1" not in elsewhere.checked_out  # a ticket at another station is not leaving this one


def test_a_student_deleted_leaves_no_trace_and_their_call_for_help_stays_the_stations():
    r = started()
    r.check_in("r1", "nook", T0 + 10)
    r.record_progress("r1", "goal", {"goal": "Read for 20 minutes"}, "nook", T0 + 11)
    r.ask_help("h1", "nook", T0 + 12, student="r1")
    r.ask_help("h2", "tech", T0 + 13, student="b1", peer="r1", peer_taken=True)
    r.forget_student("r1")
    state = r.snapshot(T0 + 14)
    assert "r1" not in state.students and "r1" not in state.presence and "r1" not in state.progress
    assert "r1" not in r.card_versions and "r1" not in r.visits
    assert [(h.station, h.student, h.peer) for h in state.help] == [("nook", None, None), ("tech", "b1", None)]
    assert "r1" not in {m for g in state.groups for m in g.members}


def test_a_group_gone_with_its_last_student_takes_its_skip_with_it():
    r = started()
    r.skip("gold", r.rotation.station_of("gold", 2))
    for student in GROUPS["gold"]:
        r.forget_student(student)
    assert r.skips == [] and "gold" not in where_each_group_is(r)


# Messages a teacher reads
def test_a_teacher_is_told_exactly_what_each_command_did():
    r = room()
    with pytest.raises(ValueError) as refused:
        r.command("pause", T0)
    assert str(refused.value) == "the session has not started"
    assert r.command("start", T0) == "started round 1 of 4, 10-minute rounds"
    with pytest.raises(ValueError) as again:
        r.command("start", T0)
    assert str(again.value) == "the session has already started"
    assert r.command("pause", T0 + 1) == "paused"
    assert r.command("resume", T0 + 2) == "resumed"
    assert r.command("extend", T0 + 3) == "extended by 1 min"  # the default
    assert time_left(r.clock, T0 + 3) == 600 - 2 + 60
    assert r.command("end", T0 + 4) == "session ended"  # no time to collect: at once
    assert r.clock.round == 0


def test_the_snapshot_carries_the_class_groups_by_name_each_students_card_and_the_lessons_traces():
    r = room(class_id="period-1", classes=(ClassEntry("period-1", "Period 1"),))
    r.set_card_version("r1", 3)  # a card reissued
    r.command("start", T0)
    r.check_in("r1", "nook", T0 + 10)
    r.record_progress("r1", "exit_ticket", {"how": "got_it"}, "nook", T0 + 20)
    r.go_out("b1", "tech", T0 + 30)
    r.mark_attendance("g1", "absent")
    state = r.snapshot(T0 + 40)
    assert [(g.id, g.name, g.members) for g in state.groups][0] == ("red", "Red", ("r1", "r2", "r3"))
    assert state.students["r1"].name == "Kidr1 L." and state.students["r1"].card == 3
    assert state.students["r1"].group == "red"
    assert state.presence == {"r1": Presence("nook", T0 + 10)}
    assert state.checked_out == {"r1": Presence("nook", T0 + 20)}
    assert state.out == {"b1": Presence("tech", T0 + 30)} and state.attendance == {"g1": "absent"}
    assert state.last_visits["r1"] == (LastVisit("nook", T0 + 20, "got_it"),)
    assert (state.class_id, state.seq, state.ended) == ("period-1", 0, None)
    assert state.goals == () and state.choice is None
    by_id = {s.id: s for s in state.stations}
    assert by_id["nook"].activities == ("Read a book",) and by_id["nook"].kiosk and not by_id["table"].kiosk


def test_a_group_named_with_dashes_reads_as_words_on_the_map():
    r = Room("room-12", STATIONS, [RosterStudent("a1", "Ana", "Lee", "red-team_2")], {"a1": 1}, 600)
    assert r.snapshot(T0).groups[0].name == "Red Team 2"


def test_the_end_of_a_lesson_clears_its_traces_and_its_skips_and_stations_off_but_not_the_goals_or_last_visits():
    r = started(off=("art",))
    r.skip("red", r.rotation.station_of("red", 2))
    r.check_in("r1", "nook", T0 + 10)
    r.record_progress("r1", "exit_ticket", {"how": "stuck"}, "nook", T0 + 20)
    r.ask_help("h1", "nook", T0 + 21)
    r.command("end", T0 + 30)
    assert r.clock.round == 0 and r.clock.rounds == len(STATIONS) and r.clock.duration == 600
    assert (r.presence, r.progress, r.checked_out, r.help, r.skips) == ({}, {}, {}, [], [])
    assert r.off == frozenset() and "art" in {r.rotation.station_of("red", n) for n in range(1, 5)}
    assert "nook" in r.last_here["r1"]  # what she said there stays for her next visit


def test_a_hub_started_again_mid_lesson_rebuilds_who_left_who_is_out_and_who_came_back_from_the_lessons_events():
    before = started()
    events = [("r1", "checkin", {}, "nook", T0 + 10), ("r1", "checkout", {}, "nook", T0 + 20),
              ("b1", "checkin", {}, "tech", T0 + 10), ("b1", "out", {}, "tech", T0 + 30),
              ("g1", "out", {}, "art", T0 + 15), ("g1", "checkin", {}, "art", T0 + 40)]
    presence = {"r1": Presence("nook", T0 + 10), "b1": Presence("tech", T0 + 10), "g1": Presence("art", T0 + 40)}
    after = room(clock=before.clock, presence=presence, progress_events=events)
    assert after.checked_out == {"r1": Presence("nook", T0 + 20)}
    assert after.out == {"b1": Presence("tech", T0 + 30)}  # g1 came back from the pass when she scanned
    assert after.visits == {"r1": {"nook": T0 + 10}, "b1": {"tech": T0 + 10}, "g1": {"art": T0 + 40}}


def test_a_goal_closed_since_the_session_began_is_not_shown_as_the_sessions_goal_after_a_restart():
    events = [("r1", "goal", {"goal": "Read for 20 minutes"}, "nook", T0 + 5)]
    after = room(clock=started().clock, progress_events=events, standing_goals={})
    assert after.progress["r1"].goal is None


def test_a_change_to_the_running_lesson_says_what_changed_and_when():
    r = started(rounds=4, passing=1)
    assert r.change_lesson(ChangeLessonArgs(minutes=15), T0 + 60) == "15-minute rounds"
    assert time_left(r.clock, T0 + 60) == 60 + 900 - 60  # this round is longer at once
    assert r.change_lesson(ChangeLessonArgs(passing=0), T0 + 61) == "no passing time from the next round"
    assert r.change_lesson(ChangeLessonArgs(passing=2), T0 + 62) == "2 minutes to move from the next round"
    assert r.clock.passing == 120
    assert r.change_lesson(ChangeLessonArgs(rounds=6), T0 + 63) == "6 rounds"
    assert r.change_lesson(ChangeLessonArgs(), T0 + 64) == "nothing changed"
    with pytest.raises(ValueError, match="round 1 is running: the lesson cannot have fewer rounds than that"):
        r.change_lesson(ChangeLessonArgs(rounds=0), T0 + 65)
    with pytest.raises(ValueError, match="no station 'gym' to switch on"):
        r.change_lesson(ChangeLessonArgs(on=("gym",)), T0 + 66)
    with pytest.raises(ValueError, match="every station is switched off"):
        r.change_lesson(ChangeLessonArgs(off=tuple(s.id for s in STATIONS)), T0 + 67)
    with pytest.raises(ValueError, match="no lesson is running"):
        room().change_lesson(ChangeLessonArgs(minutes=5), T0)


def test_a_station_switched_off_and_on_again_before_the_next_round_leaves_the_lesson_as_it_was():
    r = started(rounds=4)
    r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 60)
    assert r.off_next == frozenset({"art"}) and r.clock.rounds == 4
    said = r.change_lesson(ChangeLessonArgs(on=("art",)), T0 + 70)
    assert said == "from round 2: every station running"
    assert r.off_next is None and r.clock.rounds == 4
    r.command("next", T0 + 600)
    assert "art" in where_each_group_is(r).values() and r.cycle_start == 1


def test_switching_stations_off_adds_the_rounds_every_group_needs_to_visit_the_rest():
    r = started(rounds=2)
    r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 60)
    assert r.clock.rounds == 1 + 3  # this round, then one at each of the three running stations
    r.command("next", T0 + 600)
    assert r.cycle_start == 2 and r.skips == []
    seen = {where_each_group_is(r)["red"]}
    for n in range(3, 5):
        r.command("next", T0 + 600 * n)
        seen.add(where_each_group_is(r)["red"])
    assert seen == {"table", "nook", "tech"}


def test_a_lesson_cannot_start_with_a_must_do_or_a_station_off_the_room_does_not_have():
    with pytest.raises(ValueError, match="no station 'gym' to make must-do"):
        room().command("start", T0, lesson=StartArgs(must_do=("gym",)))
    with pytest.raises(ValueError, match=r"no station 'gym' to switch off \(stations: table, nook, tech, art\)"):
        room().command("start", T0, lesson=StartArgs(off=("gym",)))
    r = room()
    said = r.command("start", T0, lesson=StartArgs(choice_rounds=(2, 9), passing=0.5, off=("art",)))
    assert said == "started round 1 of 3, 10-minute rounds, choice in round 2, 30 seconds to move, Art Corner off"
    assert r.choice_rounds == frozenset({2})  # round 9 is past the lesson's end


def test_the_snapshot_names_classmates_who_got_it_the_goals_in_every_language_and_each_students_standing_goal():
    from hub.goals import OWN, RoomGoal
    from hub.peers import GotIt
    from shared.protocol import PeerHelp

    goals = [RoomGoal("Read for 20 minutes", "menu_book", {"en": "Read for 20 minutes", "es": "Leer 20 minutos"})]
    r = room(teachers_goals=goals, peer_help=PeerHelp(on=True), got_it=GotIt({"nook": {"r2": T0 + 5}}),
             standing_goals={"r1": GoalRow(1, "r1", "Read for 20 minutes", "menu_book", ROOM, BY_STUDENT, T0),
                             "b1": GoalRow(2, "b1", "Finish my comic", "palette", OWN, BY_STUDENT, T0),
                             "gone": GoalRow(3, "gone", "Read for 20 minutes", "menu_book", ROOM, BY_STUDENT, T0)})
    r.command("start", T0 + 10)
    r.check_in("r2", "nook", T0 + 20)
    state = r.snapshot(T0 + 30)
    assert state.helpers == {"nook": ("r2",)} and state.peer_help == PeerHelp(on=True)
    assert state.goals == ("Read for 20 minutes",) and state.goal_pictures == ("menu_book",)
    assert state.goal_words == ({"en": "Read for 20 minutes", "es": "Leer 20 minutos"},)
    assert state.standing["r1"].words == {"en": "Read for 20 minutes", "es": "Leer 20 minutos"}
    assert state.standing["b1"].own and state.standing["b1"].text == "Finish my comic"
    assert "gone" not in state.standing  # a student of another class: not on this class's screens
    plain = room(goals=("Help a friend",)).snapshot(T0)
    assert plain.goals == ("Help a friend",) and plain.goal_words == ()  # the room file's: the kiosks translate


def test_the_snapshot_says_which_stations_are_off_now_and_which_from_the_next_round():
    r = started(rounds=4)
    r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 60)
    stations = {s.id: s for s in r.snapshot(T0 + 61).stations}
    assert (stations["art"].off, stations["art"].next_off) == (False, True)
    assert (stations["nook"].off, stations["nook"].next_off) == (False, False)
    assert (stations["nook"].name, stations["nook"].kind) == ("Reading Nook", "reading")
    assert stations["nook"].pictures == (stations["nook"].picture,)  # the station's picture for its activity
    r.command("next", T0 + 600)
    assert {s.id: s.off for s in r.snapshot(T0 + 601).stations}["art"]


def test_the_last_lessons_summary_and_a_choice_round_travel_in_the_snapshot():
    from shared.protocol import LessonEnd

    r = room(classes=(ClassEntry("period-1", "Period 1"),), class_id="period-1")
    r.ended = LessonEnd("Period 1", T0 - 3600, T0 - 60, ())
    state = r.snapshot(T0)
    assert state.ended == r.ended and state.classes == (ClassEntry("period-1", "Period 1"),)
    r.command("start", T0, lesson=StartArgs(choice_rounds=(1,)))
    assert r.ended is None  # a new lesson clears it
    choice = r.snapshot(T0 + 1).choice
    assert choice is not None and choice.round == 1 and choice.until == T0 + 60  # no passing time: a minute


def test_a_room_made_fresh_is_idle_with_a_round_per_station_and_each_station_looks_like_its_kind():
    r = room(goals=("Help a friend", "Reach the moon"))
    assert r.clock == Clock(round=0, rounds=4, duration=600, running=False, ends_at=None, left=None)
    assert (r.room_id, r.cycle_start, r.off_next, r.ended, r.choosing) == ("room-12", 1, None, None, None)
    assert r.choice_round() is None and r.places_for("r1") == {}
    assert r.goal_pictures == ("handshake", "flag")  # a default goal's own picture, else a flag
    stations = {s.id: s for s in r.snapshot(T0).stations}
    assert (stations["nook"].colour, stations["nook"].picture) == ("rust", "menu_book")
    assert (stations["table"].colour, stations["table"].picture) == ("purple", "school")
    r.command("start", T0)
    r.command("next", T0 + 600)  # no choice rounds: choosing never opens
    assert r.choosing is None


def test_a_hub_started_again_in_a_changed_lesson_keeps_its_stations_cycle_choosing_and_places():
    before = room()
    before.command("start", T0, lesson=StartArgs(rounds=6, choice_rounds=(3,)))
    before.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 60)
    before.command("next", T0 + 600)
    before.command("next", T0 + 1200)  # round 3: choosing
    assert before.pick("r1", "tech", T0 + 1210) is None
    placed = before.close_choice(T0 + 1260)
    events = [("b1", "pick", {"to": "nook"}, "nook", T0 + 100),  # from before this round: not one of its picks
              ("r1", "pick", {"to": "tech"}, "nook", T0 + 1210),
              *((student, "placed", {"to": station}, "nook", T0 + 1260) for student, station in placed.items())]
    after = room(clock=before.clock, off=tuple(before.off), cycle_start=before.cycle_start,
                 progress_events=events, lesson=StartArgs(rounds=6, choice_rounds=(3,)))
    assert after.off == frozenset({"art"}) and after.cycle_start == 2 and after.plan() == before.plan()
    assert after.choosing is not None
    assert after.choosing.going == before.choosing.going and after.choosing.how == before.choosing.how
    assert after.choosing.how["r1"] == "chose" and all(after.choosing.how[s] == "placed" for s in placed)


# What the teacher sets for a student, and the roster
def test_grouping_sees_each_students_level_moved_by_their_latest_exit_ticket():
    from dataclasses import replace as with_fields

    from hub.grouping import Learner

    r = Room("room-12", STATIONS, [with_fields(s, readiness=3, interests=("art",)) for s in students()],
             {s.id: 1 for s in students()}, 600)
    r.command("start", T0)
    r.record_progress("r1", "exit_ticket", {"how": "stuck"}, "nook", T0 + 10)
    r.record_progress("b1", "exit_ticket", {"how": "got_it"}, "tech", T0 + 10)
    by_id = {each.id: each for each in r.learners()}
    assert by_id["r1"] == Learner("r1", 2, ("art",), "stuck")
    assert by_id["b1"] == Learner("b1", 4, ("art",), "got_it")
    assert by_id["g1"] == Learner("g1", 3, ("art",))


def test_a_students_needs_show_on_their_card_in_the_state_and_plain_needs_are_none():
    r = room()
    r.set_needs("r1", Needs(language="es", large_text=True))
    assert r.snapshot(T0).students["r1"].needs == Needs(language="es", large_text=True)
    r.set_needs("r1", Needs())
    assert r.snapshot(T0).students["r1"].needs is None


def test_a_goal_set_stands_for_the_student_and_closing_it_takes_the_sessions_goal_too():
    r = started()
    r.record_progress("r1", "goal", {"goal": "Read for 20 minutes"}, "nook", T0 + 5)
    r.set_standing("r1", GoalRow(1, "r1", "Read for 20 minutes", "menu_book", ROOM, BY_STUDENT, T0 + 5))
    assert r.snapshot(T0 + 6).standing["r1"].text == "Read for 20 minutes"
    r.set_standing("r1", None)  # met: the kiosk asks for a new one next time
    assert "r1" not in r.standing and r.progress["r1"].goal is None
    r.set_standing("b1", None)  # nothing to close: nothing changes
    assert "b1" not in r.progress


def test_the_teachers_goal_list_replaces_the_room_files_and_only_its_goals_are_offered():
    from hub.goals import RoomGoal

    r = room(goals=("Help a friend",))
    assert r.offered_goal("Help a friend") is not None and r.offered_goal("Fly") is None
    r.set_goal_list([RoomGoal("Fly", "flight", {"en": "Fly"})])
    assert r.offered_goal("Fly") == RoomGoal("Fly", "flight", {"en": "Fly"})
    assert r.offered_goal("Help a friend") is None
    r.set_goal_list([])  # taken back: the room file's again
    assert r.offered_goal("Help a friend") is not None


def test_a_new_roster_keeps_the_plan_drops_who_left_and_a_roster_the_plan_cannot_run_changes_nothing():
    r = started()
    r.check_in("r3", "nook", T0 + 10)
    planned = where_each_group_is(r)
    joined = RosterStudent("n1", "Nia", "Obi", "green")  # green the largest group now: planned afresh, it moves
    kept = [s for s in students() if s.id != "r3"] + [joined]
    r.set_roster(kept, {s.id: 1 for s in kept}, (ClassEntry("period-1", "Period 1"),))
    assert "r3" not in r.presence and "n1" in r.students and where_each_group_is(r) == planned
    assert r.classes == (ClassEntry("period-1", "Period 1"),)
    crowd = kept + [RosterStudent(f"x{n}", "X", "Y", "red") for n in range(10)]
    with pytest.raises(ValueError, match="the rotation cannot keep its rules with the new roster: group red has"):
        r.set_roster(crowd, {s.id: 1 for s in crowd}, ())
    assert "x1" not in r.students and r.classes == (ClassEntry("period-1", "Period 1"),)


def test_the_plan_on_the_board_before_start_is_the_one_the_lesson_starts_with_after_the_class_changed():
    r = started()
    r.command("end", T0 + 600)
    joined = RosterStudent("n1", "Nia", "Obi", "green")  # between lessons: planned afresh, green would move
    r.set_roster([*students(), joined], {s.id: 1 for s in [*students(), joined]}, ())
    shown = where_each_group_is(r)
    r.command("start", T0 + 3600)
    assert where_each_group_is(r) == shown


def test_when_choosing_ends_whoever_did_not_choose_goes_where_the_plan_sends_their_group():
    r = started(choice_rounds=(1,))
    assert r.pick("r1", "tech", T0 + 10) is None
    planned = where_each_group_is(r)
    placed = r.close_choice(T0 + 60)
    assert placed == {s.id: planned[s.group] for s in students() if s.id != "r1"}
    assert r.choosing is not None and r.choosing.going["r1"] == "tech"


def test_a_grouping_can_be_checked_without_being_applied():
    r = started()
    before = where_each_group_is(r)
    r.set_groups({"all": tuple(s.id for s in students())[:6], "rest": tuple(s.id for s in students())[6:]},
                 apply=False)
    assert where_each_group_is(r) == before and r.students["r1"].group == "red"


def test_changes_made_together_are_said_together_and_one_round_reads_as_one():
    r = started(rounds=4)
    assert r.change_lesson(ChangeLessonArgs(minutes=12, passing=1), T0 + 10) == \
        "12-minute rounds; 1 minute to move from the next round"
    assert r.change_lesson(ChangeLessonArgs(rounds=1), T0 + 20) == "1 round"  # the running round may be the last
    with pytest.raises(ValueError) as refused:
        room().change_lesson(ChangeLessonArgs(minutes=5), T0)
    assert str(refused.value) == "no lesson is running: set these when starting it"


def test_a_station_change_the_plan_cannot_run_names_the_stations_and_changes_nothing():
    tight = tuple(StationConfig(s.id, s.name, s.kind, kiosk=s.kiosk, capacity=3 if s.id != "table" else None,
                                activities=s.activities) for s in STATIONS)
    r = Room("room-12", tight, students(), {s.id: 1 for s in students()}, 600)
    r.command("start", T0)
    with pytest.raises(ValueError) as refused:
        r.change_lesson(ChangeLessonArgs(off=("art", "tech")), T0 + 10)
    assert str(refused.value).startswith("with art, tech off, 12 students in groups of 3, 3, 3, 3 cannot be split")
    assert r.off_next is None and r.clock.rounds == 4


def test_rounds_set_while_a_station_is_off_stay_when_it_comes_back_on():
    r = started(rounds=6)
    r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 10)
    r.change_lesson(ChangeLessonArgs(rounds=8), T0 + 20)  # the teacher's own number
    r.change_lesson(ChangeLessonArgs(on=("art",), rounds=8), T0 + 30)
    assert r.clock.rounds == 8 and r.off_next is None
    r.change_lesson(ChangeLessonArgs(off=("art",)), T0 + 40)  # off again: the lesson had 8 rounds before this
    assert r.clock.rounds == 8
    r.change_lesson(ChangeLessonArgs(on=("art",)), T0 + 50)
    assert r.clock.rounds == 8


def test_a_lesson_may_end_in_a_choice_round_and_names_them_all_and_a_skip_set_before_it_starts_holds():
    r = room()
    said = r.command("start", T0, lesson=StartArgs(rounds=3, choice_rounds=(2, 3)))
    assert said == "started round 1 of 3, 10-minute rounds, choice in round 2, 3"
    assert r.choice_rounds == frozenset({2, 3})  # the last round may be one
    skipping = room()
    skipped = skipping.rotation.station_of("red", 2)
    skipping.skip("red", skipped)  # set before the lesson
    skipping.command("start", T0)
    assert skipped not in {skipping.rotation.station_of("red", n) for n in range(1, 5)}


def test_a_lesson_the_plan_cannot_run_without_its_stations_off_is_refused_naming_them():
    tight = tuple(StationConfig(s.id, s.name, s.kind, kiosk=s.kiosk, capacity=3 if s.id != "table" else None)
                  for s in STATIONS)
    r = Room("room-12", tight, students(), {s.id: 1 for s in students()}, 600)
    with pytest.raises(ValueError) as refused:
        r.command("start", T0, lesson=StartArgs(off=("art", "tech")))
    assert str(refused.value).startswith("with art, tech off, 12 students in groups of 3, 3, 3, 3 cannot be split")
    assert r.clock.round == 0 and r.off == frozenset()


def test_a_got_it_ticket_makes_the_student_a_helper_there_and_a_stuck_one_takes_them_off():
    from shared.protocol import PeerHelp

    r = started()
    r.set_peer_help(PeerHelp(on=True))
    r.check_in("r1", "art", T0 + 10)
    assert r.record_progress("r1", "exit_ticket", {"how": "got_it"}, "art", T0 + 20)
    assert r.got_it.by_station == {"art": {"r1": T0 + 20}}
    r.check_in("r1", "art", T0 + 30)  # back at the station
    assert r.snapshot(T0 + 31).helpers == {"art": ("r1",)}
    r.record_progress("r1", "exit_ticket", {"how": "stuck"}, "art", T0 + 40)
    assert r.got_it.by_station == {"art": {}}
    r.record_progress("r2", "exit_ticket", {"how": "got_it"}, None, None)  # from before tickets had a station
    assert "r2" not in r.got_it.by_station["art"]


def test_a_student_deleted_is_no_longer_a_helper_nor_kept_out_of_suggestions_nor_named_as_suggested():
    from hub.peers import GotIt
    from shared.protocol import PeerHelp

    r = room(peer_help=PeerHelp(on=True, excluded=("r1", "b1")), got_it=GotIt({"art": {"r1": T0, "r2": T0}}))
    r.command("start", T0)
    r.ask_help("h1", "art", T0 + 1, student="r2", peer="r1", peer_taken=False)
    r.forget_student("r1")
    assert r.got_it.by_station == {"art": {"r2": T0}}
    assert r.peer_help.excluded == ("b1",)
    assert (r.help[0].peer, r.help[0].peer_taken, r.help[0].student) == (None, None, "r2")
    assert "r1" not in r.students


def test_a_skip_says_the_lesson_round_it_changes_from_the_start_of_the_cycle():
    r = started(off=("art",), rounds=6)  # three running stations: a cycle of three rounds from round 1
    third = r.rotation.station_of("red", 3)
    assert r.skip("red", third).startswith(f"red skip {r._station_name(third)}: in round 3 they are at ")
    with pytest.raises(ValueError, match="group red already skips"):
        r.skip("red", third)


def test_a_new_round_says_when_students_choose_and_choosing_counts_only_visits_before_it():
    r = room()
    r.command("start", T0, lesson=StartArgs(rounds=3, choice_rounds=(2,)))
    r.check_in("r1", "art", T0 + 10)
    r.mark_attendance("r2", "absent")
    assert r.command("next", T0 + 600) == "round 2 started: students choose where to go"
    assert "art" not in r.choosing.allowed["r1"]  # been there this lesson: not again
    assert "r2" not in r.choosing.allowed  # absent: not choosing
    assert r.choosing.until == T0 + 600 + 60
    r.check_in("r3", "art", T0 + 600)  # a check-in as the round begins is this round's, not a visit before it
    assert r.command("next", T0 + 1200) == "round 3 started"


def test_the_end_of_a_lesson_idles_the_clock_and_brings_back_the_stations_switched_off():
    r = started(off=("art",), minutes=5)
    r.command("end", T0 + 10)
    assert r.clock == Clock(0, 4, 600, False, None, None)  # the room's round length again, not the lesson's
    assert r.cycle_start == 1 and r.off == frozenset() and "art" in where_each_group_is(r).values()


def test_a_room_read_back_from_the_store_keeps_its_stations_looks_last_visits_goal_pictures_and_what_is_off_next():
    own = (StationConfig("nook", "Reading Nook", "reading", colour="teal", picture="auto_stories"), *STATIONS[2:],
           STATIONS[0])
    r = Room("room-12", own, students(), {s.id: 1 for s in students()}, 600, goals=("Help a friend",),
             goal_pictures=("star",), off_next=("art",),
             last_visits={"r1": {"nook": LastVisit("nook", T0 - 99, "stuck")}})
    state = r.snapshot(T0)
    nook = next(s for s in state.stations if s.id == "nook")
    assert (nook.colour, nook.picture) == ("teal", "auto_stories")
    assert state.goal_pictures == ("star",)
    assert state.last_visits["r1"] == (LastVisit("nook", T0 - 99, "stuck"),)
    assert next(s for s in state.stations if s.id == "art").next_off


def test_a_restart_applies_every_event_of_the_lesson_whatever_comes_between_them():
    before = room()
    before.command("start", T0, lesson=StartArgs(choice_rounds=(1,)))
    events = [("b1", "pick", {"to": "art"}, "table", T0 + 1),
              ("r1", "checkin", {}, "art", T0 + 10), ("r1", "exit_ticket", {"how": "got_it"}, "art", T0 + 20),
              ("g1", "placed", {"to": "tech"}, "tech", T0 + 30), ("g1", "out", {}, "tech", T0 + 40)]
    presence = {"r1": Presence("art", T0 + 10)}
    after = room(clock=before.clock, presence=presence, progress_events=events, lesson=StartArgs(choice_rounds=(1,)))
    assert after.checked_out == {"r1": Presence("art", T0 + 20)}  # the ticket where she was: she left
    assert after.last_here["r1"]["art"] == LastVisit("art", T0 + 20, "got_it")
    assert "g1" in after.out and after.visits["r1"] == {"art": T0 + 10}
    assert after.choosing.going == {"b1": "art", "g1": "tech"}
    assert after.choosing.how == {"b1": "chose", "g1": "placed"}
    ended = room(clock=Clock(0, 4, 600, False, None, None), progress_events=events,
                 lesson=StartArgs(choice_rounds=(1,)))
    assert ended.choosing is None  # no lesson running: no choosing to take places in


def test_skips_the_plan_can_no_longer_keep_are_dropped_when_the_room_is_read_back():
    r = room(skips=[Skip("red", "art", "table"), Skip("red", "art", "tech")], off=("art",), off_next=("tech",))
    assert (r.skips, r.off, r.off_next) == ([], frozenset(), None)
    assert set(where_each_group_is(r)) == set(GROUPS)
