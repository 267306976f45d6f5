"""At the end of a round, where the students at this station go next. Pure."""
from __future__ import annotations

from typing import NamedTuple

from shared.protocol import State


class Move(NamedTuple):
    name: str  # first name and last initial
    to: str  # the station's name
    stays: bool  # their group is at this station again (a repeat)
    chooses: bool = False  # a choice round: they scan here to choose where next


def moves_from(state: State, station_id: str) -> list[Move]:
    """Everyone checked in here before the round began, with the station their group has now (in a choice
    round: where they chose, or that they choose here), by name."""
    started = state.clock.started_at
    if state.clock.round == 0 or started is None:
        return []
    moves = []
    for student_id, presence in state.presence.items():
        student = state.students.get(student_id)
        expected = state.expected_station(student_id)
        choosing = state.choice is not None and student_id in state.choice.allowed \
            and student_id not in state.choice.going
        if presence.station == station_id and presence.at < started and student and choosing:
            moves.append(Move(student.name, "", False, True))
        elif presence.station == station_id and presence.at < started and student and expected:
            moves.append(Move(student.name, expected.name, expected.id == station_id))
    return sorted(moves)
