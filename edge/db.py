"""Opening the SQLite files of hub and kiosk, and making a commit durable when it has to be.

Both sides run WAL with ``synchronous=NORMAL``: a commit survives the process being killed at any
instant, and costs no fsync. Where a promise is made to another process (the hub's ack, the kiosk's
hand-over to the broker) ``make_durable()`` fsyncs the WAL, which is what ``synchronous=FULL`` would do on
every commit, on a thread of its own (edge.batches) so it is off the scan's path.
docs/architecture.md says why.
"""
from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from edge.migrations import Schema, user_version


def _import_sqlite_utils():
    """Imported at the first use of ``DatabaseFile.db``, so a kiosk, which writes its outbox in plain SQL,
    never loads sqlite-utils and what it brings (click, pluggy, dateutil: 5 MB resident).

    sqlite-utils imports NumPy where it is installed (matplotlib brings it, for the reports) only to store
    NumPy values, which we never do. Kept from it, the hub starts a tenth of a second sooner and 12 MB
    smaller; NumPy stays importable for the reports' chart."""
    hidden = "numpy" not in sys.modules
    if hidden:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # a None entry makes an import raise ImportError
    try:
        import sqlite_utils
    finally:
        if hidden:
            del sys.modules["numpy"]
    return sqlite_utils


def locked(method):
    """Run the method under ``self.lock``: threads share one connection, one transaction at a time. Damage
    found on the way (``is_damage``) is told to ``self.file.on_damage`` before the error goes on."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self.lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as error:
                if is_damage(error) and self.file.on_damage is not None:
                    self.file.on_damage(error)
                raise
    return run


# SQLite's own words for a file whose pages are not what they should be (a power cut on an SD card, a card
# wearing out), as opposed to one it cannot write (full, locked, read-only): the low byte of the error code.
DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def is_damage(error: BaseException) -> bool:
    """The file is damaged: "database disk image is malformed", "file is not a database"."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in DAMAGE_CODES


class DatabaseDamaged(RuntimeError):
    """The file is damaged: it cannot be opened, or failed ``PRAGMA quick_check``. ``reason`` says how."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} is damaged: {reason}")
        self.path, self.reason = path, reason


class DatabaseNotReady(RuntimeError):
    """A file opened read-only is missing, or another version than this software reads."""


class DatabaseInUse(RuntimeError):
    """An exclusive database file is already open in another process."""


class DatabaseFile:
    """``exclusive`` keeps the file to this one connection until it is closed: another process that opens
    it gets ``DatabaseInUse``, and each commit skips the file locking and shared memory that sharing needs.
    ``schema`` is brought up to date as the file opens (``edge.migrations``); a file newer than it is refused
    with ``DatabaseTooNew``. With ``check`` a damaged file (one SQLite cannot open, or that fails ``PRAGMA
    quick_check``: every page read, 0.05 s for a 40 MB file here) is refused with ``DatabaseDamaged``, before
    it is migrated. ``on_damage`` is told of damage found later (see ``locked``)."""

    def __init__(self, path: Path | str, *, exclusive: bool = False, schema: Schema | None = None,
                 read_only: bool = False, check: bool = False) -> None:
        self.path = Path(path)
        self._wal_fd: int | None = None
        self.on_damage: Callable[[sqlite3.DatabaseError], None] | None = None
        if read_only:
            self.conn = self._open_read_only(schema)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = self._open(exclusive, schema, check)
        except sqlite3.DatabaseError as error:
            if is_damage(error):
                raise DatabaseDamaged(self.path, str(error)) from None
            raise

    def _open(self, exclusive: bool, schema: Schema | None, check: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                               timeout=1.0 if exclusive else 5.0)
        try:
            if exclusive:  # set before WAL is entered, so no shared-memory index is made
                conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if exclusive:  # a write takes the lock now, rather than at the first scan
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            conn.close()
            if "locked" in str(error):
                raise DatabaseInUse(f"{self.path} is in use by another process") from None
            raise
        except BaseException:
            conn.close()
            raise
        try:
            if check:
                _check(conn, self.path)
            if schema is not None:
                schema.migrate(conn, self.path)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self, schema: Schema | None) -> sqlite3.Connection:
        """Another process's file, read beside it (WAL lets readers in while it writes): never created,
        migrated or written. ``DatabaseNotReady`` if it is missing or of another schema version than ours."""
        if not self.path.exists():
            raise DatabaseNotReady(f"{self.path} does not exist yet: is the hub running?")
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None, timeout=5.0)
        found = user_version(conn)
        if schema is not None and found != schema.version:
            conn.close()
            raise DatabaseNotReady(f"{self.path} is schema version {found}, this software's is {schema.version}: "
                                   "restart the hub, then this")
        return conn

    @functools.cached_property
    def db(self):
        """The file as a ``sqlite_utils.Database``, on the same connection."""
        return _import_sqlite_utils().Database(self.conn)

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

    def erase(self, statements: list[tuple[str, tuple]]) -> int:
        """Run deleting statements in one transaction so that what they delete leaves the file: freed pages
        are overwritten with zeros (secure_delete), and the WAL, which keeps old copies of pages, is copied
        back and emptied. Returns how many rows went."""
        self.conn.execute("PRAGMA secure_delete=ON")
        try:
            with self.transaction() as conn:
                removed = sum(max(conn.execute(sql, args).rowcount, 0) for sql, args in statements)
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.execute("PRAGMA secure_delete=OFF")
        self.make_durable()
        return removed

    def close(self) -> None:
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None
        self.conn.close()


def _check(conn: sqlite3.Connection, path: Path) -> None:
    verdict = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    if verdict != ["ok"]:
        raise DatabaseDamaged(path, "; ".join(line.replace("\n", " ") for line in verdict))


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # SQLite ends it itself on some errors (a full disk): theirs is the one to see
            self.conn.execute("ROLLBACK")
