"""Signed card tokens: what a student's QR card carries.

A token is ``RS2:<student id>:<card version>:<signature>``, the signature being Ed25519's over the rest with
the key only the hub holds, in base32 (103 characters). It holds no name, so a lost card tells a finder
nothing; a forged one fails the signature, and the kiosks, which hold only the public key, can check cards
but make none; a reprinted card has a higher version, which revokes the old.

The old kind, ``RS1:<student id>:<card version>:<mac>``, carries an HMAC with the class secret, which every
kiosk held: a stolen kiosk could make any card. It is checked only where the room still takes old cards
(``CardKeys.old_secret``), until they are reprinted.
"""
from __future__ import annotations

import base64
import functools
import hmac
import re
import secrets
import string
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

PREFIX = "RS2"
OLD_PREFIX = "RS1"
KEY_BYTES = 32  # an Ed25519 private key (its seed) and a public key alike
SIGNATURE_CHARACTERS = 103  # 64 bytes in base32, unpadded: upper-case letters and digits, QR's alphanumeric mode
MAC_BYTES = 10
STUDENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_TOKEN = re.compile(rf"^RS2:([A-Za-z0-9._-]{{1,40}}):([1-9][0-9]{{0,5}}):([A-Z2-7]{{{SIGNATURE_CHARACTERS}}})$")
_OLD_TOKEN = re.compile(r"^RS1:([A-Za-z0-9._-]{1,40}):([1-9][0-9]{0,5}):([A-Z2-7]{16})$")
MAX_TOKEN_LENGTH = len("RS2:") + 40 + len(":999999:") + SIGNATURE_CHARACTERS  # 155
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-:")  # every character both kinds take


class CardError(ValueError):
    """A scanned text that is not a valid card of this class."""


class UnreadableCard(CardError):
    """Not a Rotation Station card at all, or a partial read."""


class ForgedCard(CardError):
    """Shaped like a card, but not signed with this room's key."""


class OldCard(ForgedCard):
    """A card of the old kind (RS1, the class secret's), where the room no longer takes them: anyone who holds
    the class secret, a stolen kiosk's SD card included, can make one."""


@dataclass(frozen=True)
class CardClaim:
    student_id: str
    version: int


@dataclass(frozen=True)
class CardKeys:
    """What checks a card: the hub's public key, and the class secret only where the room still takes the old
    cards it signed."""
    public: bytes
    old_secret: bytes | None = None


def signing_key_file_text(signing_key: bytes) -> str:
    """A signing key (its 32-byte seed) as its key file holds it: PKCS#8 PEM, as ``openssl genpkey -algorithm
    ed25519`` writes one."""
    key = Ed25519PrivateKey.from_private_bytes(signing_key)
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def new_signing_key() -> str:
    """A new key for a hub to sign cards with, as its key file holds it."""
    return signing_key_file_text(secrets.token_bytes(KEY_BYTES))


def read_signing_key(text: str) -> bytes:
    """The 32-byte seed of the key a key file holds; ValueError if it holds no Ed25519 private key."""
    try:
        key = load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("not a PEM private key without a password") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 key")
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key(signing_key: bytes) -> bytes:
    """The public key (32 bytes) of the hub's signing key (its 32-byte Ed25519 seed)."""
    return Ed25519PrivateKey.from_private_bytes(signing_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _checked(student_id: str, version: int) -> str:
    if not STUDENT_ID.match(student_id):
        raise ValueError(f"student id {student_id!r} must be 1-40 of letters, digits, '.', '_' or '-'")
    if not 1 <= version <= 999_999:
        raise ValueError("card version must be 1 to 999999")
    return f"{student_id}:{version}"


def sign_token(signing_key: bytes, student_id: str, version: int = 1) -> str:
    """A card signed with the hub's key: what every card printed now carries."""
    signed = f"{PREFIX}:{_checked(student_id, version)}"
    signature = Ed25519PrivateKey.from_private_bytes(signing_key).sign(signed.encode())
    return f"{signed}:{base64.b32encode(signature).decode().rstrip('=')}"


def _mac(secret: bytes, student_id: str, version: int) -> str:
    digest = hmac.digest(secret, f"{OLD_PREFIX}:{student_id}:{version}".encode(), "sha256")
    return base64.b32encode(digest[:MAC_BYTES]).decode()


def make_token(secret: bytes, student_id: str, version: int = 1) -> str:
    """A card of the old kind (RS1), with the class secret: taken only where the room still takes old cards."""
    return f"{OLD_PREFIX}:{_checked(student_id, version)}:{_mac(secret, student_id, version)}"


def verify_token(keys: CardKeys, text: str) -> CardClaim:
    """Return who the card is for, or raise ``UnreadableCard`` / ``ForgedCard`` (``OldCard`` for an RS1 card
    the room no longer takes).

    Revocation is not decided here: compare ``version`` with the version in force for the student.
    """
    text = text.strip()
    if len(text) > MAX_TOKEN_LENGTH:
        raise UnreadableCard("too long to be a card")
    return _verified(keys, text)


@functools.lru_cache(maxsize=4096)
def _verified(keys: CardKeys, text: str) -> CardClaim:
    """A class shows the same few dozen cards all day: each genuine one is checked once (only a returned
    claim is remembered; a card that fails is checked again every time)."""
    match = _TOKEN.match(text)
    if match is not None:
        student_id, version, signature = match.group(1), int(match.group(2)), match.group(3)
        if not _signed(keys.public, f"{PREFIX}:{student_id}:{version}", signature):
            raise ForgedCard("card signature does not match this room's key")
        return CardClaim(student_id, version)
    match = _OLD_TOKEN.match(text)
    if match is None:
        raise UnreadableCard("not a Rotation Station card")
    if keys.old_secret is None:
        raise OldCard("an old card (RS1), and this room takes only cards signed by its hub")
    student_id, version, mac = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(mac, _mac(keys.old_secret, student_id, version)):
        raise ForgedCard("card signature does not match this class")
    return CardClaim(student_id, version)


def _signed(public: bytes, signed: str, signature: str) -> bool:
    raw = base64.b32decode(signature + "=")  # 103 characters and one of padding: 64 bytes
    if base64.b32encode(raw).decode().rstrip("=") != signature:
        return False  # stray bits in the last character: one signature has one spelling
    try:
        _public(public).verify(raw, signed.encode())
    except InvalidSignature:
        return False
    return True


@functools.lru_cache(maxsize=8)
def _public(public: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public)
