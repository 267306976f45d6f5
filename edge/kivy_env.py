"""Settings Kivy reads at import time. Call ``prepare()`` before the first ``import kivy``."""
from __future__ import annotations

import os
import tempfile

ROTATION = "KCFG_GRAPHICS_ROTATION"  # Kivy's [graphics] rotation, read when kivy.config is imported


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("SDL_VIDEODRIVER") in ("kmsdrm", "wayland", "x11"))


def prepare(headless: bool | None = None, window_size: tuple[int, int] | None = None,
            smooth_edges: bool = True) -> bool:
    """Quiet, argument-free Kivy with an interruptible clock, so a scan from another thread is drawn at
    once instead of at the next tick. Returns whether Kivy will render offscreen.

    ``smooth_edges=False`` turns off multisampling, for a screen of text and upright rectangles (the kiosk),
    which it does not change: it costs four samples a pixel, a 6 MB colour and depth buffer each at 800x480,
    and the time to draw them."""
    if headless is None:
        headless = not has_screen()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_CLOCK", "interrupt")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    os.environ.setdefault("KIVY_IMAGE", "sdl2")  # PNG in and out is all we need; the other providers load PIL
    if not smooth_edges:
        os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", "0")
    # Mesa's software renderer (no GPU: a headless run, a VM) splits each frame across worker threads; for
    # an 800x480 kiosk they draw it no faster than the thread that flips it, and on two cores they fight the
    # scanner and MQTT threads for the CPU. A GPU driver ignores this.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    os.environ.setdefault("KIVY_HOME", os.path.join(tempfile.gettempdir(), f"rotation-kivy-{os.getuid()}"))
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # sounds "play" silently instead of failing
    if window_size:  # the window opens at this size, so a window manager places it whole
        if os.environ.get(ROTATION) in ("90", "270"):  # Kivy's width and height are the panel's, before turning
            window_size = (window_size[1], window_size[0])
        os.environ.setdefault("KCFG_GRAPHICS_WIDTH", str(window_size[0]))
        os.environ.setdefault("KCFG_GRAPHICS_HEIGHT", str(window_size[1]))
    return headless


def rotate(degrees: int) -> None:
    """Turn the picture (0, 90, 180 or 270 degrees) for a screen mounted turned: Kivy turns the touches with it.
    Call before ``prepare()``; the window opens turned."""
    os.environ[ROTATION] = str(degrees)


def finish_each_frame(window) -> None:
    """Offscreen, make each flip wait until its frame is drawn, as a screen's buffer swap does.

    SDL's offscreen window draws into a pbuffer, whose swap does nothing, so Mesa's software renderer never
    has a reason to draw: it queues frame after frame, keeping every texture they used, until something
    forces it. A kiosk grew by 0.3 MB a scan; with this it stays flat. Bind it after the app's own
    ``on_flip`` handlers (the last bound runs first), so they see the frame drawn. On a screen it does nothing.
    """
    if os.environ.get("SDL_VIDEODRIVER") != "offscreen":
        return
    from kivy.graphics.opengl import glFinish

    window.fbind("on_flip", lambda *_: glFinish())
