"""What happened in a session, for the teacher: each student's timeline and a summary per station and per
group. Pure: the store hands in the session's events; hub/report_files.py writes CSV and a chart.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.protocol import PLACED, TICKETS, by_student

SEATED = "seated"  # the hub's record of a group sent to a station without a kiosk: a stay there, not a check-in
LEFT_TABLE = "left_table"  # and of that group leaving it at the next round
TICKET_WORDS = {"got_it": "got it", "getting_there": "getting there", "stuck": "stuck"}
GOAL_ANSWER_WORDS = {"closer": "closer to their goal", "not_yet": "not yet closer to their goal",
                     "met": "met their goal"}
MINUTES_COLOUR = "#3a6ea5"  # the minutes' bars in charts
TICKET_COLOURS = {"got_it": "#2e8b3a", "getting_there": "#e0a020", "stuck": "#c83232"}  # map dots and charts


@dataclass(frozen=True)
class SessionEvent:
    at: float
    kind: str  # checkin, choice, goal, exit_ticket, conference, pick (a choice round's), placed
    student: str
    station: str
    data: dict[str, Any] = field(default_factory=dict)  # the event's data, as the protocol checked it


@dataclass(frozen=True)
class TimelineRow:
    student_id: str
    name: str
    at: float
    station: str  # its name
    what: str


@dataclass(frozen=True)
class ChoiceRow:
    """A choice round's outcome for a student: the station they chose, or were placed at (``chose`` False)."""
    student_id: str
    name: str
    at: float
    station: str  # its name
    chose: bool


@dataclass(frozen=True)
class StationSummary:
    station: str  # its name
    students: int
    minutes: float
    tickets: dict[str, int]  # got_it / getting_there / stuck -> how many
    help_calls: int = 0


@dataclass(frozen=True)
class GroupSummary:
    group: str
    students: int
    tickets: dict[str, int]
    minutes: float = 0.0  # all its students' minutes at stations


@dataclass(frozen=True)
class Report:
    started: float
    ended: float
    timeline: list[TimelineRow]
    stations: list[StationSummary]
    groups: list[GroupSummary]
    class_name: str = ""  # the class whose lesson it was
    choices: list[ChoiceRow] = field(default_factory=list)  # the choice rounds', by name then time


PEER_ANSWERS = {True: "asked", False: "not asked", None: "no answer"}  # as the maps say it


def describe(event: SessionEvent, stations: Mapping[str, str] | None = None) -> str:
    """``stations``: id -> name, for the station a student chose."""
    data = event.data
    if event.kind == "checkin":
        return "checked in"
    if event.kind == SEATED:
        return "at the teacher's table"
    if event.kind == LEFT_TABLE:
        return "left the teacher's table"
    if event.kind == "checkout":
        return "said they were done" if by_student(data) else "marked absent"
    if event.kind == "choice":
        return f"chose: {data.get('activity', '')}"
    if event.kind == "goal":
        return f"goal: {data.get('goal', '')}"
    if event.kind == "exit_ticket":
        following = f" (next: {data['next']})" if data.get("next") else ""
        goal = f", {GOAL_ANSWER_WORDS[data['goal']]}" if data.get("goal") in GOAL_ANSWER_WORDS else ""
        how = data.get("how")
        return f"exit ticket: {TICKET_WORDS.get(how, how) if isinstance(how, str) else how}{goal}{following}"
    if event.kind == "pick":
        to = str(data.get("to", ""))
        return f"chose the next station: {(stations or {}).get(to, to)}"
    if event.kind == PLACED:
        return "placed here: did not choose in time"
    if event.kind == "help":
        if event.data.get("peer"):  # the classmate suggested first is theirs to know, not this line's reader's
            return f"asked for help (a classmate suggested: {PEER_ANSWERS[event.data.get('taken')]})"
        return "asked for help"
    if event.kind == "conference":
        tags = ", ".join(data.get("tags", []))
        return f"conference: {tags}{' · ' if tags and data.get('text') else ''}{data.get('text', '')}"
    return event.kind


def build_report(events: list[SessionEvent], students: dict[str, tuple[str, str | None]],
                 stations: list[tuple[str, str]], started: float, ended: float,
                 help_calls: dict[str, int] | None = None, class_name: str = "") -> Report:
    """``students``: id -> (display name, group); ``stations``: (id, name) in the room's order."""
    names = dict(stations)
    ordered = sorted((e for e in events if e.student in students), key=lambda e: (e.student, e.at))
    timeline = [TimelineRow(e.student, students[e.student][0], e.at, names.get(e.station, e.station),
                            describe(e, names))
                for e in sorted(ordered, key=lambda e: (students[e.student][0], e.at))]
    choices = [ChoiceRow(e.student, students[e.student][0], e.at, names.get(went, went), e.kind == "pick")
               for e in sorted(ordered, key=lambda e: (students[e.student][0], e.at)) if e.kind in ("pick", PLACED)
               for went in (str(e.data.get("to", e.station)),)]
    minutes: dict[str, float] = defaultdict(float)
    group_minutes: dict[str, float] = defaultdict(float)
    visitors: dict[str, set[str]] = defaultdict(set)
    by_student: dict[str, list[SessionEvent]] = defaultdict(list)
    for event in ordered:
        by_student[event.student].append(event)
    for student, own in by_student.items():
        stays = [e for e in own if e.kind in ("checkin", SEATED, LEFT_TABLE, "checkout", "exit_ticket")]
        for index, event in enumerate(stays):
            if event.kind not in ("checkin", SEATED):
                continue  # an exit ticket, leaving the teacher's table or being marked absent there ends a stay
            until = stays[index + 1].at if index + 1 < len(stays) else ended
            minutes[event.station] += max(0.0, until - event.at) / 60
            group_minutes[students[student][1] or ""] += max(0.0, until - event.at) / 60
            visitors[event.station].add(student)
    station_tickets: dict[str, Counter[str]] = defaultdict(Counter)
    group_tickets: dict[str, Counter[str]] = defaultdict(Counter)
    for student, own in by_student.items():
        tickets = [e for e in own if e.kind == "exit_ticket" and e.data.get("how") in TICKETS]
        for station, how in {e.station: e.data["how"] for e in tickets}.items():  # the last word at each
            station_tickets[station][how] += 1
        group = students[student][1]
        if tickets and group:
            group_tickets[group][tickets[-1].data["how"]] += 1
    members: dict[str, int] = Counter(group for _, group in students.values() if group)
    return Report(
        started, ended, timeline,
        [StationSummary(name, len(visitors[sid]), round(minutes[sid], 1), {t: station_tickets[sid][t] for t in TICKETS},
                        (help_calls or {}).get(sid, 0)) for sid, name in stations],
        [GroupSummary(group, members[group], {t: group_tickets[group][t] for t in TICKETS},
                      round(group_minutes[group], 1)) for group in sorted(members)], class_name, choices)


def clock_time(at: float) -> str:
    return time.strftime("%H:%M", time.localtime(at))


def lesson_title(class_name: str, started: float, ended: float) -> str:
    day = time.strftime("%a %d %b %Y, %H:%M", time.localtime(started))
    return f"{class_name or 'Lesson'} · {day}–{clock_time(ended)}"
