"""What the benches share: percentiles, waiting on a condition, and a display link made ready as the display's."""
from __future__ import annotations

import time

from edge.heap import freeze_startup_objects
from hub.display_link import DisplayLink


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def wait_for(condition, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.01)


def start_as_the_display(link: DisplayLink) -> None:
    """Start the link, wait for the room, and say "ready" to the bench that started this probe."""
    link.start()
    while link.state is None:
        time.sleep(0.01)
    freeze_startup_objects()  # as the display app does once started
    print("ready", flush=True)
