"""10,000 garbage reads on the serial scanner's pseudo-terminal: the kiosk asks the student to try again
each time, shows no name, records nothing, and keeps scanning real cards in between."""
import os
import random
import threading

from kiosk.core import KioskCore
from kiosk.scan_parsing import SCAN_ENDS
from kiosk.scanners import SerialScanner
from tests.conftest import card, eventually

GARBAGE_READS = 10_000
TRY_AGAIN = {"unreadable", "forged"}  # garbled bytes that still look like a card are "not from our class"


def no_scan_end(read: bytes) -> bytes:
    for end in SCAN_ENDS:
        read = read.replace(end, b"\x01")
    return read


def garbage(rng: random.Random) -> bytes:
    """One bad read as the wire carries it, without a byte that would end it early (CR, LF or TAB)."""
    token = card(f"s{rng.randrange(1, 29):02d}").encode()
    how = rng.randrange(6)
    if how == 0:  # binary noise
        return bytes(b for b in rng.randbytes(rng.randrange(1, 200)) if b not in b"\r\n\t") or b"\x00"
    if how == 1:  # half a code
        return token[:rng.randrange(1, len(token) - 1)]
    if how == 2 and rng.random() < 0.05:  # a 10 KB line
        return b"RS1:" + b"A" * 10_240
    if how == 3:  # the wrong baud rate: bits land in the wrong places
        return no_scan_end(bytes((b << rng.randrange(1, 4) | rng.randrange(2)) & 0xFF or 1 for b in token))
    if how == 4:  # another QR code altogether
        return rng.choice([b"https://example.com/cereal?promo=42", b"WIFI:S:school;T:WPA;P:secret;;", b"hello"])
    flipped = bytearray(token)  # a bit flipped in a real card
    flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(7)
    return no_scan_end(bytes(flipped))


def test_ten_thousand_garbage_reads_each_ask_to_try_again(room, hub, serial_wire, tmp_path):
    master, path = serial_wire
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    decisions = []
    arrived = threading.Condition()

    def heard(decision):
        with arrived:
            decisions.append(decision)
            arrived.notify_all()
    kiosk.decision_listeners.append(heard)
    kiosk.start()
    scanner = SerialScanner(path, 9600, kiosk.scan, kiosk.unreadable, line_timeout=0.2)
    scanner.start()
    try:
        eventually(lambda: kiosk.online and kiosk.state and scanner.connected, 10, "the kiosk ready")
        rng = random.Random(7)
        students = [f"s{n:02d}" for n in range(1, 11)]
        for count in range(1, GARBAGE_READS + 1):
            read = garbage(rng)
            os.write(master, read + rng.choice([b"\r", b"\n", b"\r\n", b"\t"]))
            if count % 1000 == 0:  # a real card between the garbage: the scanner is still reading
                os.write(master, card(students[count // 1000 - 1]).encode() + b"\r\n")
        with arrived:
            assert arrived.wait_for(lambda: len(decisions) >= GARBAGE_READS + 10, 60), len(decisions)
        os.write(master, b"RS1:s01:1:ABC")  # cut short, and nothing after it
        with arrived:
            assert arrived.wait_for(lambda: len(decisions) == GARBAGE_READS + 11, 5)
    finally:
        scanner.stop()
        kiosk.stop()
    real = [d for d in decisions if d.student_id in students]
    bad = [d for d in decisions if d not in real]
    assert [d.student_id for d in real] == students
    assert all(d.outcome == "welcome" or d.outcome == "elsewhere" for d in real)
    assert len(bad) == GARBAGE_READS + 1
    assert {d.outcome for d in bad} <= TRY_AGAIN and all(d.name is None for d in bad)
    assert decisions[-1].title == "Let's try that again"
    eventually(lambda: hub.store.event_count() == 10, 5, "the ten real check-ins at the hub, and nothing else")
