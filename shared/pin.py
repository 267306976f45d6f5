"""The teacher's PIN on a kiosk, and the lock-out after wrong tries. Pure: the caller passes in the time.

The config holds only a salted PBKDF2 hash of the PIN (``rotation pin`` makes one). Five wrong tries in a
row lock the teacher's screen for a minute; each further wrong try doubles the wait, up to an hour. The
count survives a restart (the kiosk keeps it in its outbox), so pulling the plug does not reset it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from shared.languages import ENGLISH, N_, Words

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
SCHEME = "pbkdf2-sha256"
ITERATIONS = 100_000  # about a tenth of a second on a Raspberry Pi 4: unnoticed by a teacher, slow to guess
FREE_TRIES = 5
FIRST_LOCK_SECONDS = 60.0
LONGEST_LOCK_SECONDS = 3600.0


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    if not PIN_PATTERN.match(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, ITERATIONS)
    return f"{SCHEME}${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def is_pin_hash(text: str) -> bool:
    parts = text.split("$")
    return len(parts) == 4 and parts[0] == SCHEME and parts[1].isdigit()


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac("sha256", pin.encode(), base64.b64decode(salt), int(iterations))
    except ValueError:
        return False
    return scheme == SCHEME and hmac.compare_digest(base64.b64encode(computed).decode(), digest)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    tries_left: int = 0  # before the lock-out, after a wrong PIN
    locked_for: float = 0.0  # seconds until another try is taken

    @property
    def message(self) -> str:
        return self.said(ENGLISH)

    def said(self, w: Words) -> str:
        """What the teacher is told, in the words of the screen's language."""
        if self.ok:
            return ""
        if self.locked_for:
            return w.say(N_("Too many wrong PINs: try again in {minutes} min"),
                         minutes=int(-(-self.locked_for // 60)))
        return w.count("Wrong PIN: {n} try left", "Wrong PIN: {n} tries left", self.tries_left)


@dataclass
class PinGate:
    failures: int = 0
    locked_until: float = 0.0

    def try_pin(self, pin: str, stored: str, now: float,
                matches: Callable[[str, str], bool] = pin_matches) -> Attempt:
        if now < self.locked_until:
            return Attempt(False, locked_for=self.locked_until - now)  # not even checked
        if matches(pin, stored):
            self.failures, self.locked_until = 0, 0.0
            return Attempt(True)
        self.failures += 1
        if self.failures < FREE_TRIES:
            return Attempt(False, tries_left=FREE_TRIES - self.failures)
        lock = min(FIRST_LOCK_SECONDS * 2 ** (self.failures - FREE_TRIES), LONGEST_LOCK_SECONDS)
        self.locked_until = now + lock
        return Attempt(False, locked_for=lock)
