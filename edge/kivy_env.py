"""Settings Kivy reads at import time. Call ``prepare()`` before the first ``import kivy``."""
from __future__ import annotations

import os
import re
import socket
import tempfile

ROTATION = "KCFG_GRAPHICS_ROTATION"  # Kivy's [graphics] rotation, read when kivy.config is imported
X_DISPLAY = re.compile(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?")  # ":0", "localhost:10.0"


def missing_screen() -> str | None:
    """Why Kivy would find no screen to open its window on, or None if it may find one."""
    display = os.environ.get("DISPLAY")
    if display and x_server_answers(display):
        return None
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("SDL_VIDEODRIVER") in ("kmsdrm", "wayland", "x11"):
        return None
    return f"no X server answers at DISPLAY={display}" if display else "no screen attached"


def has_screen() -> bool:
    return missing_screen() is None


def x_server_answers(display: str, timeout: float = 1.0) -> bool:
    """Whether an X server takes a connection at ``display``. With DISPLAY left over from a closed session,
    SDL draws the window offscreen without a word, and the map is shown nowhere."""
    named = X_DISPLAY.fullmatch(display)
    if named is None:
        return True  # a form SDL may know that this does not: its to judge
    host, number = named["host"], int(named["number"])
    if host not in ("", "unix"):
        try:
            socket.create_connection((host, 6000 + number), timeout=timeout).close()
            return True
        except OSError:
            return False
    for path in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):  # abstract, then the file
        with socket.socket(socket.AF_UNIX) as local:
            local.settimeout(timeout)
            try:
                local.connect(path)
                return True
            except OSError:
                continue
    return False


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
