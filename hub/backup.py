"""A consistent copy of the hub's database, taken while the hub runs (SQLite's online backup), checked, and
the oldest copies let go: ``rotation backup``, run nightly on an installed hub by rotation-backup.timer."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import msgspec

from edge.files import write_if_changed
from hub.backup_health import BackupRecord

PREFIX = "hub-"
STAMP = "%Y-%m-%d-%H%M%S"  # local time: the names sort as the copies were taken


def backups_folder(database: Path) -> Path:
    """Where copies go unless told otherwise, and where the hub looks for one to go back to."""
    return database.parent / "backups"


def backup_database(database: Path, folder: Path, when: float, keep: int = 14) -> Path:
    """Copy ``database`` into ``folder`` as hub-<date>-<time>.db and keep the newest ``keep`` copies there."""
    if not database.exists():
        raise ValueError(f"there is no hub database at {database} yet: nothing to back up")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{time.strftime(STAMP, time.localtime(when))}.db"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=10)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise ValueError(f"the copy of {database} failed its check ({verdict}); the database itself may be "
                             "damaged: keep the older backups")
    finally:
        copy.close()
        source.close()
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    partial.replace(target)
    for old in copies(folder)[keep:]:
        old.unlink()
    return target


def copies(folder: Path) -> list[Path]:
    """The copies in ``folder``, newest first."""
    return sorted(folder.glob(f"{PREFIX}*.db"), reverse=True)


def taken_at(copy: Path) -> float:
    """When the copy was taken: by its name, else (a copy renamed by hand) by the file's time."""
    try:
        return time.mktime(time.strptime(copy.stem.removeprefix(PREFIX), STAMP))
    except ValueError:
        return copy.stat().st_mtime


# What each run into the board's own folder came to, for the hub's status and `rotation doctor`
# (hub/backup_health.py): a small file beside the copies, the newest RECORDS_KEPT runs.
RECORDS_FILE = "runs.json"
RECORDS_KEPT = 60


def read_records(database: Path) -> list[BackupRecord]:
    """The runs recorded beside the backups, oldest first; none if there is no record (or it cannot be read:
    then the health check finds no recent backup, which is what to look at)."""
    try:
        return list(msgspec.json.decode((backups_folder(database) / RECORDS_FILE).read_bytes(),
                                        type=list[BackupRecord]))
    except (OSError, msgspec.DecodeError):
        return []


def add_record(database: Path, record: BackupRecord) -> None:
    """Add a run to the record (whole or not at all); OSError if the folder cannot be written."""
    folder = backups_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    runs = [*read_records(database), record][-RECORDS_KEPT:]
    write_if_changed(folder / RECORDS_FILE, msgspec.json.encode(runs).decode())
