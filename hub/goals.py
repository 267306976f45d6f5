"""Students' goals across lessons, and the room's goal list: the shapes the store keeps and the state carries.
Pure.

A student has at most one standing goal: one of the room's, picked at a kiosk, or one of their own, set with
the teacher at the teacher's table (the web companion). It stays across lessons and classes until it is closed:
met (the student said so at an exit ticket, or the teacher), changed (a new goal took its place) or dropped
(the teacher). The room's goal list is the teacher's, edited on the web companion; until then, the room file's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.languages import LANGUAGES, SOURCE_LANGUAGE, english_name
from shared.pictures import GOAL_PICTURE
from shared.protocol import StandingGoal

ROOM: str = "room"  # whose: one of the room's goals
OWN: str = "own"  # whose: the student's own
BY_STUDENT: str = "student"  # set at a kiosk
BY_TEACHER: str = "teacher"  # set on the web companion (with the student)
MOST_ROOM_GOALS = 6


@dataclass(frozen=True)
class RoomGoal:
    """One of the room's goals: ``text`` is what a kiosk records (its words in the source language), ``words``
    its words in each kiosk language (empty for the room file's, which the kiosks' catalogs translate)."""
    text: str
    picture: str
    words: Mapping[str, str]


@dataclass(frozen=True)
class GoalCheck:
    """An exit ticket's answer to "Did you get closer to your goal?"."""
    at: float
    station: str
    answer: str  # closer | not_yet | met


@dataclass(frozen=True)
class GoalRow:
    """A goal as the hub keeps it. ``closed_at`` and ``outcome`` (met | changed | dropped) once closed."""
    id: int
    student: str
    text: str
    picture: str
    whose: str  # ROOM | OWN
    set_by: str  # BY_STUDENT | BY_TEACHER
    set_at: float
    closed_at: float | None = None
    outcome: str | None = None
    checks: tuple[GoalCheck, ...] = ()

    @property
    def open(self) -> bool:
        return self.closed_at is None


def room_goals(configured: Sequence[str], pictures: Sequence[str],
               stored: Sequence[RoomGoal] | None) -> tuple[RoomGoal, ...]:
    """The room's goal list: the teacher's, stored by the hub, else the room file's (``pictures`` one each)."""
    if stored:
        return tuple(stored)
    return tuple(RoomGoal(text, pictures[i] if i < len(pictures) else GOAL_PICTURE, {})
                 for i, text in enumerate(configured))


def room_goal(words: Mapping[str, str], picture: str) -> RoomGoal:
    """A goal of the teacher's list, its words trimmed; ValueError unless written in every kiosk language."""
    trimmed = {language: str(words.get(language, "")).strip() for language in LANGUAGES}
    missing = [language for language, text in trimmed.items() if not text]
    if missing:
        raise ValueError(f"needs its words in {', '.join(map(english_name, missing))} too: every kiosk language")
    return RoomGoal(trimmed[SOURCE_LANGUAGE], picture, trimmed)


def standing(row: GoalRow, goals: Sequence[RoomGoal]) -> StandingGoal:
    """A student's open goal as the state carries it: a room goal in every language the list has it in."""
    words = next((dict(g.words) for g in goals if g.text == row.text), {}) if row.whose == ROOM else {}
    return StandingGoal(text=row.text, picture=row.picture, set_at=row.set_at, words=words, own=row.whose == OWN)
