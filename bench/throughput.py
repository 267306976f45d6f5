#!/usr/bin/env python3
"""How many durable events a second the hub takes from many kiosks at once. Not a test: prints a table.

    .venv/bin/python bench/throughput.py [--kiosks 40] [--events 20000] [--rounds 5]

The real hub process (`rotation hub serve`) on the room's broker, with an account for every client. Each
simulated kiosk is an MQTT client of its own, on its own account, publishing valid check-ins with QoS 1 as
fast as the broker takes them (up to 100 in flight, as a kiosk flushing its outbox after an outage does).
The clock stops when the last event is acked: acked means stored and fsynced at the hub. The anchor, in the
same run, is raw Mosquitto: the same number of clients publish the same number of QoS 1 messages of the
same size to one subscriber that does nothing else. Also counted: the state snapshots and kiosk views the
hub published during the burst, which are coalesced to at most one round every 0.1 s.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402

from bench.timing import WATCHER, bench_broker, login, raw_account, raw_topic  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from shared.cards import new_signing_key, sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Event, encode  # noqa: E402
from shared.topics import Topics, kiosk_account  # noqa: E402

WORKERS = 2  # processes of simulated kiosks (this machine has two cores)
SAMPLE = ROOT / "assets" / "sample"


def write_config(work: Path, port: int, kiosks: int, speech: bool = False) -> Path:
    (work / "class.secret").write_text("5ec2e7" * 10 + "0001\n")
    (work / "card.key").write_text(new_signing_key())
    stations = "".join(f'[[station]]\nid = "k{n:02d}"\nname = "Kiosk {n}"\nkind = "other"\n\n'
                       for n in range(1, kiosks + 1))
    path = work / "room.toml"
    path.write_text(f'[room]\nid = "room-bench"\nsecret_file = "class.secret"\nroster = "{SAMPLE / "roster.csv"}"\n'
                    f'speech = {"true" if speech else "false"}\n'
                    f'[broker]\nport = {port}\naccounts = "broker-accounts"\n'
                    f'[hub]\ndatabase = "hub.db"\nround_minutes = 60\nautostart = true\n\n{stations}')
    return path


def connected_client(port: int, account: str, password: str, client_id: str) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    client.username_pw_set(account, password)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    ready = threading.Event()
    client.on_connect = lambda *args: ready.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    if not ready.wait(10):
        raise SystemExit(f"{account} could not connect")
    return client


def publish_all(port: int, jobs: list[tuple[str, str, str, list[bytes]]], go, done) -> None:
    """One worker process: a client per (account, password, topic, payloads), all publishing at once."""
    clients = [(connected_client(port, account, password, f"bench-{uuid.uuid4().hex[:8]}"), topic, payloads)
               for account, password, topic, payloads in jobs]
    go.wait()
    infos = []
    for index in range(max(len(p) for _, _, p in clients)):
        for client, topic, payloads in clients:
            if index < len(payloads):
                infos.append(client.publish(topic, payloads[index], qos=1))
    for info in infos:
        info.wait_for_publish(120)
    done.put(len(infos))
    for client, _, _ in clients:
        client.disconnect()
        client.loop_stop()


class Counter:
    """Counts what arrives on some topics, and says when a number is reached."""

    def __init__(self, config, topics: list[str], count_ids: bool) -> None:
        """On the watcher's account: one Counter at a time."""
        self.count_ids = count_ids
        self.total = 0
        self.target = None
        self.reached = threading.Event()
        self.arrivals: dict[str, list[float]] = {}
        self.latest: dict[str, bytes] = {}
        self.client = connected_client(config.broker.port, *login(config, WATCHER), "bench-counter")
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.subscribe([(t, 1) for t in topics])
        subscribed.wait(5)

    def _on_message(self, client, userdata, msg) -> None:
        kind = msg.topic.rsplit("/", 2)[-2] if "/view/" in msg.topic else msg.topic.rsplit("/", 1)[-1]
        self.arrivals.setdefault(kind, []).append(time.perf_counter())
        self.latest[kind] = msg.payload
        if "/ack/" in msg.topic or not self.count_ids and "/raw/" in msg.topic:
            self.total += len(json.loads(msg.payload)["ids"]) if self.count_ids else 1
            if self.target is not None and self.total >= self.target:
                self.reached.set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


STUDENTS = [line.split(",")[0] for line in (SAMPLE / "roster.csv").read_text().splitlines()[1:]]


def kiosk_stations(kiosks: int) -> list[str]:
    """The first ``kiosks`` stations of the bench's room (write_config): k01, k02, ..."""
    return [f"k{n:02d}" for n in range(1, kiosks + 1)]


def kiosk_jobs(config, kiosks: int, per_kiosk: int, seqs: dict[str, int]) -> list[tuple[str, str, str, list[bytes]]]:
    """For each of the first ``kiosks`` kiosks (k01, k02, ...), its account, password, event topic and
    ``per_kiosk`` valid check-ins numbered on from ``seqs`` (which is advanced)."""
    topics = Topics(config.room_id)
    jobs = []
    for n, station in enumerate(kiosk_stations(kiosks), start=1):
        first = seqs.get(station, 0)
        payloads = [encode(Event(id=uuid.uuid4().hex, kind="checkin",
                                 card=sign_token(config.signing_key, STUDENTS[(n + i) % len(STUDENTS)]),
                                 station=station, at=time.time(), seq=first + i + 1, kiosk_time=time.time()))
                    for i in range(per_kiosk)]
        seqs[station] = first + per_kiosk
        jobs.append((*login(config, kiosk_account(station)), topics.kiosk_event(station), payloads))
    return jobs


def burst(port: int, jobs: list, counter: Counter, total: int) -> float:
    """Seconds from the go to the last message counted."""
    counter.target = total
    go, done = multiprocessing.Event(), multiprocessing.Queue()
    shares = [share for share in (jobs[i::WORKERS] for i in range(WORKERS)) if share]
    workers = [multiprocessing.Process(target=publish_all, args=(port, share, go, done)) for share in shares]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # every client connected
    started = time.perf_counter()
    go.set()
    if not counter.reached.wait(300):
        raise SystemExit(f"only {counter.total} of {total} arrived")
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return seconds


def hub_round(config, jobs: list, total: int) -> tuple[float, int, int]:
    """One burst of check-ins through the hub: (seconds, state snapshots, kiosk views published meanwhile)."""
    topics = Topics(config.room_id)
    counter = Counter(config, [topics.ack("+"), topics.state, topics.view("+"), topics.hub_status], count_ids=True)
    while not counter.arrivals.get("status"):
        time.sleep(0.05)
    mark = {kind: len(times) for kind, times in counter.arrivals.items()}
    seconds = burst(config.broker.port, jobs, counter, total)
    snapshots = len(counter.arrivals.get("state", [])) - mark.get("state", 0)
    views = sum(len(t) for kind, t in counter.arrivals.items() if kind.startswith("k")) - \
        sum(c for kind, c in mark.items() if kind.startswith("k"))
    counter.close()
    return seconds, snapshots, views


def raw_round(config, jobs: list, total: int) -> float:
    """The anchor: the same payloads from as many clients, each on an account of its own, to one subscriber,
    through Mosquitto alone."""
    raw = Counter(config, [raw_topic(config, "+")], count_ids=False)
    raw_jobs = [(*login(config, raw_account(station)), raw_topic(config, station), payloads)
                for station, (_, _, _, payloads) in zip(kiosk_stations(len(jobs)), jobs, strict=True)]
    seconds = burst(config.broker.port, raw_jobs, raw, total)
    raw.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=40)
    parser.add_argument("--events", type=int, default=20_000, help="check-ins a round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the hub and the anchor, taken in turn (default 5): on a shared machine "
                             "one burst each swings the ratio by a third")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rotation-throughput-"))
    config_path = write_config(work, free_port(), args.kiosks)
    config = load_config(config_path)
    per_kiosk = args.events // args.kiosks
    total = per_kiosk * args.kiosks
    hub_rates, raw_rates, snapshots, views, hub_seconds = [], [], 0, 0, 0.0
    seqs: dict[str, int] = {}
    with bench_broker(config_path, work / "broker"):
        hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(config_path)])
        try:
            for _ in range(args.rounds):
                jobs = kiosk_jobs(config, args.kiosks, per_kiosk, seqs)
                sizes = [statistics.mean(len(p) for p in payloads) for *_, payloads in jobs]
                seconds, round_snapshots, round_views = hub_round(config, jobs, total)
                hub_rates.append(total / seconds)
                snapshots, views, hub_seconds = snapshots + round_snapshots, views + round_views, hub_seconds + seconds
                raw_rates.append(total / raw_round(config, jobs, total))
        finally:
            hub.terminate()
            hub.wait()
    with sqlite3.connect(work / "hub.db") as db:
        stored, accepted = db.execute("SELECT count(DISTINCT id), sum(accepted) FROM events").fetchone()
    everything = total * args.rounds
    if (stored, accepted) != (everything, everything):
        raise SystemExit(f"the hub stored {stored} events ({accepted} accepted), not {everything}")
    hub_rate, raw_rate = statistics.median(hub_rates), statistics.median(raw_rates)
    print(f"\nthroughput: {args.kiosks} kiosks, {total} check-ins of ~{statistics.mean(sizes):.0f} bytes a round, "
          f"QoS 1, {WORKERS} publishing processes, {args.rounds} rounds of each in turn (anchor measured in the same "
          "run)\n")
    print(f"{'path':<52} {'median/s':>9} {'slowest':>8} {'fastest':>8}   ratio (medians)")
    print("-" * 100)
    print(f"{'anchor: raw Mosquitto QoS 1, publishers -> 1 subscriber':<52} {raw_rate:>9.0f} {min(raw_rates):>8.0f} "
          f"{max(raw_rates):>8.0f}")
    print(f"{'hub: kiosks -> stored, fsynced and acked':<52} {hub_rate:>9.0f} {min(hub_rates):>8.0f} "
          f"{max(hub_rates):>8.0f}   {hub_rate / raw_rate:.2f}x of raw")
    print("ratio round by round: " + ", ".join(f"{h / r:.2f}" for h, r in zip(hub_rates, raw_rates, strict=True)))
    print(f"\nduring the hub's bursts: {snapshots} state snapshots ({snapshots / hub_seconds:.1f}/s, at most 10/s) "
          f"and {views} kiosk views ({views / hub_seconds:.1f}/s, at most {10 * args.kiosks}/s)")
    print(f"every event stored once and accepted: {stored} in the hub's database")
    print("bar: >= 2,000 durable events/s from 40 kiosks")


if __name__ == "__main__":
    main()
