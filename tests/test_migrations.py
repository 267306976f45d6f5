"""Schema versions: the mechanism (edge.migrations), the hub's version 2, the files release 0.1.0 wrote
(tests/fixtures/release-0.1.0, copied, never changed in place), and the one-line refusal of a newer file."""
from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from edge.db import DatabaseFile
from edge.migrations import DatabaseTooNew, Migration, MigrationBroken, Schema, statements
from hub.plan import Skip
from hub.store import HUB_SCHEMA, HubStore
from kiosk.outbox import OUTBOX_SCHEMA, Outbox
from shared.protocol import Clock, HelpRequest, decode
from tests.conftest import ROOT, write_card_key, write_room

RELEASE = ROOT / "tests" / "fixtures" / "release-0.1.0"
HUB_TABLES_V1 = ("students", "events", "meta", "sessions", "deleted_students")
MOVED_OUT_OF_META = ("clock", "help", "skips")


def schema_of(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        db.close()


def version_of(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def rows_of(path: Path, *tables: str) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    finally:
        db.close()


def everything_in(path: Path) -> tuple:
    """Version, schema and every row of every table."""
    db = sqlite3.connect(path)
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    finally:
        db.close()
    return version_of(path), schema_of(path), rows_of(path, *tables)


def copy_of(name: str, tmp_path: Path) -> Path:
    source = RELEASE / name
    assert source.exists(), f"{source}: the release-0.1.0 fixture is missing"
    target = tmp_path / name
    shutil.copyfile(source, target)
    return target


# The mechanism, on a schema of its own
def _toy(*later: Migration) -> Schema:
    return Schema([Migration(1, "a table", statements('CREATE TABLE IF NOT EXISTS "t" ("x" INTEGER)')), *later])


def _open(path: Path, schema: Schema) -> None:
    DatabaseFile(path, schema=schema).close()


def test_a_new_file_gets_every_step_in_order_and_the_version(tmp_path):
    schema = _toy(Migration(2, "a column", statements('ALTER TABLE "t" ADD COLUMN "y" TEXT')),
                  Migration(3, "an index", statements('CREATE INDEX "idx_t_y" ON "t" ("y")')))
    _open(tmp_path / "a.db", schema)
    assert version_of(tmp_path / "a.db") == 3
    assert [row[1] for row in schema_of(tmp_path / "a.db")] == ["idx_t_y", "t"]


def test_a_file_from_before_versions_is_taken_as_version_1_unchanged_and_migrated_on(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)  # what a release without versions made: the tables, user_version 0
    with db:
        db.execute('CREATE TABLE "t" ("x" INTEGER)')
        db.executemany('INSERT INTO "t" VALUES (?)', [(1,), (2,)])
    db.close()
    before = schema_of(path)
    _open(path, _toy())
    assert version_of(path) == 1 and schema_of(path) == before and rows_of(path, "t") == {"t": [(1,), (2,)]}
    _open(path, _toy(Migration(2, "double x", statements('UPDATE "t" SET "x" = "x" * 2'))))
    assert version_of(path) == 2 and rows_of(path, "t") == {"t": [(2,), (4,)]}
    _open(path, _toy(Migration(2, "double x", statements('UPDATE "t" SET "x" = "x" * 2'))))  # once only
    assert rows_of(path, "t") == {"t": [(2,), (4,)]}


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "a.db"
    _open(path, _toy())
    db = sqlite3.connect(path)
    with db:
        db.execute('INSERT INTO "t" VALUES (7)')
    db.close()
    before = everything_in(path)

    def fails_halfway(conn: sqlite3.Connection) -> None:
        conn.execute('CREATE TABLE "u" ("z" TEXT)')
        conn.execute('UPDATE "t" SET "x" = 8')
        raise ValueError("a stored value this step did not expect")

    with pytest.raises(ValueError, match="did not expect"):
        _open(path, _toy(Migration(2, "fails", fails_halfway)))
    assert everything_in(path) == before


def test_a_step_that_commits_on_its_own_is_caught(tmp_path):
    """executescript commits before it runs: the version is not bumped and the mistake is named."""
    def uses_executescript(conn: sqlite3.Connection) -> None:
        conn.executescript('CREATE TABLE "u" ("z" TEXT);')

    with pytest.raises(MigrationBroken, match=r"step to schema version 2 \(script\) ended the migration's transaction"):
        _open(tmp_path / "a.db", _toy(Migration(2, "script", uses_executescript)))
    assert version_of(tmp_path / "a.db") == 0


def test_steps_are_numbered_from_one_without_gaps():
    with pytest.raises(ValueError, match="numbered 1, 2, 3"):
        _toy(Migration(3, "skips a number", statements()))


def test_two_processes_opening_an_old_file_at_once_migrate_it_once(tmp_path):
    path = tmp_path / "a.db"
    _open(path, _toy())
    ran = []

    def slow(conn: sqlite3.Connection) -> None:
        ran.append(1)
        time.sleep(0.3)
        conn.execute('ALTER TABLE "t" ADD COLUMN "y" TEXT')

    schema = _toy(Migration(2, "slow", slow))
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            _open(path, schema)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    openers = [threading.Thread(target=opener) for _ in range(2)]
    for thread in openers:
        thread.start()
    for thread in openers:
        thread.join()
    assert not errors and ran == [1] and version_of(path) == 2


def test_a_file_at_the_current_version_is_opened_without_a_write(tmp_path):
    """A report or an export beside the running hub takes no write lock to open the database."""
    path = tmp_path / "hub.db"
    HubStore(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the hub, in the middle of a write
    try:
        started = time.monotonic()
        HubStore(path).close()
        assert time.monotonic() - started < 0.5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# Newer than the code
def _make_newer(path: Path, version: int) -> bytes:
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        db.close()
    return path.read_bytes()


def test_a_hub_database_newer_than_the_code_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "hub.db"
    HubStore(path).close()
    before = _make_newer(path, HUB_SCHEMA.version + 1)
    with pytest.raises(DatabaseTooNew) as refused:
        HubStore(path)
    assert str(refused.value) == (f"{path}: this database is schema version {HUB_SCHEMA.version + 1}, newer than "
                                  f"this Rotation Station ({HUB_SCHEMA.version}): "
                                  "update the software, or restore a backup made by this version")
    assert path.read_bytes() == before


def test_an_outbox_newer_than_the_code_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "outbox.db"
    Outbox(path).close()
    before = _make_newer(path, OUTBOX_SCHEMA.version + 1)
    with pytest.raises(DatabaseTooNew, match=r"outbox.db: this database is schema version 3, newer than this "
                                             r"Rotation Station \(2\): update this kiosk's software"):
        Outbox(path)
    assert path.read_bytes() == before
    Outbox(tmp_path / "other.db").close()  # and the refusal left no thread or lock behind


def _rotation(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rotation.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("command", [["hub", "serve"], ["report"]], ids=" ".join)
def test_rotation_commands_refuse_a_newer_hub_database_in_one_line(command, tmp_path):
    config = write_room(tmp_path, 1883)
    database = tmp_path / "hub.db"
    HubStore(database).close()
    _make_newer(database, HUB_SCHEMA.version + 1)
    done = _rotation(*command, "--config", str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (f"rotation: {database}: this database is schema version {HUB_SCHEMA.version + 1}, newer "
                           f"than this Rotation Station ({HUB_SCHEMA.version}): update the software, or restore a "
                           "backup made by this version\n")
    assert version_of(database) == HUB_SCHEMA.version + 1


def test_a_kiosk_refuses_a_newer_outbox_in_one_line(tmp_path):
    config = write_room(tmp_path, 1883)
    outbox = tmp_path / "outbox.db"
    Outbox(outbox).close()
    _make_newer(outbox, 3)
    done = _rotation("kiosk", "--simulate", "--station", "tech", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith(f"rotation: {outbox}: this database is schema version 3, newer than this Rotation "
                                "Station (2): update this kiosk's software, and keep the file: events in it may "
                                "not have reached the hub yet\n")
    assert done.stderr.count("\n") == 1


# The hub's version 2: clock, help queue and skips stored under names of their own
def test_the_clock_help_and_skips_are_stored_under_their_own_names_and_read_back(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    clock = Clock(round=2, rounds=5, duration=900.0, running=False, ends_at=None, left=312.5, started_at=1.7e9)
    help_queue = [HelpRequest(id="h2", station="tech", at=1.7e9 + 2, student="s01"),
                  HelpRequest(id="h1", station="independent", at=1.7e9 + 1)]  # order of arrival, not of time
    skips = [Skip(group="otters", station="tech", instead="reading-nook"), Skip(group="koalas", station="independent")]
    try:
        store.save_clock(clock, seq=41, session_started=1.7e9 - 60)
        store.save_help(help_queue)
        store.save_skips(skips)
        assert store.load_clock() == clock and store.load_help() == help_queue and store.load_skips() == skips
        assert store.load_seq() == 41
        store.save_help(help_queue[1:])
        store.save_skips([])
        assert store.load_help() == help_queue[1:] and store.load_skips() == []
    finally:
        store.close()
    stored = rows_of(tmp_path / "hub.db", "clock", "help_queue", "skips", "meta")
    assert stored["clock"] == [(1, 2, 5, 900.0, 0, None, 312.5, 1.7e9, 0.0, None, None, None)]
    assert stored["help_queue"] == [(0, "h1", "independent", 1.7e9 + 1, None, 0, None, None)]  # not "on my way",
    # no classmate suggested
    assert stored["skips"] == []
    assert {key for key, _ in stored["meta"]} == {"seq", "session_started"}


def test_a_new_hub_database_and_one_from_release_0_1_0_end_the_same(tmp_path):
    HubStore(tmp_path / "new.db").close()
    old = copy_of("hub.db", tmp_path)
    HubStore(old).close()
    assert version_of(old) == version_of(tmp_path / "new.db") == HUB_SCHEMA.version
    assert schema_of(old) == schema_of(tmp_path / "new.db")


def test_a_new_outbox_and_one_from_release_0_1_0_end_the_same(tmp_path):
    Outbox(tmp_path / "new.db").close()
    old = copy_of("kiosk-outbox.db", tmp_path)
    before = schema_of(old)
    Outbox(old).close()
    assert version_of(old) == version_of(tmp_path / "new.db") == 2
    assert schema_of(old) == schema_of(tmp_path / "new.db")
    assert {name for _, name, _, _ in set(schema_of(old)) - set(before)} == {"acked", "idx_acked_at",
                                                                            "sqlite_autoindex_acked_1"}


# Release 0.1.0's files (tests/fixtures/release-0.1.0/README.md lists what they hold)
def test_release_0_1_0_hub_database_keeps_everything(tmp_path):
    path = copy_of("hub.db", tmp_path)
    assert version_of(path) == 0
    before = rows_of(path, *HUB_TABLES_V1)
    old_meta = dict(before["meta"])
    # the inventory in the fixture's README
    assert {t: len(rows) for t, rows in before.items()} == {
        "students": 27, "events": 77, "meta": 7, "sessions": 2, "deleted_students": 1}
    assert _events_by_kind(before["events"]) == {
        ("checkin", 1): 27, ("checkin", 0): 1, ("checkout", 1): 1, ("choice", 1): 18, ("goal", 1): 15,
        ("exit_ticket", 1): 6, ("conference", 1): 4, ("help", 1): 5}

    store = HubStore(path)
    try:
        after = rows_of(path, *HUB_TABLES_V1)
        for table in ("events", "deleted_students"):
            assert after[table] == before[table], table
        # version 3: the school's id beside the card's, and groups and readiness moved to the one class's enrollments
        # version 7: every student asked as the room asks everyone
        assert after["students"] == [(i, first, last, interests, card, i, None, 0, 0, None)
                                     for i, first, last, _group, interests, _readiness, card in before["students"]]
        # version 4: no stations were off; version 5: the plan's cycle began in round 1, no change waits;
        # version 11: the lesson's must-do stations were not kept then
        assert after["sessions"] == [(*row, "class", None, 1, None, None) for row in before["sessions"]]
        assert dict(after["meta"]) == {**{k: v for k, v in old_meta.items() if k not in MOVED_OUT_OF_META},
                                       "class": "class"}

        # what the hub reads back
        by_id = {row[0]: row for row in before["students"]}
        students = store.class_students("class", datetime.date.today())
        assert {s.id: (s.group, s.readiness) for s in students} == {i: (row[3], row[5]) for i, row in by_id.items()}
        assert store.card_versions() == {i: row[6] for i, row in by_id.items()}
        assert store.card_versions()["s07"] == 2  # the reissued card
        assert store.deleted_students() == {"s28"}
        assert store.event_count() == 77
        assert _events_by_kind(after["events"]) == _events_by_kind(before["events"])  # notes and help calls too
        notes = [row for row in after["events"] if row[1] == "conference"]
        assert len(notes) == 4 and all(json.loads(row[10])["tags"] for row in notes)
        assert sum(1 for row in after["events"] if row[1] == "help" and row[2] is None) == 3
        started, ended = max(before["sessions"])
        assert store.last_session() == (started, ended) and ended is None
        assert len(store.session_events(started, 2e9)) > 0
        assert store.roster_digest() == old_meta["roster_digest"]
        assert store.last_purge() == float(old_meta["last_purge"])
        assert store.load_seq() == int(old_meta["seq"])

        clock = json.loads(old_meta["clock"])  # the old stored shape, key by key
        assert store.load_clock() == Clock(round=clock["round"], rounds=clock["rounds"], duration=clock["duration"],
                                           running=clock["running"], ends_at=clock["ends_at"], left=clock["left"],
                                           started_at=clock["started_at"])
        assert store.load_help() == [HelpRequest(id=h["id"], station=h["station"], at=h["at"], student=h["student"])
                                     for h in json.loads(old_meta["help"])]
        assert [h.student for h in store.load_help()] == ["s02", None]  # open calls, with and without a name
        assert store.load_skips() == [Skip(group=s["group"], station=s["station"], instead=s["instead"])
                                      for s in json.loads(old_meta["skips"])]
        assert store.load_skips() == [Skip(group="koalas", station="teacher-table")]
    finally:
        store.close()


def _events_by_kind(rows: list[tuple]) -> dict[tuple[str, int], int]:
    counted: dict[tuple[str, int], int] = {}
    for row in rows:
        counted[row[1], row[8]] = counted.get((row[1], row[8]), 0) + 1
    return counted


def test_release_0_1_0_hub_database_is_migrated_once(tmp_path):
    path = copy_of("hub.db", tmp_path)
    HubStore(path).close()
    once = everything_in(path)
    data = path.read_bytes()
    store = HubStore(path)
    assert store.load_clock() is not None
    store.close()
    assert everything_in(path) == once and once[0] == HUB_SCHEMA.version
    assert path.read_bytes() == data


def test_release_0_1_0_room_is_rebuilt_the_same(tmp_path):
    """The hub service starts on the migrated file with the clock, calls for help, skips and groups it held."""
    from hub.service import HubService
    from shared.config import load_config

    for name in ("hub.db", "room.toml", "class.secret", "roster.csv"):
        copy_of(name, tmp_path)
    write_card_key(tmp_path)  # as the installer makes it when it updates the hub
    old_meta = dict(rows_of(tmp_path / "hub.db", "meta")["meta"])
    groups = {row[0]: row[3] for row in rows_of(tmp_path / "hub.db", "students")["students"]}
    service = HubService(load_config(tmp_path / "room.toml"))
    try:
        room = service.room
        clock = json.loads(old_meta["clock"])
        assert (room.clock.round, room.clock.running, room.clock.left, room.clock.started_at) == \
            (clock["round"], clock["running"], clock["left"], clock["started_at"])
        assert [(h.id, h.station, h.at, h.student) for h in room.help] == \
            [(h["id"], h["station"], h["at"], h["student"]) for h in json.loads(old_meta["help"])]
        assert [(s.group, s.station, s.instead) for s in room.skips] == \
            [(s["group"], s["station"], s["instead"]) for s in json.loads(old_meta["skips"])]
        assert {s.id: s.group for s in room.students.values()} == groups
        assert sorted(room.groups) == ["falcons", "herons", "koalas", "lynxes", "otters"]
        assert service.deleted == {"s28"} and room.card_versions["s07"] == 2
        assert (room.clock.round, room.clock.rounds, room.clock.running) == (1, 5, False)  # README: paused
        assert len(room.help) == 2 and len(room.presence) == 13 and len(room.progress) == 8
        assert room.seq == int(old_meta["seq"]) + 1
    finally:
        service.store.close()


def test_release_0_1_0_outbox_keeps_its_waiting_events_and_its_meta(tmp_path):
    path = copy_of("kiosk-outbox.db", tmp_path)
    before = rows_of(path, "outbox", "meta")
    assert {t: len(rows) for t, rows in before.items()} == {"outbox": 5, "meta": 3}
    meta = dict(before["meta"])
    outbox = Outbox(path)
    try:
        assert outbox.pending() == [(seq, payload.encode()) for seq, _, payload in sorted(before["outbox"])]
        assert [e.id for e in outbox.events()] == [decode("kiosk_event", p.encode()).id
                                                   for _, _, p in sorted(before["outbox"])]
        assert outbox.next_seq() == max(meta["seq"], *(seq for seq, _, _ in before["outbox"])) + 1 == 23
        assert [e.kind for e in outbox.events()] == ["checkin", "checkin", "choice", "help", "conference"]
        assert outbox.pin_state() == (meta["pin_failures"], float(meta["pin_locked_until"])) == (2, 0.0)
    finally:
        outbox.close()
    assert version_of(path) == 2
    assert rows_of(path, "outbox", "meta") == before
    once = everything_in(path)
    data = path.read_bytes()
    Outbox(path).close()
    assert everything_in(path) == once and path.read_bytes() == data
