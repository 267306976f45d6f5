"""What a school sees of a room: counts, never names or ids. Pure.

The hub publishes it retained on ``rotation/v1/<room>/summary`` when the room has a ``[school]``; the
room's broker bridges it (and only what ``share`` names) to the school's broker.
"""
from __future__ import annotations

from shared.protocol import State, StationCount, Summary


def school_summary(snapshot: State, room_name: str) -> Summary:
    """The room snapshot (``Room.snapshot``) as a count of heads per station."""
    clock = snapshot.clock
    here = dict.fromkeys((s.id for s in snapshot.stations), 0)
    for presence in snapshot.presence.values():
        if presence.station in here:
            here[presence.station] += 1
    groups = [s.group for s in snapshot.students.values()]
    return Summary(room=room_name, round=clock.round, rounds=clock.rounds, running=clock.running,
                   ends_at=clock.ends_at, left=clock.left, students=len(snapshot.students),
                   checked_in=len(snapshot.presence), help_waiting=len(snapshot.help),
                   stations=tuple(StationCount(s.id, s.name, here[s.id], sum(g in s.groups for g in groups))
                                  for s in snapshot.stations))
