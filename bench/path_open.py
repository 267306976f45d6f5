#!/usr/bin/env python3
"""How fast "My path" opens at the kiosk. Not a test: prints a table.

    .venv/bin/python bench/path_open.py [--taps 80] [--after 1.0]

Each student has 30 lessons of history in the hub's database. A student scans at the real kiosk (the hub a
process of its own, every client on its own broker account); ``--after`` seconds later, as a student who reads
their greeting first, a finger taps "My path" (a real touch, down and up, on the button where it is drawn).
Measured: the finger lifting -> the first frame that shows the path drawn (flipped, and finished by Mesa's
software renderer). The anchor, measured alike in the same run: a tap on the idle screen that changes the least
a tap can (one label's words: the clock's) -> the next frame drawn. The bar is a 60 Hz frame at the p99.
"""
from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge import kivy_env  # noqa: E402
from edge.heap import large_blocks_straight_back  # noqa: E402

large_blocks_straight_back()  # as `rotation kiosk` does
kivy_env.prepare(headless=True, window_size=(800, 480), smooth_edges=False)  # as kiosk.app does

from bench.timing import percentile, wait_for  # noqa: E402
from edge.heap import freeze_startup_objects  # noqa: E402
from hub.store import HubStore  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import PATH_LESSONS  # noqa: E402
from tests.path_history import add_past_lessons  # noqa: E402

FRAME_MS = 1000 / 60
STATION = "reading-nook"


def measure(config, tokens: dict[str, str], taps: int, after: float, work: Path) -> tuple[list[float], list[float]]:
    """Runs the real kiosk screen in Kivy's main loop and drives scans and taps from another thread. Returns
    (the anchor's times, "My path"'s times), in milliseconds."""
    from kivy.base import EventLoop, runTouchApp, stopTouchApp
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from kiosk.app import KioskPresenter, KioskScreen
    from kiosk.path_panel import PathPanel

    core = KioskCore(config, STATION, work / "outbox.db")
    core.start()
    wait_for(lambda: core.state is not None and core.hub_clock.synced, what="the kiosk to get the room state")
    EventLoop.ensure_window()
    Window.size = (800, 480)
    screen = KioskScreen(size=(800, 480))
    presenter = KioskPresenter(core, screen)
    presenter.refresh()
    freeze_startup_objects()  # as KioskApp.on_start does
    drawn = threading.Event()
    tapped = {"at": 0.0, "waiting": None}

    def on_drawn(*_):
        waiting = tapped["waiting"]
        if waiting is not None and waiting():
            tapped["waiting"] = None
            tapped["drawn"] = time.perf_counter()
            drawn.set()
    # The last bound runs first: the renderer finishes the frame (as in KioskApp), then it counts as drawn.
    Window.bind(on_flip=on_drawn)
    kivy_env.finish_each_frame(Window)

    def on_main(work) -> None:
        done = threading.Event()
        Clock.schedule_once(lambda dt: (work(), done.set()), 0)
        if not done.wait(5):
            raise SystemExit("the Kivy loop did not run a callback in 5 s")

    def tap(widget, until, also=lambda: None) -> float:
        """A finger down and up on ``widget`` (and ``also()`` as it lifts); the time from its lifting to the
        first frame drawn with ``until()`` true."""
        drawn.clear()

        def touch() -> None:
            finger = UnitTestTouch(*widget().to_window(*widget().center))
            finger.touch_down()
            tapped["waiting"] = until
            tapped["at"] = time.perf_counter()
            finger.touch_up()
            also()
        on_main(touch)
        if not drawn.wait(5):
            raise SystemExit("no frame was drawn within 5 s of a tap")
        return (tapped["drawn"] - tapped["at"]) * 1000

    anchor: list[float] = []
    opened: list[float] = []
    state = core.state
    students = [s for s in tokens if (at := state.expected_station(s)) is not None and at.id == STATION]
    if not students:
        raise SystemExit(f"no student of the running class is expected at {STATION}")
    failed: list[BaseException] = []

    def drive() -> None:
        try:
            wait_for(lambda: EventLoop.status == "started", what="the Kivy loop")
            for index in range(taps):
                on_main(lambda: (presenter.close_path(), presenter.view.clear(), presenter.refresh()))
                time.sleep(after)
                # The least a tap can change: one label's words (the clock's), drawn in the next frame.
                anchor.append(tap(lambda: screen.ids.status, lambda: True,
                                  lambda index=index: setattr(screen, "clock", f"{index % 60}:00")))
                student = students[index % len(students)]
                core._last_scan = ("", 0.0)
                core.scan(tokens[student])
                time.sleep(after)  # the student reads their greeting; their path comes meanwhile
                if presenter.path_panel is None or core.path_of(student) is None:
                    raise SystemExit(f"the path of {student} had not come {after} s after the scan")

                def shown(student=student) -> bool:
                    panel = next((w for w in screen.children if isinstance(w, PathPanel)), None)
                    return panel is not None and presenter.my_path.owner is not None \
                        and presenter.my_path.owner.student_id == student
                opened.append(tap(lambda: screen.ids.my_path, shown))
                panel = presenter.path_panel
                if panel is None or len(panel.ids.lessons.children) != 4:
                    raise SystemExit("the path on screen is not the student's four newest lessons")
        except BaseException as error:  # noqa: BLE001  (raised again on the main thread)
            failed.append(error)
        finally:
            Clock.schedule_once(lambda dt: stopTouchApp(), 0)

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    runTouchApp(screen)
    driver.join()
    presenter.close()
    core.stop()
    if failed:
        raise failed[0]
    return anchor, opened


def row(name: str, times: list[float], anchor: list[float] | None) -> str:
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    versus = (f"{p50 / statistics.median(anchor):6.2f}x {p99 / percentile(anchor, 0.99):6.2f}x  of the anchor"
              if anchor else "")
    return (f"{name:<48} {len(times):>5} {p50:9.2f} {p99:9.2f}   {p50 / FRAME_MS:5.2f}x {p99 / FRAME_MS:5.2f}x"
            f"  {versus}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=80)
    parser.add_argument("--after", type=float, default=1.0, help="seconds from the scan to the tap (default 1)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rotation-bench-"))
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(config.path)])
        try:
            wait_for(lambda: Path(config.hub.database).exists(), what="the hub's database")
            store = HubStore(config.hub.database)
            wait_for(lambda: store.running_class() is not None, what="the roster imported")
            running = store.class_students(store.running_class() or "", datetime.date.today())
            card_ids = [s.id for s in running if s.needs is None]  # in the room's words and size
            for student in card_ids:
                add_past_lessons(store, student, PATH_LESSONS, time.time(), goal="Ask a friend first", met=True)
            store.close()
            tokens = {s: sign_token(config.signing_key, s) for s in card_ids}
            anchor, opened = measure(config, tokens, args.taps, args.after, work)
        finally:
            hub.terminate()
            hub.wait()
    print(f"\n\"My path\" opening, {args.taps} taps, each {args.after:g} s after the scan; {PATH_LESSONS} lessons of "
          "history a student; milliseconds\n")
    print(f"{'':<48} {'n':>5} {'median':>9} {'p99':>9}   of a 60 Hz frame (median, p99)")
    print("-" * 110)
    print(row("anchor: a tap changing one label -> next frame", anchor, None))
    print(row("tap on \"My path\" -> the path drawn", opened, anchor))
    print(f"\nbar: p99 <= {FRAME_MS:.1f} ms (a 60 Hz frame), on Mesa's software renderer")


if __name__ == "__main__":
    main()
