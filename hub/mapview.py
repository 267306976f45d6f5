"""The teacher's room map as plain data, from the state and the kiosks' statuses. Pure.

Each station tile lists who is there (flagging anyone whose group is expected elsewhere), who is expected
but missing, and whether its kiosk is online.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.clock import format_left, time_left
from shared.protocol import KioskStatus, State


@dataclass(frozen=True)
class NameTag:
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
    station_names = {s.id: s.name for s in state.stations}
    tiles = []
    for station in state.stations:
        here, wrong, missing = [], [], []
        for student_id, presence in state.presence.items():
            if presence.station != station.id or student_id not in state.students:
                continue
            student = state.students[student_id]
            expected = state.expected_station(student_id)
            if expected is None or expected.id == station.id:
                here.append(NameTag(student_id, student.name))
            else:
                wrong.append(NameTag(student_id, student.name, f"belongs at {expected.name}"))
        expected_groups = set(station.groups)
        unconfirmed = []
        for student_id, student in state.students.items():
            if student.group in expected_groups and not station.kiosk:
                presence = state.presence.get(student_id)
                if presence is None or presence.station == station.id:
                    unconfirmed.append(NameTag(student_id, student.name))
            elif student.group in expected_groups:
                presence = state.presence.get(student_id)
                if presence is None:
                    missing.append(NameTag(student_id, student.name, "not checked in"))
                elif presence.station != station.id:
                    missing.append(NameTag(student_id, student.name,
                                           f"at {station_names.get(presence.station, presence.station)}"))
        status = kiosks.get(station.id)
        kiosk = "none" if not station.kiosk else "online" if status and status.online else "offline"
        tiles.append(Tile(station.id, station.name, station.kind,
                          ", ".join(group_names.get(g, g) for g in station.groups) or "no group this round",
                          kiosk, *(tuple(sorted(names, key=lambda t: t.name))
                                   for names in (here, wrong, missing, unconfirmed))))
    left = time_left(state.clock, hub_now)
    clock = state.clock
    round_text = ("Not started" if clock.round == 0 else
                  f"Round {clock.round} of {clock.rounds}" + ("" if clock.running else " · paused"))
    placed = sum(len(t.here) for t in tiles)
    misplaced = sum(len(t.wrong) for t in tiles)
    no_kiosk = {s.id for s in state.stations if not s.kiosk}
    not_in = sum(1 for sid in state.students if sid not in state.presence
                 and getattr(state.expected_station(sid), "id", None) not in no_kiosk)
    summary = f"{placed} in place · {misplaced} at the wrong station · {not_in} not checked in"
    return RoomMap(room, round_text, format_left(left), left is not None and left < 0, hub_online, tuple(tiles),
                   summary, tuple(t.name for t in tiles if t.kiosk == "offline"))
