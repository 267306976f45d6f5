"""A simulated station kiosk for the demo: the real KioskCore, with students who tap in by themselves.

They do what a class does: most go where their group is expected and answer the kiosk's questions (an
activity, a goal); now and then one goes to the wrong station, holds a card badly, asks for help or takes the
out-of-room pass and comes back; when the lesson ends they give their exit tickets. The map shows what a real
lesson looks like.
"""
from __future__ import annotations

import logging
import os
import random
import threading

from kiosk.core import KioskCore
from kiosk.decide import Decision
from kiosk.prompts import Prompt, after_scan
from shared.cards import sign_token
from shared.protocol import State

log = logging.getLogger("rotation.kiosk.simulator")
BADLY_HELD = 0.03  # of the moments a student shows up: a card held badly
ELSEWHERE = 0.05  # a student who comes to the wrong station
HELP = 0.02  # the station calls for help
GOING_OUT = 0.02  # a student here takes the out-of-room pass
SKIPS = 0.2  # a question skipped
STAYING_HOME = "ROTATION_DEMO_ABSENT"  # the demo's students who are off sick: their cards are never shown


def staying_home() -> frozenset[str]:
    return frozenset(filter(None, os.environ.get(STAYING_HOME, "").split(",")))


class SimulatedStudents:
    def __init__(self, core: KioskCore, seed: int | None = None, pace: tuple[float, float] = (0.3, 1.5)) -> None:
        self.core = core
        self.random = random.Random(seed)
        self.pace = pace
        self.absent = staying_home()
        self._called = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulated-students", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _card(self, state: State, student: str) -> str:
        # The demo's kiosks share the hub's room file, so they can hold cards up as students would.
        return sign_token(self.core.config.signing_key, student, state.students[student].card)

    def next_card(self) -> str | None:
        """The card the next student shows, or None if nobody needs to tap in here."""
        state = self.core.state
        if state is None:
            return None
        station = self.core.station.id
        here = [sid for sid, p in state.presence.items() if p.station == station and sid in state.students]
        if state.clock.closing_at is not None:  # the lesson is ending: exit tickets, from who has none yet
            waiting = [sid for sid in here if not (state.progress.get(sid) and state.progress[sid].ticket)]
            return self._card(state, self.random.choice(waiting)) if waiting else None
        back = [sid for sid in state.out if sid in state.students]  # out of the room from here
        due = [sid for sid in state.students if sid not in self.absent
               and (expected := state.expected_station(sid)) is not None and expected.id == station
               and (state.presence.get(sid) is None or state.presence[sid].station != station)]
        roll = self.random.random()
        if roll < BADLY_HELD:
            return "RS2:half-a-ca"
        if roll < BADLY_HELD + ELSEWHERE:
            kiosk_stations = {s.id for s in state.stations if s.kiosk}
            due = [sid for sid in state.students if sid not in state.presence and sid not in self.absent
                   and getattr(state.expected_station(sid), "id", None) in kiosk_stations - {station}]
        elif back and roll > 0.9:
            due = back
        if not due:
            return None
        return self._card(state, self.random.choice(due))

    def answer(self, decision: Decision) -> None:
        """Answer the kiosk's questions after a scan, as a student would: a tap each, now and then a skip."""
        prompt: Prompt | None = after_scan(decision, self.core.state, self.core.station.id)
        while prompt is not None and not self._stopping.is_set():
            if prompt.skippable and self.random.random() < SKIPS:
                return
            prompt = self.core.answer(prompt, self.random.choice(prompt.options).value)

    def now_and_then(self) -> None:
        """What happens at a station between scans: a call for help, a student going out."""
        state = self.core.state
        if state is None or not state.clock.round or state.clock.closing_at is not None:
            return
        here = [sid for sid, p in state.presence.items()
                if p.station == self.core.station.id and sid in state.students and sid not in state.out]
        roll = self.random.random()
        if here and (roll < HELP or not self._called) and not self.core.help_waiting():
            self._called = True  # every station calls once early on: the demo shows the calls within a minute
            self.core.ask_help(self._card(state, self.random.choice(here)))
        elif here and roll < HELP + GOING_OUT:
            self.core.go_out(self._card(state, self.random.choice(here)))

    def _run(self) -> None:
        while not self._stopping.wait(self.random.uniform(*self.pace)):
            card = self.next_card()
            if card is not None:
                decision = self.core.scan(card)
                log.info("%s: %s", self.core.station.id, decision.outcome)
                self.answer(decision)
            self.now_and_then()
