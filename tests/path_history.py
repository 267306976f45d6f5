"""Past lessons of a student in the hub's database, as the hub would have stored them: for "My path"'s tests and
bench/path_open.py."""
from __future__ import annotations

import json
import uuid

from hub.store import HubStore

DAY = 86400.0
ROUND = (("independent", "Worksheet", "got_it", "More of this"),
         ("tech", None, "getting_there", "Something harder"),
         ("reading-nook", None, "stuck", None))  # station, activity, exit ticket, what next


def add_past_lessons(store: HubStore, student: str, lessons: int, now: float, goal: str | None = None,
                     met: bool = False) -> None:
    """``lessons`` ended lessons of ``student``, one a day up to yesterday, each visiting ``ROUND``'s stations in
    order, with a check-in, a choice where there is one, and an exit ticket; the newest sets ``goal`` (and, with
    ``met``, says so on its last exit ticket)."""
    rows, sessions = [], []
    for back in range(lessons, 0, -1):
        started = now - back * DAY
        sessions.append((started, started + 3000))
        for n, (station, activity, ticket, wish) in enumerate(ROUND):
            at = started + 60 + n * 900
            rows.append(_event("checkin", student, station, at, {}))
            if activity:
                rows.append(_event("choice", student, station, at + 5, {"activity": activity}))
            if goal and back == 1 and n == 0:
                rows.append(_event("goal", student, station, at + 8, {"goal": goal}))
            data = {"how": ticket, **({"next": wish} if wish else {})}
            if met and back == 1 and n == len(ROUND) - 1:
                data["goal"] = "met"
            rows.append(_event("exit_ticket", student, station, at + 800, data))
    with store.file.transaction() as conn:
        conn.executemany("INSERT INTO sessions (started, ended, class_id) VALUES (?, ?, 'class')", sessions)
        conn.executemany("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                         "accepted, data) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1, ?)", rows)


def _event(kind: str, student: str, station: str, at: float, data: dict) -> tuple:
    return (uuid.uuid4().hex, kind, student, station, at, at, at, json.dumps(data))
