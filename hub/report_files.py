"""Writes a session report as CSV files a spreadsheet opens, and one PNG chart (matplotlib, no screen)."""
from __future__ import annotations

import csv
import datetime
import io
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from hub.goals import GoalRow
from hub.report import MINUTES_COLOUR, TICKET_COLOURS, TICKET_WORDS, Report, SessionEvent, build_report, clock_time
from hub.roster import RosterStudent, display_names
from hub.store import HubStore
from shared.config import Config
from shared.protocol import TICKETS

REPORT_FOLDER_FORMAT = "%Y-%m-%d %H%M"  # a report's folder is named after its session's start, local time,
REPORT_FOLDER_TIME = len("2026-11-30 0915")  # then its class's id


def reports_root(config: Config) -> Path:
    return config.hub.database.parent / "reports"


def report_tables(report: Report) -> dict[str, tuple[list[str], list[list]]]:
    """The report's tables, by file name: their header and rows, as the CSV files and the web companion have them."""
    return {
        "timeline": (["student", "name", "time", "station", "what"],
                     [[r.student_id, r.name, clock_time(r.at), r.station, r.what] for r in report.timeline]),
        "stations": (["station", "students", "minutes", *(TICKET_WORDS[t] for t in TICKETS), "help calls"],
                     [[s.station, s.students, s.minutes, *(s.tickets[t] for t in TICKETS), s.help_calls]
                      for s in report.stations]),
        "groups": (["group", "students", "minutes", *(TICKET_WORDS[t] for t in TICKETS)],
                   [[g.group, g.students, g.minutes, *(g.tickets[t] for t in TICKETS)] for g in report.groups]),
        "choices": (["student", "name", "time", "station", "how"],
                    [[c.student_id, c.name, clock_time(c.at), c.station, "chose" if c.chose else "placed"]
                     for c in report.choices]),
    }


def csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_report(report: Report, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in report_tables(report).items():
        path = folder / f"{name}.csv"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(csv_text(header, rows), encoding="utf-8", newline="")
        temporary.replace(path)
        written.append(path)
    chart = folder / "summary.png"
    _draw_chart(report, chart)
    return [*written, chart]


def _draw_chart(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no screen needed, and never Kivy's window
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.5), dpi=100, layout="constrained")
    minutes_axis, tickets_axis = figure.subplots(1, 2)
    names = [s.station for s in report.stations]
    minutes_axis.barh(names, [s.minutes for s in report.stations], color=MINUTES_COLOUR)
    minutes_axis.set_title("Minutes spent at each station (all students)")
    minutes_axis.invert_yaxis()
    left = [0] * len(names)
    for ticket in TICKETS:
        counts = [s.tickets[ticket] for s in report.stations]
        tickets_axis.barh(names, counts, left=left, color=TICKET_COLOURS[ticket], label=TICKET_WORDS[ticket])
        left = [a + b for a, b in zip(left, counts, strict=True)]  # one of each per station
    tickets_axis.set_title("Exit tickets at each station")
    tickets_axis.invert_yaxis()
    tickets_axis.legend(loc="lower right")
    tickets_axis.xaxis.get_major_locator().set_params(integer=True)
    session = f"Session {clock_time(report.started)}–{clock_time(report.ended)}"
    figure.suptitle(f"{report.class_name} · {session}" if report.class_name else session)
    temporary = path.with_suffix(".tmp.png")
    figure.savefig(temporary)
    temporary.replace(path)


@dataclass(frozen=True)
class LessonRecord:
    """What the hub's store holds of one lesson: its class's students as they were that day, and its events."""
    started: float
    ended: float  # or now, for a lesson still running
    class_id: str | None
    class_name: str
    members: list[RosterStudent]
    names: dict[str, str]  # student id -> the name shown (first name, last initial)
    events: list[SessionEvent]
    help_calls: dict[str, int]  # station id -> calls made there
    goals: dict[str, list[GoalRow]] = field(default_factory=dict)  # each student's goals, oldest first
    must_do: tuple[str, ...] = ()  # the lesson's must-do stations in its choice rounds (none kept before version 11)


def lesson_record(store: HubStore, now: float,
                  session: tuple[float, float | None, str | None] | None = None) -> LessonRecord:
    """The latest lesson (so far, if it still runs), or ``session`` (started, ended, class)."""
    sessions = [session] if session is not None else store.last_sessions(1)
    if not sessions:
        raise ValueError("no session has been started yet: there is nothing to report")
    started, stopped, class_id = sessions[0]
    # A session still running has everything stored so far, even what a kiosk stamped a moment ahead of
    # the hub's clock.
    until = stopped or math.inf
    members = store.class_students(class_id or "", datetime.date.fromtimestamp(started))
    klass = next((c for c in store.classes() if c.id == class_id), None)
    return LessonRecord(started, stopped or now, class_id, klass.name if klass else "", members,
                        display_names(members), store.session_events(started, until), store.help_calls(started, until),
                        {s.id: store.goals_of(s.id) for s in members}, store.lesson_must_do(started) or ())


def report_of(record: LessonRecord, config: Config) -> Report:
    return build_report(record.events, {s.id: (record.names[s.id], s.group) for s in record.members},
                        [(s.id, s.name) for s in config.stations], record.started, record.ended,
                        record.help_calls, record.class_name)


def report_last_session(store: HubStore, config: Config, now: float, folder: Path | None = None,
                        session: tuple[float, float | None, str | None] | None = None) -> Path:
    """Writes the report of the latest session (so far, if it still runs), or of ``session`` (started, ended,
    class), and returns its folder."""
    record = lesson_record(store, now, session)
    named = time.strftime(REPORT_FOLDER_FORMAT, time.localtime(record.started)) + \
        (f" {record.class_id}" if record.class_id else "")
    folder = folder or reports_root(config) / named
    write_report(report_of(record, config), folder)
    return folder
