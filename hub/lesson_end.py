"""What a lesson came to, in counts for the board: the end-of-lesson summary. Pure."""
from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from shared.languages import ENGLISH
from shared.protocol import LessonEnd, State, StationCount


def lesson_end(state: State, started: float, ended: float, help_calls: int) -> LessonEnd:
    """The summary of the lesson whose last state is ``state``: where students checked in last, how many were
    absent, how the exit tickets went, how often stations called for help. Counts only: the board is seen by
    the class."""
    last_station = Counter(p.station for p in state.presence.values())
    expected = Counter(state.students[s].group for s in state.students)
    running = state.running_class()
    tickets = [p.ticket for p in state.progress.values() if p.ticket]
    return LessonEnd(
        class_name=running.name if running else "The lesson",
        started=started, ended=ended,
        checked_in=tuple(StationCount(s.id, s.name, last_station[s.id], sum(expected[g] for g in s.groups))
                         for s in state.stations if not s.off or last_station[s.id]),
        absent=sum(1 for s in state.students if s not in state.presence and state.attendance.get(s) == "absent"),
        stuck=tickets.count("stuck"), tickets=len(tickets), help_calls=help_calls)


def summary_lines(end: LessonEnd) -> list[str]:
    """The summary as the display words it, one line a fact."""
    checked_in = sum(s.here for s in end.checked_in)
    where = ", ".join(f"{s.name} {s.here}" for s in end.checked_in if s.here)
    lines = [f"{checked_in} checked in" + (f": {where}" if where else ""),
             f"{end.absent} absent",
             ENGLISH.count("{n} exit ticket", "{n} exit tickets", end.tickets)
             + (f", {end.stuck} stuck" if end.stuck else ""),
             ENGLISH.count("{n} call for help", "{n} calls for help", end.help_calls)]
    lines.append(f"Report saved: {PurePath(end.report).name}" if end.report else "Writing the report…")
    return lines
