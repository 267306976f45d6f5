"""What a teacher may do at a kiosk, behind the PIN: write a conference note for a student at this station,
set which station the kiosk is, and where the hub's broker is. The screen for it is kiosk/teacher_panel.py."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from edge.broker_setup import PASSWORD_SUFFIX
from kiosk.core import KioskCore
from kiosk.settings import write_settings
from shared.cards import make_token
from shared.config import StationConfig
from shared.languages import ENGLISH, Words
from shared.pin import Attempt, PinGate
from shared.protocol import NOTE_MOST_CHARACTERS, NOTE_MOST_TAGS, ProtocolError, conference_note
from shared.topics import kiosk_account

log = logging.getLogger("rotation.kiosk.teacher")


class Refused(ValueError):
    """What the kiosk will not do, and why, as words the teacher's screen says in the room's language."""

    def __init__(self, said: Callable[[Words], str]) -> None:
        self.said = said
        super().__init__(said(ENGLISH))


class TeacherAccess:
    def __init__(self, core: KioskCore, settings: Path, now: Callable[[], float] = time.time) -> None:
        self.core = core
        self.settings = settings
        self.now = now
        self.pin_hash = core.config.kiosk.teacher_pin
        self.gate = PinGate(*core.outbox.pin_state())

    @property
    def enabled(self) -> bool:
        """Only with a PIN set in the config: otherwise a kiosk has no teacher's screen at all."""
        return self.pin_hash is not None

    def try_pin(self, pin: str) -> Attempt:
        pin_hash = self.pin_hash  # None: not enabled
        attempt = self.gate.try_pin(pin, pin_hash, self.now()) if pin_hash is not None else Attempt(False)
        self.core.outbox.save_pin_state(self.gate.failures, self.gate.locked_until)
        if not attempt.ok and attempt.locked_for:
            log.warning("kiosk %s: teacher's screen locked for %.0f s after %d wrong PINs", self.core.station.id,
                        attempt.locked_for, self.gate.failures)
        return attempt

    def students_here(self) -> list[tuple[str, str]]:
        """(id, name) of the students checked in at this station, by name."""
        state = self.core.state
        if state is None:
            return []
        here = [(sid, state.students[sid].name) for sid, p in state.presence.items()
                if p.station == self.core.station.id and sid in state.students]
        return sorted(here, key=lambda student: student[1])

    def conference_note(self, student_id: str, tags: list[str], text: str) -> None:
        """Into the student's timeline at the hub, as an event of this kiosk (its card is made here: the
        kiosk holds the class secret)."""
        state = self.core.state
        if state is None or student_id not in state.students:
            raise Refused(lambda w: w.say("That student is not in this class."))
        try:
            note = conference_note(tags, text)
        except ProtocolError:
            raise Refused(lambda w: w.say("A note has at most {tags} tags and {characters} characters.",
                                          tags=NOTE_MOST_TAGS, characters=NOTE_MOST_CHARACTERS)) from None
        token = make_token(self.core.config.secret, student_id, state.students[student_id].card)
        self.core.record("conference", token, note)

    def move_to_station(self, station: str) -> StationConfig:
        """Make this kiosk another station's, from its next start. Refused while events wait for the hub:
        they are this station's and would be refused under another's name."""
        target = self.core.config.station(station)
        if not target.kiosk:
            raise Refused(lambda w: w.say("{station} has no kiosk.", station=target.name))
        waiting = self.core.waiting()
        if waiting:
            raise Refused(lambda w: w.count(
                "{n} check-in here has not reached the hub yet: try again once it has.",
                "{n} check-ins here have not reached the hub yet: try again once they have.", waiting))
        accounts = self.core.config.broker.accounts
        if accounts and not (Path(accounts) / f"{kiosk_account(station)}{PASSWORD_SUFFIX}").exists():
            raise Refused(lambda w: w.say(
                "This kiosk has no broker account for {station}: pair it again from the hub.", station=target.name))
        write_settings(self.settings, station=station)
        return target

    def set_broker(self, host: str, port: str | int) -> str:
        """The address as saved, "host:port"; ``port`` as typed (a lone "-" passes Kivy's filter of digits)."""
        host = host.strip()
        number = int(port) if str(port).strip().isdigit() else 0
        if not host or " " in host or not 0 < number < 65536:
            raise Refused(lambda w: w.say(
                "The hub's address is a host name or IP address, and a port from 1 to 65535."))
        write_settings(self.settings, broker_host=host, broker_port=number)
        return f"{host}:{number}"
