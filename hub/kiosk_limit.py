"""How fast the hub takes one kiosk's events: a token bucket per station. Pure: the caller passes in the time.

All kiosks' events reach the hub through one connection, in one queue: a kiosk account sending thousands a
second (its password taken from a stolen kiosk, or a kiosk gone wrong) would hold every other station's
check-ins behind its own. So each station may send ``burst`` events at once and ``rate`` a second after that;
what is over is dropped unread and not acked. A kiosk keeps what is not acked and sends it again when the hub
asks for it (a later event of its arrived: hub/ordering.py) or within 10 s (kiosk/resend.py), by when its bucket
has filled again: a genuine kiosk that was only in a hurry loses nothing.

The numbers leave a real class far below them: a line of six students at one kiosk makes about one event a
second, and six in its busiest second when they hurry (bench/kiosk_line.py); a kiosk back from an outage sends
what waits in its outbox, at most 400 at once and then 50 a second (kiosk/core.py). A flood of 20,000 events
in 2 s has 700 of them taken (bench/kiosk_flood.py).

A flood is counted, not logged event by event: ``floods_to_report`` gives each once it is over (nothing
dropped for ``QUIET_SECONDS``), and each minute while it goes on.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.protocol import KIOSK_BURST, KIOSK_EVENTS_PER_SECOND

EVENTS_PER_SECOND = KIOSK_EVENTS_PER_SECOND
BURST = KIOSK_BURST  # a kiosk's whole resend
QUIET_SECONDS = 5.0  # a flood is over once a station has had nothing dropped for this long
REPORT_SECONDS = 60.0  # a flood that goes on is reported this often


@dataclass
class Flood:
    station: str
    began: float  # the first drop (since the flood was last reported, if it goes on)
    last: float  # the latest drop
    dropped: int = 0
    going_on: bool = False  # reported while it goes on, not because it is over


@dataclass
class _Bucket:
    tokens: float
    at: float


class KioskLimit:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.dropped = 0
        self._buckets: dict[str, _Bucket] = {}
        self._floods: dict[str, Flood] = {}

    def take(self, station: str, now: float) -> bool:
        """True if the station may have one more event taken now; False if it is over its limit (the drop is
        counted in the station's flood)."""
        bucket = self._buckets.get(station)
        if bucket is None:
            bucket = self._buckets[station] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        flood = self._floods.get(station)
        if flood is None:
            flood = self._floods[station] = Flood(station, began=now, last=now)
        flood.dropped += 1
        flood.last = now
        self.dropped += 1
        return False

    def floods_to_report(self, now: float) -> list[Flood]:
        """The floods that are over (forgotten here), and those going on for ``REPORT_SECONDS`` since they
        began or were last reported (counted afresh from now)."""
        due = []
        for station, flood in list(self._floods.items()):
            if now - flood.last >= QUIET_SECONDS:
                if self._floods.pop(station).dropped:  # not when it stopped as it was last reported
                    due.append(flood)
            elif now - flood.began >= REPORT_SECONDS:
                due.append(Flood(station, flood.began, flood.last, flood.dropped, going_on=True))
                self._floods[station] = Flood(station, began=now, last=flood.last)
        return due
