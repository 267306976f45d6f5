#!/usr/bin/env python3
"""What the hub and a kiosk cost to run, and how that grows with a school year. Not a test: prints tables.

    .venv/bin/python bench/footprint.py [--events 10000] [--history 10000,100000,1000000]

Footprint: resident memory of the hub service and of a kiosk (the Kivy app, drawing, offscreen here) after
10,000 events each, the kiosk's against a Kivy window, empty and drawing one label, on the same renderer (here
Mesa's software one, which a Pi's GPU replaces); the kiosk's cold start to its first frame; the hub's restart
after SIGKILL to its retained state republished. Growth: with 10k, 100k and 1M events already stored (a school
year), the time per event from 1, 10 and 40 kiosks, the hub's memory, and its restart time. Everything runs on
the room's broker with an account for every client, as a school runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tty
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import STUDENTS, Counter, burst, kiosk_jobs, write_config  # noqa: E402

from bench.timing import bench_broker  # noqa: E402
from edge.heap import resident_mb  # noqa: E402
from hub.kiosk_limit import BURST, EVENTS_PER_SECOND  # noqa: E402
from hub.store import HubStore, ReceivedEvent  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Event  # noqa: E402
from shared.topics import Topics  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Room:
    def __init__(self, work: Path, kiosks: int = 40, speech: bool = False) -> None:
        self.work = work
        self.path = write_config(work, free_port(), kiosks, speech)
        self.config = load_config(self.path)
        self.topics = Topics(self.config.room_id)
        self.broker = bench_broker(self.path, work / "broker")
        self.hub: subprocess.Popen | None = None
        self.seqs: dict[str, int] = {}

    def start_hub(self) -> float:
        """Start the hub; seconds until its fresh state is at the broker."""
        counter = Counter(self.config, [self.topics.state], count_ids=True)
        started, wall = time.perf_counter(), time.time()
        self.hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(self.path)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while json.loads(counter.latest.get("state", b'{"hub_time": 0}'))["hub_time"] < wall:  # the new hub's
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        counter.close()
        return seconds

    def kill_hub(self) -> None:
        self.hub.send_signal(signal.SIGKILL)
        self.hub.wait()

    def stop_hub(self) -> None:
        self.hub.terminate()
        self.hub.wait()

    def events(self, kiosks: int, count: int) -> tuple[float, int]:
        """(seconds, events) for ``count`` check-ins from the first ``kiosks`` kiosks, stored and acked."""
        per_kiosk = count // kiosks
        jobs = kiosk_jobs(self.config, kiosks, per_kiosk, self.seqs)
        counter = Counter(self.config, [self.topics.ack("+")], count_ids=True)
        seconds = burst(self.config.broker.port, jobs, counter, per_kiosk * kiosks)
        counter.close()
        return seconds, per_kiosk * kiosks

    def fill_history(self, events: int) -> None:
        """Store ``events`` check-ins from earlier sessions straight into the hub's database (hub stopped)."""
        store = HubStore(self.work / "hub.db")
        now = time.time()
        batch = []
        for number in range(events):
            at = now - 86400 * (1 + number % 150)  # spread over the last five months, inside the retention
            event = Event(id=uuid.uuid4().hex, kind="checkin", card="RS1:history", station="k01", at=at, seq=0,
                          kiosk_time=at)
            batch.append(ReceivedEvent("k01", event, STUDENTS[number % len(STUDENTS)], at, True, "", 0))
            if len(batch) == 20_000:
                store.add_events(batch)
                batch = []
        store.add_events(batch)
        store.close()

    def stored(self) -> int:
        store = HubStore(self.work / "hub.db")
        try:
            return store.event_count()
        finally:
            store.close()


WINDOW = """
import sys
from edge import kivy_env
kivy_env.prepare(headless=True, window_size=(800, 480), smooth_edges=False)  # as kiosk.app does
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.label import Label
EventLoop.ensure_window()
if sys.argv[1:] == ["label"]:
    Window.add_widget(Label(text="Hi Maya"))
for _ in range(3):
    EventLoop.idle()
print("drawn", flush=True)
input()
"""


def window_mb(env: dict, label: bool = False) -> float:
    """An anchor: a process with nothing but a Kivy window, on the same renderer as the kiosk, empty or
    drawing one label (Mesa's software renderer compiles its texture shaders at the first one drawn)."""
    window = subprocess.Popen([sys.executable, "-c", WINDOW, *(["label"] if label else [])], cwd=ROOT, env=env,
                              text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if window.stdout.readline() != "drawn\n":
        raise SystemExit("the anchor's Kivy window did not draw")
    memory = resident_mb(window.pid)
    window.communicate("\n")
    return memory


def kiosk_env(room: Room) -> dict:
    return {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_FILELOG": "1", "KIVY_HOME": str(room.work / "kivy"),
            "XDG_CACHE_HOME": str(room.work / "cache")}


def kiosk_footprint(room: Room, scans: int) -> tuple[float, float, int]:
    """(seconds to the first frame, resident MB after the scans, events it made)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    env = kiosk_env(room)
    started = time.perf_counter()
    kiosk = subprocess.Popen([sys.executable, "-m", "rotation.cli", "-v", "kiosk", "--config", str(room.path),
                              "--station", "k40", "--serial", os.ttyname(slave), "--outbox", str(room.work / "k.db")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    first_frame = None
    for line in kiosk.stderr:
        if "first frame drawn" in line:
            first_frame = time.perf_counter() - started
            break
    if first_frame is None:
        raise SystemExit("the kiosk did not draw")
    # Read all along: a full pipe would stop the kiosk at its next log line.
    drain = threading.Thread(target=kiosk.stderr.read, daemon=True)
    drain.start()
    counter = Counter(room.config, [room.topics.ack("k40")], count_ids=True)
    counter.target = scans
    for number in range(scans):
        os.write(master, sign_token(room.config.signing_key, STUDENTS[number % len(STUDENTS)]).encode() + b"\r\n")
        time.sleep(0.02)  # faster than a queue of students, slower than a burst no scanner makes
    counter.reached.wait(300)
    made = counter.total
    counter.close()
    memory = resident_mb(kiosk.pid)
    kiosk.terminate()
    kiosk.wait()
    drain.join(5)
    os.close(master)
    os.close(slave)
    return first_frame, memory, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--history", default="10000,100000,1000000")
    parser.add_argument("--speech", action="store_true", help="the kiosk speaks its prompts (made as it starts)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rotation-footprint-"))
    room = Room(work, speech=args.speech)
    with room.broker:
        room.start_hub()
        room.events(40, args.events)
        hub_memory = resident_mb(room.hub.pid)
        room.kill_hub()
        hub_restart = room.start_hub()
        first_frame, kiosk_memory, kiosk_events = kiosk_footprint(room, args.events)
        window_memory = window_mb(kiosk_env(room))
        label_memory = window_mb(kiosk_env(room), label=True)
        room.stop_hub()

        growth = []
        history = room.stored()
        for target in (int(n) for n in args.history.split(",")):
            if target > history:
                room.fill_history(target - history)
                history = room.stored()
            restart = room.start_hub()
            rates = []
            for kiosks in (1, 10, 40):
                time.sleep(BURST / EVENTS_PER_SECOND)  # every kiosk's allowance full again (hub/kiosk_limit.py)
                seconds, count = room.events(kiosks, min(4_000, BURST * kiosks))
                rates.append(seconds / count * 1e6)
            growth.append((history, restart, rates, resident_mb(room.hub.pid)))
            room.kill_hub()

    print(f"\nfootprint, after {args.events} events each\n")
    print(f"{'what':<58} {'measured':>10} {'bar':>10}")
    print("-" * 82)
    print(f"{'hub service resident memory (MB)':<58} {hub_memory:>10.1f} {'<= 60':>10}")
    print(f"{'kiosk (Kivy app) resident memory (MB), ' + str(kiosk_events) + ' events':<58} {kiosk_memory:>10.1f} "
          f"{'<= 150':>10}")
    for anchor, memory in (("an empty Kivy window", window_memory), ("a Kivy window drawing a label", label_memory)):
        print(f"{'anchor: ' + anchor + ', same renderer (MB)':<58} {memory:>10.1f} "
              f"{'':>10}   kiosk {kiosk_memory / memory:.2f}x, {kiosk_memory - memory:+.1f} MB")
    print(f"{'kiosk cold start to first frame (s)':<58} {first_frame:>10.2f} {'<= 3':>10}")
    print(f"{'hub restart after SIGKILL to state republished (s)':<58} {hub_restart:>10.2f} {'<= 2':>10}")
    print("\ngrowth: microseconds per stored event (4,000 check-ins at a time, or 500, one kiosk's limit, from one;"
          " QoS 1, acked once fsynced)\n")
    print(f"{'events stored':>14} {'restart s':>10} {'1 kiosk':>9} {'10 kiosks':>10} {'40 kiosks':>10} {'hub MB':>8}")
    print("-" * 66)
    for history, restart, rates, memory in growth:
        print(f"{history:>14,} {restart:>10.2f} {rates[0]:>9.0f} {rates[1]:>10.0f} {rates[2]:>10.0f} {memory:>8.1f}")


if __name__ == "__main__":
    main()
