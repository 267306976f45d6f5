#!/usr/bin/env python3
"""The web companion, measured in Debian's Chromium (Playwright). Not a test: prints a table.

    .venv/bin/python bench/web_latency.py [--scans 200]

(c) scan bytes on a pseudo-terminal -> the student's name in the teacher's browser page (a MutationObserver
    stamps the moment it is in the page), through the real kiosk, hub and web processes; against its
    anchor in the same run: the same check-in payload published to a relay process and, from its subscriber,
    pushed as it is to a browser over Server-Sent Events (the same two broker hops and the same transport
    to the same browser, with none of the hub's or the web companion's work).
(d) the map page's first render, with 30 students checked in: navigation to first contentful paint.
(e) the web process's resident memory, idle and with five browsers connected to the live map.

Each scan, like each anchor message, follows the same idle gap (--gap, 20 ms), as students tap seconds apart.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import paho.mqtt.client as mqtt  # noqa: E402
from checkin_latency import Pty, percentile, wait_for  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from edge.broker_setup import read_password  # noqa: E402
from edge.mqtt import disable_nagle  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import demo_teacher_account, secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Event, encode  # noqa: E402
from shared.topics import Topics  # noqa: E402

STUDENTS = 30
STATIONS = ("tech", "independent")  # each scan moves a student between these two kiosks
ARM = """sel => { window.seenAt = null;
  const check = () => { if (document.querySelector(sel)) { window.seenAt = performance.timeOrigin + performance.now();
                                                          observer.disconnect(); } };
  const observer = new MutationObserver(check); observer.observe(document.body, {childList: true, subtree: true});
  check(); }"""
FIRST_PAINT = """() => { const p = performance.getEntriesByName("first-contentful-paint")[0];
  return p ? p.startTime : null; }"""


def thirty_students(folder: Path) -> None:
    groups = ("red", "blue", "green", "gold")
    lines = ["id,first_name,last_name,group"] + [f"s{n:02d},Student{n:02d},Bench,{groups[n % 4]}"
                                                  for n in range(1, STUDENTS + 1)]
    (folder / "roster.csv").write_text("\n".join(lines) + "\n")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stamp(page, expression: str, timeout: float = 10.0) -> float:
    """The browser's own time stamp, once ``expression`` gives it. Waited for in the page (no polling from
    here: this process's threads, the kiosks', keep the interpreter to themselves meanwhile)."""
    return page.wait_for_function(f"() => {expression}", timeout=timeout * 1000).json_value()


def anchor(config, browser, payload: bytes, scans: int, gap: float) -> list[float]:
    """publisher -> relay process -> SSE pusher process -> the browser, the check-in's payload, QoS 1."""
    account = ("hub", read_password(config.broker.accounts, "hub"))
    base = Topics(config.room_id).base
    source, target = f"{base}/bench/in", f"{base}/bench/out"
    http_port = free_port()
    relay = subprocess.Popen([sys.executable, str(ROOT / "bench" / "relay.py"), str(config.broker.port), source,
                              target, *account], stdout=subprocess.PIPE, text=True)
    pusher = subprocess.Popen([sys.executable, str(ROOT / "bench" / "sse_relay.py"), str(config.broker.port), target,
                               *account, str(http_port)], stdout=subprocess.PIPE, text=True)
    try:
        relay.stdout.readline()
        pusher.stdout.readline()
        wait_for(lambda: listening(http_port), what="the SSE pusher")
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{http_port}/")
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-web-anchor")
        client.on_socket_open = disable_nagle
        client.username_pw_set(*account)
        client.connect("127.0.0.1", config.broker.port)
        client.loop_start()
        time.sleep(0.5)  # the EventSource connected, the pusher subscribed
        client.publish(source, payload, qos=1)
        stamp(page, "window.arrivals.length >= 1 && window.arrivals[0][0]")
        times = []
        for index in range(scans):
            time.sleep(gap)
            start = time.time() * 1000
            client.publish(source, payload, qos=1)
            arrived = stamp(page, f"window.arrivals.length >= {index + 2} && window.arrivals[{index + 1}][0]")
            times.append(arrived - start)
        client.disconnect()
        client.loop_stop()
        page.close()
    finally:
        for process in (relay, pusher):
            process.terminate()
            process.wait()
    return times


def scan_to_browser(config, page, tokens: dict[str, str], scans: int, work: Path, gap: float) -> list[float]:
    """(c): each kiosk in its own process, reading its scanner on a pty; the teacher's page in the browser."""
    wires = {station: Pty() for station in STATIONS}
    kiosks = {station: subprocess.Popen([sys.executable, str(ROOT / "bench" / "kiosk_probe.py"), str(config.path),
                                         station, wires[station].path, str(work / f"{station}-outbox.db")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
              for station in STATIONS}
    try:
        for station, kiosk in kiosks.items():
            if kiosk.stdout.readline().strip() != "ready":
                raise SystemExit(f"the {station} kiosk did not start")
        students = list(tokens)
        times = []
        for index in range(scans):
            student = students[index % len(students)]
            station = STATIONS[(index // len(students)) % len(STATIONS)]
            page.evaluate(ARM, f'.tile[data-station="{station}"] li[data-student="{student}"]')
            time.sleep(gap)
            start = time.time() * 1000
            os.write(wires[station].master, tokens[student].encode() + b"\r\n")
            try:
                times.append(stamp(page, "window.seenAt") - start)
            except PlaywrightTimeout:
                tile = page.locator(f'.tile[data-station="{station}"]').inner_text()
                raise SystemExit(f"scan {index}: {student} never appeared at {station}; the tile shows: "
                                 f"{tile}") from None
        return times
    finally:
        for station, kiosk in kiosks.items():
            kiosk.stdin.close()
            kiosk.wait()
            wires[station].close()


def first_render(context, url: str, loads: int) -> list[float]:
    page = context.new_page()
    times = []
    for _ in range(loads):
        page.goto(url + "/")
        times.append(stamp(page, f"({FIRST_PAINT})()"))
    page.close()
    return times


def row(name: str, times: list[float], anchor_times: list[float] | None, anchor_name: str) -> str:
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    ratio = ""
    if anchor_times is not None:
        a50, a99 = statistics.median(anchor_times), percentile(anchor_times, 0.99)
        ratio = f"{p50 / a50:6.2f}x {p99 / a99:6.2f}x  of {anchor_name}"
    return f"{name:<48} {len(times):>5} {p50:9.2f} {p99:9.2f}   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--loads", type=int, default=30, help="page loads for the first render (default 30)")
    parser.add_argument("--gap", type=float, default=20.0, help="idle milliseconds before each scan (default 20)")
    args = parser.parse_args()
    gap = args.gap / 1000
    work = Path(tempfile.mkdtemp(prefix="rotation-web-bench-"))
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    thirty_students(work)
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        password = demo_teacher_account(config)
        cli = [sys.executable, "-m", "rotation.cli"]
        hub = subprocess.Popen([*cli, "hub", "serve", "--config", str(config.path)])
        web = subprocess.Popen([*cli, "hub", "web", "--config", str(config.path)], stdout=subprocess.DEVNULL)
        driver = sync_playwright().start()
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            wait_for(lambda: listening(config.web.port), what="the web companion")
            subprocess.run([*cli, "hub", "lesson", "start", "--config", str(config.path)], check=True,
                           stdout=subprocess.DEVNULL)
            url = config.web.address.rstrip("/")
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(url + "/login")
            page.get_by_label("Name").fill("teacher")
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(url + "/")
            idle_rss = resident_mb(web.pid)
            tokens = {f"s{n:02d}": sign_token(config.signing_key, f"s{n:02d}") for n in range(1, STUDENTS + 1)}
            event = encode(Event(id="0" * 32, kind="checkin", card=tokens["s01"], station="tech", at=time.time(),
                                 seq=1, kiosk_time=time.time()))
            before = anchor(config, browser, event, args.scans, gap)
            to_browser = scan_to_browser(config, page, tokens, args.scans, work, gap)
            after = anchor(config, browser, event, args.scans, gap)
            renders = first_render(context, url, args.loads)
            pages = [page]
            for _ in range(4):
                other = browser.new_context(storage_state=context.storage_state()).new_page()
                other.goto(url + "/")
                pages.append(other)
            scan_to_browser(config, page, tokens, STUDENTS, work, gap)  # every browser is sent each change
            five_rss = resident_mb(web.pid)
        finally:
            browser.close()
            driver.stop()
            for process in (web, hub):
                process.terminate()
                process.wait()
    anchor_all = before + after
    print(f"\nthe web companion, {args.scans} scans each, {args.gap:g} ms apart, milliseconds (anchor measured in "
          "the same run)\n")
    print(f"{'path':<48} {'n':>5} {'median':>9} {'p99':>9}   ratio (median, p99)")
    print("-" * 112)
    print(row("anchor: raw 2-hop relay + raw SSE push", anchor_all, None, ""))
    print(row("(c) pty -> kiosk -> hub -> web -> browser page", to_browser, anchor_all, "the raw relay + push"))
    print(row(f"(d) map page first render, {STUDENTS} students", renders, None, ""))
    print(f"(e) web process resident: {idle_rss:.1f} MB with one teacher logged in, {five_rss:.1f} MB with five "
          "browsers on the live map")
    print("\nbars: (c) median <= 2x its anchor; (d) <= 300 ms; (e) <= 60 MB")


if __name__ == "__main__":
    main()
