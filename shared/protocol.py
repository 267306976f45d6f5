"""Messages of the MQTT protocol (docs/protocol.md), encoded as JSON with a ``v`` field.

``decode`` is the edge: anything malformed, oversized, of another version or of unknown shape raises
``ProtocolError`` with a message that says what was wrong, and the caller logs and drops it.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

VERSION = 1
MAX_PAYLOAD = {"state": 512 * 1024, "view": 512 * 1024, "command": 64 * 1024, "reply": 64 * 1024}  # groups for a whole class
DEFAULT_MAX_PAYLOAD = 8 * 1024
EVENT_KINDS = frozenset({"checkin", "checkout", "choice", "goal", "help", "exit_ticket", "conference"})
TICKETS = ("got_it", "getting_there", "stuck")  # the exit ticket's answers, best first
PROGRESS_KINDS = frozenset({"choice", "goal", "exit_ticket"})
STATION_EVENT_KINDS = frozenset({"help"})  # asked for by a station, not by a card
CLOCK_ACTIONS = ("start", "pause", "resume", "extend", "next", "end")
GROUP_ACTIONS = ("suggest_groups", "set_groups", "move_student")
PLAN_ACTIONS = ("skip_station",)
HELP_ACTIONS = ("answer_help",)
STORAGE_FULL = "storage_full"  # the disk (or the database's size limit) refuses writes: events wait, unlost
PROBLEMS = (STORAGE_FULL,)
RECORD_ACTIONS = ("conference_note", "make_report", "reissue_card", "delete_student")
SETUP_ACTIONS = ("pair_kiosk",)
COMMAND_ACTIONS = frozenset(CLOCK_ACTIONS + GROUP_ACTIONS + PLAN_ACTIONS + HELP_ACTIONS + RECORD_ACTIONS
                            + SETUP_ACTIONS)
MAX_ACK_IDS = 1000


class ProtocolError(ValueError):
    """A payload that does not follow the protocol; the message says why."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ProtocolError(message)


def _text(obj: dict, key: str, *, max_len: int = 200, optional: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and optional:
        return None
    _require(isinstance(value, str), f"'{key}' must be a string")
    _require(0 < len(value) <= max_len, f"'{key}' must be 1 to {max_len} characters")
    return value


def _number(obj: dict, key: str, *, optional: bool = False) -> float | None:
    value = obj.get(key)
    if value is None and optional:
        return None
    _require(isinstance(value, (int, float)) and not isinstance(value, bool), f"'{key}' must be a number")
    _require(math.isfinite(value), f"'{key}' must be finite")
    return float(value)


def _integer(obj: dict, key: str, *, minimum: int = 0, optional: bool = False) -> int | None:
    value = obj.get(key)
    if value is None and optional:
        return None
    _require(isinstance(value, int) and not isinstance(value, bool), f"'{key}' must be an integer")
    _require(value >= minimum, f"'{key}' must be at least {minimum}")
    return value


def _texts(obj: dict, key: str, most: int, longest: int) -> tuple[str, ...]:
    """An optional list of short texts."""
    values = _list(obj, key, max_items=most) if key in obj else []
    _require(all(isinstance(v, str) and 0 < len(v) <= longest for v in values),
             f"'{key}' must list texts of 1 to {longest} characters")
    return tuple(values)


def _problem(obj: dict) -> str | None:
    """A status's ``problem``: an unknown one (from a newer version) is kept as it is, to be shown."""
    return _text(obj, "problem", max_len=40, optional=True)


def _flag(obj: dict, key: str) -> bool:
    value = obj.get(key)
    _require(isinstance(value, bool), f"'{key}' must be true or false")
    return value


def _mapping(obj: dict, key: str, *, optional: bool = False) -> dict:
    value = obj.get(key)
    if value is None and optional:
        return {}
    _require(isinstance(value, dict), f"'{key}' must be an object")
    return value


def _list(obj: dict, key: str, *, max_items: int = 1000) -> list:
    value = obj.get(key)
    _require(isinstance(value, list), f"'{key}' must be a list")
    _require(len(value) <= max_items, f"'{key}' has more than {max_items} items")
    return value


@dataclass(frozen=True)
class KioskStatus:
    online: bool
    version: str | None = None
    clock: float | None = None
    outbox: int | None = None
    problem: str | None = None  # one of PROBLEMS, while it lasts

    @classmethod
    def from_dict(cls, d: dict) -> "KioskStatus":
        return cls(online=_flag(d, "online"), version=_text(d, "version", max_len=40, optional=True),
                   clock=_number(d, "clock", optional=True), outbox=_integer(d, "outbox", optional=True),
                   problem=_problem(d))


@dataclass(frozen=True)
class Event:
    """One thing a student did at a kiosk. ``at`` is the kiosk's estimate of hub time. ``card`` is the
    scanned token, absent only for a station's own events (a call for help)."""
    id: str
    kind: str
    card: str | None
    station: str
    at: float
    seq: int
    kiosk_time: float
    data: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> "Event":
        kind = _text(d, "kind", max_len=20)
        _require(kind in EVENT_KINDS, f"unknown event kind: {kind!r}")
        return cls(id=_text(d, "id", max_len=64), kind=kind,
                   card=_text(d, "card", max_len=200, optional=kind in STATION_EVENT_KINDS),
                   station=_text(d, "station", max_len=40), at=_number(d, "at"), seq=_integer(d, "seq"),
                   kiosk_time=_number(d, "kiosk_time"), data=_event_data(kind, _mapping(d, "data", optional=True)))


def _event_data(kind: str, data: dict) -> dict:
    """What each kind carries in ``data``, checked; kinds without details carry what they like."""
    if kind == "choice":
        return {"activity": _text(data, "activity", max_len=24)}
    if kind == "goal":
        return {"goal": _text(data, "goal", max_len=40)}
    if kind == "exit_ticket":
        how = _text(data, "how", max_len=20)
        _require(how in TICKETS, f"'how' must be one of {', '.join(TICKETS)}")
        following = _text(data, "next", max_len=40, optional=True)
        return {"how": how, **({"next": following} if following else {})}
    if kind == "conference":
        return conference_note(data.get("tags", []), data.get("text", ""))
    return data


def conference_note(tags, text) -> dict:
    """A teacher's note on a student, from the display or a kiosk's teacher screen: checked."""
    _require(isinstance(tags, list) and len(tags) <= 5 and all(isinstance(t, str) and 0 < len(t) <= 20 for t in tags),
             "'tags' must be up to 5 tags of 1 to 20 characters")
    _require(isinstance(text, str) and len(text) <= 500 and bool(text.strip() or tags),
             "a note needs tags or some text (up to 500 characters)")
    return {"tags": tags, "text": text.strip()}


@dataclass(frozen=True)
class Ack:
    ids: tuple[str, ...]

    @classmethod
    def from_dict(cls, d: dict) -> "Ack":
        ids = _list(d, "ids", max_items=MAX_ACK_IDS)
        _require(all(isinstance(i, str) and 0 < len(i) <= 64 for i in ids), "'ids' must be event id strings")
        return cls(ids=tuple(ids))

    def to_dict(self) -> dict:
        return {"ids": list(self.ids)}


@dataclass(frozen=True)
class HubStatus:
    """``since`` is when the hub last connected to the broker: a new value means it may have missed
    events, so kiosks send what it has not acked."""
    online: bool
    time: float | None = None
    since: float | None = None
    problem: str | None = None  # one of PROBLEMS, while it lasts

    @classmethod
    def from_dict(cls, d: dict) -> "HubStatus":
        return cls(online=_flag(d, "online"), time=_number(d, "time", optional=True),
                   since=_number(d, "since", optional=True), problem=_problem(d))


@dataclass(frozen=True)
class Command:
    id: str
    action: str
    client: str
    args: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> "Command":
        action = _text(d, "action", max_len=20)
        _require(action in COMMAND_ACTIONS, f"unknown command: {action!r}")
        return cls(id=_text(d, "id", max_len=64), action=action, client=_text(d, "client", max_len=40),
                   args=_mapping(d, "args", optional=True))


@dataclass(frozen=True)
class Reply:
    id: str
    ok: bool
    message: str = ""
    data: dict | None = None  # what the command returns, e.g. suggested groups

    @classmethod
    def from_dict(cls, d: dict) -> "Reply":
        return cls(id=_text(d, "id", max_len=64), ok=_flag(d, "ok"),
                   message=_text(d, "message", max_len=500, optional=True) or "",
                   data=_mapping(d, "data", optional=True) or None)


@dataclass(frozen=True)
class PresenceChange:
    """One student checked in somewhere: sent at once, between the (coalesced) state snapshots.
    Apply it only to a state whose ``seq`` is exactly ``seq - 1``; after a gap, wait for the next state."""
    seq: int
    student: str
    station: str
    at: float

    @classmethod
    def from_dict(cls, d: dict) -> "PresenceChange":
        return cls(seq=_integer(d, "seq", minimum=1), student=_text(d, "student", max_len=40),
                   station=_text(d, "station", max_len=40), at=_number(d, "at"))


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    kind: str
    kiosk: bool
    groups: tuple[str, ...]
    activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    """A student's session so far, from their kiosk events: what they chose, their goal, their exit ticket."""
    activity: str | None = None
    goal: str | None = None
    ticket: str | None = None  # one of TICKETS
    next: str | None = None  # what they would like to do next

    @classmethod
    def from_dict(cls, d: dict) -> "Progress":
        _require(isinstance(d, dict), "each progress entry must be an object")
        ticket = _text(d, "ticket", max_len=20, optional=True)
        _require(ticket is None or ticket in TICKETS, f"'ticket' must be one of {', '.join(TICKETS)}")
        return cls(activity=_text(d, "activity", max_len=24, optional=True),
                   goal=_text(d, "goal", max_len=40, optional=True), ticket=ticket,
                   next=_text(d, "next", max_len=40, optional=True))


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Student:
    name: str  # first name and last initial, never the full name
    card: int  # the card version in force; older cards are revoked
    group: str | None


@dataclass(frozen=True)
class Presence:
    station: str
    at: float


@dataclass(frozen=True)
class Clock:
    """The rotation clock. While running, the round ends at ``ends_at`` (hub time); when paused,
    ``left`` seconds remain. ``round`` is 0 before the session starts; ``started_at`` is when the round
    began (hub time): a check-in before it belongs to an earlier round."""
    round: int
    rounds: int
    duration: float
    running: bool
    ends_at: float | None
    left: float | None
    started_at: float | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "Clock":
        return cls(round=_integer(d, "round"), rounds=_integer(d, "rounds"), duration=_number(d, "duration"),
                   running=_flag(d, "running"), ends_at=_number(d, "ends_at", optional=True),
                   left=_number(d, "left", optional=True), started_at=_number(d, "started_at", optional=True))


@dataclass(frozen=True)
class HelpRequest:
    """A station's call for help, open until the teacher marks it answered. ``id`` is the event's;
    ``student`` who called, when their name was on the kiosk's screen as they pressed the button."""
    id: str
    station: str
    at: float
    student: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> "HelpRequest":
        _require(isinstance(d, dict), "each help request must be an object")
        return cls(id=_text(d, "id", max_len=64), station=_text(d, "station", max_len=40), at=_number(d, "at"),
                   student=_text(d, "student", max_len=40, optional=True))


@dataclass(frozen=True)
class State:
    """The hub's retained snapshot of the room. ``seq`` only ever increases."""
    seq: int
    hub_time: float
    clock: Clock
    stations: tuple[Station, ...]
    groups: tuple[Group, ...]
    students: dict[str, Student]
    presence: dict[str, Presence]
    help: tuple[HelpRequest, ...] = ()  # in order of arrival
    goals: tuple[str, ...] = ()  # the goals a student picks from
    progress: dict[str, Progress] = field(default_factory=dict)  # this session's, by student

    @classmethod
    def from_dict(cls, d: dict) -> "State":
        stations = []
        for s in _list(d, "stations", max_items=50):
            _require(isinstance(s, dict), "each station must be an object")
            groups = _list(s, "groups", max_items=50)
            _require(all(isinstance(g, str) for g in groups), "station groups must be ids")
            stations.append(Station(id=_text(s, "id", max_len=40), name=_text(s, "name", max_len=80),
                                    kind=_text(s, "kind", max_len=40), kiosk=_flag(s, "kiosk"),
                                    groups=tuple(groups), activities=_texts(s, "activities", 4, 24)))
        groups = []
        for g in _list(d, "groups", max_items=100):
            _require(isinstance(g, dict), "each group must be an object")
            members = _list(g, "members", max_items=200)
            _require(all(isinstance(m, str) for m in members), "group members must be student ids")
            groups.append(Group(id=_text(g, "id", max_len=40), name=_text(g, "name", max_len=80),
                                members=tuple(members)))
        students = {}
        for student_id, s in _mapping(d, "students").items():
            _require(isinstance(s, dict), "each student must be an object")
            students[student_id] = Student(name=_text(s, "name", max_len=80), card=_integer(s, "card", minimum=1),
                                           group=_text(s, "group", max_len=40, optional=True))
        presence = {}
        for student_id, p in _mapping(d, "presence").items():
            _require(isinstance(p, dict), "each presence must be an object")
            presence[student_id] = Presence(station=_text(p, "station", max_len=40), at=_number(p, "at"))
        help_queue = [HelpRequest.from_dict(h) for h in _list(d, "help", max_items=100)] if "help" in d else []
        return cls(seq=_integer(d, "seq"), hub_time=_number(d, "hub_time"),
                   clock=Clock.from_dict(_mapping(d, "clock")), stations=tuple(stations), groups=tuple(groups),
                   students=students, presence=presence, help=tuple(help_queue),
                   goals=_texts(d, "goals", 6, 40),
                   progress={sid: Progress.from_dict(p) for sid, p in _mapping(d, "progress", optional=True).items()})

    def follow(self, change: PresenceChange) -> "State | None":
        """This state with the change applied, or None if the change does not follow on from it."""
        if change.seq != self.seq + 1:
            return None
        presence = dict(self.presence)
        presence[change.student] = Presence(change.station, change.at)
        return State(seq=change.seq, hub_time=self.hub_time, clock=self.clock, stations=self.stations,
                     groups=self.groups, students=self.students, presence=presence, help=self.help,
                     goals=self.goals, progress=self.progress)

    def station(self, station_id: str) -> Station | None:
        return next((s for s in self.stations if s.id == station_id), None)

    def expected_station(self, student_id: str) -> Station | None:
        """The station where the student's group is expected this round, if any."""
        student = self.students.get(student_id)
        if student is None or student.group is None:
            return None
        return next((s for s in self.stations if student.group in s.groups), None)


MESSAGE_TYPES: dict[str, type] = {
    "kiosk_status": KioskStatus, "kiosk_event": Event, "ack": Ack, "hub_status": HubStatus,
    "state": State, "view": State, "presence": PresenceChange, "command": Command, "reply": Reply,
}


def encode(message: Any) -> bytes:
    """JSON bytes for a message dataclass, with the protocol version."""
    # Messages are flat apart from ``data``, so their fields are copied as they are (asdict deep-copies).
    body = message.to_dict() if hasattr(message, "to_dict") else vars(message)
    body = {key: value for key, value in body.items() if value is not None}
    return json.dumps({"v": VERSION, **body}, separators=(",", ":")).encode()


def decode(kind: str, payload: bytes) -> Any:
    """Validate one payload of a topic kind (see ``Topics.parse``) and return its message."""
    message_type = MESSAGE_TYPES.get(kind)
    _require(message_type is not None, f"no message is defined for {kind!r}")
    limit = MAX_PAYLOAD.get(kind, DEFAULT_MAX_PAYLOAD)
    _require(len(payload) <= limit, f"payload of {len(payload)} bytes is over the {limit}-byte limit")
    try:
        obj = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"not JSON: {error}") from None
    except RecursionError:
        raise ProtocolError("not JSON: nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise ProtocolError(f"not JSON: {error}") from None
    _require(isinstance(obj, dict), "payload must be a JSON object")
    _require("v" in obj, "payload has no 'v' (protocol version)")
    _require(obj["v"] == VERSION, f"unsupported protocol version (this is {VERSION}): {obj['v']!r}")
    try:
        return message_type.from_dict(obj)
    except (TypeError, AttributeError) as error:
        raise ProtocolError(f"wrong shape: {error}") from None
