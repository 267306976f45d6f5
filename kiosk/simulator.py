"""A simulated station kiosk for the demo: the real KioskCore, with students who tap in by themselves.

Most students go where their group is expected; now and then one goes to the wrong station or holds a
card badly, so the map shows what a real lesson looks like.
"""
from __future__ import annotations

import logging
import random
import threading

from kiosk.core import KioskCore
from shared.cards import make_token

log = logging.getLogger("rotation.kiosk.simulator")


class SimulatedStudents:
    def __init__(self, core: KioskCore, seed: int | None = None, pace: tuple[float, float] = (0.3, 1.5)) -> None:
        self.core = core
        self.random = random.Random(seed)
        self.pace = pace
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulated-students", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def next_card(self) -> str | None:
        """The card the next student shows, or None if nobody needs to tap in here."""
        state = self.core.state
        if state is None:
            return None
        station = self.core.station.id
        due = [sid for sid in state.students
               if (expected := state.expected_station(sid)) is not None and expected.id == station
               and (state.presence.get(sid) is None or state.presence[sid].station != station)]
        roll = self.random.random()
        if roll < 0.03:
            return "RS1:half-a-ca"  # a card held badly
        if roll < 0.08:
            kiosk_stations = {s.id for s in state.stations if s.kiosk}
            due = [sid for sid in state.students if sid not in state.presence
                   and getattr(state.expected_station(sid), "id", None) in kiosk_stations - {station}]
        if not due:
            return None
        student = self.random.choice(due)
        return make_token(self.core.config.secret, student, state.students[student].card)

    def _run(self) -> None:
        while not self._stopping.wait(self.random.uniform(*self.pace)):
            card = self.next_card()
            if card is not None:
                decision = self.core.scan(card)
                log.info("%s: %s", self.core.station.id, decision.outcome)
