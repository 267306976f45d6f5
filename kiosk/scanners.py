"""Where scanned card texts come from: a serial (or USB-CDC) QR scanner, or a keyboard-wedge scanner.

Both hand over whole scans. A serial scanner's scan ends with whatever suffix the school left set on it (CR,
LF, CR LF or TAB) or with none, after a short quiet (``QUIET_GAP``); an AIM symbology identifier (``]Q1``)
or a byte-order mark before it is dropped. Garbage (binary noise, endless lines) is reported as unreadable,
so the student is asked to try again, and the scanner keeps going.
"""
from __future__ import annotations

import logging
import os
import re
import select
import threading
import time
from collections.abc import Callable
from typing import TypeAlias

import serial

log = logging.getLogger("rotation.kiosk.scanner")
MAX_LINE = 256
SCAN_ENDS = (b"\r", b"\n", b"\t")  # the suffixes a scanner is set to send; CR LF is two of them
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
AIM_IDENTIFIER = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # "]Q1": a QR Code, as ISO/IEC 15424 names it
# A scan with no suffix ends when the line goes quiet. A scanner sends a code in one burst: at 9600 baud a
# character every 1.04 ms, a USB-CDC scanner a packet every 1 ms; 100 ms is a hundred characters' silence,
# and still shorter than the time a second student needs to bring a card to the window.
QUIET_GAP = 0.1
TextHandler: TypeAlias = Callable[[str], object]  # takes a scanned text; what it returns (a decision) goes unused
GarbageHandler: TypeAlias = Callable[[], object]  # told of an unreadable scan


class LineAssembler:
    """Splits a byte stream into scanned lines. Pure: feed bytes, get (text or None for garbage) items."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self._buffer = bytearray()
        self._overflowed = False

    def feed(self, data: bytes) -> list[str | None]:
        lines: list[str | None] = []
        for end in SCAN_ENDS[1:]:
            data = data.replace(end, SCAN_ENDS[0])
        *complete, partial = data.split(SCAN_ENDS[0])
        for chunk in complete:
            self._append(chunk)
            if self._overflowed:
                lines.append(None)
            elif self._buffer:
                lines.append(self._text(bytes(self._buffer)))
            self._buffer.clear()
            self._overflowed = False
        self._append(partial)
        return lines

    def _append(self, chunk: bytes) -> None:
        if not self._overflowed:
            self._buffer += chunk
            if len(self._buffer) > self.max_line:
                self._overflowed = True
                self._buffer.clear()

    def flush(self) -> list[str | None]:
        """The line gone quiet without a suffix: a whole scan from a scanner set to send none (a half read is
        told apart later, as any card that does not read)."""
        if self._overflowed:
            found: list[str | None] = [None]
        else:
            found = [self._text(bytes(self._buffer))] if self._buffer.strip() else []
        self._buffer.clear()
        self._overflowed = False
        return found

    @staticmethod
    def _text(raw: bytes) -> str | None:
        try:
            text = raw.removeprefix(BYTE_ORDER_MARK).decode("ascii").strip()
        except UnicodeDecodeError:
            return None
        text = AIM_IDENTIFIER.sub("", text, count=1)
        if not text or not text.isprintable():
            return None
        return text


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

    def _run(self) -> None:
        raise NotImplementedError

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.on_connected(connected)


class SerialScanner(ScannerThread):
    """Reads a serial QR scanner on its own thread; reopens the port if it is unplugged."""
    thread_name = "serial-scanner"

    def __init__(self, port: str, baud: int, on_text: TextHandler, on_garbage: GarbageHandler,
                 on_connected: Callable[[bool], None] = lambda connected: None,
                 line_timeout: float = QUIET_GAP) -> None:
        super().__init__(on_connected)
        self.port, self.baud = port, baud
        self.on_text, self.on_garbage = on_text, on_garbage
        self.line_timeout = line_timeout

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._open() as port:
                    self._set_connected(True)
                    self._read(port)
            except (serial.SerialException, OSError) as error:
                if self.connected:
                    log.warning("scanner on %s lost: %s", self.port, error)
                self._set_connected(False)
                self._stopping.wait(1.0)

    def _open(self) -> serial.Serial:
        """The port, with what is already waiting on it: scans made while the kiosk was starting. (pyserial
        empties the input buffer as it opens a port.)"""
        port = serial.serial_for_url(self.port, baudrate=self.baud, timeout=0.05, do_not_open=True)
        port._reset_input_buffer = lambda: None  # what open() calls (pyserial 3.5, serialposix.py)
        try:
            port.open()
        finally:
            del port._reset_input_buffer
        return port

    def _read(self, port: serial.Serial) -> None:
        """Wait on the port's file descriptor and take whatever arrived in one read: pyserial's own read
        loop costs a tenth of a millisecond a call, and a scan is read as it comes."""
        lines = LineAssembler()
        fd = port.fileno()
        last_byte = time.monotonic()
        while not self._stopping.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            now = time.monotonic()
            if ready:
                data = os.read(fd, 4096)
                if not data:
                    raise serial.SerialException("the scanner went away")
                last_byte = now
                items = lines.feed(data)
            elif now - last_byte > self.line_timeout:
                last_byte = now
                items = lines.flush()
            else:
                continue
            for text in items:
                try:
                    self.on_text(text) if text is not None else self.on_garbage()
                except Exception:  # whatever went wrong with one scan, the next one must still be read
                    log.exception("handling a scan failed")


class KeyboardWedge:
    """A USB scanner that types the code and presses Enter. Pure: feed characters, then Enter."""

    def __init__(self, max_line: int = MAX_LINE, idle_reset: float = 1.0) -> None:
        self.max_line = max_line
        self.idle_reset = idle_reset
        self._chars: list[str] = []
        self._last = 0.0

    def type(self, text: str, now: float) -> None:
        if now - self._last > self.idle_reset:
            self._chars.clear()
        self._last = now
        if len(self._chars) <= self.max_line:
            self._chars.extend(text)

    def enter(self) -> str | None:
        """The typed line, or None if it was garbage; '' if nothing was typed."""
        chars, self._chars = self._chars, []
        if not chars:
            return ""
        if len(chars) > self.max_line:
            return None
        text = "".join(chars).strip()
        return text if text.isascii() and text.isprintable() else None
