"""The teacher's PIN, and the lock-out after wrong tries. Pure: the caller passes in the time.

A PIN is 6 to 8 digits. The room file holds only its verifier (``rotation pin`` prints one)::

    scrypt-ed25519$n=131072,r=8,p=1$<salt, base64>$<public key, base64>

scrypt of the PIN with a random 16-byte salt gives 32 bytes; they are an Ed25519 private key, and the verifier
keeps its public key. The hub, the display and every kiosk (the pairing bundle carries it) hold only that,
which has no secret in it. The right PIN opens the private key again: a kiosk's teacher's screen keeps it in
memory while it is unlocked and signs the teacher's conference notes with it, so the hub, checking with the
public key, takes a note the teacher wrote and refuses one a stolen kiosk made up (docs/protocol.md, Event).

The cost is what protects the PIN, since a stolen verifier can be tried offline against every PIN:
scrypt with N=2^17, r=8, p=1 (OWASP's minimum for scrypt) takes 128 MiB and, measured on the project's
2-vCPU AMD EPYC (OpenSSL 3.0), 0.38 s a check (median; p99 0.44-0.67 s with the machine shared, fastest
0.37 s). The whole 6-digit space is 10^6 checks: 2.1 days on that machine's two cores (a 4-digit PIN under
the old PBKDF2 hash fell in 26 s). On a Raspberry Pi 4 a check takes an estimated 1.1 to 2.8 s
(docs/architecture.md, "The teacher's PIN", says how): the screens say "Checking the PIN…" meanwhile and check
off their drawing thread. The verifier carries its cost, so a stronger one later leaves older verifiers working.

An old hash (``pbkdf2-sha256$...``, of 4 to 8 digits, from before) still opens the teacher's screens, so an
upgraded room is not locked out, but it opens no key: a kiosk sends no note under it, and the hub, the
kiosk and the display ask for a new PIN (``rotation pin``) until the room file has one.

Five wrong tries in a row lock the teacher's screen for a minute; each further wrong try doubles the wait, up to
an hour. The count survives a restart (the kiosk keeps it in its outbox), so pulling the plug does not reset it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.languages import ENGLISH, N_, Words

PIN_PATTERN = re.compile(r"^[0-9]{6,8}$")
SCHEME = "scrypt-ed25519"
SALT_BYTES = 16
MOST_MEMORY = 128 * 1024 * 1024  # what a check may take of a 1 GB Pi: a verifier asking more is not read
OLD_SCHEME = "pbkdf2-sha256"  # the hash before: still opens the screens, signs nothing
OLD_PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
NEW_PIN_ADVICE = ("the teacher's PIN is of an old kind: set a new one of 6 to 8 digits with `rotation pin` (kiosks "
                  "send no conference notes until then)")
FREE_TRIES = 5
FIRST_LOCK_SECONDS = 60.0
LONGEST_LOCK_SECONDS = 3600.0


@dataclass(frozen=True)
class Cost:
    """scrypt's parameters: N (a power of two), r and p; a check takes 128·r·N bytes of memory."""
    n: int
    r: int
    p: int

    @property
    def memory(self) -> int:
        return 128 * self.r * self.n

    def __str__(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"

    @classmethod
    def parse(cls, text: str) -> Cost:
        """ValueError unless ``n=...,r=...,p=...`` within what a Pi can afford."""
        values = {}
        for part in text.split(","):
            name, _, value = part.partition("=")
            values[name] = int(value) if value.isdigit() else 0
        if sorted(values) != ["n", "p", "r"]:
            raise ValueError(f"not a cost: {text!r}")
        cost = cls(values["n"], values["r"], values["p"])
        if cost.n < 2 or cost.n & (cost.n - 1) or not 1 <= cost.r <= 32 or not 1 <= cost.p <= 16 \
                or cost.memory > MOST_MEMORY:
            raise ValueError(f"not a cost a kiosk can check: {text!r}")
        return cost


COST = Cost(n=2 ** 17, r=8, p=1)  # 128 MiB, 0.38 s on the project's machine, est. 1.1-2.8 s on a Pi 4


@dataclass(frozen=True)
class TeacherKey:
    """The private key the right PIN opens. Kept in memory only, while a teacher's screen is unlocked."""
    _private: Ed25519PrivateKey = field(repr=False)

    def sign(self, message: bytes) -> str:
        """The signature of ``message``, base64 (88 characters)."""
        return base64.b64encode(self._private.sign(message)).decode()


def hash_pin(pin: str, salt: bytes | None = None, cost: Cost = COST) -> str:
    """The PIN's verifier, as ``rotation pin`` prints it. ``cost`` is the tests' one way to a cheaper hash
    (tests/conftest.py ``pin_verifier``); everything else takes the default."""
    if not PIN_PATTERN.match(pin):
        raise ValueError("a PIN is 6 to 8 digits")
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    public = _private_key(pin, salt, cost).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "$".join((SCHEME, str(cost), _text(salt), _text(public)))


def is_pin_hash(text: str) -> bool:
    """A verifier, or an old hash (which still opens the screens)."""
    return _verifier(text) is not None or is_old_pin_hash(text)


def is_old_pin_hash(text: str) -> bool:
    parts = text.split("$")
    return len(parts) == 4 and parts[0] == OLD_SCHEME and parts[1].isdigit()


def unlock(pin: str, stored: str) -> TeacherKey | bool:
    """The key the right PIN opens; True for the right PIN of an old hash (which opens no key); False for a
    wrong PIN. Slow on purpose (see the docstring): call it off a screen's drawing thread."""
    if is_old_pin_hash(stored):
        return _old_hash_matches(pin, stored)
    verifier = _verifier(stored)
    if verifier is None or not PIN_PATTERN.match(pin):
        return False
    cost, salt, public = verifier
    key = _private_key(pin, salt, cost)
    opened = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return TeacherKey(key) if hmac.compare_digest(opened, public) else False


def pin_matches(pin: str, stored: str) -> bool:
    return bool(unlock(pin, stored))


def proves(stored: str, message: bytes, signature: str) -> bool:
    """``signature`` is the key of the verifier ``stored`` signing ``message`` (an old hash proves nothing)."""
    verifier = _verifier(stored)
    if verifier is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(verifier[2]).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _private_key(pin: str, salt: bytes, cost: Cost) -> Ed25519PrivateKey:
    seed = hashlib.scrypt(pin.encode(), salt=salt, n=cost.n, r=cost.r, p=cost.p, dklen=32,
                          maxmem=cost.memory + 1024 * 1024)  # OpenSSL counts a little more than the table
    return Ed25519PrivateKey.from_private_bytes(seed)


def _verifier(text: str) -> tuple[Cost, bytes, bytes] | None:
    """(cost, salt, public key) of a verifier; None if ``text`` is none."""
    try:
        scheme, cost, salt, public = text.split("$")
        found = Cost.parse(cost), base64.b64decode(salt, validate=True), base64.b64decode(public, validate=True)
    except (ValueError, binascii.Error):
        return None
    if scheme != SCHEME or len(found[1]) < SALT_BYTES or len(found[2]) != 32:
        return None
    return found


def _old_hash_matches(pin: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac("sha256", pin.encode(), base64.b64decode(salt), int(iterations))
    except (ValueError, binascii.Error):
        return False
    return bool(OLD_PIN_PATTERN.match(pin)) and hmac.compare_digest(_text(computed), digest)


def _text(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class Attempt:
    ok: bool
    tries_left: int = 0  # before the lock-out, after a wrong PIN
    locked_for: float = 0.0  # seconds until another try is taken
    key: TeacherKey | None = field(default=None, repr=False)  # what the right PIN opened, if a key

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
                matches: Callable[[str, str], TeacherKey | bool] = unlock) -> Attempt:
        if now < self.locked_until:
            return Attempt(False, locked_for=self.locked_until - now)  # not even checked
        opened = matches(pin, stored)
        if opened:
            self.failures, self.locked_until = 0, 0.0
            return Attempt(True, key=opened if isinstance(opened, TeacherKey) else None)
        self.failures += 1
        if self.failures < FREE_TRIES:
            return Attempt(False, tries_left=FREE_TRIES - self.failures)
        lock = min(FIRST_LOCK_SECONDS * 2 ** (self.failures - FREE_TRIES), LONGEST_LOCK_SECONDS)
        self.locked_until = now + lock
        return Attempt(False, locked_for=lock)
