"""A flood of refused payloads on every topic the hub, a kiosk and the display listen to, through the real
broker: every one is dropped once, the logs stay a few lines long, and all three go on working."""
import logging
import random
import time

import paho.mqtt.client as mqtt
import pytest

from hub.display_link import DisplayLink
from kiosk.core import KioskCore
from shared.topics import Topics
from tests.conftest import card, eventually
from tests.fuzz.payloads import VALID, refused_payloads

T = Topics("room-12")
LOG_LINES_AT_MOST = 200  # at most one a minute per kind of problem and process, however many payloads


class Dropped:
    """What several parts of one process dropped, counted together."""

    def __init__(self, *parts) -> None:
        self.parts = parts

    @property
    def dropped(self) -> int:
        return sum(part.dropped for part in self.parts)


def flood(room, hub, tmp_path, caplog, total: int) -> dict:
    caplog.set_level(logging.WARNING)
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    link = DisplayLink(room)
    link.start()
    try:
        eventually(lambda: kiosk.online and link.hub_online and link.state, 10, "everyone online")
        targets = [  # topic, kind of payload, who listens
            (T.kiosk_event("reading-nook"), "kiosk_event", ("hub",)), (T.kiosk_event("tech"), "kiosk_event", ("hub",)),
            (T.command, "command", ("hub",)), (f"{T.base}/kiosk/Not A Station/event", "kiosk_event", ("hub",)),
            (T.view("reading-nook"), "view", ("kiosk",)), (T.ack("reading-nook"), "ack", ("kiosk",)),
            (T.hub_status, "hub_status", ("kiosk", "display", "hub")), (T.state, "state", ("display",)),
            (T.presence, "presence", ("display",)), (T.kiosk_status("tech"), "kiosk_status", ("display",)),
            (T.reply(link.client_name), "reply", ("display",)),
            (T.path_request("reading-nook"), "path_request", ("hub",)), (T.path("reading-nook"), "path", ("kiosk",)),
        ]
        rng = random.Random(2026)
        share = total // len(targets)
        expected = {"hub": 0, "kiosk": 0, "display": 0}
        messages = []
        for topic, kind, listeners in targets:
            payloads = refused_payloads(rng, kind, share) if "Not A" not in topic else [VALID[kind]] * share
            messages += [(topic, p if isinstance(p, bytes) else str(p).encode()) for p in payloads]
            for listener in listeners:
                # An empty message the hub passes over quietly: it is what clearing a retained message sends.
                expected[listener] += share - (listener == "hub" and topic != T.hub_status) * payloads.count(b"")
        rng.shuffle(messages)
        # The hub drops a kiosk's events over its limit unread (hub/kiosk_limit.py), the rest once read.
        drops = {"hub": Dropped(hub.drops, hub.kiosk_limit), "kiosk": kiosk.drops, "display": link.drops}
        before = {name: d.dropped for name, d in drops.items()}
        sender = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        sender.max_inflight_messages_set(1000)
        sender.max_queued_messages_set(0)
        sender.connect("127.0.0.1", room.broker.port)
        sender.loop_start()
        started = time.monotonic()
        for start in range(0, len(messages), 10_000):  # message ids wrap at 65,535
            infos = [sender.publish(topic, payload, qos=1) for topic, payload in messages[start:start + 10_000]]
            for info in infos:
                info.wait_for_publish(60)
        sender.disconnect()
        sender.loop_stop()
        try:
            eventually(lambda: all(drops[n].dropped - before[n] >= expected[n] for n in drops), 60 + total / 500,
                       "every payload to be dropped")
        except AssertionError as error:
            counts = {n: f"{drops[n].dropped - before[n]} of {expected[n]}" for n in drops}
            raise AssertionError(f"{error}: dropped {counts}") from None
        seconds = time.monotonic() - started
        dropped = {n: drops[n].dropped - before[n] for n in drops}
        assert dropped == expected  # each once, none twice

        kiosk.scan(card("s05"))  # and everyone goes on working
        eventually(lambda: link.state.presence.get("s05") and kiosk.outbox.depth() == 0, 10,
                   "a check-in after the flood to reach the hub, the map and back")
    finally:
        link.stop()
        kiosk.stop()
    drop_lines = [r for r in caplog.records if "dropped a message" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a handler failed on a payload"
    assert len(drop_lines) <= LOG_LINES_AT_MOST
    return {"payloads": len(messages), "seconds": seconds, "log lines": len(drop_lines), **dropped}


def test_a_flood_of_bad_payloads_is_dropped_and_logged_briefly(room, hub, tmp_path, caplog):
    flood(room, hub, tmp_path, caplog, 5_500)


@pytest.mark.long
def test_a_flood_of_100_000_bad_payloads(room, hub, tmp_path, caplog):
    figures = flood(room, hub, tmp_path, caplog, 100_001)
    print(f"\nflood: {figures}")


def test_the_real_hub_and_kiosk_processes_outlive_a_flood(tmp_path):
    from tests.faults.classroom import Classroom

    room = Classroom(tmp_path, stations=("reading-nook",))
    try:
        room.start()
        rng = random.Random(9)
        sender = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        sender.connect("127.0.0.1", room.port)
        sender.loop_start()
        targets = [(T.kiosk_event("reading-nook"), "kiosk_event"), (T.command, "command"),
                   (T.view("reading-nook"), "view"), (T.ack("reading-nook"), "ack"), (T.hub_status, "hub_status")]
        infos = [sender.publish(topic, payload, qos=1) for topic, kind in targets
                 for payload in refused_payloads(rng, kind, 1000)]
        for info in infos:
            info.wait_for_publish(30)
        sender.disconnect()
        sender.loop_stop()
        since = time.time()
        room.scan("reading-nook", card("s05"))
        room.observer.wait_for(T.state, lambda s: "s05" in s["presence"], since)
        assert all(process.poll() is None for process in room.processes.values())
    finally:
        room.stop()
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("hub", "kiosk-reading-nook")}
    assert all(log.count("dropped a message") <= LOG_LINES_AT_MOST for log in logs.values())
    assert "Traceback" not in "".join(logs.values())
    assert any(station == "reading-nook" for station, *_ in room.hub_events())
