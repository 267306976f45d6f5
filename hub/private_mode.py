"""The display's private mode: exit-ticket colours and conference notes on the wall map only after the
teacher's PIN, for a few minutes. Pure: the caller passes in the time.

The wall map is seen by the class, so it shows nothing private by default; the teacher's own device (the
next step) is where these belong.
"""
from __future__ import annotations

from shared.pin import PinGate, is_old_pin_hash

PRIVATE_SECONDS = 5 * 60.0  # then the map locks itself: a teacher called away leaves nothing open


class PrivateMode:
    def __init__(self, pin_hash: str | None) -> None:
        self.pin_hash = pin_hash
        self.gate = PinGate()
        self._until = 0.0

    @property
    def enabled(self) -> bool:
        """Only with ``[display] teacher_pin`` set: otherwise the wall map never shows private things."""
        return self.pin_hash is not None

    @property
    def old_pin(self) -> bool:
        """An old hash: it still opens private mode, and the teacher is asked for a new PIN."""
        return self.pin_hash is not None and is_old_pin_hash(self.pin_hash)

    def unlocked(self, now: float) -> bool:
        return now < self._until

    def lock(self) -> None:
        self._until = 0.0

    def try_pin(self, pin: str, now: float) -> str | None:
        """None if the PIN opened private mode; else what to tell the teacher."""
        if self.pin_hash is None:
            return "No PIN is set for this display"
        attempt = self.gate.try_pin(pin, self.pin_hash, now)
        if not attempt.ok:
            return attempt.message
        self._until = now + PRIVATE_SECONDS
        return None
