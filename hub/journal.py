"""The hub's event journal: events are stored and acked on their own thread, in batches.

The MQTT thread places the student and publishes the change at once, then hands the event here. This
thread stores every event handed over since its last turn in one transaction, fsyncs once (group commit)
and only then acks them, so a kiosk forgets an event only when it is on the hub's disk, and the broker
delivers it again if the hub dies before that (so a kiosk's events reach the store in the kiosk's order). If the disk
refuses, the events stay here unacked and are tried again; the kiosks keep theirs meanwhile.
"""
from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable

from edge.batches import BatchWorker
from hub.store import HubStore, ReceivedEvent

log = logging.getLogger("rotation.hub.journal")
RETRY_SECONDS = 1.0
# Acks wait this long for the events that follow, so one fsync (and one ack message) serves them all, and
# this work stays out of the way of the next scans' changes going out. A student never waits for an ack.
GATHER_SECONDS = 0.05


class EventJournal:
    def __init__(self, store: HubStore, send_ack: Callable[[str, list[str]], None],
                 release: Callable[[list[int]], None] = lambda mids: None,
                 stored: Callable[[list[ReceivedEvent]], None] = lambda batch: None) -> None:
        """``send_ack(station, ids)`` tells a kiosk its events are stored; ``release(mids)`` tells the
        broker it need not deliver those messages again; ``stored(batch)``: what else follows from them."""
        self.store = store
        self.send_ack = send_ack
        self.release = release
        self.stored = stored
        self.failing = False
        self._worker = BatchWorker("hub-journal", self._store_and_ack, GATHER_SECONDS, RETRY_SECONDS)

    def start(self) -> None:
        self._worker.start()

    def append(self, received: ReceivedEvent) -> None:
        self._worker.put(received)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event appended so far is stored and acked."""
        return self._worker.flush(timeout)

    def stop(self, wait: float = 10.0) -> None:
        """After at most ``wait`` seconds for what was appended to be stored."""
        self._worker.stop(wait)

    def _store_and_ack(self, batch: list[ReceivedEvent]) -> bool:
        try:
            self.store.add_events(batch)
            self.store.make_durable()
        except (sqlite3.Error, OSError) as error:
            if not self.failing:
                log.error("cannot store events (%s); they wait, unacked, and are tried again", error)
            self.failing = True
            return False
        if self.failing:
            log.warning("storing events again")
        self.failing = False
        acks: dict[str, list[str]] = defaultdict(list)
        for received in batch:
            acks[received.kiosk].append(received.event.id)
        for station, ids in acks.items():
            self.send_ack(station, ids)
        self.release([received.mid for received in batch if received.mid])
        self.stored(batch)
        return True
