"""Choice rounds: which stations a student may choose, who gets the last place, and where a student who did not
choose goes. Pure: times and data come in as arguments.

A lesson names its choice rounds and its must-do stations (the running stations it does not name are may-do).
When a choice round begins, each student may choose among the must-do stations they have not been to this
lesson, and once they have been to all of them, among the may-do ones they have not been to yet. A pick is a
request, granted in the order the hub takes them while the station has a place left, so two kiosks never both
take the last one.
When choosing closes, whoever did not choose goes where the plan sends their group, or, if that is full, to the
first station with room among their own choices (so must-do first), then any other.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared.protocol import CHOSE, PLACED, ChoiceRound

CHOICE_SECONDS = 60.0  # how long choosing stays open in a lesson without passing time
Refusal = Literal["full", "closed", "not_allowed"]


def allowed_stations(running: Iterable[str], must: frozenset[str], visited: frozenset[str]) -> tuple[str, ...]:
    """The stations a student may choose: their must-dos left, else the may-dos they have not been to (else,
    been to them all, any may-do; with no may-do station, any)."""
    running = tuple(running)
    left = tuple(s for s in running if s in must and s not in visited)
    if left:
        return left
    may = tuple(s for s in running if s not in must) or running
    return tuple(s for s in may if s not in visited) or may


@dataclass
class Choosing:
    """One choice round's choosing. ``capacity``: the stations with a limit; the others take everyone."""
    round: int
    until: float
    must: frozenset[str]
    capacity: dict[str, int]
    allowed: dict[str, tuple[str, ...]]
    going: dict[str, str] = field(default_factory=dict)
    how: dict[str, Literal["chose", "placed"]] = field(default_factory=dict)
    closed: bool = False

    def left(self, station: str) -> int | None:
        """Places left at the station; None: no limit."""
        limit = self.capacity.get(station)
        if limit is None:
            return None
        return max(limit - sum(1 for s in self.going.values() if s == station), 0)

    def places(self) -> dict[str, int]:
        taken = Counter(self.going.values())
        return {s: max(limit - taken[s], 0) for s, limit in self.capacity.items()}

    def places_for(self, student: str) -> dict[str, int]:
        """Places left at the stations the student may choose (those without a limit are left out)."""
        places = self.places()
        return {s: places[s] for s in self.allowed.get(student, ()) if s in places}

    def pick(self, student: str, station: str, now: float) -> Refusal | None:
        """Give the student a place at the station, or say why not. Picking again moves their place."""
        if self.closed or now >= self.until:
            return "closed"
        if station not in self.allowed.get(student, ()):
            return "not_allowed"
        if self.going.get(student) == station:
            return None  # the same pick again (a kiosk's resend): still theirs
        left = self.left(station)
        if left is not None and left <= 0:
            return "full"
        self.going[student] = station
        self.how[student] = CHOSE
        return None

    def close(self, planned: Mapping[str, str | None], stations: Iterable[str]) -> dict[str, str]:
        """Choosing is over: place everyone who did not choose (``planned``: where the plan sends each
        student's group). Returns the placements, student → station."""
        self.closed = True
        order = tuple(stations)
        placed: dict[str, str] = {}
        for student in sorted(self.allowed):
            if student in self.going:
                continue
            own = self.allowed[student]
            plan = planned.get(student)
            candidates = ([plan] if plan is not None else []) + [*own, *(s for s in order if s not in own)]
            # With no room anywhere (more students than places), the plan's station takes them all the same.
            target = next((s for s in candidates if self.left(s) is None or (self.left(s) or 0) > 0),
                          plan or (own[0] if own else None))
            if target is None:
                continue
            self.going[student] = placed[student] = target
            self.how[student] = PLACED
        return placed

    def public(self) -> ChoiceRound:
        return ChoiceRound(self.round, self.until, tuple(sorted(self.must)), self.places(), dict(self.allowed),
                           dict(self.going), dict(self.how))


def open_choosing(round_number: int, until: float, running: Iterable[str], must: frozenset[str],
                  capacity: Mapping[str, int | None], students: Iterable[str],
                  visited: Mapping[str, frozenset[str]]) -> Choosing:
    """The choosing of a choice round that begins now, for these students (those who are in today)."""
    running = tuple(running)
    must = must & frozenset(running)
    return Choosing(round_number, until, must,
                    {s: limit for s, limit in capacity.items() if limit is not None and s in running},
                    {student: allowed_stations(running, must, visited.get(student, frozenset()))
                     for student in students})
