"""What a teacher set at the kiosk itself (behind the PIN): which station it is and where the hub's broker
is. Kept next to the kiosk's outbox, on the kiosk's own board, and stronger than the room config there."""
from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from shared.config import Config, ConfigError
from shared.topics import check_name

SETTINGS_FILE = "kiosk-settings.toml"


def settings_path(outbox: Path) -> Path:
    return Path(outbox).with_name(SETTINGS_FILE)


def read_settings(path: Path) -> dict:
    """{"station", "broker_host", "broker_port"}: what is set; a broken file is named with the key."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path}: the kiosk's own settings cannot be read: {error}") from None
    known = {"station": str, "broker_host": str, "broker_port": int}
    for key, value in data.items():
        if key not in known or not isinstance(value, known[key]) or isinstance(value, bool):
            raise ConfigError(f"{path}: {key} = {value!r} is not a setting a kiosk keeps (known: {', '.join(known)})")
    if "station" in data:
        try:
            check_name(data["station"], "station")
        except ValueError as error:
            raise ConfigError(f"{path}: {error}") from None
    if not 0 < data.get("broker_port", 1) < 65536:
        raise ConfigError(f"{path}: broker_port = {data['broker_port']} must be from 1 to 65535")
    return data


def write_settings(path: Path, **changes) -> dict:
    settings = {**read_settings(path), **{k: v for k, v in changes.items() if v is not None}}
    lines = ["# Set at this kiosk by a teacher (behind the PIN); stronger than the room config here."]
    lines += [f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"'
              for key, value in settings.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return settings


def apply_settings(config: Config, settings: dict) -> Config:
    """The config as this kiosk's own settings change it."""
    broker = replace(config.broker, host=settings.get("broker_host", config.broker.host),
                     port=settings.get("broker_port", config.broker.port))
    kiosk = replace(config.kiosk, station=settings.get("station", config.kiosk.station))
    if kiosk.station is not None:
        config.station(kiosk.station)  # a station the room no longer has is a ConfigError naming it
    return replace(config, broker=broker, kiosk=kiosk)
