"""A whole classroom as real processes for fault tests: Mosquitto, `rotation hub serve`, and kiosks run
`rotation kiosk --headless`, each reading its own pseudo-terminal scanner. Any of them can be killed with
SIGKILL and started again; an observer records everything the broker carries, with arrival times."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import paho.mqtt.client as mqtt

from rotation.broker import PrivateBroker, free_port
from shared.topics import Topics
from tests.conftest import ROOT, write_room

STATIONS = ("independent", "collaborative", "tech", "reading-nook", "art")
EXTRA_STATION = '\n[[station]]\nid = "art"\nname = "Art Corner"\nkind = "other"\n'


class Observer:
    """Subscribes to the whole room and keeps (arrival time, topic, payload, retained) of every message,
    reconnecting at once when the broker comes back."""

    def __init__(self, port: int, topics: Topics) -> None:
        self.messages: list[tuple[float, str, bytes, bool]] = []
        self.arrived = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.reconnect_delay_set(0.05, 0.2)
        self.client.on_connect = lambda c, *_: c.subscribe(f"{topics.base}/#", 1)
        self.client.on_message = self._on_message
        self.client.connect_async("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client, userdata, msg) -> None:
        with self.arrived:
            self.messages.append((time.time(), msg.topic, msg.payload, msg.retain))
            self.arrived.notify_all()

    def wait_for(self, topic: str, predicate, since: float, timeout: float = 20.0) -> float:
        """The arrival time of the first message on ``topic`` after ``since`` that satisfies ``predicate``."""
        def found():
            return next((at for at, t, payload, _ in self.messages
                         if at >= since and t == topic and predicate(json.loads(payload))), None)
        with self.arrived:
            at = self.arrived.wait_for(found, timeout)
        assert at is not None, f"nothing on {topic} within {timeout} s"
        return at

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Classroom:
    def __init__(self, directory: Path, stations: tuple[str, ...] = STATIONS) -> None:
        self.directory = directory
        self.stations = stations
        self.port = free_port()
        self.config = write_room(directory, self.port, autostart=True, round_minutes=120)
        with self.config.open("a") as file:
            file.write(EXTRA_STATION)
        self.topics = Topics("room-12")
        self.broker = PrivateBroker(directory / "broker", port=self.port)
        self.processes: dict[str, subprocess.Popen] = {}
        self.wires: dict[str, tuple[int, int]] = {}
        for station in stations:
            master, slave = os.openpty()
            tty.setraw(slave)
            self.wires[station] = (master, slave)
        self.observer: Observer | None = None

    # Processes
    def start(self) -> None:
        self.broker.start()
        self.observer = Observer(self.port, self.topics)
        for name in ("hub", *(f"kiosk-{s}" for s in self.stations)):
            self.ready(name, self.restart(name))

    def _spawn(self, name: str, *args: str, environment: dict[str, str] | None = None) -> None:
        log = open(self.directory / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "rotation.cli", *args, "--config", str(self.config)], cwd=ROOT,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **(environment or {})})
        log.close()

    def kill(self, name: str, how: signal.Signals = signal.SIGKILL) -> None:
        """Pull the plug (SIGKILL), or stop it as systemd does (SIGTERM)."""
        if name == "broker":
            self.broker.kill()
            return
        process = self.processes[name]
        process.send_signal(how)
        process.wait(30)

    def restart(self, name: str, environment: dict[str, str] | None = None) -> float:
        """Start a killed process again (the broker: until it listens), with ``environment`` added to this
        one's; returns when it was started."""
        started = time.time()
        if name == "broker":
            self.broker.start()
        elif name == "hub":
            self._spawn("hub", "hub", "serve", environment=environment)
        else:
            station = name.removeprefix("kiosk-")
            self._spawn(name, "kiosk", "--headless", "--station", station,
                        "--serial", os.ttyname(self.wires[station][1]), "--outbox", str(self.outbox_path(station)))
        return started

    def ready(self, name: str, since: float, timeout: float = 20.0) -> float:
        """When the hub or a kiosk was online at the broker, as its status said, after ``since``."""
        topic = self.topics.hub_status if name == "hub" else self.topics.kiosk_status(name.removeprefix("kiosk-"))
        return self.observer.wait_for(topic, lambda b: b["online"], since, timeout)

    def stop(self) -> None:
        """Stop everything cleanly, kiosks first, so their outboxes can be read."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self.observer:
            self.observer.close()
        self.broker.stop()
        for master, slave in self.wires.values():
            os.close(master)
            os.close(slave)

    # Scans and files
    def scan(self, station: str, text: str) -> None:
        os.write(self.wires[station][0], text.encode() + b"\r\n")

    def outbox_path(self, station: str) -> Path:
        return self.directory / f"outbox-{station}.db"

    def hub_events(self, kiosks_only: bool = False) -> list[tuple]:
        """(station, kiosk_seq, id, at, student, kind, accepted, received_at) of every stored event (or only the
        kiosks', not the check-ins the hub makes at the teacher's table), in the order the hub stored them."""
        with sqlite3.connect(self.directory / "hub.db") as db:
            return db.execute("SELECT station, kiosk_seq, id, at, student, kind, accepted, received_at "
                              f"FROM events {'WHERE kiosk_seq > 0' if kiosks_only else ''} ORDER BY rowid").fetchall()

    def outbox_state(self, station: str) -> tuple[int, int]:
        """(events waiting, highest sequence number handed out) of a stopped kiosk's outbox."""
        with sqlite3.connect(self.outbox_path(station)) as db:
            waiting, highest = db.execute("SELECT count(*), coalesce(max(seq), 0) FROM outbox").fetchone()
            acked = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return waiting, max(highest, acked[0] if acked else 0)
