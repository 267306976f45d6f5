"""Writes a session report as CSV files a spreadsheet opens, and one PNG chart (matplotlib, no screen)."""
from __future__ import annotations

import csv
import datetime
import math
import time
from pathlib import Path

from hub.report import TICKET_COLOURS, TICKET_WORDS, Report, build_report, clock_time
from hub.roster import display_names
from hub.store import HubStore
from shared.config import Config
from shared.protocol import TICKETS

REPORT_FOLDER_FORMAT = "%Y-%m-%d %H%M"  # a report's folder is named after its session's start, local time,
REPORT_FOLDER_TIME = len("2026-11-30 0915")  # then its class's id


def reports_root(config: Config) -> Path:
    return config.hub.database.parent / "reports"


def write_report(report: Report, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    timeline, stations, groups, chart = (folder / name for name in
                                         ("timeline.csv", "stations.csv", "groups.csv", "summary.png"))
    _write_csv(timeline, ["student", "name", "time", "station", "what"],
               [[r.student_id, r.name, clock_time(r.at), r.station, r.what] for r in report.timeline])
    _write_csv(stations, ["station", "students", "minutes", *(TICKET_WORDS[t] for t in TICKETS), "help calls"],
               [[s.station, s.students, s.minutes, *(s.tickets[t] for t in TICKETS), s.help_calls]
                for s in report.stations])
    _write_csv(groups, ["group", "students", *(TICKET_WORDS[t] for t in TICKETS)],
               [[g.group, g.students, *(g.tickets[t] for t in TICKETS)] for g in report.groups])
    _draw_chart(report, chart)
    return [timeline, stations, groups, chart]


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    temporary.replace(path)


def _draw_chart(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no screen needed, and never Kivy's window
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.5), dpi=100, layout="constrained")
    minutes_axis, tickets_axis = figure.subplots(1, 2)
    names = [s.station for s in report.stations]
    minutes_axis.barh(names, [s.minutes for s in report.stations], color="#3a6ea5")
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


def report_last_session(store: HubStore, config: Config, now: float, folder: Path | None = None,
                        session: tuple[float, float | None, str | None] | None = None) -> Path:
    """Writes the report of the latest session (so far, if it still runs), or of ``session`` (started, ended,
    class), and returns its folder."""
    sessions = [session] if session is not None else store.last_sessions(1)
    if not sessions:
        raise ValueError("no session has been started yet: there is nothing to report")
    started, stopped, class_id = sessions[0]
    ended = stopped or now
    # A session still running has everything stored so far, even what a kiosk stamped a moment ahead of
    # the hub's clock.
    until = stopped or math.inf
    day = datetime.date.fromtimestamp(started)
    members = store.class_students(class_id or "", day)
    names = display_names(members)
    students = {s.id: (names[s.id], s.group) for s in members}
    klass = next((c for c in store.classes() if c.id == class_id), None)
    report = build_report(store.session_events(started, until), students,
                          [(s.id, s.name) for s in config.stations], started, ended,
                          store.help_calls(started, until), klass.name if klass else "")
    named = time.strftime(REPORT_FOLDER_FORMAT, time.localtime(started)) + (f" {class_id}" if class_id else "")
    folder = folder or reports_root(config) / named
    write_report(report, folder)
    return folder
