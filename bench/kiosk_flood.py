#!/usr/bin/env python3
"""Scan to map at the other stations while one kiosk account floods the hub. Not a test: prints a table.

    .venv/bin/python bench/kiosk_flood.py [--floods 3] [--events 20000] [--seconds 2] [--every 100]

The room as a school runs it: Mosquitto with the room's generated accounts and ACL, the real hub process
(`rotation hub serve`), the display's link in a process of its own (bench/map_watch.py), and two real kiosk
cores (Tech Station, Reading Nook) checking in students of their own every --every ms, alternately. From
another process, the Collaborative Project's kiosk account (as from a stolen kiosk's password) sends a genuine
check-in, then --events check-ins with valid cards of the other students over --seconds (tests/flooding_kiosk.py).

Measured: from the kiosk recording a check-in to the map showing it, for every check-in made from the flood's
start until --after seconds after its end (by default until the hub has given up the gaps the dropped events
left in the flooding account's numbering, and applied what it held behind them: hub/ordering.py). Anchor, in the
same run: the same with no flood, in a window of the same length before each flood. Bar: p99 <= 100 ms during a
flood.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import percentile, wait_for  # noqa: E402
from hub.roster_source import read_roster  # noqa: E402
from hub.service import HOLD_SECONDS  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402

MEASURED = ("tech", "reading-nook")
FLOODING = "collaborative"


class MapWatch:
    """The display's process, and what its map has shown: (student, station) -> [(check-in time, shown at)]."""

    def __init__(self, config_path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "map_watch.py"), str(config_path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the display's link did not start")
        self.shown: dict[tuple[str, str], list[tuple[float, float]]] = {}
        self.arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            student, station, at, shown = line.split()
            with self.arrived:
                self.shown.setdefault((student, station), []).append((float(at), float(shown)))
                self.arrived.notify_all()

    def shown_at(self, student: str, station: str, at: float, timeout: float) -> float | None:
        """When the map first showed the student's check-in made at ``at`` (or a later one) at the station."""
        def found() -> float | None:
            return next((shown for when, shown in self.shown.get((student, station), ()) if when >= at - 0.05), None)
        with self.arrived:
            self.arrived.wait_for(found, timeout)
            return found()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def check_ins(kiosks: dict[str, KioskCore], students: dict[str, list[str]], watch: MapWatch, seconds: float,
              every: float, timeout: float) -> list[float]:
    """Check students in for ``seconds``, one every ``every`` s at the kiosks in turn; milliseconds to the map."""
    made: list[tuple[str, str, float, float]] = []
    start = time.monotonic()
    for n in range(int(seconds / every)):
        delay = start + n * every - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        station = MEASURED[n % len(MEASURED)]
        student = students[station][(n // len(MEASURED)) % len(students[station])]
        core = kiosks[station]
        began = time.monotonic()
        event = core.record("checkin", sign_token(core.config.signing_key, student))
        made.append((student, station, event.at, began))
    times = []
    for student, station, at, began in made:
        shown = watch.shown_at(student, station, at, timeout)
        if shown is None:
            raise SystemExit(f"the map never showed {student}'s check-in at {station} (waited {timeout:g} s)")
        times.append((shown - began) * 1000)
    return times


def stored_count(database_path: Path, event_ids: list[str]) -> int:
    database = sqlite3.connect(database_path)
    try:
        return database.execute(f"SELECT count(*) FROM events WHERE id IN ({','.join('?' * len(event_ids))})",
                                event_ids).fetchone()[0]
    finally:
        database.close()


def row(name: str, times: list[float], anchor: list[float] | None) -> str:
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    ratio = ""
    if anchor is not None:
        ratio = f"{p50 / statistics.median(anchor):7.2f}x {p99 / percentile(anchor, 0.99):7.2f}x  of the anchor"
    return f"{name:<52} {len(times):>5} {p50:9.1f} {p99:9.1f} {max(times):9.1f}   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floods", type=int, default=3)
    parser.add_argument("--events", type=int, default=20_000, help="events in each flood (default 20,000)")
    parser.add_argument("--seconds", type=float, default=2.0, help="how long each flood lasts (default 2 s)")
    parser.add_argument("--after", type=float, default=HOLD_SECONDS + 1,
                        help=f"measured on after each flood (default {HOLD_SECONDS + 1:g} s)")
    parser.add_argument("--every", type=float, default=100.0, help="ms between check-ins (default 100)")
    parser.add_argument("--rest", type=float, default=10.0, help="seconds between windows (default 10)")
    parser.add_argument("--timeout", type=float, default=120.0, help="longest wait for the map (default 120 s)")
    args = parser.parse_args()
    every, window = args.every / 1000, args.seconds + args.after
    work = Path(tempfile.mkdtemp(prefix="rotation-flood-"))
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    config = load_config(config_path)
    roster = sorted({s.sis_id for s in read_roster(config.roster)[0].people})
    students = {station: roster[n::len(MEASURED) + 1] for n, station in enumerate(MEASURED)}
    flood_students = roster[len(MEASURED)::len(MEASURED) + 1]  # nobody the measured kiosks check in
    hub_log = work / "hub.log"
    with secured_broker(config_path, work / "broker"), hub_log.open("w") as log_file:
        hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(config.path)],
                               stderr=log_file, cwd=ROOT)
        watch = MapWatch(config_path)
        flooder = subprocess.Popen([sys.executable, "-m", "tests.flooding_kiosk", str(config_path), FLOODING,
                                    *flood_students], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   cwd=ROOT)
        kiosks = {station: KioskCore(config, station, work / f"{station}-outbox.db") for station in MEASURED}
        try:
            for core in kiosks.values():
                core.start()
            wait_for(lambda: all(core.state is not None for core in kiosks.values()), what="the kiosks' views")
            if flooder.stdout.readline().strip() != "ready":
                raise SystemExit("the flooding kiosk did not log in")
            anchor, flooded, sent = [], [], []
            genuine: list[str] = []
            for number in range(args.floods):
                anchor += check_ins(kiosks, students, watch, window, every, args.timeout)
                time.sleep(args.rest)
                flooder.stdin.write(f"{args.events} {args.seconds}\n")
                flooder.stdin.flush()
                flooded += check_ins(kiosks, students, watch, window, every, args.timeout)
                event_id, took = flooder.stdout.readline().split()
                genuine.append(event_id)
                sent.append(float(took))
                print(f"flood {number + 1}: sent in {float(took):.2f} s; the others' p99 "
                      f"{percentile(flooded[-int(window / every):], 0.99):.1f} ms", flush=True)
                time.sleep(args.rest)
            # The flooder's genuine check-ins after the first wait behind the gaps its dropped events left in its
            # numbering (hub/ordering.py: 15 s at most); a genuine kiosk would send them again meanwhile.
            deadline = time.monotonic() + 30
            while stored_count(work / "hub.db", genuine) < len(genuine) and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            for core in kiosks.values():
                core.stop()
            flooder.stdin.close()
            flooder.wait(30)
            watch.close()
            hub.terminate()
            hub.wait(30)
    database = sqlite3.connect(work / "hub.db")
    taken = database.execute("SELECT count(*) FROM events WHERE station = ?", (FLOODING,)).fetchone()[0]
    database.close()
    stored = stored_count(work / "hub.db", genuine)
    flood_lines = [line.strip() for line in hub_log.read_text().splitlines() if f"kiosk {FLOODING}" in line]
    print(f"\nscan to map at the other stations, milliseconds; {args.floods} floods of {args.events:,} events from "
          f"one kiosk account in {args.seconds:g} s (sent in {statistics.median(sent):.2f} s, median), "
          f"check-ins every {args.every:g} ms measured from each flood's start to {args.after:g} s after it; "
          "the anchor measured in the same run with no flood\n")
    print(f"{'':<52} {'n':>5} {'median':>9} {'p99':>9} {'max':>9}   ratio (median, p99)")
    print("-" * 118)
    print(row("anchor: no flood", anchor, None))
    print(row(f"during a flood of {args.events:,} events in {args.seconds:g} s", flooded, anchor))
    print(f"\nbar: p99 <= 100 ms during a flood: {'met' if percentile(flooded, 0.99) <= 100 else 'NOT MET'}")
    print(f"the flooding account's events taken by the hub: {taken:,} of {args.floods * (args.events + 1):,}; "
          f"its genuine check-ins stored: {stored} of {len(genuine)}")
    print(f"the hub's log lines about the flooding kiosk: {len(flood_lines)}")
    for line in flood_lines[:10]:
        print(f"    {line}")


if __name__ == "__main__":
    main()
