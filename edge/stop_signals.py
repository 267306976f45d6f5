"""A service's stop (SIGINT, SIGTERM) reaches its main thread, whichever thread the kernel gives it to.

Python runs signal handlers in the main thread alone, and only when it runs Python code. The kernel hands a
signal sent to the process to any thread that does not block it: one that lands on a worker (the MQTT
client's, a timer's) leaves the main thread asleep in its wait until another signal comes. A hub under test
ignored its SIGTERM this way for 30 s, until the second one. So workers start with the stop signals blocked (a
thread inherits the mask of the thread that starts it, and so do the threads those start), and the kernel can
give them only to the main thread, whose wait they interrupt."""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def on_stop(handler: Callable[[], None]) -> None:
    """Call ``handler`` (in the main thread) at SIGINT or SIGTERM."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: handler())


@contextmanager
def workers_leave_stop_signals_to_main() -> Iterator[None]:
    """Threads started inside this block (and the threads they start) never take SIGINT or SIGTERM. One that
    comes meanwhile waits, and reaches the main thread when the block ends."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def stop_event() -> threading.Event:
    """An event set at SIGINT or SIGTERM. Made before the service starts: a stop that comes while it starts
    (systemd's, or a test's once the service is online) is then kept, not the default death."""
    stop = threading.Event()
    on_stop(stop.set)
    return stop
