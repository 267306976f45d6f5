"""The teacher's room map as plain data, from the state and the kiosks' statuses. Pure.

Each station tile lists who is there (flagging anyone whose group is expected elsewhere), who is expected
but missing, and whether its kiosk is online.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import NamedTuple, TypeAlias

from hub.report import PEER_ANSWERS, clock_time
from shared.clock import Phase, format_left, passing_left, phase, time_left
from shared.pictures import station_look
from shared.protocol import (
    CHOSE,
    PLACED,
    ROSTER_REFUSED,
    SCANNER_SPEED,
    STORAGE_FULL,
    BackupTrouble,
    Group,
    HelpRequest,
    KioskStatus,
    Restored,
    State,
    Station,
    Student,
)

NOT_MOVED = "not moved yet"  # the note of a student still where their group was last round
BELONGS_AT = "belongs at "  # the note of a student at another station than their group's
CHOICE_ROUND = "Choice round: "  # a tile's line in a choice round, in place of its groups


class NameTag(NamedTuple):
    student_id: str
    name: str
    note: str = ""  # where a misplaced student should be, or where a missing one is
    ticket: str = ""  # their latest exit ticket this session: got_it, getting_there or stuck
    chose: bool = False  # a choice round: they chose this round's station themselves (a mark beside the name)


@dataclass(frozen=True)
class Tile:
    station_id: str
    name: str
    kind: str
    groups: str
    kiosk: str  # online | offline | full (its storage) | speed (its scanner's, not the room file's) | none
    here: tuple[NameTag, ...] = ()
    wrong: tuple[NameTag, ...] = ()
    missing: tuple[NameTag, ...] = ()
    expected: tuple[NameTag, ...] = ()  # at a station with no kiosk: the group, unconfirmed
    off: bool = False  # switched off for this lesson
    out: tuple[NameTag, ...] = ()  # left the room from here (the kiosk's pass), with the time they went
    absent: tuple[NameTag, ...] = ()  # at a station with no kiosk: its group's students marked absent
    colour: str = "slate"  # shared.pictures.STATION_COLOURS: the same on the kiosk, the map and the web
    picture: str = ""  # a Material Icons name
    scanner_speed: int | None = None  # with kiosk "speed": the one its scanner's cards read at

    @property
    def names_here(self) -> list[str]:
        return [t.name for t in self.here + self.wrong]


class HelpLine(NamedTuple):
    id: str
    station: str  # its name
    waiting: str  # "40 s", "3 min"
    coming: bool = False  # an adult is on the way
    peer: str = ""  # "Maya R. suggested · asked": the classmate the kiosk suggested first, and the answer


def waited(seconds: float) -> str:
    seconds = min(max(seconds, 0.0), 99 * 3600.0)  # a clock years off, either way, is not a wait to show
    return f"{int(seconds)} s" if seconds < 60 else f"{int(seconds // 60)} min"


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
    help: tuple[HelpLine, ...] = ()  # calls for help, oldest first
    alert: str = ""  # what is wrong with the hub or a kiosk and what it means, while it lasts
    hub_problem: str | None = None
    phase: Phase = "idle"  # shared.clock.phase: the clock's colour follows it
    running_class: str = ""  # the class the room runs now (the wall has it in its title, ``room``)

    def tile(self, station_id: str) -> Tile:
        return next(t for t in self.tiles if t.station_id == station_id)


def waiting_map(room: str, hub_online: bool) -> RoomMap:
    return RoomMap(room, "Waiting for the hub", "--:--", False, hub_online,
                   summary="No room state yet: is `rotation hub serve` running?")


class _Seat(NamedTuple):
    """The three tags after ``expected`` are shown only for a student expected somewhere; for one in no group
    they are the plain ``tag``."""
    student_id: str
    tag: NameTag
    expected: Station | None  # where the student's group is this round
    misplaced: NameTag  # the tag at any other station
    absent: NameTag  # the tag in the expected station's missing list
    not_moved: NameTag  # the tag at last round's station, once a new round has begun


class _Layout(NamedTuple):
    """What the map needs from a state that stays put while students move: made once per roster and plan,
    so a check-in rebuilds the map without re-sorting names or re-making their tags."""
    students: tuple[_Seat, ...]  # by name
    stations: dict[str, Station]
    groups_text: dict[str, str]


_LayoutKey: TypeAlias = tuple[tuple[Station, ...], tuple[Group, ...], dict[str, Student]]
_last_layout: tuple[_LayoutKey, _Layout] | None = None


def _layout(state: State) -> _Layout:
    global _last_layout
    key: _LayoutKey = (state.stations, state.groups, state.students)
    cached = _last_layout
    if cached is not None and all(a is b for a, b in zip(cached[0], key, strict=True)):
        return cached[1]
    group_names = {g.id: g.name for g in state.groups}
    station_of_group = {group: s for s in state.stations for group in s.groups}
    students = []
    for student_id, student in sorted(state.students.items(), key=lambda item: item[1].name):
        expected = station_of_group.get(student.group) if student.group is not None else None
        tag = NameTag(student_id, student.name)
        if expected is None:
            students.append(_Seat(student_id, tag, None, tag, tag, tag))
        else:
            students.append(_Seat(student_id, tag, expected, tag._replace(note=f"{BELONGS_AT}{expected.name}"),
                                  tag._replace(note="not checked in"),
                                  tag._replace(note=NOT_MOVED)))  # where to: the tile it belongs to says
    layout = _Layout(tuple(students), {s.id: s for s in state.stations},
                     {s.id: ", ".join(group_names.get(g, g) for g in s.groups) or "no group this round"
                      for s in state.stations})
    _last_layout = (key, layout)
    return layout


def peer_note(state: State, request: HelpRequest) -> str:
    """The classmate suggested before the call, by first name and last initial, and whether the student said
    they would ask them; "" if none was."""
    known = state.students.get(request.peer) if request.peer else None
    return f"{known.name} suggested · {PEER_ANSWERS[request.peer_taken]}" if known else ""


def _chosen_seat(tag: NameTag, going: Station | None,
                 chose: bool) -> tuple[Station | None, NameTag, NameTag, NameTag, NameTag]:
    """A student's seat in a choice round: expected where they chose (marked) or were placed."""
    tag = tag._replace(chose=chose)
    if going is None:
        return None, tag, tag, tag, tag
    return (going, tag, tag._replace(note=f"{BELONGS_AT}{going.name}"), tag._replace(note="not checked in"),
            tag._replace(note=NOT_MOVED))


def _groups_text(state: State, station: Station, plan_text: str) -> str:
    """A tile's line under its name: the groups the plan sends there, or in a choice round who chose it."""
    choice = state.choice
    if choice is None:
        return plan_text
    chose = sum(1 for s, where in choice.going.items() if where == station.id and choice.how.get(s) == CHOSE)
    placed = sum(1 for s, where in choice.going.items() if where == station.id and choice.how.get(s) == PLACED)
    left = choice.places.get(station.id)
    return (f"{CHOICE_ROUND}{chose} chose it" + (f", {placed} placed" if placed else "")
            + (f", {left} place{'' if left == 1 else 's'} left" if left is not None else ""))


def _caller(state: State, stations: dict[str, Station], station: str, student: str | None) -> str:
    name = stations[station].name if station in stations else station
    known = state.students.get(student) if student else None
    return f"{name} · {known.name}" if known else name


PROBLEM_LABELS = {STORAGE_FULL: "HUB STORAGE FULL", ROSTER_REFUSED: "CLASS LIST NOT TAKEN"}


def problem_label(hub_problem: str) -> str:
    """The few words by the hub's status for a problem it reports (the alert line says the rest)."""
    return PROBLEM_LABELS.get(hub_problem, "HUB PROBLEM")


RESTORED_SHOWN_SECONDS = 12 * 3600  # the school day the hub went back to a backup


def restored_text(restored: Restored | None, hub_now: float) -> str:
    """Words for the teacher, that school day, after the hub found its records damaged and went back to a
    backup (or, with none, began again)."""
    if restored is None or hub_now - restored.at >= RESTORED_SHOWN_SECONDS:
        return ""
    if restored.copy is None:
        return ("The hub's records were damaged and it had no good copy: it began again from the class list. "
                "Kiosks are sending what they kept.")
    return (f"The hub's records were damaged; it went back to its copy from "
            f"{time.strftime('%a %H:%M', time.localtime(restored.copy))}. Kiosks are sending what came after.")


def backup_text(trouble: BackupTrouble | None) -> str:
    """Words the teacher can pass on when the hub's backups need a technician (hub/backup_health.py)."""
    if trouble is None:
        return ""
    since = f"since {time.strftime('%a %d %b', time.localtime(trouble.since))}" if trouble.since else "yet"
    if trouble.copy:
        return f"Backups have not been copied off the hub {since}: tell your technician."
    return f"Backups have not worked {since}: tell your technician."


def pairing_lines(state: State) -> list[str]:
    """What became of the kiosks' pairing codes lately, for the technician."""
    def name(station_id: str) -> str:
        station = state.station(station_id)
        return station.name if station else station_id
    return [f"{name(p.station)}: kiosk paired with {p.board}." if p.paired else
            f"{name(p.station)}: pairing code spent by wrong tries (the last from {p.board}): make a new one."
            for p in state.pairings]


def alert_text(hub_problem: str | None, full_kiosks: list[str], slow_scanners: tuple[Tile, ...] = (),
               pairings: list[str] | None = None, restored: str = "", backups: str = "") -> str:
    """Words for the teacher about storage that refuses writes, and what it means for the check-ins, about
    scanners set to another speed than their kiosk's room file says, and about kiosks paired lately;
    ``restored``: restored_text; ``backups``: backup_text."""
    lines = [text for text in (restored, backups) if text]
    if hub_problem == STORAGE_FULL:
        lines.append("Check-ins wait at the kiosks, none lost: free some space on the hub.")
    elif hub_problem == ROSTER_REFUSED:
        lines.append("The new class list has problems and was not taken: `rotation check-config` on the hub "
                     "names them. The room goes on with the last one.")
    elif hub_problem:
        lines.append(f"The hub reports a problem: {hub_problem}.")
    if full_kiosks:
        lines.append(f"{', '.join(full_kiosks)}: kiosk storage full; check-ins still reach the hub.")
    lines.extend(f"{tile.name}: scanner speed: try {tile.scanner_speed} (serial_baud in its room file)."
                 for tile in slow_scanners)
    lines.extend(pairings or ())
    return " ".join(lines)


def build_map(room: str, state: State | None, kiosks: dict[str, KioskStatus], hub_online: bool,
              hub_now: float, hub_problem: str | None = None, hub_restored: Restored | None = None,
              hub_backups: BackupTrouble | None = None) -> RoomMap:
    restored, backups = restored_text(hub_restored, hub_now), backup_text(hub_backups)
    if state is None:
        return replace(waiting_map(room, hub_online), alert=alert_text(hub_problem, [], restored=restored,
                                                                       backups=backups), hub_problem=hub_problem)
    layout = _layout(state)
    stations = layout.stations
    here: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    wrong: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    missing: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    unconfirmed: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    outside: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    away: dict[str, list[NameTag]] = {s.id: [] for s in state.stations}
    not_in = not_moved_count = absent_count = done_count = 0
    attendance, checked_out, out = state.attendance, state.checked_out, state.out
    presence_of = state.presence
    round_began = state.clock.started_at if state.clock.round else None
    progress_of = state.progress
    choice = state.choice
    for student_id, tag, expected, misplaced, absent, not_moved in layout.students:  # by name: lists are sorted
        if choice is not None:  # a choice round: where they chose or were placed; nowhere by the plan till then
            going = choice.going.get(student_id)
            expected, tag, misplaced, absent, not_moved = _chosen_seat(tag, stations.get(going) if going else None,
                                                                       choice.how.get(student_id) == CHOSE)
        presence = presence_of.get(student_id)
        progress = progress_of.get(student_id) if progress_of else None
        if progress is not None and progress.ticket:  # rare next to the others: tags are remade only for these
            tag, misplaced, absent, not_moved = (t._replace(ticket=progress.ticket)
                                                 for t in (tag, misplaced, absent, not_moved))
        gone_out = out.get(student_id) if out else None
        if gone_out is not None and gone_out.station in outside:  # not missing: the teacher knows where
            outside[gone_out.station].append(tag._replace(note=f"out since {clock_time(gone_out.at)}"))
            continue
        at_table = presence is not None and expected is not None and not expected.kiosk \
            and presence.station == expected.id  # seated there by the hub: the teacher's word counts
        if (presence is None or at_table) and attendance:
            mark = attendance.get(student_id)
            if mark == "absent":  # not missing: the teacher knows
                absent_count += 1
                if expected is not None and not expected.kiosk:  # one tap there brings them back
                    away[expected.id].append(tag._replace(note="absent"))
                continue
            if mark == "late":
                absent = absent._replace(note="late")
        earlier = presence is not None and round_began is not None and presence.at < round_began
        gone = checked_out.get(student_id) if checked_out and presence is not None else None
        if gone is not None and presence is not None and gone.station == presence.station:
            if not earlier:  # checked out this round: done at the station, not in place and not missing
                done_count += 1
                here[presence.station].append(tag._replace(note="done"))
                continue
            presence = None  # left last round: not checked in anywhere this round, not "not moved yet"
        at = stations.get(presence.station) if presence is not None else None
        if at is not None and expected is not None and not expected.kiosk and expected is not at and earlier:
            at = None  # gone to the teacher's table, where nobody checks in: not "not moved yet" where they were
        if at is not None and presence is not None:
            if expected is None or expected is at:
                here[at.id].append(tag)
                continue
            if earlier:
                wrong[at.id].append(not_moved)
                not_moved_count += 1
            else:
                wrong[at.id].append(misplaced)
        elif expected is None:
            not_in += 1
            continue
        elif expected.kiosk:
            not_in += 1
        if not expected.kiosk:  # nobody checks in at a station without a kiosk: they are expected there
            if at is None:
                unconfirmed[expected.id].append(tag)
        elif at is None:
            missing[expected.id].append(absent)
        # else: at another station, whose tile shows where they belong: one name, one place on the map

    tiles = []
    for station in state.stations:
        status = kiosks.get(station.id)
        kiosk = ("none" if not station.kiosk else "offline" if not (status and status.online)
                 else "full" if status.problem == STORAGE_FULL
                 else "speed" if status.problem == SCANNER_SPEED and status.scanner_speed else "online")
        tiles.append(Tile(station.id, station.name, station.kind,
                          _groups_text(state, station, layout.groups_text[station.id]), kiosk,
                          tuple(here[station.id]), tuple(wrong[station.id]), tuple(missing[station.id]),
                          tuple(unconfirmed[station.id]), station.off, tuple(outside[station.id]),
                          tuple(away[station.id]), *station_look(station.kind, station.colour, station.picture),
                          status.scanner_speed if kiosk == "speed" and status else None))
    clock = state.clock
    now_phase = phase(clock, hub_now)
    left = time_left(clock, hub_now)
    round_text = ("Not started" if clock.round == 0
                  else f"Round {clock.round} of {clock.rounds}{ROUND_NOTES[now_phase]}")
    if now_phase == "passing":
        left = passing_left(clock, hub_now)
    elif now_phase == "closing" and clock.closing_at is not None:
        left = max(clock.closing_at - hub_now, 0.0)
    running = state.running_class()
    due = next((c for c in state.classes if c.due), None)
    if clock.round == 0 and due is not None and due is not running:
        round_text += f" · {due.name} is due now"
    placed = sum(len(names) for names in here.values()) - done_count
    misplaced_count = sum(len(names) for names in wrong.values()) - not_moved_count
    summary = f"{placed} in place · {misplaced_count} at the wrong station · {not_in} not checked in"
    if done_count:
        summary += f" · {done_count} done"
    if not_moved_count:
        summary += f" · {not_moved_count} not moved yet"
    if absent_count:
        summary += f" · {absent_count} absent"
    out_count = sum(len(names) for names in outside.values())
    if out_count:
        summary += f" · {out_count} out of the room"
    for station in state.stations:  # expected where nobody checks in: counted there, so the counts add up (last:
        if unconfirmed[station.id]:  # a line too long for the screen loses its end, and this asks nothing)
            summary += f" · {len(unconfirmed[station.id])} at {station.name}"
    help_lines = tuple(HelpLine(h.id, _caller(state, stations, h.station, h.student), waited(hub_now - h.at),
                                h.coming, peer_note(state, h)) for h in state.help)
    title = f"{room} · {running.name}" if running and running.name != room else room
    return RoomMap(title, round_text, format_left(left), left is not None and left < 0, hub_online, tuple(tiles),
                   summary, tuple(t.name for t in tiles if t.kiosk == "offline"), help_lines,
                   alert_text(hub_problem, [t.name for t in tiles if t.kiosk == "full"],
                              tuple(t for t in tiles if t.kiosk == "speed"), pairing_lines(state), restored,
                              backups),
                   hub_problem, now_phase, running.name if running else "")


ROUND_NOTES: dict[str, str] = {"idle": "", "working": "", "warning": " · last minute", "over": " · time's up",
                               "paused": " · paused", "passing": " · move to your stations",
                               "closing": " · last exit tickets"}
