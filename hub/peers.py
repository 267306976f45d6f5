"""Who may be suggested to a classmate asking for help at a station. Pure.

A student may help at a station when all of these hold: peer suggestions are on for the running class; the
student is of that class and not excluded by the teacher; they are checked in at the station now (this round,
not checked out, not out of the room); and their latest exit ticket at that station, in this lesson or an
earlier one of the class, said "Got it!". The latest counts: "Got it!" last week and "I'm stuck" today there
is stuck. The asker is left out by the kiosk, which alone knows who asked.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.protocol import PeerHelp, Presence

GOT_IT = "got_it"


@dataclass
class GotIt:
    """Each station's students whose latest exit ticket there said "Got it!", with when (the latest first
    is the one best remembered)."""
    by_station: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def from_tickets(cls, tickets: Iterable[tuple[str, str, str, float]]) -> GotIt:
        """From (student, station, answer, at) of exit tickets, in any order."""
        found = cls()
        latest: dict[tuple[str, str], float] = {}
        for student, station, how, at in tickets:
            if latest.get((student, station), float("-inf")) <= at:
                latest[(student, station)] = at
                found.ticket(student, station, how, at)
        return found

    def ticket(self, student: str, station: str, how: str, at: float) -> bool:
        """A new exit ticket; True if it changed who got it there."""
        here = self.by_station.setdefault(station, {})
        if how == GOT_IT:
            changed = here.get(student) != at
            here[student] = at
            return changed
        return here.pop(student, None) is not None

    def forget(self, student: str) -> None:
        for here in self.by_station.values():
            here.pop(student, None)


def helpers(setting: PeerHelp, got_it: GotIt, students: Mapping[str, object], presence: Mapping[str, Presence],
            checked_out: Mapping[str, Presence], out: Mapping[str, Presence],
            round_began: float | None) -> dict[str, tuple[str, ...]]:
    """By station, the students who may be suggested there now, the most recent "Got it!" first; empty when
    peer suggestions are off. ``students``: the running class's; ``round_began``: None before the first round
    (any check-in of the lesson counts)."""
    if not setting.on:
        return {}
    excluded = set(setting.excluded)
    found: dict[str, tuple[str, ...]] = {}
    for station, here in got_it.by_station.items():
        able = [(at, student) for student, at in here.items()
                if student in students and student not in excluded and student not in out
                and _checked_in(presence.get(student), station, checked_out.get(student), round_began)]
        if able:
            found[station] = tuple(student for _, student in sorted(able, key=lambda a: (-a[0], a[1])))
    return found


def _checked_in(presence: Presence | None, station: str, left: Presence | None,
                round_began: float | None) -> bool:
    if presence is None or presence.station != station:
        return False
    if round_began is not None and presence.at < round_began:
        return False  # last round's: they should be elsewhere now
    return left is None  # checked out since (a check-in takes the check-out away)
