"""One board per station: what a kiosk does when another board logs in with its station's login.

The broker keeps one connection per account (and per client id): when a second board logs in as a station's
kiosk, the broker closes the first one's connection. Two boards that both reconnected at once (a replaced kiosk
put back on the network to send its outbox, or a card copied from another board) pushed each other off five
times a second, neither staying long enough to send much. Instead the board pushed off keeps away for a while,
longer each time (30 s, 1, 2, 4, 8, then 10 minutes), working offline meanwhile: its check-ins wait in its
outbox, and the other board holds the station. A board whose login is refused (the station was paired to
another board since: its password is no longer the station's) keeps away the same way instead of asking every
few seconds (from 5 s, as a broker may take a kiosk's new password a moment late). Either way its screen and
journal say which, until it gets back in.

How a board knows it was pushed off: MQTT 5 says "session taken over" (reason 0x8E), but Mosquitto 2.0.11
(Debian 12, and this project's test machine) just closes the connection. So five connections in 10 s that the
broker closed within 2 s of the login count as the same (a fight makes several a second; a broker restarting,
one); the first such after keeping away counts at once. A network that drops that often costs a kiosk a wait it
did not need; its outbox keeps everything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TAKEN_OVER = 0x8E  # MQTT 5 DISCONNECT: Session taken over
REFUSED = (0x86, 0x87)  # MQTT 5 CONNACK: Bad User Name or Password, Not authorized
FIRST_WAIT, LONGEST_WAIT = 30.0, 600.0
FIRST_REFUSED_WAIT = 5.0  # a refusal pushes nobody off; a broker may take a new password a moment late
SHORT_SECONDS = 2.0  # a connection the broker closed this soon after the login was most likely taken over
# Two boards fighting log in several times a second; a broker restarting (or killed and started again, 14 times
# a minute in tests/faults/test_kill_loop.py) drops a kiosk every few seconds at most, which must not count.
SHORT_COUNT, SHORT_WINDOW = 5, 10.0

Kept = Literal["taken_over", "refused"]


@dataclass
class OneBoard:
    """Whether this board keeps off the broker, why, and for how long."""
    first: float = FIRST_WAIT
    longest: float = LONGEST_WAIT
    kept_off: Kept | None = None  # why, until it gets back in
    wait: float = 0.0  # the last wait it kept away
    _in_since: float | None = None
    _short: list[float] = field(default_factory=list)  # when connections closed soon after their login ended

    def got_in(self, now: float) -> None:
        if self.kept_off is not None:  # back after keeping away: one more short connection is enough
            self._short = [now] * (SHORT_COUNT - 1)
        self.kept_off, self._in_since = None, now

    def refused(self, reason: int, now: float) -> float | None:
        """The seconds to keep away after the broker refused the login for ``reason``, or None (try again)."""
        return self._keep_off("refused", now, FIRST_REFUSED_WAIT) if reason in REFUSED else None

    def lost(self, reason: int, now: float) -> float | None:
        """The seconds to keep away after the broker closed the connection for ``reason``, or None (try again)."""
        held = now - self._in_since if self._in_since is not None else None
        self._in_since = None
        if reason < 0x80:  # this board's own disconnect
            return None
        if held is not None and held >= self.longest:
            self.wait = 0.0  # it held the station long enough: a new fight starts from the first wait
        if reason == TAKEN_OVER:
            return self._keep_off("taken_over", now)
        if held is None or held >= SHORT_SECONDS:
            return None
        self._short = [*(t for t in self._short if now - t < SHORT_WINDOW), now]
        return self._keep_off("taken_over", now) if len(self._short) >= SHORT_COUNT else None

    def _keep_off(self, kind: Kept, now: float, first: float | None = None) -> float:
        first = self.first if first is None else first
        self.wait = first if not self.wait else min(max(self.wait * 2, first), self.longest)
        self.kept_off, self._short = kind, []
        return self.wait
