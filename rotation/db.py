"""Opening the SQLite files of hub and kiosk, and making a commit durable when it has to be.

Both sides run WAL with ``synchronous=NORMAL``: a commit survives the process being killed at any
instant, and costs no fsync. Where a promise is made to another process (the hub's ack, the kiosk's
hand-over to the broker) the WAL is fsynced, which is what ``synchronous=FULL`` would do on every commit,
but off the latency-critical path. docs/architecture.md says why.
"""
from __future__ import annotations

import functools
import os
import sqlite3
import threading
from pathlib import Path

import sqlite_utils


def locked(method):
    """Run the method under ``self.lock``: threads share one connection, one transaction at a time."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    return run


class DatabaseFile:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=5.0)
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        conn.execute("PRAGMA synchronous=NORMAL")
        self._wal_fd: int | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def transaction(self):
        """``with file.transaction():`` runs its block as one atomic commit."""
        return _Transaction(self.conn)

    def make_durable(self) -> None:
        """fsync what has been committed so far, so it survives a power cut."""
        if self._wal_fd is None:
            wal = Path(f"{self.path}-wal")
            if not wal.exists():
                return
            self._wal_fd = os.open(wal, os.O_RDONLY)
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        os.fsync(self._wal_fd)

    def close(self) -> None:
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None
        self.conn.close()


class BackgroundSync:
    """fsyncs a database file on its own thread, shortly after it is asked to.

    The kiosk asks right after publishing a scan. The event is already committed, so a killed process
    loses nothing; the fsync only guards against a power cut, and doing it up to ``delay`` later keeps it
    (0.4 ms here, more on an SD card) off the scan's way to the hub and lets a queue of students share one.
    """

    def __init__(self, file: "DatabaseFile", lock: threading.RLock, delay: float) -> None:
        self.file, self.lock, self.delay = file, lock, delay
        self._changed = threading.Condition()
        self._requested = self._synced = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="db-sync", daemon=True)
        self._thread.start()

    def request(self) -> None:
        with self._changed:
            self._requested += 1
            self._changed.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Wait until everything requested so far is on disk."""
        with self._changed:
            target = self._requested
            return self._changed.wait_for(lambda: self._synced >= target, timeout)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        with self._changed:
            while True:
                self._changed.wait_for(lambda: self._requested > self._synced or self._stopping)
                if not self._stopping:
                    self._changed.wait_for(lambda: self._stopping, self.delay)
                target = self._requested
                if target > self._synced:
                    self._changed.release()
                    try:
                        with self.lock:
                            self.file.make_durable()
                    finally:
                        self._changed.acquire()
                    self._synced = target
                    self._changed.notify_all()
                if self._stopping:
                    return


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
