"""Keyboard-mode (USB HID) scanners read from their input device: recorded ``input_event`` streams, as a scanner
makes the kernel write them, played through the reader; a virtual keyboard (uinput) where the kernel has one."""
from __future__ import annotations

import os
import queue
import re
import string
import struct
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from evdev import ecodes

from kiosk.card_reader import card_reader, reads_window_keys
from kiosk.input_devices import device_node, keyboards
from kiosk.keystrokes import Keystrokes
from kiosk.scan_parsing import MAX_LINE, LineAssembler
from kiosk.wedge import RETRY_EVERY, KeyboardScanner
from rotation.cli import build_parser
from rotation.scanner_list import list_scanners
from shared import keyboard_layouts
from shared.config import ConfigError, KioskConfig, load_config
from tests.conftest import card, eventually, write_room

CARD = card("s.05_b-x", 12)  # a card with every character a card can hold but lower case
K = ecodes.ecodes  # key names, as linux/input-event-codes.h has them


# What a scanner sends ----------------------------------------------------------------------------------------

# The HID keyboard usages the kernel's hid-input maps to the keys: what a scanner's HID reports name, and the
# kernel passes on as EV_MSC/MSC_SCAN (page 7, keyboard, in the top bits).
HID_USAGES = {**{K[f"KEY_{c.upper()}"]: 0x04 + i for i, c in enumerate(string.ascii_lowercase)},
              **{K[f"KEY_{d}"]: 0x1E + i for i, d in enumerate("1234567890")},
              **{K[f"KEY_KP{d}"]: 0x59 + i for i, d in enumerate("1234567890")},
              **{K[name]: usage for name, usage in (
                  ("KEY_ENTER", 0x28), ("KEY_ESC", 0x29), ("KEY_TAB", 0x2B), ("KEY_SPACE", 0x2C),
                  ("KEY_MINUS", 0x2D), ("KEY_EQUAL", 0x2E), ("KEY_LEFTBRACE", 0x2F), ("KEY_RIGHTBRACE", 0x30),
                  ("KEY_BACKSLASH", 0x31), ("KEY_SEMICOLON", 0x33), ("KEY_APOSTROPHE", 0x34), ("KEY_GRAVE", 0x35),
                  ("KEY_COMMA", 0x36), ("KEY_DOT", 0x37), ("KEY_SLASH", 0x38), ("KEY_F5", 0x3E),
                  ("KEY_KPSLASH", 0x54), ("KEY_KPASTERISK", 0x55), ("KEY_KPMINUS", 0x56), ("KEY_KPPLUS", 0x57),
                  ("KEY_KPENTER", 0x58), ("KEY_KPDOT", 0x63), ("KEY_102ND", 0x64),
                  ("KEY_LEFTCTRL", 0xE0), ("KEY_LEFTSHIFT", 0xE1), ("KEY_LEFTALT", 0xE2), ("KEY_LEFTMETA", 0xE3),
                  ("KEY_RIGHTCTRL", 0xE4), ("KEY_RIGHTSHIFT", 0xE5), ("KEY_RIGHTALT", 0xE6))}}


# Which keys type a card's characters on each layout: written out from the layouts themselves, not from
# shared/keyboard_layouts.py, so that a mistake there shows. (modifier or None, key name)
LETTERS = {"us": {}, "uk": {}, "de": {"y": "KEY_Z", "z": "KEY_Y"},
           "fr": {"a": "KEY_Q", "q": "KEY_A", "z": "KEY_W", "w": "KEY_Z", "m": "KEY_SEMICOLON"}}
PUNCTUATION = {
    "us": {":": ("KEY_LEFTSHIFT", "KEY_SEMICOLON"), ".": (None, "KEY_DOT"), "-": (None, "KEY_MINUS"),
           "_": ("KEY_LEFTSHIFT", "KEY_MINUS"), "]": (None, "KEY_RIGHTBRACE"), "@": ("KEY_LEFTSHIFT", "KEY_2")},
    "uk": {":": ("KEY_LEFTSHIFT", "KEY_SEMICOLON"), ".": (None, "KEY_DOT"), "-": (None, "KEY_MINUS"),
           "_": ("KEY_LEFTSHIFT", "KEY_MINUS"), "]": (None, "KEY_RIGHTBRACE"),
           "@": ("KEY_LEFTSHIFT", "KEY_APOSTROPHE")},
    "de": {":": ("KEY_LEFTSHIFT", "KEY_DOT"), ".": (None, "KEY_DOT"), "-": (None, "KEY_SLASH"),
           "_": ("KEY_LEFTSHIFT", "KEY_SLASH"), "]": ("KEY_RIGHTALT", "KEY_9"), "@": ("KEY_RIGHTALT", "KEY_Q")},
    "fr": {":": (None, "KEY_DOT"), ".": ("KEY_LEFTSHIFT", "KEY_COMMA"), "-": (None, "KEY_6"),
           "_": (None, "KEY_8"), "]": ("KEY_RIGHTALT", "KEY_MINUS"), "@": ("KEY_RIGHTALT", "KEY_0")},
}


def keys_for(character: str, layout: str) -> tuple[str | None, str]:
    if character in PUNCTUATION[layout]:
        return PUNCTUATION[layout][character]
    if character.isdigit():
        return ("KEY_LEFTSHIFT" if layout == "fr" else None), f"KEY_{character}"
    key = LETTERS[layout].get(character.lower(), f"KEY_{character.upper()}")
    return ("KEY_LEFTSHIFT" if character.isupper() else None), key


def press(code: int, value: int = 1) -> list[tuple[int, int, int]]:
    """One key in one HID report: its usage, the key, the report's end."""
    return [(ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70000 + HID_USAGES[code]), (ecodes.EV_KEY, code, value),
            (ecodes.EV_SYN, ecodes.SYN_REPORT, 0)]


def tap(key: str | int, modifier: str | int | None = None) -> list[tuple[int, int, int]]:
    """A key (its name or code) pressed and let go, with the modifier held around it, as a scanner's reports
    make the kernel say."""
    code = K[key] if isinstance(key, str) else key
    if modifier is None:
        return press(code) + press(code, 0)
    held = K[modifier] if isinstance(modifier, str) else modifier
    return press(held) + press(code) + press(code, 0) + press(held, 0)


def typed(text: str, layout: str = "us", end: str | None = "KEY_ENTER") -> list[tuple[int, int, int]]:
    events = [event for character in text for event in tap(*reversed(keys_for(character, layout)))]
    return events + (tap(end) if end else [])


def recording(events: list[tuple[int, int, int]], start: float = 1_764_000_000.0) -> bytes:
    """The events as the kernel writes them to a reader of /dev/input/eventN: ``struct input_event``, a timeval
    of two longs then type, code and value (24 bytes on 64 bits)."""
    records, at = [], start
    for kind, code, value in events:
        at += 0.0004 if kind == ecodes.EV_SYN else 0.0
        records.append(struct.pack("llHHi", int(at), int(at % 1 * 1_000_000), kind, code, value))
    return b"".join(records)


def read_with(layout: str, data: bytes, **settings) -> list[str | None]:
    lines = LineAssembler(**settings)
    return lines.feed(Keystrokes(layout).feed(data)) + lines.flush()


# The keys, read with the scanner's layout -------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["us", "uk", "de", "fr"])
def test_a_card_reads_with_the_layout_the_scanner_types_with(layout):
    assert read_with(layout, recording(typed("]Q1" + CARD, layout))) == [CARD]  # the AIM identifier dropped
    assert read_with(layout, recording(typed("user@school", layout))) == ["user@school"]


def test_the_layout_setting_is_what_reads_it():
    """What went wrong before: a scanner typing with a US layout, read as the German system layout reads keys."""
    us_keys = recording(typed(CARD, "us"))
    assert read_with("us", us_keys) == [CARD]
    assert read_with("de", us_keys) != [CARD]


def test_each_key_of_each_layout_types_its_character_on_its_level():
    modifiers = {keyboard_layouts.PLAIN: None, keyboard_layouts.SHIFT: "KEY_LEFTSHIFT",
                 keyboard_layouts.ALTGR: "KEY_RIGHTALT"}
    for name, layout in keyboard_layouts.LAYOUTS.items():
        for (code, level), character in layout.characters().items():
            typed_bytes = Keystrokes(name).feed(recording(tap(code, modifiers[level])))
            assert typed_bytes == character.encode(), (name, ecodes.KEY[code], level)


def test_the_layouts_key_codes_are_linux_s():
    for name in dir(keyboard_layouts):
        if name.startswith("KEY_") and name != "KEY_ROWS":
            assert getattr(keyboard_layouts, name) == K[name], name
    rows = [[ecodes.KEY[code] for code in row] for row in keyboard_layouts.KEY_ROWS]
    assert rows[2][-2:] == ["KEY_APOSTROPHE", "KEY_BACKSLASH"] and rows[3][:2] == ["KEY_102ND", "KEY_Z"]


def test_records_split_anywhere_between_reads_read_the_same():
    data = recording(typed(CARD))
    keys = Keystrokes("us")
    assert b"".join(keys.feed(data[i:i + 7]) for i in range(0, len(data), 7)) == CARD.encode() + b"\r"


@pytest.mark.parametrize("end", ["KEY_ENTER", "KEY_KPENTER", "KEY_TAB", None])
def test_a_scan_ends_with_enter_keypad_enter_tab_or_the_quiet_after_it(end):
    lines = LineAssembler()
    keys = Keystrokes("us")
    assert lines.feed(keys.feed(recording(typed(CARD, end=end)))) == ([CARD] if end else [])
    assert lines.flush() == ([] if end else [CARD])


def test_autorepeat_and_the_scanner_s_usage_codes_type_nothing():
    """The kernel repeats a key held 250 ms: from a scanner that is a stall on the wire, not a second letter."""
    stalled = typed("RS")[:5] + press(K["KEY_R"], 2) + typed("RS")[5:]
    assert read_with("us", recording(stalled)) == ["RS"]


def test_keys_no_card_has_make_the_scan_unreadable():
    assert read_with("us", recording(typed("RS1", end=None) + tap("KEY_F5") + typed("x"))) == [None]
    assert read_with("us", recording(tap("KEY_Q", "KEY_LEFTMETA") + tap("KEY_ENTER"))) == [None]
    assert read_with("fr", recording(tap("KEY_2") + tap("KEY_ENTER"))) == [None]  # é: no card's character
    assert read_with("us", recording(typed("A" * (MAX_LINE + 1)) + typed(CARD))) == [None, CARD]


def test_lost_events_make_the_scan_unreadable_and_forget_the_held_keys():
    dropped = press(K["KEY_LEFTSHIFT"]) + [(ecodes.EV_SYN, ecodes.SYN_DROPPED, 0)]
    assert read_with("us", recording(dropped + tap("KEY_ENTER") + typed("abc"))) == [None, "abc"]


def test_alt_and_keypad_digits_type_any_character_whatever_the_layout():
    """A scanner's "Alt mode": Alt held, the character's number on the keypad."""
    def alt_code(character: str) -> list[tuple[int, int, int]]:
        digits = [e for d in f"{ord(character):03d}" for e in tap(f"KEY_KP{d}")]
        return press(K["KEY_LEFTALT"]) + digits + press(K["KEY_LEFTALT"], 0)
    events = [e for character in CARD for e in alt_code(character)] + tap("KEY_KPENTER")
    assert read_with("de", recording(events)) == [CARD]


def test_ctrl_types_the_control_characters_a_scanner_is_set_to_frame_a_code_with():
    framed = tap("KEY_B", "KEY_LEFTCTRL") + typed(CARD, end=None) + tap("KEY_C", "KEY_LEFTCTRL")
    assert read_with("us", recording(framed), prefix="\x02", suffix="\x03") == [CARD]
    assert read_with("us", recording(framed + tap("KEY_ENTER"))) == [None]  # not set: STX is no card's


# The reader: the same loop as on a device, fed through a pipe ------------------------------------------------

class Wire:
    """A named pipe that a KeyboardScanner reads as its device, and what it hands on."""

    def __init__(self, path: Path, layout: str = "us") -> None:
        self.path = path
        os.mkfifo(path)
        self.reads: queue.Queue = queue.Queue()
        self.connections: queue.Queue = queue.Queue()
        self.scanner = KeyboardScanner(str(path), layout, self.reads.put, lambda: self.reads.put(None),
                                       on_connected=self.connections.put, open_device=self.open)
        self.writer: int | None = None
        self.looked_for = 0

    def open(self, path: str):
        """Stands in for grabbing the device: the recorded stream comes through the named pipe, and its end
        (the writer gone) is the device unplugged, as a read of a vanished device fails."""
        self.looked_for += 1
        return os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb", buffering=0)

    def plug_in(self) -> None:
        if not self.path.exists():
            os.mkfifo(self.path)
        assert self.connections.get(timeout=5) is True
        self.writer = os.open(self.path, os.O_WRONLY)

    def unplug(self) -> None:
        self.path.unlink()
        assert self.writer is not None
        os.close(self.writer)
        self.writer = None

    def send(self, events: list[tuple[int, int, int]]) -> None:
        assert self.writer is not None
        os.write(self.writer, recording(events))

    def close(self) -> None:
        self.scanner.stop()
        if self.writer is not None:
            os.close(self.writer)


@pytest.fixture
def wire(tmp_path):
    running = Wire(tmp_path / "event-kbd")
    running.scanner.start()
    running.plug_in()
    yield running
    running.close()


def test_scans_reach_the_kiosk_and_garbage_is_reported(wire):
    wire.send(typed("]Q1" + CARD))
    assert wire.reads.get(timeout=2) == CARD
    wire.send(typed("RS1", end=None) + tap("KEY_ESC") + typed("x"))
    assert wire.reads.get(timeout=2) is None
    wire.send(typed("A" * (MAX_LINE + 1)))
    assert wire.reads.get(timeout=2) is None
    wire.send(typed(CARD, end=None))  # a scanner set to send no suffix: the quiet ends the scan
    assert wire.reads.get(timeout=2) == CARD
    assert wire.reads.empty()


def test_an_unplugged_scanner_is_read_again_soon_after_it_is_plugged_back(wire):
    wire.send(typed(CARD))
    assert wire.reads.get(timeout=2) == CARD
    wire.unplug()
    assert wire.connections.get(timeout=2) is False
    assert wire.scanner.connected is False  # what the screen shows: "scanner not connected"
    looked_for = wire.looked_for
    eventually(lambda: wire.looked_for >= looked_for + 3, timeout=6 * RETRY_EVERY,
               message="the unplugged scanner looked for every quarter of a second")
    assert wire.connections.empty()  # not found, so still "not connected"
    plugged = time.monotonic()
    os.mkfifo(wire.path)
    eventually(lambda: wire.scanner.connected, timeout=1.5, message="the scanner read again")
    assert time.monotonic() - plugged < 1.5
    wire.plug_in()
    wire.send(typed("RS1:s02:1:ABCDEFGHIJKLMNOP"))
    assert wire.reads.get(timeout=2) == "RS1:s02:1:ABCDEFGHIJKLMNOP"


# A real input device: a virtual keyboard --------------------------------------------------------------------

def test_a_virtual_scanner_is_grabbed_read_and_grabbed_again_after_a_replug():
    if not os.path.exists("/dev/uinput"):
        pytest.skip("no /dev/uinput in this kernel: opening, grabbing and unplugging a real input device are "
                    "tested only where it exists")
    if not os.access("/dev/uinput", os.W_OK):
        pytest.skip("/dev/uinput is not writable by this user")
    from evdev import InputDevice, UInput

    def plug_in() -> UInput:
        return UInput({ecodes.EV_KEY: sorted(set(K[name] for name in K if name.startswith("KEY_")
                                                 and 0 < K[name] < 256)),
                       ecodes.EV_MSC: [ecodes.MSC_SCAN]},
                      name="Rotation test barcode scanner", vendor=0x0C2E, product=0x0B61, bustype=ecodes.BUS_USB)

    def send(device: UInput, events: list[tuple[int, int, int]]) -> None:
        for kind, code, value in events:
            device.write(kind, code, value)

    reads: queue.Queue = queue.Queue()
    device = plug_in()
    scanner = KeyboardScanner("usb:0c2e:0b61", "de", reads.put, lambda: reads.put(None))
    scanner.start()
    try:
        eventually(lambda: scanner.connected, message="the virtual scanner grabbed")
        with pytest.raises(OSError):  # grabbed: no other program gets its keys
            InputDevice(str(device_node("usb:0c2e:0b61"))).grab()
        send(device, typed(CARD, "de"))
        assert reads.get(timeout=2) == CARD
        device.close()
        eventually(lambda: not scanner.connected, message="the unplugged scanner noticed")
        device = plug_in()
        eventually(lambda: scanner.connected, timeout=1.5, message="the scanner grabbed again")
        send(device, typed(CARD, "de"))
        assert reads.get(timeout=2) == CARD
    finally:
        scanner.stop()
        device.close()


# Finding the scanner ----------------------------------------------------------------------------------------

def fake_input_device(sys_input: Path, dev_input: Path, number: int, name: str, vendor: int, product: int,
                      keys: str = "ff9f207ac14057ff febeffdfffefffff fffffffffffffffe", by_id: str | None = None):
    """An input device as sysfs describes it (its key bitmap as the kernel writes it) and its /dev node."""
    device = sys_input / f"input{number}"
    (device / "id").mkdir(parents=True)
    (device / "capabilities").mkdir()
    (device / "name").write_text(name + "\n")
    for field, value in (("bustype", 3), ("vendor", vendor), ("product", product)):
        (device / "id" / field).write_text(f"{value:04x}\n")
    (device / "capabilities" / "key").write_text(keys + "\n")
    event = sys_input / f"event{number}"
    event.mkdir()
    (event / "device").symlink_to(device)
    (dev_input / f"event{number}").write_bytes(b"")
    if by_id:
        (dev_input / "by-id").mkdir(exist_ok=True)
        (dev_input / "by-id" / by_id).symlink_to(f"../event{number}")


@pytest.fixture
def plugged(tmp_path):
    sys_input, dev_input = tmp_path / "sys", tmp_path / "dev"
    sys_input.mkdir()
    dev_input.mkdir()
    fake_input_device(sys_input, dev_input, 2, "Logitech USB Keyboard", 0x046D, 0xC31C,
                      by_id="usb-Logitech_USB_Keyboard-event-kbd")
    fake_input_device(sys_input, dev_input, 3, "vc4-hdmi", 0, 0, keys="0")  # no keys: not listed
    fake_input_device(sys_input, dev_input, 11, "Honeywell Imaging & Mobility 1900", 0x0C2E, 0x0B61,
                      keys="1000000000007 ff800000000007ff febeffdfffefffff fffffffffffffffe",
                      by_id="usb-Honeywell_Imaging___Mobility_1900_18017B4E4F-event-kbd")
    return sys_input, dev_input


def test_scanners_are_listed_first_with_what_to_put_in_the_room_file(plugged, capsys):
    sys_input, dev_input = plugged
    found = keyboards(sys_input, dev_input)
    assert [k.name for k in found] == ["Honeywell Imaging & Mobility 1900", "Logitech USB Keyboard"]
    assert list_scanners(sys_input, dev_input) == 0
    out = capsys.readouterr().out
    scanner_line, keyboard_line = out.splitlines()[2:4]
    assert scanner_line.startswith("scanner ") and keyboard_line.startswith("keyboard ")
    assert str(dev_input / "by-id" / "usb-Honeywell_Imaging___Mobility_1900_18017B4E4F-event-kbd") in scanner_line
    assert "usb:0c2e:0b61" in scanner_line
    assert "scanner_layout" in out


def test_a_scanner_given_by_its_usb_identity_is_found_wherever_it_is_plugged(plugged):
    sys_input, dev_input = plugged
    assert device_node("usb:0C2E:0B61", sys_input, dev_input) == dev_input / "event11"
    with pytest.raises(FileNotFoundError):
        device_node("usb:05e0:1200", sys_input, dev_input)
    assert device_node("/dev/input/by-id/x-event-kbd", sys_input, dev_input) == Path("/dev/input/by-id/x-event-kbd")


def test_without_input_devices_the_listing_says_so(tmp_path, capsys):
    assert list_scanners(tmp_path / "sys", tmp_path / "dev") == 1
    assert "No input devices found" in capsys.readouterr().out
    (tmp_path / "sys").mkdir()
    (tmp_path / "dev").mkdir()
    assert list_scanners(tmp_path / "sys", tmp_path / "dev") == 1
    assert "is the scanner plugged in" in capsys.readouterr().out


def test_rotation_kiosk_scanners_is_a_command_and_the_kiosk_s_own_flags_still_work(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["kiosk", "scanners", "--help"])
    assert exit_.value.code == 0 and "usage: rotation kiosk scanners" in capsys.readouterr().out
    assert build_parser().parse_args(["kiosk", "--station", "reading"]).kiosk_command is None


# The room file -------------------------------------------------------------------------------------------------

def test_the_room_file_names_the_scanner_device_and_its_layout(tmp_path):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace('[kiosk]\n', '[kiosk]\nscanner_device = "usb:0c2e:0b61"\n'
                                                          'scanner_layout = "fr"\n'))
    kiosk = load_config(path).kiosk
    assert (kiosk.scanner_device, kiosk.scanner_layout) == ("usb:0c2e:0b61", "fr")
    reader = card_reader(kiosk, SimpleNamespace(scan=print, unreadable=print))
    assert isinstance(reader, KeyboardScanner) and reader.layout == "fr"
    assert not reads_window_keys(kiosk)  # the grabbed scanner types nothing into the window
    assert reads_window_keys(KioskConfig())


@pytest.mark.parametrize("line, message", [
    ('scanner_device = "/dev/ttyACM0"', """[kiosk] scanner_device = '/dev/ttyACM0': must be a "/dev/input/..." path"""),
    ('scanner_layout = "azerty"', "[kiosk] scanner_layout = 'azerty': must be one of us, uk, de, fr")])
def test_a_wrong_scanner_setting_is_named(tmp_path, line, message):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace("[kiosk]\n", f"[kiosk]\n{line}\n"))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
