"""What the kiosk asks a student after a scan: voice and choice, a goal, an exit ticket. Pure.

Each question is a few large buttons with an icon and one or two words, so a six-year-old can answer it
with one tap. Arriving at the right station: which of its activities? Then, at the first check-in of the
session: a goal for today. Scanning again at the same station later in the round is checking out: how did
it go (got it, getting there, stuck), and what would you like next?
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from kiosk.decide import Decision, gives_ticket_first
from shared.config import NEXT_OPTIONS
from shared.languages import N_
from shared.pictures import GOAL_PICTURE, NEXT_PICTURES, TICKET_PICTURES, rgba
from shared.protocol import EventKind, Needs, State, Station

Colour: TypeAlias = tuple[float, float, float, float]  # RGBA from 0 to 1, as Kivy takes it

TICKET_OPTIONS = (("got_it", TICKET_PICTURES["got_it"], N_("Got it!"), (0.16, 0.55, 0.22, 1)),
                  ("getting_there", TICKET_PICTURES["getting_there"], N_("Getting there"), (0.85, 0.62, 0.08, 1)),
                  ("stuck", TICKET_PICTURES["stuck"], N_("I'm stuck"), (0.75, 0.22, 0.22, 1)))
EVENT_KIND: dict[str, EventKind] = {"choice": "choice", "goal": "goal", "exit_ticket": "exit_ticket",
                                   "next": "exit_ticket", "pick": "pick"}


@dataclass(frozen=True)
class Option:
    value: str  # recorded as it is, in the words the teacher or the code wrote
    picture: str  # a Material Icons name (shared/pictures.py)
    label: str  # shown in the student's language (a teacher's own activity or goal as written)
    colour: Colour | None = None
    places: int | None = None  # a station in a choice round: its places left (None: no limit), drawn as people


@dataclass(frozen=True)
class Prompt:
    """``title`` and ``question`` are words of the catalogs, ``{name}`` filled in when shown."""
    kind: str  # choice | goal | exit_ticket | next | pick (a choice round's "Where next?")
    card: str
    student_id: str
    name: str
    title: str  # asked on its own, after an earlier answer
    question: str  # asked under the greeting of the scan that led to it
    options: tuple[Option, ...]
    skippable: bool = False
    how: str | None = None  # for "next": the exit ticket already given
    needs: Needs | None = None  # the student's: their language, large text...

    @property
    def language(self) -> str | None:
        return self.needs.language if self.needs else None


def after_scan(decision: Decision, state: State | None, station_id: str) -> Prompt | None:
    """The first question after a scan, if there is one."""
    if state is None or decision.student_id is None or decision.card is None:
        return None
    if decision.outcome == "choose":  # a choice round: the exit ticket here first, if not given yet
        if not gives_ticket_first(state, decision.student_id, station_id):
            return pick_prompt(decision.card, decision.student_id, decision.name or "", state, decision.needs)
    if decision.outcome in ("checkout", "choose"):
        return Prompt("exit_ticket", decision.card, decision.student_id, decision.name or "",
                      N_("{name}, how did it go?"), N_("How did it go?"), tuple(Option(*o) for o in TICKET_OPTIONS),
                      needs=decision.needs)
    if decision.outcome != "welcome":
        return None
    station = state.station(station_id)
    if station is not None and station.activities:
        return Prompt("choice", decision.card, decision.student_id, decision.name or "",
                      N_("{name}, what will you do?"), N_("What will you do? Tap one."),
                      tuple(Option(a, picture, a) for a, picture in zip(station.activities, _pictures(station),
                                                                         strict=False)),
                      needs=decision.needs)
    return _goal_prompt(decision.card, decision.student_id, decision.name or "", state, decision.needs)


def after_answer(prompt: Prompt, value: str | None,
                 state: State | None) -> tuple[dict[str, str | None] | None, Prompt | None]:
    """The event data to record for the answer (None for a skip), and the next question, if any."""
    if value is None:
        return None, _pick_after(prompt, state)
    if prompt.kind == "pick":
        return {"to": value}, None
    if prompt.kind == "choice":
        return {"activity": value}, _goal_prompt(prompt.card, prompt.student_id, prompt.name, state, prompt.needs)
    if prompt.kind == "goal":
        return {"goal": value}, None
    if prompt.kind == "exit_ticket":
        following = Prompt("next", prompt.card, prompt.student_id, prompt.name, N_("What would you like next time?"),
                           N_("What would you like next time?"),
                           tuple(Option(n, p, n) for n, p in zip(NEXT_OPTIONS, NEXT_PICTURES, strict=True)),
                           skippable=True, how=value,
                           needs=prompt.needs)
        return {"how": value}, following
    return {"how": prompt.how, "next": value}, _pick_after(prompt, state)


def _pick_after(prompt: Prompt, state: State | None) -> Prompt | None:
    """After the exit ticket, in a choice round's choosing: "Where next?"."""
    if prompt.kind != "next":
        return None
    return pick_prompt(prompt.card, prompt.student_id, prompt.name, state, prompt.needs)


def pick_prompt(card: str, student_id: str, name: str, state: State | None, needs: Needs | None,
                left: Mapping[str, int] | None = None) -> Prompt | None:
    """"Where next?" in a choice round: a button for each station the student may choose that has room, with
    its picture and its places left (``left``: as the hub last said, else as the state says). None if the
    student has nothing to choose now."""
    choice = state.choice if state else None
    if state is None or choice is None or student_id not in choice.allowed or student_id in choice.going:
        return None
    places = {**choice.places, **(left or {})}
    options = []
    for station_id in choice.allowed[student_id]:
        station = state.station(station_id)
        room = places.get(station_id)
        if station is None or room == 0:
            continue
        options.append(Option(station_id, station.picture or GOAL_PICTURE, station.name,
                              rgba(station.colour) if station.colour else None, places=room))
    if not options:
        return None
    must = bool(set(choice.allowed[student_id]) & set(choice.must))
    return Prompt("pick", card, student_id, name, N_("{name}, where next?"),
                  N_("Where next? Start with a must-do station.") if must else N_("Where next? Tap a station."),
                  tuple(options), needs=needs)


def _goal_prompt(card: str, student_id: str, name: str, state: State | None,
                 needs: Needs | None) -> Prompt | None:
    if state is None or not state.goals:
        return None
    progress = state.progress.get(student_id)
    if progress is not None and progress.goal:
        return None  # one goal a session
    return Prompt("goal", card, student_id, name, N_("{name}, what is your goal today?"),
                  N_("What is your goal today? Tap one."),
                  tuple(Option(g, state.goal_pictures[i] if i < len(state.goal_pictures) else GOAL_PICTURE, g)
                        for i, g in enumerate(state.goals)), skippable=True, needs=needs)


def _pictures(station: Station) -> tuple[str, ...]:
    """One picture per activity: the station's own for each, else the station's picture."""
    return station.pictures or (station.picture or GOAL_PICTURE,) * len(station.activities)
