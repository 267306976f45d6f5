"""The steps of deploy/raspberrypi/install.sh that read or write a room config:
``python -m rotation.installed copy-room|hub-config|is-kiosk ...``. Each changes nothing when run again."""
from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

from edge.files import write_if_changed
from rotation.toml_edit import set_keys
from shared.config import CARD_KEY_FILE, WebConfig

ROOM_FILE, SECRET_FILE = "room.toml", "class.secret"
WEB_ACCOUNTS = "teachers.db"
INSTALLERS_CERTIFICATE = "broker/server.crt"  # the broker's, made by `rotation broker setup --tls`
WEB_KEY = "web.key"  # the broker's key, readable by the services' user (server.key is the broker's alone)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SystemExit(f"{path}: cannot use this room config: {error}") from None


def copy_room(source: Path, folder: Path) -> None:
    """Copy a room config into ``folder`` with the files it names beside it (its roster, a file or a
    OneRoster folder or .zip, its class secret and the key that signed its cards), so every path in it stays
    right."""
    room = _read_toml(source).get("room", {})
    changes = {}
    for key, name, default in (("roster", None, None), ("secret_file", SECRET_FILE, None),
                               ("card_key_file", CARD_KEY_FILE.name, CARD_KEY_FILE.name)):
        if key not in room and default is None:
            continue
        named = source.parent / room.get(key, default)
        if not named.exists():
            if key == "roster":
                raise SystemExit(f"{source}: [room] roster: {named} does not exist")
            continue  # no secret or key yet: the installer makes them
        target = folder / (name or named.name)
        if named.is_dir():
            shutil.copytree(named, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(named, target)
        if key in room:
            changes[key] = target.name
    text = source.read_text(encoding="utf-8")
    write_if_changed(folder / ROOM_FILE, set_keys(text, {"room": changes}) if changes else text)


def hub_config(path: Path, state: Path, web_name: str | None = None) -> None:
    """Point the hub's database and the teachers' accounts at the board's data folder and give each client its
    own broker account. With ``web_name`` (the hub's name, when the broker has TLS), the web companion serves
    the school network over HTTPS with the room's certificate, at that name."""
    data = _read_toml(path)
    changes: dict[str, dict] = {"hub": {"database": str(state / "hub.db")}}
    if "accounts" not in data.get("broker", {}) and "username" not in data.get("broker", {}):
        changes["broker"] = {"accounts": "broker"}
    web = data.get("web", {})
    web_changes = {} if "accounts" in web else {"accounts": str(state / WEB_ACCOUNTS)}
    if web_name is not None and web.get("certificate", INSTALLERS_CERTIFICATE) == INSTALLERS_CERTIFICATE:
        # The installer's own settings follow the hub's name (a new --name); a technician's own are kept.
        host = f"[{web_name}]" if ":" in web_name else web_name
        web_changes |= {"host": "0.0.0.0", "certificate": INSTALLERS_CERTIFICATE, "key": f"broker/{WEB_KEY}",
                        "url": f"https://{host}:{web.get('port', WebConfig.port)}/"}
    if web_changes:
        changes["web"] = web_changes
    write_if_changed(path, set_keys(path.read_text(encoding="utf-8"), changes))


def is_kiosk(path: Path, station: str) -> bool:
    """Whether this board is already paired as ``station``'s kiosk (its config, its account and the hub's key
    that checks cards are here: a kiosk paired before the hub signed cards pairs again)."""
    if not path.exists():
        return False
    data = _read_toml(path)
    accounts = data.get("broker", {}).get("accounts")
    return (data.get("kiosk", {}).get("station") == station and accounts is not None
            and "card_public_key" in data.get("room", {})
            and (path.parent / accounts / f"kiosk-{station}.password").exists())


def main(argv: list[str]) -> int:
    match argv:
        case ["copy-room", source, folder]:
            copy_room(Path(source), Path(folder))
        case ["hub-config", path, state, *web_name] if len(web_name) <= 1:
            hub_config(Path(path), Path(state), *web_name)
        case ["is-kiosk", path, station]:
            return 0 if is_kiosk(Path(path), station) else 1
        case _:
            print("usage: python -m rotation.installed copy-room SOURCE FOLDER | "
                  "hub-config ROOM_TOML STATE_DIR [WEB_NAME] | is-kiosk ROOM_TOML STATION", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
