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

from kiosk.decide import Decision
from shared.config import NEXT_OPTIONS
from shared.languages import N_
from shared.pictures import GOAL_PICTURE, NEXT_PICTURES, PEER_PICTURE, PEER_PICTURES, TICKET_PICTURES
from shared.protocol import EventKind, Needs, State, Station

Colour: TypeAlias = tuple[float, float, float, float]  # RGBA from 0 to 1, as Kivy takes it

TICKET_OPTIONS = (("got_it", TICKET_PICTURES["got_it"], N_("Got it!"), (0.16, 0.55, 0.22, 1)),
                  ("getting_there", TICKET_PICTURES["getting_there"], N_("Getting there"), (0.85, 0.62, 0.08, 1)),
                  ("stuck", TICKET_PICTURES["stuck"], N_("I'm stuck"), (0.75, 0.22, 0.22, 1)))
EVENT_KIND: dict[str, EventKind] = {"choice": "choice", "goal": "goal", "exit_ticket": "exit_ticket",
                                   "next": "exit_ticket"}
PEER = "peer"  # the kind of the question "Maya R. got it! Ask Maya?", asked before the teacher is called
ASK = "ask"  # its answer "I'll ask Maya" (the other is "no")


@dataclass(frozen=True)
class Option:
    value: str  # recorded as it is, in the words the teacher or the code wrote
    picture: str  # a Material Icons name (shared/pictures.py)
    label: str  # shown in the student's language (a teacher's own activity or goal as written)
    colour: Colour | None = None


@dataclass(frozen=True)
class Prompt:
    """``title`` and ``question`` are words of the catalogs, ``{name}`` filled in when shown."""
    kind: str  # choice | goal | exit_ticket | next
    card: str
    student_id: str
    name: str
    title: str  # asked on its own, after an earlier answer
    question: str  # asked under the greeting of the scan that led to it
    options: tuple[Option, ...]
    skippable: bool = False
    how: str | None = None  # for "next": the exit ticket already given
    needs: Needs | None = None  # the student's: their language, large text...
    hint: str = N_("Tap one.")  # under the title, when asked on its own
    params: tuple[tuple[str, str], ...] = ()  # more names in the title and the buttons' words (a classmate's)
    spoken: tuple[str, ...] = ()  # said aloud instead of the title and hint: messages without a name in them
    picture: str = ""  # large, over the question
    peer: str | None = None  # for "peer": the classmate suggested (a student id)

    @property
    def language(self) -> str | None:
        return self.needs.language if self.needs else None


def after_scan(decision: Decision, state: State | None, station_id: str) -> Prompt | None:
    """The first question after a scan, if there is one."""
    if state is None or decision.student_id is None or decision.card is None:
        return None
    if decision.outcome == "checkout":
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
        return None, None
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
    return {"how": prompt.how, "next": value}, None


def peer_prompt(state: State | None, station_id: str, asker: Decision | None,
                suggested: Mapping[str, int] | None = None) -> Prompt | None:
    """Before calling the teacher: a classmate checked in here who got it here, if the hub names one for this
    station (hub/peers.py), never the student asking; of those, the one suggested least often so far
    (``suggested``, by student), so one helper is not asked by everyone. Asked in the asker's language; no name
    is said aloud."""
    if state is None:
        return None
    asker_id = asker.student_id if asker is not None else None
    able = [s for s in state.helpers.get(station_id, ()) if s != asker_id and s in state.students]
    if not able:
        return None
    peer = min(able, key=lambda s: (suggested or {}).get(s, 0))  # min keeps the hub's order among equals
    name = state.students[peer].name
    first = first_name(name)
    return Prompt(PEER, asker.card or "" if asker else "", asker_id or "", asker.name or "" if asker else "",
                  N_("{peer} got it! Ask {first}?"), N_("{peer} got it! Ask {first}?"),
                  (Option(ASK, PEER_PICTURES[ASK], N_("I'll ask {first}"), (0.16, 0.55, 0.22, 1)),
                   Option("no", PEER_PICTURES["no"], N_("No thanks"))),
                  needs=asker.needs if asker else None, hint=N_("Your teacher is called too."),
                  params=(("peer", name), ("first", first)),
                  spoken=(N_("A classmate here got it!"), N_("Ask them? Your teacher is called too.")),
                  picture=PEER_PICTURE, peer=peer)


def after_peer(prompt: Prompt, taken: bool) -> Decision:
    """What the kiosk says once the student answered "Ask Maya?": the teacher is called either way."""
    asker = prompt.student_id or None
    if taken:
        return Decision("thanks", N_("Go and ask {first}!"), N_("Your teacher is called too."), asker,
                        prompt.name or None, prompt.card or None, params=prompt.params, needs=prompt.needs)
    return Decision("thanks", N_("Help is on the way"), N_("Your teacher is called."), asker, prompt.name or None,
                    prompt.card or None, needs=prompt.needs)


def first_name(name: str) -> str:
    """"Maya" of "Maya R." (a first name and last initial, as the state names students)."""
    first, _, initial = name.rpartition(" ")
    return first if first and initial.endswith(".") else name


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
