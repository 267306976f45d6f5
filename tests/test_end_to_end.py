"""A card's QR text on the serial wire shows up on the teacher's map, through the real processes."""
import os
import signal
import sqlite3
import subprocess
import sys
import tty
from pathlib import Path

import pytest

from hub.display import DisplayPresenter, RoomMapScreen, StationTile
from hub.display_link import DisplayLink
from kiosk.app import KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from kiosk.scanners import SerialScanner
from shared.topics import Topics
from tests.conftest import card, eventually, pump
from tests.mqtt_client import TestClient

T = Topics("room-12")


@pytest.fixture
def hub_process(room, broker):
    watcher = TestClient(broker.port, T.hub_status)
    process = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(room.path)])
    watcher.wait_for(T.hub_status, lambda s: s["online"], timeout=20)
    watcher.close()
    yield process
    process.terminate()
    assert process.wait(10) == 0


def test_a_scan_reaches_the_kiosk_screen_the_hub_store_and_the_teachers_map(room, hub_process, kivy_window,
                                                                            tmp_path):
    master, slave = os.openpty()
    tty.setraw(slave)
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk_screen = KioskScreen(size=(800, 480))
    kivy_window.add_widget(kiosk_screen)
    kiosk_presenter = KioskPresenter(kiosk, kiosk_screen)
    scanner = SerialScanner(os.ttyname(slave), 9600, kiosk.scan, kiosk.unreadable)
    link = DisplayLink(room)
    map_screen = RoomMapScreen(size=(1280, 720))
    kivy_window.add_widget(map_screen)
    map_presenter = DisplayPresenter(link, map_screen)
    try:
        kiosk.start()
        link.start()
        scanner.start()
        eventually(lambda: scanner.connected and kiosk.state and link.state, 10, "kiosk, display and hub to meet")

        os.write(master, card("s05").encode() + b"\r")

        pump(lambda: kiosk_screen.title == "Hi Sofia R.", message="the kiosk greeting")
        assert kiosk_screen.detail.startswith("You're in the right place.")

        def nook_names():
            tile = next((w for w in map_screen.ids.tiles.children
                         if isinstance(w, StationTile) and w.title == "Reading Nook"), None)
            return [chip.text for chip in tile.ids.names.children] if tile else []
        pump(lambda: "Sofia R." in nook_names(), message="Sofia on the Reading Nook tile")
        eventually(lambda: kiosk.outbox.depth() == 0, message="the hub's ack")
        with sqlite3.connect(room.hub.database) as db:
            rows = db.execute("SELECT student, station, accepted FROM events").fetchall()
        assert rows == [("s05", "reading-nook", 1)]
    finally:
        scanner.stop()
        kiosk_presenter.close()
        map_presenter.close()
        kiosk.stop()
        link.stop()
        os.close(master)
        os.close(slave)


def stop_signals_taken(pid: int) -> dict[int, bool]:
    """For each thread of a process, whether the kernel may give it SIGINT or SIGTERM (they are not blocked)."""
    taken = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        blocked = int(next(line for line in (task / "status").read_text().splitlines()
                           if line.startswith("SigBlk:")).split()[1], 16)
        taken[int(task.name)] = not any(blocked >> (signum - 1) & 1 for signum in (signal.SIGINT, signal.SIGTERM))
    return taken


def test_a_stop_signal_can_land_only_on_the_main_thread_of_the_hub_or_a_headless_kiosk(room, hub_process, tmp_path):
    """Python runs signal handlers in the main thread alone: a SIGTERM the kernel gave a worker left a hub
    asleep until systemd's second one (edge/stop_signals.py)."""
    watcher = TestClient(room.broker.port, T.kiosk_status("tech"))
    kiosk = subprocess.Popen([sys.executable, "-m", "rotation.cli", "kiosk", "--config", str(room.path), "--headless",
                              "--simulate", "--station", "tech", "--outbox", str(tmp_path / "outbox.db")])
    try:
        watcher.wait_for(T.kiosk_status("tech"), lambda status: status["online"], timeout=20)
        for process in (hub_process, kiosk):
            eventually(lambda: stop_signals_taken(process.pid)[process.pid], 5,  # noqa: B023 (waited on here)
                       "the main thread to take the stop signals once its workers have started")
            taken = stop_signals_taken(process.pid)
            assert len(taken) > 2  # the MQTT client's thread and the service's own, at least
            assert taken == {tid: tid == process.pid for tid in taken}, process.args
        kiosk.terminate()
        assert kiosk.wait(10) == 0
    finally:
        watcher.close()
        if kiosk.poll() is None:
            kiosk.kill()
