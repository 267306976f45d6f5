"""How fast the hub takes one kiosk's events: what a real line of students sends always goes through, a flood is
cut to the limit and reported once."""
import pytest

from hub.kiosk_limit import BURST, EVENTS_PER_SECOND, QUIET_SECONDS, REPORT_SECONDS, KioskLimit


def test_a_line_of_students_at_full_pace_never_meets_the_limit():
    limit = KioskLimit(EVENTS_PER_SECOND, BURST)
    # Six students scanning 0.5 s apart, each answering two questions 0.3 s after the last (faster than the
    # line bench's hurried class), line after line for ten minutes.
    times = [line * 6.0 + student * 0.5 + answer * 0.3 for line in range(100) for student in range(6)
             for answer in range(3)]
    assert all(limit.take("tech", at) for at in sorted(times))
    assert limit.floods_to_report(times[-1] + QUIET_SECONDS) == []


def test_a_kiosk_back_from_an_outage_sends_a_burst_and_the_rest_as_its_bucket_fills():
    limit = KioskLimit(EVENTS_PER_SECOND, BURST)
    assert all(limit.take("tech", 0.0) for _ in range(BURST))
    assert not limit.take("tech", 0.0)
    assert limit.take("tech", 1 / EVENTS_PER_SECOND)  # then one more each 1/rate seconds
    assert not limit.take("tech", 1 / EVENTS_PER_SECOND)
    assert sum(limit.take("tech", 10.1) for _ in range(BURST + 1)) == BURST  # its resend 10 s on: all again


def test_a_flood_is_cut_to_the_limit_and_reported_once_with_its_count_and_the_others_go_on():
    limit = KioskLimit(EVENTS_PER_SECOND, BURST)
    taken = sum(limit.take("art", n / 10_000) for n in range(20_000))  # 20,000 events in 2 s
    assert BURST + 2 * EVENTS_PER_SECOND - 1 <= taken <= BURST + 2 * EVENTS_PER_SECOND
    assert limit.take("tech", 1.0)  # another station has a bucket of its own
    assert limit.floods_to_report(2.0 + QUIET_SECONDS / 2) == []  # perhaps not over yet
    [flood] = limit.floods_to_report(2.0 + QUIET_SECONDS)
    assert (flood.station, flood.dropped, flood.going_on) == ("art", 20_000 - taken, False)
    assert (flood.began, flood.last) == pytest.approx((BURST / 10_000, 2.0), abs=0.001)  # first and last drop
    assert limit.floods_to_report(100.0) == []  # said once


def test_a_flood_that_goes_on_is_reported_each_minute_then_once_more_when_it_stops():
    limit = KioskLimit(EVENTS_PER_SECOND, BURST)
    reports = []
    for n in range(150 * 300):  # 300 a second for two and a half minutes
        limit.take("art", n / 300)
        reports += limit.floods_to_report(n / 300)
    assert len(reports) == 2 and all(flood.going_on and flood.station == "art" for flood in reports)
    assert all(flood.dropped >= (300 - EVENTS_PER_SECOND) * REPORT_SECONDS * 0.9 for flood in reports)
    [last] = limit.floods_to_report(150 + QUIET_SECONDS)
    assert not last.going_on and last.dropped > 0


def test_a_flood_is_over_after_exactly_the_quiet_time_and_reported_after_exactly_a_minute():
    limit = KioskLimit(EVENTS_PER_SECOND, BURST)
    for _ in range(BURST + 3):  # three over the burst, at once
        limit.take("art", 0.0)
    assert limit.dropped == 3
    [over] = limit.floods_to_report(QUIET_SECONDS)
    assert (over.station, over.began, over.last, over.dropped, over.going_on) == ("art", 0.0, 0.0, 3, False)
    going = KioskLimit(1.0, 1)
    for second in range(int(REPORT_SECONDS) + 1):  # two a second: one taken, one dropped, for a minute
        going.take("art", float(second))
        going.take("art", float(second))
    [report] = going.floods_to_report(REPORT_SECONDS)
    assert (report.began, report.last, report.dropped, report.going_on) == (0.0, REPORT_SECONDS, 61, True)
    going.take("art", REPORT_SECONDS + 1)
    going.take("art", REPORT_SECONDS + 1)  # one more dropped after the report
    assert going.floods_to_report(REPORT_SECONDS + 1 + QUIET_SECONDS - 0.5) == []
    [last] = going.floods_to_report(REPORT_SECONDS + 1 + QUIET_SECONDS)
    assert (last.station, last.began, last.last, last.dropped, last.going_on) == (
        "art", REPORT_SECONDS, REPORT_SECONDS + 1, 1, False)
