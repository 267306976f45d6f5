from msgspec.structs import replace

from shared import clock
from shared.protocol import Clock

STOPPED = Clock(round=0, rounds=5, duration=600, running=False, ends_at=None, left=None)


def test_a_round_counts_down_pauses_resumes_and_extends():
    running = clock.start_round(STOPPED, 1000.0, 1)
    assert clock.time_left(running, 1100.0) == 500
    paused = clock.pause(running, 1100.0)
    assert clock.time_left(paused, 5000.0) == 500
    resumed = clock.resume(paused, 5000.0)
    assert clock.time_left(resumed, 5100.0) == 400
    assert clock.time_left(clock.extend(resumed, 60), 5100.0) == 460
    assert clock.time_left(clock.extend(paused, 60), 0) == 560

    broken = Clock(round=1, rounds=5, duration=600, running=True, ends_at=-1e308, left=None)
    assert clock.time_left(broken, 1e308) is None  # not -inf, which no clock face can show


def test_time_left_is_shown_as_a_teacher_reads_it():
    assert clock.format_left(None) == "--:--"
    assert clock.format_left(754.2) == "12:35"
    assert clock.format_left(0.4) == "0:01"
    assert clock.format_left(0) == "0:00"
    assert clock.format_left(-42.5) == "+0:42"


def test_students_see_whole_minutes_and_seconds_only_at_the_end():
    assert clock.format_left_for_students(None) == ""
    assert clock.format_left_for_students(900.0) == "15 min"
    assert clock.format_left_for_students(61) == "2 min"
    assert clock.format_left_for_students(45.2) == "0:46"
    assert clock.format_left_for_students(-3) == "time's up"


def test_a_kiosk_clock_hours_off_still_shows_the_right_time_left():
    estimate = clock.HubClockEstimate()
    kiosk_offset = -3 * 3600 - 17  # the Pi booted without network time
    for hub_time in (1000.0, 1005.0, 1010.0):
        estimate.sample(hub_time, hub_time + kiosk_offset + 0.002)
    running = clock.start_round(STOPPED, 1000.0, 1)
    assert abs(clock.time_left(running, estimate.hub_now(1300.0 + kiosk_offset)) - 300) < 0.01


def test_a_retained_time_stands_in_only_until_a_live_one_comes():
    estimate = clock.HubClockEstimate()
    estimate.observe(1000.0, 5000.0, retained=True)  # old news, but far better than a clock hours off
    estimate.observe(700.0, 5000.0, retained=True)  # an even older snapshot does not win
    assert estimate.hub_now(5000.0) == 1000.0 and not estimate.synced
    estimate.observe(1010.0, 5005.0, retained=False)
    estimate.observe(1003.0, 5006.0, retained=True)  # ignored once live samples exist
    assert estimate.hub_now(5005.0) == 1010.0 and estimate.synced


def test_a_round_read_back_after_the_clock_jumped_never_has_more_left_than_its_length():
    """A round stored by a clock a year ahead, read back once the clock is right (and the other way round), is
    taken as beginning now with its length; the display read "286012:46" before."""
    day, year = 24 * 3600.0, 365 * 24 * 3600.0
    now = 1_790_000_000.0
    running = clock.extend(clock.start_round(replace(STOPPED, passing=60), now - 300, 2), 120)  # 5 min in
    assert clock.settled(running, now) == running  # a hub restarted a minute later keeps its round as it was
    assert clock.settled(running, now + 0.9 * day) == running  # over time, but the room may still be in it
    for then in (now + year, now - year, now + 2 * day):  # the round began "in the future", or ages ago
        settled = clock.settled(running, then)
        assert clock.time_left(settled, then) == 60 + 600 + 120  # its length, extension kept
        assert (settled.started_at, settled.passing_ends, settled.round) == (then, then + 60, 2)
        assert clock.format_left(clock.time_left(settled, then)) == "13:00"
    paused = clock.pause(running, now + year)  # paused a year after it began: a year over time
    assert clock.format_left(clock.time_left(paused, now)).startswith("+525")
    assert clock.time_left(clock.settled(paused, now), now) == 660
    assert clock.settled(clock.pause(running, now), now) == clock.pause(running, now)
    assert clock.settled(STOPPED, now + year) == STOPPED


def test_a_rounds_phase_moves_from_passing_to_working_to_its_last_minute_and_over():
    moving = clock.start_round(replace(STOPPED, passing=120), 1000.0, 1)
    assert clock.phase(STOPPED, 1000.0) == "idle"
    assert clock.phase(moving, 1000.0) == "passing"
    assert clock.passing_left(moving, 1060.0) == 60 and clock.work_left(moving, 1060.0) == 600
    assert clock.phase(moving, 1120.0) == "working" and clock.passing_left(moving, 1120.0) is None
    assert clock.work_left(moving, 1120.0) == 600
    assert clock.phase(moving, 1120.0 + 539) == "working"
    assert clock.phase(moving, 1120.0 + 540) == "warning"  # the last minute
    assert clock.phase(moving, 1120.0 + 600) == "over"
    assert clock.phase(clock.pause(moving, 1050.0), 1060.0) == "paused"
    assert clock.phase(replace(moving, closing_at=2000.0), 1060.0) == "closing"


def test_passing_time_left_at_a_pause_is_kept_for_the_resume():
    moving = clock.start_round(replace(STOPPED, passing=120), 1000.0, 1)
    paused = clock.pause(moving, 1030.0)
    assert (paused.passing_left, paused.left, paused.passing_ends, paused.ends_at) == (90, 690, None, None)
    assert clock.pause(paused, 5000.0) == paused  # paused again: nothing changes
    resumed = clock.resume(paused, 5000.0)
    assert (resumed.passing_ends, resumed.ends_at, resumed.passing_left, resumed.left) == (5090, 5690, None, None)
    assert clock.resume(STOPPED, 1.0) == STOPPED and clock.extend(STOPPED, 60) == STOPPED
    working = clock.resume(clock.pause(clock.start_round(STOPPED, 0.0, 1), 100.0), 200.0)
    assert working.passing_ends is None


def test_a_new_round_length_changes_this_rounds_end_running_or_paused_and_the_next_rounds():
    running = clock.start_round(STOPPED, 1000.0, 1)
    longer = clock.set_duration(running, 900, 1100.0)
    assert (longer.duration, longer.ends_at) == (900, 1900)
    paused = clock.set_duration(clock.pause(running, 1100.0), 300, 1200.0)
    assert (paused.duration, paused.left) == (300, 200)
    assert clock.set_duration(STOPPED, 300, 0.0) == replace(STOPPED, duration=300)


def test_a_clock_read_back_after_a_jump_starts_its_round_again_and_one_in_time_is_kept():
    running = clock.start_round(replace(STOPPED, passing=60), 1000.0, 1)
    assert clock.settled(running, 1500.0) == running  # in its round: as it was
    jumped = clock.settled(running, 1000.0 + 3 * 86400)  # the board was off over a weekend
    now = 1000.0 + 3 * 86400
    assert (jumped.started_at, jumped.ends_at, jumped.passing_ends) == (now, now + 660, now + 60)
    future = clock.settled(running, 500.0)  # a clock gone back: the round began in the future
    assert (future.started_at, future.ends_at) == (500.0, 1160.0)
    closing = clock.settled(replace(running, closing_at=1700.0), 1000.0 + 86400 * 2)
    assert closing.closing_at == 1700.0 + 86400 * 2  # moved with the round
    long_paused = replace(clock.pause(running, 1100.0), left=5 * 86400)
    assert clock.settled(long_paused, 0.0).left == 660 and clock.settled(long_paused, 0.0).passing_left == 60
    assert clock.settled(clock.pause(running, 1100.0), 9e9) == clock.pause(running, 1100.0)  # paused in time
    assert clock.settled(STOPPED, 9e9) == STOPPED
