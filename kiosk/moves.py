"""At the end of a round, where the students at this station go next. Pure."""
from __future__ import annotations

from typing import NamedTuple

from shared.protocol import State


class Move(NamedTuple):
    name: str  # first name and last initial
    to: str  # the station's name
    stays: bool  # their group is at this station again (a repeat)


def moves_from(state: State, station_id: str) -> list[Move]:
    """Everyone checked in here before the round began, with the station their group has now, by name."""
    started = state.clock.started_at
    if state.clock.round == 0 or started is None:
        return []
    moves = []
    for student_id, presence in state.presence.items():
        student = state.students.get(student_id)
        expected = state.expected_station(student_id)
        if presence.station == station_id and presence.at < started and student and expected:
            moves.append(Move(student.name, expected.name, expected.id == station_id))
    return sorted(moves)
