"""A kiosk in its own process, as in a classroom: the real kiosk core reading a serial scanner on the
pseudo-terminal named on the command line. Prints "ready" once it knows the room and the hub's time, then runs
until its stdin closes.

    python bench/kiosk_probe.py ROOM_TOML STATION PTY OUTBOX
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edge.heap import freeze_startup_objects  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from kiosk.scanners import SerialScanner  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(config_path: str, station: str, pty: str, outbox: str) -> None:
    core = KioskCore(load_config(config_path), station, Path(outbox))
    scanner = SerialScanner(pty, 9600, core.scan, core.unreadable)
    core.start()
    scanner.start()
    # A kiosk just started knows the hub's time only from retained messages until a live one comes: its
    # check-ins are stamped early till then, and a student moving to it would seem to have come before.
    deadline = time.monotonic() + 30
    while not (core.state is not None and scanner.connected and core.hub_clock.synced):
        if time.monotonic() > deadline:
            raise SystemExit(f"kiosk {station} never got ready")
        time.sleep(0.01)
    freeze_startup_objects()
    print("ready", flush=True)
    sys.stdin.read()
    scanner.stop()
    core.stop()


if __name__ == "__main__":
    main(*sys.argv[1:5])
