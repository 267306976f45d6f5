"""Signed card tokens: what a student's QR card carries.

A token is ``RS1:<student id>:<card version>:<mac>``, the mac being the first 10 bytes of
HMAC-SHA256 over the rest with the class secret, in base32. It holds no name, so a lost card tells a
finder nothing; a forged one fails the mac; a reprinted card has a higher version, which revokes the old.
"""
from __future__ import annotations

import base64
import functools
import hmac
import re
import string
from dataclasses import dataclass

PREFIX = "RS1"
MAC_BYTES = 10
MAX_TOKEN_LENGTH = 120
STUDENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_TOKEN = re.compile(r"^RS1:([A-Za-z0-9._-]{1,40}):([1-9][0-9]{0,5}):([A-Z2-7]{16})$")
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-:")  # every character _TOKEN takes


class CardError(ValueError):
    """A scanned text that is not a valid card of this class."""


class UnreadableCard(CardError):
    """Not a Rotation Station card at all, or a partial read."""


class ForgedCard(CardError):
    """Shaped like a card, but not signed with this class's secret."""


@dataclass(frozen=True)
class CardClaim:
    student_id: str
    version: int


def _mac(secret: bytes, student_id: str, version: int) -> str:
    digest = hmac.digest(secret, f"{PREFIX}:{student_id}:{version}".encode(), "sha256")
    return base64.b32encode(digest[:MAC_BYTES]).decode()


def make_token(secret: bytes, student_id: str, version: int = 1) -> str:
    if not STUDENT_ID.match(student_id):
        raise ValueError(f"student id {student_id!r} must be 1-40 of letters, digits, '.', '_' or '-'")
    if not 1 <= version <= 999_999:
        raise ValueError("card version must be 1 to 999999")
    return f"{PREFIX}:{student_id}:{version}:{_mac(secret, student_id, version)}"


def verify_token(secret: bytes, text: str) -> CardClaim:
    """Return who the card is for, or raise ``UnreadableCard`` / ``ForgedCard``.

    Revocation is not decided here: compare ``version`` with the version in force for the student.
    """
    text = text.strip()
    if len(text) > MAX_TOKEN_LENGTH:
        raise UnreadableCard("too long to be a card")
    return _verified(secret, text)


@functools.lru_cache(maxsize=4096)
def _verified(secret: bytes, text: str) -> CardClaim:
    """A class shows the same few dozen cards all day: each genuine one is checked once (only a returned
    claim is remembered; a card that fails is checked again every time)."""
    match = _TOKEN.match(text)
    if match is None:
        raise UnreadableCard("not a Rotation Station card")
    student_id, version, mac = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(mac, _mac(secret, student_id, version)):
        raise ForgedCard("card signature does not match this class")
    return CardClaim(student_id, version)
