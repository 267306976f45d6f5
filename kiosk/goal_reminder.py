"""What the kiosk reminds a student of at check-in: their standing goal, and what they said at their last exit
ticket at this station, even in an earlier lesson. Pure.

The hub sends a kiosk these only for the students its station needs (hub/kiosk_view.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.prompts import TICKET_LABELS
from kiosk.words import words
from shared.languages import N_, Words
from shared.pictures import GOAL_PICTURE
from shared.protocol import LastVisit, StandingGoal, State


@dataclass(frozen=True)
class Reminder:
    goal: StandingGoal | None
    last: LastVisit | None

    def goal_words(self, w: Words) -> str:
        """The goal in the student's language: the teacher's words for it, the catalog's for the room file's
        goals, a student's own as written."""
        goal = self.goal
        if goal is None:
            return ""
        return goal.words.get(w.language) or (goal.text if goal.own else w.say(goal.text))

    @property
    def picture(self) -> str:
        return self.goal.picture if self.goal else GOAL_PICTURE

    def lines(self, w: Words) -> tuple[str, str]:
        """"Your goal: …" and "Last time here: … You wanted: …", each "" when there is nothing to say."""
        goal = w.say(N_("Your goal: {goal}"), goal=self.goal_words(w)) if self.goal else ""
        last = self.last
        if last is None:
            return goal, ""
        said = w.say(N_("Last time here: {how}"), how=w.say(TICKET_LABELS[last.how]))
        if last.next:
            wanted = w.say(N_("You wanted: {next}"), next=w.say(last.next))
            said = f"{said} · {wanted}"
        return goal, said


def reminder(state: State | None, station_id: str, student_id: str | None) -> Reminder | None:
    """The student's goal and last visit here, if the kiosk was told either."""
    if state is None or student_id is None:
        return None
    goal = state.standing.get(student_id)
    last = next((v for v in state.last_visits.get(student_id, ()) if v.station == station_id), None)
    return Reminder(goal, last) if goal or last else None


def reminders_said(state: State | None, station_id: str, room_language: str) -> dict[str, set[str]]:
    """By language, what the kiosk may say of the reminders of the students it was told of (each in their
    language, else the room's): their sounds are made ahead, as the catalogs' are."""
    said: dict[str, set[str]] = {}
    if state is None:
        return said
    for student_id in state.standing.keys() | state.last_visits.keys():
        found = reminder(state, station_id, student_id)
        student = state.students.get(student_id)
        language = (student.language if student else None) or room_language
        if found is not None:
            said.setdefault(language, set()).update(t for t in found.lines(words(language)) if t)
    return said
