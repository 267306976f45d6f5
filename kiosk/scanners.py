"""Where scanned card texts come from: a serial (or USB-CDC) QR scanner, or a keyboard-wedge scanner.

Both hand over whole scans; kiosk/scan_parsing.py cuts them out of what the device sends. A serial scan without a
suffix ends after a short quiet (``QUIET_GAP``). Garbage is reported as unreadable, so the student is asked to
try again, and the scanner keeps going.
"""
from __future__ import annotations

import functools
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from typing import TypeAlias

import serial

from kiosk.scan_parsing import LineAssembler
from kiosk.serial_speed import SpeedHunt, looks_like_a_card

log = logging.getLogger("rotation.kiosk.scanner")
# A scan with no suffix ends when the line goes quiet. A scanner sends a code in one burst: at 9600 baud a
# character every 1.04 ms, a USB-CDC scanner a packet every 1 ms; 100 ms is a hundred characters' silence,
# and still shorter than the time a second student needs to bring a card to the window.
QUIET_GAP = 0.1
TextHandler: TypeAlias = Callable[[str], object]  # takes a scanned text; what it returns (a decision) goes unused
GarbageHandler: TypeAlias = Callable[[], object]  # told of an unreadable scan


class ScannerThread:
    """A card reader on a thread of its own that says when its device comes and goes (``on_connected``,
    which the kiosk's screen watches). Subclasses read in ``_run`` until ``_stopping`` is set."""
    thread_name = "scanner"

    def __init__(self, on_connected: Callable[[bool], None] = lambda connected: None) -> None:
        self.on_connected = on_connected
        self.connected = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread:
            self._thread.join()

    @property
    def set_up_wrong(self) -> bool:
        """It reads only noise: the reader's settings, not the students' cards, are at fault."""
        return False

    def _run(self) -> None:
        raise NotImplementedError

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.on_connected(connected)


class LineReader(ScannerThread):
    """A reader of a stream of scans, a serial line's bytes or a keyboard's key events: each scan is handed on
    as it ends. ``on_set_up_wrong`` is told, in place of ``on_text`` and ``on_garbage``, of what is no card while
    the reader is ``set_up_wrong``."""

    def __init__(self, on_text: TextHandler, on_garbage: GarbageHandler,
                 on_connected: Callable[[bool], None] = lambda connected: None, line_timeout: float = QUIET_GAP,
                 prefix: str = "", suffix: str = "", on_set_up_wrong: GarbageHandler | None = None) -> None:
        super().__init__(on_connected)
        self.on_text, self.on_garbage = on_text, on_garbage
        self.on_set_up_wrong = on_set_up_wrong or on_garbage
        self.line_timeout = line_timeout
        self.prefix, self.suffix = prefix, suffix

    def _read_scans(self, fd: int, chunk: int = 4096, decode: Callable[[bytes], bytes] = lambda data: data,
                    on_quiet: Callable[[list[str | None]], None] = lambda burst: None) -> None:
        """Wait on ``fd`` and take whatever arrived in one read (pyserial's own read loop costs a tenth of a
        millisecond a call), ``decode`` it into a scanner's bytes, and hand each scan on as it ends. A scan with
        no suffix ends when the stream has been quiet for ``line_timeout``; ``on_quiet`` is then told what the
        burst held. OSError when the device goes away."""
        lines = LineAssembler(prefix=self.prefix, suffix=self.suffix)
        last_byte = time.monotonic()
        burst: list[str | None] = []  # what arrived since the stream was last quiet
        while not self._stopping.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            now = time.monotonic()
            if ready:
                data = os.read(fd, chunk)
                if not data:
                    raise OSError("the scanner went away")
                last_byte = now
                items = lines.feed(decode(data))
            elif now - last_byte > self.line_timeout:
                last_byte = now
                items = lines.flush()
            else:
                continue
            self._hand_on(items)
            burst += items
            if not ready:  # the stream went quiet: the burst is over
                on_quiet(burst)
                burst = []

    def _hand_on(self, items: list[str | None]) -> None:
        for text in items:
            try:
                if self.set_up_wrong and not looks_like_a_card(text):
                    self.on_set_up_wrong()
                elif text is not None:
                    self.on_text(text)
                else:
                    self.on_garbage()
            except Exception:  # whatever went wrong with one scan, the next one must still be read
                log.exception("handling a scan failed")


class SerialScanner(LineReader):
    """Reads a serial QR scanner on its own thread; reopens the port if it is unplugged."""
    thread_name = "serial-scanner"

    def __init__(self, port: str, baud: int, on_text: TextHandler, on_garbage: GarbageHandler,
                 on_connected: Callable[[bool], None] = lambda connected: None,
                 line_timeout: float = QUIET_GAP, prefix: str = "", suffix: str = "",
                 on_set_up_wrong: GarbageHandler | None = None,
                 on_speed: Callable[[int], None] = lambda speed: None) -> None:
        """``on_set_up_wrong``: told of noise in place of ``on_garbage`` while the scanner's speed is hunted
        for (kiosk/serial_speed.py); ``on_speed``: told the speed cards read at, once found."""
        super().__init__(on_text, on_garbage, on_connected, line_timeout, prefix, suffix, on_set_up_wrong)
        self.port, self.baud = port, baud
        self.on_speed = on_speed
        # A USB-CDC scanner ignores the port's speed: its noise is never a speed to hunt for.
        self.speed = SpeedHunt(baud, hunts=not os.path.realpath(port).startswith("/dev/ttyACM"))

    @property
    def set_up_wrong(self) -> bool:
        """Noise, scan after scan, and nothing read: the scanner's speed is being hunted for."""
        return self.speed.hunting

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._open() as port:
                    self.speed.reopened()
                    self._set_connected(True)
                    self._read_scans(port.fileno(), on_quiet=functools.partial(self._quiet, port))
            except (serial.SerialException, OSError) as error:
                if self.connected:
                    log.warning("scanner on %s lost: %s", self.port, error)
                self._set_connected(False)
                self._stopping.wait(1.0)

    def _open(self) -> serial.Serial:
        """The port, with what is already waiting on it: scans made while the kiosk was starting. (pyserial
        empties the input buffer as it opens a port.)"""
        port = serial.serial_for_url(self.port, baudrate=self.speed.speed, timeout=0.05, do_not_open=True)
        port._reset_input_buffer = lambda: None  # what open() calls (pyserial 3.5, serialposix.py)
        try:
            port.open()
        finally:
            del port._reset_input_buffer
        return port

    def _quiet(self, port: serial.Serial, burst: list[str | None]) -> None:
        """A burst has ended: at the wrong speed, try the next."""
        found = self.speed.found
        switch = self.speed.burst(burst)
        if switch is not None:
            log.warning("scanner on %s: only noise at %d baud; trying %d", self.port, port.baudrate, switch)
            port.baudrate = switch
        if self.speed.found is not None and found is None:
            log.warning("scanner on %s reads at %d baud, not the room file's %d", self.port, self.speed.found,
                        self.baud)
            self.on_speed(self.speed.found)
