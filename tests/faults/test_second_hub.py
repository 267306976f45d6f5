"""A second `rotation hub serve` for a room another hub serves, as real processes on one broker: it stops at
once with a message the technician can act on, and the first goes on serving (its check-ins still reach the
map). Before, the two took turns throwing each other off the broker (one MQTT client id), five times a second."""
from __future__ import annotations

import socket
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


def test_a_hub_started_again_after_a_kill_serves_though_its_session_holds_the_killed_hubs_status(tmp_path):
    """The hub's broker session (one client id, kept while no hub is connected) still holds what the hub
    subscribed to while it was away: here the status a hub killed on this board said before it died. Delivered
    live to the next hub, it once counted as a sign of life, and the next hub gave its own room up (the kill loop
    found it)."""
    import signal

    from shared.protocol import HubInstance, HubStatus

    room = Classroom(tmp_path, stations=())
    room.broker.start()
    room.observer = Observer(room.port, room.topics)
    try:
        room.ready("hub", room.restart("hub"))
        room.kill("hub", signal.SIGKILL)
        killed = HubInstance("deadhub00000", socket.gethostname(), time.time() - 60)
        said = encode(HubStatus(online=True, time=time.time() - 1, hub=killed))  # queued for the next hub, not kept
        room.observer.client.publish(room.topics.hub_status, said, qos=1).wait_for_publish(5)
        room.ready("hub", room.restart("hub"))
        check_in(room, "after the kill", 1)
        assert room.processes["hub"].poll() is None, "the hub gave its room up to a hub killed before it began"
    finally:
        room.stop()


def test_a_hub_dropped_by_a_restarting_broker_while_it_asks_still_serves(tmp_path):
    """The broker drops the starting hub's connection (as a broker restarting does) while the retained status of
    a hub killed earlier still says online: nobody answers, nothing new is said, so the room is free. Before, a
    drop alone counted as another hub, and the hub refused its own room for good (the unit does not restart it)."""
    import paho.mqtt.client as mqtt

    from shared.protocol import HubInstance, HubStatus
    from shared.topics import hub_client

    room = Classroom(tmp_path, stations=())
    room.broker.start()
    room.observer = Observer(room.port, room.topics)
    dropper = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="dropper")
    kicked = []

    def drop_the_asking_hub(client, userdata, msg) -> None:
        if not kicked:  # its claim: take its client id once, as a broker going away would drop it
            kicked.append(mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=hub_client("room-12")))
            kicked[0].connect("127.0.0.1", room.port)
            kicked[0].disconnect()

    dropper.on_connect = lambda client, *_: client.subscribe(room.topics.hub_claim, 1)
    dropper.on_message = drop_the_asking_hub
    try:
        dead = HubInstance("deadhub00000", "old-board", time.time() - 60)
        left = encode(HubStatus(online=True, time=time.time() - 60, hub=dead))  # its Last Will never came
        eventually(room.observer.client.is_connected, 10, "the observer to connect")
        room.observer.client.publish(room.topics.hub_status, left, qos=1, retain=True).wait_for_publish(5)
        dropper.connect("127.0.0.1", room.port)
        dropper.loop_start()
        room.ready("hub", room.restart("hub"))
        assert kicked, "the starting hub's claim was never seen"
        check_in(room, "served", 1)
        assert room.processes["hub"].poll() is None
    finally:
        dropper.disconnect()
        dropper.loop_stop()
        room.stop()
