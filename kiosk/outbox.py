"""The kiosk's outbox: every event is stored here before it is published, and leaves only when the hub's
ack names it. Sequence numbers keep the kiosk's order across restarts."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from edge.batches import BatchWorker
from edge.db import DatabaseFile, DatabaseInUse, locked
from edge.migrations import Migration, Schema, statements
from shared.protocol import Event, decode, encode

SYNC_DELAY_SECONDS = 0.05
# Plain SQL (a kiosk never loads sqlite-utils), numbered as edge.migrations says. Version 1 is release 0.1.0's
# outbox as it made it, IF NOT EXISTS so that on one of its files (user_version 0) it changes nothing.
OUTBOX_SCHEMA = Schema([
    Migration(1, "release 0.1.0's outbox", statements(
        'CREATE TABLE IF NOT EXISTS "outbox" ("seq" INTEGER PRIMARY KEY, "id" TEXT, "payload" TEXT)',
        'CREATE UNIQUE INDEX IF NOT EXISTS "idx_outbox_id" ON "outbox" ("id")',
        'CREATE TABLE IF NOT EXISTS "meta" ("key" TEXT PRIMARY KEY, "value" INTEGER)',
    )),
], advice="update this kiosk's software, and keep the file: events in it may not have reached the hub yet")
log = logging.getLogger("rotation.kiosk.outbox")


class Outbox:
    def __init__(self, path: Path | str) -> None:
        try:
            self.file = DatabaseFile(path, exclusive=True, schema=OUTBOX_SCHEMA)
        except DatabaseInUse:
            raise DatabaseInUse(f"the outbox {path} is in use by another kiosk: each kiosk needs its own "
                                "(set [kiosk] outbox in the config, or --outbox)") from None
        self.lock = threading.RLock()  # scanner, MQTT and resend threads share one connection
        self._sync = BatchWorker("outbox-sync", self._fsync, SYNC_DELAY_SECONDS).start()
        conn = self.file.conn
        acked = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        waiting = conn.execute("SELECT max(seq) FROM outbox").fetchone()[0]
        self._last_seq = max(acked[0] if acked else 0, waiting or 0)

    @locked
    def next_seq(self) -> int:
        return self._last_seq + 1

    @locked
    def add(self, event: Event) -> bytes:
        """Store the event (committed, not yet fsynced) and return its payload for publishing. Its sequence
        number is used up even if the disk refuses it (sqlite3.Error): the kiosk then keeps it in memory."""
        payload = encode(event)
        self._last_seq = max(self._last_seq, event.seq)
        self.file.conn.execute("INSERT INTO outbox (id, seq, payload) VALUES (?, ?, ?)",
                               (event.id, event.seq, payload.decode()))
        return payload

    def make_durable_soon(self) -> None:
        """Have what is committed fsynced within SYNC_DELAY_SECONDS, on the sync thread.

        The event is committed, so a killed kiosk loses nothing; the fsync guards against a power cut, and
        done a moment later it stays off the scan's way to the hub and a queue of students shares one."""
        self._sync.put(None)

    def wait_durable(self, timeout: float = 5.0) -> bool:
        return self._sync.flush(timeout)

    def _fsync(self, requests: list) -> bool:
        try:
            with self.lock:
                self.file.make_durable()
        except OSError as error:
            log.error("cannot fsync the outbox (%s); trying again", error)
            return False
        return True

    @locked
    def remove(self, ids: tuple[str, ...] | list[str]) -> int:
        """Forget acked events; the highest sequence number handed out is kept for after a restart."""
        with self.file.transaction() as conn:
            removed = conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids]).rowcount
            conn.execute("INSERT INTO meta (key, value) VALUES ('seq', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)", (self._last_seq,))
        return removed

    @locked
    def pending(self, limit: int = 500) -> list[tuple[int, bytes]]:
        """(seq, payload) of what waits for the hub's ack, oldest first."""
        rows = self.file.conn.execute("SELECT seq, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(seq, payload.encode()) for seq, payload in rows]

    @locked
    def pin_state(self) -> tuple[int, float]:
        """(wrong PINs in a row, locked until) for the teacher's screen; kept here to outlive a restart."""
        rows = dict(self.file.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('pin_failures', 'pin_locked_until')"))
        return rows.get("pin_failures", 0), float(rows.get("pin_locked_until", 0))

    @locked
    def save_pin_state(self, failures: int, locked_until: float) -> None:
        with self.file.transaction() as conn:
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "value = excluded.value", [("pin_failures", failures),
                                                        ("pin_locked_until", int(locked_until + 0.999))])

    @locked
    def depth(self) -> int:
        return self.file.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def events(self) -> list[Event]:
        """What waits to be acked, read back as the hub will read it."""
        return [decode("kiosk_event", payload) for _, payload in self.pending(10_000)]

    def close(self) -> None:
        self._sync.stop()
        with self.lock:
            self.file.close()
