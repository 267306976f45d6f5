"""Retention trusts the hub's clock only as far as what it stored vouches for it (hub/retention.py), on a real
database; and what the system's time services say, as they print it (edge/timesync.py)."""
import pytest

from edge.timesync import chrony_says, timedated_says
from hub.privacy import vouched_time
from hub.retention import AHEAD, BEHIND, DAY_SECONDS, NO_EVIDENCE, NOT_SYNCHRONISED, clock_doubt, purge_due
from hub.store import HubStore, ReceivedEvent
from shared.protocol import Event
from tests.conftest import card

FRIDAY = 1_790_000_000.0  # the last school day the hub saw
YEAR = 365 * DAY_SECONDS


@pytest.fixture
def store(tmp_path):
    """A hub's database with a term of events up to Friday, purged on Friday morning."""
    store = HubStore(tmp_path / "hub.db")
    store.add_events([received(f"e{day}", FRIDAY - day * DAY_SECONDS) for day in range(100)])
    store.set_last_purge(FRIDAY - 0.3 * DAY_SECONDS)
    yield store
    store.close()


def received(event_id: str, at: float) -> ReceivedEvent:
    event = Event(id=event_id, kind="checkin", card=card("s01"), station="tech", at=at, seq=1, kiosk_time=at)
    return ReceivedEvent("tech", event, "s01", at, True, "", 1)


def doubt(store: HubStore, now: float, synchronised: bool | None = None) -> str | None:
    """What held retention back at ``now``, for a hub started then: its kind, or None."""
    held = clock_doubt(now, vouched_time(store, now, store.newest_received(), synchronised), synchronised)
    return held.kind if held else None


def test_a_clock_a_year_off_erases_nothing_and_a_right_one_does(store):
    assert doubt(store, FRIDAY + 3600) is None
    assert doubt(store, FRIDAY + 1.9 * DAY_SECONDS) is None  # a hub left on over the weekend
    assert doubt(store, FRIDAY + YEAR) == AHEAD
    assert doubt(store, FRIDAY - YEAR) == BEHIND
    assert doubt(store, FRIDAY - 60) == BEHIND  # an event stored a minute "later" than now


def test_events_a_clock_a_year_ahead_stamped_do_not_vouch_for_it(store):
    """A year ahead, the hub stores the day's check-ins at that clock's time; restarted still a year ahead, it
    must not take them as proof (it erased everything, a day late), and once the clock is right they are no
    obstacle either."""
    store.add_events([received(f"later{n}", FRIDAY + YEAR + n * 600) for n in range(30)])
    assert doubt(store, FRIDAY + YEAR + 6 * 3600) == AHEAD
    assert doubt(store, FRIDAY + 3 * 3600) is None


def test_a_time_server_vouches_for_the_first_events_after_days_off(store):
    """Off from Friday to Monday: Monday's first events vouch for the clock only where the system says a time
    server set it; before that, and while the system says it is not synchronised yet, nothing is erased."""
    monday = FRIDAY + 2.7 * DAY_SECONDS
    assert doubt(store, monday, synchronised=True) == AHEAD  # no event of Monday yet
    store.add_events([received("monday", monday)])
    assert doubt(store, monday + 60, synchronised=True) is None
    assert doubt(store, monday + 60, synchronised=None) == AHEAD  # no time service: only the purge vouches
    assert doubt(store, monday + 60, synchronised=False) == NOT_SYNCHRONISED


def test_a_hub_with_nothing_stored_has_nothing_to_check_its_clock_against(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    try:
        assert doubt(store, FRIDAY) == NO_EVIDENCE
    finally:
        store.close()


def test_a_purge_is_due_daily_and_at_once_after_one_stamped_in_the_future():
    assert not purge_due(FRIDAY, FRIDAY - 3600)
    assert purge_due(FRIDAY, FRIDAY - DAY_SECONDS)
    assert purge_due(FRIDAY, FRIDAY + YEAR)  # the last purge ran by a clock a year ahead
    assert purge_due(FRIDAY, 0.0)


@pytest.mark.parametrize("printed, says", [
    ("NTP=yes\nNTPSynchronized=yes\n", True),
    ("NTP=yes\nNTPSynchronized=no\n", False),  # timesyncd on, no answer from a time server yet
    ("NTP=no\nNTPSynchronized=no\n", None),  # no time service timedated knows of
])
def test_what_timedated_says(printed, says):
    assert timedated_says(printed) is says


@pytest.mark.parametrize("leap, says", [("Normal", True), ("Insert second", True), ("Not synchronised", False)])
def test_what_chrony_says(leap, says):
    printed = ("Reference ID    : C0A80001 (192.168.0.1)\nStratum         : 3\n"
               "System time     : 0.000012 seconds fast of NTP time\n"
               f"Leap status     : {leap}\n")
    assert chrony_says(printed) is says
    assert chrony_says("506 Cannot talk to daemon\n") is None
