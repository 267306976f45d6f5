"""What the benches share: percentiles, waiting on a condition, a display link made ready as the display's, and
the bare broker relay that latencies are measured against."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from edge.broker_setup import read_password
from edge.heap import freeze_startup_objects
from edge.mqtt import disable_nagle
from hub.display_link import DisplayLink
from shared.topics import Topics, kiosk_account

RELAY = Path(__file__).with_name("relay.py")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def wait_for(condition, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.01)


def start_as_the_display(link: DisplayLink) -> None:
    """Start the link, wait for the room, and say "ready" to the bench that started this probe."""
    link.start()
    while link.state is None:
        time.sleep(0.01)
    freeze_startup_objects()  # as the display app does once started
    print("ready", flush=True)


def relay_times(config, station: str, target: str, payload: bytes, times: int, gap: float) -> list[float]:
    """The bare relay, in milliseconds: ``payload`` sent on the station's kiosk account to its event topic, a
    relay process on the hub's account sending it on to ``target`` (a topic that kiosk reads), QoS 1, each
    after ``gap`` seconds idle. The broker gives each account one client, so the hub must not be running."""
    account = (kiosk_account(station), read_password(config.broker.accounts, kiosk_account(station)))
    source = Topics(config.room_id).kiosk_event(station)
    relay = subprocess.Popen([sys.executable, str(RELAY), str(config.broker.port), source, target, "hub",
                              read_password(config.broker.accounts, "hub")], stdout=subprocess.PIPE, text=True)
    try:
        assert relay.stdout is not None
        relay.stdout.readline()
        arrived = threading.Event()
        subscribed = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-anchor")
        client.on_message = lambda *args: arrived.set()
        client.on_subscribe = lambda *args: subscribed.set()
        client.on_socket_open = disable_nagle
        client.username_pw_set(*account)
        client.connect("127.0.0.1", config.broker.port)
        client.loop_start()
        client.subscribe(target, qos=1)
        subscribed.wait(5)
        measured = []
        for _ in range(times):
            time.sleep(gap)
            arrived.clear()
            start = time.perf_counter()
            client.publish(source, payload, qos=1)
            if not arrived.wait(5):
                raise SystemExit("the relay did not answer")
            measured.append((time.perf_counter() - start) * 1000)
        client.disconnect()
        client.loop_stop()
    finally:
        relay.terminate()
        relay.wait()
    return measured
