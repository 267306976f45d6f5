""""My path" at the kiosk: what a student sees of their own lessons, as plain data. Pure.

After a scan the kiosk asks the hub for the path of the student whose card it read (kiosk/core.py), so it is
there by the time they tap "My path". The view shows only the student on screen when the button was tapped, and
only an answer to the kiosk's request for them; it closes after ``PATH_SECONDS`` without a tap, with Close, and
at the next scan, so the next student never sees it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.prompts import TICKET_OPTIONS, Colour
from kiosk.words import Words, say_without_name, words
from shared.config import NEXT_OPTIONS
from shared.languages import N_
from shared.pictures import GOAL_PICTURE, NEXT_PICTURES, rgba
from shared.protocol import Needs, PathLesson, PathReply, PathVisit

PATH_SECONDS = 30.0  # without a tap, "My path" closes: the student has walked off
SHOWN_LESSONS = 4  # the newest in full, and the three before it in pictures: what fits on the 7" screen
SHOWN_LESSONS_LARGE_TEXT = 2
SHOWN_VISITS = 5  # of a lesson, the first: five stations fit across the screen
GOAL_MET_PICTURE = "emoji_events"
PATH_PICTURE = "route"  # on the "My path" button
TICKETS = {value: (picture, label, colour) for value, picture, label, colour in TICKET_OPTIONS}
NEXT = dict(zip(NEXT_OPTIONS, NEXT_PICTURES, strict=True))

TITLE = N_("{name}, here is your path")
ABOUT = N_("Where you went, and how it went.")
WAITING = N_("One moment: your path is on its way.")
OFFLINE = N_("Your path can't come now: the hub is out of reach. Try again later!")
REFUSED = N_("Your path can't be shown now. Please ask your teacher.")
NOTHING_YET = N_("Your path starts here: come back after your first lesson!")
WORDS_SAID = (TITLE, ABOUT, WAITING, OFFLINE, REFUSED, NOTHING_YET)  # each one is spoken (kiosk/speech.py)


@dataclass(frozen=True)
class VisitCell:
    """One station of a lesson: its picture in its colour, its name, the activity, the exit ticket's picture and
    colour and what the student asked for next time."""
    picture: str
    colour: Colour
    station: str
    activity: str = ""
    activity_picture: str = ""
    ticket_picture: str = ""
    ticket_colour: Colour | None = None
    ticket: str = ""
    next: str = ""
    next_picture: str = ""


@dataclass(frozen=True)
class LessonRow:
    when: str  # "Today", "Yesterday", "3 days ago"
    cells: tuple[VisitCell, ...]
    goal: str = ""  # their goal that lesson, with "met" if they said so
    goal_met: bool = False
    in_full: bool = False  # the newest lesson: words too; the ones before it in pictures and colours


@dataclass(frozen=True)
class PathScreenModel:
    student_id: str
    title: str
    detail: str  # what the path is, or why it is not shown (yet)
    lessons: tuple[LessonRow, ...] = ()
    goals_met: str = ""  # "Goals met: ..."
    close: str = "Close"
    language: str = "en"
    large_text: bool = False
    high_contrast: bool = False
    speak: bool = False
    speech: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathOwner:
    """The student on screen when "My path" was tapped: theirs is the only path it shows."""
    student_id: str
    name: str
    needs: Needs | None = None


class MyPath:
    """Whether "My path" is open, and for whom."""

    def __init__(self) -> None:
        self.owner: PathOwner | None = None
        self._touched_at = 0.0

    @property
    def is_open(self) -> bool:
        return self.owner is not None

    def open(self, owner: PathOwner, now: float) -> None:
        self.owner, self._touched_at = owner, now

    def touched(self, now: float) -> None:
        self._touched_at = now

    def close(self) -> None:
        self.owner = None

    def timed_out(self, now: float) -> bool:
        """Closed now because nobody tapped it for ``PATH_SECONDS``."""
        if self.owner is not None and now - self._touched_at >= PATH_SECONDS:
            self.owner = None
            return True
        return False

    def model(self, reply: PathReply | None, online: bool, room_language: str, today: dt.date,
              large_text: bool = False, high_contrast: bool = False, speech: bool = False) -> PathScreenModel | None:
        """``reply``: the hub's answer for the owner, if it came (any other student's is not theirs to see)."""
        owner = self.owner
        if owner is None:
            return None
        if reply is not None and reply.refused is None and reply.student != owner.student_id:
            reply = None
        needs = owner.needs or Needs()
        w = words(needs.language or room_language)
        large = needs.large_text or large_text
        if reply is None:
            detail = WAITING if online else OFFLINE
        elif reply.refused is not None:
            detail = REFUSED
        else:
            detail = ABOUT if reply.lessons else NOTHING_YET
        lessons = reply.lessons if reply is not None and reply.refused is None else ()
        shown = lessons[:SHOWN_LESSONS_LARGE_TEXT if large else SHOWN_LESSONS]
        met = reply.goals_met if reply is not None and reply.refused is None else ()
        return PathScreenModel(
            owner.student_id, w.say(TITLE, name=owner.name), w.say(detail),
            tuple(_row(lesson, w, today, in_full=n == 0, earlier=n > 0 and _day(shown[n - 1]) == _day(lesson))
                  for n, lesson in enumerate(shown)),
            w.say(N_("Goals met: {goals}"), goals=", ".join(map(w.say, met))) if met else "",
            w.say(N_("Close")), w.language, large, needs.high_contrast or high_contrast,
            speech if needs.speech is None else needs.speech,
            tuple(t for t in (say_without_name(w, TITLE), w.say(detail)) if t))


def _day(lesson: PathLesson) -> dt.date:
    return dt.date.fromtimestamp(lesson.started)


def _row(lesson: PathLesson, w: Words, today: dt.date, in_full: bool, earlier: bool = False) -> LessonRow:
    """``earlier``: a newer lesson shown was on the same day (two lessons today are "Today", "Earlier today")."""
    days = (today - _day(lesson)).days
    when = (w.say(N_("Earlier today") if earlier else N_("Today")) if days <= 0
            else w.say(N_("Yesterday")) if days == 1 else w.count("{n} day ago", "{n} days ago", days))
    goal = ""
    if lesson.goal:
        goal = w.say(N_("Goal met: {goal}") if lesson.goal_met else N_("Goal: {goal}"), goal=w.say(lesson.goal))
    return LessonRow(when, tuple(_cell(visit, w) for visit in lesson.visits[:SHOWN_VISITS]), goal, lesson.goal_met,
                     in_full)


def _cell(visit: PathVisit, w: Words) -> VisitCell:
    ticket = TICKETS.get(visit.ticket or "")
    picture, label, colour = ticket if ticket else ("", "", None)
    wish = visit.next or ""
    return VisitCell(visit.picture or GOAL_PICTURE, rgba(visit.colour or ""), visit.name, visit.activity or "",
                     visit.activity_picture or "", picture, colour, w.say(label) if label else "",
                     w.say(wish) if wish in NEXT else wish, NEXT.get(wish, ""))
