"""The rotation plan: which groups are at which station in each round. Pure.

A cycle has one round per station. Groups move in *tracks*: the groups of a track share a station in every
round, and track *t* is at station *t + r − 1* in round *r*, so over a cycle every group visits every station
exactly once and every station sees every track once. The tracks are packed so that each fits the smallest
station, which keeps every station within its capacity in every round, and are kept as even as the groups
allow, so the teacher's table sees about as many students each round.

The teacher may change a group's cycle: ``skip`` a station, staying another round where it was (or naming
the station to repeat instead). A plan that cannot keep the rules raises ``PlanError`` saying why.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PlanError(ValueError):
    """The rules cannot all hold for this class and these stations; the message says which and why."""


@dataclass(frozen=True)
class PlanStation:
    id: str
    name: str
    capacity: int | None = None  # students; None: as many as come


@dataclass(frozen=True)
class PlanGroup:
    id: str
    size: int


@dataclass(frozen=True)
class Skip:
    """``group`` does not visit ``station`` this cycle; in that round it repeats ``instead`` (default: the
    station it was at the round before, or, in the first round, the one it goes to next)."""
    group: str
    station: str
    instead: str | None = None


@dataclass(frozen=True)
class Plan:
    stations: tuple[PlanStation, ...]
    rounds: tuple[dict[str, tuple[str, ...]], ...]  # per round: station id -> group ids there
    tracks: tuple[tuple[str, ...], ...] = ()  # track t starts at station t

    def at(self, round_number: int) -> dict[str, tuple[str, ...]]:
        """The stations of a round, 1-based; round 0 (not started) and rounds past the cycle wrap around."""
        return self.rounds[(max(round_number, 1) - 1) % len(self.rounds)]

    def station_of(self, group: str, round_number: int) -> str | None:
        return next((s for s, groups in self.at(round_number).items() if group in groups), None)


def pack_tracks(groups: list[PlanGroup], tracks: int, room: int) -> list[list[PlanGroup]] | None:
    """Split the groups into ``tracks`` tracks of at most ``room`` students each, or None if none exists.

    Largest group first into the emptiest track: when that fits, the tracks differ by at most one group's
    size (the teacher's fairness). Otherwise the search tries the other placements before giving up."""
    ordered = sorted(groups, key=lambda g: (-g.size, g.id))
    packed: list[list[PlanGroup]] = [[] for _ in range(tracks)]
    loads = [0] * tracks

    def place(index: int) -> bool:
        if index == len(ordered):
            return True
        group = ordered[index]
        tried: set[int] = set()
        for track in sorted(range(tracks), key=lambda t: (loads[t], t)):
            if loads[track] in tried or loads[track] + group.size > room:
                continue  # a track with the same load as one tried already leads to the same outcome
            tried.add(loads[track])
            packed[track].append(group)
            loads[track] += group.size
            if place(index + 1):
                return True
            packed[track].pop()
            loads[track] -= group.size
        return False

    return packed if place(0) else None


def keep_tracks(previous: Plan, stations: list[PlanStation], groups: list[PlanGroup],
                room: int) -> list[list[PlanGroup]] | None:
    """The previous plan's tracks for these groups, new groups added where there is most room, or None if
    the stations changed or a track no longer fits: moving one student must not send every group elsewhere."""
    if [s.id for s in previous.stations] != [s.id for s in stations]:
        return None
    by_id = {g.id: g for g in groups}
    tracks = [[by_id[g] for g in track if g in by_id] for track in previous.tracks]
    placed = {g.id for track in tracks for g in track}
    for group in sorted((g for g in groups if g.id not in placed), key=lambda g: (-g.size, g.id)):
        min(tracks, key=lambda t: sum(g.size for g in t)).append(group)
    return tracks if all(sum(g.size for g in track) <= room for track in tracks) else None


def make_plan(stations: list[PlanStation], groups: list[PlanGroup], skips: Sequence[Skip] = (),
              keep: Plan | None = None) -> Plan:
    """``keep``: a plan in use, whose tracks stay as they are if they still fit."""
    if not stations:
        raise PlanError("the room has no stations")
    ids = {s.id for s in stations}
    sizes = {g.id: g.size for g in groups}
    limited = [(s, s.capacity) for s in stations if s.capacity is not None]
    room = min((places for _, places in limited), default=sum(sizes.values()))
    smallest = min(limited, key=lambda pair: pair[1])[0] if limited else None
    for group in groups:
        if smallest is not None and group.size > room:
            raise PlanError(f"group {group.id} has {group.size} students but {smallest.name} has room for "
                            f"{room}: every group visits every station, so split the group or add places")
    tracks = (keep and keep_tracks(keep, stations, groups, room)) or pack_tracks(groups, len(stations), room)
    if tracks is None:  # only with a limited station: without one, a track has room for every student
        total = sum(sizes.values())
        where = f" (the places at {smallest.name})" if smallest is not None else ""
        raise PlanError(f"{total} students in groups of {', '.join(str(g.size) for g in groups)} cannot be split "
                        f"into {len(stations)} tracks of at most {room}{where}: make the groups smaller or add places")
    rounds = []
    for r in range(len(stations)):
        rounds.append({s.id: tuple(g.id for g in sorted(tracks[(i - r) % len(stations)], key=lambda g: g.id))
                       for i, s in enumerate(stations)})
    for skip in skips:
        rounds = _apply_skip(rounds, stations, sizes, skip, ids)
    return Plan(tuple(stations), tuple(rounds), tuple(tuple(g.id for g in track) for track in tracks))


def _apply_skip(rounds: list[dict[str, tuple[str, ...]]], stations: list[PlanStation], sizes: dict[str, int],
                skip: Skip, ids: set[str]) -> list[dict[str, tuple[str, ...]]]:
    if skip.group not in sizes:
        raise PlanError(f"cannot skip: there is no group {skip.group}")
    for station in (skip.station, skip.instead):
        if station is not None and station not in ids:
            raise PlanError(f"cannot skip: there is no station {station}")
    index = next((r for r, plan in enumerate(rounds) if skip.group in plan[skip.station]), None)
    if index is None:
        raise PlanError(f"group {skip.group} already skips {skip.station}")
    instead = skip.instead
    if instead is None:
        neighbour = rounds[index - 1] if index > 0 else rounds[index + 1] if len(rounds) > 1 else None
        instead = next((s for s, groups in (neighbour or {}).items() if skip.group in groups), None)
        if instead is None or instead == skip.station:
            raise PlanError(f"group {skip.group} has nowhere else to be while skipping {skip.station}")
    if instead == skip.station:
        raise PlanError(f"group {skip.group} cannot repeat {instead} instead of skipping it")
    repeated = next(s for s in stations if s.id == instead)
    load = sum(sizes[g] for g in rounds[index][instead]) + sizes[skip.group]
    if repeated.capacity is not None and load > repeated.capacity:
        raise PlanError(f"round {index + 1}: {repeated.name} has room for {repeated.capacity}, and group "
                        f"{skip.group} would make it {load}")
    changed = dict(rounds[index])
    changed[skip.station] = tuple(g for g in changed[skip.station] if g != skip.group)
    changed[instead] = tuple(sorted(changed[instead] + (skip.group,)))
    return rounds[:index] + [changed] + rounds[index + 1:]
