#!/usr/bin/env python3
"""What a check-in costs the wall map: the map rebuilt, the tiles shown and two frames drawn, at 1280x720 and
1920x1080 with 30 students at 5 stations (tests/test_map_legibility.full_class). Not a test: prints a table.

    .venv/bin/python bench/map_redraw.py [--checkins 200]

Each check-in moves one student to another station, so two tiles change. The anchor, measured in the same
run on the same screen: two frames with nothing changed (Kivy paces frames at 60 Hz, so most of that is
waiting). Mesa's software renderer draws here; a Pi's GPU draws the frame after its hand-over.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edge import kivy_env  # noqa: E402

kivy_env.prepare(headless=True)

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from msgspec.structs import replace  # noqa: E402

from hub.display import RoomMapScreen  # noqa: E402
from hub.mapview import build_map  # noqa: E402
from shared.protocol import Presence  # noqa: E402
from tests.test_map_legibility import NOW, full_class  # noqa: E402

STATIONS = ("independent", "collab", "tech", "nook")


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def measure(size: tuple[int, int], checkins: int) -> dict[str, list[float]]:
    Window.size = size
    screen = RoomMapScreen(size=size)
    Window.add_widget(screen)
    state = full_class()
    students = sorted(state.students)
    screen.show(build_map("Room 12", state, {}, True, NOW), True, True)
    for _ in range(10):
        EventLoop.idle()
    found: dict[str, list[float]] = {"build": [], "show": [], "frames": [], "idle": []}
    for number in range(checkins):
        # Each student to the next station and back: the tiles stay as full as a lesson has them.
        student = students[number % len(students)]
        where = STATIONS[(number // len(students)) % len(STATIONS)]
        state = replace(state, presence={**state.presence, student: Presence(where, NOW + number)})
        start = time.perf_counter()
        room_map = build_map("Room 12", state, {}, True, NOW)
        built = time.perf_counter()
        screen.show(room_map, True, True)
        shown = time.perf_counter()
        EventLoop.idle()
        EventLoop.idle()
        drawn = time.perf_counter()
        EventLoop.idle()
        EventLoop.idle()
        found["idle"].append((time.perf_counter() - drawn) * 1000)
        found["build"].append((built - start) * 1000)
        found["show"].append((shown - built) * 1000)
        found["frames"].append((drawn - shown) * 1000)
    Window.remove_widget(screen)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=200)
    args = parser.parse_args()
    EventLoop.ensure_window()
    print(f"\nwall map after a check-in, {args.checkins} check-ins each, milliseconds (anchor measured in the "
          "same run)\n")
    print(f"{'screen':<11}{'step':<40}{'median':>9}{'p99':>9}   ratio to the anchor (median)")
    print("-" * 100)
    for size in ((1280, 720), (1920, 1080)):
        found = measure(size, args.checkins)
        anchor = statistics.median(found["idle"])
        total = [b + s + f for b, s, f in zip(found["build"], found["show"], found["frames"], strict=True)]
        for name, values in (("anchor: two frames, nothing changed", found["idle"]),
                             ("build_map (pure)", found["build"]), ("tiles shown (chips made, packed)", found["show"]),
                             ("two frames drawn", found["frames"]), ("all of it", total)):
            print(f"{size[0]}x{size[1]:<6}{name:<40}{statistics.median(values):>9.2f}{p99(values):>9.2f}"
                  f"   {statistics.median(values) / anchor:.2f}x")


if __name__ == "__main__":
    main()
