"""The hub's database: roster, every event once by its id, and the clock. Rebuilds the room after a crash."""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from hub.plan import Skip
from hub.report import SessionEvent
from hub.roster import Roster, RosterStudent
from edge.db import DatabaseFile, locked
from shared.protocol import Clock, Event, HelpRequest, Presence


SINCE_SESSION_STARTED = "AND at >= coalesce((SELECT CAST(value AS REAL) FROM meta WHERE key = 'session_started'), 0)"


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


_COLUMN = {"group": "group_id"}


class HubStore:
    def __init__(self, path: Path | str) -> None:
        self.file = DatabaseFile(path)
        self.lock = threading.RLock()  # the MQTT, clock and journal threads share the connection
        self.db = self.file.db
        self._create()

    def _create(self) -> None:
        self.db["students"].create({"id": str, "first_name": str, "last_name": str, "group_id": str,
                                    "interests": str, "readiness": int, "card_version": int},
                                   pk="id", not_null={"card_version"}, defaults={"card_version": 1},
                                   if_not_exists=True)
        self.db["events"].create({"id": str, "kind": str, "student": str, "station": str, "at": float,
                                  "kiosk_seq": int, "kiosk_time": float, "received_at": float,
                                  "accepted": int, "reason": str, "data": str}, pk="id", if_not_exists=True)
        self.db["events"].create_index(["student", "at"], if_not_exists=True)
        # So that starting (this session's presence and progress, each kiosk's last sequence number) and the
        # daily purge read what they need, not a school year of history.
        self.db["events"].create_index(["at"], if_not_exists=True)
        self.db["events"].create_index(["station", "kiosk_seq"], if_not_exists=True)
        self.db["events"].create_index(["received_at"], if_not_exists=True)
        self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        self.db["sessions"].create({"started": float, "ended": float}, pk="started", if_not_exists=True)
        # A deleted student's id and last card version, so their cards stay refused and their events still on
        # the way from a kiosk are dropped, not stored.
        self.db["deleted_students"].create({"id": str, "card_version": int}, pk="id", if_not_exists=True)

    # Roster
    @locked
    def import_roster(self, roster: Roster, digest: str = "") -> None:
        """Insert new students and update known ones in one transaction. Fields the roster does not give
        (a OneRoster export has no groups) and card versions keep their values. ``digest`` identifies the
        file, so the hub imports it again only when it changes (and regrouping survives a restart)."""
        columns = {"first_name": lambda s: s.first_name, "last_name": lambda s: s.last_name,
                   "group": lambda s: s.group, "interests": lambda s: ";".join(s.interests),
                   "readiness": lambda s: s.readiness}
        given = [name for name in columns if name in roster.fields]
        with self.file.transaction():
            self.db["students"].upsert_all(
                ({"id": s.id, **{_COLUMN.get(name, name): columns[name](s) for name in given}}
                 for s in roster.students), pk="id")
            # A deleted student the roster lists again comes back with no history and a new card.
            self.file.conn.execute(
                "UPDATE students SET card_version = d.card_version + 1 FROM deleted_students AS d "
                "WHERE students.id = d.id AND students.card_version <= d.card_version")
            self.file.conn.execute("DELETE FROM deleted_students WHERE id IN (SELECT id FROM students)")
            self._set_meta(self.file.conn, "roster_digest", digest)

    @locked
    def roster_digest(self) -> str:
        return self._meta("roster_digest") or ""

    @locked
    def students(self) -> list[RosterStudent]:
        return [RosterStudent(r["id"], r["first_name"], r["last_name"], r["group_id"],
                              tuple(i for i in (r["interests"] or "").split(";") if i), r["readiness"])
                for r in self.db["students"].rows_where(order_by="id")]

    @locked
    def set_groups(self, assignment: dict[str, str | None]) -> None:
        with self.file.transaction() as conn:
            conn.executemany("UPDATE students SET group_id = ? WHERE id = ?",
                             [(group, student) for student, group in assignment.items()])

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
        """Everything stored about the student: their roster record and every event naming them."""
        record = next(self.db["students"].rows_where("id = ?", [student_id]), None)
        if record is None:
            return None
        events = list(self.db["events"].rows_where("student = ?", [student_id], order_by="at"))
        for event in events:
            event["data"] = json.loads(event["data"]) if event["data"] else {}
        return {"student": record, "events": events}

    @locked
    def delete_student(self, student_id: str) -> int:
        """Erase the student's record and every event naming them; returns how many events went."""
        version = self.card_versions().get(student_id)
        if version is None:
            raise KeyError(student_id)
        return self.file.erase([
            ("DELETE FROM events WHERE student = ?", (student_id,)),
            ("DELETE FROM students WHERE id = ?", (student_id,)),
            ("INSERT OR REPLACE INTO deleted_students (id, card_version) VALUES (?, ?)", (student_id, version)),
        ]) - 2

    @locked
    def deleted_students(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM deleted_students")}

    @locked
    def purge_before(self, cutoff: float) -> int:
        """Erase events (conference notes among them) the hub received before ``cutoff``, and sessions that
        ended before it. By the hub's clock: a kiosk's may be years off (a Pi has no battery clock)."""
        return self.file.erase([("DELETE FROM events WHERE received_at < ?", (cutoff,)),
                                ("DELETE FROM sessions WHERE ended IS NOT NULL AND ended < ?", (cutoff,))])

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
            new = 0
            for r in received:
                e = r.event
                new += conn.execute(
                    "INSERT OR IGNORE INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time,"
                    " received_at, accepted, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (e.id, e.kind, r.student, e.station, e.at, e.seq, e.kiosk_time, r.received_at, int(r.accepted),
                     r.reason or None, json.dumps(e.data) if e.data else None)).rowcount
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
    def progress_events(self) -> list[tuple[str, str, dict]]:
        """(student, kind, data) of this session's accepted choices, goals and exit tickets, oldest first."""
        rows = self.db.execute(
            "SELECT student, kind, data FROM events WHERE accepted = 1 AND kind IN ('choice', 'goal', 'exit_ticket') "
            f"{SINCE_SESSION_STARTED} "
            "ORDER BY at").fetchall()
        return [(student, kind, json.loads(data or "{}")) for student, kind, data in rows]

    # Sessions, conference notes and reports
    @locked
    def begin_session(self, at: float) -> None:
        with self.file.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO sessions (started) VALUES (?)", (at,))

    @locked
    def end_session(self, at: float) -> None:
        with self.file.transaction() as conn:
            conn.execute("UPDATE sessions SET ended = ? WHERE ended IS NULL", (at,))

    @locked
    def last_session(self) -> tuple[float, float | None] | None:
        """(started, ended) of the latest session; ended is None while it runs."""
        row = self.db.execute("SELECT started, ended FROM sessions ORDER BY started DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    @locked
    def add_note(self, student: str, station: str, at: float, tags: list[str], text: str) -> None:
        """A conference note from the teacher, kept with the student's events."""
        with self.file.transaction() as conn:
            conn.execute("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                         "accepted, data) VALUES (?, 'conference', ?, ?, ?, 0, ?, ?, 1, ?)",
                         (uuid.uuid4().hex, student, station, at, at, at, json.dumps({"tags": tags, "text": text})))
        self.file.make_durable()

    @locked
    def session_events(self, started: float, ended: float) -> list[SessionEvent]:
        rows = self.db.execute(
            "SELECT at, kind, student, station, data FROM events WHERE accepted = 1 AND student IS NOT NULL "
            "AND kind IN ('checkin', 'choice', 'goal', 'exit_ticket', 'help', 'conference') AND at >= ? AND at <= ? "
            "ORDER BY at", (started, ended)).fetchall()
        return [SessionEvent(at, kind, student, station, json.loads(data or "{}"))
                for at, kind, student, station, data in rows]

    @locked
    def help_calls(self, started: float, ended: float) -> dict[str, int]:
        """How many calls for help each station made, whoever made them."""
        rows = self.db.execute("SELECT station, count(*) FROM events WHERE kind = 'help' AND at >= ? AND at <= ? "
                               "GROUP BY station", (started, ended)).fetchall()
        return dict(rows)

    # Clock and seq
    @locked
    def save_clock(self, clock: Clock, seq: int, session_started: float | None = None) -> None:
        with self.file.transaction() as conn:
            self._set_meta(conn, "clock", json.dumps(clock.__dict__))
            self._set_meta(conn, "seq", seq)
            if session_started is not None:
                self._set_meta(conn, "session_started", session_started)
        self.file.make_durable()

    @locked
    def save_help(self, queue: list[HelpRequest]) -> None:
        with self.file.transaction() as conn:
            self._set_meta(conn, "help", json.dumps([h.__dict__ for h in queue]))
        self.file.make_durable()

    @locked
    def save_skips(self, skips: list[Skip]) -> None:
        with self.file.transaction() as conn:
            self._set_meta(conn, "skips", json.dumps([s.__dict__ for s in skips]))

    @locked
    def load_skips(self) -> list[Skip]:
        return [Skip(**s) for s in json.loads(self._meta("skips") or "[]")]

    @locked
    def load_help(self) -> list[HelpRequest]:
        return [HelpRequest(**h) for h in json.loads(self._meta("help") or "[]")]

    @locked
    def load_clock(self) -> Clock | None:
        text = self._meta("clock")
        return Clock(**json.loads(text)) if text else None

    @locked
    def load_seq(self) -> int:
        return int(self._meta("seq") or 0)

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
