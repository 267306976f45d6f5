"""What a keyboard-wedge scanner typed, from the key events its input device reports. Pure.

The kernel hands each event over as a ``struct input_event`` (linux/input.h): a time, a type, a code and a
value. A key's press (value 1), autorepeat (2) and release (0) are EV_KEY events; each HID report's events
end with EV_SYN/SYN_REPORT and come with an EV_MSC/MSC_SCAN naming the HID usage. ``Keystrokes`` turns them
into the bytes a serial scanner sends for the same scan, for ``LineAssembler``: each character typed (the key
read with the scanner's own layout), CR for Enter, TAB for Tab, and NUL for any other key, which makes the
scan unreadable.
"""
from __future__ import annotations

import struct

from shared.keyboard_layouts import (
    ALTGR,
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_KPENTER,
    KEY_LEFTALT,
    KEY_LEFTCTRL,
    KEY_LEFTMETA,
    KEY_LEFTSHIFT,
    KEY_NUMLOCK,
    KEY_RIGHTALT,
    KEY_RIGHTCTRL,
    KEY_RIGHTMETA,
    KEY_RIGHTSHIFT,
    KEY_SCROLLLOCK,
    KEY_TAB,
    KEYPAD_DIGITS,
    LAYOUTS,
    PLAIN,
    SHIFT,
)

INPUT_EVENT = struct.Struct("llHHi")  # a timeval (two C longs: 24 bytes in all on 64 bits, 16 on 32), type, code, value
EV_SYN, EV_KEY = 0, 1
SYN_DROPPED = 3  # the kernel's buffer overflowed: events were lost
RELEASE, PRESS = 0, 1
UNREADABLE = b"\x00"
SCAN_END_KEYS = {KEY_ENTER: b"\r", KEY_KPENTER: b"\r", KEY_TAB: b"\t"}
SHIFTS, CTRLS, METAS = {KEY_LEFTSHIFT, KEY_RIGHTSHIFT}, {KEY_LEFTCTRL, KEY_RIGHTCTRL}, {KEY_LEFTMETA, KEY_RIGHTMETA}
LOCKS = {KEY_CAPSLOCK, KEY_NUMLOCK, KEY_SCROLLLOCK}  # a grabbed scanner's locks change nothing it types here
TYPE_NOTHING = SHIFTS | CTRLS | METAS | LOCKS | {KEY_LEFTALT, KEY_RIGHTALT}
# Ctrl with these types the control characters (Ctrl+B is STX): how a scanner in keyboard mode sends a prefix
# or suffix such as STX or ETX.
CONTROL_KEYS = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"


class Keystrokes:
    """One scanner's key events, as the bytes it typed. Feed it what its device gave (``feed``: raw
    ``input_event`` records, split anywhere) or events one at a time (``event``)."""

    def __init__(self, layout: str) -> None:
        self._typed = LAYOUTS[layout].characters()
        self._held: set[int] = set()
        self._alt_number = ""  # keypad digits typed with Alt held
        self._partial = b""

    def feed(self, data: bytes) -> bytes:
        data = self._partial + data
        whole = len(data) - len(data) % INPUT_EVENT.size
        self._partial = data[whole:]
        return b"".join(self.event(kind, code, value)
                        for _, _, kind, code, value in INPUT_EVENT.iter_unpack(data[:whole]))

    def event(self, kind: int, code: int, value: int) -> bytes:
        if kind == EV_SYN and code == SYN_DROPPED:
            self._held.clear()  # its releases may be among the lost events
            self._alt_number = ""
            return UNREADABLE
        if kind != EV_KEY:
            return b""
        if value == RELEASE:
            self._held.discard(code)
            return self._alt_typed() if code == KEY_LEFTALT else b""
        if value != PRESS:  # autorepeat: a scanner never holds a key down, so a repeat is a stall, not a character
            return b""
        if code in TYPE_NOTHING:
            self._held.add(code)
            return b""
        if code in SCAN_END_KEYS:
            return SCAN_END_KEYS[code]
        if KEY_LEFTALT in self._held:
            if code not in KEYPAD_DIGITS:
                return UNREADABLE
            self._alt_number += str(KEYPAD_DIGITS[code])
            return b""
        character = self._character(code)
        return character.encode() if character is not None else UNREADABLE

    def _character(self, code: int) -> str | None:
        """What the key types with the modifiers held, or None for nothing the layout has."""
        if self._held & METAS:
            return None
        typed = self._typed.get((code, SHIFT if self._held & SHIFTS else PLAIN))
        if self._held & CTRLS:
            return chr(ord(typed.upper()) & 0x1F) if typed and typed.upper() in CONTROL_KEYS else None
        if KEY_RIGHTALT in self._held:  # AltGr, on the layouts that have one
            return None if self._held & SHIFTS else self._typed.get((code, ALTGR))
        return typed

    def _alt_typed(self) -> bytes:
        """The character whose number was typed on the keypad with Alt held, as Windows reads it: that
        number's byte (out of ASCII, it is no card's)."""
        number, self._alt_number = self._alt_number, ""
        return chr(int(number) % 256).encode() if number else b""
