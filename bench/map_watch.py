"""The teacher display's link in its own process, as in a classroom, telling each check-in as the map shows it.

    python bench/map_watch.py ROOM_TOML

Prints "ready" once it has the room's state; then, each time the map shows a student at a station with a newer
check-in than it showed before, a line "STUDENT STATION AT SHOWN": AT the check-in's time (the event's), SHOWN
time.monotonic() (system-wide) when the map showed it.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import start_as_the_display  # noqa: E402
from hub.display_link import DisplayLink  # noqa: E402
from shared.config import load_config  # noqa: E402


def main(config_path: str) -> None:
    link = DisplayLink(load_config(config_path))
    shown: dict[str, float] = {}

    def on_map(room_map) -> None:
        state = link.state
        if state is None:
            return
        now = time.monotonic()
        for tile in room_map.tiles:
            for tag in tile.here + tile.wrong:
                presence = state.presence.get(tag.student_id)
                if presence is not None and presence.at > shown.get(tag.student_id, float("-inf")):
                    shown[tag.student_id] = presence.at
                    print(tag.student_id, tile.station_id, repr(presence.at), now, flush=True)
    link.map_listeners.append(on_map)
    start_as_the_display(link)
    sys.stdin.read()  # until the bench is done
    link.stop()


if __name__ == "__main__":
    main(sys.argv[1])
