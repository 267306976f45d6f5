"""Slow work for a Kivy screen (checking a teacher's PIN takes about a second on a Pi, on purpose): done on a
thread of its own, so no frame waits for it, and its answer handed back on Kivy's thread."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from kivy.clock import Clock

T = TypeVar("T")


def off_frame(work: Callable[[], T], then: Callable[[T], None], name: str = "off-frame") -> None:
    """``then(work())``, with ``work`` off Kivy's thread and ``then`` on it, at the next frame."""
    def run() -> None:
        answer = work()
        Clock.schedule_once(lambda dt: then(answer), 0)
    threading.Thread(target=run, name=name, daemon=True).start()
