"""Which of the events waiting in a kiosk's outbox to send now. Pure: the caller passes in the time.

The hub keeps a session at the broker (QoS 1, not cleaned): while the hub is away, the broker keeps for it what a
kiosk sends, and delivers it when the hub is back. So an event goes again only when it may really be lost:
- after RESEND_SECONDS unacked, while the hub is online (while it is away, another copy would only wait in its
  queue beside the first, and reach it with the rest, over the limit it puts on a kiosk: hub/kiosk_limit.py);
- on a new connection to the broker (what was on its way on the last one may not have reached it);
- when the hub comes back, if it was sent before this kiosk knew the broker held the hub's session: the broker
  may have restarted without it (it keeps none across a restart), so what was sent to it meanwhile reached
  nobody, unless the hub subscribed first. A hub status heard on this connection is that proof: a retained one
  was kept by this broker since the hub published it, before this connection; a live one shows the hub is
  connected now. What was sent since is in the hub's queue, and waits there RESEND_SECONDS more from the hub's
  return; the rest waits HUB_BACK_GRACE for the hub's ack (when the broker and the hub restart together, the
  kiosk's first send after the restart often reaches the hub: a second copy at once, over the hub's limit on a
  kiosk, would have some of it dropped, and sent again only after RESEND_SECONDS);
- when the hub asks for it: it holds later events behind a gap (hub/ordering.py).
"""
from __future__ import annotations

RESEND_SECONDS = 10.0  # an event sent and not acked since is sent again
HUB_BACK_GRACE = 0.5  # a hub back acks in this time what reached it; the rest, which may not have, goes again


class Resend:
    def __init__(self) -> None:
        self._sent_at: dict[int, float] = {}  # by seq: when an event still waiting for its ack was last sent
        self._connected_at = 0.0
        self._hub_session_since: float | None = None  # since when, on this connection, the broker holds the hub's

    def connected(self, now: float) -> None:
        """A new connection to the broker: nothing sent on the last one is known to have arrived."""
        self._sent_at.clear()
        self._connected_at = now
        self._hub_session_since = None

    @property
    def knows_hub_session(self) -> bool:
        """Whether this kiosk knows the broker holds the hub's session (and so keeps for it what is sent)."""
        return self._hub_session_since is not None

    def heard_hub(self, retained: bool, now: float) -> None:
        """A hub status, retained (kept by this broker since before this connection) or live."""
        if self._hub_session_since is None:
            self._hub_session_since = self._connected_at if retained else now

    def hub_back(self, retained: bool, now: float) -> None:
        """The hub (re)connected, as a hub status with a new ``since`` says: what the broker holds for it reaches it
        now, and waits RESEND_SECONDS for its ack from now; what it may not hold goes again HUB_BACK_GRACE from
        now if still unacked."""
        if retained:
            self.heard_hub(retained, now)
        since = self._hub_session_since
        in_its_queue, unsure = now, now + HUB_BACK_GRACE - RESEND_SECONDS
        self._sent_at = {seq: in_its_queue if since is not None and at >= since else unsure
                         for seq, at in self._sent_at.items()}
        self.heard_hub(retained, now)

    def asked(self, seqs: tuple[int, ...]) -> None:
        """The hub asked for these: they go again at once."""
        for seq in seqs:
            self._sent_at.pop(seq, None)

    def sent(self, seq: int, now: float) -> None:
        self._sent_at[seq] = now

    def still_waiting(self, waiting: list[int]) -> None:
        """Only these events wait for an ack: the others' times are forgotten (one acked that comes back to wait
        again, as for a hub gone back to a backup, is then one never sent)."""
        still = set(waiting)
        self._sent_at = {seq: at for seq, at in self._sent_at.items() if seq in still}

    def due(self, waiting: list[int], now: float, most: int, hub_online: bool) -> list[int]:
        """Of the events ``waiting`` for an ack (their seqs, oldest first), up to ``most`` to send now: those not
        sent on this connection (or asked for again), and while the hub is online, those unacked RESEND_SECONDS
        after they last were."""
        self.still_waiting(waiting)
        return [seq for seq in waiting
                if seq not in self._sent_at or hub_online and now - self._sent_at[seq] >= RESEND_SECONDS][:most]
