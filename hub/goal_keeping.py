"""What the hub does with goals (hub/goals.py): a kiosk's goal and exit ticket events, and the teacher's
commands from the web companion, kept in the store first and then told to the room."""
from __future__ import annotations

import logging

from hub.engine import Room
from hub.goals import BY_STUDENT, BY_TEACHER, OWN, ROOM, room_goal
from hub.store import HubStore
from shared.pictures import GOAL_PICTURE_CHOICES
from shared.protocol import GOAL_MET, CloseGoalArgs, Event, OwnGoalArgs, SetGoalsArgs

log = logging.getLogger("rotation.hub")


class GoalKeeping:
    def __init__(self, store: HubStore) -> None:
        self.store = store

    def from_event(self, room: Room, student: str, event: Event) -> bool:
        """An accepted goal or exit ticket event of ``student``: a goal picked at the kiosk becomes their
        standing goal (the one before it closed as changed); an exit ticket's answer about the goal is kept,
        and "I met my goal!" closes it. True if the student's standing goal changed."""
        if event.kind == "goal":
            offered = room.offered_goal(event.data["goal"])
            if offered is None:
                return False
            opened = self.store.open_goal(student, offered.text, offered.picture, ROOM, BY_STUDENT, event.at,
                                          event.id)
            if opened is not None:
                room.set_standing(student, opened)
            return opened is not None
        answer = event.data.get("goal") if event.kind == "exit_ticket" else None
        if answer is None or student not in room.standing:
            return False
        presence = room.presence.get(student)
        visit = presence.at if presence is not None and presence.station == event.station else event.at
        self.store.check_goal(student, event.station, visit, event.at, answer)
        if answer == GOAL_MET and self.store.close_goal(student, GOAL_MET, event.at):
            room.set_standing(student, None)
            log.info("student %s met their goal", student)
            return True
        return False

    def set_room_goals(self, room: Room, args: SetGoalsArgs) -> str:
        """The room's goal list, as the teacher wrote it; ValueError says what is missing."""
        goals = []
        for number, goal in enumerate(args.goals, 1):
            try:
                goals.append(room_goal(goal.words, _picture(goal.picture)))
            except ValueError as error:
                named = next((w for w in goal.words.values() if w.strip()), "")
                raise ValueError(f"goal {number}{f' “{named.strip()}”' if named else ''} {error}; nothing was "
                                 "saved") from None
        if len({g.text for g in goals}) < len(goals):
            raise ValueError("two goals have the same words: each goal needs its own")
        if len(goals) == 1:
            raise ValueError("a student picks from at least two goals")
        self.store.set_room_goals(goals)
        room.set_goal_list(goals)
        return f"the room's {len(goals)} goals are saved" if goals else "the room's goals are the room file's again"

    def set_own_goal(self, room: Room, args: OwnGoalArgs, now: float) -> str:
        """A goal of the student's own, set with the teacher: their standing goal from now on."""
        name = self._name(room, args.student)
        opened = self.store.open_goal(args.student, args.text.strip(), _picture(args.picture), OWN, BY_TEACHER, now)
        room.set_standing(args.student, opened)
        return f"{name}'s goal is saved: the kiosk shows it from their next scan"

    def close_goal(self, room: Room, args: CloseGoalArgs, now: float) -> str:
        name = self._name(room, args.student)
        if not self.store.close_goal(args.student, args.outcome, now):
            raise ValueError(f"{name} has no goal open")
        room.set_standing(args.student, None)
        return f"{name}'s goal is closed ({args.outcome})"

    @staticmethod
    def _name(room: Room, student: str) -> str:
        if student not in room.card_versions:
            raise ValueError(f"{student!r} is not a student of this room")
        known = room.students.get(student)
        return known.display_name if known else student


def _picture(name: str) -> str:
    if name not in GOAL_PICTURE_CHOICES:
        raise ValueError(f"{name!r} is not one of the goals' pictures: {', '.join(GOAL_PICTURE_CHOICES)}")
    return name
