"""Scanners: a pseudo-terminal stands in for the serial QR scanner's wire."""
import os
import queue
import threading

import pytest

from kiosk.scanners import SerialScanner


@pytest.fixture
def scanner(serial_wire):
    master, path = serial_wire
    reads: queue.Queue = queue.Queue()
    opened = threading.Event()
    running = SerialScanner(path, 9600, on_text=reads.put, on_garbage=lambda: reads.put(None),
                            on_connected=lambda connected: connected and opened.set())
    running.start()
    assert opened.wait(5), "the scanner did not open the port"
    yield master, reads
    running.stop()


def test_a_scanned_line_arrives_whole(scanner):
    master, reads = scanner
    os.write(master, b"RS1:s01:1:ABCDEFGHIJKLMNOP\r")
    assert reads.get(timeout=2) == "RS1:s01:1:ABCDEFGHIJKLMNOP"


def test_garbage_is_reported_and_the_scanner_keeps_going(scanner):
    master, reads = scanner
    os.write(master, b"\x00\xff\xfe\x81binary\n")
    assert reads.get(timeout=2) is None
    os.write(master, b"A" * 10_000 + b"\n")
    assert reads.get(timeout=2) is None
    os.write(master, b"\x00\xff\xfe half")  # then nothing: noise the quiet ends
    assert reads.get(timeout=2) is None
    os.write(master, b"RS1:s02:1:ABCDEFGHIJKLMNOP\n")
    assert reads.get(timeout=2) == "RS1:s02:1:ABCDEFGHIJKLMNOP"
    assert reads.empty()


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n", b"\t", b""], ids=["CR", "LF", "CRLF", "TAB", "none"])
@pytest.mark.parametrize("prefix", [b"", b"]Q1", b"\xef\xbb\xbf", b"\xef\xbb\xbf]Q1"],
                         ids=["plain", "AIM", "BOM", "BOM+AIM"])
def test_every_common_scanner_setting_reads_the_card(scanner, prefix, suffix):
    """As scanners leave the factory or a school sets them: a suffix or none (the scan ends when the line goes
    quiet), an AIM symbology identifier, a byte-order mark. Two students one after the other, each read."""
    master, reads = scanner
    for student in ("s01", "s02"):
        os.write(master, prefix + f"RS1:{student}:1:ABCDEFGHIJKLMNOP".encode() + suffix)
        assert reads.get(timeout=2) == f"RS1:{student}:1:ABCDEFGHIJKLMNOP"
    assert reads.empty()


def test_a_scan_waiting_on_the_line_when_the_kiosk_starts_is_read(serial_wire):
    """Cards scanned while the kiosk restarted wait on the line: pyserial would empty it as the port opens."""
    master, path = serial_wire
    os.write(master, b"RS1:s03:1:ABCDEFGHIJKLMNOP\r")
    reads: queue.Queue = queue.Queue()
    running = SerialScanner(path, 9600, on_text=reads.put, on_garbage=lambda: reads.put(None))
    running.start()
    try:
        assert reads.get(timeout=2) == "RS1:s03:1:ABCDEFGHIJKLMNOP"
    finally:
        running.stop()
