"""The room config file (TOML), validated: a wrong key or value names the key and the file.

Every key is documented in docs/configuration.md; ``assets/sample/room.toml`` is a working example.
Paths in the file are relative to the file.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from shared.topics import check_name

STATION_KINDS = ("teacher-led", "independent", "collaborative", "tech", "reading", "other")
DEFAULT_GOALS = ("Finish what I start", "Try something hard", "Help a friend", "Ask a good question")


class ConfigError(ValueError):
    """A config file problem; the message starts with the file and names the key."""


@dataclass(frozen=True)
class StationConfig:
    id: str
    name: str
    kind: str
    kiosk: bool = True
    capacity: int | None = None  # students at once; None: no limit
    activities: tuple[str, ...] = ()  # what a student may choose to do here


@dataclass(frozen=True)
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None  # for a broker not set up by `rotation broker setup`
    password: str | None = None
    accounts: Path | None = None  # the folder of <account>.password files; each client logs in as its own
    tls: bool = False
    ca_file: Path | None = None  # the CA that signed the broker's certificate (with tls)


@dataclass(frozen=True)
class HubConfig:
    database: Path = Path("hub.db")
    round_minutes: float = 15.0
    auto_advance: bool = True
    autostart: bool = False


@dataclass(frozen=True)
class KioskConfig:
    station: str | None = None
    outbox: Path = Path("kiosk-outbox.db")
    serial_port: str | None = None
    serial_baud: int = 9600
    keyboard_wedge: bool = True
    fullscreen: bool = False
    teacher_pin: str | None = None  # a hash from `rotation pin`; without it the kiosk has no teacher's screen
    camera: str | None = None  # "pi" or a V4L2 device such as /dev/video0: the camera reads the cards


@dataclass(frozen=True)
class DisplayConfig:
    fullscreen: bool = False


SCHOOL_SHARES = ("summary", "status", "state")  # what a room may let cross to the school's broker


@dataclass(frozen=True)
class SchoolConfig:
    """The school's broker, which the room's broker bridges to: only ``share`` crosses."""
    host: str
    port: int = 1883
    username: str | None = None
    password_file: Path | None = None
    tls: bool = False
    ca_file: Path | None = None
    share: tuple[str, ...] = ("summary",)


@dataclass(frozen=True)
class Config:
    path: Path
    room_id: str
    room_name: str
    secret: bytes
    roster: Path | None
    roster_class: str | None
    stations: tuple[StationConfig, ...]
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    school: SchoolConfig | None = None  # a school-wide broker this room's broker bridges to
    goals: tuple[str, ...] = DEFAULT_GOALS  # offered to each student at their first check-in of a session
    keep_apart: tuple[tuple[str, str], ...] = ()  # students every suggested grouping keeps in different groups
    retention_days: int = 180  # events, notes and reports older than this are erased, daily

    def station(self, station_id: str) -> StationConfig:
        for station in self.stations:
            if station.id == station_id:
                return station
        raise ConfigError(f"{self.path}: no station {station_id!r} in [[station]] (have: "
                          f"{', '.join(s.id for s in self.stations)})")


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _texts(low: int, high: int, longest: int) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        if (not isinstance(value, list) or not low <= len(value) <= high
                or not all(isinstance(v, str) and 0 < len(v.strip()) <= longest for v in value)):
            raise ValueError(f"must be a list of {low} to {high} texts of at most {longest} characters")
        return tuple(v.strip() for v in value)
    return check


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(i, str) and i for i in pair) and pair[0] != pair[1]
            for pair in value):
        raise ValueError('must be a list of pairs of two different student ids, e.g. [["s01", "s07"]]')
    return tuple((a, b) for a, b in value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _number_between(low: float, high: float, integer: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            raise ValueError(f"must be {'a whole number' if integer else 'a number'} from {low:g} to {high:g}")
        return value
    return check


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value
    return check


def _camera(value: Any) -> str:
    if value != "pi" and not (isinstance(value, str) and value.startswith("/dev/video")):
        raise ValueError('must be "pi" (the Pi camera) or a webcam\'s device, such as "/dev/video0"')
    return value


def _pin_hash(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("pbkdf2-sha256$") or value.count("$") != 3:
        raise ValueError("must be the hash `rotation pin` prints, never the PIN itself")
    return value


def _one_of_each(value: Any, choices: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(v in choices for v in value):
        raise ValueError(f"must be a list of some of {', '.join(choices)}")
    return tuple(dict.fromkeys(value))


def _id(value: Any) -> str:
    return check_name(_string(value), "id")


_SECTIONS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "room": {"id": _id, "name": _string, "secret": _string, "secret_file": _string, "roster": _string,
             "roster_class": _string, "goals": _texts(2, 6, 40), "keep_apart": _pairs,
             "retention_days": _number_between(1, 3650, integer=True)},
    "broker": {"host": _string, "port": _number_between(1, 65535, integer=True), "username": _string,
               "password": _string, "accounts": _string, "tls": _boolean, "ca_file": _string},
    "hub": {"database": _string, "round_minutes": _number_between(0.1, 240), "auto_advance": _boolean,
            "autostart": _boolean},
    "kiosk": {"station": _id, "outbox": _string, "serial_port": _string,
              "serial_baud": _number_between(1200, 921600, integer=True), "keyboard_wedge": _boolean,
              "fullscreen": _boolean, "teacher_pin": lambda value: _pin_hash(value),
              "camera": lambda value: _camera(value)},
    "display": {"fullscreen": _boolean},
    "school": {"host": _string, "port": _number_between(1, 65535, integer=True), "username": _string,
               "password_file": _string, "tls": _boolean, "ca_file": _string,
               "share": lambda value: _one_of_each(value, SCHOOL_SHARES)},
}
_STATION_KEYS: dict[str, Callable[[Any], Any]] = {
    "id": _id, "name": _string, "kind": _one_of(*STATION_KINDS), "kiosk": _boolean,
    "capacity": _number_between(1, 200, integer=True), "activities": _texts(1, 4, 24),
}
_REQUIRED = {"room": ("id",), "station": ("id", "name", "kind")}


def _checked(path: Path, where: str, table: Any, schema: dict, required: tuple = ()) -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{where}] must be a table")
    values = {}
    for key, value in table.items():
        check = schema.get(key)
        if check is None:
            raise ConfigError(f"{path}: [{where}] unknown key {key!r} (known: {', '.join(schema)})")
        try:
            values[key] = check(value)
        except ValueError as error:
            raise ConfigError(f"{path}: [{where}] {key} = {value!r}: {error}") from None
    for key in required:
        if key not in values:
            raise ConfigError(f"{path}: [{where}] is missing {key!r}")
    return values


def _secret(path: Path, room: dict) -> bytes:
    if "secret" in room:
        text = room["secret"]
        where = "secret"
    elif "secret_file" in room:
        secret_path = path.parent / room["secret_file"]
        try:
            text = secret_path.read_text().strip()
        except OSError as error:
            raise ConfigError(f"{path}: [room] secret_file: cannot read {secret_path}: {error.strerror}") from None
        where = "secret_file"
    else:
        raise ConfigError(f"{path}: [room] needs 'secret' or 'secret_file' (the class secret that signs cards)")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"{path}: [room] {where}: the class secret must be hexadecimal") from None
    if len(secret) < 16:
        raise ConfigError(f"{path}: [room] {where}: the class secret must be at least 16 bytes (32 hex digits)")
    return secret


def parse_config(path: Path, data: dict) -> Config:
    for key in data:
        if key not in _SECTIONS and key != "station":
            raise ConfigError(f"{path}: unknown section [{key}] (known: {', '.join([*_SECTIONS, 'station'])})")
    sections = {name: _checked(path, name, data.get(name, {}), schema, _REQUIRED.get(name, ()))
                for name, schema in _SECTIONS.items()}
    raw_stations = data.get("station", [])
    if not isinstance(raw_stations, list) or not raw_stations:
        raise ConfigError(f"{path}: [[station]] must list at least one station")
    stations = tuple(StationConfig(**_checked(path, f"station {number}", raw, _STATION_KEYS, _REQUIRED["station"]))
                     for number, raw in enumerate(raw_stations, start=1))
    seen: set[str] = set()
    for station in stations:
        if station.id in seen:
            raise ConfigError(f"{path}: [[station]] id {station.id!r} appears twice")
        seen.add(station.id)
    room, hub, kiosk = sections["room"], sections["hub"], sections["kiosk"]
    if "station" in kiosk and kiosk["station"] not in seen:
        raise ConfigError(f"{path}: [kiosk] station = {kiosk['station']!r} is not a [[station]] id")
    base = path.parent
    return Config(
        path=path,
        room_id=room["id"],
        room_name=room.get("name", room["id"]),
        secret=_secret(path, room),
        roster=base / room["roster"] if "roster" in room else None,
        roster_class=room.get("roster_class"),
        goals=room.get("goals", DEFAULT_GOALS),
        keep_apart=room.get("keep_apart", ()),
        retention_days=room.get("retention_days", 180),
        stations=stations,
        broker=_broker(path, sections["broker"]),
        hub=HubConfig(**{**hub, "database": base / hub.get("database", "hub.db")}),
        kiosk=KioskConfig(**{**kiosk, "outbox": base / kiosk.get("outbox", "kiosk-outbox.db")}),
        display=DisplayConfig(**sections["display"]),
        school=_school(path, sections["school"]),
    )


def _school(path: Path, school: dict) -> SchoolConfig | None:
    if not school:
        return None
    if "host" not in school:
        raise ConfigError(f"{path}: [school] is missing 'host' (the school's broker)")
    if school.get("tls") and "ca_file" not in school:
        raise ConfigError(f"{path}: [school] tls = true needs ca_file (the CA of the school's broker)")
    if ("username" in school) != ("password_file" in school):
        raise ConfigError(f"{path}: [school] username and password_file go together")
    paths = {key: path.parent / school[key] for key in ("password_file", "ca_file") if key in school}
    return SchoolConfig(**{**school, **paths})


def _broker(path: Path, broker: dict) -> BrokerConfig:
    if broker.get("tls") and "ca_file" not in broker:
        raise ConfigError(f"{path}: [broker] tls = true needs ca_file (the ca.crt made by `rotation broker setup "
                          "--tls`)")
    if ("username" in broker) != ("password" in broker):
        raise ConfigError(f"{path}: [broker] username and password go together")
    paths = {key: path.parent / broker[key] for key in ("accounts", "ca_file") if key in broker}
    return BrokerConfig(**{**broker, **paths})


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
