"""A camera as the card scanner, for a kiosk without a handheld one: the Pi camera or a USB webcam.

The camera's own tool streams raw frames to a pipe: ``rpicam-vid`` for the Pi camera (it comes with
Raspberry Pi OS), ``ffmpeg`` for a V4L2 webcam. Each frame's brightness plane is searched for QR codes
with zbar (pyzbar). A card held up is seen in frame after frame, so a code is handed on once, and again
only after it has been out of sight for a moment.
"""
from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from pyzbar import pyzbar

from kiosk.scanners import ScannerThread, TextHandler

log = logging.getLogger("rotation.kiosk.camera")
WIDTH, HEIGHT, FPS = 640, 480, 8
FORGET_SECONDS = 1.5  # out of sight this long, the same card shown again is a new scan


@dataclass(frozen=True)
class CameraSource:
    """The command that streams frames, how many bytes each frame is, and how many of them are the
    brightness plane (the first ones)."""
    command: list[str]
    frame_bytes: int
    width: int = WIDTH
    height: int = HEIGHT


def camera_source(camera: str, width: int = WIDTH, height: int = HEIGHT, fps: int = FPS) -> CameraSource:
    """``pi`` for the Pi camera, or a V4L2 device such as ``/dev/video0``."""
    if camera == "pi":
        return CameraSource(["rpicam-vid", "--nopreview", "-t", "0", "--codec", "yuv420", "--width", str(width),
                             "--height", str(height), "--framerate", str(fps), "-o", "-"],
                            width * height * 3 // 2, width, height)
    return CameraSource(["ffmpeg", "-loglevel", "error", "-f", "v4l2", "-video_size", f"{width}x{height}", "-i",
                         camera, "-vf", f"fps={fps},format=gray", "-f", "rawvideo", "-"],
                        width * height, width, height)


def decode(brightness: bytes, width: int, height: int) -> list[str]:
    """The QR codes' texts in one frame's brightness plane (8 bits a pixel)."""
    found = pyzbar.decode((brightness, width, height), symbols=[pyzbar.ZBarSymbol.QRCODE])
    texts = []
    for symbol in found:
        try:
            texts.append(symbol.data.decode("ascii"))
        except UnicodeDecodeError:
            continue  # not one of ours
    return texts


class SeenCodes:
    """Hands on a code when it comes into sight. Pure: the caller passes in the time."""

    def __init__(self, forget_seconds: float = FORGET_SECONDS) -> None:
        self.forget_seconds = forget_seconds
        self._last_seen: dict[str, float] = {}

    def new(self, texts: list[str], now: float) -> list[str]:
        fresh = [t for t in texts if now - self._last_seen.get(t, -1e9) > self.forget_seconds]
        for text in texts:
            self._last_seen[text] = now
        self._last_seen = {t: at for t, at in self._last_seen.items() if now - at <= self.forget_seconds}
        return fresh


class CameraScanner(ScannerThread):
    """Runs the camera's tool on its own thread and hands on each card that comes into sight; starts the
    tool again if it stops (the camera was unplugged, say)."""
    thread_name = "camera-scanner"

    def __init__(self, source: CameraSource, on_text: TextHandler,
                 on_connected: Callable[[bool], None] = lambda connected: None) -> None:
        super().__init__(on_connected)
        self.source = source
        self.on_text = on_text
        self._seen = SeenCodes()
        self._process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        self._stopping.set()
        if self._process and self._process.poll() is None:
            self._process.terminate()
        super().stop()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._process = subprocess.Popen(self.source.command, stdout=subprocess.PIPE,
                                                 stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            except OSError as error:
                log.warning("cannot start the camera (%s): %s", self.source.command[0], error)
            else:
                self._read(self._process)
                self._process.wait()
            self._set_connected(False)
            self._stopping.wait(1.0)

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        plane = self.source.width * self.source.height
        frames = process.stdout
        assert frames is not None, "the camera's tool is started with stdout=PIPE"
        while not self._stopping.is_set():
            frame = frames.read(self.source.frame_bytes)
            if len(frame) < self.source.frame_bytes:
                if not self._stopping.is_set():
                    log.warning("the camera stopped sending pictures")
                return
            self._set_connected(True)
            for text in self._seen.new(decode(frame[:plane], self.source.width, self.source.height),
                                       time.monotonic()):
                try:
                    self.on_text(text)
                except Exception:  # whatever went wrong with one scan, the next one must still be read
                    log.exception("handling a scan failed")
