"""What the kiosk asks a student after a scan: voice and choice, a goal, an exit ticket. Pure.

Each question is a few large buttons with an icon and one or two words, so a six-year-old can answer it
with one tap. Arriving at the right station: which of its activities? Then, at the first check-in of the
session: a goal for today. Scanning again at the same station later in the round is checking out: how did
it go (got it, getting there, stuck), and what would you like next?
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from kiosk.decide import Decision
from shared.protocol import EventKind, State

Colour: TypeAlias = tuple[float, float, float, float]  # RGBA from 0 to 1, as Kivy takes it

# Glyphs of the DejaVu Sans font that Kivy ships (Roboto has no symbols), found by a word in the activity.
ICONS = (
    (("read", "book", "story", "letter"), "Aa"), (("write", "spell"), "\u270e"),
    (("listen", "music", "song", "sing"), "\u266b"), (("draw", "art", "paint", "colour", "color"), "\u270f"),
    (("build", "make", "code", "tech", "computer", "robot"), "\u2699"), (("math", "number", "count", "sum"), "123"),
    (("game", "play", "puzzle"), "\u265e"), (("talk", "discuss", "share", "partner", "group"), "\u263a"),
)
DEFAULT_ICON = "\u2605"
TICKET_OPTIONS = (("got_it", "\u2714", "Got it!", (0.16, 0.55, 0.22, 1)),
                  ("getting_there", "\u2197", "Getting there", (0.85, 0.62, 0.08, 1)),
                  ("stuck", "?", "I'm stuck", (0.75, 0.22, 0.22, 1)))
NEXT_OPTIONS = ("More of this", "Something harder", "Something different")
EVENT_KIND: dict[str, EventKind] = {"choice": "choice", "goal": "goal", "exit_ticket": "exit_ticket",
                                   "next": "exit_ticket"}


@dataclass(frozen=True)
class Option:
    value: str
    icon: str
    label: str
    colour: Colour | None = None


@dataclass(frozen=True)
class Prompt:
    kind: str  # choice | goal | exit_ticket | next
    card: str
    student_id: str
    name: str
    title: str  # asked on its own, after an earlier answer
    question: str  # asked under the greeting of the scan that led to it
    options: tuple[Option, ...]
    skippable: bool = False
    how: str | None = None  # for "next": the exit ticket already given


def icon_for(text: str) -> str:
    """The icon of the first word that has one: "Listen to a story" is for listening."""
    words = text.lower()
    found = [(words.find(key), icon) for keys, icon in ICONS for key in keys if key in words]
    return min(found)[1] if found else DEFAULT_ICON


def after_scan(decision: Decision, state: State | None, station_id: str) -> Prompt | None:
    """The first question after a scan, if there is one."""
    if state is None or decision.student_id is None or decision.card is None:
        return None
    if decision.outcome == "checkout":
        return Prompt("exit_ticket", decision.card, decision.student_id, decision.name or "",
                      f"{decision.name}, how did it go?", "How did it go?",
                      tuple(Option(*o) for o in TICKET_OPTIONS))
    if decision.outcome != "welcome":
        return None
    station = state.station(station_id)
    if station is not None and station.activities:
        return Prompt("choice", decision.card, decision.student_id, decision.name or "",
                      f"{decision.name}, what will you do?", "What will you do? Tap one.",
                      tuple(Option(a, icon_for(a), a) for a in station.activities))
    return _goal_prompt(decision.card, decision.student_id, decision.name or "", state)


def after_answer(prompt: Prompt, value: str | None,
                 state: State | None) -> tuple[dict[str, str | None] | None, Prompt | None]:
    """The event data to record for the answer (None for a skip), and the next question, if any."""
    if value is None:
        return None, None
    if prompt.kind == "choice":
        return {"activity": value}, _goal_prompt(prompt.card, prompt.student_id, prompt.name, state)
    if prompt.kind == "goal":
        return {"goal": value}, None
    if prompt.kind == "exit_ticket":
        following = Prompt("next", prompt.card, prompt.student_id, prompt.name, "What would you like next time?",
                           "What would you like next time?", tuple(Option(n, icon_for(n), n) for n in NEXT_OPTIONS),
                           skippable=True, how=value)
        return {"how": value}, following
    return {"how": prompt.how, "next": value}, None


def _goal_prompt(card: str, student_id: str, name: str, state: State | None) -> Prompt | None:
    if state is None or not state.goals:
        return None
    progress = state.progress.get(student_id)
    if progress is not None and progress.goal:
        return None  # one goal a session
    return Prompt("goal", card, student_id, name, f"{name}, what is your goal today?",
                  "What is your goal today? Tap one.",
                  tuple(Option(g, DEFAULT_ICON, g) for g in state.goals), skippable=True)
