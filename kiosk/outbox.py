"""The kiosk's outbox: every event is stored here before it is published, and leaves only when the hub's
ack names it. Sequence numbers keep the kiosk's order across restarts."""
from __future__ import annotations

import json
import threading
from pathlib import Path

from rotation.db import DatabaseFile
from shared.protocol import Event, encode


def _locked(method):
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    run.__name__, run.__doc__ = method.__name__, method.__doc__
    return run


class Outbox:
    def __init__(self, path: Path | str) -> None:
        self.file = DatabaseFile(path)
        self._lock = threading.RLock()  # scanner, MQTT and resend threads share one connection
        db = self.file.db
        db["outbox"].create({"id": str, "seq": int, "payload": str}, pk="id", if_not_exists=True)
        db["outbox"].create_index(["seq"], unique=True, if_not_exists=True)
        db["meta"].create({"key": str, "value": int}, pk="key", if_not_exists=True)

    @_locked
    def next_seq(self) -> int:
        row = self.file.conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return (row[0] if row else 0) + 1

    @_locked
    def add(self, event: Event) -> bytes:
        """Store the event (committed, not yet fsynced) and return its payload for publishing."""
        payload = encode(event)
        with self.file.transaction() as conn:
            conn.execute("INSERT INTO outbox (id, seq, payload) VALUES (?, ?, ?)",
                         (event.id, event.seq, payload.decode()))
            conn.execute("INSERT INTO meta (key, value) VALUES ('seq', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (event.seq,))
        return payload

    @_locked
    def make_durable(self) -> None:
        self.file.make_durable()

    @_locked
    def remove(self, ids: tuple[str, ...] | list[str]) -> int:
        with self.file.transaction() as conn:
            return conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids]).rowcount

    @_locked
    def pending(self, limit: int = 500) -> list[tuple[str, bytes]]:
        rows = self.file.conn.execute("SELECT id, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(event_id, payload.encode()) for event_id, payload in rows]

    @_locked
    def depth(self) -> int:
        return self.file.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def events(self) -> list[Event]:
        return [Event(**{k: v for k, v in json.loads(p).items() if k != "v"}) for _, p in self.pending(10_000)]

    @_locked
    def close(self) -> None:
        self.file.close()
