"""The screen on any Raspberry Pi: the DRM card SDL draws on, chosen from sysfs trees modelled on a Pi 4's and a
Pi 5's (not read from real boards), waited for at boot; and the room's rotation, for picture and touch alike.

The trees are built as the kernel lays them out (drivers/gpu/drm/drm_sysfs.c: a connector is
/sys/class/drm/card<N>-<connector>, whose ``status`` reads connected, disconnected or unknown and ``enabled``
enabled or disabled; ``card<N>/device/driver`` links to its driver) and udev names cards in /dev/dri/by-path/.
What is on each board, from listings people posted:
- Pi 4: card0 is v3d (render only), card1 is vc4-drm with HDMI-A-1, HDMI-A-2, DSI-1 and Writeback-1
  (raspberrypi/linux#6078, Bookworm with the 7" touch display; toyota-connected/ivi-homescreen#403), and
  by-path names platform-fec00000.v3d-card and platform-gpu-card (raysan5/raylib#2031, Idein py-videocore6).
- Pi 5: v3d, drm-rp1-dsi (the DSI touch display) and vc4-drm (HDMI-A-1, HDMI-A-2, Writeback-1), numbered
  card0/card1/card2 on one boot (puterboy/HAOS-kiosk#42: by-path platform-1002000000.v3d-card,
  platform-1f00130000.dsi-card, platform-axi:gpu-card; ivi-homescreen#403) and with the DSI card as card0 on
  another (batocera-linux/batocera.linux#16559); raspberrypi/linux#5403 shows numbers swapping between boots.
- vc4's writeback connector always says "connected" (drivers/gpu/drm/vc4/vc4_txp.c), though it is no screen.
"""
import logging
import os
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from edge import screens
from edge.screens import DEVICE_INDEX, choose, choose_console_screen, stop_echo, survey
from rotation.cli import NO_SCREEN_EXIT
from shared.config import ConfigError, load_config
from shared.topics import Topics
from tests.conftest import ROOT, card, room_changed
from tests.mqtt_client import TestClient

V3D, VC4, RP1_DSI = "v3d", "vc4-drm", "drm-rp1-dsi"
PI4_PATHS = {V3D: "platform-fec00000.v3d-card", VC4: "platform-gpu-card"}
PI5_PATHS = {V3D: "platform-1002000000.v3d-card", RP1_DSI: "platform-1f00130000.dsi-card",
             VC4: "platform-axi:gpu-card"}


def board(root: Path, cards: dict[int, tuple[str, dict[str, str]]], paths: dict[str, str]) -> tuple[Path, Path]:
    """A /sys/class/drm and a /dev/dri under ``root``: card number -> (driver, {connector: status}).
    A connected connector is enabled, as the console lights it at boot. Returns (sysfs, dev)."""
    sysfs, dev = root / "sys" / "class" / "drm", root / "dev" / "dri"
    (dev / "by-path").mkdir(parents=True)
    sysfs.mkdir(parents=True)
    (sysfs / "version").write_text("drm 1.1.0 20060810\n")
    for number, (driver, connectors) in cards.items():
        (sysfs / f"card{number}" / "device").mkdir(parents=True)
        (sysfs / f"card{number}" / "device" / "driver").symlink_to(f"../../../../bus/platform/drivers/{driver}")
        (dev / f"card{number}").touch()
        (dev / "by-path" / paths[driver]).symlink_to(f"../card{number}")
        for name, status in connectors.items():
            connector = sysfs / f"card{number}-{name}"
            connector.mkdir()
            (connector / "status").write_text(status + "\n")
            (connector / "enabled").write_text("enabled\n" if status == "connected" else "disabled\n")
    (sysfs / "renderD128").mkdir()
    return sysfs, dev


def pi4(root: Path, hdmi: str = "disconnected", dsi: str = "disconnected") -> tuple[Path, Path]:
    return board(root, {0: (V3D, {}), 1: (VC4, {"HDMI-A-1": hdmi, "HDMI-A-2": "disconnected", "DSI-1": dsi,
                                                "Writeback-1": "connected"})}, PI4_PATHS)


def pi5(root: Path, numbers: dict[str, int], hdmi: str = "disconnected",
        dsi: str = "disconnected") -> tuple[Path, Path]:
    return board(root, {numbers[V3D]: (V3D, {}), numbers[RP1_DSI]: (RP1_DSI, {"DSI-1": dsi}),
                        numbers[VC4]: (VC4, {"HDMI-A-1": hdmi, "HDMI-A-2": "disconnected",
                                             "Writeback-1": "connected"})}, PI5_PATHS)


ONE_BOOT = {V3D: 0, RP1_DSI: 1, VC4: 2}  # HAOS-kiosk#42
ANOTHER_BOOT = {RP1_DSI: 0, V3D: 1, VC4: 2}  # batocera#16559


def test_a_pi_4_with_a_monitor_on_hdmi_draws_on_the_vc4_card_not_the_gpu(tmp_path):
    sysfs, dev = pi4(tmp_path, hdmi="connected")
    card = choose(survey(sysfs, dev))
    assert card is not None and card.number == 1
    assert str(card) == f"card1 HDMI-A-1 ({VC4}, {dev}/by-path/platform-gpu-card)"


@pytest.mark.parametrize("numbers", [ONE_BOOT, ANOTHER_BOOT], ids=["dsi-card1", "dsi-card0"])
def test_a_pi_5_touch_display_is_found_whatever_number_its_card_has_this_boot(tmp_path, numbers):
    sysfs, dev = pi5(tmp_path, numbers, dsi="connected")
    card = choose(survey(sysfs, dev))
    assert card is not None and card.number == numbers[RP1_DSI]  # not vc4, whose writeback says "connected"
    assert str(card) == f"card{numbers[RP1_DSI]} DSI-1 ({RP1_DSI}, {dev}/by-path/platform-1f00130000.dsi-card)"


def test_a_touch_display_comes_before_a_monitor_plugged_in_too(tmp_path):
    sysfs, dev = pi5(tmp_path, ONE_BOOT, hdmi="connected", dsi="connected")
    assert choose(survey(sysfs, dev)).number == ONE_BOOT[RP1_DSI]


@pytest.mark.parametrize("make", [pi4, lambda root: pi5(root, ONE_BOOT)], ids=["pi4", "pi5"])
def test_nothing_connected_yet_is_no_screen_neither_the_render_only_gpu_nor_a_writeback(tmp_path, make):
    sysfs, dev = make(tmp_path)
    cards = survey(sysfs, dev)
    assert [c.connectors for c in cards if c.driver == V3D] == [()]
    assert choose(cards) is None


def test_the_service_waits_for_a_screen_that_appears_on_the_third_look(tmp_path, caplog):
    sysfs, dev = pi5(tmp_path, ANOTHER_BOOT)  # the Touch Display 2 still starting
    clock = FakeClock()

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.sleeps == 2:
            (sysfs / "card0-DSI-1" / "status").write_text("connected\n")

    environ = {"SDL_VIDEODRIVER": "kmsdrm"}
    with caplog.at_level(logging.INFO, logger="edge.screens"):
        card = choose_console_screen(environ, sysfs, dev, clock=clock.now, sleep=sleep, terminal=None)
    assert card.number == 0 and clock.sleeps == 2
    assert environ == {"SDL_VIDEODRIVER": "kmsdrm", "SDL_VIDEO_DRIVER": "kmsdrm", DEVICE_INDEX: "0"}
    waiting, chosen = caplog.messages
    assert waiting.startswith("screen: waiting up to 60 s for a screen connected to any card; now: card0 DSI-1 "
                              "disconnected (drm-rp1-dsi, ")
    assert chosen.startswith("screen: card0 DSI-1 (drm-rp1-dsi, ")


def test_after_a_minute_without_a_screen_sdl_chooses_with_a_warning(tmp_path, caplog):
    sysfs, dev = pi4(tmp_path)
    clock = FakeClock()
    environ = {"SDL_VIDEODRIVER": "kmsdrm"}
    with caplog.at_level(logging.INFO, logger="edge.screens"):
        assert choose_console_screen(environ, sysfs, dev, clock=clock.now, sleep=clock.sleep, terminal=None) is None
    assert clock.now() >= screens.SCREEN_WAIT_SECONDS  # so a restart by systemd comes a minute later, not sooner
    assert DEVICE_INDEX not in environ
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith("screen: none connected after 60 s (card0 no connectors (v3d, ")


def test_an_index_set_by_hand_is_kept_and_its_card_waited_for(tmp_path):
    sysfs, dev = pi5(tmp_path, ONE_BOOT, hdmi="connected", dsi="connected")
    environ = {"SDL_VIDEO_DRIVER": "kmsdrm", DEVICE_INDEX: "2"}  # a systemd drop-in: the monitor, not the panel
    card = choose_console_screen(environ, sysfs, dev, terminal=None)
    assert card.number == 2 and environ[DEVICE_INDEX] == "2"
    assert environ["SDL_VIDEODRIVER"] == environ["SDL_VIDEO_DRIVER"] == "kmsdrm"  # SDL2's name and SDL3's


@pytest.mark.parametrize("environ", [{}, {"SDL_VIDEODRIVER": "offscreen"}, {"DISPLAY": ":0"},
                                     {"WAYLAND_DISPLAY": "wayland-0", "SDL_VIDEODRIVER": "kmsdrm"}],
                         ids=["nothing", "offscreen", "x11", "wayland"])
def test_a_desktop_or_an_offscreen_run_is_left_alone(tmp_path, environ):
    sysfs, dev = pi4(tmp_path, hdmi="connected")
    before = dict(environ)
    assert choose_console_screen(environ, sysfs, dev, sleep=pytest.fail, terminal=None) is None
    assert environ == before


def test_keys_typed_on_the_console_before_sdl_takes_the_keyboard_are_not_shown():
    controller, terminal = os.openpty()
    try:
        echo_back = stop_echo(terminal)
        assert not termios.tcgetattr(terminal)[3] & termios.ECHO
        echo_back()
        assert termios.tcgetattr(terminal)[3] & termios.ECHO
        read_end, write_end = os.pipe()
        assert stop_echo(read_end) is None  # no terminal: nothing to quiet
        os.close(read_end)
        os.close(write_end)
    finally:
        os.close(controller)
        os.close(terminal)


class FakeClock:
    def __init__(self):
        self.time = 0.0
        self.sleeps = 0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds
        self.sleeps += 1


# The room's rotation

@pytest.mark.parametrize("section", ["kiosk", "display"])
def test_the_room_file_takes_a_rotation_for_the_kiosk_and_the_display(tmp_path, section):
    def turned(degrees: int) -> Path:
        lines = f"[{section}]\nrotation = {degrees}\n"
        return room_changed(tmp_path, 1883, "[kiosk]\n", lines if section == "kiosk" else lines + "[kiosk]\n")

    assert getattr(load_config(turned(90)), section).rotation == 90
    with pytest.raises(ConfigError, match=rf"\[{section}\] rotation = 45: must be one of 0, 90, 180, 270"):
        load_config(turned(45))


def test_kivy_opens_its_window_turned_as_the_room_says():
    """In a fresh process, as `rotation kiosk` starts: the rotation is set before Kivy reads its config."""
    probe = ("from edge import kivy_env; kivy_env.rotate(90); kivy_env.prepare(headless=True, window_size=(800, 480));"
             "from kivy.config import Config;"
             "print(Config.getint('graphics', 'rotation'), Config.getint('graphics', 'width'),"
             " Config.getint('graphics', 'height'))")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KCFG_")}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environ, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["90", "480", "800"], result.stderr  # the panel portrait, the picture landscape


def test_a_kiosk_turned_a_quarter_is_pressed_where_its_button_is_drawn(kivy_window):
    from kivy.base import EventLoop
    from kivy.tests.common import UTMotionEvent

    from kiosk.app import KioskScreen

    kivy_window.rotation = 90
    try:
        kivy_window.size = (800, 480)  # the picture's size; the panel is turned
        assert tuple(kivy_window.system_size) == (480, 800)  # a portrait panel
        kiosk = KioskScreen(size=(800, 480))
        kiosk.teacher, kiosk.teacher_label = True, "Teacher"  # the button at the picture's bottom left
        kivy_window.add_widget(kiosk)
        pressed = []
        kiosk.bind(on_open_teacher=lambda *_: pressed.append(True))
        x, y = where_drawn(kiosk.ids.teacher, frames=EventLoop.idle)
        assert x > 400 and y < 200  # the picture's bottom edge along the panel's right side; its left, low
        touch = UTMotionEvent("unittest", 1, {"x": x / (480 - 1), "y": y / (800 - 1)})  # as SDL gives a finger
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        assert pressed == [True]
    finally:
        kivy_window.rotation = 0
        kivy_window.size = (800, 480)


def where_drawn(widget, frames) -> tuple[float, float]:
    """The middle of the pixels the widget lights on the panel (from its bottom left), found by drawing the frame
    with it and without it. Offscreen, only the rows of the drawing surface SDL opened with the session's first
    window can be read back (480 or 600, as the test that opened it had Kivy's config): above them,
    glReadPixels returns whatever memory held, which an earlier test's frames may have left different from one
    read to the next. So only the lowest 480 rows are read."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    width = Window.system_size[0]
    rows = min(Window.system_size[1], 480)

    def panel() -> bytes:
        for _ in range(3):
            frames()
        return glReadPixels(0, 0, width, rows, GL_RGB, GL_UNSIGNED_BYTE)

    shown = panel()
    widget.opacity = 0
    hidden = panel()
    widget.opacity = 1
    lit = [i // 3 for i in range(0, len(shown), 3) if shown[i:i + 3] != hidden[i:i + 3]]
    assert lit, "the widget is drawn nowhere"
    return sum(i % width for i in lit) / len(lit), sum(i // width for i in lit) / len(lit)


class Journal:
    """A service's stderr as its journal would hold it, read as it comes."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._came = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            with self._came:
                self.lines.append(line)
                self._came.notify_all()

    def wait_for(self, words: str, timeout: float) -> str:
        with self._came:
            assert self._came.wait_for(lambda: any(words in line for line in self.lines), timeout), \
                f"no {words!r} in:\n{''.join(self.lines)}"
            return next(line for line in self.lines if words in line)

    def whole(self) -> str:
        self._thread.join(10)
        return "".join(self.lines)


def without_a_screen(command: list[str], wait: float) -> tuple[subprocess.Popen, Journal]:
    """``rotation ...`` as its systemd unit starts it (KMSDRM, Kivy's SDL2 window) on a machine with no DRM device."""
    environ = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environ |= {"SDL_VIDEODRIVER": "kmsdrm", "KIVY_WINDOW": "sdl2", "SDL_AUDIODRIVER": "dummy",
                screens.WAIT_VARIABLE: str(wait)}
    process = subprocess.Popen([sys.executable, "-m", "rotation.cli", *command], stdin=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=environ, cwd=ROOT)
    return process, Journal(process)


NO_SCREEN_LINE = ("screen: none to draw on: SDL tried kmsdrm and said 'sdl2: kmsdrm not available' (graphics cards: "
                  "no DRM cards); check that the screen is plugged in")


@pytest.mark.skipif(Path("/dev/dri").exists(), reason="this machine has a DRM device")
def test_a_kiosk_without_a_screen_says_so_in_one_line_and_waits_while_cards_still_reach_the_hub(
        room, broker, tmp_path, serial_wire):
    wire, device = serial_wire
    watcher = TestClient(broker.port, Topics(room.room_id).kiosk_event("reading-nook"))
    kiosk, journal = without_a_screen(["kiosk", "--config", str(room.path), "--station", "reading-nook", "--serial",
                                       device, "--outbox", str(tmp_path / "outbox.db")], wait=5)
    try:
        journal.wait_for("waiting up to 5 s for a screen", timeout=30)
        os.write(wire, card("s05").encode() + b"\r")  # a student scans while the kiosk waits for its screen
        watcher.wait_for(Topics(room.room_id).kiosk_event("reading-nook"), lambda e: e["card"] == card("s05"))
        said = journal.wait_for("none to draw on", timeout=30)  # then waits as long again, for systemd to stop it
        assert NO_SCREEN_LINE in said and said.rstrip().endswith("Trying again in 5 s.")
        assert kiosk.poll() is None, "the kiosk stopped instead of waiting"
        kiosk.terminate()  # systemctl stop, meanwhile
        assert kiosk.wait(10) == 0
    finally:
        kiosk.kill()
        watcher.close()
    log = journal.whole()
    assert log.count("none to draw on") == 1 and "Traceback" not in log and "AttributeError" not in log, log


@pytest.mark.skipif(Path("/dev/dri").exists(), reason="this machine has a DRM device")
def test_the_map_without_a_screen_says_so_and_waits_before_systemd_starts_it_again(room):
    display, journal = without_a_screen(["hub", "display", "--config", str(room.path), "--fullscreen"], wait=2)
    try:
        said = journal.wait_for("none to draw on", timeout=30)
        told = time.monotonic()
        assert NO_SCREEN_LINE in said
        assert display.wait(30) == NO_SCREEN_EXIT  # for systemd to start it again, as the screen may be there then
        assert time.monotonic() - told >= 2 * 0.9, "it ended at once: with Restart=always that is a loop"
    finally:
        display.kill()
    log = journal.whole()
    assert log.count("none to draw on") == 1 and "Traceback" not in log and "AttributeError" not in log, log
