"""The teacher display's link in its own process, as in a classroom, reporting when the map shows a scan.

Reads one student id per line on stdin and answers "armed"; then prints time.monotonic() (system-wide)
once the map shows that student at the station given on the command line with a newer check-in than the
one it showed when armed.
"""
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time  # noqa: E402

from bench.timing import start_as_the_display  # noqa: E402
from hub.display_link import DisplayLink  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(config_path: str, station: str) -> None:
    link = DisplayLink(load_config(config_path))
    target: dict = {}
    lock = threading.Lock()

    def checked_in_at(student: str) -> float:
        presence = link.state.presence.get(student) if link.state else None
        return presence.at if presence else float("-inf")

    def on_map(room_map) -> None:
        with lock:
            want = target.get("student")
            if not want or checked_in_at(want) <= target["after"]:
                return
            tile = room_map.tile(station)
            if any(t.student_id == want for t in tile.here + tile.wrong):
                target.clear()
                print(time.monotonic(), flush=True)
    link.map_listeners.append(on_map)
    start_as_the_display(link)
    for line in sys.stdin:
        student = line.strip()
        with lock:
            target.update(student=student, after=checked_in_at(student))
        print("armed", flush=True)
    link.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
