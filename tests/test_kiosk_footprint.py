"""A kiosk runs all day: the real kiosk app, drawing offscreen, stays the same size however many students scan."""
import os
import subprocess
import sys
import threading

from edge.heap import resident_mb
from shared.topics import Topics
from tests.conftest import card
from tests.mqtt_client import TestClient

T = Topics("room-12")
STUDENTS = [f"s{n:02d}" for n in range(1, 29)]


def test_the_kiosk_does_not_grow_scan_after_scan(room, hub, broker, serial_wire, tmp_path):
    """Each scan puts a new name on screen, drawn into new textures. Offscreen, Mesa kept every frame's
    textures until something forced it to draw: about 0.3 MB a scan, a full kiosk by the afternoon."""
    scanner, device = serial_wire
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    kiosk = subprocess.Popen([sys.executable, "-m", "rotation.cli", "-v", "kiosk", "--config", str(room.path),
                              "--station", "reading-nook", "--serial", device, "--outbox", str(tmp_path / "k.db")],
                             stderr=subprocess.PIPE, text=True, env=env)
    events = TestClient(broker.port, T.kiosk_event("reading-nook"))
    try:
        for line in kiosk.stderr:
            if "first frame drawn" in line:
                break
        threading.Thread(target=kiosk.stderr.read, daemon=True).start()  # its log never fills the pipe

        def scan(count: int, first: int) -> None:
            for seq in range(first, first + count):
                os.write(scanner, card(STUDENTS[seq % len(STUDENTS)]).encode() + b"\r\n")
                events.wait_for(T.kiosk_event("reading-nook"), lambda e, seq=seq: e["seq"] == seq)
                events.messages.clear()

        scan(40, 1)  # fonts, shaders and every kind of answer seen once
        warm = resident_mb(kiosk.pid)
        scan(300, 41)
        grown = resident_mb(kiosk.pid) - warm
    finally:
        events.close()
        kiosk.terminate()
        kiosk.wait(10)
    assert grown < 12, f"the kiosk grew by {grown:.1f} MB over 300 scans"
