"""Reading a scan out of what a scanner sends. Pure: bytes or characters in, scans out (kiosk/scanners.py reads
the devices).

A serial scanner's scan ends with whatever suffix the school left set on it (CR, LF, CR LF or TAB) or with none,
after a short quiet (the reader calls ``flush``); an AIM symbology identifier (``]Q1``) or a byte-order mark before
it is dropped. Garbage (binary noise, endless lines) is one unreadable scan (None), so the student is asked to try
again. A keyboard-wedge scanner types the code and presses Enter.
"""
from __future__ import annotations

import re

MAX_LINE = 256
SCAN_ENDS = (b"\r", b"\n", b"\t")  # the suffixes a scanner is set to send; CR LF is two of them
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
AIM_IDENTIFIER = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # "]Q1": a QR Code, as ISO/IEC 15424 names it


class LineAssembler:
    """Splits a byte stream into scanned lines. Pure: feed bytes, get (text or None for garbage) items.
    ``prefix`` and ``suffix``: what a school set its scanner to send before and after each code (the room
    file's ``scanner_prefix`` and ``scanner_suffix``); the suffix ends a scan, and both are dropped."""

    def __init__(self, max_line: int = MAX_LINE, prefix: str = "", suffix: str = "") -> None:
        self.max_line = max_line
        self.prefix = prefix
        self._ends = (suffix.encode("ascii"), *SCAN_ENDS) if suffix else SCAN_ENDS
        self._held = b""  # the start of a suffix of several characters, split between two reads
        self._buffer = bytearray()
        self._overflowed = False

    def feed(self, data: bytes) -> list[str | None]:
        lines: list[str | None] = []
        data, self._held = self._held + data, b""
        for end in self._ends:
            data = data.replace(end, SCAN_ENDS[0])
        if len(self._ends[0]) > 1:  # whole suffixes are ends now; hold back the start of one cut by the read
            self._held = next((data[-n:] for n in range(len(self._ends[0]) - 1, 0, -1)
                               if self._ends[0].startswith(data[-n:])), b"")
            data = data[:len(data) - len(self._held)]
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
        self._append(self._held)
        self._held = b""
        if self._overflowed:
            found: list[str | None] = [None]
        else:
            found = [self._text(bytes(self._buffer))] if self._buffer.strip() else []
        self._buffer.clear()
        self._overflowed = False
        return found

    def _text(self, raw: bytes) -> str | None:
        try:
            text = raw.removeprefix(BYTE_ORDER_MARK).decode("ascii").strip()
        except UnicodeDecodeError:
            return None
        # Scanners put the symbology identifier before or after a prefix of the school's: both are dropped.
        text = AIM_IDENTIFIER.sub("", text.removeprefix(self.prefix), count=1).removeprefix(self.prefix).strip()
        if not text or not text.isprintable():
            return None
        return text


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
