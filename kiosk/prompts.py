"""What the kiosk asks a student after a scan: voice and choice, a goal, an exit ticket. Pure.

Each question is a few large buttons with an icon and one or two words, so a six-year-old can answer it
with one tap. Arriving at the right station: which of its activities? Then, for a student with no goal standing
(it carries over lessons until met, changed or dropped): a goal. Scanning again at the same station later in the
round is checking out: how did it go (got it, getting there, stuck), did you get closer to your goal (closer,
not yet, I met my goal!), and what would you like next?
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from kiosk.decide import Decision, gives_ticket_first
from shared.config import NEXT_OPTIONS
from shared.languages import N_, Words
from shared.pictures import (
    GOAL_ANSWER_PICTURES,
    GOAL_PICTURE,
    NEXT_PICTURES,
    PEER_PICTURE,
    PEER_PICTURES,
    TICKET_PICTURES,
    rgba,
)
from shared.protocol import EventKind, Needs, State, Station

Colour: TypeAlias = tuple[float, float, float, float]  # RGBA from 0 to 1, as Kivy takes it

TICKET_OPTIONS = (("got_it", TICKET_PICTURES["got_it"], N_("Got it!"), (0.16, 0.55, 0.22, 1)),
                  ("getting_there", TICKET_PICTURES["getting_there"], N_("Getting there"), (0.85, 0.62, 0.08, 1)),
                  ("stuck", TICKET_PICTURES["stuck"], N_("I'm stuck"), (0.75, 0.22, 0.22, 1)))
TICKET_LABELS = {value: label for value, _, label, _ in TICKET_OPTIONS}
GOAL_ANSWER_OPTIONS = (("closer", GOAL_ANSWER_PICTURES["closer"], N_("Closer"), (0.16, 0.55, 0.22, 1)),
                       ("not_yet", GOAL_ANSWER_PICTURES["not_yet"], N_("Not yet"), (0.85, 0.62, 0.08, 1)),
                       ("met", GOAL_ANSWER_PICTURES["met"], N_("I met my goal!"), (0.45, 0.20, 0.58, 1)))
EVENT_KIND: dict[str, EventKind] = {"choice": "choice", "goal": "goal", "exit_ticket": "exit_ticket",
                                   "goal_check": "exit_ticket", "next": "exit_ticket", "pick": "pick"}
LEAVING_KINDS = ("exit_ticket", "goal_check", "next")  # the questions of a student checking out
PEER = "peer"  # the kind of the question "Maya R. got it! Ask Maya?", asked before the teacher is called
ASK = "ask"  # its answer "I'll ask Maya" (the other is "no")


@dataclass(frozen=True)
class Option:
    value: str  # recorded as it is, in the words the teacher or the code wrote
    picture: str  # a Material Icons name (shared/pictures.py)
    label: str  # shown in the student's language (a teacher's own activity or goal as written)
    colour: Colour | None = None
    words: tuple[tuple[str, str], ...] = ()  # the label by language, as the teacher wrote it (else: the catalog's)
    places: int | None = None  # a station in a choice round: its places left (None: no limit), drawn as people

    def said(self, w: Words) -> str:
        return dict(self.words).get(w.language) or w.say(self.label)


@dataclass(frozen=True)
class Prompt:
    """``title`` and ``question`` are words of the catalogs, ``{name}`` filled in when shown."""
    kind: str  # choice | goal | exit_ticket | goal_check | next | pick (a choice round's "Where next?")
    card: str
    student_id: str
    name: str
    title: str  # asked on its own, after an earlier answer
    question: str  # asked under the greeting of the scan that led to it
    options: tuple[Option, ...]
    skippable: bool = False
    how: str | None = None  # for "goal_check" and "next": the exit ticket already given
    goal: str | None = None  # for "next": the answer about their goal already given
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
        if state is not None and prompt.student_id in state.standing:
            return {"how": value}, Prompt("goal_check", prompt.card, prompt.student_id, prompt.name,
                                          N_("{name}, did you get closer to your goal?"),
                                          N_("Did you get closer to your goal?"),
                                          tuple(Option(*o) for o in GOAL_ANSWER_OPTIONS), how=value,
                                          needs=prompt.needs)
        return {"how": value}, _next_prompt(prompt, value, None)
    if prompt.kind == "goal_check":
        return {"how": prompt.how, "goal": value}, _next_prompt(prompt, prompt.how, value)
    said = {"how": prompt.how, "next": value}
    return (said if prompt.goal is None else {**said, "goal": prompt.goal}), _pick_after(prompt, state)


def _next_prompt(prompt: Prompt, how: str | None, goal: str | None) -> Prompt:
    return Prompt("next", prompt.card, prompt.student_id, prompt.name, N_("What would you like next time?"),
                  N_("What would you like next time?"),
                  tuple(Option(n, p, n) for n, p in zip(NEXT_OPTIONS, NEXT_PICTURES, strict=True)),
                  skippable=True, how=how, goal=goal, needs=prompt.needs)


def new_goal(decision: Decision, state: State | None) -> Prompt | None:
    """The student on screen asked to choose a new goal (it takes the place of the one standing)."""
    if decision.card is None or decision.student_id is None:
        return None
    return _goal_prompt(decision.card, decision.student_id, decision.name or "", state, decision.needs, anew=True)


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
                 needs: Needs | None, anew: bool = False) -> Prompt | None:
    if state is None or not state.goals:
        return None
    progress = state.progress.get(student_id)
    if not anew and (student_id in state.standing or progress is not None and progress.goal):
        return None  # a goal stands until met, changed or dropped (a hub before goals carried over: one a session)
    return Prompt("goal", card, student_id, name, N_("{name}, what is your goal?"),
                  N_("What is your goal? Tap one."),
                  tuple(Option(g, state.goal_pictures[i] if i < len(state.goal_pictures) else GOAL_PICTURE, g,
                               words=tuple(sorted(state.goal_words[i].items())) if i < len(state.goal_words) else ())
                        for i, g in enumerate(state.goals)), skippable=True, needs=needs)


def _pictures(station: Station) -> tuple[str, ...]:
    """One picture per activity: the station's own for each, else the station's picture."""
    return station.pictures or (station.picture or GOAL_PICTURE,) * len(station.activities)
