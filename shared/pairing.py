"""Pairing a new kiosk with the hub by a short one-time code, so no one types or copies a password.

The technician asks the hub for a code for one station (``rotation hub pair --station ID``); the hub shows
something like ``K7QD-M2XA``, good for 10 minutes and one kiosk. On the new kiosk's board, ``rotation pair``
(run by install.sh) sends the hub, over the broker's ``pairing`` account:

- a fresh X25519 public key and a proof that it knows the code (an HMAC keyed by scrypt(code)).

The request also names the board (its host name and address, as the board sees them), for the hub's screen.
The hub checks the proof and answers with its own X25519 public key and the kiosk's bundle (the room's
stations, the public key that checks cards, a new broker password for the kiosk's account and the room's
CA), sealed with AES-GCM under a key made from both the Diffie-Hellman secret and the code. So:

- someone who only listens learns nothing: the key needs a private key that never leaves either board;
- someone who pretends to be the hub cannot seal a bundle the kiosk accepts without the code;
- someone who guesses codes gets three tries before the code is spent (the hub's screen says so), and a code
  lives 10 minutes;
- a board paired before for the same station can no longer log in: each pairing sets a new password.

The ``pairing`` account may do nothing but this (see edge/broker_setup.py): write a request of at most
``MAX_PAIR_REQUEST`` bytes and read a reply, on topics named by a random name the kiosk picks.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.topics import check_name

# 29 letters and digits that cannot be mistaken for one another on a screen (no 0/O, 1/I/L, U/V).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 8  # 29^8: about 5 * 10^11 codes
CODE_SECONDS = 600
CODE_TRIES = 3
MAX_PAIR_PAYLOAD = 64 * 1024  # an answer: the room's stations and its CA
MAX_PAIR_REQUEST = 2 * 1024  # a request: a key, a proof and the board's names
VERSION = 1

PublicKey: TypeAlias = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]  # X25519, base64 on the wire
Digest: TypeAlias = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]  # HMAC-SHA256, base64
Nonce: TypeAlias = Annotated[bytes, msgspec.Meta(min_length=12, max_length=12)]  # AES-GCM's, base64


class PairRequest(msgspec.Struct, frozen=True, omit_defaults=True, tag_field="v", tag=VERSION):
    """New kiosk -> hub, on ``rotation/v1/pair/<client>/request``: its key and the proof it knows the code."""
    station: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    key: PublicKey
    proof: Digest
    # For the hub's screen, so only a host name's and an address's characters.
    board: Annotated[str, msgspec.Meta(max_length=64, pattern="^[A-Za-z0-9._-]*$")] = ""  # its host name
    address: Annotated[str, msgspec.Meta(max_length=45, pattern="^[0-9A-Fa-f.:]*$")] = ""  # towards the hub


class PairAnswer(msgspec.Struct, frozen=True, omit_defaults=True, tag_field="v", tag=VERSION):
    """Hub -> that kiosk, on ``rotation/v1/pair/<client>/reply``: either ``error`` (why not, in words a
    technician can act on) or the hub's ``key`` and the ``bundle`` sealed under ``nonce``."""
    error: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    key: PublicKey | None = None
    nonce: Nonce | None = None
    bundle: Annotated[bytes, msgspec.Meta(max_length=MAX_PAIR_PAYLOAD)] | None = None


class BundleRoom(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    goals: tuple[str, ...]


class BundleStation(msgspec.Struct, frozen=True, omit_defaults=True):
    """A station as a kiosk's room config writes it (the keys of its ``[[station]]``)."""
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    kind: str
    kiosk: bool = True
    capacity: int | None = None
    activities: tuple[str, ...] = ()


class PairBundle(msgspec.Struct, frozen=True):
    """What the hub seals for a new kiosk: the room as a kiosk sees it (no roster), the hub's public key that
    checks cards (hex), the class secret (hex) only while the room takes old cards, the kiosk's own broker
    account and password, the teacher's PIN hash and the room's CA (PEM, with TLS)."""
    room: BundleRoom
    stations: tuple[BundleStation, ...]
    teacher_pin: str | None
    secret: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32,}$")] | None
    account: str
    password: str
    ca: str | None
    card_key: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class _Unversioned(msgspec.Struct, frozen=True, tag_field="v", tag=0):
    """Decoded alongside a message, it makes ``v`` required (see shared/protocol.py)."""


_REQUEST = msgspec.json.Decoder(PairRequest | _Unversioned)
_ANSWER = msgspec.json.Decoder(PairAnswer | _Unversioned)


class PairingError(ValueError):
    """Pairing cannot go on; the message says why in words a technician can act on."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """How a code is shown: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalized(typed: str) -> str:
    """The code as typed (any case, with or without the dash or spaces), or PairingError naming the problem."""
    code = "".join(typed.split()).replace("-", "").upper()
    wrong = sorted({c for c in code if c not in CODE_ALPHABET})
    if wrong:
        raise PairingError(f"a pairing code has no {', '.join(wrong)}: check it on the hub's screen "
                           f"(it uses {CODE_ALPHABET})")
    if len(code) != CODE_LENGTH:
        raise PairingError(f"a pairing code has {CODE_LENGTH} letters and digits; {typed!r} has {len(code)}")
    return code


def code_key(code: str, station: str) -> bytes:
    """The secret both sides derive from the code: slow to compute, so codes cannot be tried offline fast."""
    return hashlib.scrypt(code.encode(), salt=f"rotation-pair-v{VERSION}:{station}".encode(),
                          n=2 ** 14, r=8, p=1, dklen=32)


def _public_bytes(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _proof(key: bytes, station: str, public: bytes) -> bytes:
    return hmac.new(key, b"request:" + station.encode() + b":" + public, hashlib.sha256).digest()


def _seal_key(shared: bytes, key: bytes, station: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=key,
                info=f"rotation-pair-v{VERSION} bundle:{station}".encode()).derive(shared)


def _decoded(payload: bytes, decoder: msgspec.json.Decoder[Any], limit: int = MAX_PAIR_PAYLOAD) -> Any:
    if len(payload) > limit:
        raise PairingError(f"the pairing message is {len(payload)} bytes, over {limit}")
    try:
        message = decoder.decode(payload)
    except msgspec.ValidationError as error:  # before DecodeError, which it is a kind of
        if "`$.v`" in str(error) or "field `v`" in str(error):
            raise PairingError(f"the pairing message is not version {VERSION} of the pairing protocol") from None
        raise PairingError(f"the pairing message is not valid: {error}") from None
    except msgspec.DecodeError:
        raise PairingError("the pairing message is not JSON") from None
    if isinstance(message, _Unversioned):
        raise PairingError(f"the pairing message is not version {VERSION} of the pairing protocol")
    return message


@dataclass
class KioskSide:
    """The new kiosk's half: make the request, open the reply."""
    station: str
    code: str
    board: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        check_name(self.station, "station")
        self.code = normalized(self.code)
        self._key = code_key(self.code, self.station)
        self._private = X25519PrivateKey.generate()

    def request(self) -> bytes:
        public = _public_bytes(self._private)
        return msgspec.json.encode(PairRequest(self.station, public, _proof(self._key, self.station, public),
                                               self.board[:64], self.address[:45]))

    def open(self, payload: bytes) -> PairBundle:
        """The bundle the hub sent, or PairingError: the hub's refusal, or a reply not sealed with the code."""
        answer: PairAnswer = _decoded(payload, _ANSWER)
        if answer.error is not None:
            raise PairingError(f"the hub says: {answer.error}")
        if answer.key is None or answer.nonce is None or answer.bundle is None:
            raise PairingError("the hub's answer has neither an error nor a sealed bundle")
        hub_public = X25519PublicKey.from_public_bytes(answer.key)
        seal = _seal_key(self._private.exchange(hub_public), self._key, self.station)
        try:
            plain = AESGCM(seal).decrypt(answer.nonce, answer.bundle, _public_bytes(self._private))
        except InvalidTag:
            raise PairingError("the answer was not sealed with this code: it did not come from the hub that "
                               "made the code") from None
        try:
            return msgspec.json.decode(plain, type=PairBundle)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise PairingError(f"the hub's bundle is not one this kiosk can use: {error}") from None


@dataclass(frozen=True)
class Request:
    station: str
    public: bytes
    proof: bytes
    board: str = ""
    address: str = ""

    @classmethod
    def parse(cls, payload: bytes) -> Request:
        request: PairRequest = _decoded(payload, _REQUEST, MAX_PAIR_REQUEST)
        try:
            station = check_name(request.station, "station")
        except ValueError as error:
            raise PairingError(str(error)) from None
        return cls(station, request.key, request.proof, request.board, request.address)

    @property
    def from_board(self) -> str:
        """The board as it named itself, in words for the hub's screen (not proven: a board says what it is)."""
        named = " ".join(part for part in (self.board, f"({self.address})" if self.address else "") if part)
        return named or "a board that did not say its name"

    def proves(self, key: bytes) -> bool:
        return hmac.compare_digest(self.proof, _proof(key, self.station, self.public))


def sealed_reply(request: Request, key: bytes, bundle: PairBundle) -> bytes:
    """The hub's answer to a request whose proof matched: the bundle, readable only by that kiosk."""
    private = X25519PrivateKey.generate()
    seal = _seal_key(private.exchange(X25519PublicKey.from_public_bytes(request.public)), key, request.station)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(seal).encrypt(nonce, msgspec.json.encode(bundle), request.public)
    return msgspec.json.encode(PairAnswer(key=_public_bytes(private), nonce=nonce, bundle=sealed))


def refusal(reason: str) -> bytes:
    return msgspec.json.encode(PairAnswer(error=reason[:300]))
