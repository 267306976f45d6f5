"""Each kiosk's events in the kiosk's own order. Pure: the caller passes in the time.

A kiosk numbers its events 1, 2, 3… and resends what the hub has not acked. Usually they arrive in order,
but not always: when the broker restarts without the hub's session, events a kiosk published meanwhile are
gone, and the kiosk's newer events can reach the hub before its resent older ones; an event the hub's limit
on a kiosk dropped (hub/kiosk_limit.py) is a gap too. The hub applies and stores an event only once every
earlier one of that kiosk has been, holding a later one until the gap is filled. It asks the kiosk for the
missing ones at once (``to_ask``), and again while the gap stays open, in case what it asked for was dropped
as well. A gap still open after ``hold_seconds`` means those events are lost for good (a kiosk's outbox was
replaced, say), and what was held goes on. A kiosk has only so many held at once: the next are dropped
unacked, and it sends them again with the rest, so that what goes on at once is applied in a moment (a kiosk
account sending with gaps on purpose would otherwise have thousands held, and the other kiosks' check-ins
would wait while they are applied).
"""
from __future__ import annotations

from typing import Generic, TypeVar

Item = TypeVar("Item")


class KioskOrder(Generic[Item]):
    def __init__(self, next_seq: dict[str, int], hold_seconds: float, max_held: int) -> None:
        """``next_seq``: for each kiosk, the sequence number of the first event not yet applied."""
        self.next_seq = dict(next_seq)
        self.hold_seconds = hold_seconds
        self.max_held = max_held
        self._held: dict[str, dict[int, tuple[Item, float]]] = {}
        self._asked: dict[str, float] = {}  # by kiosk: when its gap was last asked for

    def arrive(self, kiosk: str, seq: int, item: Item, now: float) -> tuple[list[Item], list[Item]]:
        """(items to apply now, in order; items to drop: copies of one already held, or one more than a kiosk
        may have held)."""
        expected = self.next_seq.get(kiosk)
        if expected is not None and seq < expected:
            return [item], []  # already applied (its copy is ignored by id), or the kiosk started afresh
        if expected is not None and seq > expected:
            held = self._held.setdefault(kiosk, {})
            if seq in held or len(held) >= self.max_held:
                return [], [item]
            held[seq] = (item, now)
            return [], []
        self.next_seq[kiosk] = seq + 1
        return [item, *self._following(kiosk)], []

    def _following(self, kiosk: str) -> list[Item]:
        held = self._held.get(kiosk, {})
        ready = []
        while self.next_seq[kiosk] in held:
            ready.append(held.pop(self.next_seq[kiosk])[0])
            self.next_seq[kiosk] += 1
        if not held:
            self._held.pop(kiosk, None)
            self._asked.pop(kiosk, None)  # its gap closed: a new one is asked for at once
        return ready

    def to_ask(self, now: float, every: float, most: int) -> list[tuple[str, list[int]]]:
        """For each kiosk with a gap not asked for in the last ``every`` seconds: (kiosk, up to ``most`` of the
        missing sequence numbers, lowest first)."""
        asks = []
        for kiosk, held in self._held.items():
            if now - self._asked.get(kiosk, -every) < every:
                continue
            self._asked[kiosk] = now
            missing = [s for s in range(self.next_seq[kiosk], max(held)) if s not in held][:most]
            asks.append((kiosk, missing))
        return asks

    def overdue(self, now: float) -> list[tuple[str, list[int], list[Item]]]:
        """For each kiosk whose gap has stayed open too long: (kiosk, the missing sequence numbers, the held
        items in order), which are then no longer held."""
        released = []
        for kiosk, held in list(self._held.items()):
            if now - min(at for _, at in held.values()) < self.hold_seconds:
                continue
            seqs = sorted(held)
            missing = [s for s in range(self.next_seq[kiosk], seqs[-1]) if s not in held]
            released.append((kiosk, missing, [held[s][0] for s in seqs]))
            self.next_seq[kiosk] = seqs[-1] + 1
            del self._held[kiosk]
            self._asked.pop(kiosk, None)
        return released

    def holding(self) -> int:
        return sum(len(held) for held in self._held.values())
