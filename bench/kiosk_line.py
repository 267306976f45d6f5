#!/usr/bin/env python3
"""A line of students at one kiosk. Not a test: prints a table.

    .venv/bin/python bench/kiosk_line.py [--lines 5] [--students 6] [--apart 2] [--reaction 1.2]

Six students reach the reading nook together and scan --apart seconds apart. Each one, when their own
question is on the kiosk's screen, taps an activity after --reaction seconds (a child reading, or looking at
the pictures), then a goal after as long again: real touches on the real kiosk screen (Kivy, offscreen),
through the real broker (on its accounts) and the hub. The line has cleared when the last goal is stored at
the hub. Every answer must be stored for the student who gave it.

Anchor, measured in the same run: one student alone at the kiosk, from scan to goal stored. Six students
can clear no sooner than the last one's scan plus that (the bar of issue 17 is 20 s).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge import kivy_env  # noqa: E402

kivy_env.prepare(headless=True, window_size=(800, 480), smooth_edges=False)

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

from hub.service import HubService  # noqa: E402
from kiosk.app import KioskPresenter, KioskScreen  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import make_token  # noqa: E402
from shared.config import load_config  # noqa: E402

STATION = "reading-nook"
ACTIVITIES = ("Read a book", "Listen to a story", "Write a review")
GOALS = ("Finish what I start", "Try something hard", "Help a friend", "Ask a good question")


def frame() -> None:
    EventLoop.idle()


def tap(screen: KioskScreen, label: str) -> None:
    button = next(b for b in screen.ids.choices.children if b.text.endswith(label))
    touch = UnitTestTouch(*button.to_window(*button.center))
    touch.touch_down()
    touch.touch_up()


def stored(hub: HubService, since_rowid: int) -> list[tuple[str, str, str]]:
    rows = hub.store.db.execute("SELECT student, kind, data FROM events WHERE rowid > ? AND kind IN "
                                "('choice', 'goal') ORDER BY rowid", (since_rowid,)).fetchall()
    return [(student, kind, next(iter(json.loads(data).values()))) for student, kind, data in rows]


def last_rowid(hub: HubService) -> int:
    return hub.store.db.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]


def run_line(hub, core, screen, students: list[str], apart: float, reaction: float) -> tuple[float, bool]:
    """Seconds from the first scan to the last goal stored, and whether every answer is the student's own."""
    since = last_rowid(hub)
    names = {s: core.state.students[s].name for s in students}
    wanted = {s: (ACTIVITIES[i % len(ACTIVITIES)], GOALS[i % len(GOALS)]) for i, s in enumerate(students)}
    answered: dict[str, int] = {s: 0 for s in students}  # 0: choice next, 1: goal next, 2: done
    seen_at: dict[tuple[str, int], float] = {}
    start = time.perf_counter()
    scanned = 0
    while True:
        now = time.perf_counter() - start
        while scanned < len(students) and now >= scanned * apart:
            core.scan(make_token(core.config.secret, students[scanned]))
            scanned += 1
        frame()
        on_screen = next((s for s in students if names[s] in screen.title and answered[s] < 2), None)
        asked = {"ask:choice": 0, "ask:goal": 1}.get(screen.outcome)
        if on_screen is not None and asked == answered[on_screen]:
            first_seen = seen_at.setdefault((on_screen, asked), now)
            if now - first_seen >= reaction:
                frame()
                tap(screen, wanted[on_screen][asked])
                answered[on_screen] += 1
        if all(step == 2 for step in answered.values()):
            break
        if now > 120:
            raise SystemExit(f"the line did not clear in two minutes: {answered}")
        time.sleep(0.005)
    expected = sorted((s, kind, wanted[s][i]) for s in students for i, kind in enumerate(("choice", "goal")))
    while sorted(stored(hub, since)) != expected and time.perf_counter() - start < 130:
        frame()
        time.sleep(0.002)
    cleared = time.perf_counter() - start
    return cleared, sorted(stored(hub, since)) == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5, help="how many lines (default 5)")
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--apart", type=float, default=2.0, help="seconds between scans (default 2)")
    parser.add_argument("--reaction", type=float, default=1.2, help="seconds before each tap (default 1.2)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rotation-line-"))
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    roster = (work / "roster.csv").read_text().splitlines()
    # Enough students in the reading nook's group: the first ones of the roster join it.
    reading_group = "lynxes"
    rows = [roster[0]] + [",".join(r.split(",")[:3] + [reading_group] + r.split(",")[4:])
                          if i <= args.students else r for i, r in enumerate(roster[1:], start=1)]
    (work / "roster.csv").write_text("\n".join(rows) + "\n")
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        hub = HubService(config)
        hub.start()
        core = KioskCore(config, STATION, work / "outbox.db")
        EventLoop.ensure_window()
        Window.size = (800, 480)
        screen = KioskScreen(size=(800, 480))
        Window.add_widget(screen)
        presenter = KioskPresenter(core, screen)
        core.start()
        try:
            deadline = time.monotonic() + 20
            while core.state is None and time.monotonic() < deadline:
                frame()
            students = [s for s, st in sorted(core.state.students.items()) if st.group == reading_group]
            students = students[:args.students]
            alone, lines, right = [], [], True
            for number in range(args.lines):
                solo, ok = run_line(hub, core, screen, students[number % len(students):][:1], 0, args.reaction)
                alone.append(solo)
                right &= ok
                core._last_scan = ("", 0.0)
                took, ok = run_line(hub, core, screen, students, args.apart, args.reaction)
                lines.append(took)
                right &= ok
                core._last_scan = ("", 0.0)
                print(f"line {number + 1}: cleared in {took:.2f} s (alone: {solo:.2f} s)", flush=True)
        finally:
            presenter.close()
            core.stop()
            hub.stop()
    bound = [(args.students - 1) * args.apart + a for a in alone]
    print(f"\nA line of {args.students} students scanning {args.apart:g} s apart, each tapping an activity "
          f"then a goal {args.reaction:g} s after each question shows ({args.lines} lines; seconds)\n")
    print(f"{'':<58} {'median':>8} {'max':>8}   ratio")
    print("-" * 90)
    print(f"{'anchor: one student alone, scan -> goal stored':<58} {statistics.median(alone):8.2f} "
          f"{max(alone):8.2f}")
    print(f"{'bound: last scan + one student alone':<58} {statistics.median(bound):8.2f} {max(bound):8.2f}")
    print(f"{'the line: first scan -> last goal stored at the hub':<58} {statistics.median(lines):8.2f} "
          f"{max(lines):8.2f}   {statistics.median(lines) / statistics.median(bound):.2f}x the bound (bar: 20 s)")
    print(f"\nevery answer stored for the student who gave it: {'yes' if right else 'NO'}")
    if not right or max(lines) > 20:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
