"""Which DRM card has the screen, for SDL's KMSDRM driver on the console: read from sysfs, waited for at boot.

A Pi has several ``/dev/dri/card*``: the v3d GPU (render only, no connectors), the vc4 display controller
(HDMI; on a Pi 4 also DSI), and on a Pi 5 one more card per RP1 DSI or DPI output. Their numbers come in
probe order and change between boots, and SDL opens the first card it lists that has a screen at that moment:
a touch display still starting (the Touch Display 2 takes seconds) leaves it a wrong or no card, and a black
screen. So the card is chosen here, from ``/sys/class/drm/cardN-<connector>/status``, and handed to SDL as
``SDL_KMSDRM_DEVICE_INDEX`` (the same hint name in SDL2 and SDL3) before Kivy is imported.
"""
from __future__ import annotations

import atexit
import logging
import os
import re
import termios
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from edge.stop_signals import on_stop, workers_leave_stop_signals_to_main

SYSFS_DRM = Path("/sys/class/drm")
DEV_DRI = Path("/dev/dri")
SCREEN_WAIT_SECONDS = 60.0  # then SDL's own choice; if it finds none, a wait as long, then a restart by systemd
WAIT_VARIABLE = "ROTATION_SCREEN_WAIT"  # seconds, for both waits (a bench or a test without a screen)
POLL_SECONDS = 0.5
DEVICE_INDEX = "SDL_KMSDRM_DEVICE_INDEX"  # SDL_HINT_KMSDRM_DEVICE_INDEX, in SDL 2.24+ and SDL3 alike
VIDEO_DRIVERS = ("SDL_VIDEODRIVER", "SDL_VIDEO_DRIVER")  # SDL2's name, SDL3's (Kivy 3)
PANELS = ("DSI", "DPI")  # a touch display's connectors, first when a monitor is plugged in too
# vc4's writeback connector (a copy of the picture into memory, no screen) says "connected" on every Pi.
NOT_SCREENS = ("Writeback",)

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)  # a kiosk logs only warnings; which screen it took is what a black screen's journal needs

_CONNECTOR = re.compile(r"card(\d+)-(.+)")
_CARD = re.compile(r"card(\d+)")


@dataclass(frozen=True)
class Connector:
    name: str  # as the kernel names it: HDMI-A-1, DSI-1, Writeback-1
    status: str  # connected, disconnected or unknown
    enabled: bool  # lit now (by the console or the last program)

    @property
    def kind(self) -> str:
        return self.name.rsplit("-", 1)[0]

    @property
    def is_screen(self) -> bool:
        return self.status == "connected" and self.kind not in NOT_SCREENS


@dataclass(frozen=True)
class Card:
    number: int  # the N of /dev/dri/cardN, what SDL's hint takes
    driver: str | None  # vc4-drm, drm-rp1-dsi, v3d
    stable_path: Path | None  # its /dev/dri/by-path/ name, the same every boot
    connectors: tuple[Connector, ...]

    @property
    def screens(self) -> tuple[Connector, ...]:
        return tuple(c for c in self.connectors if c.is_screen)

    def __str__(self) -> str:
        shown = self.screens or tuple(c for c in self.connectors if c.kind not in NOT_SCREENS)
        names = ", ".join(c.name if c.is_screen else f"{c.name} {c.status}" for c in shown) or "no connectors"
        about = ", ".join(str(part) for part in (self.driver, self.stable_path) if part)
        return f"card{self.number} {names}" + (f" ({about})" if about else "")


def survey(sysfs: Path = SYSFS_DRM, dev: Path = DEV_DRI) -> tuple[Card, ...]:
    """Every DRM card and its connectors as the kernel shows them now, by card number."""
    if not sysfs.is_dir():
        return ()
    connectors: dict[int, list[Connector]] = {}
    numbers = []
    for entry in sysfs.iterdir():
        if card := _CARD.fullmatch(entry.name):
            numbers.append(int(card[1]))
        elif connector := _CONNECTOR.fullmatch(entry.name):
            connectors.setdefault(int(connector[1]), []).append(Connector(
                connector[2], _read(entry / "status") or "unknown", _read(entry / "enabled") == "enabled"))
    stable = _stable_paths(dev)
    return tuple(Card(n, _driver(sysfs / f"card{n}"), stable.get(n),
                      tuple(sorted(connectors.get(n, ()), key=lambda c: c.name))) for n in sorted(numbers))


def choose(cards: tuple[Card, ...], only: int | None = None) -> Card | None:
    """The card to draw on: one with a screen connected, a touch display's before a monitor's, one lit now before
    one not, then by its stable name (its number changes between boots). ``only``: that card or none."""
    showing = [card for card in cards if card.screens and only in (None, card.number)]
    if not showing:
        return None
    return min(showing, key=lambda card: (
        not any(c.kind in PANELS for c in card.screens),
        not any(c.enabled for c in card.screens),
        str(card.stable_path or ""),
        card.number,
    ))


def wait_for_screen(look: Callable[[], Card | None], timeout: float = SCREEN_WAIT_SECONDS,
                    every: float = POLL_SECONDS, clock: Callable[[], float] = time.monotonic,
                    sleep: Callable[[float], None] = time.sleep) -> Card | None:
    """After a first look found nothing: ``look()`` again every ``every`` seconds until it finds a card, or None
    once ``timeout`` seconds have passed."""
    deadline = clock() + timeout
    while clock() < deadline:
        sleep(every)
        if (card := look()) is not None:
            return card
    return None


def on_console(environ: MutableMapping[str, str]) -> bool:
    """Whether SDL will draw on the console's screen itself (KMSDRM), not in a desktop's window or offscreen."""
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return False
    return any(environ.get(name) == "kmsdrm" for name in VIDEO_DRIVERS)


def choose_console_screen(environ: MutableMapping[str, str] = os.environ, sysfs: Path = SYSFS_DRM,
                          dev: Path = DEV_DRI, timeout: float = SCREEN_WAIT_SECONDS,
                          clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                          terminal: int | None = 0) -> Card | None:
    """On the console, wait for a screen and tell SDL (2 and 3) which card it is on; elsewhere do nothing.
    Call before Kivy is imported. An ``SDL_KMSDRM_DEVICE_INDEX`` already set (a systemd drop-in) is kept, and
    waited for. ``terminal``: the console's (standard input under systemd), kept from echoing keys meanwhile."""
    if not on_console(environ):
        return None
    if terminal is not None and (echo_back := stop_echo(terminal)) is not None:
        atexit.register(echo_back)
    for name in VIDEO_DRIVERS:
        environ[name] = "kmsdrm"
    given = environ.get(DEVICE_INDEX, "").strip()
    only = int(given) if given.isdigit() else None

    def look() -> Card | None:
        return choose(survey(sysfs, dev), only)

    card = look()
    if card is None:
        wanted = f"card{only}" if only is not None else "any card"
        log.info("screen: waiting up to %.0f s for a screen connected to %s; now: %s", timeout, wanted,
                 _describe(survey(sysfs, dev)))
        card = wait_for_screen(look, timeout, clock=clock, sleep=sleep)
    if card is None:
        log.warning("screen: none connected after %.0f s (%s); SDL chooses", timeout, _describe(survey(sysfs, dev)))
        return None
    if only is None:
        environ[DEVICE_INDEX] = str(card.number)
        log.info("screen: %s", card)
    else:
        log.info("screen: %s, as %s=%s says", card, DEVICE_INDEX, given)
    return card


class NoScreen(Exception):
    """No window could open: the message says in one line what SDL tried, why it failed and what to check."""


def screen_wait(environ: MutableMapping[str, str] = os.environ) -> float:
    try:
        return max(float(environ.get(WAIT_VARIABLE, "")), 0.0)
    except ValueError:
        return SCREEN_WAIT_SECONDS


@contextmanager
def window_opened(stop: threading.Event, environ: MutableMapping[str, str] = os.environ, sysfs: Path = SYSFS_DRM,
                  dev: Path = DEV_DRI) -> Iterator[None]:
    """Around the import that makes Kivy open its window: NoScreen if it opened none, and then ``stop`` is set
    at SIGINT or SIGTERM. Kivy's own report of that (a page of tracebacks, the cause in the middle) stays out
    of the journal; the cause goes into the one line.

    A stop meanwhile waits for the outcome: SDL installs its own SIGINT and SIGTERM handlers as it starts (to
    close its window), and a start that failed leaves them there, where a stop would be swallowed."""
    kivy_log = logging.getLogger("kivy")
    caught = _Caught()
    kivy_log.addHandler(caught)
    propagate, kivy_log.propagate = kivy_log.propagate, False
    with workers_leave_stop_signals_to_main():
        try:
            yield
        finally:
            kivy_log.removeHandler(caught)
            kivy_log.propagate = propagate
        from kivy.core.window import Window

        if Window is not None:
            for record in caught.records:  # what Kivy said about a window it did open is the journal's as before
                kivy_log.handle(record)
            return
        on_stop(stop.set)  # before the stop signals are let through
    raise NoScreen(no_screen_line(caught.causes(), environ, survey(sysfs, dev)))


def no_screen_line(causes: list[str], environ: MutableMapping[str, str], cards: tuple[Card, ...]) -> str:
    driver = next((environ[name] for name in VIDEO_DRIVERS if environ.get(name)), "SDL's default")
    index = environ.get(DEVICE_INDEX)
    tried = f"{driver} on card{index}" if index and driver == "kmsdrm" else driver
    said = "; ".join(causes) or "no reason given"
    check = ("check that the screen is plugged in (a touch display's ribbon cable both ends) and powered, and that "
             "`ls /sys/class/drm` lists a card with it; a card chosen by SDL_KMSDRM_DEVICE_INDEX must be that one"
             if driver == "kmsdrm" else "check that this session has a screen (DISPLAY or WAYLAND_DISPLAY)")
    return f"screen: none to draw on: SDL tried {tried} and said {said!r} (graphics cards: {_describe(cards)}); {check}"


class _Caught(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def causes(self) -> list[str]:
        """What each window provider said, from Kivy's report: ``sdl2 - RuntimeError: b'kmsdrm not available'``."""
        found = (_PROVIDER_ERROR.search(line) for record in self.records for line in record.getMessage().splitlines())
        return [f"{m['provider']}: {m['bytes'] or m['text']}" for m in found if m]


_PROVIDER_ERROR = re.compile(r"^(?P<provider>\w+) - \w+(?:Error|Exception): (?:b'(?P<bytes>.*)'|(?P<text>.*))$")


def stop_echo(fd: int = 0) -> Callable[[], None] | None:
    """Stop the console showing what a keyboard-mode scanner types until SDL takes the keyboard (it turns the
    console's keyboard off while it runs); returns what turns echo back on, or None if ``fd`` is no terminal."""
    try:
        before = termios.tcgetattr(fd)
    except termios.error:
        return None
    quiet = list(before)
    quiet[3] &= ~termios.ECHO  # the local modes
    termios.tcsetattr(fd, termios.TCSANOW, quiet)

    def echo_back() -> None:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, before)
        except termios.error:
            pass  # hung up: systemd's TTYReset= resets it

    return echo_back


def _describe(cards: tuple[Card, ...]) -> str:
    return "; ".join(str(card) for card in cards) or "no DRM cards"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _driver(card: Path) -> str | None:
    try:
        return os.readlink(card / "device" / "driver").rsplit("/", 1)[-1]
    except OSError:
        return None


def _stable_paths(dev: Path) -> dict[int, Path]:
    """card number -> its /dev/dri/by-path/...-card link (udev makes them from where the device sits)."""
    stable = {}
    try:
        links = sorted((dev / "by-path").iterdir())
    except OSError:
        return {}
    for link in links:
        try:
            card = _CARD.fullmatch(Path(os.readlink(link)).name)
        except OSError:
            continue
        if card and link.name.endswith("-card"):
            stable[int(card[1])] = link
    return stable
