"""SIGKILL in the middle of migrating the hub's database: the file opens clean and holds either the old
version, as it was, or the new one, whole; never a mix, and every event is there either way.

The old database is release 0.1.0's hub.db (tests/fixtures/release-0.1.0) with many events added, so that the
migration takes long enough to be killed in. The step to version 2 itself moves three rows out of meta, so the
driver (tests/faults/writers.py ``migrate``) runs it between two passes over every event that change a column
and change it back: a kill lands inside the transaction, and anything committed early would show."""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASE_HUB = ROOT / "tests" / "fixtures" / "release-0.1.0" / "hub.db"
STATIONS = ("independent", "collaborative", "tech", "reading-nook")


def old_database(path: Path, events: int) -> Path:
    """Release 0.1.0's hub.db with ``events`` more events in it, left at user_version 0 as that release left it."""
    shutil.copyfile(RELEASE_HUB, path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (0,)
        db.execute("BEGIN")
        rng = random.Random(events)
        for n in range(events):
            kind = rng.choice(("checkin", "checkin", "choice", "exit_ticket"))
            data = {"choice": {"activity": "Code a robot"}, "exit_ticket": {"answer": "got_it"}}.get(kind)
            db.execute("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                       "accepted, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (f"bulk-{n:07d}", kind, f"s{rng.randrange(1, 29):02d}", rng.choice(STATIONS),
                        1.7e9 + n * 0.37, n + 1, 1.7e9 + n * 0.37 - 2.5, 1.7e9 + n * 0.37 + 0.01, 1, None,
                        json.dumps(data) if data else None))
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
    finally:
        db.close()
    return path


def contents(path: Path) -> dict:
    """Everything the file holds, checked whole: version, schema, and a digest of every table's rows."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {}
        for table in sorted(tables):
            width = len(db.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
            digest = hashlib.sha256()
            count = 0
            order = ", ".join(str(n) for n in range(1, width + 1))
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
                digest.update(repr(row).encode())
                count += 1
            rows[table] = (count, digest.hexdigest())
        return {"version": db.execute("PRAGMA user_version").fetchone()[0],
                "schema": sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")),
                "rows": rows}
    finally:
        db.close()


def fresh_copy(base: Path, path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(base, path)


def start_driver(kind: str, path: Path) -> subprocess.Popen[str]:
    """The driver, once its migration's transaction is open."""
    driver = subprocess.Popen([sys.executable, "-m", "tests.faults.writers", kind, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert driver.stdout is not None and driver.stderr is not None
    lines = [driver.stdout.readline(), driver.stdout.readline()]
    assert lines == ["migrating\n", "transaction open\n"], "".join(lines) + driver.stderr.read()
    return driver


def kill_while_migrating(base: Path, work: Path, inside: int, most: int, seed: int, kind: str = "migrate") -> Counter:
    """Kill the migrating driver at random moments while its transaction is open (or just after), until
    ``inside`` kills have landed inside the transaction or ``most`` kills in all; after each kill the file must
    hold the old database or the migrated one, exactly. Returns how often each was found: "old" (killed inside
    the transaction) and "new" (killed after the commit)."""
    from hub.store import HUB_SCHEMA, HubStore

    old = contents(base)
    assert old["version"] == 0
    fresh_copy(base, work)
    HubStore(work).close()  # the real migration, uninterrupted
    new = contents(work)
    assert new["version"] == HUB_SCHEMA.version and new["schema"] != old["schema"]
    assert new["rows"]["events"] == old["rows"]["events"]

    fresh_copy(base, work)  # how long the driver's transaction lasts here, uninterrupted
    driver = start_driver("migrate", work)
    assert driver.stdout is not None
    started = time.monotonic()
    done = driver.stdout.readline()
    duration = time.monotonic() - started
    _, err = driver.communicate(timeout=60)
    assert driver.returncode == 0 and done == "migrated\n", err
    assert contents(work) == new, "the driver's slow migration must end where the real one does"

    rng = random.Random(seed)
    window = duration * 1.1
    found: Counter = Counter()
    fresh_copy(base, work)
    for _ in range(most):
        if found["old"] >= inside:
            break
        driver = start_driver(kind, work)
        time.sleep(rng.uniform(0, window))
        driver.send_signal(signal.SIGKILL)
        out, _ = driver.communicate()
        now = contents(work)
        if now == old:
            assert "migrated" not in out
            found["old"] += 1
        elif now == new:
            found["new"] += 1
            window *= 0.8  # the timed run was slower than this one (a busy machine): aim inside the transaction
            fresh_copy(base, work)  # migrated: start again from the old file
        else:
            changed = sorted(t for t in {*now["rows"], *old["rows"]} if now["rows"].get(t) != old["rows"].get(t))
            raise AssertionError(f"after a kill the file is neither the old database nor the migrated one: "
                                 f"user_version {now['version']}, tables changed from the old: {changed}, "
                                 f"events {now['rows'].get('events', (0,))[0]} of {old['rows']['events'][0]}")
    found["seconds per migration"] = round(duration, 2)  # type: ignore[assignment]
    return found


@pytest.fixture(scope="module")
def small_old(tmp_path_factory) -> Path:
    return old_database(tmp_path_factory.mktemp("old") / "hub-30k.db", 30_000)


def test_a_kill_mid_migration_leaves_the_old_file_or_the_new_one(small_old, tmp_path):
    found = kill_while_migrating(small_old, tmp_path / "hub.db", inside=3, most=30, seed=5)
    assert found["old"] >= 3, found


def test_the_check_catches_a_migration_that_commits_in_two_steps(small_old, tmp_path):
    """The test can fail: a migration that commits halfway (its new tables, then the version) is caught."""
    with pytest.raises(AssertionError, match="neither the old database nor the migrated one"):
        kill_while_migrating(small_old, tmp_path / "hub.db", inside=30, most=30, seed=6, kind="migrate-in-two-commits")


@pytest.mark.long
def test_fifty_kills_inside_migrations_of_a_hundred_thousand_events(tmp_path):
    base = old_database(tmp_path / "hub-100k.db", 100_000)
    found = kill_while_migrating(base, tmp_path / "hub.db", inside=50, most=150, seed=7)
    print(f"\nkills migrating 100,000 events: {dict(found)}")
    assert found["old"] >= 50, found
