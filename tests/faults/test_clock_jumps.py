"""A hub whose clock jumps a year ahead or a year behind, as a Raspberry Pi's can: the real `rotation hub serve`
under libfaketime (Debian's `faketime`), on a real database holding a term's events. While the clock cannot be
trusted nothing is erased and the round clock shows the round's length; once the clock is right again,
retention erases what is past the retention period, and only that.

Before: a year ahead, the hub erased every event and today's report at start, kept a last purge a year ahead
that held retention back for a year once the clock was right, and showed the round as "+525600:00"."""
from __future__ import annotations

import json
import signal
import sqlite3
import time
from functools import partial
from pathlib import Path

import pytest

from hub.report_files import REPORT_FOLDER_FORMAT
from hub.retention import DAY_SECONDS
from hub.store import HubStore, ReceivedEvent
from shared.clock import start_round
from shared.protocol import Clock, Event, encode
from tests.conftest import card, eventually
from tests.faults.classroom import Classroom, Observer

LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), None)
YEAR = 365 * DAY_SECONDS
ROUND = Clock(round=0, rounds=5, duration=15 * 60, running=False)
KEPT_DAYS, EXPIRED_DAYS = range(0, 170), range(181, 400)  # the sample room keeps 180 days


def faked(days: int) -> dict[str, str]:
    """The environment that runs a program ``days`` off this machine's clock; its monotonic clock stays true,
    as a Pi's does when its wall clock is set wrong (and Python's timed waits, on that clock, last what they
    should: libfaketime 0.9.10 moving it too makes them never end)."""
    if LIBFAKETIME is None:
        pytest.fail("libfaketime is missing (Debian's faketime package; scripts/test.sh installs it)")
    return {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"{days:+d}d", "DONT_FAKE_MONOTONIC": "1"}


def a_term(directory: Path, now: float, per_day: int) -> None:
    """The hub's database as a hub left it yesterday: events of the last 400 days, its last purge a day ago, a
    lesson in round 2 that began five minutes ago; a report of today's lesson and one of 200 days ago."""
    store = HubStore(directory / "hub.db")
    days = [*KEPT_DAYS, *EXPIRED_DAYS]
    received = []
    for seq, at in enumerate((now - day * DAY_SECONDS - n * 60 for day in days for n in range(per_day)), start=1):
        event = Event(id=f"e{seq}", kind="checkin", card=card("s01"), station="tech", at=at, seq=seq, kiosk_time=at)
        received.append(ReceivedEvent("tech", event, "s01", at, True, "", 1))
    store.add_events(received)
    store.save_clock(start_round(ROUND, now - 300, 2), 1)
    store.set_last_purge(now - DAY_SECONDS)
    store.close()
    for started in (now, now - 200 * DAY_SECONDS):
        (directory / "reports" / time.strftime(REPORT_FOLDER_FORMAT, time.localtime(started))).mkdir(parents=True)


def stored(directory: Path) -> set[str]:
    with sqlite3.connect(directory / "hub.db") as db:
        return {row[0] for row in db.execute("SELECT id FROM events")}


def said_since(log: Path, offset: int, words: str) -> bool:
    return words in log.read_bytes()[offset:].decode()


def latest(room: Classroom, topic: str, since: float) -> dict:
    with room.observer.arrived:
        return json.loads(next(p for at, t, p, _ in reversed(room.observer.messages) if t == topic and at >= since))


def check_in(room: Classroom, event_id: str, hub_time: float, seq: int) -> None:
    """A kiosk's check-in, as the hub's clock has it; returns once the hub acked it (it is stored)."""
    sent = time.time()
    room.observer.client.publish(room.topics.kiosk_event("tech"), encode(Event(
        id=event_id, kind="checkin", card=card("s02"), station="tech", at=hub_time, seq=seq, kiosk_time=hub_time)),
        qos=1)
    room.observer.wait_for(room.topics.ack("tech"), lambda ack: event_id in ack["ids"], sent)


def run_clock_jumps(directory: Path, per_day: int, jumps: tuple[int, ...], purged_a_year_ahead: bool) -> None:
    """The hub run ``jumps`` days off in turn, then right; ``purged_a_year_ahead``: before that, the database's
    last purge is a year ahead, as an earlier version left it after a year-ahead clock erased everything."""
    now = time.time()
    a_term(directory, now, per_day)
    term = stored(directory)
    expired = {f"e{seq}" for seq in range(len(KEPT_DAYS) * per_day + 1, len(term) + 1)}
    room = Classroom(directory, stations=())
    log = directory / "hub.log"
    checked_in: set[str] = set()
    room.broker.start()
    room.observer = Observer(room.port, room.topics)
    try:
        for run, days in enumerate(jumps):
            logged = log.stat().st_size if log.exists() else 0
            started = room.restart("hub", faked(days))
            room.ready("hub", started)
            room.observer.wait_for(room.topics.state, lambda state: state["clock"]["round"] == 2, started)
            state = latest(room, room.topics.state, started)
            left = state["clock"]["ends_at"] - state["hub_time"]
            assert 14 * 60 < left <= 15 * 60, f"{days:+d} days: the round shows {left / 60:.0f} minutes left"
            checked_in.add(f"jump{run}")
            check_in(room, f"jump{run}", now + days * DAY_SECONDS, len(term) + run + 1)
            doubt = "days past what it stored" if days > 0 else "is behind what it stored"
            eventually(partial(said_since, log, logged, doubt), 10, f"the hub {days:+d} days off to hold retention")
            room.kill("hub", signal.SIGTERM)
            assert stored(directory) == term | checked_in, f"{days:+d} days: events lost"
            assert len(list((directory / "reports").iterdir())) == 2, f"{days:+d} days: a report erased"

        if purged_a_year_ahead:  # due at once
            store = HubStore(directory / "hub.db")
            store.set_last_purge(now + YEAR)
            store.close()
        started = room.restart("hub")
        room.ready("hub", started)
        eventually(partial(said_since, log, 0, "retention: erased"), 20, "retention to erase what is past it")
        assert stored(directory) == (term - expired) | checked_in
        assert [p.name for p in (directory / "reports").iterdir()] == [time.strftime(REPORT_FOLDER_FORMAT,
                                                                                     time.localtime(now))]
    finally:
        room.stop()


def test_a_hub_clock_a_year_ahead_or_behind_erases_nothing_and_retention_resumes_once_right(tmp_path):
    """A year ahead, then (restarted with the check-ins it stamped a year ahead) still a year ahead, then a
    year behind, then right, with the last purge an earlier version made a year ahead."""
    run_clock_jumps(tmp_path, per_day=2, jumps=(365, 365, -365), purged_a_year_ahead=True)


@pytest.mark.long
def test_a_term_of_events_survives_clock_jumps_of_every_size(tmp_path):
    """The classroom of the report (19,412 events and more), through jumps of three days to ten years."""
    run_clock_jumps(tmp_path, per_day=50, jumps=(365, 3, -3, 3650, 365, -365, -3650, 30), purged_a_year_ahead=False)
