"""The room as the hub knows it: roster, groups, presence and the rotation clock. Pure: no I/O.

The service feeds it verified events and teacher commands, and publishes ``snapshot()`` as the state.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from msgspec.structs import replace as changed_struct

from hub.choices import CHOICE_SECONDS, Choosing, Refusal, open_choosing
from hub.goals import GoalRow, RoomGoal, room_goals, standing
from hub.grouping import Learner, learner
from hub.peers import GotIt, helpers
from hub.plan import Plan, PlanError, PlanGroup, PlanStation, Skip, make_plan
from hub.roster import RosterStudent, display_names
from shared import clock as clockmath
from shared.cards import CardClaim
from shared.config import DEFAULT_GOALS, StationConfig
from shared.languages import ENGLISH
from shared.pictures import goal_pictures as resolve_goal_pictures
from shared.pictures import station_look
from shared.protocol import (
    AttendanceMark,
    ChangeLessonArgs,
    ChoiceRound,
    ClassEntry,
    Clock,
    Group,
    HelpRequest,
    LastVisit,
    LessonEnd,
    Needs,
    PeerHelp,
    Presence,
    Progress,
    StartArgs,
    State,
    Station,
    Student,
)
from shared.topics import NAME_PATTERN


def rotation_plan(stations: tuple[StationConfig, ...], students: list[RosterStudent],
                  keep: Plan | None = None, skips: Sequence[Skip] = ()) -> Plan:
    """The cycle for the roster's groups; ``PlanError`` says why there is none (then the hub cannot start)."""
    sizes = Counter(s.group for s in students if s.group)
    return make_plan([PlanStation(s.id, s.name, s.capacity) for s in stations],
                     [PlanGroup(group, size) for group, size in sizes.items()],
                     [skip for skip in skips if skip.group in sizes], keep=keep)


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str = ""


class Room:
    def __init__(self, room_id: str, stations: tuple[StationConfig, ...], students: list[RosterStudent],
                 card_versions: dict[str, int], round_seconds: float, clock: Clock | None = None,
                 presence: dict[str, Presence] | None = None, seq: int = 0,
                 help_queue: list[HelpRequest] | None = None, goals: tuple[str, ...] = (),
                 progress_events: Sequence[tuple[str, str, dict[str, Any], str, float]] = (),
                 skips: Sequence[Skip] = (), class_id: str | None = None,
                 classes: tuple[ClassEntry, ...] = (), off: Sequence[str] = (),
                 attendance: Mapping[str, AttendanceMark] | None = None, off_next: Sequence[str] | None = None,
                 cycle_start: int = 1, goal_pictures: tuple[str, ...] = (),
                 teachers_goals: Sequence[RoomGoal] = (), standing_goals: Mapping[str, GoalRow] | None = None,
                 last_visits: Mapping[str, Mapping[str, LastVisit]] | None = None,
                 peer_help: PeerHelp | None = None, got_it: GotIt | None = None,
                 lesson: StartArgs | None = None) -> None:
        """``lesson``: the running lesson's settings (its choice rounds and must-do stations), after a restart."""
        self.room_id = room_id
        self.round_seconds = round_seconds  # a lesson's round length unless its start says another
        self.off = frozenset(off)  # stations switched off for this lesson
        self.off_next = None if off_next is None else frozenset(off_next)  # from the next round, if changed
        self.cycle_start = cycle_start  # the lesson round in which the plan's first round is (it changes with `off`)
        self.ended: LessonEnd | None = None  # the last lesson's summary, until the next starts
        self._rounds_before_change: int | None = None  # the lesson's rounds before a station change extended them
        self.class_id = class_id  # the class running: ``students`` are its
        self.classes = classes
        self.stations = stations
        # Each station's colour, picture and its activities' pictures, as every state carries them.
        self._looks = {s.id: station_look(s.kind, s.colour, s.picture) for s in stations}
        self.students = {s.id: s for s in students}
        self.card_versions = card_versions
        self.groups = list(dict.fromkeys(s.group for s in students if s.group))
        self.skips: list[Skip] = list(skips)
        try:
            self.rotation = self._plan(students, skips=self.skips)
        except PlanError:  # the room changed since the skips or the stations off were set: the plan comes first
            self.skips, self.off, self.off_next = [], frozenset(), None
            self.rotation = self._plan(students)
        self.clock = clock or Clock(round=0, rounds=len(stations), duration=round_seconds, running=False,
                                    ends_at=None, left=None)
        self.presence: dict[str, Presence] = dict(presence or {})
        self.attendance: dict[str, AttendanceMark] = dict(attendance or {})  # this lesson's absent and late
        self.help: list[HelpRequest] = list(help_queue or [])
        self.goals = goals  # the room file's goal list, with its pictures: until the teacher sets one
        self.goal_pictures = resolve_goal_pictures(goals, goal_pictures, DEFAULT_GOALS)
        self.goal_list = room_goals(goals, self.goal_pictures, teachers_goals)
        # Of every student of the room, whatever the class: goals and last visits carry over
        self.standing: dict[str, GoalRow] = dict(standing_goals or {})
        self.last_here: dict[str, dict[str, LastVisit]] = {s: dict(v) for s, v in (last_visits or {}).items()}
        self.progress: dict[str, Progress] = {}
        self.checked_out: dict[str, Presence] = {}  # where and when a student left, until their next check-in
        self.out: dict[str, Presence] = {}  # out of the room (the kiosk's pass), until their next scan
        self.peer_help = peer_help or PeerHelp()  # the running class's: suggest a classmate who got it?
        self.got_it = got_it or GotIt()  # by station, who said "Got it!" there last, in this class's lessons
        self.choice_rounds: frozenset[int] = frozenset()  # this lesson's rounds in which students choose
        self.must_do: frozenset[str] = frozenset()  # in those rounds, chosen before the others (may-do)
        self.visits: dict[str, dict[str, float]] = {}  # this lesson: where each student checked in, first when
        self.choosing: Choosing | None = None  # this round's, in a choice round
        for student, kind, data, station, at in progress_events:
            if kind in ("pick", "placed"):
                continue  # below, once the round's choosing is open again
            if kind == "out":
                self.go_out(student, station, at)
            elif kind == "checkout":
                self.check_out(student, station, at)
            elif kind == "checkin":
                self.came_back(student, at)
                self.visits.setdefault(student, {}).setdefault(station, at)
            else:
                self.record_progress(student, kind, data, station, at)
        for student, progress in self.progress.items():  # a goal of this session closed since
            if progress.goal is not None and student not in self.standing:
                self.progress[student] = changed_struct(progress, goal=None)
        if lesson is not None and self.clock.round:
            self.choice_rounds, self.must_do = frozenset(lesson.choice_rounds), frozenset(lesson.must_do)
            self._open_choice(self.clock.started_at or 0.0)
            for student, kind, data, station, at in progress_events:
                if kind in ("pick", "placed"):
                    self.take_place(student, data.get("to", station), kind, at)
        self.seq = seq
        self._static = self._static_parts()

    def _plan(self, students: list[RosterStudent], keep: Plan | None = None, skips: Sequence[Skip] = (),
              off: frozenset[str] | None = None) -> Plan:
        """The cycle over the stations running this lesson (``off``: those switched off, by default the
        lesson's)."""
        switched_off = self.off if off is None else off
        return rotation_plan(tuple(s for s in self.stations if s.id not in switched_off), students, keep=keep,
                             skips=skips)

    def _static_parts(self) -> tuple[tuple[Group, ...], dict[str, Student]]:
        """The groups and the class list as the state has them: they change only with the roster or groups."""
        members: dict[str, list[str]] = {g: [] for g in self.groups}
        for student in self.students.values():
            if student.group:
                members[student.group].append(student.id)
        groups = tuple(Group(g, g.replace("-", " ").replace("_", " ").title(), tuple(members[g])) for g in self.groups)
        names = display_names(self.students.values())
        students = {s.id: Student(names[s.id], self.card_versions.get(s.id, 1), s.group, s.needs)
                    for s in self.students.values()}
        return groups, students

    # Groups, the teacher deciding
    def learners(self) -> list[Learner]:
        """Students as grouping sees them: readiness is the roster's level moved by the latest exit ticket."""
        return [learner(s.id, s.readiness, s.interests,
                        self.progress[s.id].ticket if s.id in self.progress else None)
                for s in self.students.values()]

    def set_groups(self, groups: Mapping[str, Sequence[str]], apply: bool = True) -> dict[str, str | None]:
        """Put each listed student in their group; students not listed are left without one. The new plan
        is made first, so a grouping it cannot keep changes nothing (ValueError says why). Returns each
        student's group, for the store. ``apply=False``: only check that the rotation can run with it."""
        assignment: dict[str, str | None] = dict.fromkeys(self.students)
        for group, members in groups.items():
            if not isinstance(group, str) or not NAME_PATTERN.match(group):
                raise ValueError(f"group name {group!r} must be 1-40 of lowercase letters, digits, '-' or '_'")
            for student in members:
                if student not in self.students:
                    raise ValueError(f"{student!r} is not a student of this class")
                if assignment[student] is not None:
                    raise ValueError(f"{student} is in two groups: {assignment[student]} and {group}")
                assignment[student] = group
        self._take_students([replace(s, group=assignment[s.id]) for s in self.students.values()], "these groups",
                            apply=apply)
        return assignment

    def _take_students(self, students: list[RosterStudent], what: str,
                       card_versions: dict[str, int] | None = None, apply: bool = True) -> None:
        """The class's students become these (with these card versions), the plan kept as far as it can be;
        ValueError naming ``what`` if the rotation cannot keep its rules with them, and then nothing changes."""
        try:
            rotation = self._plan(students, keep=self.rotation, skips=self.skips)
            if self.off_next is not None:
                self._plan(students, keep=self.rotation, off=self.off_next)
        except PlanError as error:
            raise ValueError(f"the rotation cannot keep its rules with {what}: {error}") from None
        if not apply:
            return
        self.students = {s.id: s for s in students}
        self.groups = list(dict.fromkeys(s.group for s in students if s.group))
        self.rotation = rotation
        if card_versions is not None:
            self.card_versions = card_versions
        self._static = self._static_parts()

    def skip(self, group: str, station: str, instead: str | None = None) -> str:
        """The group does not visit the station this session: it stays where it was a round longer, or
        repeats ``instead``. ValueError if the plan cannot do it (a full station, say)."""
        skips = self.skips + [Skip(group, station, instead)]
        try:
            rotation = self._plan(list(self.students.values()), keep=self.rotation, skips=skips)
        except PlanError as error:
            raise ValueError(str(error)) from None
        where = next(r for r in range(1, len(rotation.rounds) + 1) if self.rotation.station_of(group, r) == station)
        self.skips, self.rotation = skips, rotation
        return (f"{group} skip {self._station_name(station)}: in round {where + self.cycle_start - 1} they are at "
                f"{self._station_name(rotation.station_of(group, where))}")

    def _station_name(self, station_id: str | None) -> str:
        return next((s.name for s in self.stations if s.id == station_id), str(station_id))

    def move_student(self, student: str, group: str) -> dict[str, str | None]:
        if student not in self.students:
            raise ValueError(f"{student!r} is not a student of this class")
        groups: dict[str, list[str]] = {}
        for s in self.students.values():
            target = group if s.id == student else s.group
            if target:
                groups.setdefault(target, []).append(s.id)
        return self.set_groups(groups)

    def set_roster(self, students: list[RosterStudent], card_versions: dict[str, int],
                   classes: tuple[ClassEntry, ...]) -> None:
        """The running class as a new roster import has it: who joined, who left (their presence and progress
        go with them), names, groups and card versions. ValueError if the rotation cannot keep its rules with
        it; then nothing changes."""
        self._take_students(students, "the new roster", card_versions)
        self.classes = classes
        for traces in self._lesson_traces():
            for gone in traces.keys() - self.students.keys():
                del traces[gone]

    def _lesson_traces(self) -> tuple[dict[str, Any], ...]:
        """What the lesson keeps about each student, by id: where, what they did, their marks and passes."""
        return self.presence, self.progress, self.attendance, self.checked_out, self.out, self.visits

    def forget_student(self, student_id: str) -> None:
        """Take every trace of the student out of the room: their data has been deleted. A call for help
        they made stays open as their station's. The student may be in another class than the one running."""
        self.students.pop(student_id, None)
        kept: tuple[dict[str, Any], ...] = (self.card_versions, self.standing, self.last_here, *self._lesson_traces())
        for traces in kept:
            traces.pop(student_id, None)
        self.help = [changed_struct(h, student=None) if h.student == student_id else h for h in self.help]
        self.help = [changed_struct(h, peer=None, peer_taken=None) if h.peer == student_id else h for h in self.help]
        self.got_it.forget(student_id)
        self.peer_help = changed_struct(self.peer_help,
                                        excluded=tuple(s for s in self.peer_help.excluded if s != student_id))
        self.groups = list(dict.fromkeys(s.group for s in self.students.values() if s.group))
        self.skips = [s for s in self.skips if s.group in self.groups]  # a group gone with its last student
        self.rotation = self._plan(list(self.students.values()), keep=self.rotation, skips=self.skips)
        self._static = self._static_parts()

    def set_needs(self, student_id: str, needs: Needs) -> None:
        self.students[student_id] = replace(self.students[student_id], needs=None if needs == Needs() else needs)
        self._static = self._static_parts()

    def set_card_version(self, student_id: str, version: int) -> None:
        self.card_versions[student_id] = version
        self._static = self._static_parts()

    def check_card(self, claim: CardClaim) -> Verdict:
        current = self.card_versions.get(claim.student_id)
        if claim.student_id not in self.students or current is None:
            elsewhere = any(claim.student_id in c.students for c in self.classes if c.id != self.class_id)
            return Verdict(False, "student of another class" if elsewhere else "unknown student")
        if claim.version < current:
            return Verdict(False, "revoked card")
        if claim.version > current:
            return Verdict(False, "card version not issued")
        return Verdict(True)

    def would_check_in(self, student_id: str, station: str, at: float) -> bool:
        """True if this check-in changes where the student is: no later check-in is already known."""
        current = self.presence.get(student_id)
        return current is None or (current.at <= at and current != Presence(station, at))

    def check_in(self, student_id: str, station: str, at: float) -> bool:
        """Record the student at the station unless a later check-in is already known. True if it changed.
        A student marked absent who checks in has come late."""
        if not self.would_check_in(student_id, station, at):
            return False
        self.presence[student_id] = Presence(station, at)
        self.visits.setdefault(student_id, {}).setdefault(station, at)
        self.checked_out.pop(student_id, None)  # back at a station
        self.came_back(student_id, at)
        if self.attendance.get(student_id) == "absent":
            self.attendance[student_id] = "late"
        return True

    def go_out(self, student_id: str, station: str, at: float) -> bool:
        """The student took the out-of-room pass at the station; True if it changed the room."""
        if student_id not in self.students or self.out.get(student_id) == Presence(station, at):
            return False
        self.out[student_id] = Presence(station, at)
        return True

    def check_out(self, student_id: str, station: str, at: float) -> bool:
        """The student said "I'm done" at the station where they are checked in; True if it changed the room."""
        presence = self.presence.get(student_id)
        if presence is None or presence.station != station or presence.at > at or student_id in self.checked_out:
            return False
        self.checked_out[student_id] = Presence(station, at)
        return True

    def came_back(self, student_id: str, at: float) -> bool:
        """A scan after the pass ends it."""
        gone = self.out.get(student_id)
        if gone is None or gone.at > at:
            return False
        del self.out[student_id]
        return True

    def mark_attendance(self, student_id: str, mark: AttendanceMark | Literal["present"]) -> str:
        """Absent or late for this lesson, or present (the mark taken back)."""
        if student_id not in self.students:
            raise ValueError(f"{student_id!r} is not a student of this class")
        name = self._static[1][student_id].name
        if mark == "present":
            self.attendance.pop(student_id, None)
            return f"{name} is here"
        self.attendance[student_id] = mark
        return f"{name} is {mark}"

    # What students chose, aimed for and said at the end
    def record_progress(self, student: str, kind: str, data: dict[str, Any], station: str | None = None,
                        at: float | None = None) -> bool:
        """Fold a choice, goal or exit ticket into the student's session. True if it changed. An exit ticket
        where the student is checked in is their check-out: they are done there."""
        current = self.progress.get(student, Progress())
        presence = self.presence.get(student)
        left = (kind == "exit_ticket" and station is not None and at is not None and presence is not None
                and presence.station == station and presence.at <= at and student not in self.checked_out)
        if left and station is not None and at is not None:
            self.checked_out[student] = Presence(station, at)
        if kind == "choice":
            changed = changed_struct(current, activity=data["activity"])
        elif kind == "goal":
            changed = changed_struct(current, goal=data["goal"])
        elif kind == "exit_ticket":
            changed = changed_struct(current, ticket=data["how"], next=data.get("next"))
            if station is not None and at is not None:
                self.last_here.setdefault(student, {})[station] = LastVisit(station, at, data["how"], data.get("next"),
                                                                         data.get("goal"))
        else:
            return False
        self.progress[student] = changed
        learnt = (kind == "exit_ticket" and station is not None and at is not None
                  and self.got_it.ticket(student, station, data["how"], at))
        return left or learnt or changed != current

    # Goals that carry over (hub/goals.py): the service keeps them in the store and tells the room
    def set_goal_list(self, teachers: Sequence[RoomGoal]) -> None:
        """The room's goal list as the teacher set it (empty: the room file's again)."""
        self.goal_list = room_goals(self.goals, self.goal_pictures, teachers)

    def offered_goal(self, text: str) -> RoomGoal | None:
        """The room's goal a kiosk recorded as ``text``, if the room offers it."""
        return next((g for g in self.goal_list if g.text == text), None)

    def set_standing(self, student: str, goal: GoalRow | None) -> None:
        """The student's goal from now on; None: closed, and the kiosk asks for a new one at their next check-in
        (the session's goal goes with it)."""
        if goal is not None:
            self.standing[student] = goal
            return
        self.standing.pop(student, None)
        progress = self.progress.get(student)
        if progress is not None and progress.goal is not None:
            self.progress[student] = changed_struct(progress, goal=None)

    # Choice rounds (hub/choices.py)
    def _open_choice(self, now: float) -> None:
        """A new round: if the lesson makes it a choice round, its students (all but the absent) may choose
        until its passing time ends (or CHOICE_SECONDS, without one)."""
        self.choosing = None
        if self.clock.round not in self.choice_rounds:
            return
        started = self.clock.started_at if self.clock.started_at is not None else now
        until = self.clock.passing_ends if self.clock.passing_ends is not None else started + CHOICE_SECONDS
        visited = {student: frozenset(s for s, at in visits.items() if at < started)
                   for student, visits in self.visits.items()}
        running = [s.id for s in self.stations if s.id not in self.off]
        self.choosing = open_choosing(self.clock.round, until, running, self.must_do,
                                      {s.id: s.capacity for s in self.stations},
                                      [s for s in self.students if self.attendance.get(s) != "absent"], visited)

    def pick(self, student: str, station: str, now: float) -> Refusal | None:
        """A student's pick in a choice round, in the order the hub takes them: None if granted, else why not
        (full, closed, not_allowed)."""
        if self.choosing is None:
            return "closed"
        return self.choosing.pick(student, station, now)

    def take_place(self, student: str, station: str, kind: str, at: float) -> None:
        """A pick granted or a placement made before the hub restarted, taken again from the store."""
        choosing = self.choosing
        started = self.clock.started_at
        if choosing is None or student not in choosing.allowed or started is None or at < started:
            return
        choosing.going[student] = station
        choosing.how[student] = "chose" if kind == "pick" else "placed"

    def places_for(self, student: str) -> dict[str, int]:
        return self.choosing.places_for(student) if self.choosing else {}

    def close_choice(self, now: float) -> dict[str, str] | None:
        """Choosing is over (its time is up): whoever did not choose is placed. The placements, or None if
        there was nothing to close."""
        choosing = self.choosing
        if choosing is None or choosing.closed or now < choosing.until:
            return None
        planned = {s.id: self._planned_station(s.group) for s in self.students.values()}
        return choosing.close(planned, [s.id for s in self.stations if s.id not in self.off])

    def _planned_station(self, group: str | None) -> str | None:
        return next((station for station, groups in self.plan().items() if group in groups), None) if group else None

    def choice_round(self) -> ChoiceRound | None:
        return self.choosing.public() if self.choosing else None

    # Calls for help, answered in order of arrival
    def ask_help(self, request_id: str, station: str, at: float, student: str | None = None,
                 peer: str | None = None, peer_taken: bool | None = None) -> bool:
        """Queue a station's call; True if it is new (a station already waiting is not queued twice). ``peer``:
        the classmate the kiosk suggested, kept only if a student of the class (a kiosk names no one else)."""
        if any(h.station == station or h.id == request_id for h in self.help):
            return False
        if peer not in self.students or peer == student:
            peer, peer_taken = None, None
        self.help.append(HelpRequest(request_id, station, at, student, peer=peer, peer_taken=peer_taken))
        return True

    def set_peer_help(self, setting: PeerHelp) -> None:
        self.peer_help = setting

    def help_coming(self, request_id: str) -> str:
        """An adult is on the way to the call: it stays open, and says so, until answered."""
        index = next((i for i, h in enumerate(self.help) if h.id == request_id), None)
        if index is None:
            raise ValueError("that call for help has already been answered")
        self.help[index] = changed_struct(self.help[index], coming=True)
        return f"on the way to {next(s.name for s in self.stations if s.id == self.help[index].station)}"

    def cancel_help(self, station: str) -> bool:
        """The station took its call back (the student pressed by mistake, or was helped by a friend)."""
        waiting = [h for h in self.help if h.station == station]
        for request in waiting:
            self.help.remove(request)
        return bool(waiting)

    def answer_help(self, request_id: str) -> str:
        request = next((h for h in self.help if h.id == request_id), None)
        if request is None:
            raise ValueError("that call for help has already been answered")
        self.help.remove(request)
        return f"answered the call from {next(s.name for s in self.stations if s.id == request.station)}"

    # The rotation clock, driven by teacher commands and by time.
    def command(self, action: str, now: float, minutes: float = 1.0, lesson: StartArgs | None = None,
                collect: float = 0.0) -> str:
        """Apply a teacher command; return what happened, or raise ValueError with why not. ``collect``: for
        End, the seconds of last exit tickets before the lesson ends (a second End ends it at once)."""
        c = self.clock
        if action == "start":
            if c.round:
                raise ValueError("the session has already started")
            return self._start_lesson(now, lesson or StartArgs())
        if c.round == 0:
            raise ValueError("the session has not started")
        if action == "pause":
            self.clock = clockmath.pause(c, now)
            return "paused"
        if action == "resume":
            self.clock = clockmath.resume(c, now)
            return "resumed"
        if action == "extend":  # by 1 to 60 minutes (shared.protocol.ExtendArgs)
            self.clock = clockmath.extend(c, minutes * 60)
            return f"extended by {minutes:g} min"
        if action == "next":
            return self._advance(now)
        if action == "end":
            if collect > 0 and c.closing_at is None:
                self.clock = changed_struct(c, closing_at=now + collect)
                return f"collecting the last exit tickets for {_duration(collect)}; then the lesson ends"
            self.end_lesson()
            return "session ended"
        raise ValueError(f"unknown command {action!r}")

    def end_lesson(self) -> None:
        self.clock = Clock(0, len(self.stations), self.round_seconds, False, None, None)
        self.choice_rounds, self.must_do, self.choosing = frozenset(), frozenset(), None
        for traces in self._lesson_traces():
            traces.clear()
        self.help.clear()
        self.cycle_start, self.off_next = 1, None
        if self.skips or self.off:  # skips and stations off are for one lesson
            self.skips, self.off = [], frozenset()
            self.rotation = self._plan(list(self.students.values()), keep=self.rotation)

    def _start_lesson(self, now: float, lesson: StartArgs) -> str:
        """Round 1 of a lesson: its round length, number of rounds (by default the room's, and one round per
        running station) and passing time, with the stations it switches off. ValueError if the plan cannot run
        without them."""
        off = self._stations_off(lesson.off)
        unknown = sorted(set(lesson.must_do) - {s.id for s in self.stations})
        if unknown:
            raise ValueError(f"no station {unknown[0]!r} to make must-do")
        try:
            rotation = self._plan(list(self.students.values()), keep=self.rotation, skips=self.skips, off=off)
        except PlanError as error:
            raise ValueError(f"with {', '.join(sorted(off))} off, {error}") from None
        self.off, self.rotation, self.off_next, self.cycle_start, self.ended = off, rotation, None, 1, None
        seconds = lesson.minutes * 60 if lesson.minutes is not None else self.round_seconds
        rounds = lesson.rounds or len(self.stations) - len(off)
        self.clock = clockmath.start_round(Clock(0, rounds, seconds, False, passing=lesson.passing * 60), now, 1)
        self.choice_rounds = frozenset(r for r in lesson.choice_rounds if r <= rounds)
        self.must_do = frozenset(lesson.must_do)
        self._open_choice(now)
        return (f"started round 1 of {rounds}, {_round_length(seconds)} rounds"
                + (f", choice in round {', '.join(map(str, sorted(self.choice_rounds)))}" if self.choice_rounds else "")
                + (f", {_duration(lesson.passing * 60)} to move" if lesson.passing else "")
                + (f", {self._names(off)} off" if off else ""))

    def _stations_off(self, off: Sequence[str]) -> frozenset[str]:
        unknown = sorted(set(off) - {s.id for s in self.stations})
        if unknown:
            raise ValueError(f"no station {unknown[0]!r} to switch off (stations: "
                             f"{', '.join(s.id for s in self.stations)})")
        if set(off) >= {s.id for s in self.stations}:
            raise ValueError("every station is switched off")
        return frozenset(off)

    def _names(self, stations: frozenset[str]) -> str:
        return ", ".join(s.name for s in self.stations if s.id in stations)

    def change_lesson(self, change: ChangeLessonArgs, now: float) -> str:
        """The running lesson's round length (from this round), rounds, passing time (from the next round) and
        stations (from the next round: the plan starts a new cycle then, and the lesson has rounds enough for
        every group to visit every running station once). ValueError, changing nothing, if it cannot be."""
        c = self.clock
        if c.round == 0:
            raise ValueError("no lesson is running: set these when starting it")
        said = []
        clock, off_next = c, self.off_next
        if change.off or change.on:
            unknown = sorted(set(change.on) - {s.id for s in self.stations})
            if unknown:
                raise ValueError(f"no station {unknown[0]!r} to switch on")
            wanted = self._stations_off(sorted(((off_next if off_next is not None else self.off) | set(change.off))
                                               - set(change.on)))
            try:
                self._plan(list(self.students.values()), keep=self.rotation, off=wanted)
            except PlanError as error:
                raise ValueError(f"with {', '.join(sorted(wanted)) or 'no station'} off, {error}") from None
            off_next = wanted if wanted != self.off else None
            running = len(self.stations) - len(wanted)
            if off_next is None:  # the change taken back: the lesson's rounds as they were
                if change.rounds is None and self._rounds_before_change is not None:
                    clock = changed_struct(clock, rounds=max(self._rounds_before_change, clock.round))
                self._rounds_before_change = None
            elif change.rounds is None:
                if self._rounds_before_change is None:
                    self._rounds_before_change = clock.rounds
                clock = changed_struct(clock, rounds=max(self._rounds_before_change, clock.round + running))
            said.append(f"from round {c.round + 1}: {self._names(wanted) or 'every station'} "
                        f"{'off' if wanted else 'running'}")
        if change.rounds is not None:
            if change.rounds < c.round:
                raise ValueError(f"round {c.round} is running: the lesson cannot have fewer rounds than that")
            clock = changed_struct(clock, rounds=change.rounds)
        if change.minutes is not None:
            clock = clockmath.set_duration(clock, change.minutes * 60, now)
            said.append(f"{change.minutes:g}-minute rounds")
        if change.passing is not None:
            clock = changed_struct(clock, passing=change.passing * 60)
            said.append(f"{_duration(change.passing * 60)} to move from the next round" if change.passing
                        else "no passing time from the next round")
        if clock.rounds != c.rounds:
            said.append(ENGLISH.count("{n} round", "{n} rounds", clock.rounds))
        self.clock, self.off_next = clock, off_next
        return "; ".join(said) or "nothing changed"

    def _advance(self, now: float) -> str:
        following = self.clock.round % self.clock.rounds + 1
        if self.off_next is not None:  # the stations changed: a new cycle over the running ones starts now
            self.off, self.off_next, self._rounds_before_change = self.off_next, None, None
            self.skips = []
            self.rotation = self._plan(list(self.students.values()), keep=self.rotation)
            self.cycle_start = following
        self.clock = clockmath.start_round(self.clock, now, following)
        self._open_choice(now)
        return f"round {self.clock.round} started" + (": students choose where to go" if self.choosing else "")

    def tick(self, now: float, auto_advance: bool) -> Literal["round", "end"] | None:
        """Move to the next round when the time is up and auto-advance is on, and end a lesson whose last exit
        tickets are in. Says which happened."""
        if self.clock.closing_at is not None:
            if now >= self.clock.closing_at:
                self.end_lesson()
                return "end"
            return None
        left = clockmath.time_left(self.clock, now)
        if auto_advance and self.clock.running and left is not None and left <= 0:
            self._advance(now)
            return "round"
        return None

    def plan(self) -> dict[str, tuple[str, ...]]:
        """This round's stations; the plan's cycle began in round ``cycle_start`` and repeats after its end."""
        if self.clock.round == 0:
            return self.rotation.at(0)
        return self.rotation.at((self.clock.round - self.cycle_start) % len(self.rotation.rounds) + 1)

    def snapshot(self, hub_time: float) -> State:
        plan = self.plan()
        groups, students = self._static
        return State(seq=self.seq, hub_time=hub_time, clock=self.clock,
                     stations=tuple(Station(s.id, s.name, s.kind, s.kiosk, plan.get(s.id, ()), s.activities,
                                            s.id in self.off,
                                            s.id in (self.off if self.off_next is None else self.off_next),
                                            *self._looks[s.id],
                                            s.pictures or (self._looks[s.id][1],) * len(s.activities))
                                    for s in self.stations),
                     groups=groups, students=students, presence=dict(self.presence), help=tuple(self.help),
                     goals=tuple(g.text for g in self.goal_list),
                     goal_pictures=tuple(g.picture for g in self.goal_list),
                     goal_words=tuple(dict(g.words) for g in self.goal_list)
                     if any(g.words for g in self.goal_list) else (),
                     standing={sid: standing(row, self.goal_list) for sid, row in self.standing.items()
                               if sid in self.students},
                     last_visits={sid: tuple(visits.values()) for sid, visits in self.last_here.items()
                                  if sid in self.students},
                     progress=dict(self.progress),
                     class_id=self.class_id,
                     classes=self.classes, attendance=dict(self.attendance), checked_out=dict(self.checked_out),
                     out=dict(self.out), ended=self.ended, peer_help=self.peer_help,
                     helpers=helpers(self.peer_help, self.got_it, self.students, self.presence, self.checked_out,
                                     self.out, self.clock.started_at if self.clock.round else None),
                     choice=self.choice_round())


def _round_length(seconds: float) -> str:
    """``12-minute``, ``1.5-minute``; under a minute (the demo's rounds), ``20-second``."""
    return f"{seconds:g}-second" if seconds < 60 else f"{seconds / 60:g}-minute"


def _duration(seconds: float) -> str:
    """``1 minute``, ``90 seconds``, ``2 minutes``."""
    if seconds % 60:
        return f"{seconds:g} seconds"
    return "1 minute" if seconds == 60 else f"{seconds / 60:g} minutes"
