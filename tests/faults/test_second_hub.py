"""A second `rotation hub serve` for a room another hub serves, as real processes on one broker: it stops at
once with a message the technician can act on, and the first goes on serving (its check-ins still reach the
map). Before, the two took turns throwing each other off the broker (one MQTT client id), five times a second."""
from __future__ import annotations

import subprocess
import sys
import time

from hub.claim import this_run
from hub.instances import ANOTHER_HUB_EXIT
from hub.service import HubService
from shared.config import load_config
from shared.protocol import Event, encode
from tests.conftest import ROOT, card, eventually
from tests.faults.classroom import Classroom, Observer

REFUSED_WITHIN = 10.0  # seconds from its start (Python's imports included) to the second hub's exit


def a_second_hub(room: Classroom) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(room.config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=REFUSED_WITHIN)


def check_in(room: Classroom, event_id: str, seq: int) -> None:
    """A kiosk's check-in; returns once it is on the map (the hub's presence change)."""
    sent = time.time()
    room.observer.client.publish(room.topics.kiosk_event("tech"), encode(Event(
        id=event_id, kind="checkin", card=card("s01"), station="tech", at=sent, seq=seq, kiosk_time=sent)), qos=1)
    room.observer.wait_for(room.topics.presence, lambda change: change["student"] == "s01", sent, timeout=10)


def test_a_second_hub_for_the_room_is_refused_and_the_first_goes_on_serving(tmp_path):
    room = Classroom(tmp_path, stations=())
    room.broker.start()
    room.observer = Observer(room.port, room.topics)
    try:
        room.ready("hub", room.restart("hub"))
        check_in(room, "before", 1)
        started = time.time()
        second = a_second_hub(room)
        took = time.time() - started
        assert second.returncode == ANOTHER_HUB_EXIT, second.stderr[-2000:]
        assert "another hub serves room room-12: on " in second.stderr and "sudo systemctl stop rotation-hub" \
            in second.stderr, second.stderr[-2000:]
        print(f"\nthe second hub refused the room in {took:.2f} s")
        assert room.processes["hub"].poll() is None, "the first hub stopped"
        check_in(room, "after", 2)  # the first hub still serves
        eventually(lambda: "another hub (" in (tmp_path / "hub.log").read_text(), 10,
                   "the first hub to say another hub asked for its room")
        statuses = [payload for at, topic, payload, _ in room.observer.messages
                    if topic == room.topics.hub_status and at >= started]
        assert b'"online":false' not in b"".join(statuses), "the map showed the hub offline"
    finally:
        room.stop()


def test_of_two_hubs_serving_at_once_the_one_started_first_goes_on(tmp_path):
    """Two hubs that both found the room free (started at the same moment): the later one, thrown off the broker
    by the first taking its connection back, reads the first's status and stops; the first keeps the room."""
    room = Classroom(tmp_path, stations=())
    room.broker.start()
    room.observer = Observer(room.port, room.topics)
    try:
        room.ready("hub", room.restart("hub"))
        later = HubService(load_config(room.config), instance=this_run(time.time()))  # past the claim, as in a race
        later.start()
        try:
            eventually(lambda: later.displaced_by is not None, 10, "the later hub to give the room up")
        finally:
            later.stop()
        assert room.processes["hub"].poll() is None, "the first hub stopped"
        check_in(room, "after", 1)
    finally:
        room.stop()
