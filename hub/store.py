"""The hub's database: roster, every event once by its id, and the clock. Rebuilds the room after a crash."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from edge.db import DatabaseFile, locked
from edge.migrations import Migration, Schema, statements
from hub.goals import GoalCheck, GoalRow, RoomGoal
from hub.ids import card_id, class_id
from hub.oneroster import Mirror
from hub.plan import Skip
from hub.report import SessionEvent
from hub.roster import ONE_CLASS, RoomRoster, RosterClass, RosterStudent
from hub.student_path import PathEvent
from shared.languages import SOURCE_LANGUAGE
from shared.protocol import (
    ATTENDANCE_MARKS,
    BY_STUDENT,
    AttendanceMark,
    Clock,
    Event,
    HelpRequest,
    LastVisit,
    Needs,
    PeerHelp,
    Presence,
    Restored,
    StartArgs,
)

# An enrollment ``e`` that runs on ``:day`` (ISO dates compare as text; the end is exclusive, as OneRoster's).
# hub.roster.Membership.current says the same of an enrollment being imported.
CURRENT_ENROLLMENT = "coalesce(e.begins, '') <= :day AND coalesce(e.ends, '9999') > :day"
# "I'm done" at a kiosk, not the teacher marking a student absent at the teacher's table (also a checkout)
KIOSK_CHECKOUT = f"(kind = 'checkout' AND json_extract(data, '$.by') = '{BY_STUDENT}')"
SINCE_SESSION_STARTED = "AND at >= coalesce((SELECT CAST(value AS REAL) FROM meta WHERE key = 'session_started'), 0)"


class PeerCall(NamedTuple):
    """A call for help in which the kiosk suggested a classmate (``peer``); ``taken``: the student said they
    would ask them (None: no answer)."""
    at: float
    station: str
    asker: str | None
    peer: str
    taken: bool | None


@dataclass(frozen=True)
class ReceivedEvent:
    """An event as the hub judged it, ready to be stored; ``kiosk`` is the station whose topic it came on."""
    kiosk: str
    event: Event
    student: str | None
    received_at: float
    accepted: bool
    reason: str
    seq: int  # the state seq once this event was applied
    mid: int = 0  # its MQTT message id: the broker is told it arrived only once it is stored


# Schema. Each version's statements are frozen once released: a change is a new numbered step at the end, which
# reads the stored shapes of the version before it, never today's classes (docs/architecture.md, "Schema versions
# and migrations").

# Version 1: the tables release 0.1.0 made with sqlite-utils, statement for statement as it wrote them (the
# text kept in sqlite_master), so a new file and one from that release are the same. IF NOT EXISTS: on a file
# of that release (user_version 0) they change nothing.
_V1_STUDENTS = """CREATE TABLE IF NOT EXISTS "students" (
   "id" TEXT PRIMARY KEY,
   "first_name" TEXT,
   "last_name" TEXT,
   "group_id" TEXT,
   "interests" TEXT,
   "readiness" INTEGER,
   "card_version" INTEGER NOT NULL DEFAULT 1
)"""
_V1_EVENTS = """CREATE TABLE IF NOT EXISTS "events" (
   "id" TEXT PRIMARY KEY,
   "kind" TEXT,
   "student" TEXT,
   "station" TEXT,
   "at" REAL,
   "kiosk_seq" INTEGER,
   "kiosk_time" REAL,
   "received_at" REAL,
   "accepted" INTEGER,
   "reason" TEXT,
   "data" TEXT
)"""
_V1_META = """CREATE TABLE IF NOT EXISTS "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
)"""
_V1_SESSIONS = """CREATE TABLE IF NOT EXISTS "sessions" (
   "started" REAL PRIMARY KEY,
   "ended" REAL
)"""
# A deleted student's id and last card version, so their cards stay refused and their events still on the way
# from a kiosk are dropped, not stored.
_V1_DELETED_STUDENTS = """CREATE TABLE IF NOT EXISTS "deleted_students" (
   "id" TEXT PRIMARY KEY,
   "card_version" INTEGER
)"""
_V1 = statements(
    _V1_STUDENTS,
    _V1_EVENTS,
    'CREATE INDEX IF NOT EXISTS "idx_events_student_at"\n    ON "events" ("student", "at")',
    # So that starting (this session's presence and progress, each kiosk's last sequence number) and the
    # daily purge read what they need, not a school year of history.
    'CREATE INDEX IF NOT EXISTS "idx_events_at"\n    ON "events" ("at")',
    'CREATE INDEX IF NOT EXISTS "idx_events_station_kiosk_seq"\n    ON "events" ("station", "kiosk_seq")',
    'CREATE INDEX IF NOT EXISTS "idx_events_received_at"\n    ON "events" ("received_at")',
    _V1_META,
    _V1_SESSIONS,
    _V1_DELETED_STUDENTS,
)

# Version 2: the clock, the open calls for help (in order of arrival) and the skips get tables of their own
# instead of JSON in meta whose keys were the classes' field names. Columns are named here, once.
_V2_CLOCK = """CREATE TABLE "clock" (
   "id" INTEGER PRIMARY KEY CHECK ("id" = 1),
   "round" INTEGER NOT NULL,
   "rounds" INTEGER NOT NULL,
   "duration" REAL NOT NULL,
   "running" INTEGER NOT NULL,
   "ends_at" REAL,
   "seconds_left" REAL,
   "started_at" REAL
)"""
_V2_HELP_QUEUE = """CREATE TABLE "help_queue" (
   "position" INTEGER PRIMARY KEY,
   "id" TEXT NOT NULL,
   "station" TEXT NOT NULL,
   "at" REAL NOT NULL,
   "student" TEXT
)"""
_V2_SKIPS = """CREATE TABLE "skips" (
   "position" INTEGER PRIMARY KEY,
   "group_id" TEXT NOT NULL,
   "station" TEXT NOT NULL,
   "instead" TEXT
)"""


def _v2_room_out_of_meta(conn: sqlite3.Connection) -> None:
    """Make the three tables and move into them what version 1 kept in meta: the JSON release 0.1.0 wrote,
    whose keys (its classes' field names then) are spelled out here."""
    for sql in (_V2_CLOCK, _V2_HELP_QUEUE, _V2_SKIPS):
        conn.execute(sql)
    old = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('clock', 'help', 'skips')").fetchall())
    if old.get("clock"):
        c = json.loads(old["clock"])
        conn.execute("INSERT INTO clock (id, round, rounds, duration, running, ends_at, seconds_left, started_at) "
                     "VALUES (1, ?, ?, ?, ?, ?, ?, ?)", (c["round"], c["rounds"], c["duration"], int(c["running"]),
                                                         c.get("ends_at"), c.get("left"), c.get("started_at")))
    conn.executemany("INSERT INTO help_queue (position, id, station, at, student) VALUES (?, ?, ?, ?, ?)",
                     [(n, h["id"], h["station"], h["at"], h.get("student"))
                      for n, h in enumerate(json.loads(old.get("help") or "[]"))])
    conn.executemany("INSERT INTO skips (position, group_id, station, instead) VALUES (?, ?, ?, ?)",
                     [(n, s["group"], s["station"], s.get("instead"))
                      for n, s in enumerate(json.loads(old.get("skips") or "[]"))])
    conn.execute("DELETE FROM meta WHERE key IN ('clock', 'help', 'skips')")


# Version 3: a room has classes. A student is a person with the school's id (sis_id) and the hub's (id, on the
# card, the same in every class); groups and readiness belong to a student in a class (enrollments); a session
# is a class's; and what the room kept of the last OneRoster import waits for the next delta. The class a file
# of version 2 held becomes the one class "class", as a CSV without a class column names it. A class's position
# is its place in the roster, NULL once the roster no longer has it.
_V3_CLASSES = """CREATE TABLE "classes" (
   "id" TEXT PRIMARY KEY,
   "sis_id" TEXT NOT NULL UNIQUE,
   "title" TEXT NOT NULL,
   "code" TEXT NOT NULL DEFAULT '',
   "term" TEXT NOT NULL DEFAULT '',
   "school" TEXT NOT NULL DEFAULT '',
   "teachers" TEXT NOT NULL DEFAULT '',
   "position" INTEGER
)"""
_V3_ENROLLMENTS = """CREATE TABLE "enrollments" (
   "class_id" TEXT NOT NULL REFERENCES "classes" ("id"),
   "student" TEXT NOT NULL REFERENCES "students" ("id"),
   "group_id" TEXT,
   "readiness" INTEGER,
   "begins" TEXT,
   "ends" TEXT,
   PRIMARY KEY ("class_id", "student")
)"""
_V3_ROSTER_MIRROR = """CREATE TABLE "roster_mirror" (
   "file" TEXT NOT NULL,
   "sourced_id" TEXT NOT NULL,
   "record" TEXT NOT NULL,
   PRIMARY KEY ("file", "sourced_id")
)"""
_V3 = statements(
    _V3_CLASSES,
    _V3_ENROLLMENTS,
    _V3_ROSTER_MIRROR,
    'ALTER TABLE "students" ADD COLUMN "sis_id" TEXT',
    'UPDATE "students" SET "sis_id" = "id"',
    'CREATE UNIQUE INDEX "idx_students_sis_id" ON "students" ("sis_id")',
    'ALTER TABLE "sessions" ADD COLUMN "class_id" TEXT',
    """INSERT INTO "classes" ("id", "sis_id", "title", "position") SELECT 'class', 'class', 'Class', 1
       WHERE EXISTS (SELECT 1 FROM "students") OR EXISTS (SELECT 1 FROM "sessions")""",
    'INSERT INTO "enrollments" ("class_id", "student", "group_id", "readiness") '
    'SELECT \'class\', "id", "group_id", "readiness" FROM "students"',
    """UPDATE "sessions" SET "class_id" = 'class'""",
    """INSERT INTO "meta" ("key", "value") SELECT 'class', 'class' WHERE EXISTS (SELECT 1 FROM "classes")""",
    'ALTER TABLE "students" DROP COLUMN "group_id"',
    'ALTER TABLE "students" DROP COLUMN "readiness"',
)

# Version 4: a lesson (a session) keeps the stations it switched off, so a restart keeps them off; the lesson's
# attendance marks (absent, late) are a table of their own.
_V4 = statements(
    'ALTER TABLE "sessions" ADD COLUMN "stations_off" TEXT',
    """CREATE TABLE "attendance" (
   "student" TEXT PRIMARY KEY,
   "mark" TEXT NOT NULL
)""",
)

# Version 5: a lesson's passing time, the window for its last exit tickets and the round its plan's cycle began
# in (stations switched on or off during the lesson start a new one); the stations off from its next round;
# each class's last lesson settings (its preset); groups set to apply from the next round or lesson.
_V5 = statements(
    'ALTER TABLE "clock" ADD COLUMN "passing" REAL NOT NULL DEFAULT 0',
    'ALTER TABLE "clock" ADD COLUMN "passing_ends" REAL',
    'ALTER TABLE "clock" ADD COLUMN "passing_left" REAL',
    'ALTER TABLE "clock" ADD COLUMN "closing_at" REAL',
    'ALTER TABLE "sessions" ADD COLUMN "cycle_start" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "sessions" ADD COLUMN "stations_off_next" TEXT',
    """CREATE TABLE "lesson_presets" (
   "class_id" TEXT PRIMARY KEY,
   "minutes" REAL,
   "rounds" INTEGER,
   "passing" REAL NOT NULL DEFAULT 0,
   "stations_off" TEXT NOT NULL DEFAULT '[]'
)""",
    """CREATE TABLE "pending_groups" (
   "student" TEXT PRIMARY KEY,
   "group_id" TEXT,
   "applies" TEXT NOT NULL
)""",
)

# Version 6: a call for help that an adult is on the way to.
_V6 = statements('ALTER TABLE "help_queue" ADD COLUMN "coming" INTEGER NOT NULL DEFAULT 0')

# Version 7: how each student is best asked at the kiosk (language, large text, high contrast, speech).
_V7 = statements('ALTER TABLE "students" ADD COLUMN "language" TEXT',
                 'ALTER TABLE "students" ADD COLUMN "large_text" INTEGER NOT NULL DEFAULT 0',
                 'ALTER TABLE "students" ADD COLUMN "high_contrast" INTEGER NOT NULL DEFAULT 0',
                 'ALTER TABLE "students" ADD COLUMN "speech" INTEGER')

# Version 8: goals that carry over. A student's goals, one open at a time, across lessons and classes until
# closed (met, changed, dropped); each exit ticket's answer about the goal, once a visit (a check-out asks it
# in two events); and the room's goal list as the teacher wrote it, words by language (JSON).
_V8 = statements(
    """CREATE TABLE "goals" (
   "id" INTEGER PRIMARY KEY,
   "student" TEXT NOT NULL,
   "text" TEXT NOT NULL,
   "picture" TEXT NOT NULL,
   "whose" TEXT NOT NULL,
   "set_by" TEXT NOT NULL,
   "set_at" REAL NOT NULL,
   "event_id" TEXT UNIQUE,
   "closed_at" REAL,
   "outcome" TEXT
)""",
    'CREATE INDEX "idx_goals_student_set_at" ON "goals" ("student", "set_at")',
    'CREATE UNIQUE INDEX "idx_goals_open" ON "goals" ("student") WHERE "closed_at" IS NULL',
    """CREATE TABLE "goal_checks" (
   "goal_id" INTEGER NOT NULL REFERENCES "goals" ("id"),
   "station" TEXT NOT NULL,
   "visit" REAL NOT NULL,
   "at" REAL NOT NULL,
   "answer" TEXT NOT NULL,
   PRIMARY KEY ("goal_id", "station", "visit")
)""",
    """CREATE TABLE "room_goals" (
   "position" INTEGER PRIMARY KEY,
   "picture" TEXT NOT NULL,
   "words" TEXT NOT NULL
)""",
)

# Version 9: peers who can help. Each class's setting for suggesting a classmate who got it (off unless the teacher
# turns it on) and the students the teacher keeps out of suggestions; a call for help keeps who was suggested
# and whether the student said they would ask them.
_V9 = statements(
    """CREATE TABLE "peer_help" (
   "class_id" TEXT PRIMARY KEY,
   "suggest" INTEGER NOT NULL DEFAULT 0
)""",
    """CREATE TABLE "peer_exclusions" (
   "class_id" TEXT NOT NULL,
   "student" TEXT NOT NULL,
   PRIMARY KEY ("class_id", "student")
)""",
    'ALTER TABLE "help_queue" ADD COLUMN "peer" TEXT',
    'ALTER TABLE "help_queue" ADD COLUMN "peer_taken" INTEGER',
)

# Version 10: a lesson's choice rounds and must-do stations, kept with the class's preset (and read back by a hub
# that restarts mid-lesson).
_V10 = statements('ALTER TABLE "lesson_presets" ADD COLUMN "choice_rounds" TEXT NOT NULL DEFAULT \'[]\'',
                 'ALTER TABLE "lesson_presets" ADD COLUMN "must_do" TEXT NOT NULL DEFAULT \'[]\'')

# Version 11: each lesson's own must-do stations, with the lesson: the Tomorrow page judges a lesson by what it
# had, not by the class's settings since.
_V11 = statements('ALTER TABLE "sessions" ADD COLUMN "must_do" TEXT')

HUB_SCHEMA = Schema([
    Migration(1, "release 0.1.0's tables", _V1),
    Migration(2, "clock, help queue and skips in tables of their own, out of meta", _v2_room_out_of_meta),
    Migration(3, "classes: enrollments with their groups and readiness, the school's ids, sessions by class",
              _V3),
    Migration(4, "the stations a lesson switched off, and its attendance", _V4),
    Migration(5, "passing time, last exit tickets, lesson presets, groups applied later", _V5),
    Migration(6, "calls for help an adult is on the way to", _V6),
    Migration(7, "each student's language, large text, high contrast and speech at the kiosk", _V7),
    Migration(8, "goals that carry over: each student's, their exit tickets' answers, the room's list", _V8),
    Migration(9, "peers who can help: each class's setting, students excluded, who a call suggested", _V9),
    Migration(10, "a lesson's choice rounds and must-do stations", _V10),
    Migration(11, "each lesson's must-do stations, with the lesson", _V11),
], advice="update the software, or restore a backup made by this version")


# Stored shapes: what is stored is named here, key by key, apart from the classes' field names; only attribute
# access and keyword construction, so they work the same for dataclasses and msgspec Structs.
def _clock_to_row(clock: Clock) -> dict[str, Any]:
    return {"round": clock.round, "rounds": clock.rounds, "duration": clock.duration, "running": int(clock.running),
            "ends_at": clock.ends_at, "seconds_left": clock.left, "started_at": clock.started_at,
            "passing": clock.passing, "passing_ends": clock.passing_ends, "passing_left": clock.passing_left,
            "closing_at": clock.closing_at}


def _clock_from_row(row: Mapping[str, Any]) -> Clock:
    return Clock(round=row["round"], rounds=row["rounds"], duration=row["duration"], running=bool(row["running"]),
                 ends_at=row["ends_at"], left=row["seconds_left"], started_at=row["started_at"],
                 passing=row["passing"], passing_ends=row["passing_ends"], passing_left=row["passing_left"],
                 closing_at=row["closing_at"])


def _preset_to_row(class_id: str, lesson: StartArgs) -> dict[str, Any]:
    return {"class_id": class_id, "minutes": lesson.minutes, "rounds": lesson.rounds, "passing": lesson.passing,
            "stations_off": json.dumps(list(lesson.off)), "choice_rounds": json.dumps(list(lesson.choice_rounds)),
            "must_do": json.dumps(list(lesson.must_do))}


def _preset_from_row(row: Mapping[str, Any]) -> StartArgs:
    return StartArgs(minutes=row["minutes"], rounds=row["rounds"], passing=row["passing"],
                     off=tuple(json.loads(row["stations_off"])), choice_rounds=tuple(json.loads(row["choice_rounds"])),
                     must_do=tuple(json.loads(row["must_do"])))


NEEDS_COLUMNS_ORDER = ("language", "large_text", "high_contrast", "speech")
NEEDS_COLUMNS = frozenset(NEEDS_COLUMNS_ORDER)


def _needs_to_row(needs: Needs) -> dict[str, Any]:
    return {"language": needs.language, "large_text": int(needs.large_text),
            "high_contrast": int(needs.high_contrast), "speech": None if needs.speech is None else int(needs.speech)}


def _needs_from_row(row: Mapping[str, Any]) -> Needs | None:
    needs = Needs(language=row["language"], large_text=bool(row["large_text"]),
                  high_contrast=bool(row["high_contrast"]),
                  speech=None if row["speech"] is None else bool(row["speech"]))
    return None if needs == Needs() else needs


def _store_needs(conn: sqlite3.Connection, key: str, value: str, needs: Needs | None, columns: Iterable[str]) -> None:
    """Only the columns given: a roster without a `speech` column leaves what the teacher set."""
    row = _needs_to_row(needs or Needs())
    for column in NEEDS_COLUMNS & set(columns):
        conn.execute(f'UPDATE students SET "{column}" = ? WHERE {key} = ?', (row[column], value))


def _help_to_row(request: HelpRequest) -> dict[str, Any]:
    return {"id": request.id, "station": request.station, "at": request.at, "student": request.student,
            "coming": int(request.coming), "peer": request.peer,
            "peer_taken": None if request.peer_taken is None else int(request.peer_taken)}


def _help_from_row(row: Mapping[str, Any]) -> HelpRequest:
    return HelpRequest(id=row["id"], station=row["station"], at=row["at"], student=row["student"],
                       coming=bool(row["coming"]), peer=row["peer"],
                       peer_taken=None if row["peer_taken"] is None else bool(row["peer_taken"]))


def _skip_to_row(skip: Skip) -> dict[str, Any]:
    return {"group_id": skip.group, "station": skip.station, "instead": skip.instead}


def _skip_from_row(row: Mapping[str, Any]) -> Skip:
    return Skip(group=row["group_id"], station=row["station"], instead=row["instead"])


def _insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any], verb: str = "INSERT") -> None:
    """``row``'s keys are column names from the functions above, never input."""
    columns = ", ".join(f'"{name}"' for name in row)
    conn.execute(f'{verb} INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(row))})', tuple(row.values()))


def _replace_list(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """The table's rows become ``rows``, in this order."""
    conn.execute(f'DELETE FROM "{table}"')
    for position, row in enumerate(rows):
        _insert(conn, table, {"position": position, **row})


def read_mirror(conn: sqlite3.Connection, selection: str) -> Mirror | None:
    """``HubStore.roster_mirror`` from a connection (`rotation check-config` opens the file read-only)."""
    chosen = conn.execute("SELECT value FROM meta WHERE key = 'roster_selection'").fetchone()
    if chosen is None or chosen[0] != selection:
        return None
    mirror: Mirror = {}
    for name, sid, record in conn.execute("SELECT file, sourced_id, record FROM roster_mirror"):
        mirror.setdefault(name, {})[sid] = json.loads(record)
    return mirror or None


def read_mirror_of(path: Path, selection: str) -> Mirror | None:
    """The mirror in the hub's database at ``path``, opened read-only: nothing migrated, nothing written.
    None for a file of an older or newer version, which has none to use."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != HUB_SCHEMA.version:
            return None
        return read_mirror(conn, selection)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


@dataclass(frozen=True)
class StoredClass:
    id: str  # the hub's
    sis_id: str  # the school's
    title: str
    code: str
    term: str
    school: str
    teachers: str

    @property
    def name(self) -> str:
        return RosterClass(self.sis_id, self.title, self.code).name


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


ADDED_HERE = "added-here:"  # the school's id of a student the teacher added, until the roster brings them


class HubStore:
    def __init__(self, path: Path | str, read_only: bool = False, check: bool = False) -> None:
        """``read_only``: another process's view of the hub's file (the web companion's): it reads what the hub
        has committed and writes nothing (edge.db.DatabaseNotReady if the hub has not made it yet). ``check``:
        a damaged file is refused (edge.db.DatabaseDamaged; hub/repair.py)."""
        self.file = DatabaseFile(path, schema=HUB_SCHEMA, read_only=read_only, check=check)
        self.lock = threading.RLock()  # the MQTT, clock and journal threads share the connection
        self.db = self.file.db

    # Roster: classes, students and who is in which
    @locked
    def import_roster(self, roster: RoomRoster, mirror: Mirror | None = None, digest: str = "",
                      selection: str = "", today: dt.date | None = None) -> None:
        """The room's classes and students become the roster's, in one transaction. Students are matched by the
        school's id: a known one keeps their card id and version, a new one is given a card id (hub/card_ids.py).
        Fields the roster does not give (a OneRoster export has no groups) keep their values in each class. A
        class or student the roster no longer has leaves the room from ``today``; their history stays, and so
        does their group in each class, should they come back (an export copied in halves). ``mirror`` is what a
        OneRoster import keeps for the next delta; ``digest`` identifies the files, so the hub imports them
        again only when they change (and regrouping survives a restart)."""
        with self.file.transaction() as conn:
            self._adopt_single_class(conn, roster)
            class_ids = self._import_classes(conn, roster.classes)
            card_ids = self._import_people(conn, roster, class_ids)
            known = {(row[0], row[1]): row[2:] for row in conn.execute(
                "SELECT class_id, student, group_id, readiness FROM enrollments")}
            day = (today or dt.date.today()).isoformat()
            conn.execute("UPDATE enrollments SET ends = ? WHERE (ends IS NULL OR ends > ?) AND student NOT IN "
                         f"(SELECT id FROM students WHERE sis_id LIKE '{ADDED_HERE}%')", (day, day))  # left...
            for member in roster.members:  # ...unless the roster still has them
                class_id, student = class_ids[member.class_sis_id], card_ids[member.sis_id]
                group, readiness = known.get((class_id, student), (None, None))
                if "group" in roster.fields:
                    group = member.group
                if "readiness" in roster.fields:
                    readiness = member.readiness
                conn.execute("INSERT OR REPLACE INTO enrollments (class_id, student, group_id, readiness, begins, "
                             "ends) VALUES (?, ?, ?, ?, ?, ?)", (class_id, student, group, readiness,
                                                           _iso(member.begins), _iso(member.ends)))
            # A deleted student the roster lists again comes back with no history and a new card.
            conn.execute("UPDATE students SET card_version = d.card_version + 1 FROM deleted_students AS d "
                         "WHERE students.id = d.id AND students.card_version <= d.card_version")
            conn.execute("DELETE FROM deleted_students WHERE id IN (SELECT id FROM students)")
            conn.execute("DELETE FROM roster_mirror")
            conn.executemany("INSERT INTO roster_mirror (file, sourced_id, record) VALUES (?, ?, ?)",
                             [(name, sid, json.dumps(record)) for name, records in (mirror or {}).items()
                              for sid, record in records.items()])
            self._set_meta(conn, "roster_digest", digest)
            self._set_meta(conn, "roster_selection", selection)

    @staticmethod
    def _adopt_single_class(conn: sqlite3.Connection, roster: RoomRoster) -> None:
        """The one class of a file from before classes (id and school id "class") becomes the roster's class
        that shares the most of its students, whatever the school calls it: its groups and sessions stay."""
        rows = conn.execute("SELECT sis_id FROM classes WHERE position IS NOT NULL").fetchall()
        if rows != [(ONE_CLASS,)] or any(c.sis_id == ONE_CLASS for c in roster.classes):
            return
        had = {row[0] for row in conn.execute("SELECT s.sis_id FROM enrollments e JOIN students s ON s.id = e.student "
                                              "WHERE e.class_id = ?", (ONE_CLASS,))}
        shared = {c.sis_id: sum(1 for m in roster.members if m.class_sis_id == c.sis_id and m.sis_id in had)
                  for c in roster.classes}
        best = max(shared, key=lambda sid: shared[sid], default=None)
        if best is not None and (shared[best] or len(roster.classes) == 1):
            conn.execute("UPDATE classes SET sis_id = ? WHERE sis_id = ?", (best, ONE_CLASS))

    @staticmethod
    def _import_classes(conn: sqlite3.Connection, classes: list[RosterClass]) -> dict[str, str]:
        """The hub's id of each class (made once from its code or title), by the school's id."""
        ids = dict(conn.execute("SELECT sis_id, id FROM classes").fetchall())
        taken = set(ids.values())
        conn.execute("UPDATE classes SET position = NULL")
        for position, klass in enumerate(classes):
            if klass.sis_id not in ids:
                ids[klass.sis_id] = class_id(klass, taken)
                taken.add(ids[klass.sis_id])
                conn.execute("INSERT INTO classes (id, sis_id, title) VALUES (?, ?, ?)",
                             (ids[klass.sis_id], klass.sis_id, klass.title))
            conn.execute("UPDATE classes SET title = ?, code = ?, term = ?, school = ?, teachers = ?, position = ? "
                         "WHERE sis_id = ?", (klass.title, klass.code, klass.term, klass.school, klass.teachers,
                                              position + 1, klass.sis_id))
        return ids

    @staticmethod
    def _import_people(conn: sqlite3.Connection, roster: RoomRoster, class_ids: dict[str, str]) -> dict[str, str]:
        """Each person's card id, by the school's id; new people are added, known ones renamed. A student the
        teacher added before the school's roster had them is the roster's new person of the same name in the
        same class, if only one such student was added there: their card, history and group stay theirs."""
        ids = dict(conn.execute("SELECT sis_id, id FROM students").fetchall())
        taken = set(ids.values())  # a deleted student listed again keeps their id: see import_roster
        added: dict[tuple[str, str, str], list[str]] = {}  # (class, first, last) -> the cards added so
        for card, first, last, klass in conn.execute(
                "SELECT s.id, s.first_name, s.last_name, e.class_id FROM students s JOIN enrollments e "
                f"ON e.student = s.id WHERE s.sis_id LIKE '{ADDED_HERE}%'"):
            added.setdefault((klass, first.casefold(), last.casefold()), []).append(card)
        classes_of: dict[str, set[str]] = {}
        for member in roster.members:
            classes_of.setdefault(member.sis_id, set()).add(class_ids[member.class_sis_id])
        adopted: set[str] = set()
        for person in roster.people:
            if person.sis_id not in ids:
                matches = {card for klass in classes_of.get(person.sis_id, ())
                           for card in added.get((klass, person.first_name.casefold(), person.last_name.casefold()),
                                                 ()) if card not in adopted}
                if len(matches) == 1:
                    card = matches.pop()
                    conn.execute("UPDATE students SET sis_id = ? WHERE id = ?", (person.sis_id, card))
                    ids[person.sis_id] = card
                    adopted.add(card)
            if person.sis_id not in ids:
                ids[person.sis_id] = card_id(person.sis_id, taken)
                taken.add(ids[person.sis_id])
                conn.execute("INSERT INTO students (id, sis_id, first_name, last_name) VALUES (?, ?, ?, ?)",
                             (ids[person.sis_id], person.sis_id, person.first_name, person.last_name))
            conn.execute("UPDATE students SET first_name = ?, last_name = ? WHERE sis_id = ?",
                         (person.first_name, person.last_name, person.sis_id))
            if "interests" in roster.fields:
                conn.execute("UPDATE students SET interests = ? WHERE sis_id = ?",
                             (";".join(person.interests), person.sis_id))
            if roster.fields & NEEDS_COLUMNS:
                _store_needs(conn, "sis_id", person.sis_id, person.needs, roster.fields)
        return ids

    @locked
    def set_needs(self, student: str, needs: Needs) -> None:
        """How the student is best asked at the kiosk, as the teacher set it."""
        with self.file.transaction() as conn:
            _store_needs(conn, "id", student, needs, NEEDS_COLUMNS)

    @locked
    def add_student(self, class_id: str, first_name: str, last_name: str, group: str | None,
                    today: dt.date) -> str:
        """A student the teacher adds to a class before the school's roster has them; their card id. They stay
        through roster imports until the roster brings them (matched by name: see ``_import_people``)."""
        with self.file.transaction() as conn:
            taken = {row[0] for row in conn.execute("SELECT id FROM students")}
            student = card_id("", taken)
            conn.execute("INSERT INTO students (id, sis_id, first_name, last_name) VALUES (?, ?, ?, ?)",
                         (student, ADDED_HERE + student, first_name, last_name))
            conn.execute("INSERT INTO enrollments (class_id, student, group_id, begins) VALUES (?, ?, ?, ?)",
                         (class_id, student, group, today.isoformat()))
        self.file.make_durable()
        return student

    @locked
    def take_back_added(self, student: str) -> None:
        """Undo ``add_student`` (the class could not take them)."""
        with self.file.transaction() as conn:
            conn.execute(f"DELETE FROM enrollments WHERE student = ? AND student IN (SELECT id FROM students "
                         f"WHERE sis_id LIKE '{ADDED_HERE}%')", (student,))
            conn.execute(f"DELETE FROM students WHERE id = ? AND sis_id LIKE '{ADDED_HERE}%'", (student,))

    @locked
    def name_single_class(self, title: str) -> None:
        """The class a file from before classes held is called after the room (the migration could not know
        its name) until a roster names it."""
        with self.file.transaction() as conn:
            conn.execute("UPDATE classes SET title = ? WHERE sis_id = ? AND title = 'Class'", (title, ONE_CLASS))

    @locked
    def roster_digest(self) -> str:
        return self._meta("roster_digest") or ""

    @locked
    def roster_mirror(self, selection: str) -> Mirror | None:
        """What the last OneRoster import kept, for a delta; None if there was none, or if it chose other
        classes (``selection``: RosterSelection.key), since a delta says nothing of the classes it lacks."""
        return read_mirror(self.file.conn, selection)

    @locked
    def classes(self) -> list[StoredClass]:
        """The room's classes, in the roster's order."""
        return [StoredClass(*row) for row in self.db.execute(
            "SELECT id, sis_id, title, code, term, school, teachers FROM classes WHERE position IS NOT NULL "
            "ORDER BY position")]

    @locked
    def running_class(self) -> str | None:
        return self._meta("class")

    @locked
    def set_running_class(self, class_id: str, since: float) -> None:
        """The class the room runs from now on; presence from before ``since`` is the last class's."""
        with self.file.transaction() as conn:
            self._set_meta(conn, "class", class_id)
            self._set_meta(conn, "session_started", since)
            conn.execute("DELETE FROM help_queue")
            conn.execute("DELETE FROM skips")
            conn.execute("DELETE FROM attendance")

    @locked
    def class_students(self, class_id: str, today: dt.date) -> list[RosterStudent]:
        """The class's students on ``today`` (an enrollment may begin later, or have ended: its end date is
        exclusive), with this class's groups and readiness."""
        return [RosterStudent(r[0], r[1], r[2], r[3], tuple(i for i in (r[4] or "").split(";") if i), r[5],
                              _needs_from_row(dict(zip(NEEDS_COLUMNS_ORDER, r[6:], strict=True))))
                for r in self.db.execute(
                    "SELECT s.id, s.first_name, s.last_name, e.group_id, s.interests, e.readiness, "
                    "s.language, s.large_text, s.high_contrast, s.speech FROM enrollments e "
                    f"JOIN students s ON s.id = e.student WHERE e.class_id = :class AND {CURRENT_ENROLLMENT} "
                    "ORDER BY s.id", {"class": class_id, "day": today.isoformat()})]

    @locked
    def memberships(self, today: dt.date) -> dict[str, list[str]]:
        """The card ids of each class's students on ``today``."""
        found: dict[str, list[str]] = {}
        for klass, student in self.db.execute(
                f"SELECT class_id, student FROM enrollments AS e WHERE {CURRENT_ENROLLMENT} "
                "ORDER BY class_id, student", {"day": today.isoformat()}):
            found.setdefault(klass, []).append(student)
        return found

    @locked
    def set_groups(self, class_id: str, assignment: dict[str, str | None]) -> None:
        with self.file.transaction() as conn:
            conn.executemany("UPDATE enrollments SET group_id = ? WHERE class_id = ? AND student = ?",
                             [(group, class_id, student) for student, group in assignment.items()])

    @locked
    def card_ids(self) -> dict[str, str]:
        """Each student's card id, by the school's id."""
        return dict(self.db.execute("SELECT sis_id, id FROM students").fetchall())

    @locked
    def card_versions(self) -> dict[str, int]:
        return {r["id"]: r["card_version"] for r in self.db["students"].rows_where(select="id, card_version")}

    @locked
    def reissue_card(self, student_id: str) -> int:
        """Give the student a new card version, which revokes every older card."""
        with self.file.transaction() as conn:
            cursor = conn.execute("UPDATE students SET card_version = card_version + 1 WHERE id = ?", (student_id,))
            if cursor.rowcount == 0:
                raise KeyError(student_id)
        return self.db["students"].get(student_id)["card_version"]

    # One student's data, and forgetting
    @locked
    def student_data(self, student_id: str) -> dict | None:
        """Everything stored about the student: their roster record, every event naming them, and the calls for
        help of classmates to whom the kiosk suggested them."""
        record = next(self.db["students"].rows_where("id = ?", [student_id]), None)
        if record is None:
            return None
        events = list(self.db["events"].rows_where("student = ?", [student_id], order_by="at"))
        for event in events:
            event["data"] = json.loads(event["data"]) if event["data"] else {}
        classes = [dict(zip(("class", "title", "group", "readiness", "begins", "ends"), row, strict=True))
                   for row in self.db.execute(
                       "SELECT c.id, c.title, e.group_id, e.readiness, e.begins, e.ends FROM enrollments e "
                       "JOIN classes c ON c.id = e.class_id WHERE e.student = ? ORDER BY c.position", [student_id])]
        goals = [{"text": g.text, "picture": g.picture, "whose": g.whose, "set_by": g.set_by, "set_at": g.set_at,
                  "closed_at": g.closed_at, "outcome": g.outcome,
                  "answers": [{"at": c.at, "station": c.station, "answer": c.answer} for c in g.checks]}
                 for g in self._goal_rows("student = ?", (student_id,))]
                # Calls of classmates in which the kiosk suggested them: when, where and the answer, not who asked
        suggested = [{"at": at, "station": station, "taken": None if taken is None else bool(taken)}
                     for at, station, taken in self.db.execute(
                         "SELECT at, station, json_extract(data, '$.taken') FROM events WHERE kind = 'help' "
                         "AND json_extract(data, '$.peer') = ? ORDER BY at", [student_id])]
        return {"student": record, "classes": classes, "events": events, "goals": goals, "suggested_to_help": suggested}

    @locked
    def delete_student(self, student_id: str) -> int:
        """Erase the student's record and every event naming them; returns how many events went."""
        version = self.card_versions().get(student_id)
        if version is None:
            raise KeyError(student_id)
        events: int = self.file.conn.execute("SELECT count(*) FROM events WHERE student = ?",
                                             (student_id,)).fetchone()[0]
        self.file.erase([
            ("DELETE FROM events WHERE student = ?", (student_id,)),
            ("DELETE FROM enrollments WHERE student = ?", (student_id,)),
            ("DELETE FROM attendance WHERE student = ?", (student_id,)),
            # what the last OneRoster import kept of them, for the next delta
            ("DELETE FROM roster_mirror WHERE (file = 'users.csv' AND sourced_id = (SELECT sis_id FROM students "
             "WHERE id = ?)) OR (file IN ('enrollments.csv', 'roles.csv') AND json_extract(record, "
             "'$.userSourcedId') = (SELECT sis_id FROM students WHERE id = ?))", (student_id, student_id)),
            ("DELETE FROM students WHERE id = ?", (student_id,)),
            ("DELETE FROM goal_checks WHERE goal_id IN (SELECT id FROM goals WHERE student = ?)", (student_id,)),
            ("DELETE FROM goals WHERE student = ?", (student_id,)),
            ("UPDATE help_queue SET student = NULL WHERE student = ?", (student_id,)),  # the call stays the station's
            ("UPDATE help_queue SET peer = NULL, peer_taken = NULL WHERE peer = ?", (student_id,)),
            # suggested to a classmate: the classmate's call stays, without their name
            ("UPDATE events SET data = json_remove(data, '$.peer', '$.taken') WHERE kind = 'help' "
             "AND json_extract(data, '$.peer') = ?", (student_id,)),
            ("DELETE FROM peer_exclusions WHERE student = ?", (student_id,)),
            ("INSERT OR REPLACE INTO deleted_students (id, card_version) VALUES (?, ?)", (student_id, version)),
        ])
        return events

    @locked
    def deleted_students(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM deleted_students")}

    @locked
    def purge_before(self, cutoff: float) -> int:
        """Erase events (conference notes among them) the hub received before ``cutoff``, and sessions that
        ended before it. By the hub's clock: a kiosk's may be years off (a Pi has no battery clock)."""
        return self.file.erase([("DELETE FROM events WHERE received_at < ?", (cutoff,)),
                                ("DELETE FROM goal_checks WHERE goal_id IN (SELECT id FROM goals WHERE closed_at < ?)",
                                 (cutoff,)),
                                ("DELETE FROM goals WHERE closed_at < ?", (cutoff,)),
                                ("DELETE FROM sessions WHERE ended IS NOT NULL AND ended < ?", (cutoff,))])

    # The earliest receipt time stored from now on: a hub clock behind what the hub stored vouches for would
    # stamp events as old ones, erased early by retention once the clock is right (hub/retention.py).
    received_floor = 0.0

    @locked
    def newest_received(self, not_after: float | None = None) -> float | None:
        """When the hub received its newest stored event (of those received by ``not_after``), by its clock."""
        if not_after is None:
            return self.db.execute("SELECT max(received_at) FROM events").fetchone()[0]
        return self.db.execute("SELECT max(received_at) FROM events WHERE received_at <= ?", (not_after,)).fetchone()[0]

    @locked
    def oldest_received(self) -> float | None:
        """When the hub received the oldest event it keeps: from then on there is something to back up."""
        return self.db.execute("SELECT min(received_at) FROM events").fetchone()[0]

    @locked
    def last_purge(self) -> float:
        return float(self._meta("last_purge") or 0)

    @locked
    def set_last_purge(self, at: float) -> None:
        with self.file.transaction() as conn:
            self._set_meta(conn, "last_purge", at)

    # Events
    @locked
    def add_events(self, received: list[ReceivedEvent]) -> int:
        """Store the events whose ids are not stored yet, in one transaction, with the latest state seq.
        Returns how many were new."""
        with self.file.transaction() as conn:
            new: int = conn.executemany(
                "INSERT OR IGNORE INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time,"
                " received_at, accepted, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.event.id, r.event.kind, r.student, r.event.station, r.event.at, r.event.seq, r.event.kiosk_time,
                  max(r.received_at, self.received_floor), int(r.accepted), r.reason or None,
                  json.dumps(r.event.data) if r.event.data else None)
                 for r in received]).rowcount  # the rows inserted: a copy of a stored event is ignored
            if received:
                self._set_meta(conn, "seq", max(r.seq for r in received))
        return new

    @locked
    def next_kiosk_seqs(self, stations: list[str]) -> dict[str, int]:
        """For each station with stored events, one more than the highest sequence number they carry (the
        hub's own notes carry 0)."""
        found = {}
        for station in stations:
            highest = self.db.execute("SELECT max(kiosk_seq) FROM events WHERE station = ?", [station]).fetchone()[0]
            if highest is not None:
                found[station] = highest + 1
        return found

    @locked
    def event_count(self, event_id: str | None = None) -> int:
        if event_id is None:
            return self.db["events"].count
        return self.db.execute("SELECT count(*) FROM events WHERE id = ?", [event_id]).fetchone()[0]

    @locked
    def presence(self) -> dict[str, Presence]:
        """The latest accepted check-in of each student, rebuilt from the events."""
        rows = self.db.execute(
            "SELECT student, station, max(at) FROM events INDEXED BY idx_events_at "
            "WHERE accepted = 1 AND kind = 'checkin' "
            f"{SINCE_SESSION_STARTED} "
            "GROUP BY student").fetchall()
        return {student: Presence(station, at) for student, station, at in rows}

    @locked
    def progress_events(self) -> list[tuple[str, str, dict, str, float]]:
        """(student, kind, data, station, at) of this session's accepted choices, goals, exit tickets, out-of-room
        passes, check-ins (which end a pass) and check-outs, and its choice rounds' granted picks and placements,
        oldest first."""
        rows = self.db.execute(
            "SELECT student, kind, data, station, at FROM events WHERE accepted = 1 "
            f"AND (kind IN ('choice', 'goal', 'exit_ticket', 'out', 'checkin', 'pick', 'placed') OR {KIOSK_CHECKOUT}) "
            f"{SINCE_SESSION_STARTED} ORDER BY at").fetchall()
        return [(student, kind, json.loads(data or "{}"), station, at) for student, kind, data, station, at in rows]

    # Sessions, conference notes and reports
    @locked
    def begin_session(self, at: float, class_id: str | None = None, stations_off: list[str] | None = None,
                      must_do: Sequence[str] = ()) -> None:
        with self.file.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO sessions (started, class_id, stations_off, must_do) "
                         "VALUES (?, ?, ?, ?)",
                         (at, class_id, json.dumps(stations_off or []), json.dumps(list(must_do))))

    @locked
    def lesson_must_do(self, started: float) -> tuple[str, ...] | None:
        """The must-do stations of the lesson that began at ``started``; None for one begun before they were kept."""
        row = self.db.execute("SELECT must_do FROM sessions WHERE started = ?", (started,)).fetchone()
        return tuple(json.loads(row[0])) if row and row[0] is not None else None

    @locked
    def save_stations_off(self, off: list[str], off_next: list[str] | None, cycle_start: int) -> None:
        """The running lesson's stations off now and from its next round, and the round its plan's cycle began."""
        with self.file.transaction() as conn:
            conn.execute("UPDATE sessions SET stations_off = ?, stations_off_next = ?, cycle_start = ? "
                         "WHERE ended IS NULL", (json.dumps(off), None if off_next is None else json.dumps(off_next),
                                                 cycle_start))

    @locked
    def lesson_changes(self) -> tuple[list[str] | None, int]:
        """The running lesson's stations off from its next round (None: as now), and its cycle's first round."""
        row = self.db.execute("SELECT stations_off_next, cycle_start FROM sessions WHERE ended IS NULL "
                              "ORDER BY started DESC LIMIT 1").fetchone()
        return (json.loads(row[0]) if row and row[0] else None), (row[1] if row else 1)

    @locked
    def save_preset(self, class_id: str, lesson: StartArgs) -> None:
        with self.file.transaction() as conn:
            _insert(conn, "lesson_presets", _preset_to_row(class_id, lesson), verb="INSERT OR REPLACE")

    @locked
    def presets(self) -> dict[str, StartArgs]:
        """Each class's last lesson settings."""
        return {row["class_id"]: _preset_from_row(row) for row in self.db.query("SELECT * FROM lesson_presets")}

    @locked
    def save_pending_groups(self, assignment: Mapping[str, str | None], applies: str) -> None:
        """Groups for the running class from its next round or lesson (``applies``); empty: none waiting."""
        with self.file.transaction() as conn:
            conn.execute("DELETE FROM pending_groups")
            conn.executemany("INSERT INTO pending_groups (student, group_id, applies) VALUES (?, ?, ?)",
                             [(student, group, applies) for student, group in sorted(assignment.items())])

    @locked
    def pending_groups(self) -> tuple[dict[str, str | None], str] | None:
        rows = self.db.execute("SELECT student, group_id, applies FROM pending_groups").fetchall()
        return ({student: group for student, group, _ in rows}, rows[0][2]) if rows else None

    @locked
    def save_attendance(self, marks: Mapping[str, str]) -> None:
        with self.file.transaction() as conn:
            conn.execute("DELETE FROM attendance")
            conn.executemany("INSERT INTO attendance (student, mark) VALUES (?, ?)", sorted(marks.items()))
        self.file.make_durable()

    @locked
    def load_attendance(self) -> dict[str, AttendanceMark]:
        return {student: mark for student, mark in self.db.execute("SELECT student, mark FROM attendance")
                if mark in ATTENDANCE_MARKS}

    @locked
    def stations_off(self) -> list[str]:
        """The stations the lesson running switched off (none when no lesson runs)."""
        row = self.db.execute("SELECT stations_off FROM sessions WHERE ended IS NULL ORDER BY started DESC "
                              "LIMIT 1").fetchone()
        return list(json.loads(row[0])) if row and row[0] else []

    @locked
    def end_session(self, at: float) -> None:
        with self.file.transaction() as conn:
            conn.execute("UPDATE sessions SET ended = ? WHERE ended IS NULL", (at,))

    @locked
    def last_session(self) -> tuple[float, float | None] | None:
        """(started, ended) of the latest session; ended is None while it runs."""
        found = self.last_sessions(1)
        return found[0][:2] if found else None

    @locked
    def last_sessions(self, count: int, class_id: str | None = None) -> list[tuple[float, float | None, str | None]]:
        """(started, ended, class) of the latest sessions (of one class), newest first."""
        rows = self.db.execute("SELECT started, ended, class_id FROM sessions WHERE ? IS NULL OR class_id = ? "
                               "ORDER BY started DESC LIMIT ?", (class_id, class_id, count)).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    @locked
    def add_teacher_events(self, kind: str, students: list[str], station: str, at: float) -> None:
        """What the hub records for students at a station without a kiosk: ``seated`` (the group sent to the
        teacher's table), ``checkout`` (one the teacher marks absent there), ``checkin`` (marked back)."""
        with self.file.transaction() as conn:
            conn.executemany("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                             "accepted, data) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1, '{}')",
                             [(uuid.uuid4().hex, kind, student, station, at, at, max(at, self.received_floor))
                              for student in students])
        self.file.make_durable()

    @locked
    def add_note(self, student: str, station: str, at: float, tags: list[str], text: str) -> None:
        """A conference note from the teacher, kept with the student's events."""
        with self.file.transaction() as conn:
            conn.execute("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                         "accepted, data) VALUES (?, 'conference', ?, ?, ?, 0, ?, ?, 1, ?)",
                         (uuid.uuid4().hex, student, station, at, at, max(at, self.received_floor),
                          json.dumps({"tags": tags, "text": text})))
        self.file.make_durable()

    @locked
    def session_events(self, started: float, ended: float) -> list[SessionEvent]:
        rows = self.db.execute(
            "SELECT at, kind, student, station, data FROM events WHERE accepted = 1 AND student IS NOT NULL "
            "AND kind IN ('checkin', 'seated', 'left_table', 'checkout', 'choice', 'goal', 'exit_ticket', 'help', "
            "'conference', 'pick', 'placed') "
            "AND at >= ? AND at <= ? "
            "ORDER BY at", (started, ended)).fetchall()
        return [SessionEvent(at, kind, student, station, json.loads(data or "{}"))
                for at, kind, student, station, data in rows]

    @locked
    def student_path(self, student_id: str, lessons: int) -> tuple[list[tuple[float, float | None]], list[PathEvent]]:
        """A student's own "My path" (hub/student_path.py): (started, ended) of their latest ``lessons`` lessons
        with any accepted event of theirs, newest first, and those lessons' accepted check-ins, seatings at the
        teacher's table, choices, goals and exit tickets of theirs, oldest first."""
        sessions = self.db.execute(
            "SELECT started, ended FROM sessions WHERE EXISTS (SELECT 1 FROM events INDEXED BY idx_events_student_at "
            "WHERE student = ? AND accepted = 1 AND at >= sessions.started "
            "AND (sessions.ended IS NULL OR at <= sessions.ended)) ORDER BY started DESC LIMIT ?",
            (student_id, lessons)).fetchall()
        if not sessions:
            return [], []
        rows = self.db.execute(
            "SELECT at, kind, station, data FROM events INDEXED BY idx_events_student_at WHERE student = ? "
            "AND at >= ? AND accepted = 1 AND kind IN ('checkin', 'seated', 'choice', 'goal', 'exit_ticket') "
            "ORDER BY at", (student_id, sessions[-1][0])).fetchall()
        return ([(started, ended) for started, ended in sessions],
                [PathEvent(at, kind, station, json.loads(data or "{}")) for at, kind, station, data in rows])

    @locked
    def help_calls(self, started: float, ended: float) -> dict[str, int]:
        """How many calls for help each station made, whoever made them, less those taken back at the kiosk (a
        tap by mistake is no call)."""
        rows = self.db.execute(
            "SELECT station, sum(kind = 'help') - sum(kind = 'help_cancel') FROM events "
            "WHERE kind IN ('help', 'help_cancel') AND accepted = 1 AND at >= ? AND at <= ? GROUP BY station",
            (started, ended)).fetchall()
        return {station: calls for station, calls in rows if calls > 0}

    # Goals that carry over (hub/goals.py)
    @locked
    def open_goal(self, student: str, text: str, picture: str, whose: str, set_by: str, at: float,
                  event_id: str | None = None) -> GoalRow | None:
        """The student's standing goal from ``at``, closing the one before as changed. A kiosk's event sets one
        once: None for an event already applied (sent again)."""
        with self.file.transaction() as conn:
            if event_id is not None and conn.execute("SELECT 1 FROM goals WHERE event_id = ?",
                                                     (event_id,)).fetchone():
                return None
            conn.execute("UPDATE goals SET closed_at = ?, outcome = 'changed' WHERE student = ? AND closed_at IS NULL",
                         (at, student))
            goal_id = conn.execute("INSERT INTO goals (student, text, picture, whose, set_by, set_at, event_id) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   (student, text, picture, whose, set_by, at, event_id)).lastrowid
        self.file.make_durable()
        return GoalRow(goal_id or 0, student, text, picture, whose, set_by, at)

    @locked
    def close_goal(self, student: str, outcome: str, at: float) -> bool:
        """Close the student's standing goal (met, changed, dropped); False if they had none."""
        with self.file.transaction() as conn:
            closed: int = conn.execute("UPDATE goals SET closed_at = ?, outcome = ? WHERE student = ? "
                                       "AND closed_at IS NULL", (at, outcome, student)).rowcount
        self.file.make_durable()
        return closed > 0

    @locked
    def check_goal(self, student: str, station: str, visit: float, at: float, answer: str) -> bool:
        """An exit ticket's answer about the student's standing goal, once per visit (``visit``: when they
        checked in there): a later answer in the same visit takes its place. False if they have no goal."""
        with self.file.transaction() as conn:
            row = conn.execute("SELECT id FROM goals WHERE student = ? AND closed_at IS NULL", (student,)).fetchone()
            if row is None:
                return False
            conn.execute("INSERT OR REPLACE INTO goal_checks (goal_id, station, visit, at, answer) "
                         "VALUES (?, ?, ?, ?, ?)", (row[0], station, visit, at, answer))
        self.file.make_durable()
        return True

    @locked
    def open_goals(self) -> dict[str, GoalRow]:
        """Each student's standing goal, in any class of the room."""
        return {row.student: row for row in self._goal_rows("closed_at IS NULL", ())}

    @locked
    def goals_of(self, student_id: str) -> list[GoalRow]:
        """Every goal the student has had (the hub keeps), oldest first, each with its exit tickets' answers."""
        return self._goal_rows("student = ?", (student_id,))

    def _goal_rows(self, where: str, params: tuple[Any, ...]) -> list[GoalRow]:
        rows = self.db.execute("SELECT id, student, text, picture, whose, set_by, set_at, closed_at, outcome "
                               f"FROM goals WHERE {where} ORDER BY set_at, id", params).fetchall()
        checks: dict[int, list[GoalCheck]] = {}
        if rows:
            ids = [row[0] for row in rows]
            for goal_id, at, station, answer in self.db.execute(
                    "SELECT goal_id, at, station, answer FROM goal_checks WHERE goal_id IN "
                    f"({', '.join('?' * len(ids))}) ORDER BY at", ids):
                checks.setdefault(goal_id, []).append(GoalCheck(at, station, answer))
        return [GoalRow(id=goal_id, student=student, text=text, picture=picture, whose=whose, set_by=set_by,
                        set_at=set_at, closed_at=closed_at, outcome=outcome, checks=tuple(checks.get(goal_id, ())))
                for goal_id, student, text, picture, whose, set_by, set_at, closed_at, outcome in rows]

    @locked
    def set_room_goals(self, goals: list[RoomGoal]) -> None:
        """The room's goal list as the teacher wrote it; empty: the room file's again."""
        with self.file.transaction() as conn:
            _replace_list(conn, "room_goals", [{"picture": g.picture, "words": json.dumps(dict(g.words))}
                                               for g in goals])
        self.file.make_durable()

    @locked
    def room_goals(self) -> list[RoomGoal]:
        """The teacher's goal list (empty: none set, the room file's stands)."""
        found = []
        for picture, words in self.db.execute("SELECT picture, words FROM room_goals ORDER BY position"):
            by_language = json.loads(words)
            found.append(RoomGoal(by_language.get(SOURCE_LANGUAGE, ""), picture, by_language))
        return found

    @locked
    def last_visits(self) -> dict[str, dict[str, LastVisit]]:
        """Each student's last exit ticket at each station, from any lesson (of any class) the hub keeps."""
        found: dict[str, dict[str, LastVisit]] = {}
        for student, station, at, data in self.db.execute(
                "SELECT student, station, max(at), data FROM events WHERE accepted = 1 AND kind = 'exit_ticket' "
                "AND student IS NOT NULL GROUP BY student, station"):
            said = json.loads(data or "{}")
            if "how" in said:
                found.setdefault(student, {})[station] = LastVisit(
                    station=station, at=at, how=said["how"], next=said.get("next"), goal=said.get("goal"))
        return found

    # Peers who can help
    @locked
    def peer_help(self, class_id: str) -> PeerHelp:
        """The class's setting: off unless the teacher turned it on; the students kept out, by id."""
        on = self.db.execute("SELECT suggest FROM peer_help WHERE class_id = ?", [class_id]).fetchone()
        excluded = tuple(row[0] for row in self.db.execute(
            "SELECT student FROM peer_exclusions WHERE class_id = ? ORDER BY student", [class_id]))
        return PeerHelp(on=bool(on and on[0]), excluded=excluded)

    @locked
    def set_peer_help(self, class_id: str, on: bool) -> None:
        with self.file.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO peer_help (class_id, suggest) VALUES (?, ?)", (class_id, int(on)))

    @locked
    def set_peer_excluded(self, class_id: str, student: str, excluded: bool) -> None:
        with self.file.transaction() as conn:
            if excluded:
                conn.execute("INSERT OR IGNORE INTO peer_exclusions (class_id, student) VALUES (?, ?)",
                             (class_id, student))
            else:
                conn.execute("DELETE FROM peer_exclusions WHERE class_id = ? AND student = ?", (class_id, student))

    @locked
    def exit_tickets(self, class_id: str) -> list[tuple[str, str, str, float]]:
        """(student, station, answer, at) of every accepted exit ticket given in the class's lessons."""
        return [tuple(row) for row in self.db.execute(
            "SELECT e.student, e.station, json_extract(e.data, '$.how'), e.at FROM events e "
            "WHERE e.kind = 'exit_ticket' AND e.accepted = 1 AND e.student IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM sessions s WHERE s.class_id = ? AND e.at >= s.started "
            "AND (s.ended IS NULL OR e.at <= s.ended))", [class_id])]

    @locked
    def peer_help_calls(self, student: str) -> list[PeerCall]:
        """The calls for help in which a classmate was suggested, the student asking or suggested, newest first."""
        return [PeerCall(at, station, asker, peer, None if taken is None else bool(taken))
                for at, station, asker, peer, taken in self.db.execute(
                    "SELECT at, station, student, json_extract(data, '$.peer'), json_extract(data, '$.taken') "
                    "FROM events WHERE kind = 'help' AND accepted = 1 AND json_extract(data, '$.peer') IS NOT NULL "
                    "AND (student = ? OR json_extract(data, '$.peer') = ?) ORDER BY at DESC", (student, student))]

    # Clock, calls for help, skips and seq
    @locked
    def save_clock(self, clock: Clock, seq: int, session_started: float | None = None) -> None:
        with self.file.transaction() as conn:
            _insert(conn, "clock", {"id": 1, **_clock_to_row(clock)}, verb="INSERT OR REPLACE")
            self._set_meta(conn, "seq", seq)
            if session_started is not None:
                self._set_meta(conn, "session_started", session_started)
        self.file.make_durable()

    @locked
    def save_help(self, queue: list[HelpRequest]) -> None:
        with self.file.transaction() as conn:
            _replace_list(conn, "help_queue", [_help_to_row(h) for h in queue])
        self.file.make_durable()

    @locked
    def save_skips(self, skips: list[Skip]) -> None:
        with self.file.transaction() as conn:
            _replace_list(conn, "skips", [_skip_to_row(s) for s in skips])

    @locked
    def load_skips(self) -> list[Skip]:
        return [_skip_from_row(row) for row in self.db.query("SELECT * FROM skips ORDER BY position")]

    @locked
    def load_help(self) -> list[HelpRequest]:
        return [_help_from_row(row) for row in self.db.query("SELECT * FROM help_queue ORDER BY position")]

    @locked
    def load_clock(self) -> Clock | None:
        rows = list(self.db.query("SELECT * FROM clock WHERE id = 1"))
        return _clock_from_row(rows[0]) if rows else None

    @locked
    def load_seq(self) -> int:
        return int(self._meta("seq") or 0)

    # Going back to a backup (hub/repair.py)
    @locked
    def record_restore(self, restored: Restored, seq_ahead: int) -> None:
        """This file took the place of a damaged one as ``restored`` says. The state's seq moves ``seq_ahead``
        on, past any the damaged file had handed out: the display and kiosks take a state only if it is newer."""
        with self.file.transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'restored_copy'")  # a copy's own, were it restored before
            self._set_meta(conn, "restored_at", restored.at)
            self._set_meta(conn, "restored_since", restored.since)
            if restored.copy is not None:
                self._set_meta(conn, "restored_copy", restored.copy)
            self._set_meta(conn, "seq", int(self._meta("seq") or 0) + seq_ahead)
        self.file.make_durable()

    @locked
    def restored(self) -> Restored | None:
        """How this file last took the place of a damaged one, if it did."""
        at, since, copy = (self._meta(key) for key in ("restored_at", "restored_since", "restored_copy"))
        if at is None or since is None:
            return None
        return Restored(at=float(at), since=float(since), copy=None if copy is None else float(copy))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    @staticmethod
    def _set_meta(conn, key: str, value) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))

    @locked
    def make_durable(self) -> None:
        self.file.make_durable()

    @locked
    def close(self) -> None:
        self.file.close()
