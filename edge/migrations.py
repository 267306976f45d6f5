"""Numbered schema migrations for the hub's database and the kiosk's outbox, tracked with ``PRAGMA user_version``.

Each database has a ``Schema``: a list of numbered steps, step *n* taking the file from version *n - 1* to *n*.
Opening a file runs the steps it lacks, all of them in one transaction (``BEGIN IMMEDIATE`` … the
``user_version`` bump … ``COMMIT``), so a process killed in the middle leaves the version it found, never a mix.
A file newer than the code is refused with one line (``DatabaseTooNew``) and left as it is.

Version 1 is what release 0.1.0 made, which set no version: its statements are ``CREATE … IF NOT EXISTS``, so on
a file of that release (tables, ``user_version`` 0) they change nothing and it is taken as version 1 and
migrated on. Later steps run exactly once, so they need no ``IF NOT EXISTS`` (it would only hide a mistake). A
step is a function of the connection; ``statements(...)`` makes one from SQL. Never ``executescript`` in a step:
it commits first. docs/architecture.md ("Schema versions and migrations") says how to add one.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("rotation.db")

Step = Callable[[sqlite3.Connection], None]


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer Rotation Station: its schema is one this code does not know."""


class MigrationBroken(RuntimeError):
    """A step ended the migration's transaction itself (``executescript``, ``commit()``): a bug in the step."""


@dataclass(frozen=True)
class Migration:
    version: int  # what the file is once this step has run
    what: str  # one line, for the log and the reader
    run: Step


def statements(*sql: str) -> Step:
    """A step that runs these SQL statements in order, each with ``execute`` (inside the transaction)."""
    def run(conn: sqlite3.Connection) -> None:
        for statement in sql:
            conn.execute(statement)
    return run


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


@dataclass(frozen=True)
class Schema:
    """``migrations`` numbered 1, 2, … in order; ``advice`` ends the line that refuses a newer file."""
    migrations: Sequence[Migration]
    advice: str = "update the software"

    def __post_init__(self) -> None:
        numbers = [m.version for m in self.migrations]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"migrations must be numbered 1, 2, 3, … in order, not {numbers}")

    @property
    def version(self) -> int:
        return len(self.migrations)

    def migrate(self, conn: sqlite3.Connection, path: Path | str) -> int:
        """Bring the file to ``self.version`` in one transaction; returns the version it had. ``conn`` must
        run without Python's implicit transactions (``isolation_level=None``), as ``edge.db`` opens it."""
        found = user_version(conn)
        self._refuse_newer(found, path)
        if found == self.version:  # the usual case: no write, so a reader beside a running hub takes no lock
            return found
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = user_version(conn)  # another process may have migrated it while we waited for the lock
            self._refuse_newer(found, path)
            for migration in self.migrations[found:]:
                migration.run(conn)
                if not conn.in_transaction:
                    raise MigrationBroken(f"{path}: the step to schema version {migration.version} "
                                          f"({migration.what}) ended the migration's transaction")
            conn.execute(f"PRAGMA user_version = {self.version:d}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("%s: schema version %d -> %d", path, found, self.version)
        return found

    def _refuse_newer(self, found: int, path: Path | str) -> None:
        if found > self.version:
            raise DatabaseTooNew(f"{path}: this database is schema version {found}, newer than this Rotation "
                                 f"Station ({self.version}): {self.advice}")
