"""The hub's side of pairing a kiosk (see shared/pairing.py): one-time codes, one per station, and the
answer to a kiosk that proves it has one, with a new password for the station's broker account. What came of
a code (a board paired, or the code spent by wrong tries) is told to the technician on the hub's screen."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from edge.broker_setup import new_password
from shared.config import Config, ConfigError
from shared.pairing import (
    CODE_SECONDS,
    CODE_TRIES,
    BundleRoom,
    BundleStation,
    PairBundle,
    PairingError,
    Request,
    code_key,
    new_code,
    refusal,
    sealed_reply,
    shown,
)
from shared.topics import kiosk_account

log = logging.getLogger("rotation.hub.pairing")


@dataclass(frozen=True)
class Outcome:
    """What became of a station's code: ``paired`` with ``board``, or spent by wrong tries (the last from
    ``board``)."""
    station: str
    board: str
    paired: bool
    at: float


@dataclass
class Waiting:
    code: str
    key: bytes
    expires_at: float
    tries_left: int = CODE_TRIES


def kiosk_bundle(config: Config, station: str) -> PairBundle:
    """What a station's new kiosk needs from the hub: the room as a kiosk sees it (no roster), the public key
    that checks cards (and the class secret only while the room takes old cards), its own broker account with
    a new password (the board paired before is locked out) and the room's CA when the broker speaks TLS."""
    folder = config.broker.accounts
    if folder is None:  # PairingDesk.issue makes no code without it
        raise ConfigError("the room's broker has no accounts to hand out ([broker] accounts)")
    ca = folder / "ca.crt"
    return PairBundle(
        room=BundleRoom(config.room_id, config.room_name, config.goals),
        stations=tuple(BundleStation(s.id, s.name, s.kind, s.kiosk, s.capacity, s.activities)
                       for s in config.stations),
        teacher_pin=config.kiosk.teacher_pin, secret=config.secret.hex() if config.accept_old_cards else None,
        account=kiosk_account(station), password=new_password(folder, kiosk_account(station)),
        ca=ca.read_text() if ca.exists() else None, card_key=config.card_public_key.hex())


class PairingDesk:
    def __init__(self, config: Config, now: Callable[[], float] = time.time) -> None:
        self.config = config
        self.now = now
        self._waiting: dict[str, Waiting] = {}
        self._lock = threading.Lock()

    def issue(self, station_id: str) -> tuple[str, float]:
        """A new code for ``station_id``'s kiosk (replacing any earlier one) and when it expires."""
        station = next((s for s in self.config.stations if s.id == station_id), None)
        if station is None:
            raise ValueError(f"{station_id!r} is not a station of this room "
                             f"(stations: {', '.join(s.id for s in self.config.stations)})")
        if not station.kiosk:
            raise ValueError(f"{station.name} has no kiosk (kiosk = false in the room config)")
        if self.config.broker.accounts is None:
            raise ValueError("the room's broker has no accounts to hand out: set [broker] accounts and run "
                             "`rotation broker setup`")
        code = new_code()
        waiting = Waiting(code, code_key(code, station_id), self.now() + CODE_SECONDS)
        with self._lock:
            self._waiting[station_id] = waiting
        log.info("pairing code made for station %s (good for %d minutes)", station_id, CODE_SECONDS // 60)
        return shown(code), waiting.expires_at

    def answer(self, payload: bytes) -> tuple[bytes, Outcome | None]:
        """The reply to a pairing request (the sealed bundle, or a refusal saying why), and what became of
        the station's code if this request settled it."""
        try:
            request = Request.parse(payload)
        except PairingError as error:
            return refusal(str(error)), None
        station = request.station
        now = self.now()
        with self._lock:
            waiting = self._waiting.get(station)
            if waiting is not None and waiting.expires_at < now:
                del self._waiting[station]
                waiting = None
            if waiting is None:
                return refusal(f"no pairing code is waiting for station {station}: make one on the hub with "
                               f"`sudo rotation hub pair --station {station}` (a code lasts "
                               f"{CODE_SECONDS // 60} minutes)"), None
            if not request.proves(waiting.key):
                waiting.tries_left -= 1
                log.warning("a pairing request for station %s had the wrong code (from %s)", station,
                            request.from_board)
                if waiting.tries_left == 0:
                    del self._waiting[station]
                    log.warning("the pairing code for station %s is spent by %d wrong tries", station, CODE_TRIES)
                    return (refusal("wrong code, and that code is now spent: make a new one on the hub"),
                            Outcome(station, request.from_board, paired=False, at=now))
                return refusal(f"wrong code: check it on the hub's screen ({waiting.tries_left} tries left)"), None
            del self._waiting[station]  # one kiosk per code
        try:
            bundle = kiosk_bundle(self.config, station)
        except (ConfigError, OSError) as error:
            return refusal(f"the hub cannot hand out this kiosk's account: {error}"), None
        log.info("paired a new kiosk for station %s: %s", station, request.from_board)
        return sealed_reply(request, waiting.key, bundle), Outcome(station, request.from_board, paired=True, at=now)
