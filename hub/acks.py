"""Acks go out only for events on disk: a thread fsyncs once for every event stored since its last turn
(group commit) and then acks them all, so the state publish never waits for the disk."""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Callable


class DurableAcks:
    def __init__(self, make_durable: Callable[[], None], send_ack: Callable[[str, list[str]], None]) -> None:
        self.make_durable = make_durable
        self.send_ack = send_ack
        self._pending: dict[str, list[str]] = defaultdict(list)
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="hub-acks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stored(self, station: str, event_id: str) -> None:
        """The event is committed; ack it once it is durable."""
        with self._wake:
            self._pending[station].append(event_id)
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending or self._stopping)
                batch, self._pending = self._pending, defaultdict(list)
                stopping = self._stopping
            if batch:
                self.make_durable()
                for station, ids in batch.items():
                    self.send_ack(station, ids)
            if stopping and not batch:
                return
