"""A scanner set up otherwise than the room file says, on real parts: the serial wire is a pseudo-terminal
that delivers what a port at its current speed would read of the scanner's own speed (tests/uart.py)."""
import os
import termios
import threading

import pytest
from kivy.base import EventLoop

from hub.display import StationTile
from kiosk.app import KioskPresenter, KioskScreen
from kiosk.card_reader import card_reader
from kiosk.core import KioskCore
from kiosk.scan_parsing import LineAssembler
from kiosk.serial_speed import COMMON_SPEEDS, HUNT_AFTER, SpeedHunt
from shared.config import ConfigError, load_config
from tests.conftest import card, eventually, pump, room_changed
from tests.uart import as_heard_at

SPEEDS = {getattr(termios, f"B{speed}"): speed for speed in COMMON_SPEEDS}


def test_a_scanner_at_another_speed_is_found_never_blamed_on_a_student_and_told_to_the_teacher(
        room, tmp_path, kivy_window, hub, display, serial_wire):
    master, path = serial_wire
    link, map_screen, _ = display
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk = KioskScreen(size=(800, 480))
    kivy_window.add_widget(kiosk)
    presenter = KioskPresenter(core, kiosk)
    config = room.kiosk.__class__(serial_port=path, serial_baud=9600)
    reader = card_reader(config, core)
    presenter.watch_scanner(reader)
    opened = threading.Event()
    reader.on_connected = lambda connected: connected and opened.set()
    core.start()
    reader.start()
    try:
        assert opened.wait(5)
        eventually(lambda: core.state is not None and link.state is not None, message="the room state")
        said, statuses = [], []
        for _ in range(10):  # Sofia scans again and again, her scanner set to 38400 baud
            port_speed = SPEEDS[termios.tcgetattr(master)[4]]
            heard = reader.speed.bursts
            os.write(master, as_heard_at(card("s05").encode() + b"\r", 38400, port_speed))
            eventually(lambda heard=heard: reader.speed.bursts > heard, message="the scan to be heard out")
            for _ in range(3):  # the frames that draw what the kiosk decided
                EventLoop.idle()
            said.append(kiosk.title)
            statuses.append(kiosk.status)
            if kiosk.title == "Hi Sofia R.":
                break
        assert said == ["Let's try that again"] * HUNT_AFTER + ["Your card is fine"] * 2 + ["Hi Sofia R."]
        assert "The card scanner is not set up right: please tell your teacher" in statuses
        pump(lambda: not kiosk.status, message="the kiosk's warning to go once cards read")

        def nook() -> StationTile:
            return next(w for w in map_screen.ids.tiles.children
                        if isinstance(w, StationTile) and w.title == "Reading Nook")
        pump(lambda: nook().kiosk_text == "SCANNER SPEED", message="the map to flag the scanner")
        assert "Reading Nook: scanner speed: try 38400 (serial_baud in its room file)." in map_screen.alert
        eventually(lambda: hub.store.event_count() == 1, message="Sofia's check-in at the hub")
    finally:
        reader.stop()
        presenter.close()
        core.stop()


def test_a_scanner_that_has_read_a_card_is_never_hunted_for():
    hunt = SpeedHunt(9600)
    assert hunt.burst(["RS1:s05:1:AAAAAAAAAAAAAAAA"]) is None
    for _ in range(10):  # bent cards, a sleeve in the way: the students' doing, not the scanner's
        assert hunt.burst([None]) is None
    assert not hunt.hunting and hunt.speed == 9600


def test_noise_tries_each_common_speed_in_turn_and_round_again():
    hunt = SpeedHunt(9600)
    tried = [hunt.burst([None]) for _ in range(HUNT_AFTER - 1 + 2 * len(COMMON_SPEEDS))]
    assert tried[:HUNT_AFTER - 1] == [None] * (HUNT_AFTER - 1) and hunt.hunting
    speeds = tried[HUNT_AFTER - 1:]
    assert set(speeds[:len(COMMON_SPEEDS) - 1]) == set(COMMON_SPEEDS) - {9600}  # every other speed once
    assert 9600 in speeds[len(COMMON_SPEEDS) - 1:]  # then round again, the room file's among them


def test_clean_text_that_is_no_card_never_sets_off_a_hunt():
    hunt = SpeedHunt(9600)
    for _ in range(10):  # a book's barcode, a worksheet's QR code: read at the right speed
        assert hunt.burst(["9780140449136"]) is None
    assert not hunt.hunting


def test_a_usb_cdc_scanner_ignores_speed_and_is_never_hunted_for():
    hunt = SpeedHunt(9600, hunts=False)
    assert [hunt.burst([None]) for _ in range(10)] == [None] * 10 and not hunt.hunting


@pytest.mark.parametrize("prefix, suffix, wire", [
    ("\x02", "\x03", [b"\x02RS1:s05\x03\x02RS1:s06\x03"]),
    ("#", "<END>", [b"#RS1:s05<E", b"ND>#RS1:s06<", b"END>"]),  # a suffix split between reads
    ("", "##", [b"RS1:s05##RS1:s06#", b"#"]),  # a suffix that ends as it starts
    ("@", "", [b"]Q1@RS1:s05\r@]Q1RS1:s06\r"]),  # the AIM identifier on either side of the prefix
])
def test_a_prefix_and_suffix_set_on_the_scanner_are_dropped_and_the_suffix_ends_the_scan(prefix, suffix, wire):
    lines = LineAssembler(prefix=prefix, suffix=suffix)
    assert [text for chunk in wire for text in lines.feed(chunk)] == ["RS1:s05", "RS1:s06"]


@pytest.mark.parametrize("setting", ['scanner_suffix = "RS1"', 'scanner_prefix = ""', 'scanner_suffix = "é"'])
def test_a_scanner_affix_a_card_could_hold_is_refused_with_where_it_is(tmp_path, setting):
    path = room_changed(tmp_path, 1883, "[kiosk]\n", f"[kiosk]\n{setting}\n")
    with pytest.raises(ConfigError, match=r"room\.toml.*scanner_(prefix|suffix).*no card holds"):
        load_config(path)
