"""A damaged hub database, found as the hub starts (``PRAGMA quick_check``) or while it serves: the file is set
aside (renamed, kept), the newest backup (hub/backup.py) that passes SQLite's integrity check takes its place,
or, with none, a new database; the kiosks are then asked (``HubStatus.restored``) for the events the hub acked
since that backup was taken, which they keep a few days for this (``[kiosk] keep_acked_days``), and the hub
stores each once, by its id. docs/architecture.md ("A damaged database") says why."""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

from edge.db import DatabaseDamaged
from edge.files import sync_folder
from edge.salvage import set_aside
from hub.backup import backups_folder, copies, taken_at
from hub.store import HUB_SCHEMA, HubStore
from shared.protocol import Restored

log = logging.getLogger("rotation.hub.repair")
# Kiosks compare the backup's time with their own estimate of the hub's clock when each ack came: asked a little
# early, they send a few events the backup has, which the hub ignores by their ids.
RESEND_MARGIN_SECONDS = 600.0
# The state's seq after a restore moves on by this much, past any the damaged file handed out (the display and
# kiosks take only a newer state): more state changes than a room makes in years.
SEQ_AHEAD = 10_000_000


def open_store(database: Path, now: float, damage: str | None = None) -> HubStore:
    """The hub's database, checked as it opens. A damaged one (or one found damaged while the hub served:
    ``damage`` says how) is first replaced, and the replacement records it (``HubStore.restored``)."""
    if damage is None:
        try:
            return HubStore(database, check=True)
        except DatabaseDamaged as found:
            damage = found.reason
    restored = restore(database, now, damage)
    store = HubStore(database)
    store.record_restore(restored, SEQ_AHEAD)
    return store


def restore(database: Path, now: float, reason: str) -> Restored:
    """Set the damaged file aside and put the newest good backup in its place (none: nothing, and the hub makes
    a new one). The log names every file."""
    aside = set_aside(database, now)
    log.error("the hub's database %s is damaged (%s): set aside as %s, kept", database, reason, aside)
    folder = backups_folder(database)
    for copy in copies(folder) if folder.is_dir() else []:
        problem = _put_in_place(copy, database)
        if problem is None:
            taken = taken_at(copy)
            log.warning("the hub went back to its backup %s, taken %s; the kiosks are asked for what came after",
                        copy, time.strftime("%a %d %b %H:%M", time.localtime(taken)))
            return Restored(at=now, since=_since(database, taken), copy=taken)
        log.error("the backup %s cannot be used (%s): trying an older one", copy, problem)
    log.error("no backup in %s could be used: the hub starts with a new database (the roster is imported again) "
              "and the kiosks are asked for every event they kept", folder)
    return Restored(at=now, since=0.0)


def _put_in_place(copy: Path, database: Path) -> str | None:
    """Copy the backup in as the database, if it passes its check; else what is wrong with it."""
    partial = database.with_name(database.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        with open(copy, "rb") as source, open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                                              "wb") as target:
            shutil.copyfileobj(source, target)
            target.flush()
            os.fsync(target.fileno())
        problem = _problem(partial)
    except OSError as error:
        problem = str(error)
    if problem is not None:
        partial.unlink(missing_ok=True)
        return problem
    partial.replace(database)
    sync_folder(database.parent)
    return None


def _problem(path: Path) -> str | None:
    """None if the file passes SQLite's integrity check and this software can read it; else why not."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return str(error)
    if verdict != ["ok"]:
        return "; ".join(line.replace("\n", " ") for line in verdict)
    if version > HUB_SCHEMA.version:
        return f"made by a newer Rotation Station (schema version {version})"
    return None


def _since(database: Path, taken: float) -> float:
    """From when the kiosks send again: the newest event the backup holds, or when it was taken if earlier
    (a clock that was ahead), less a margin."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        newest = conn.execute("SELECT max(received_at) FROM events").fetchone()[0]
    except sqlite3.Error:
        newest = None
    finally:
        conn.close()
    return max(0.0, min(taken, newest if newest is not None else taken) - RESEND_MARGIN_SECONDS)
