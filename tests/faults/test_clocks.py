"""Clocks: a kiosk whose clock is hours off still shows the round's true time left, and a hub killed and
started again keeps the round's end time."""
import json
import time

import pytest

from hub.display_link import DisplayLink
from kiosk.core import KioskCore
from shared.clock import format_left_for_students
from tests.conftest import eventually
from tests.faults.classroom import Classroom


@pytest.mark.parametrize("off_by_hours", [3, -5])
def test_a_kiosk_with_its_clock_hours_off_shows_the_true_time_left(room, hub, tmp_path, off_by_hours):
    kiosk = KioskCore(room, "tech", tmp_path / "outbox.db", now=lambda: time.time() + off_by_hours * 3600)
    kiosk.start()
    try:
        link = DisplayLink(room)
        link.start()
        assert link.command("start").ok
        link.stop()
        eventually(lambda: kiosk.state and kiosk.state.clock.round == 1, 5, "the kiosk to see the round")
        eventually(lambda: abs(kiosk.time_left() - (hub.room.clock.ends_at - time.time())) < 0.5, 10,
                   "the kiosk's estimate of the hub's clock")
        truly_left = hub.room.clock.ends_at - time.time()
        assert format_left_for_students(kiosk.time_left()) == format_left_for_students(truly_left)
        assert 14 * 60 < kiosk.time_left() <= 15 * 60
    finally:
        kiosk.stop()


def test_a_hub_killed_and_started_again_keeps_the_rounds_end_time(tmp_path):
    room = Classroom(tmp_path, stations=())
    try:
        started = time.time()
        room.start()
        state_topic = room.topics.state
        room.observer.wait_for(state_topic, lambda s: s["clock"]["round"] == 1, started)
        with room.observer.arrived:
            before = json.loads(next(p for _, t, p, _ in reversed(room.observer.messages) if t == state_topic))
        assert before["clock"]["round"] == 1 and before["clock"]["running"]
        room.kill("hub")
        restarted = room.restart("hub")
        room.ready("hub", restarted)
        room.observer.wait_for(state_topic, lambda s: s["seq"] >= before["seq"], restarted)
        with room.observer.arrived:
            after = json.loads(next(p for at, t, p, _ in reversed(room.observer.messages)
                                    if t == state_topic and at >= restarted))
    finally:
        room.stop()
    assert (after["clock"]["ends_at"], after["clock"]["started_at"]) == \
        (before["clock"]["ends_at"], before["clock"]["started_at"])
    assert after["hub_time"] > before["hub_time"]
