"""A kiosk runs all day: the real kiosk app, drawing offscreen, stays the same size however many students scan."""
import ctypes
import os
import subprocess
import sys
import threading

import pytest

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


LARGE_BLOCKS = """
import ctypes, sys
from edge.heap import large_blocks_straight_back

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo2
if sys.argv[1:] == ["held"]:
    large_blocks_straight_back()
libc.free(libc.malloc(300_000))  # a label's picture, drawn and replaced
before = libc.mallinfo2().hblkhd
block = libc.malloc(300_000)  # the next one
print(libc.mallinfo2().hblkhd - before >= 300_000)  # mapped on its own, so given back whole when freed
"""


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc 2.33 or later tells its blocks")
def test_a_kiosk_gives_each_large_block_back_when_it_is_freed():
    """glibc would serve the second picture from the heap, whose holes never give memory back: 3 MB a day."""
    def mapped(*args: str) -> str:
        return subprocess.run([sys.executable, "-c", LARGE_BLOCKS, *args], capture_output=True, text=True,
                              check=True, cwd=os.path.dirname(os.path.dirname(__file__))).stdout.strip()

    assert (mapped(), mapped("held")) == ("False", "True")
