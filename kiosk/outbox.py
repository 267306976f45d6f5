"""The kiosk's outbox: every event is stored here before it is published, and leaves only when the hub's
ack names it. Sequence numbers keep the kiosk's order across restarts. Acked events are kept a few days more
(``[kiosk] keep_acked_days``), so that a hub whose database was damaged and went back to its last backup can
ask for them again. A damaged outbox is set aside and what can be read of it carried over (kiosk/salvage.py)."""
from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from pathlib import Path

from edge.batches import BatchWorker
from edge.db import DatabaseDamaged, DatabaseFile, DatabaseInUse, is_damage
from edge.migrations import Migration, Schema, statements
from kiosk.salvage import Salvaged, salvage_outbox
from shared.config import KioskConfig
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
    Migration(2, "events the hub has acked, kept a few days for a hub gone back to a backup", statements(
        'CREATE TABLE "acked" ("seq" INTEGER PRIMARY KEY, "id" TEXT NOT NULL UNIQUE, "payload" TEXT NOT NULL, '
        '"acked_at" REAL NOT NULL)',
        'CREATE INDEX "idx_acked_at" ON "acked" ("acked_at")',
    )),
], advice="update this kiosk's software, and keep the file: events in it may not have reached the hub yet")
log = logging.getLogger("rotation.kiosk.outbox")
DAY_SECONDS = 24 * 3600
SALVAGE_PAUSE_SECONDS = 60.0  # damage found again this soon is a failing card: the kiosk keeps events in memory


def _repairing(method):
    """Run the method under ``self.lock``; if it finds the file damaged, set the file aside, carry over what can
    be read of it and run the method again, on the new file."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self.lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as error:
                if not is_damage(error) or time.monotonic() - self._salvaged_at < SALVAGE_PAUSE_SECONDS:
                    raise
                self.file.close()
                self.file = self._salvage(str(error))
                return method(self, *args, **kwargs)
    return run


class Outbox:
    def __init__(self, path: Path | str, keep_acked_days: int = KioskConfig.keep_acked_days) -> None:
        self.path = Path(path)
        self.keep_acked_seconds = keep_acked_days * DAY_SECONDS
        self.lock = threading.RLock()  # scanner, MQTT and resend threads share one connection
        self._salvaged_at = -SALVAGE_PAUSE_SECONDS
        self._last_seq = 0
        try:
            self.file = DatabaseFile(self.path, exclusive=True, schema=OUTBOX_SCHEMA, check=True)
        except DatabaseInUse:
            raise DatabaseInUse(f"the outbox {path} is in use by another kiosk: each kiosk needs its own "
                                "(set [kiosk] outbox in the config, or --outbox)") from None
        except DatabaseDamaged as damage:
            self.file = self._salvage(damage.reason)
        self._sync = BatchWorker("outbox-sync", self._fsync, SYNC_DELAY_SECONDS).start()
        self._last_seq = self._highest_seq()

    @_repairing
    def _highest_seq(self) -> int:
        conn = self.file.conn
        acked = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        waiting = conn.execute("SELECT max(seq) FROM outbox").fetchone()[0]
        return max(acked[0] if acked else 0, waiting or 0, self._last_seq)

    def _salvage(self, reason: str) -> DatabaseFile:
        """Set the damaged file aside and start a new one with what could be read of it."""
        self._salvaged_at = time.monotonic()
        salvaged = salvage_outbox(self.path, reason, time.time())
        file = DatabaseFile(self.path, exclusive=True, schema=OUTBOX_SCHEMA)
        with file.transaction() as conn:
            # OR IGNORE: a garbled row may repeat an id
            conn.executemany("INSERT OR IGNORE INTO outbox (seq, id, payload) VALUES (?, ?, ?)", salvaged.waiting)
            conn.executemany("INSERT OR IGNORE INTO acked (seq, id, payload, acked_at) VALUES (?, ?, ?, ?)",
                             salvaged.acked)
            self._last_seq = max(salvaged.highest_seq, self._last_seq)
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                             sorted({**salvaged.meta, "seq": self._last_seq}.items()))
        file.make_durable()
        _tell(salvaged)
        return file

    @_repairing
    def next_seq(self) -> int:
        return self._last_seq + 1

    @_repairing
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

    @_repairing
    def remove(self, stored: tuple[str, ...] | list[str] = (), refused: tuple[str, ...] | list[str] = (),
               at: float = 0.0) -> int:
        """Events the hub has answered leave the outbox: those it ``stored`` (acked at ``at``, the hub's time) are
        kept ``keep_acked_days`` more, those it ``refused`` (and will never store) go; so do kept ones older than
        that. The highest sequence number handed out is kept for after a restart. Returns how many left."""
        keep = bool(self.keep_acked_seconds and stored)
        try:
            return self._remove(stored, refused, at, keep)
        except sqlite3.OperationalError as error:
            if not keep or error.sqlite_errorcode != sqlite3.SQLITE_FULL:
                raise
        # A full disk: they leave all the same (they are at the hub; only a hub gone back to a backup misses them).
        log.warning("the outbox is full: %d events the hub stored are not kept for it", len(stored))
        return self._remove(stored, refused, at, keep=False)

    def _remove(self, stored: tuple[str, ...] | list[str], refused: tuple[str, ...] | list[str], at: float,
                keep: bool) -> int:
        with self.file.transaction() as conn:
            conn.execute("DELETE FROM acked WHERE acked_at < ?", (at - self.keep_acked_seconds,))
            if keep:
                conn.executemany("INSERT OR IGNORE INTO acked (seq, id, payload, acked_at) "
                                 "SELECT seq, id, payload, ? FROM outbox WHERE id = ?", [(at, i) for i in stored])
            removed = conn.executemany("DELETE FROM outbox WHERE id = ?",
                                       [(i,) for i in (*stored, *refused)]).rowcount
            conn.execute("INSERT INTO meta (key, value) VALUES ('seq', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)", (self._last_seq,))
        return removed

    @_repairing
    def forget_acked(self, now: float) -> int:
        """Let go of acked events kept longer than ``keep_acked_days`` by ``now`` (the hub's time)."""
        with self.file.transaction() as conn:
            return conn.execute("DELETE FROM acked WHERE acked_at < ?", (now - self.keep_acked_seconds,)).rowcount

    @_repairing
    def send_again(self, since: float, request: float) -> int:
        """The hub went back to a backup and asks (``request``: when it did, which names the request) for what it
        acked from ``since`` on (the hub's time): those kept events wait for its ack again. Done once per request;
        returns how many."""
        with self.file.transaction() as conn:
            answered = conn.execute("SELECT value FROM meta WHERE key = 'resent_for'").fetchone()
            if answered is not None and answered[0] == request:
                return 0
            moved = conn.execute("INSERT OR IGNORE INTO outbox (seq, id, payload) SELECT seq, id, payload FROM acked "
                                 "WHERE acked_at >= ?", (since,)).rowcount
            conn.execute("DELETE FROM acked WHERE acked_at >= ?", (since,))
            conn.execute("INSERT INTO meta (key, value) VALUES ('resent_for', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (request,))
        return moved

    @_repairing
    def kept(self) -> int:
        """How many acked events are kept."""
        return self.file.conn.execute("SELECT count(*) FROM acked").fetchone()[0]

    @_repairing
    def pending(self, limit: int = 500) -> list[tuple[int, bytes]]:
        """(seq, payload) of what waits for the hub's ack, oldest first."""
        rows = self.file.conn.execute("SELECT seq, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(seq, payload.encode()) for seq, payload in rows]

    @_repairing
    def pin_state(self) -> tuple[int, float]:
        """(wrong PINs in a row, locked until) for the teacher's screen; kept here to outlive a restart."""
        rows = dict(self.file.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('pin_failures', 'pin_locked_until')"))
        return rows.get("pin_failures", 0), float(rows.get("pin_locked_until", 0))

    @_repairing
    def save_pin_state(self, failures: int, locked_until: float) -> None:
        with self.file.transaction() as conn:
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "value = excluded.value", [("pin_failures", failures),
                                                        ("pin_locked_until", int(locked_until + 0.999))])

    @_repairing
    def depth(self) -> int:
        return self.file.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def events(self) -> list[Event]:
        """What waits to be acked, read back as the hub will read it."""
        return [decode("kiosk_event", payload) for _, payload in self.pending(10_000)]

    def close(self) -> None:
        self._sync.stop()
        with self.lock:
            self.file.close()


def _tell(salvaged: Salvaged) -> None:
    """The log names the files and the events lost, by id (an event's id names no student)."""
    log.error("the outbox was damaged (%s): set aside as %s, kept for the technician; a new outbox holds the %d "
              "events it still had for the hub and the %d kept after the hub's ack", salvaged.reason,
              salvaged.aside, len(salvaged.waiting), len(salvaged.acked))
    if salvaged.lost:
        log.error("the damaged outbox lost %d events waiting for the hub: %s", len(salvaged.lost),
                  ", ".join(salvaged.lost))
    if not salvaged.readable:
        log.error("nothing in the damaged outbox could be read: any events waiting in it for the hub are lost")
