"""A keyboard-mode (USB HID) scanner read from its input device, not from the kiosk's window.

The device is grabbed (EVIOCGRAB): its keys reach nothing else, neither the console's login prompt under
KMSDRM nor the window, so a scan counts whether or not the window has focus. Its keys are read with the layout
the scanner types with (``scanner_layout``), whatever the kiosk's own keyboard layout. Unplugged, it is looked
for every quarter of a second and grabbed again as soon as it is back.

The reading runs on the bytes of the device's file descriptor, ``struct input_event`` records as the kernel
writes them, so the same loop reads a recording of them from a pipe.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from kiosk.input_devices import device_node
from kiosk.keystrokes import INPUT_EVENT, Keystrokes
from kiosk.scanners import QUIET_GAP, GarbageHandler, LineReader, TextHandler

log = logging.getLogger("rotation.kiosk.scanner")
RETRY_EVERY = 0.25  # seconds between looks for an unplugged scanner: read again well within a second of its return


class Readable(Protocol):
    def fileno(self) -> int: ...


DeviceOpener = Callable[[str], AbstractContextManager[Readable]]


@contextmanager
def grabbed(setting: str) -> Iterator[Readable]:
    """The scanner ``scanner_device`` names, open and grabbed for as long as it is used; OSError if it is not
    plugged in, not readable by this user or grabbed by another program."""
    from evdev import InputDevice  # only a kiosk with a scanner device needs python-evdev

    device = InputDevice(str(device_node(setting)))
    try:
        device.grab()
        yield device
    finally:
        device.close()


class KeyboardScanner(LineReader):
    """Reads a keyboard-wedge scanner's input device on its own thread; grabs it again when it is plugged back."""
    thread_name = "keyboard-scanner"

    def __init__(self, device: str, layout: str, on_text: TextHandler, on_garbage: GarbageHandler,
                 on_connected: Callable[[bool], None] = lambda connected: None, line_timeout: float = QUIET_GAP,
                 prefix: str = "", suffix: str = "", open_device: DeviceOpener = grabbed) -> None:
        super().__init__(on_text, on_garbage, on_connected, line_timeout, prefix, suffix)
        self.device, self.layout = device, layout
        self.open_device = open_device
        self._why_not = ""  # why it could not be opened, last time: said once, not four times a second

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self.open_device(self.device) as device:
                    self._why_not = ""
                    self._set_connected(True)
                    # The keys as they come, read with the scanner's layout.
                    self._read_scans(device.fileno(), INPUT_EVENT.size * 64, Keystrokes(self.layout).feed)
            except Exception as error:  # OSError from the device; anything else (evdev missing) is said once too
                self._not_read(error)
                self._set_connected(False)
                self._stopping.wait(RETRY_EVERY)

    def _not_read(self, error: Exception) -> None:
        if self.connected:
            log.warning("scanner %s lost: %s", self.device, error)
        elif str(error) != self._why_not:
            hint = " (is the kiosk's user in the input group?)" if isinstance(error, PermissionError) else ""
            log.warning("scanner %s cannot be read: %s%s", self.device, error, hint)
        self._why_not = str(error)
