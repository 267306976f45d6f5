"""A serial scanner set to another speed than the kiosk's: found from what it sends, never blamed on a student.

At the wrong speed every scan arrives as noise, scan after scan, and nothing reads. The kiosk then tries
the speeds scanners ship with, one a scan, until a card reads; the teacher is told the speed to put in the
room file. A scanner that has read a card at the kiosk's own speed is never hunted for: one bad read is a
bent card. Pure: told of each burst, it says which speed to try next.
"""
from __future__ import annotations

from shared.cards import OLD_PREFIX, PREFIX

# The speeds scanners ship with or are set to, the commonest first (9600 and 115200 by far).
COMMON_SPEEDS = (9600, 115200, 57600, 38400, 19200, 4800)
HUNT_AFTER = 3  # bursts of noise in a row, with nothing read at the kiosk's speed, before another is tried


def looks_like_a_card(text: str | None) -> bool:
    """Read at the right speed: noise at the wrong one may happen to be printable, never shaped as a card."""
    return text is not None and text.startswith((PREFIX + ":", OLD_PREFIX + ":"))


class SpeedHunt:
    def __init__(self, configured: int, hunts: bool = True) -> None:
        self.configured = configured
        self.hunts = hunts
        self.speed = configured  # the one the port is set to now
        self.found: int | None = None  # a speed other than the room file's at which cards read
        self._settled = False  # something read at the room file's speed: this scanner is set right
        self._noise = 0
        self.bursts = 0  # told of so far
        self._untried = [s for s in COMMON_SPEEDS if s != configured]

    def reopened(self) -> None:
        """The port was opened again (a replug): perhaps another scanner, set otherwise."""
        self._settled = False
        self._noise = 0

    @property
    def hunting(self) -> bool:
        """Nothing has read, and noise keeps coming: the scanner is set up wrong, not the students' cards."""
        return not self._settled and self.found is None and (self.speed != self.configured
                                                             or self._noise >= HUNT_AFTER)

    def burst(self, texts: list[str | None]) -> int | None:
        """What one burst of bytes held (scanned texts, None for noise); the speed to switch to, if any."""
        if not texts:
            return None
        self.bursts += 1
        if any(looks_like_a_card(t) for t in texts):
            if self.speed == self.configured:
                self._settled = True
            else:
                self.found = self.speed
            self._noise = 0
            return None
        if not self.hunts or self._settled or self.found is not None or any(t is not None for t in texts):
            return None  # clean text (a book's barcode) is read at the right speed, if not a card
        self._noise += 1
        if self.speed == self.configured and self._noise < HUNT_AFTER:
            return None
        if not self._untried:  # every speed tried: round again, a student may have scanned badly
            self._untried = [s for s in COMMON_SPEEDS if s != self.speed]
        self.speed = self._untried.pop(0)
        return self.speed
