"""The hub's event journal: events are stored and acked on their own thread, in batches.

The MQTT thread places the student and publishes the change at once, then hands the event here. This
thread stores every event handed over since its last turn in one transaction, fsyncs once (group commit)
and only then acks them, so a kiosk forgets an event only when it is on the hub's disk. If the disk
refuses, the events stay here unacked and are tried again; the kiosks keep theirs meanwhile.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections import defaultdict
from typing import Callable

from hub.store import HubStore, ReceivedEvent

log = logging.getLogger("rotation.hub.journal")
RETRY_SECONDS = 1.0
GATHER_SECONDS = 0.002  # let the change go out first, and gather the events that follow into one fsync


class EventJournal:
    def __init__(self, store: HubStore, send_ack: Callable[[str, list[str]], None]) -> None:
        self.store = store
        self.send_ack = send_ack
        self._waiting: list[ReceivedEvent] = []
        self._appended = 0
        self._written = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="hub-journal", daemon=True)
        self.failing = False

    def start(self) -> None:
        self._thread.start()

    def append(self, received: ReceivedEvent) -> None:
        with self._changed:
            self._waiting.append(received)
            self._appended += 1
            self._changed.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event appended so far is stored and acked."""
        with self._changed:
            target = self._appended
            return self._changed.wait_for(lambda: self._written >= target, timeout)

    def stop(self) -> None:
        self.flush()
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._stopping)
                if self._stopping and not self._waiting:
                    return
                if not self._stopping:
                    self._changed.wait(GATHER_SECONDS)
                batch, self._waiting = self._waiting, []
            if not self._write(batch):
                with self._changed:
                    self._waiting[:0] = batch
                    self._changed.wait(RETRY_SECONDS)
                continue
            acks: dict[str, list[str]] = defaultdict(list)
            for received in batch:
                acks[received.kiosk].append(received.event.id)
            for station, ids in acks.items():
                self.send_ack(station, ids)
            with self._changed:
                self._written += len(batch)
                self._changed.notify_all()

    def _write(self, batch: list[ReceivedEvent]) -> bool:
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
        return True
