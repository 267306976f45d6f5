"""Whether there is a screen to draw on: a DISPLAY left over from a closed session names no X server, and SDL
would draw the map offscreen without a word. Real sockets stand in for the X server: a listening one is all
that is asked of it."""
import os
import socket

import pytest

from edge.kivy_env import missing_screen


@pytest.fixture
def no_other_screen(monkeypatch):
    for name in ("WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def unused_display_number() -> int:
    return next(n for n in range(4000 + os.getpid() % 1000, 6000) if not os.path.exists(f"/tmp/.X{n}-lock"))


def test_a_display_whose_x_server_is_gone_is_no_screen_and_says_which(no_other_screen):
    number = unused_display_number()
    no_other_screen.setenv("DISPLAY", f":{number}")
    assert missing_screen() == f"no X server answers at DISPLAY=:{number}"
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # a port nobody listens on
        no_other_screen.setenv("DISPLAY", f"127.0.0.1:{closed.getsockname()[1] - 6000}.0")
        assert missing_screen() is not None
    no_other_screen.delenv("DISPLAY")
    assert missing_screen() == "no screen attached"
    no_other_screen.setenv("SDL_VIDEODRIVER", "kmsdrm")  # a Pi's screen, straight from the kernel
    assert missing_screen() is None


def test_a_display_whose_x_server_answers_is_a_screen_on_this_machine_or_over_ssh(no_other_screen):
    number = unused_display_number()
    with socket.socket(socket.AF_UNIX) as local:
        local.bind(f"\0/tmp/.X11-unix/X{number}")  # where an X server listens on Linux
        local.listen()
        no_other_screen.setenv("DISPLAY", f":{number}")
        assert missing_screen() is None
    with socket.socket() as forwarded:  # ssh -X listens on 6000 + 10 and up
        forwarded.bind(("127.0.0.1", 0))
        forwarded.listen()
        no_other_screen.setenv("DISPLAY", f"127.0.0.1:{forwarded.getsockname()[1] - 6000}.0")
        assert missing_screen() is None
