"""A damaged SQLite file: set aside (renamed, kept, never deleted) and read for what can still be read, row by
row. Python's sqlite3 has no ``.recover`` and a kiosk has no sqlite3 program, so this walks the table itself:
a damaged page stops a scan, so it is read forwards until it stops, backwards from the end likewise, and the
keys in between one at a time, each lookup that lands on a damaged page skipped."""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from edge.files import sync_folder

DAMAGED = ".damaged-"  # a file set aside is named <file>.damaged-<local date and time>
WITH_THE_FILE = ("-wal", "-shm")  # what SQLite keeps beside a file, which holds some of its pages
MOST_LOOKUPS = 100_000  # keys tried one by one between the two scans: an outbox's span; more is not read


def set_aside(path: Path, now: float) -> Path:
    """Rename ``path`` (with its -wal and -shm) to ``<path>.damaged-<date>-<time>`` beside it; the new name.
    Nothing is deleted: the technician may want it, or a better tool may read more of it."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    aside = path.with_name(f"{path.name}{DAMAGED}{stamp}")
    number = 1
    while any(Path(f"{aside}{end}").exists() for end in ("", *WITH_THE_FILE)):
        number += 1
        aside = path.with_name(f"{path.name}{DAMAGED}{stamp}-{number}")
    for end in WITH_THE_FILE:
        if Path(f"{path}{end}").exists():
            os.replace(f"{path}{end}", f"{aside}{end}")
    os.replace(path, aside)
    sync_folder(path.parent)
    return aside


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to a file set aside (with its -wal, whose pages are the newest), or None if
    SQLite cannot open it at all. The shared-memory index SQLite makes to read it goes again afterwards."""
    shm = Path(f"{path}-shm")
    made_shm = not shm.exists()
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        conn = None
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()
        if made_shm:
            shm.unlink(missing_ok=True)


def readable_rows(conn: sqlite3.Connection, table: str, columns: str) -> dict[int, tuple]:
    """``columns`` (SQL, comma-separated) of the rows of ``table`` that can be read, by rowid. A row on a
    damaged page may come back garbled: the caller checks each one."""
    found: dict[int, tuple] = {}
    select = f'SELECT rowid, {columns} FROM "{table}"'
    highest = _scan(conn, f"{select} WHERE rowid > ? ORDER BY rowid", -(2 ** 63), found, max)
    lowest = _scan(conn, f"{select} WHERE rowid < ? ORDER BY rowid DESC", 2 ** 63 - 1, found, min)
    if 0 < lowest - highest <= MOST_LOOKUPS:
        for key in range(highest + 1, lowest):
            _scan(conn, f"{select} WHERE rowid = ?", key, found, max)
    return found


def readable_values(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    """The rows ``sql`` returns until it meets a damaged page."""
    found: list[tuple] = []
    try:
        for row in conn.execute(sql):
            found.append(row)
    except sqlite3.DatabaseError:
        pass
    return found


def _scan(conn: sqlite3.Connection, sql: str, start: int, found: dict[int, tuple],
          furthest: Callable[[int, int], int]) -> int:
    """Read rows into ``found`` until the end or a damaged page; the furthest rowid reached."""
    reached = start
    try:
        for row in conn.execute(sql, (start,)):
            found.setdefault(row[0], row[1:])
            reached = furthest(reached, row[0])
    except sqlite3.DatabaseError:
        pass
    return reached
