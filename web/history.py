"""The lessons behind the live map: the hub's database, read beside the hub (never written: every change is a
command to the hub over MQTT). The web companion runs on the hub's board, so the file is at hand; reading it
here keeps reports, timelines and the Tomorrow page off the hub's busy thread.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from edge.db import DatabaseNotReady
from hub.goals import GoalRow
from hub.report import Report, SessionEvent, clock_time, describe
from hub.report_files import LessonRecord, lesson_record, report_of
from hub.store import HubStore, PeerCall
from hub.tomorrow import Tomorrow, plan_tomorrow
from shared.config import Config

if TYPE_CHECKING:
    from hub.cards_pdf import CardFace

__all__ = ["DatabaseNotReady", "History", "Lesson", "StudentLesson"]


@dataclass(frozen=True)
class Lesson:
    started: float
    ended: float | None
    class_id: str | None
    class_name: str

    @property
    def key(self) -> str:
        """The lesson in an address: its start, in milliseconds."""
        return str(round(self.started * 1000))

    @property
    def when(self) -> str:
        day = time.strftime("%a %d %b, %H:%M", time.localtime(self.started))
        return f"{day}–{clock_time(self.ended)}" if self.ended else f"{day}, running"


@dataclass(frozen=True)
class StudentLesson:
    lesson: Lesson
    lines: list[tuple[str, str]]  # (time, what), in order


class History:
    def __init__(self, config: Config, now=time.time) -> None:
        self.config, self.now = config, now
        self._store: HubStore | None = None
        self._file_id: tuple[int, int] | None = None
        self.lock = threading.Lock()

    def _open(self) -> HubStore:
        """The hub's file; opened again once the hub has put another in its place (hub/repair.py: a damaged one
        set aside, a backup copied in)."""
        path = self.config.hub.database
        if self._store is not None and self._file_id != _file_id(path):
            self._store.file.close()
            self._store = None
        if self._store is None:
            self._store = HubStore(path, read_only=True)
            self._file_id = _file_id(path)
        return self._store

    def _class_names(self, store: HubStore) -> dict[str, str]:
        return {c.id: c.name for c in store.classes()}

    def lessons(self, count: int = 30, class_id: str | None = None) -> list[Lesson]:
        with self.lock:
            store = self._open()
            names = self._class_names(store)
            return [Lesson(started, ended, klass, names.get(klass or "", "")) for started, ended, klass
                    in store.last_sessions(count, class_id)]

    def lesson(self, key: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons(500) if lesson.key == key), None)

    def record(self, lesson: Lesson) -> LessonRecord:
        with self.lock:
            return lesson_record(self._open(), self.now(), (lesson.started, lesson.ended, lesson.class_id))

    def report(self, lesson: Lesson) -> Report:
        return report_of(self.record(lesson), self.config)

    def tomorrow(self, lesson: Lesson, strategy: str = "readiness", count: int | None = None) -> Tomorrow:
        return self._tomorrow(self.record(lesson), strategy, count)

    def tomorrow_and_report(self, lesson: Lesson, strategy: str = "readiness") -> tuple[Tomorrow, Report]:
        """Both, from one reading of the lesson (the printed Tomorrow carries the lesson's summary)."""
        record = self.record(lesson)
        return self._tomorrow(record, strategy, None), report_of(record, self.config)

    def _tomorrow(self, record: LessonRecord, strategy: str, count: int | None) -> Tomorrow:
        with self.lock:
            card_ids = self._open().card_ids()  # the config names students by the roster's ids
        apart = [(card_ids.get(a, a), card_ids.get(b, b)) for a, b in self.config.keep_apart]
        return plan_tomorrow(record.events, record.members, record.names, {s.id: s.name for s in self.config.stations},
                             record.started, record.ended, record.class_name, strategy, count, apart,
                             goal_history=record.goals, must_do=record.must_do)

    def student_lessons(self, student_id: str, count: int = 8) -> list[StudentLesson]:
        """The student's last lessons, newest first: what they did in each, as the report's timeline says it."""
        with self.lock:
            store = self._open()
            names = self._class_names(store)
            classes = {klass for klass, members in store.memberships(dt.date.today()).items()
                       if student_id in members}
            sessions = [s for s in store.last_sessions(200) if s[2] in classes][:count]
            stations = {s.id: s.name for s in self.config.stations}
            found = []
            for started, ended, klass in sessions:
                events = [e for e in store.session_events(started, ended or self.now()) if e.student == student_id]
                found.append(StudentLesson(Lesson(started, ended, klass, names.get(klass or "", "")),
                                           [(clock_time(e.at), _said(e, stations)) for e in events]))
            return found

    def student_goals(self, student_id: str) -> list[GoalRow]:
        """Every goal the student has had, oldest first, with their exit tickets' answers about it."""
        with self.lock:
            return self._open().goals_of(student_id)

    def peer_calls(self, student_id: str) -> list[PeerCall]:
        """The calls for help in which a classmate was suggested, the student asking or suggested, newest first."""
        with self.lock:
            return self._open().peer_help_calls(student_id)

    def card_face(self, student_id: str) -> CardFace | None:
        """The student's card as `rotation cards` prints it, at the card version the hub has now."""
        from hub.cards_pdf import class_card_faces  # fonts and shaping: loaded when a card is first asked for

        with self.lock:
            store = self._open()
            return class_card_faces(store, self.config.signing_key, store.classes(),
                                    store.card_versions()).get(student_id)

    def close(self) -> None:
        with self.lock:
            if self._store is not None:
                self._store.file.close()
                self._store = None


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _said(event: SessionEvent, stations: dict[str, str]) -> str:
    return f"{stations.get(event.station, event.station)}: {describe(event, stations)}"
