"""The demo's teacher: runs lessons of the demo's two classes back to back, through the hub's commands as the
display sends them. Each lesson: one student marked absent, a few rounds with passing time, End with the last
exit tickets, the summary on the board, then the other class with its own groups."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from hub.display_link import DisplayLink
from shared.config import Config
from shared.protocol import State
from shared.topics import TERMINAL_ACCOUNT

log = logging.getLogger("rotation.demo")
CLASSES = ("Period 2", "Period 3")
ROUNDS = 2  # a lesson of the demo, before the other class comes in: the whole of it within a minute
PASSING_MINUTES = 0.1  # six seconds to move: long enough to see on the map and the kiosks
LAST_TICKETS_SECONDS = 10.0
SUMMARY_SECONDS = 6.0
ABSENT = ("s07",)  # off sick today, in both classes: the simulated kiosks never show their cards
ANSWER_HELP_AFTER = 12.0  # seconds: the teacher gets to each call


def demo_roster(sample: str) -> str:
    """The sample class list as two classes of one room: Period 2 as it is, Period 3 the same students in
    other groups (so a switch shows new groups at the stations)."""
    lines = sample.strip().splitlines()
    header = lines[0].split(",")
    group = header.index("group")
    groups = sorted({line.split(",")[group] for line in lines[1:]})
    rows = [",".join(header + ["class"])]
    for period, shift in zip(CLASSES, (0, 2), strict=True):
        for line in lines[1:]:
            cells = line.split(",")
            cells[group] = groups[(groups.index(cells[group]) + shift) % len(groups)]
            rows.append(",".join(cells + [period]))
    return "\n".join(rows) + "\n"


class DemoTeacher:
    def __init__(self, config: Config, stop: threading.Event) -> None:
        self.link = DisplayLink(config, account=TERMINAL_ACCOUNT)
        self.stop = stop
        self._thread = threading.Thread(target=self._run, name="demo-teacher", daemon=True)

    def start(self) -> None:
        self.link.start()
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=5)
        self.link.stop()

    def _send(self, action, args: dict) -> None:
        reply = self.link.command(action, args)
        log.info("teacher: %s: %s", action, reply.message if reply else "no answer")

    def _wait(self, condition: Callable[[State, float], bool], timeout: float) -> bool:
        """Until the room is so at the hub's time now (True), or the demo stops or time is up (False). Now, not
        the state's own time: a state comes only when something changes, and may be seconds old."""
        waited = 0.0
        while not self.stop.wait(0.2):
            waited += 0.2
            state = self.link.state
            hub_now = self.link.hub_clock.hub_now(self.link.now())
            if state is not None and condition(state, hub_now):
                return True
            for call in state.help if state is not None else ():
                if hub_now - call.at > ANSWER_HELP_AFTER:
                    self._send("answer_help", {"id": call.id})
            if waited >= timeout:
                return False
        return False

    def _run(self) -> None:
        lesson = 0
        if not self._wait(lambda s, now: bool(s.classes), 30):
            return
        while not self.stop.is_set():
            period = CLASSES[lesson % len(CLASSES)]
            running = self.link.state.running_class() if self.link.state else None
            if running is None or running.name != period:  # the first class may be running already
                self._send("set_class", {"class": period})
            for absent in ABSENT:  # taken before the start, as a teacher takes the register
                self._send("mark_attendance", {"student": absent, "mark": "absent"})
            self._send("start", {"rounds": ROUNDS, "passing": PASSING_MINUTES})
            if not self._wait(last_round_ending, 3600):
                return
            self._send("end", {"collect": LAST_TICKETS_SECONDS})
            if not self._wait(lambda s, now: s.clock.round == 0, LAST_TICKETS_SECONDS + 30):
                return
            if self.stop.wait(SUMMARY_SECONDS):
                return
            lesson += 1


def last_round_ending(state: State, hub_now: float) -> bool:
    """The lesson's last round has a few seconds left (the state's own hub_time said so only when a check-in
    happened to publish one in those seconds: otherwise the rotation went round again, and the lesson's End
    came a round later, past the demo test's minute)."""
    clock = state.clock
    return (clock.round == clock.rounds and clock.running and clock.ends_at is not None
            and clock.ends_at - hub_now < 3)
