"""What the benches share: percentiles, waiting on a condition, a display link made ready as the display's, a
kiosk in step with the hub's clock, the accounts of a bench's own clients at the room's broker, and the bare
broker relay that latencies are measured against."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from edge.broker_setup import Account, read_password
from edge.heap import freeze_startup_objects
from edge.mqtt import disable_nagle
from hub.display_link import DisplayLink
from rotation.broker import PrivateBroker
from rotation.demo import secured_broker
from shared.config import Config, load_config
from shared.follow import FollowsHub
from shared.topics import Topics, kiosk_account

RELAY = Path(__file__).with_name("relay.py")

# The broker takes an account's name as its client's id, so a second client on an account pushes the first off:
# a bench that listens while the hub runs does it on an account of its own, never the hub's.
WATCHER = "bench-watcher"  # reads everything of the room, writes nothing


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


def in_step_with_the_hub(core: FollowsHub) -> None:
    """Wait until a started kiosk has the room and a live stamp of the hub's clock, as one in a classroom has
    long had. Until then it dates a scan by the retained state's stamp, seconds old: a check-in dated before
    the student's last one elsewhere leaves the map showing that one."""
    wait_for(lambda: core.state is not None, what="the kiosk to get the room state")
    wait_for(lambda: core.follower.clock.synced, what="a live stamp of the hub's clock (its status: every 5 s)")


def raw_account(station: str) -> str:
    """The account that publishes a kiosk's share of a raw-broker anchor, as the kiosk's own account would."""
    return f"bench-raw-{station}"


def raw_topic(config: Config, station: str) -> str:
    return f"{Topics(config.room_id).base}/raw/{station}"


def bench_accounts(config: Config) -> list[Account]:
    """The watcher, and for each station with a kiosk a raw publisher allowed its raw topic alone (one ACL
    pattern, as a kiosk's event topic is)."""
    everything = f"{Topics(config.room_id).base}/#"
    return [Account(WATCHER, read=(everything,), write=()),
            *(Account(raw_account(s.id), read=(), write=(raw_topic(config, s.id),))
              for s in config.stations if s.kiosk)]


def bench_broker(config_path: Path, directory: Path) -> PrivateBroker:
    """The room's broker as a school runs it (every client on its own account), with the bench's accounts."""
    return secured_broker(config_path, directory, extra=bench_accounts(load_config(config_path)))


def login(config: Config, account: str) -> tuple[str, str]:
    """An account's name and password at the room's broker."""
    assert config.broker.accounts is not None, "a bench's room has broker accounts"
    return account, read_password(config.broker.accounts, account)


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
