"""A card's QR text on the serial wire shows up on the teacher's map, through the real processes."""
import os
import sqlite3
import subprocess
import sys
import tty

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
