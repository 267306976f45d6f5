"""A student's own path, as "My path" at a kiosk shows it to them: their last lessons, each with the stations they
went to in order, what they chose there, their exit ticket and what they asked for next time, and the goals they
met. Pure: it takes the student's events (HubStore.student_path) and the room's stations.

Only ever built for the student whose card the kiosk just read (hub/service.py checks it as it checks a
check-in), and sent to that kiosk alone: nothing of another student goes into it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from msgspec.structs import replace

from hub.goals import GoalRow, RoomGoal
from shared.config import StationConfig
from shared.pictures import station_look
from shared.protocol import PATH_VISITS, TICKETS, PathLesson, PathVisit

GOAL_MET = "met"  # an exit ticket's ``goal`` answer (the goals helper's field): the student met their goal
PATH_KINDS = ("checkin", "choice", "goal", "exit_ticket")  # what a kiosk sends that changes a student's path


@dataclass(frozen=True)
class PathEvent:
    """One of the student's own accepted events."""
    at: float
    kind: str  # checkin | seated | choice | goal | exit_ticket
    station: str
    data: Mapping[str, Any]


def student_path(lessons: list[tuple[float, float | None]], events: Iterable[PathEvent],
                 stations: Iterable[StationConfig]) -> tuple[PathLesson, ...]:
    """``lessons``: (started, ended) newest first; ``events`` the student's in those lessons, oldest first. The
    lessons newest first, each with its visits in the order made (a return to a station is a visit of its own)."""
    looks = {s.id: s for s in stations}
    ordered = sorted(lessons)
    by_lesson: list[list[PathEvent]] = [[] for _ in ordered]
    for event in events:
        index = _lesson_of(ordered, event.at)
        if index is not None:
            by_lesson[index].append(event)
    built = [_lesson(started, found, looks) for (started, _), found in zip(ordered, by_lesson, strict=True)]
    return tuple(reversed(built))


def goals_met(lessons: Iterable[PathLesson], kept: Iterable[GoalRow] = ()) -> tuple[str, ...]:
    """The goals the student met, newest first, each once: those the hub keeps as met (``HubStore.goals_of``),
    then any an exit ticket of these lessons said was met (a goal set before goals were kept)."""
    met = [goal.text for goal in sorted(kept, key=lambda goal: goal.closed_at or 0.0, reverse=True)
           if goal.outcome == "met"]
    for lesson in lessons:
        if lesson.goal_met and lesson.goal and lesson.goal not in met:
            met.append(lesson.goal)
    return tuple(dict.fromkeys(met))


def in_language(lessons: tuple[PathLesson, ...], met: tuple[str, ...], goals: Iterable[RoomGoal],
                language: str) -> tuple[tuple[PathLesson, ...], tuple[str, ...]]:
    """The goals of a path in the student's language where the teacher's goal list has words for it (the room
    file's goals are left for the kiosk's catalog to say, a student's own as written)."""
    words = {goal.text: goal.words[language] for goal in goals if goal.words.get(language)}
    return (tuple(replace(lesson, goal=words.get(lesson.goal, lesson.goal)) if lesson.goal else lesson
                  for lesson in lessons),
            tuple(words.get(goal, goal) for goal in met))


def _lesson_of(ordered: list[tuple[float, float | None]], at: float) -> int | None:
    for index in range(len(ordered) - 1, -1, -1):
        started, ended = ordered[index]
        if started <= at and (ended is None or at <= ended):
            return index
    return None


def _lesson(started: float, events: list[PathEvent], stations: Mapping[str, StationConfig]) -> PathLesson:
    visits: list[dict[str, Any]] = []
    goal, met = None, False
    for event in events:
        if event.kind == "goal":
            goal = event.data.get("goal") or goal
            continue
        current = visits[-1] if visits else None
        if event.kind in ("checkin", "seated"):
            if current is None or current["station"] != event.station:
                visits.append({"station": event.station})
            continue
        # Answered at the station of their latest visit there (a seat at the teacher's table since, while they
        # were still here, is no visit of its own), or without a check-in seen here: a visit of its own.
        current = next((v for v in reversed(visits) if v["station"] == event.station), None)
        if current is None:
            current = {"station": event.station}
            visits.append(current)
        if event.kind == "choice":
            current["activity"] = event.data.get("activity")
        elif event.kind == "exit_ticket":
            how = event.data.get("how")
            current["ticket"] = how if how in TICKETS else None
            current["next"] = event.data.get("next") or current.get("next")
            met = met or event.data.get("goal") == GOAL_MET
    return PathLesson(started=started, visits=tuple(_visit(v, stations) for v in visits[:PATH_VISITS]),
                      goal=goal, goal_met=met)


def _visit(visit: Mapping[str, Any], stations: Mapping[str, StationConfig]) -> PathVisit:
    station = stations.get(visit["station"])
    if station is None:  # a station since taken out of the room: its id, in the slate of an unknown one
        return PathVisit(visit["station"], visit["station"], activity=visit.get("activity"),
                         ticket=visit.get("ticket"), next=visit.get("next"))
    colour, picture = station_look(station.kind, station.colour, station.picture)
    activity = visit.get("activity")
    own = dict(zip(station.activities, station.pictures, strict=False))
    return PathVisit(station.id, station.name, colour, picture, activity,
                     own.get(activity, picture) if activity else None, visit.get("ticket"), visit.get("next"))
