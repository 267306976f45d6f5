"""The teacher display's link in its own process, as in a classroom, reporting when the map shows a scan.

Reads "student_id previous_at" lines on stdin; prints time.monotonic() (system-wide) once the map shows
that student at the station given on the command line with a newer check-in.
"""
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time  # noqa: E402

from hub.display_link import DisplayLink  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(config_path: str, station: str) -> None:
    link = DisplayLink(load_config(config_path))
    target: dict = {}
    lock = threading.Lock()

    def on_map(room_map) -> None:
        with lock:
            want = target.get("student")
            state = link.state
            if not want or state is None or want not in state.presence:
                return
            tile = room_map.tile(station)
            if state.presence[want].at > target["after"] and any(t.student_id == want for t in tile.here + tile.wrong):
                target.clear()
                print(time.monotonic(), flush=True)
    link.map_listeners.append(on_map)
    link.start()
    while link.state is None:
        time.sleep(0.01)
    print("ready", flush=True)
    for line in sys.stdin:
        student, after = line.split()
        with lock:
            target.update(student=student, after=float(after))
        on_map(link.map)
    link.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
