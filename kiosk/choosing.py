"""A choice round at the kiosk: "Where next?", and what the hub's answer to a pick means for the student. Pure.

The kiosk offers the stations the student may choose that still have room, each a big button with the
station's picture and a row of little people for its places left; a tap asks the hub for a place, and the
screen says "Saving your place…" until the hub answers (a frame or two) or the answer is overdue.
"""
from __future__ import annotations

import functools

from kiosk.decide import Decision
from kiosk.prompts import Prompt, pick_prompt
from shared.languages import N_
from shared.protocol import PickAnswer, State

ANSWER_DUE_SECONDS = 5.0  # no answer by then: the hub is away; the student is told to look at the board


def choosing_left(state: State | None, hub_now: float) -> float | None:
    """The time left to choose in a choice round, while choosing is open; else None."""
    choice = state.choice if state is not None else None
    return choice.until - hub_now if choice is not None and choice.open(hub_now) else None


def after_pick(prompt: Prompt, answer: PickAnswer, state: State | None) -> tuple[Decision, Prompt | None]:
    """What the student sees when the hub answers their pick: where to go, or, the place taken, the stations
    left to pick again from."""
    theirs = functools.partial(Decision, student_id=prompt.student_id, name=prompt.name, card=prompt.card,
                               needs=prompt.needs)
    station = state.station(answer.to) if state else None
    station_name = station.name if station else answer.to
    if answer.granted:
        look = (station.colour, station.picture) if station and station.colour and station.picture else None
        scan_there = station is None or station.kiosk  # a station without a kiosk (the teacher's table) takes no scan
        return theirs("chose", N_("{name}, go to {station}"),
                      N_("Your place is saved. Scan your card there.") if scan_there else N_("Your place is saved."),
                      params=(("station", station_name),), look=look), None
    again = pick_prompt(prompt.card, prompt.student_id, prompt.name, state, prompt.needs, answer.left) \
        if answer.reason == "full" else None
    if again is not None:
        return theirs("full", N_("Sorry, {station} just filled up"), N_("Pick another station."),
                      params=(("station", station_name),)), again
    return theirs("closed", N_("Choosing has finished"), N_("Look at the board to see where to go.")), None


def saving(prompt: Prompt, station_name: str) -> Decision:
    """While the hub is asked for the place."""
    return Decision("saving", N_("Saving your place…"), N_("{station}: just a moment."), prompt.student_id,
                    prompt.name, prompt.card, params=(("station", station_name),), needs=prompt.needs)


def overdue(prompt: Prompt) -> Decision:
    """No answer came in time (the hub is out of reach): the board will say where they go."""
    return Decision("closed", N_("Your place is not saved yet"), N_("Look at the board to see where to go."),
                    prompt.student_id, prompt.name, prompt.card, needs=prompt.needs)
