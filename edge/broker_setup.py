"""The broker's accounts, ACL and config for a room, made from the room config: ``rotation broker setup``.

Every client has an account of its own: ``hub``, ``display`` (the teacher's screen and the teacher's
commands from a terminal), ``web`` (the teacher's web companion) and ``kiosk-<station>`` for each station with
a kiosk. Each password is kept in a
file of its own in the accounts folder (``<account>.password``), so a kiosk's board needs only its own file.
The ACL gives each account what its job needs and nothing more:

- the hub reads and writes everything of its room;
- the display and the web companion read the state, the presence changes, the statuses and the replies, and
  are the only clients that may send teacher commands;
- a kiosk publishes only its own station's events and status, and reads only its station's view and acks
  and the hub's status;
- ``pairing`` (password ``pairing``, public on purpose) may only ask the hub to pair a new kiosk: write its
  own request and read its own reply, both named by its client id (see shared/pairing.py);
- anonymous clients are refused.

Running it again keeps the passwords and leaves unchanged files untouched.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from edge.files import write_if_changed
from shared.config import Config, ConfigError
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, Topics, kiosk_account, pair_reply_topic, pair_request_topic

PASSWORD_SUFFIX = ".password"
PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes; its `$7$` format names the count
PASSWD_FILE, ACL_FILE, CONF_FILE = "mosquitto.passwd", "mosquitto.acl", "mosquitto.conf"


@dataclass(frozen=True)
class Account:
    name: str
    read: tuple[str, ...]
    write: tuple[str, ...]


def accounts_for(config: Config) -> list[Account]:
    topics = Topics(config.room_id)
    everything = f"{topics.base}/#"
    return [
        Account("hub", read=(everything, pair_request_topic("+")), write=(everything, pair_reply_topic("+"))),
        *(Account(name, read=(topics.state, topics.presence, topics.hub_status, topics.kiosk_status(),
                               topics.reply("+")),
                  write=(topics.command,))
          for name in ("display", "web")),  # the wall map, and the teacher's web companion
        *(Account(kiosk_account(s.id), read=(topics.view(s.id), topics.ack(s.id), topics.hub_status),
                  write=(topics.kiosk_event(s.id), topics.kiosk_status(s.id)))
          for s in config.stations if s.kiosk),
    ]


def acl_text(config: Config) -> str:
    lines = [f"# Made by `rotation broker setup` for room {config.room_id}; run it again rather than edit."]
    for account in accounts_for(config):
        lines += ["", f"user {account.name}"]
        for topic in account.read:
            lines.append(f"topic {'readwrite' if topic in account.write else 'read'} {topic}")
        lines += [f"topic write {topic}" for topic in account.write if topic not in account.read]
    # Patterns hold for every account; the pairing account has nothing else.
    lines += ["", f"user {PAIRING_ACCOUNT}", f"pattern write {pair_request_topic('%c')}",
              f"pattern read {pair_reply_topic('%c')}"]
    return "\n".join(lines) + "\n"


def password_hash(password: str, salt: bytes | None = None) -> str:
    """A Mosquitto 2.0 password-file hash: PBKDF2-SHA512, as ``mosquitto_passwd`` writes it."""
    salt = salt if salt is not None else os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def hash_matches(password: str, stored: str) -> bool:
    try:
        _, kind, iterations, salt, digest = stored.split("$")
        if kind != "7":
            return False
        computed = hashlib.pbkdf2_hmac("sha512", password.encode(), base64.b64decode(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(base64.b64encode(computed).decode(), digest)


def read_password(folder: Path, account: str) -> str:
    """An account's password from the accounts folder, or a ConfigError saying how to get it."""
    path = Path(folder) / f"{account}{PASSWORD_SUFFIX}"
    try:
        password = path.read_text().strip()
    except FileNotFoundError:
        raise ConfigError(f"no broker password for account {account!r}: {path} is missing (run `rotation broker "
                         "setup` on the hub and copy the file here, or pair this board)") from None
    except OSError as error:
        raise ConfigError(f"cannot read the broker password {path}: {error.strerror}") from None
    if not password:
        raise ConfigError(f"the broker password file {path} is empty")
    return password


def ensure_passwords(config: Config, folder: Path) -> dict[str, str]:
    """Each account's password, made (and kept in its file) the first time it is needed."""
    folder.mkdir(parents=True, exist_ok=True)
    passwords = {}
    for account in accounts_for(config):
        path = folder / f"{account.name}{PASSWORD_SUFFIX}"
        if not path.exists():
            write_if_changed(path, secrets.token_urlsafe(24) + "\n")
        passwords[account.name] = read_password(folder, account.name)
    return passwords


def passwd_text(passwords: dict[str, str], existing: str = "") -> str:
    """The password file; an existing line whose hash still matches is kept, so a rerun changes nothing."""
    kept = dict(line.split(":", 1) for line in existing.splitlines() if ":" in line)
    lines = []
    for name, password in passwords.items():
        stored = kept.get(name)
        lines.append(f"{name}:{stored if stored and hash_matches(password, stored) else password_hash(password)}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path


def listener_text(port: int, bind: str | None, folder: Path, tls: TlsFiles | None, tls_port: int) -> str:
    """Listeners and access rules. With TLS, the plain port listens on loopback only (the hub and display
    on the hub's own board) and the network gets the TLS port."""
    lines = ["per_listener_settings false", "allow_anonymous false",
             # The hub acks an event only once it is stored, a batch at a time: let a batch be in flight.
             "max_inflight_messages 1000", "max_queued_messages 100000", "set_tcp_nodelay true",
             f"password_file {folder / PASSWD_FILE}", f"acl_file {folder / ACL_FILE}"]
    if tls:
        lines += [f"listener {port} 127.0.0.1", f"listener {tls_port}{f' {bind}' if bind else ''}",
                  f"cafile {tls.ca}", f"certfile {tls.certificate}", f"keyfile {tls.key}", "tls_version tlsv1.2"]
    else:
        lines.append(f"listener {port}{f' {bind}' if bind else ''}")
    return "\n".join(lines) + "\n"


SHARED_TOPICS = {"summary": "summary", "status": "hub/status", "state": "state"}


def bridge_text(config: Config) -> str:
    """A Mosquitto bridge from the room's broker to the school's, carrying only what [school] share names,
    out only: nothing from the school reaches the room. Empty without a [school]."""
    school = config.school
    if school is None:
        return ""
    base = f"{Topics(config.room_id).base}/"
    lines = [f"# The school's broker sees only: {', '.join(school.share)}.",
             f"connection rotation-{config.room_id}-school", f"address {school.host}:{school.port}",
             f"remote_clientid rotation-{config.room_id}", "cleansession false", "notifications false",
             "try_private true", "restart_timeout 2 30"]
    if school.username:
        if school.password_file is None:  # load_config refuses one without the other
            raise ConfigError(f"{config.path}: [school] username and password_file go together")
        try:
            password = school.password_file.read_text().strip()
        except OSError as error:
            raise ConfigError(f"{config.path}: [school] password_file: cannot read {school.password_file}: "
                              f"{error.strerror}") from None
        lines += [f"remote_username {school.username}", f"remote_password {password}"]
    if school.tls:
        lines.append(f"bridge_cafile {school.ca_file}")
    lines += [f"topic {SHARED_TOPICS[share]} out 1 {base} {base}" for share in school.share]
    return "\n".join(lines) + "\n"


def write_broker_files(config: Config, folder: Path, *, port: int = 1883, bind: str | None = None,
                       tls: TlsFiles | None = None, tls_port: int = 8883) -> list[Path]:
    """Write the passwords, password file, ACL and config snippet into ``folder``; return what changed."""
    folder = folder.resolve()
    passwords = {**ensure_passwords(config, folder), PAIRING_ACCOUNT: PAIRING_PASSWORD}
    passwd = folder / PASSWD_FILE
    existing = passwd.read_text() if passwd.exists() else ""
    conf = (f"# Made by `rotation broker setup` for room {config.room_id}; run it again rather than edit.\n"
            + listener_text(port, bind, folder, tls, tls_port) + bridge_text(config))
    written = [(passwd, passwd_text(passwords, existing)), (folder / ACL_FILE, acl_text(config)),
               (folder / CONF_FILE, conf)]
    return [path for path, text in written if write_if_changed(path, text)]
