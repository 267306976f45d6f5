"""The teacher's room map as plain data, from the state and the kiosks' statuses. Pure.

Each station tile lists who is there (flagging anyone whose group is expected elsewhere), who is expected
but missing, and whether its kiosk is online.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from shared.clock import format_left, time_left
from shared.protocol import KioskStatus, State


class NameTag(NamedTuple):
    student_id: str
    name: str
    note: str = ""  # where a misplaced student should be, or where a missing one is


@dataclass(frozen=True)
class Tile:
    station_id: str
    name: str
    kind: str
    groups: str
    kiosk: str  # online | offline | none
    here: tuple[NameTag, ...] = ()
    wrong: tuple[NameTag, ...] = ()
    missing: tuple[NameTag, ...] = ()
    expected: tuple[NameTag, ...] = ()  # at a station with no kiosk: the group, unconfirmed

    @property
    def names_here(self) -> list[str]:
        return [t.name for t in self.here + self.wrong]


@dataclass(frozen=True)
class RoomMap:
    room: str
    round: str
    clock: str
    over_time: bool
    hub_online: bool
    tiles: tuple[Tile, ...] = ()
    summary: str = ""
    offline_kiosks: tuple[str, ...] = field(default=())

    def tile(self, station_id: str) -> Tile:
        return next(t for t in self.tiles if t.station_id == station_id)


def waiting_map(room: str, hub_online: bool) -> RoomMap:
    return RoomMap(room, "Waiting for the hub", "--:--", False, hub_online,
                   summary="No room state yet: is `rotation hub serve` running?")


def build_map(room: str, state: State | None, kiosks: dict[str, KioskStatus], hub_online: bool,
              hub_now: float) -> RoomMap:
    if state is None:
        return waiting_map(room, hub_online)
    group_names = {g.id: g.name for g in state.groups}
    stations = {s.id: s for s in state.stations}
    station_of_group = {group: s for s in state.stations for group in s.groups}
    here: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    wrong: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    missing: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    unconfirmed: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    not_in = 0
    for student_id, student in state.students.items():
        expected = station_of_group.get(student.group)
        presence = state.presence.get(student_id)
        at = stations.get(presence.station) if presence else None
        if at is not None:
            if expected is None or expected is at:
                here[at.id].append(NameTag(student_id, student.name))
            else:
                wrong[at.id].append(NameTag(student_id, student.name, f"belongs at {expected.name}"))
        elif expected is None or expected.kiosk:
            not_in += 1
        if expected is None or expected is at:
            continue
        if not expected.kiosk:  # nobody checks in at a station without a kiosk: they are expected there
            if at is None:
                unconfirmed[expected.id].append(NameTag(student_id, student.name))
        elif at is None:
            missing[expected.id].append(NameTag(student_id, student.name, "not checked in"))
        else:
            missing[expected.id].append(NameTag(student_id, student.name, f"at {at.name}"))

    def by_name(tags: list[NameTag]) -> tuple[NameTag, ...]:
        return tuple(sorted(tags, key=itemgetter(1)))

    tiles = []
    for station in state.stations:
        status = kiosks.get(station.id)
        kiosk = "none" if not station.kiosk else "online" if status and status.online else "offline"
        tiles.append(Tile(station.id, station.name, station.kind,
                          ", ".join(group_names.get(g, g) for g in station.groups) or "no group this round",
                          kiosk, by_name(here[station.id]), by_name(wrong[station.id]),
                          by_name(missing[station.id]), by_name(unconfirmed[station.id])))
    left = time_left(state.clock, hub_now)
    clock = state.clock
    round_text = ("Not started" if clock.round == 0 else
                  f"Round {clock.round} of {clock.rounds}" + ("" if clock.running else " · paused"))
    placed = sum(len(names) for names in here.values())
    misplaced = sum(len(names) for names in wrong.values())
    summary = f"{placed} in place · {misplaced} at the wrong station · {not_in} not checked in"
    return RoomMap(room, round_text, format_left(left), left is not None and left < 0, hub_online, tuple(tiles),
                   summary, tuple(t.name for t in tiles if t.kiosk == "offline"))
