"""Settings Kivy reads at import time. Call ``prepare()`` before the first ``import kivy``."""
from __future__ import annotations

import os
import tempfile


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("SDL_VIDEODRIVER") in ("kmsdrm", "wayland", "x11"))


def prepare(headless: bool | None = None, window_size: tuple[int, int] | None = None) -> bool:
    """Quiet, argument-free Kivy with an interruptible clock, so a scan from another thread is drawn at
    once instead of at the next tick. Returns whether Kivy will render offscreen."""
    if headless is None:
        headless = not has_screen()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_CLOCK", "interrupt")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    # Mesa's software renderer (no GPU: a headless run, a VM) splits each frame across worker threads; for
    # an 800x480 kiosk the hand-offs cost more than they save and, on two cores, they fight the scanner and
    # MQTT threads for the CPU: one thread halves the slowest frames. A GPU driver ignores this.
    os.environ.setdefault("LP_NUM_THREADS", "1")
    os.environ.setdefault("KIVY_HOME", os.path.join(tempfile.gettempdir(), f"rotation-kivy-{os.getuid()}"))
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # sounds "play" silently instead of failing
    if window_size:  # the window opens at this size, so a window manager places it whole
        os.environ.setdefault("KCFG_GRAPHICS_WIDTH", str(window_size[0]))
        os.environ.setdefault("KCFG_GRAPHICS_HEIGHT", str(window_size[1]))
    return headless
