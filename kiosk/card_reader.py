"""Which card reader the room file gives this kiosk: a serial (or USB-CDC) scanner or a camera."""
from __future__ import annotations

from kiosk.scanners import GarbageHandler, ScannerThread, SerialScanner, TextHandler
from shared.config import KioskConfig


def card_reader(kiosk: KioskConfig, on_text: TextHandler, on_garbage: GarbageHandler) -> ScannerThread | None:
    """The reader set in ``[kiosk]``, not started; None when the kiosk has none of its own (a keyboard-wedge
    scanner typing into the window still works)."""
    if kiosk.serial_port:
        return SerialScanner(kiosk.serial_port, kiosk.serial_baud, on_text, on_garbage)
    if kiosk.camera:
        from kiosk.camera import CameraScanner, camera_source  # zbar and the camera tools only where used

        return CameraScanner(camera_source(kiosk.camera), on_text)
    return None
