"""The room config file (TOML), validated: a wrong key or value names the file and the key.

Each key is declared once, as a field of the frozen dataclass its section becomes: its type, its default, its
bounds or choices and a line of help, in ``msgspec.Meta`` (and a ``Rule`` where Meta cannot say it).
``parse_config`` checks each value against its field's declaration (``msgspec.convert``, strict); ``key_table``
writes the same declarations as the key tables of docs/configuration.md (``python -m shared.config
docs/configuration.md`` rewrites them, and tests/test_docs.py checks that they match).
``assets/sample/room.toml`` is a working example. Paths in the file are relative to the file.
"""
from __future__ import annotations

import difflib
import re
import sys
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec
from msgspec import Meta

from shared.cards import KEY_BYTES, TOKEN_CHARACTERS, CardKeys, public_key, read_signing_key
from shared.keyboard_layouts import LAYOUTS
from shared.languages import LANGUAGES, N_
from shared.pictures import STATION_COLOURS
from shared.pin import is_pin_hash
from shared.toml_literal import toml_value
from shared.topics import NAME_PATTERN

StationKind = Literal["teacher-led", "independent", "collaborative", "tech", "reading", "other"]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
STATION_KINDS: tuple[str, ...] = get_args(StationKind)
SchoolShare = Literal["summary", "status", "state"]
ScannerLayout = Literal[tuple(LAYOUTS)]  # type: ignore[valid-type]
SCHOOL_SHARES: tuple[str, ...] = get_args(SchoolShare)  # what a room may let cross to the school's broker
CARD_KEY_FILE = Path("card.key")  # the hub's key that signs cards, beside the room file unless it says otherwise
DEFAULT_GOALS = (N_("Finish what I start"), N_("Try something hard"), N_("Help a friend"), N_("Ask a good question"))
# What a student may wish for next time on the exit ticket: the kiosk offers these, and the hub takes no other.
NEXT_OPTIONS = (N_("More of this"), N_("Something harder"), N_("Something different"))


class ConfigError(ValueError):
    """A config file problem; the message starts with the file and names the key."""


@dataclass(frozen=True)
class Rule:
    """What a value must be, where ``msgspec.Meta`` cannot say it: ``allows`` tells a value that is ``must``
    from one that is not, and ``must`` is what the error and the doc say."""
    must: str
    allows: Callable[[Any], bool]


def _is_id(value: str) -> bool:
    return bool(NAME_PATTERN.fullmatch(value))


def _are_pairs_of_two(value: tuple[tuple[str, str], ...]) -> bool:
    return all(a != b for a, b in value)


def _is_camera(value: str) -> bool:
    return value == "pi" or value.startswith("/dev/video")


SCANNER_IDENTITY = re.compile(r"^usb:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")  # a USB device's vendor and product ids


def _is_scanner_device(value: str) -> bool:
    return value.startswith("/dev/input/") or bool(SCANNER_IDENTITY.match(value))


def _is_scanner_affix(value: str) -> bool:
    return value.isascii() and 1 <= len(value) <= 16 and bool(set(value) - TOKEN_CHARACTERS)


def _is_public_key(value: str) -> bool:
    try:
        return len(bytes.fromhex(value)) == KEY_BYTES
    except ValueError:  # not hexadecimal
        return False


SCANNER_AFFIX = "1 to 16 ASCII characters, one at least that no card holds (a card has letters, digits, . _ - :)"


# The shapes of values; a field adds its own Meta with its help (and bounds) to them.
NOT_BLANK = r"\S"
Text = Annotated[str, Meta(pattern=NOT_BLANK)]  # not empty, not only spaces
Id = Annotated[str, Rule("an id: 1 to 40 of a-z, 0-9, - and _, starting with a letter or digit", _is_id)]
Goal = Annotated[str, Meta(min_length=1, max_length=40)]  # texts in a list are stripped before they are checked
Activity = Annotated[str, Meta(min_length=1, max_length=24)]
PICTURE_NAME = re.compile(r"[a-z0-9_]{1,40}")


def _is_picture(value: str) -> bool:
    return bool(PICTURE_NAME.fullmatch(value))


Picture = Annotated[str, Rule('a Material Icons name (fonts.google.com/icons), e.g. "menu_book"', _is_picture)]
StationColour = Literal[tuple(STATION_COLOURS)]  # type: ignore[valid-type]
StudentId = Annotated[str, Meta(min_length=1)]
ClassRef = Annotated[str, Meta(min_length=1, max_length=255)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Rotation = Literal[0, 90, 180, 270]
ROTATION_HELP = ("turn the picture this many degrees counter-clockwise, and the touches with it: 90 or 270 for a "
                 "screen mounted on its side (a Touch Display 2 in landscape), 180 for one upside down")
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _is_time(value: str) -> bool:
    return bool(_TIME.match(value))


ClockTime = Annotated[str, Rule('a time of day, "HH:MM" (24 hours)', _is_time)]


@dataclass(frozen=True)
class _Room:
    """The [room] table as written; Config carries it as room_id, room_name, secret, roster, ..."""
    id: Annotated[Id, Meta(description="the room id in MQTT topics")]
    name: Annotated[Text, Meta(description="shown on the display", extra={"default": "the id"})] | None = None
    secret: Annotated[Text, Meta(description="the class secret, at least 32 hex digits: this or `secret_file` "
                                             "(the hub's; it signed the old cards)")] | None = None
    secret_file: Annotated[Path, Meta(description="a file holding the class secret: this or `secret`")] | None = None
    card_key_file: Annotated[Path, Meta(description="the hub's private key that signs the cards (Ed25519, PEM; "
                                                    "the installer makes it once with `rotation card-key`): "
                                                    "only the hub holds it; not read with `card_public_key`")] \
        = CARD_KEY_FILE
    card_public_key: Annotated[str, Meta(description="the public key that checks the cards, on a kiosk "
                                                     "(`rotation pair` writes it)"),
                               Rule("64 hex digits", _is_public_key)] | None = None
    accept_old_cards: Annotated[bool, Meta(description="also take the old cards (`RS1`, signed with the class "
                                                       "secret) until they are reprinted: kiosks paired meanwhile "
                                                       "get the class secret, with which a stolen one can make "
                                                       "them")] = False
    roster: Annotated[Path, Meta(description="the class lists: a CSV file (with a `class` column for several "
                                             "classes), or a OneRoster 1.1 or 1.2 CSV export (a folder or a .zip, "
                                             "bulk or delta), imported again whenever its files change")] \
        | None = None
    classes: Annotated[tuple[ClassRef, ...], Meta(min_length=1, max_length=50, description=(
        "the room's classes in a OneRoster export: each one's sourcedId, classCode or title (`rotation roster "
        "classes` lists them)"))] = ()
    teacher: Annotated[Text, Meta(description="every class this teacher teaches in a OneRoster export: their "
                                              "sourcedId, username or email (with or instead of `classes`)")] \
        | None = None
    roster_class: Annotated[Text, Meta(description="one class of a OneRoster export: the older form of "
                                                   "`classes`")] | None = None
    goals: Annotated[tuple[Goal, ...], Meta(min_length=2, max_length=6, description="what a student with no goal "
                                            "picks from at check-in, until the teacher sets the room's goals on "
                                            "the web companion (a goal carries over lessons until met, changed "
                                            "or dropped)")] = DEFAULT_GOALS
    keep_apart: Annotated[tuple[tuple[StudentId, StudentId], ...], Meta(
        description="pairs of students every suggested grouping (display or `rotation hub regroup`) keeps in "
                    "different groups"),
        Rule('a list of pairs of two different student ids, e.g. [["s01", "s07"]]', _are_pairs_of_two)] = ()
    retention_days: Annotated[int, Meta(ge=1, le=3650, description="how many days the hub keeps events, "
                                        "conference notes and reports; older ones are erased once a day")] = 180
    goal_pictures: Annotated[tuple[Picture, ...], Meta(
        max_length=6, description="a picture for each goal, in the same order",
        extra={"default": "the default goals' own; a flag"})] = ()
    language: Annotated[Language, Meta(description="the kiosks' language when no student is on screen and on "
                                                   "their teacher's screen, and for each student with none of "
                                                   "their own in the roster")] = "en"
    speech: Annotated[bool, Meta(description="the kiosks speak each prompt as it shows (a student's own "
                                             "setting comes first)")] = False


@dataclass(frozen=True)
class StationConfig:
    id: Annotated[Id, Meta(description="the station id in MQTT topics")]
    name: Annotated[Text, Meta(description="what students and the teacher read")]
    kind: Annotated[StationKind, Meta(description="what kind of station it is")]
    kiosk: Annotated[bool, Meta(description="`false` for a station without a kiosk, such as the teacher's table")] \
        = True
    capacity: Annotated[int, Meta(ge=1, le=200, description="how many students fit at the station at once",
                                  extra={"default": "no limit"})] | None = None
    activities: Annotated[tuple[Activity, ...], Meta(
        min_length=1, max_length=4, description='what a student may choose to do here, e.g. `["Read a book", '
                                                '"Listen to a story"]`')] = ()
    colour: Annotated[StationColour, Meta(  # type: ignore[valid-type]
        description="its colour on the kiosk, the map and the web companion", extra={"default": "its kind's"})] \
        | None = None
    picture: Annotated[Picture, Meta(description="its picture on the kiosk, the map and the web companion",
                                     extra={"default": "its kind's"})] | None = None
    pictures: Annotated[tuple[Picture, ...], Meta(
        max_length=4, description="a picture for each activity, in the same order (else the station's)")] = ()


@dataclass(frozen=True)
class PeriodConfig:
    """One period of the room's weekly timetable: the display offers its class while it lasts."""
    class_: Annotated[Text, Meta(description="the class: its id on the hub, or its sourcedId, code or title")]
    days: Annotated[tuple[Weekday, ...], Meta(min_length=1, description="the days it is taught")]
    start: Annotated[ClockTime, Meta(description="when it begins")]
    end: Annotated[ClockTime, Meta(description="when it ends")]


@dataclass(frozen=True)
class BrokerConfig:
    host: Annotated[Text, Meta(description="the Mosquitto broker (on the hub Pi)")] = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535, description="the broker's port: `8883` with TLS")] = 1883
    username: Annotated[Text, Meta(description="one fixed account, for a broker not set up by `rotation broker "
                                               "setup` (overrides `accounts`); with `password`")] | None = None
    password: Annotated[Text, Meta(description="the fixed account's password")] | None = None
    accounts: Annotated[Path, Meta(description="the folder `rotation broker setup` writes the passwords to: each "
                                               "process logs in with its own account")] | None = None
    tls: Annotated[bool, Meta(description="connect with TLS; needs `ca_file`")] = False
    ca_file: Annotated[Path, Meta(description="the room's CA certificate: `ca.crt` in the accounts folder after "
                                              "`rotation broker setup --tls`")] | None = None


@dataclass(frozen=True)
class HubConfig:
    database: Annotated[Path, Meta(description="the hub's SQLite file")] = Path("hub.db")
    round_minutes: Annotated[float, Meta(ge=0.1, le=240, description="the length of a round, in minutes")] = 15.0
    auto_advance: Annotated[bool, Meta(description="move to the next round when the time is up (else the clock "
                                                   "runs over until the teacher presses Next)")] = True
    autostart: Annotated[bool, Meta(description="start round 1 as soon as the hub starts (the demo uses this)")] \
        = False


@dataclass(frozen=True)
class KioskConfig:
    station: Annotated[Id, Meta(description="this kiosk's station (or `rotation kiosk --station`)")] | None = None
    outbox: Annotated[Path, Meta(description="the kiosk's SQLite outbox")] = Path("kiosk-outbox.db")
    keep_acked_days: Annotated[int, Meta(ge=0, le=30, description="how many days the outbox keeps events after "
                                                                  "the hub has them, so that a hub whose damaged "
                                                                  "database went back to its last backup can ask "
                                                                  "for them again (0: none kept)")] = 3
    serial_port: Annotated[Text, Meta(description="a serial or USB-CDC QR scanner, e.g. `/dev/ttyACM0` (or "
                                                  "`--serial`)")] | None = None
    serial_baud: Annotated[int, Meta(ge=1200, le=921600, description="the serial scanner's speed")] = 9600
    scanner_prefix: Annotated[str, Meta(description="what the scanner (serial, or read from `scanner_device`) "
                                                    "was set to send before each code, dropped (e.g. "
                                                    "`\"\\u0002\"`, STX)"),
                              Rule(SCANNER_AFFIX, _is_scanner_affix)] | None = None
    scanner_suffix: Annotated[str, Meta(description="what the scanner was set to send after each code (CR, LF "
                                                    "and TAB are understood without it): it ends the scan, and is "
                                                    "dropped (e.g. `\"\\u0003\"`, ETX)"),
                              Rule(SCANNER_AFFIX, _is_scanner_affix)] | None = None
    scanner_device: Annotated[str, Meta(description="a keyboard-mode (USB HID) scanner, read from its input "
                                                    "device and grabbed, so its keys reach nothing else: its "
                                                    "`/dev/input/by-id/...` link or its USB identity (`rotation "
                                                    "kiosk scanners` lists both)"),
                              Rule('a "/dev/input/..." path, or "usb:VENDOR:PRODUCT" in hex, e.g. "usb:0c2e:0b61"',
                                   _is_scanner_device)] | None = None
    scanner_layout: Annotated[ScannerLayout, Meta(  # type: ignore[valid-type]
        description="the keyboard layout `scanner_device` is set to type with (a setting of the scanner's, not "
                    "the kiosk's): us, uk (British), de (German) or fr (French)")] = "us"
    keyboard_wedge: Annotated[bool, Meta(description="also accept a USB scanner that types the code and presses "
                                                     "Enter into the window (when no `scanner_device` is "
                                                     "set)")] = True
    fullscreen: Annotated[bool, Meta(description="fill the touchscreen")] = False
    teacher_pin: Annotated[str, Meta(description="the hash of the teacher's PIN: with it, the kiosk has a "
                                                 "teacher's screen behind the PIN"),
                           Rule("the hash `rotation pin` prints, never the PIN itself", is_pin_hash)] | None = None
    camera: Annotated[str, Meta(description="read the cards with a camera instead of a scanner"),
                      Rule('"pi" (the Pi camera) or a webcam\'s device, such as "/dev/video0"', _is_camera)] \
        | None = None
    large_text: Annotated[bool, Meta(description="larger words for everyone at this kiosk (a student's own "
                                                 "setting in the roster comes first)")] = False
    high_contrast: Annotated[bool, Meta(description="white on black for everyone at this kiosk")] = False
    rotation: Annotated[Rotation, Meta(description=ROTATION_HELP)] = 0


@dataclass(frozen=True)
class DisplayConfig:
    fullscreen: Annotated[bool, Meta(description="fill the screen")] = False
    teacher_pin: Annotated[str, Meta(description="the hash of the teacher's PIN: with it, exit-ticket colours and "
                                                 "conference notes open on the wall map for 5 minutes (else "
                                                 "never)"),
                           Rule("the hash `rotation pin` prints, never the PIN itself", is_pin_hash)] | None = None
    rotation: Annotated[Rotation, Meta(description=ROTATION_HELP)] = 0


@dataclass(frozen=True)
class WebConfig:
    """The teacher's web companion (`rotation hub web`): private, so HTTPS unless it listens on loopback only."""
    host: Annotated[Text, Meta(description="the address it listens on: `0.0.0.0` for the school network (needs "
                                           "`certificate` and `key`), else this machine only")] = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535, description="its port")] = 8443
    accounts: Annotated[Path, Meta(description="the teachers' accounts (`rotation teacher add`)")] = \
        Path("teachers.db")
    certificate: Annotated[Path, Meta(description="its HTTPS certificate (the room's, from `rotation broker "
                                                  "setup --tls`, names the hub)")] | None = None
    key: Annotated[Path, Meta(description="that certificate's private key")] | None = None
    session_hours: Annotated[float, Meta(ge=0.25, le=24, description="a login lasts this long")] = 10.0
    url: Annotated[str, Meta(pattern=r"^https?://[^\s/]+(:[0-9]+)?/?$",
                             description="the address teachers' devices open, such as "
                                         "`https://room12-hub.local:8443/` (the room map shows it with its QR "
                                         "code); the installer sets it")] | None = None

    @property
    def address(self) -> str:
        """Where a teacher's browser finds it."""
        if self.url is not None:
            return self.url if self.url.endswith("/") else self.url + "/"
        scheme = "https" if self.certificate is not None else "http"
        host = "127.0.0.1" if self.host in LOOPBACK or self.host in ("0.0.0.0", "::") else self.host
        return f"{scheme}://{'[' + host + ']' if ':' in host else host}:{self.port}/"

    @property
    def for_devices(self) -> bool:
        """Whether teachers' devices can open it (the room map then shows its address): it listens on the
        network, or its address was given."""
        return self.url is not None or self.host not in LOOPBACK


def _is_copy_target(value: str) -> bool:
    """An absolute folder, or ``[user@]host:folder``: a colon before any slash, with a host before it."""
    head = value.split("/", 1)[0]
    return value.startswith("/") or ":" in head and bool(head.split(":", 1)[0].strip())


@dataclass(frozen=True)
class BackupConfig:
    """The nightly backup (`rotation backup`) also goes off the board: a dead SD card then loses nothing."""
    copy_to: Annotated[str, Meta(description="where each night's checked backup is copied, by rsync: a USB "
                                             "stick's folder (`\"/media/usb/room12\"`, made once on the stick) "
                                             "or the school's server over SSH (`\"backup@school-server:/srv/"
                                             "rotation/room12\"`, with the hub's key)"),
                       Rule('an absolute folder, or "[user@]host:folder" for SSH', _is_copy_target)] | None = None
    keep: Annotated[int, Meta(ge=1, le=1000, description="how many copies to keep at `copy_to` (the oldest "
                                                         "go once a new one is in)")] = 14


@dataclass(frozen=True)
class SchoolConfig:
    """The school's broker, which the room's broker bridges to: only ``share`` crosses."""
    host: Annotated[Text, Meta(description="the school's broker")]
    port: Annotated[int, Meta(ge=1, le=65535, description="the school broker's port")] = 1883
    username: Annotated[Text, Meta(description="the room's account at the school's broker; with "
                                               "`password_file`")] | None = None
    password_file: Annotated[Path, Meta(description="a file holding that account's password")] | None = None
    tls: Annotated[bool, Meta(description="connect with TLS; needs `ca_file`")] = False
    ca_file: Annotated[Path, Meta(description="the CA of the school's broker")] | None = None
    share: Annotated[tuple[SchoolShare, ...], Meta(min_length=1, description="what the school sees")] = ("summary",)


@dataclass(frozen=True)
class Config:
    """The whole file, as the programs use it; [room]'s keys are spread over its first fields."""
    path: Path
    room_id: str
    room_name: str
    class_secret: bytes | None  # the hub's; a kiosk's only while the room takes old cards
    card_public_key: bytes  # checks the cards
    card_signing_key: bytes | None  # signs them: the hub's alone
    accept_old_cards: bool  # the old cards, signed with the class secret, are still taken
    roster: Path | None
    roster_classes: tuple[str, ...]  # [room] classes, and roster_class
    roster_teacher: str | None
    stations: tuple[StationConfig, ...]
    periods: tuple[PeriodConfig, ...] = ()
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    web: WebConfig = field(default_factory=WebConfig)
    school: SchoolConfig | None = None  # a school-wide broker this room's broker bridges to
    backup: BackupConfig = field(default_factory=BackupConfig)
    goals: tuple[str, ...] = _Room.goals  # offered to a student with no goal, until the teacher sets the room's
    keep_apart: tuple[tuple[str, str], ...] = _Room.keep_apart  # kept in different groups by every suggestion
    retention_days: int = _Room.retention_days  # events, notes and reports older than this are erased, daily
    goal_pictures: tuple[str, ...] = ()  # one per goal, in order; without: the default goals' own, else a flag
    language: str = _Room.language  # the kiosks' own, and every student's without one of their own
    speech: bool = _Room.speech  # the kiosks speak their prompts, for students who have no setting of their own

    @property
    def secret(self) -> bytes:
        """The class secret: the web companion's sessions' key, and the old cards'."""
        if self.class_secret is None:
            raise ConfigError(f"{self.path}: [room] has no class secret (secret or secret_file)")
        return self.class_secret

    @property
    def card_keys(self) -> CardKeys:
        """What checks a card here: the hub's public key, and the class secret while old cards are taken."""
        return CardKeys(self.card_public_key, self.class_secret if self.accept_old_cards else None)

    @property
    def signing_key(self) -> bytes:
        """The hub's key that signs cards."""
        if self.card_signing_key is None:
            raise ConfigError(f"{self.path}: [room] has only card_public_key: only the hub holds the key that "
                              "signs cards (run this on the hub)")
        return self.card_signing_key

    def station(self, station_id: str) -> StationConfig:
        for station in self.stations:
            if station.id == station_id:
                return station
        raise ConfigError(f"{self.path}: no station {station_id!r} in [[station]] (have: "
                          f"{', '.join(s.id for s in self.stations)})")


LOOPBACK = ("127.0.0.1", "localhost", "::1")  # where the web companion may speak plain HTTP


# The file's sections and the classes that declare their keys; [[station]] is an array of tables.
_SECTIONS: dict[str, type] = {"room": _Room, "broker": BrokerConfig, "hub": HubConfig, "kiosk": KioskConfig,
                              "display": DisplayConfig, "web": WebConfig, "backup": BackupConfig,
                              "school": SchoolConfig,
                              "station": StationConfig, "period": PeriodConfig}
_ARRAYS = ("station", "period")  # [[station]], [[period]]: arrays of tables
SECTIONS = tuple(_SECTIONS)


@dataclass(frozen=True)
class _Key:
    """One key as its field declares it; a key that is a Python keyword (``class``) is a field with a trailing
    underscore."""
    name: str
    field: str
    declared: Any  # the field's type without ``| None``: the file never holds "none"
    default: Any  # MISSING when the key is required

    @property
    def _parts(self) -> tuple[Any, tuple[Any, ...]]:
        return _unannotated(self.declared)

    def _meta(self, attribute: str) -> Any:
        return next((getattr(m, attribute) for m in self._parts[1] if isinstance(m, Meta)
                     and getattr(m, attribute) is not None), None)

    @property
    def help(self) -> str:
        return str(self._meta("description") or "")

    @property
    def must(self) -> str:
        """What a value must be, said from the declaration."""
        rule = self.rule
        return rule.must if rule else _must(self.declared)

    @property
    def rule(self) -> Rule | None:
        return next((m for m in self._parts[1] if isinstance(m, Rule)), None)

    @property
    def shown_default(self) -> str:
        """The default as the doc says it."""
        extra = self._meta("extra") or {}
        if "default" in extra:
            return str(extra["default"])
        if self.default is MISSING:
            return "required"
        return "none" if self.default is None else f"`{toml_value(self.default)}`"

    def read(self, value: Any, folder: Path) -> Any:
        """The value as the program uses it; ValueError if it is not what the declaration says."""
        base, _ = self._parts
        item = _item(base)
        if isinstance(value, list) and item is not None and _unannotated(item)[0] is str:
            value = [v.strip() if isinstance(v, str) else v for v in value]
        checked = msgspec.convert(value, Text if base is Path else self.declared)  # strictly; a path: as written
        if self.rule and not self.rule.allows(checked):
            raise ValueError  # said as the key's ``must``
        item_rule = next((m for m in _unannotated(item)[1] if isinstance(m, Rule)), None) if item else None
        if item_rule is not None and not all(item_rule.allows(each) for each in checked):
            raise ValueError
        if item is not None and get_origin(_unannotated(item)[0]) is Literal:
            checked = tuple(dict.fromkeys(checked))  # some of the choices: each once
        return folder / checked if base is Path else checked


def _unannotated(declared: Any) -> tuple[Any, tuple[Any, ...]]:
    """(the bare type, the Annotated metadata)."""
    if get_origin(declared) is Annotated:
        return declared.__origin__, declared.__metadata__
    return declared, ()


def _item(base: Any) -> Any:
    """The item type of ``tuple[X, ...]``, else None."""
    args = get_args(base)
    return args[0] if get_origin(base) is tuple and len(args) == 2 and args[1] is Ellipsis else None


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _must(declared: Any) -> str:
    """What a value of this declared type must be, in words."""
    base, metadata = _unannotated(declared)
    meta: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, Meta):
            meta.update({a: getattr(m, a) for a in ("ge", "le", "min_length", "max_length", "pattern")
                         if getattr(m, a) is not None})
    if base is bool:
        return "true or false"
    if base in (int, float):
        kind = "a whole number" if base is int else "a number"
        return f"{kind} from {_number(meta['ge'])} to {_number(meta['le'])}" if "ge" in meta else kind
    if base is str:
        return "a non-empty string" if meta.get("pattern") == NOT_BLANK else "a string"
    if base is Path:
        return "a path (a non-empty string)"  # checked as Text
    if get_origin(base) is Literal:
        return f"one of {', '.join(str(choice) for choice in get_args(base))}"
    item = _item(base)
    if item is not None:
        item_base, item_metadata = _unannotated(item)
        if get_origin(item_base) is Literal:
            return f"a list of some of {', '.join(get_args(item_base))}"
        longest = next((m.max_length for m in item_metadata if isinstance(m, Meta) and m.max_length), None)
        if item_base is str and longest and "min_length" in meta and "max_length" in meta:
            return f"a list of {meta['min_length']} to {meta['max_length']} texts of at most {longest} characters"
        rule = next((m for m in item_metadata if isinstance(m, Rule)), None)
        if rule is not None and "max_length" in meta:
            return f"a list of up to {meta['max_length']}, each {rule.must}"
    raise TypeError(f"say what a {declared} must be with a Rule")


@cache
def _keys(section: str) -> dict[str, _Key]:
    """The keys of a section, in the order they are declared."""
    declared = typing.get_type_hints(_SECTIONS[section], include_extras=True)
    keys = {}
    for f in fields(_SECTIONS[section]):
        hint = declared[f.name]
        if isinstance(hint, types.UnionType) or get_origin(hint) is typing.Union:
            hint = next(t for t in get_args(hint) if t is not type(None))
        keys[f.name.rstrip("_")] = _Key(f.name.rstrip("_"), f.name, hint, f.default)
    return keys


def key_names(section: str) -> tuple[str, ...]:
    """The keys a section may hold, in the order they are declared."""
    return tuple(_keys(section))


def _heading(section: str) -> str:
    return f"[[{section}]]" if section in _ARRAYS else f"[{section}]"


def _read(path: Path, section: str, where: str, table: Any) -> dict[str, Any]:
    """The keys of one table, checked against their declarations: {name: value}, without the keys left out
    (except paths, which are resolved against the file's folder, defaults too)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{where}] must be a table")
    keys = _keys(section)
    values: dict[str, Any] = {}
    for name, value in table.items():
        key = keys.get(name)
        if key is None:
            elsewhere = [f"{_heading(s)} {name}" for s in _SECTIONS if s != section and name in _keys(s)]
            close = difflib.get_close_matches(name, list(keys), n=1)
            hint = (f": did you mean {' or '.join(elsewhere)}?" if elsewhere
                    else f": did you mean {close[0]!r}?" if close else "")
            raise ConfigError(f"{path}: [{where}] unknown key {name!r}{hint} (known: {', '.join(keys)})")
        try:
            values[key.field] = key.read(value, path.parent)
        except ValueError:
            raise ConfigError(f"{path}: [{where}] {name} = {value!r}: must be {key.must}") from None
    for key in keys.values():
        if key.field not in values:
            if key.default is MISSING:
                raise ConfigError(f"{path}: [{where}] is missing {key.name!r} ({key.help})")
            if isinstance(key.default, Path):
                values[key.field] = path.parent / key.default
    return values


def _secret(path: Path, room: _Room) -> bytes | None:
    if room.secret is not None:
        text = room.secret
        where = "secret"
    elif room.secret_file is not None:
        try:
            text = room.secret_file.read_text().strip()
        except OSError as error:
            raise ConfigError(f"{path}: [room] secret_file: cannot read {room.secret_file}: "
                              f"{error.strerror}") from None
        where = "secret_file"
    elif room.accept_old_cards:
        raise ConfigError(f"{path}: [room] accept_old_cards needs the class secret that signed them: 'secret' or "
                          "'secret_file'")
    else:
        return None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"{path}: [room] {where}: the class secret must be hexadecimal") from None
    if len(secret) < 16:
        raise ConfigError(f"{path}: [room] {where}: the class secret must be at least 16 bytes (32 hex digits)")
    return secret


def _card_keys(path: Path, room: _Room) -> tuple[bytes | None, bytes]:
    """(the key that signs cards, on the hub; the key that checks them)."""
    if room.card_public_key is not None:
        return None, bytes.fromhex(room.card_public_key)
    try:
        signing = read_signing_key(room.card_key_file.read_text(encoding="ascii", errors="replace"))
    except OSError as error:
        raise ConfigError(f"{path}: [room] card_key_file: cannot read {room.card_key_file}: {error.strerror}. "
                          "On the hub, make it once: rotation card-key > card.key (the installer does); a "
                          "kiosk needs card_public_key instead: pair it again") from None
    except ValueError as error:
        raise ConfigError(f"{path}: [room] card_key_file: {room.card_key_file} is {error} (the hub's key "
                          "that signs cards, as `rotation card-key` writes it)") from None
    return signing, public_key(signing)


def parse_config(path: Path, data: dict[str, Any]) -> Config:
    for name in data:
        if name not in _SECTIONS:
            close = difflib.get_close_matches(name, list(_SECTIONS), n=1)
            hint = f": did you mean {_heading(close[0])}?" if close else ""
            raise ConfigError(f"{path}: unknown section [{name}]{hint} (known: {', '.join(_SECTIONS)})")
    room = _Room(**_read(path, "room", "room", data.get("room", {})))
    broker = _read(path, "broker", "broker", data.get("broker", {}))
    hub = HubConfig(**_read(path, "hub", "hub", data.get("hub", {})))
    kiosk = KioskConfig(**_read(path, "kiosk", "kiosk", data.get("kiosk", {})))
    display = DisplayConfig(**_read(path, "display", "display", data.get("display", {})))
    web = WebConfig(**_read(path, "web", "web", data.get("web", {})))
    backup = BackupConfig(**_read(path, "backup", "backup", data.get("backup", {})))
    if web.host not in LOOPBACK and (web.certificate is None or web.key is None):
        raise ConfigError(f"{path}: [web] host = {web.host!r} serves the school network: it needs certificate and "
                          "key (teachers' logins and students' names go over it), or host = \"127.0.0.1\"")
    raw_school = data.get("school", {})  # an empty [school] is no school
    school = _read(path, "school", "school", raw_school) if raw_school != {} else None
    raw_stations = data.get("station", [])
    if not isinstance(raw_stations, list) or not raw_stations:
        raise ConfigError(f"{path}: [[station]] must list at least one station")
    stations = tuple(StationConfig(**_read(path, "station", f"station {number}", raw))
                     for number, raw in enumerate(raw_stations, start=1))
    seen: set[str] = set()
    for station in stations:
        if station.id in seen:
            raise ConfigError(f"{path}: [[station]] id {station.id!r} appears twice")
        seen.add(station.id)
        if station.pictures and len(station.pictures) != len(station.activities):
            raise ConfigError(f"{path}: [[station]] {station.id!r} has {len(station.activities)} activities and "
                              f"{len(station.pictures)} pictures: one picture for each activity")
    if room.goal_pictures and len(room.goal_pictures) != len(room.goals):
        raise ConfigError(f"{path}: [room] has {len(room.goals)} goals and {len(room.goal_pictures)} "
                          "goal_pictures: one picture for each goal")
    if kiosk.station is not None and kiosk.station not in seen:
        raise ConfigError(f"{path}: [kiosk] station = {kiosk.station!r} is not a [[station]] id")
    raw_periods = data.get("period", [])
    if not isinstance(raw_periods, list):
        raise ConfigError(f"{path}: [[period]] must be an array of tables")
    periods = tuple(PeriodConfig(**_read(path, "period", f"period {number}", raw))
                    for number, raw in enumerate(raw_periods, start=1))
    for number, period in enumerate(periods, start=1):
        if period.end <= period.start:
            raise ConfigError(f"{path}: [period {number}] end = {period.end!r} must be after start = "
                              f"{period.start!r}")
        for other_number, other in enumerate(periods[:number - 1], start=1):
            days = [day for day in period.days if day in other.days]
            if days and period.start < other.end and other.start < period.end:
                raise ConfigError(f"{path}: [period {number}] overlaps [period {other_number}] on {days[0]} "
                                  f"({period.start}-{period.end} and {other.start}-{other.end}): which class "
                                  "would be due?")
    if room.roster_class is not None and room.classes:
        raise ConfigError(f"{path}: [room] roster_class and classes: use classes alone")
    card_keys = _card_keys(path, room)
    return Config(
        path=path,
        room_id=room.id,
        room_name=room.name or room.id,
        class_secret=_secret(path, room),
        card_public_key=card_keys[1],
        card_signing_key=card_keys[0],
        accept_old_cards=room.accept_old_cards,
        roster=room.roster,
        roster_classes=room.classes or ((room.roster_class,) if room.roster_class else ()),
        roster_teacher=room.teacher,
        periods=periods,
        goals=room.goals,
        keep_apart=room.keep_apart,
        retention_days=room.retention_days,
        goal_pictures=room.goal_pictures,
        language=room.language,
        speech=room.speech,
        stations=stations,
        broker=_broker(path, broker),
        hub=hub,
        kiosk=kiosk,
        display=display,
        web=web,
        backup=backup,
        school=None if school is None else _school(path, school),
    )


def _school(path: Path, school: dict[str, Any]) -> SchoolConfig:
    if school.get("tls") and "ca_file" not in school:
        raise ConfigError(f"{path}: [school] tls = true needs ca_file (the CA of the school's broker)")
    if ("username" in school) != ("password_file" in school):
        raise ConfigError(f"{path}: [school] username and password_file go together")
    return SchoolConfig(**school)


def _broker(path: Path, broker: dict[str, Any]) -> BrokerConfig:
    if broker.get("tls") and "ca_file" not in broker:
        raise ConfigError(f"{path}: [broker] tls = true needs ca_file (the ca.crt made by `rotation broker setup "
                          "--tls`)")
    if ("username" in broker) != ("password" in broker):
        raise ConfigError(f"{path}: [broker] username and password go together")
    return BrokerConfig(**broker)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_config(path, data)


# The doc: docs/configuration.md's key tables are made here, each between <!-- keys of [section] --> and
# <!-- end of keys -->.
_TABLE = re.compile(r"(<!-- keys of \[{1,2}(?P<section>[a-z]+)\]{1,2} -->\n)(?P<table>.*?)(<!-- end of keys -->)",
                    re.DOTALL)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def key_table(section: str) -> str:
    """A section's keys as a Markdown table: the key, what its value must be, its default and what it means."""
    rows = ["| key | value | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{key.name}` | {_cell(key.must)} | {_cell(key.shown_default)} | {_cell(key.help)} |"
             for key in _keys(section).values()]
    return "\n".join(rows) + "\n"


def doc_sections(text: str) -> list[str]:
    """The sections whose key tables a doc holds, in its order."""
    return [match["section"] for match in _TABLE.finditer(text)]


def configuration_doc(text: str) -> str:
    """The doc with each key table made again from the declarations."""
    def table(match: re.Match[str]) -> str:
        if match["section"] not in _SECTIONS:
            raise ValueError(f"the doc has a key table for [{match['section']}], which is not a section "
                             f"(sections: {', '.join(_SECTIONS)})")
        return match[1] + key_table(match["section"]) + match[4]
    return _TABLE.sub(table, text)


if __name__ == "__main__":  # python -m shared.config docs/configuration.md: make its key tables again
    for name in sys.argv[1:]:
        doc = Path(name)
        old = doc.read_text(encoding="utf-8")
        new = configuration_doc(old)
        if new != old:
            doc.write_text(new, encoding="utf-8")
        print(f"{doc}: {'rewritten' if new != old else 'unchanged'}")
