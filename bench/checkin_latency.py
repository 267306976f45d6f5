#!/usr/bin/env python3
"""How fast a scan is answered, at the kiosk and on the teacher's map. Not a test: prints a table.

    .venv/bin/python bench/checkin_latency.py [--scans 500]

(a) scan bytes on a pseudo-terminal -> the kiosk's answer drawn (the first frame flipped, and finished
    by the renderer, after the decision), against the raw pty transfer (bytes written -> read by a thread)
    and the 60 Hz frame.
(b) scan bytes on the pty -> the room map model at the display shows the student there, through the real
    hub process, against the raw relay of the same event payload over the same two broker hops
    (publisher -> relay process -> subscriber).

Every loop, anchors included, leaves the same idle gap (--gap, 20 ms) before each scan, as a classroom does:
students tap seconds apart, so each scan meets sleeping threads and idle cores. A loop that runs back to
back keeps them hot, and on this machine that alone makes a broker round trip three times faster; the gap
keeps each ratio between two things measured alike.
"""
from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge import kivy_env  # noqa: E402
from edge.heap import large_blocks_straight_back  # noqa: E402

large_blocks_straight_back()  # as `rotation kiosk` does
kivy_env.prepare(headless=True, window_size=(800, 480), smooth_edges=False)  # as kiosk.app does


from bench.timing import in_step_with_the_hub, percentile, relay_times, wait_for  # noqa: E402
from edge.heap import freeze_startup_objects  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from kiosk.scanners import SerialScanner  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Event, encode  # noqa: E402
from shared.topics import Topics  # noqa: E402

FRAME_MS = 1000 / 60


class Pty:
    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


def raw_pty_transfer(scans: int, line: bytes, gap: float) -> list[float]:
    """The anchor of (a): bytes written to the pty -> a thread has read the whole line."""
    wire = Pty()
    arrived = threading.Event()
    import serial

    port = serial.Serial(wire.path, 9600, timeout=0.05)

    def read() -> None:
        buffer = b""
        while not stop.is_set():
            buffer += port.read(port.in_waiting or 1)
            if buffer.endswith(b"\n"):
                buffer = b""
                arrived.set()
    stop = threading.Event()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    times = []
    for _ in range(scans):
        time.sleep(gap)
        arrived.clear()
        start = time.perf_counter()
        os.write(wire.master, line)
        arrived.wait(5)
        times.append((time.perf_counter() - start) * 1000)
    stop.set()
    reader.join()
    port.close()
    wire.close()
    return times


def kiosk_answer_drawn(config, tokens: list[str], scans: int, work: Path,
                       gap: float) -> tuple[list[float], list[float]]:
    """(a): runs the real kiosk screen in Kivy's main loop, and scans from another thread. Returns the times
    to the frame handed to the renderer (its flip) and to the frame drawn (the renderer finished with it)."""
    from kivy.base import EventLoop, runTouchApp, stopTouchApp
    from kivy.core.window import Window

    from kiosk.app import KioskPresenter, KioskScreen

    core = KioskCore(config, "reading-nook", work / "answer-outbox.db")
    core.start()
    in_step_with_the_hub(core)
    wire = Pty()
    scanner = SerialScanner(wire.path, 9600, core.scan, core.unreadable)
    scanner.start()
    wait_for(lambda: scanner.connected, what="the scanner port")
    EventLoop.ensure_window()
    Window.size = (800, 480)
    screen = KioskScreen(size=(800, 480))
    presenter = KioskPresenter(core, screen)
    presenter.refresh()
    if not presenter.speech.wait(120):  # with speech on, every prompt's sound is made before the first scan
        raise SystemExit("the spoken prompts were not made in two minutes")
    freeze_startup_objects()  # as KioskApp.on_start does
    drawn = threading.Event()
    shown = {"waiting": False}

    flipped_at = {"time": 0.0}

    def on_drawn(*_):
        if shown["waiting"] and presenter.last_decision_at:
            shown["waiting"] = False
            drawn.set()

    def on_flipped(*_):
        flipped_at["time"] = time.perf_counter()
    # The last bound runs first: flipped, then the renderer finishes the frame (as in KioskApp), then drawn.
    Window.bind(on_flip=on_drawn)
    kivy_env.finish_each_frame(Window)
    Window.bind(on_flip=on_flipped)
    times: list[float] = []
    handed: list[float] = []

    def drive() -> None:
        wait_for(lambda: EventLoop.status == "started", what="the Kivy loop")
        from kivy.clock import Clock

        for index in range(scans):
            # Each student finds the kiosk free, as after the one before walked off: a scan while another
            # answers only waits its turn in line (kiosk/view.py), and its answer is measured by the line bench.
            cleared = threading.Event()
            Clock.schedule_once(lambda dt, cleared=cleared: (presenter.view.clear(), presenter.refresh(),
                                                             cleared.set()), 0)
            cleared.wait(5)
            time.sleep(gap)
            presenter.last_decision_at = 0.0
            drawn.clear()
            shown["waiting"] = True
            start = time.perf_counter()
            os.write(wire.master, tokens[index % len(tokens)].encode() + b"\r\n")
            if not drawn.wait(5):
                print("the kiosk did not answer a scan within 5 s", file=sys.stderr)
                os._exit(1)  # from this thread: SystemExit would end only the thread
            times.append((time.perf_counter() - start) * 1000)
            handed.append((flipped_at["time"] - start) * 1000)
        Clock.schedule_once(lambda dt: stopTouchApp(), 0)

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    runTouchApp(screen)
    driver.join()
    scanner.stop()
    presenter.close()
    core.stop()
    wire.close()
    return handed, times


def raw_relay(config, payload: bytes, scans: int, gap: float) -> list[float]:
    """The anchor of (b): publisher -> relay process -> subscriber, the same payload, QoS 1, on the accounts and
    ACL of a check-in's hops: a kiosk's account sends on its event topic, the relay on the hub's account sends
    it on to the kiosk's ack topic. The broker gives each account one client, so the hub must not be running."""
    topics = Topics(config.room_id)
    return relay_times(config, "independent", topics.ack("independent"), payload, scans, gap)


def probe_says(display: subprocess.Popen, what: str, timeout: float = 5.0) -> str:
    """The display probe's next line, or a clear stop: a map that never shows the scan must not hang the bench."""
    said = select.select([display.stdout], [], [], timeout)[0] and display.stdout.readline()
    if not said:
        raise SystemExit(f"the display probe did not say {what} within {timeout:g} s"
                         + (f" (it exited with {display.poll()})" if display.poll() is not None else ""))
    return said.strip()


def scan_to_map(config, tokens: dict[str, str], scans: int, work: Path, gap: float) -> list[float]:
    """(b): pty -> kiosk -> broker -> hub process -> broker -> the display process's room map."""
    core = KioskCore(config, "tech", work / "map-outbox.db")
    core.start()
    display = subprocess.Popen([sys.executable, str(ROOT / "bench" / "display_probe.py"), str(config.path), "tech"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        probe_says(display, "ready", timeout=20)
        in_step_with_the_hub(core)
        wire = Pty()
        scanner = SerialScanner(wire.path, 9600, core.scan, core.unreadable)
        scanner.start()
        wait_for(lambda: scanner.connected, what="the scanner port")
        students = list(tokens)
        times = []
        for index in range(scans):
            student = students[index % len(students)]
            display.stdin.write(f"{student}\n")
            display.stdin.flush()
            probe_says(display, "armed")
            time.sleep(gap)
            start = time.monotonic()
            os.write(wire.master, tokens[student].encode() + b"\r\n")
            shown = float(probe_says(display, f"that the map shows {student} at the station"))
            times.append((shown - start) * 1000)
        scanner.stop()
        wire.close()
    finally:
        display.stdin.close()
        display.terminate()
        display.wait()
        core.stop()
    return times


def row(name: str, times: list[float], anchor: list[float] | None, anchor_name: str) -> str:
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    if anchor is None:
        ratio = f"{p50 / FRAME_MS:6.2f}x {p99 / FRAME_MS:6.2f}x  of a 60 Hz frame ({FRAME_MS:.1f} ms)"
    else:
        a50, a99 = statistics.median(anchor), percentile(anchor, 0.99)
        ratio = f"{p50 / a50:6.2f}x {p99 / a99:6.2f}x  of {anchor_name}"
    return f"{name:<44} {len(times):>5} {p50:9.3f} {p99:9.3f}   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--gap", type=float, default=20.0, help="idle milliseconds before each scan (default 20)")
    parser.add_argument("--part", choices=("a", "b", "both"), default="both", help="which measurement to run")
    parser.add_argument("--speech", action="store_true", help="the room's kiosks speak each prompt as they show it")
    args = parser.parse_args()
    gap = args.gap / 1000
    work = Path(tempfile.mkdtemp(prefix="rotation-bench-"))
    # The broker as a school runs it: every client on its own account, the ACL checked on every message.
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    if args.speech:
        config_path.write_text(config_path.read_text().replace("[broker]", "speech = true\n[broker]", 1))
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        from hub.roster_source import read_roster
        roster = read_roster(config.roster)[0].people  # a plain class list: the card ids are the list's
        nook = {s.sis_id: sign_token(config.signing_key, s.sis_id) for s in roster}
        line = (next(iter(nook.values())) + "\r\n").encode()
        event = encode(Event(id="0" * 32, kind="checkin", card=line.decode().strip(), station="tech",
                             at=time.time(), seq=1, kiosk_time=time.time()))
        if args.part in ("b", "both"):
            relay = raw_relay(config, event, args.scans, gap)  # before the hub: it takes the hub's account
        hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(config.path)])
        try:
            if args.part in ("a", "both"):
                pty_anchor = raw_pty_transfer(args.scans, line, gap)
                handed, answer = kiosk_answer_drawn(config, list(nook.values()), args.scans, work, gap)
            if args.part in ("b", "both"):
                to_map = scan_to_map(config, nook, args.scans, work, gap)
        finally:
            hub.terminate()
            hub.wait()
        if args.part in ("b", "both"):
            relay_after = raw_relay(config, event, args.scans, gap)
    print(f"\ncheck-in latency, {args.scans} scans each, {args.gap:g} ms apart, milliseconds "
          f"(anchors measured in the same run){', speech on' if args.speech else ''}\n")
    print(f"{'path':<44} {'n':>5} {'median':>9} {'p99':>9}   ratio (median, p99)")
    print("-" * 112)
    if args.part in ("a", "both"):
        print(row("anchor: raw pty transfer", pty_anchor, None, ""))
        print(row("(a) pty -> kiosk answer drawn", answer, pty_anchor, "raw pty transfer"))
        print(row("(a) pty -> kiosk answer drawn", answer, None, ""))
        print(row("    of which: answer handed to the renderer", handed, None, ""))
    if args.part in ("b", "both"):
        relay_all = relay + relay_after
        print(row("anchor: raw relay, 2 broker hops", relay_all, None, ""))
        print(row("(b) pty -> hub -> map updated at display", to_map, relay_all, "raw 2-hop relay"))
    print("\nbars: (a) p99 <= 16 ms (a 60 Hz frame); (b) median <= 2x raw relay, p99 <= 50 ms")
    if args.part in ("a", "both"):
        print("(a) is drawn here by Mesa's software renderer on the CPU; a Pi's GPU draws the frame after its "
              "hand-over")


if __name__ == "__main__":
    main()
