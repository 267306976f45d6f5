"""What a teacher may do at a kiosk, behind the PIN: write a conference note for a student at this station,
set which station the kiosk is, and where the hub's broker is. The screen for it is kiosk/teacher_panel.py.

The right PIN opens the teacher's key (shared/pin.py), kept in memory only until the screen locks again: a
note goes to the hub signed with it, since a card the kiosk made itself would prove nothing."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from msgspec.structs import replace as changed_struct

from edge.broker_setup import PASSWORD_SUFFIX
from kiosk.core import KioskCore
from kiosk.settings import write_settings
from shared.config import StationConfig
from shared.languages import ENGLISH, N_, Words
from shared.pin import NEW_PIN_ADVICE, Attempt, PinGate, TeacherKey, is_old_pin_hash
from shared.protocol import (
    NOTE_KIND,
    NOTE_MOST_CHARACTERS,
    NOTE_MOST_TAGS,
    Event,
    ProtocolError,
    conference_note,
    note_claim,
)
from shared.topics import kiosk_account

log = logging.getLogger("rotation.kiosk.teacher")
NEW_PIN_NEEDED = N_("This PIN is of an old kind: notes need a new one of 6 to 8 digits, set with `rotation pin` "
                    "on the hub.")


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
        self.key: TeacherKey | None = None  # while unlocked: what the PIN opened
        if self.old_pin:
            log.warning("kiosk %s: %s", core.station.id, NEW_PIN_ADVICE)

    @property
    def enabled(self) -> bool:
        """Only with a PIN set in the config: otherwise a kiosk has no teacher's screen at all."""
        return self.pin_hash is not None

    @property
    def old_pin(self) -> bool:
        """The room file's PIN is an old hash: it unlocks this screen, but opens no key to sign notes with."""
        return self.pin_hash is not None and is_old_pin_hash(self.pin_hash)

    def try_pin(self, pin: str) -> Attempt:
        """Slow on purpose (about a second on a Pi: shared/pin.py): the screen calls it off its drawing thread."""
        pin_hash = self.pin_hash  # None: not enabled
        attempt = self.gate.try_pin(pin, pin_hash, self.now()) if pin_hash is not None else Attempt(False)
        self.key = attempt.key
        self.core.outbox.save_pin_state(self.gate.failures, self.gate.locked_until)
        if not attempt.ok and attempt.locked_for:
            log.warning("kiosk %s: teacher's screen locked for %.0f s after %d wrong PINs", self.core.station.id,
                        attempt.locked_for, self.gate.failures)
        return attempt

    def lock(self) -> None:
        """Forget the key: the next note needs the PIN again."""
        self.key = None

    def students_here(self) -> list[tuple[str, str]]:
        """(id, name) of the students checked in at this station, by name."""
        state = self.core.state
        if state is None:
            return []
        here = [(sid, state.students[sid].name) for sid, p in state.presence.items()
                if p.station == self.core.station.id and sid in state.students]
        return sorted(here, key=lambda student: student[1])

    def conference_note(self, student_id: str, tags: list[str], text: str) -> None:
        """Into the student's timeline at the hub, as an event of this kiosk naming the student, signed with the
        key the teacher's PIN opened."""
        key = self.key
        if key is None:
            raise Refused(lambda w: w.say(NEW_PIN_NEEDED if self.old_pin else N_(
                "Notes need the teacher's PIN: unlock this screen again.")))
        state = self.core.state
        if state is None or student_id not in state.students:
            raise Refused(lambda w: w.say("That student is not in this class."))
        try:
            note = conference_note(tags, text)
        except ProtocolError:
            raise Refused(lambda w: w.say("A note has at most {tags} tags and {characters} characters.",
                                          tags=NOTE_MOST_TAGS, characters=NOTE_MOST_CHARACTERS)) from None
        room = self.core.config.room_id

        def signed(event: Event) -> Event:
            named = changed_struct(event, student=student_id)
            return changed_struct(named, proof=key.sign(note_claim(room, named)))
        self.core.record(NOTE_KIND, None, note, seal=signed)

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
