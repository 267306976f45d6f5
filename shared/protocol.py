"""Messages of the MQTT protocol (docs/protocol.md): each one a typed declaration, encoded as JSON with ``v``.

Every message is a msgspec ``Struct``: the one place its fields, their types and their bounds are written.
Encoding and decoding both go through it, and a decode error names the field it found wrong
(``Expected `float`, got `str` - at `$.presence[...].at```).

``decode`` is the edge: anything malformed, oversized, of another version or of unknown shape raises
``ProtocolError`` with a message that says what was wrong, and the caller logs and drops it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Final, Literal, TypeAlias, TypeVar, get_args

import msgspec

from shared.languages import N_

VERSION: Final = 1
MAX_PAYLOAD = {"state": 512 * 1024, "view": 512 * 1024, "command": 64 * 1024, "reply": 64 * 1024,  # a class's groups
               "path": 128 * 1024}  # a student's 30 lessons
DEFAULT_MAX_PAYLOAD = 8 * 1024
MAX_ACK_IDS = 1000
ACK_IDS_SENT = 100  # in one ack the hub sends: with the longest ids, it fits a kiosk's DEFAULT_MAX_PAYLOAD
# How fast the hub takes one kiosk's events (hub/kiosk_limit.py), and so how fast a kiosk sends what waits in its
# outbox (kiosk/core.py): this many at once, and this many a second after that. Over it, the hub drops them unread.
KIOSK_BURST = 500
KIOSK_EVENTS_PER_SECOND = 100.0
STORAGE_FULL = "storage_full"  # the disk (or the database's size limit) refuses writes: events wait, unlost
ROSTER_REFUSED = "roster_refused"  # the roster's files changed but have problems: the room keeps the last import
SCANNER_SPEED = "scanner_speed"  # a kiosk's serial scanner reads at another speed than the room file says
PROBLEMS = (STORAGE_FULL, ROSTER_REFUSED, SCANNER_SPEED)

TicketAnswer: TypeAlias = Literal["got_it", "getting_there", "stuck"]
TICKETS: tuple[str, ...] = get_args(TicketAnswer)  # the exit ticket's answers, best first
GoalAnswer: TypeAlias = Literal["closer", "not_yet", "met"]  # "Did you get closer to your goal?"
GOAL_ANSWERS: tuple[str, ...] = get_args(GoalAnswer)
GOAL_MET: Final = "met"  # the answer that closes the student's goal
GoalOutcome: TypeAlias = Literal["met", "changed", "dropped"]  # how a standing goal closed
GOAL_OUTCOMES: tuple[str, ...] = get_args(GoalOutcome)
EventKind: TypeAlias = Literal["checkin", "checkout", "choice", "goal", "help", "exit_ticket", "conference",
                              "out", "help_cancel", "pick"]
# out: the student took the out-of-room pass; checkout: "I'm done" at the kiosk; help_cancel: the station takes
# its call for help back; pick: the student asks for a place at the station they chose in a choice round
EVENT_KINDS = frozenset(get_args(EventKind))
PROGRESS_KINDS = frozenset({"choice", "goal", "exit_ticket"})
STATION_EVENT_KINDS = frozenset({"help", "help_cancel"})  # asked for by a station, not by a card
NOTE_KIND: Final = "conference"  # a teacher's note: from a kiosk, signed by the teacher's PIN, not by a card
NOTE_CLAIM: Final = "rotation-note-v1"  # the first word of what a note's proof signs (note_claim)


class ProtocolError(ValueError):
    """A payload that does not follow the protocol; the message says why."""


# Bounded values, named once
Id: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]  # an event's, command's, help call's
Name: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]  # a station, student, group: an id
Title: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]  # a name a person reads
CardText: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]  # a card's token, as scanned
Proof: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]  # a signature, base64: 88 for Ed25519
Reason: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Activity: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
Goal: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Tag: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Count: TypeAlias = Annotated[int, msgspec.Meta(ge=0)]


class Message(msgspec.Struct, frozen=True, omit_defaults=True, tag_field="v", tag=VERSION):
    """A whole payload: ``{"v": 1, ...}``. Optional fields are left out when absent, never ``null``; a message
    with ``omit_defaults=False`` sends every field, as release 0.1.0 did (its empty lists, a clock's nulls)."""


class Part(msgspec.Struct, frozen=True, omit_defaults=True):
    """A part of a message."""


class _Unversioned(msgspec.Struct, frozen=True, tag_field="v", tag=0):
    """Decoding a message as ``Message | _Unversioned`` makes ``v`` required: a single tagged type would take a
    payload without it. Nothing is ever sent with ``v`` 0."""


# Kiosk → hub
class KioskStatus(Message, frozen=True):
    online: bool
    version: Name | None = None
    clock: float | None = None
    outbox: Count | None = None
    problem: Name | None = None  # one of PROBLEMS while it lasts; an unknown one (newer) is shown as it is
    scanner_speed: Annotated[int, msgspec.Meta(ge=300, le=4_000_000)] | None = None  # with SCANNER_SPEED: the
    # speed (baud) the scanner's cards read at, for the room file's [kiosk] serial_baud


class ChoiceData(Part, frozen=True):
    activity: Activity


class PickData(Part, frozen=True):
    """A choice round's pick: the station the student asks for a place at (the hub grants it or not)."""
    to: Name


class GoalData(Part, frozen=True):
    goal: Goal


class ExitTicketData(Part, frozen=True):
    how: TicketAnswer
    next: Goal | None = None  # what they would like to do next
    goal: GoalAnswer | None = None  # did they get closer to their standing goal (absent: not asked)


# Offered for a note; stored as written here, shown in the screen's language (a kiosk's teacher's screen).
NOTE_TAGS = (N_("reading"), N_("writing"), N_("maths"), N_("goal set"), N_("needs support"), N_("ready for more"))


NOTE_MOST_TAGS = 5
NOTE_MOST_CHARACTERS = 500


class NoteData(Part, frozen=True):
    """A teacher's note on a student, from the display or a kiosk's teacher screen."""
    tags: Annotated[tuple[Tag, ...], msgspec.Meta(max_length=NOTE_MOST_TAGS)] = ()
    text: Annotated[str, msgspec.Meta(max_length=NOTE_MOST_CHARACTERS)] = ""

    def __post_init__(self) -> None:
        if not (self.text.strip() or self.tags):
            raise ValueError(f"a note needs tags or some text (up to {NOTE_MOST_CHARACTERS} characters)")


BY_STUDENT: Final = "student"  # CheckoutData.by of "I'm done" at a kiosk


def by_student(data: Mapping[str, Any]) -> bool:
    """A checkout's data says the student checked out themselves (not a teacher marking them absent)."""
    return data.get("by") == BY_STUDENT


class CheckoutData(Part, frozen=True):
    """ "I'm done": the student checks out of the station themselves (the hub's own records of a teacher
    marking a student absent at the teacher's table are checkouts too, without it)."""
    by: Literal["student"] | None = None  # BY_STUDENT; None: a checkout as release 0.1.0 reserved it, not applied


class HelpData(Part, frozen=True):
    """A call for help after the kiosk suggested a classmate at the station who got it there: ``peer`` is who
    was suggested, ``taken`` whether the student said they would ask them (absent: they did not answer). A
    kiosk that suggested nobody, or an older one, sends neither."""
    peer: Name | None = None
    taken: bool | None = None


EVENT_DATA: dict[str, type[Part]] = {"choice": ChoiceData, "goal": GoalData, "exit_ticket": ExitTicketData,
                                     "conference": NoteData, "checkout": CheckoutData,
                                     "help": HelpData}  # others: what they like


class Event(Message, frozen=True, kw_only=True):
    """One thing a student did at a kiosk. ``at`` is the kiosk's estimate of hub time. ``card`` is the
    scanned token, absent only for a station's own events (a call for help) and for a teacher's note, which
    names its ``student`` and carries the ``proof`` of the teacher's PIN instead: the signature of
    ``note_claim`` by the key the PIN opens (shared/pin.py). ``data`` is the kind's ``EVENT_DATA``, checked and
    trimmed to its fields when decoded."""
    id: Id
    kind: EventKind
    card: CardText | None = None
    station: Name
    at: float
    seq: Count
    kiosk_time: float
    data: dict[str, Any] = {}
    student: Name | None = None
    proof: Proof | None = None


def conference_note(tags: Any, text: Any) -> dict[str, Any]:
    """A teacher's note, checked (``ProtocolError`` says why not): ``{"tags": [...], "text": ...}``."""
    return note_fields(_convert({"tags": tags, "text": text}, NoteData, "$"))


def note_claim(room_id: str, event: Event) -> bytes:
    """What a teacher's note from a kiosk is signed over (its ``proof``): the room, the event's id, station,
    student and time, and the note as the hub stores it. A JSON array, so no field runs into the next."""
    return _ENCODER.encode([NOTE_CLAIM, room_id, event.id, event.station, event.student, event.at,
                            event.data.get("tags", []), event.data.get("text", "")])


def _checked_event(event: Event) -> Event:
    signed = event.student is not None or event.proof is not None
    if signed and (event.kind != NOTE_KIND or event.card is not None or event.student is None or event.proof is None):
        raise ProtocolError("a student and a proof come together, and only on a conference note without a card "
                            "- at `$.proof`")
    if event.card is None and not signed and event.kind not in STATION_EVENT_KINDS:
        raise ProtocolError("a conference note comes with a student and a proof (or, from an older kiosk, a card) - "
                            "at `$.proof`" if event.kind == NOTE_KIND else
                            f"only a call for help may come without a card, not {event.kind!r} - at `$.card`")
    data_type = EVENT_DATA.get(event.kind)
    if data_type is None:
        return event
    try:
        details = _convert(event.data, data_type, "$.data")
    except ProtocolError:
        if event.kind not in STATION_EVENT_KINDS:
            raise
        details = data_type()  # a call for help is never refused: a suggestion it cannot read is left out
    data = note_fields(details) if isinstance(details, NoteData) else msgspec.to_builtins(details)
    return msgspec.structs.replace(event, data=data)


def note_fields(note: NoteData) -> dict[str, Any]:
    """A checked note as the hub stores it and an event carries it: its tags, and its text trimmed."""
    return {"tags": list(note.tags), "text": note.text.strip()}


# Hub → kiosk
class Refusal(Part, frozen=True):
    id: Id
    reason: Reason


class Ack(Message, frozen=True):
    """``ids`` are stored durably; ``refused`` the events the hub could not read (wrong shape, unknown kind),
    with why: they will never be stored, so the kiosk drops them too. ``missing``: the ``seq`` of events the hub
    has not had though it holds later ones (see hub/ordering.py): the kiosk sends them again now."""
    ids: Annotated[tuple[Id, ...], msgspec.Meta(max_length=MAX_ACK_IDS)]
    refused: Annotated[tuple[Refusal, ...], msgspec.Meta(max_length=MAX_ACK_IDS)] = ()
    missing: Annotated[tuple[Count, ...], msgspec.Meta(max_length=MAX_ACK_IDS)] = ()


class Restored(Part, frozen=True):
    """The hub found its database damaged at ``at``, set it aside and went back to its backup taken at ``copy``
    (None: no backup passed its check, and it started afresh). Kiosks send again the events it acked from
    ``since`` on, which the backup lacks; ``at`` names the request, answered once."""
    at: float
    since: float
    copy: float | None = None


class PickAnswer(Message, frozen=True):
    """The hub's answer to a pick (``id`` is the pick event's), to the asking kiosk alone: a place at ``to``
    (``granted``), or none, with why (``full``: the last place went to someone else; ``closed``: choosing is
    over or this is no choice round; ``not_allowed``: not one of the student's stations). ``left``: the places
    left then at each station the student may still choose (absent: no limit)."""
    id: Id
    student: Name
    to: Name
    granted: bool
    reason: Literal["full", "closed", "not_allowed"] | None = None
    left: dict[str, Count] = {}


class HubInstance(Part, frozen=True):
    """One run of ``rotation hub serve``, by which a second hub for the same room is told from the first."""
    instance: Name  # random, new at each start
    host: Title  # the machine it runs on, for the technician
    started: float  # by its clock: of two hubs serving at once, the one started first goes on


class BackupTrouble(Part, frozen=True):
    """The hub's backups need a technician: none has worked since ``since`` (None: none yet), or, with ``copy``,
    the backups are made on the board but none has been copied off it since ``since``."""
    since: float | None = None
    copy: bool = False


class HubStatus(Message, frozen=True):
    """``since`` is when the hub last connected to the broker: a new value means it may have missed
    events, so kiosks send what it has not acked. ``restored`` for some days after the hub went back to a
    backup."""
    online: bool
    time: float | None = None
    since: float | None = None
    problem: Name | None = None  # one of PROBLEMS, while it lasts
    restored: Restored | None = None
    hub: HubInstance | None = None  # which hub (absent from hubs older than this field)
    version: Name | None = None  # the Rotation Station it runs (absent from hubs older than this field)
    backups: BackupTrouble | None = None  # while the backups need a technician (hub/backup_health.py)


class HubClaim(Message, frozen=True):
    """A hub about to serve the room says so (not retained): a hub serving it answers with its status, and the
    claimant, once its own claim comes back, has read the retained status before it."""
    hub: HubInstance


# The room: the state and each kiosk's view of it
class Clock(Part, frozen=True, omit_defaults=False):
    """The rotation clock. While running, the round ends at ``ends_at`` (hub time); when paused,
    ``left`` seconds remain. ``round`` is 0 before the session starts; ``started_at`` is when the round
    began (hub time): a check-in before it belongs to an earlier round. Sent with its nulls."""
    round: Count
    rounds: Count
    duration: float
    running: bool
    ends_at: float | None = None
    left: float | None = None
    started_at: float | None = None
    passing: float = 0.0  # seconds at the start of each round for moving between stations (part of the round)
    passing_ends: float | None = None  # this round's passing time ends then (hub time); null once over or paused
    passing_left: float | None = None  # while paused during passing time: what is left of it
    closing_at: float | None = None  # End was asked for: last exit tickets until then, and the lesson ends


class Station(Part, frozen=True, omit_defaults=False):
    id: Name
    name: Title
    kind: Name
    kiosk: bool
    groups: Annotated[tuple[str, ...], msgspec.Meta(max_length=50)]
    activities: Annotated[tuple[Activity, ...], msgspec.Meta(max_length=4)] = ()
    off: bool = False  # switched off for this lesson: no group goes there
    next_off: bool = False  # off from the next round on (as `off` unless the teacher changed it for then)
    colour: Name | None = None  # one of shared.pictures.STATION_COLOURS (a newer one: draw it as "slate")
    picture: Name | None = None  # a Material Icons name
    pictures: Annotated[tuple[Name, ...], msgspec.Meta(max_length=4)] = ()  # one per activity


class Group(Part, frozen=True):
    id: Name
    name: Title
    members: Annotated[tuple[str, ...], msgspec.Meta(max_length=200)]


class Needs(Part, frozen=True):
    """How a student is best asked at the kiosk, from the roster or the teacher's device."""
    language: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")] | None = None  # None: the room's
    large_text: bool = False
    high_contrast: bool = False
    speech: bool | None = None  # spoken prompts; None: as the room has them


class Student(Part, frozen=True, omit_defaults=False):
    name: Title  # first name and last initial, never the full name
    card: Annotated[int, msgspec.Meta(ge=1)]  # the card version in force; older cards are revoked
    group: Name | None = None  # sent as null for a student in no group
    needs: Needs | None = None  # sent as null for a student asked as the room asks everyone

    @property
    def language(self) -> str | None:
        return self.needs.language if self.needs else None


class Presence(Part, frozen=True):
    station: Name
    at: float


class HelpRequest(Part, frozen=True):
    """A station's call for help, open until the teacher marks it answered. ``id`` is the event's;
    ``student`` who called, when their name was on the kiosk's screen as they pressed the button."""
    id: Id
    station: Name
    at: float
    student: Name | None = None
    coming: bool = False  # an adult said "on my way" (the call stays open until answered)
    peer: Name | None = None  # the classmate the kiosk suggested asking (HelpData), a student of the class
    peer_taken: bool | None = None  # whether the student said they would ask them; None: no answer


CHOSE: Final = "chose"  # ChoiceRound.how: the student picked the station
PLACED: Final = "placed"  # ChoiceRound.how: the student did not choose in time; the hub placed them


class ChoiceRound(Part, frozen=True):
    """A round whose students choose their station (must-do stations first, then may-do), open for picks
    until ``until`` (hub time). ``places``: what is left at each station with a capacity (absent: no limit);
    ``allowed``: the stations each student may choose (their must-dos left, else the may-dos); ``going``:
    where each student goes this round as chosen or placed so far, and ``how`` (CHOSE or PLACED)."""
    round: Count
    until: float
    must: tuple[Name, ...] = ()
    places: dict[str, Count] = {}
    allowed: dict[str, tuple[Name, ...]] = {}
    going: dict[str, Name] = {}
    how: dict[str, Literal["chose", "placed"]] = {}

    def open(self, hub_now: float) -> bool:
        return hub_now < self.until

    def waiting(self, student_id: str, hub_now: float) -> bool:
        """The student may still pick (choosing is open and they have not been given a place)."""
        return self.open(hub_now) and student_id in self.allowed and student_id not in self.going


class Progress(Part, frozen=True):
    """A student's session so far, from their kiosk events: what they chose, their goal, their exit ticket."""
    activity: Activity | None = None
    goal: Goal | None = None
    ticket: TicketAnswer | None = None
    next: Goal | None = None  # what they would like to do next


GoalWords: TypeAlias = Annotated[dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")], Goal],
                                 msgspec.Meta(max_length=10)]  # a goal's words by kiosk language


class StandingGoal(Part, frozen=True):
    """A student's goal across lessons until it is closed (met, changed, dropped): one of the room's (``text``
    as recorded, ``words`` in each kiosk language) or their own, set with the teacher (``own``, as written)."""
    text: Goal
    picture: Name
    set_at: float
    words: GoalWords = {}
    own: bool = False


class LastVisit(Part, frozen=True):
    """What a student said at a station's exit ticket the last time they left it, in any lesson."""
    station: Name
    at: float
    how: TicketAnswer
    next: Goal | None = None
    goal: GoalAnswer | None = None


class PeerHelp(Part, frozen=True):
    """The running class's setting for suggesting a classmate when a student asks for help: off unless the
    teacher turns it on; ``excluded`` are never suggested. The teacher's: a kiosk's view leaves it out."""
    on: bool = False
    excluded: Annotated[tuple[Name, ...], msgspec.Meta(max_length=500)] = ()


class StartArgs(Part, frozen=True):
    """A lesson's settings, each optional: the round length, the number of rounds (by default one per running
    station; after the last, the rotation starts over), the passing time at the start of each round, the
    stations switched off for the lesson, and the class (switched to first: only with no lesson running)."""
    minutes: Annotated[float, msgspec.Meta(ge=1, le=60)] | None = None
    rounds: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    passing: Annotated[float, msgspec.Meta(ge=0, le=3)] = 0  # minutes
    off: Annotated[tuple[Name, ...], msgspec.Meta(max_length=50)] = ()
    class_ref: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = msgspec.field(
        default=None, name="class")
    choice_rounds: Annotated[tuple[Annotated[int, msgspec.Meta(ge=1, le=20)], ...], msgspec.Meta(max_length=20)] = ()
    must_do: Annotated[tuple[Name, ...], msgspec.Meta(max_length=50)] = ()  # in choice rounds; the others: may-do


MAX_CLASSES = 100  # in one room


class ClassEntry(Part, frozen=True):
    """One of the room's classes (periods): ``students`` are the ids of its students, so a kiosk can tell a
    student of another class where they belong without knowing their name; ``due`` when the room's weekly
    schedule says it is this class's period now."""
    id: Name
    name: Title
    students: tuple[Name, ...] = ()
    due: bool = False
    lesson: StartArgs | None = None  # the settings of the class's last lesson: its preset


class State(Message, frozen=True, omit_defaults=False):
    """The hub's retained snapshot of the room; a kiosk's view is one, cut to its station. ``seq`` only ever
    increases."""
    seq: Count
    hub_time: float
    clock: Clock
    stations: Annotated[tuple[Station, ...], msgspec.Meta(max_length=50)]
    groups: Annotated[tuple[Group, ...], msgspec.Meta(max_length=100)]
    students: dict[str, Student]
    presence: dict[str, Presence]
    help: Annotated[tuple[HelpRequest, ...], msgspec.Meta(max_length=100)] = ()  # in order of arrival
    goals: Annotated[tuple[Goal, ...], msgspec.Meta(max_length=6)] = ()  # the goals a student picks from
    goal_pictures: Annotated[tuple[Name, ...], msgspec.Meta(max_length=6)] = ()  # one per goal
    goal_words: Annotated[tuple[GoalWords, ...], msgspec.Meta(max_length=6)] = ()  # one per goal: its translations
    standing: dict[str, StandingGoal] = {}  # each student's goal across lessons, while open
    last_visits: dict[str, tuple[LastVisit, ...]] = {}  # by student: their last exit ticket at each station
    progress: dict[str, Progress] = {}  # this session's, by student
    class_id: Name | None = None  # the class the room runs now: its students are ``students``
    classes: Annotated[tuple[ClassEntry, ...], msgspec.Meta(max_length=MAX_CLASSES)] = ()  # every class of the room
    attendance: dict[str, AttendanceMark] = {}  # this lesson's: absent, or late until their first check-in
    checked_out: dict[str, Presence] = {}  # where and when a student left a station, until their next check-in
    out: dict[str, Presence] = {}  # who took the out-of-room pass, from where and when, until their next scan
    ended: LessonEnd | None = None  # the lesson that ended last, until the next one starts
    pairings: Annotated[tuple[PairingNotice, ...], msgspec.Meta(max_length=20)] = ()  # the display's alone
    # By station: the students who may be suggested to a classmate asking for help there now, best first
    # (hub/peers.py); a kiosk's view has its own station's alone.
    helpers: dict[str, tuple[Name, ...]] = {}
    peer_help: PeerHelp | None = None  # the running class's setting: the teacher's (not in a kiosk's view)
    choice: ChoiceRound | None = None  # this round's choosing, in a choice round

    def follow(self, change: PresenceChange) -> State | None:
        """This state with the change applied, or None if the change does not follow on from it."""
        if change.seq != self.seq + 1:
            return None
        return msgspec.structs.replace(self, seq=change.seq,
                                       presence={**self.presence, change.student: Presence(change.station, change.at)})

    def station(self, station_id: str) -> Station | None:
        return next((s for s in self.stations if s.id == station_id), None)

    def running_class(self) -> ClassEntry | None:
        return next((c for c in self.classes if c.id == self.class_id), None)

    def other_class_of(self, student_id: str) -> ClassEntry | None:
        """A class, not the running one, that the student is in."""
        return next((c for c in self.classes if c.id != self.class_id and student_id in c.students), None)

    def expected_station(self, student_id: str) -> Station | None:
        """The station where the student is expected this round, if any: in a choice round, the one they chose
        or were placed at; else (and until then) their group's."""
        going = self.choice.going.get(student_id) if self.choice else None
        if going is not None:
            return self.station(going)
        student = self.students.get(student_id)
        if student is None or student.group is None:
            return None
        return next((s for s in self.stations if student.group in s.groups), None)


class StationCount(Part, frozen=True, omit_defaults=False):
    id: Name
    name: Title
    here: Count
    expected: Count


class LessonEnd(Part, frozen=True):
    """What a lesson came to, in counts for the board (the report names the students): ``checked_in`` by station."""
    class_name: Title
    started: float
    ended: float
    checked_in: tuple[StationCount, ...]
    absent: Count = 0
    stuck: Count = 0  # exit tickets that said "stuck"
    tickets: Count = 0  # exit tickets in all
    help_calls: Count = 0
    report: Annotated[str, msgspec.Meta(max_length=500)] | None = None  # where the report was written


class PairingNotice(Part, frozen=True):
    """What became of a kiosk's pairing code, for the technician at the hub's screen, for a few minutes after:
    ``paired`` with ``board`` (its host name and address, as the board said them), or spent by wrong tries,
    the last from ``board``."""
    station: Name
    board: Annotated[str, msgspec.Meta(max_length=120)]
    paired: bool
    at: float


class PresenceChange(Message, frozen=True):
    """One student checked in somewhere: sent at once, between the (coalesced) state snapshots.
    Apply it only to a state whose ``seq`` is exactly ``seq - 1``; after a gap, wait for the next state."""
    seq: Annotated[int, msgspec.Meta(ge=1)]
    student: Name
    station: Name
    at: float


class Summary(Message, frozen=True, omit_defaults=False):
    """What a school sees of the room (bridged to its broker): counts, never names or ids."""
    room: Title
    round: Count
    rounds: Count
    running: bool
    ends_at: float | None
    left: float | None
    students: Count
    checked_in: Count
    help_waiting: Count
    stations: tuple[StationCount, ...]


# Display → hub: teacher commands, each action's arguments declared
class NoArgs(Part, frozen=True):
    pass


class ExtendArgs(Part, frozen=True):
    minutes: Annotated[float, msgspec.Meta(ge=1, le=60)] = 1


GROUPING_STRATEGIES = ("interest", "readiness", "mixed", "random")  # ways to suggest groups (hub/grouping.py)


class SuggestGroupsArgs(Part, frozen=True):
    strategy: Name  # one of GROUPING_STRATEGIES, checked by hub/grouping.py
    groups: Annotated[int, msgspec.Meta(ge=1)]  # how many
    apart: tuple[tuple[Name, Name], ...] = ()  # pairs of student ids kept in different groups
    seed: int = 0


RegroupWhen: TypeAlias = Literal["now", "round", "lesson"]  # at once, from the next round, from the next lesson


class SetGroupsArgs(Part, frozen=True):
    groups: dict[str, tuple[str, ...]]  # group name -> student ids
    when: RegroupWhen = "now"


class EndArgs(Part, frozen=True):
    """``collect``: seconds in which kiosks ask every student scanning for a last exit ticket before the lesson
    ends (0: it ends at once)."""
    collect: Annotated[float, msgspec.Meta(ge=0, le=300)] = 0


class ChangeLessonArgs(Part, frozen=True):
    """The running lesson changed: the round length (this round's and the later ones'), the number of rounds,
    the passing time, and stations switched off or on from the next round."""
    minutes: Annotated[float, msgspec.Meta(ge=1, le=60)] | None = None
    rounds: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    passing: Annotated[float, msgspec.Meta(ge=0, le=3)] | None = None
    off: Annotated[tuple[Name, ...], msgspec.Meta(max_length=50)] = ()
    on: Annotated[tuple[Name, ...], msgspec.Meta(max_length=50)] = ()


AttendanceMark: TypeAlias = Literal["absent", "late"]
ATTENDANCE_MARKS: tuple[str, ...] = get_args(AttendanceMark)


class AttendanceArgs(Part, frozen=True):
    student: str
    mark: AttendanceMark | Literal["present"]  # present takes a mark back
    station: Name | None = None  # with present: the teacher saw them there (the teacher's table): checked in


class MoveStudentArgs(Part, frozen=True):
    student: str
    group: str


class SkipStationArgs(Part, frozen=True):
    group: str
    station: str
    instead: str | None = None


class AnswerHelpArgs(Part, frozen=True):
    id: str


class NoteArgs(NoteData, frozen=True, kw_only=True):
    student: str


class StudentArgs(Part, frozen=True):
    student: str


PersonName: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"\S")]


class AddStudentArgs(Part, frozen=True):
    """A student new to the running class, added by the teacher before the school's roster has them."""
    first_name: PersonName
    last_name: PersonName
    group: Name | None = None


class SetNeedsArgs(Part, frozen=True):
    """How a student of the running class is best asked at the kiosk, as the teacher sets it."""
    student: Name
    needs: Needs


class RoomGoalArgs(Part, frozen=True):
    """One of the room's goals, as the teacher writes it: a picture and its words in every kiosk language."""
    picture: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
    words: GoalWords


class SetGoalsArgs(Part, frozen=True):
    """The room's goal list, which students pick from at the kiosk (empty: the room file's again)."""
    goals: Annotated[tuple[RoomGoalArgs, ...], msgspec.Meta(max_length=6)]


class OwnGoalArgs(Part, frozen=True):
    """A goal of the student's own, set with the teacher: their standing goal from now on."""
    student: Name
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]
    picture: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]


class CloseGoalArgs(Part, frozen=True):
    student: Name
    outcome: GoalOutcome


class PeerHelpArgs(Part, frozen=True):
    """Peer suggestions on or off for the running class."""
    on: bool


class PeerExcludeArgs(Part, frozen=True):
    """A student of the running class never suggested to a classmate (``excluded``), or suggested again."""
    student: Name
    excluded: bool = True


class PairKioskArgs(Part, frozen=True):
    station: str


class ClassArgs(Part, frozen=True):
    class_ref: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] = msgspec.field(name="class")


COMMAND_ARGS: dict[str, type[Part]] = {
    "start": StartArgs, "pause": NoArgs, "resume": NoArgs, "extend": ExtendArgs, "next": NoArgs, "end": EndArgs,
    "change_lesson": ChangeLessonArgs,
    "suggest_groups": SuggestGroupsArgs, "set_groups": SetGroupsArgs, "move_student": MoveStudentArgs,
    "skip_station": SkipStationArgs, "answer_help": AnswerHelpArgs, "help_coming": AnswerHelpArgs,
    "conference_note": NoteArgs, "make_report": NoArgs, "reissue_card": StudentArgs, "delete_student": StudentArgs,
    "add_student": AddStudentArgs, "set_needs": SetNeedsArgs, "peer_help": PeerHelpArgs,
    "peer_exclude": PeerExcludeArgs,
    "pair_kiosk": PairKioskArgs, "set_class": ClassArgs, "mark_attendance": AttendanceArgs,
    "set_goals": SetGoalsArgs, "set_own_goal": OwnGoalArgs, "close_goal": CloseGoalArgs,
}
CLOCK_ACTIONS = ("start", "pause", "resume", "extend", "next", "end")
GROUP_ACTIONS = ("suggest_groups", "set_groups", "move_student")
COMMAND_ACTIONS = frozenset(COMMAND_ARGS)
Action: TypeAlias = Literal["start", "pause", "resume", "extend", "next", "end", "suggest_groups", "set_groups",
                            "move_student", "skip_station", "answer_help", "conference_note", "make_report",
                            "reissue_card", "delete_student", "pair_kiosk", "set_class", "mark_attendance",
                            "change_lesson", "add_student", "help_coming", "set_needs", "set_goals",
                            "set_own_goal", "close_goal", "peer_help",
                            "peer_exclude"]


class Command(Message, frozen=True, omit_defaults=False):
    """A teacher's command. ``args`` travel as an object and are read as the action's ``COMMAND_ARGS`` by
    ``command_args``, so a command with wrong arguments is answered (refused, saying why), not dropped."""
    id: Id
    action: Action
    client: Name
    args: dict[str, Any] = {}


A = TypeVar("A", bound=Part)


def command_args(command: Command, expected: type[A]) -> A:
    """The command's arguments as its action declares them; ``ProtocolError`` names the field if not."""
    declared = COMMAND_ARGS[command.action]
    if not issubclass(declared, expected):
        raise TypeError(f"{command.action} takes {declared.__name__}, not {expected.__name__}")
    return _convert(command.args, declared, "$.args")


class Reply(Message, frozen=True):
    id: Id
    ok: bool
    message: Annotated[str, msgspec.Meta(max_length=500)] = ""
    data: dict[str, Any] | None = None  # what the command returns, e.g. suggested groups


# "My path": a kiosk asks for the student at its screen, the hub answers that kiosk alone (docs/privacy.md)
PATH_LESSONS = 30  # the most lessons a path holds, the newest
PATH_VISITS = 12  # the most station visits of one lesson a path holds, the first


class PathRequest(Message, frozen=True):
    """A kiosk asks for the path of the student whose card it just read: the card proves the student is there.
    ``id`` is the kiosk's own, new each time, and comes back in the answer."""
    id: Id
    card: CardText


class PathVisit(Part, frozen=True):
    """One station a student went to in a lesson, with its look as the state gives it, what they chose there,
    their exit ticket and what they asked for next time."""
    station: Name
    name: Title
    colour: Name | None = None
    picture: Name | None = None
    activity: Activity | None = None
    activity_picture: Name | None = None
    ticket: TicketAnswer | None = None
    next: Goal | None = None


class PathLesson(Part, frozen=True):
    """One lesson of the student's: when it began, the stations in the order visited, the goal they set and
    whether they said they met it."""
    started: float
    visits: Annotated[tuple[PathVisit, ...], msgspec.Meta(max_length=PATH_VISITS)] = ()
    goal: Goal | None = None
    goal_met: bool = False


class PathReply(Message, frozen=True):
    """The hub's answer to a ``PathRequest`` (``id`` is the request's), for that kiosk alone and never kept:
    the card's student's lessons, newest first, and the goals they met, newest first; or ``refused``, why."""
    id: Id
    student: Name | None = None  # whose path it is: absent on a refusal
    lessons: Annotated[tuple[PathLesson, ...], msgspec.Meta(max_length=PATH_LESSONS)] = ()
    goals_met: Annotated[tuple[Goal, ...], msgspec.Meta(max_length=PATH_LESSONS)] = ()
    refused: Reason | None = None


# Encoding and decoding
MESSAGE_TYPES: dict[str, type[Message]] = {
    "kiosk_status": KioskStatus, "kiosk_event": Event, "ack": Ack, "hub_status": HubStatus,
    "state": State, "view": State, "presence": PresenceChange, "summary": Summary, "command": Command,
    "reply": Reply, "hub_claim": HubClaim, "path_request": PathRequest, "path": PathReply, "pick_answer": PickAnswer,
}
_CHECKS: Mapping[str, Callable[[Any], Message]] = {"kiosk_event": _checked_event}
_DECODERS = {kind: msgspec.json.Decoder(message_type | _Unversioned)
             for kind, message_type in MESSAGE_TYPES.items()}
_ENCODER = msgspec.json.Encoder()


def encode(message: Message) -> bytes:
    """JSON bytes for a message, with the protocol version first."""
    return _ENCODER.encode(message)


def decode(kind: str, payload: bytes | bytearray) -> Any:
    """Validate one payload of a topic kind (see ``Topics.parse``) and return its message."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise ProtocolError(f"no message is defined for {kind!r}")
    limit = MAX_PAYLOAD.get(kind, DEFAULT_MAX_PAYLOAD)
    if len(payload) > limit:
        raise ProtocolError(f"payload of {len(payload)} bytes is over the {limit}-byte limit")
    try:
        message = decoder.decode(payload)
    except msgspec.ValidationError as error:
        raise ProtocolError(_reason(str(error))) from None
    except msgspec.DecodeError as error:
        raise ProtocolError(f"not JSON: {error}") from None
    except RecursionError:
        raise ProtocolError("not JSON: nested too deeply") from None
    if isinstance(message, _Unversioned):
        raise ProtocolError(f"unsupported protocol version (this is {VERSION}): 0")
    check = _CHECKS.get(kind)
    return check(message) if check else message


def event_reference(payload: bytes) -> tuple[str, int | None] | None:
    """The id (and ``seq``, if readable) of a version 1 event payload ``decode`` refused, so the hub can answer
    it; None when not even the id can be read, or the event is of another version (a newer kiosk's event waits
    in its outbox for a newer hub, not refused by this one)."""
    try:
        found = _EVENT_REFERENCE.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    return found.id, found.seq if isinstance(found.seq, int) and not isinstance(found.seq, bool) else None


class _EventReference(msgspec.Struct):
    v: Literal[1]
    id: Id
    seq: Any = None


_EVENT_REFERENCE = msgspec.json.Decoder(_EventReference)
_VERSION_FIELD = "- at `$.v`"


def _reason(message: str) -> str:
    if message == "Object missing required field `v`":
        return "payload has no 'v' (protocol version)"
    if message.endswith(_VERSION_FIELD):
        found = message.removesuffix(_VERSION_FIELD).removeprefix("Invalid value").strip()
        return f"unsupported protocol version (this is {VERSION}): {found}"
    return message


def _convert(value: Any, as_type: type[A], where: str) -> A:
    """``value`` (already decoded JSON) as ``as_type``, errors naming the field under ``where``."""
    try:
        return msgspec.convert(value, as_type)
    except msgspec.ValidationError as error:
        text = str(error)
        raise ProtocolError(text.replace("`$", f"`{where}") if "`$" in text else f"{text} - at `{where}`") from None
