"""The Tomorrow page: what a lesson says about the next one. Who was stuck and where, who never checked in,
the goals set and how the lesson ended for each, what to do about students' goals (a goal met: set a new one
at the teacher's table; "not yet" again and again: confer), the teacher's notes, what students did with
their choice rounds (always the same station, never choosing, a must-do left out), and groups for tomorrow
with the reason for each student. Pure: hub/report_files.py hands in the lesson's record.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hub.goals import GoalRow
from hub.grouping import GroupingError, learner, reasons, suggest_groups
from hub.report import LEFT_TABLE, SEATED, TICKET_WORDS, SessionEvent, clock_time
from hub.roster import RosterStudent
from shared.protocol import GROUPING_STRATEGIES, PLACED

STAYS = ("checkin", SEATED)
SHOWN_UP = ("checkin", "choice", "goal", "exit_ticket", "pick")  # the student's own doing: they were in the lesson
DEFAULT_GROUPS = 4
NOT_YET_TO_CONFER = 3  # "not yet" answers about one goal after which the teacher confers with the student


@dataclass(frozen=True)
class Stuck:
    name: str
    station: str
    next: str  # what they would like to do next, in their words ("" if they did not say)


@dataclass(frozen=True)
class GoalLine:
    name: str
    goal: str
    ended: str  # their last exit ticket in words, or "no exit ticket"
    met: bool = False  # they met it in this lesson


@dataclass(frozen=True)
class GoalAdvice:
    """What to do tomorrow about one student's goal, and why."""
    name: str
    what: str
    why: str


@dataclass(frozen=True)
class NoteLine:
    name: str
    at: str  # the time of day
    tags: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class ChoiceLine:
    """Something a student's choices say, for the next lesson's plan: their name and why it is worth a look."""
    name: str
    reason: str


@dataclass(frozen=True)
class SuggestedMember:
    student_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class Tomorrow:
    class_name: str
    started: float
    ended: float
    stuck: list[Stuck]
    never_checked_in: list[str]  # names
    goals: list[GoalLine]
    notes: list[NoteLine]
    strategy: str
    groups: dict[str, list[SuggestedMember]]
    grouping_problem: str = ""  # why no groups could be suggested
    goal_advice: tuple[GoalAdvice, ...] = ()
    choices: list[ChoiceLine] = field(default_factory=list)  # what the choice rounds say, by name


def goal_advice(goals: Mapping[str, Sequence[GoalRow]], members: Sequence[RosterStudent], names: dict[str, str],
                started: float, ended: float) -> tuple[GoalAdvice, ...]:
    """For each student (by name): a goal met in the lesson wants a new one, set at the teacher's table; an open
    goal answered "not yet" NOT_YET_TO_CONFER times or more wants a conference."""
    advice = []
    for student in sorted(members, key=lambda s: names[s.id].casefold()):
        rows = goals.get(student.id, ())
        met = [g for g in rows if g.outcome == "met" and g.closed_at is not None and started <= g.closed_at <= ended]
        standing = next((g for g in rows if g.open), None)
        if met and standing is None:
            advice.append(GoalAdvice(names[student.id], "set a new goal with them at the teacher's table",
                                     f"met their goal “{met[-1].text}” this lesson"))
        if standing is not None:
            not_yet = sum(check.answer == "not_yet" for check in standing.checks)
            if not_yet >= NOT_YET_TO_CONFER:
                advice.append(GoalAdvice(names[student.id], "confer about their goal",
                                         f"“{standing.text}”: “not yet” {not_yet} times"))
    return tuple(advice)



def lesson_goals(goals: Mapping[str, Sequence[GoalRow]], started: float, ended: float) -> dict[str, GoalRow]:
    """Each student's goal during the lesson (one carried over from before counts too): the latest set by its
    end that was still open at its start."""
    held = {}
    for student, rows in goals.items():
        during = [g for g in rows if g.set_at <= ended and (g.closed_at is None or g.closed_at >= started)]
        if during:
            held[student] = max(during, key=lambda g: g.set_at)
    return held


def choice_lines(own: Sequence[SessionEvent], members: Sequence[RosterStudent], names: dict[str, str],
                 stations: dict[str, str], must_do: Sequence[str]) -> list[ChoiceLine]:
    """What each student did with the lesson's choice rounds, where it asks for the teacher's eye: the same
    station chosen every time, never choosing (placed each time), and, in a lesson with choices, a must-do
    station never visited."""
    picks: dict[str, list[str]] = {}
    placed: Counter[str] = Counter()
    visited: dict[str, set[str]] = {}
    present = {event.student for event in own if event.kind in SHOWN_UP}
    for event in own:
        if event.kind == "pick":
            picks.setdefault(event.student, []).append(str(event.data.get("to", "")))
        elif event.kind == PLACED:
            placed[event.student] += 1
        elif event.kind in STAYS:
            visited.setdefault(event.student, set()).add(event.station)
    if not picks and not placed:
        return []
    lines = []
    for student in sorted(members, key=lambda s: names[s.id].casefold()):
        chosen = picks.get(student.id, [])
        if len(chosen) >= 2 and len(set(chosen)) == 1:
            lines.append(ChoiceLine(names[student.id], f"always chose {stations.get(chosen[0], chosen[0])} "
                                                        f"({len(chosen)} times): offer another station first"))
        if placed[student.id] and not chosen and student.id in present:  # one not in the lesson did not miss it
            lines.append(ChoiceLine(names[student.id], f"did not choose ({placed[student.id]} time"
                                                        f"{'s' if placed[student.id] > 1 else ''}): help them pick"))
        missed = [stations.get(m, m) for m in must_do if m not in visited.get(student.id, set())]
        if missed and student.id in visited:
            lines.append(ChoiceLine(names[student.id], f"avoided a must-do: never at {', '.join(missed)}"))
    return lines


def plan_tomorrow(events: list[SessionEvent], members: Sequence[RosterStudent], names: dict[str, str],
                  stations: dict[str, str], started: float, ended: float, class_name: str = "",
                  strategy: str = "readiness", count: int | None = None,
                  apart: Sequence[tuple[str, str]] = (), seed: int = 0,
                  goal_history: Mapping[str, Sequence[GoalRow]] | None = None, must_do: Sequence[str] = ()) -> Tomorrow:
    """``stations``: id -> name. ``count``: how many groups (default: as many as the class has now, else 4).
    ``goal_history``: each student's goals (HubStore.goals_of), for the advice on them. ``must_do``: the
    lesson's must-do stations in its choice rounds."""
    if strategy not in GROUPING_STRATEGIES:
        strategy = "readiness"
    known = {s.id for s in members}
    own = sorted((e for e in events if e.student in known), key=lambda e: e.at)
    by_name = sorted(members, key=lambda s: names[s.id].casefold())
    tickets: dict[str, dict[str, SessionEvent]] = {}  # student -> station -> their last ticket there
    goals: dict[str, str] = {}
    arrived: set[str] = set()
    for event in own:
        if event.kind == "exit_ticket" and isinstance(event.data.get("how"), str):
            tickets.setdefault(event.student, {})[event.station] = event
        elif event.kind == "goal":
            goals[event.student] = str(event.data.get("goal", ""))
        elif event.kind in STAYS or event.kind == LEFT_TABLE:
            arrived.add(event.student)
    stuck = [Stuck(names[s.id], stations.get(station, station), str(ticket.data.get("next") or ""))
             for s in by_name for station, ticket in tickets.get(s.id, {}).items() if ticket.data["how"] == "stuck"]
    last_ticket = {sid: max(at_stations.values(), key=lambda e: e.at).data["how"]
                   for sid, at_stations in tickets.items()}
    held = lesson_goals(goal_history or {}, started, ended)
    goal_lines = [GoalLine(names[s.id], goals.get(s.id) or held[s.id].text,
                           TICKET_WORDS.get(last_ticket[s.id], "") if s.id in last_ticket else "no exit ticket",
                           s.id in held and held[s.id].outcome == "met" and (held[s.id].closed_at or 0) <= ended)
                  for s in by_name if s.id in goals or s.id in held]
    notes = [NoteLine(names[e.student], clock_time(e.at), tuple(e.data.get("tags", ())), str(e.data.get("text", "")))
             for e in own if e.kind == "conference"]
    learners = [learner(s.id, s.readiness, s.interests, last_ticket.get(s.id)) for s in members]
    count = count or len({s.group for s in members if s.group}) or DEFAULT_GROUPS
    count = max(1, min(count, len(learners))) if learners else 0
    groups: dict[str, list[SuggestedMember]] = {}
    problem = ""
    kept_apart = [(a, b) for a, b in apart if a in known and b in known]
    if learners:
        try:
            suggested = suggest_groups(learners, strategy, count, kept_apart, seed)
        except GroupingError as error:
            problem = str(error)
        else:
            why = reasons(learners, suggested, strategy, kept_apart, names)
            groups = {group: sorted((SuggestedMember(sid, names[sid], why[sid]) for sid in ids),
                                    key=lambda m: m.name.casefold())
                      for group, ids in suggested.items()}
    return Tomorrow(class_name, started, ended, stuck, [names[s.id] for s in by_name if s.id not in arrived],
                    goal_lines, notes, strategy, groups, problem,
                    goal_advice(goal_history or {}, members, names, started, ended),
                    choice_lines(own, members, names, stations, must_do))
