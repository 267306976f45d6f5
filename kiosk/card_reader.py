"""Which card reader the room file gives this kiosk: a serial (or USB-CDC) scanner, a keyboard-mode scanner's
input device, or a camera."""
from __future__ import annotations

from kiosk.core import KioskCore
from kiosk.scanners import ScannerThread, SerialScanner
from shared.config import KioskConfig


def card_reader(kiosk: KioskConfig, core: KioskCore) -> ScannerThread | None:
    """The reader set in ``[kiosk]``, handing its scans to ``core``, not started; None when the kiosk has none
    of its own (a keyboard-wedge scanner typing into the window still works)."""
    if kiosk.serial_port:
        return SerialScanner(kiosk.serial_port, kiosk.serial_baud, core.scan, core.unreadable,
                             prefix=kiosk.scanner_prefix or "", suffix=kiosk.scanner_suffix or "",
                             on_set_up_wrong=core.scanner_set_up_wrong, on_speed=core.scanner_reads_at)
    if kiosk.scanner_device:
        from kiosk.wedge import KeyboardScanner  # python-evdev only where used

        return KeyboardScanner(kiosk.scanner_device, kiosk.scanner_layout, core.scan, core.unreadable,
                               prefix=kiosk.scanner_prefix or "", suffix=kiosk.scanner_suffix or "")
    if kiosk.camera:
        from kiosk.camera import CameraScanner, camera_source  # zbar and the camera tools only where used

        return CameraScanner(camera_source(kiosk.camera), core.scan)
    return None


def reads_window_keys(kiosk: KioskConfig) -> bool:
    """Whether the kiosk's window takes a keyboard-wedge scanner's typing: not when the scanner is read from its
    device, which is grabbed, so nothing it types reaches the window, while a keyboard's Enter would be taken for
    a scan."""
    return kiosk.keyboard_wedge and not kiosk.scanner_device
