"""The broker's accounts, ACL and config for a room, made from the room config: ``rotation broker setup``.

Every client has an account of its own: ``hub``, ``display`` (the teacher's screen), ``terminal`` (the
teacher's commands from a terminal), ``web`` (the teacher's web companion) and ``kiosk-<station>`` for each
station with a kiosk. Each password is kept in a file of its own in the accounts folder
(``<account>.password``), so a kiosk's board needs only its own file; pairing a kiosk gives its account a new
password (``new_password``), so a board paired before can no longer log in. The ACL gives each account what its
job needs and nothing more:

- the hub reads and writes everything of its room;
- the display, the terminal and the web companion read the state, the presence changes, the statuses
  and the replies, and are the only clients that may send teacher commands;
- a kiosk publishes only its own station's events (its picks in a choice round among them), status and path
  requests ("My path"), and reads only its station's view, acks, path answers and answers to its picks, and
  the hub's status;
- ``pairing`` (password ``pairing``, public on purpose) may only ask the hub to pair a new kiosk: write a
  request and read a reply (see shared/pairing.py);
- anonymous clients are refused.

The broker bounds every client (``limits_text``): a client's id is its account's name, so no one can log in
as another client and push it off; no packet is bigger than the protocol's largest message; a client's
queue is bounded in bytes. A connection limit per source address is the firewall's (``firewall_text``):
Mosquitto counts connections per listener only.

Running it again keeps the passwords and leaves unchanged files untouched.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from edge.files import replace_keeping_access, write_if_changed
from shared.config import Config, ConfigError
from shared.protocol import MAX_PAYLOAD
from shared.topics import (
    PAIRING_ACCOUNT,
    PAIRING_PASSWORD,
    TERMINAL_ACCOUNT,
    Topics,
    kiosk_account,
    pair_reply_topic,
    pair_request_topic,
)

PASSWORD_SUFFIX = ".password"
PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes; its `$7$` format names the count
PASSWD_FILE, ACL_FILE, CONF_FILE = "mosquitto.passwd", "mosquitto.acl", "mosquitto.conf"
FIREWALL_FILE = "limits.nft"
TEACHER_ACCOUNTS = ("display", TERMINAL_ACCOUNT, "web")  # the wall map, the commands typed, the web companion
# The largest message is the hub's state (and a station's view of it); a packet adds its topic and header.
MAX_PACKET_BYTES = max(MAX_PAYLOAD.values()) + 1024
# What the broker keeps for one client that does not read: 16 MiB is about 40,000 events for a hub that is
# away, more than a day of a busy room; beyond it the broker drops, and kiosks send again what was not acked.
MAX_QUEUED_BYTES = 16 * 1024 * 1024
# Connections one address may hold to the broker's network port: a kiosk needs one, and one more while it is
# paired or checked; a laptop opening thousands of idle connections gets these and no more.
CONNECTIONS_PER_ADDRESS = 8
MAX_NETWORK_CONNECTIONS = 256  # kiosks and teachers' devices of a room, many times over


@dataclass(frozen=True)
class Account:
    name: str
    read: tuple[str, ...]
    write: tuple[str, ...]


def accounts_for(config: Config) -> list[Account]:
    topics = Topics(config.room_id)
    everything = f"{topics.base}/#"
    return [
        # The hub also writes requests: to clear one that was sent retained (see hub/service.py).
        Account("hub", read=(everything, pair_request_topic("+")),
                write=(everything, pair_request_topic("+"), pair_reply_topic("+"))),
        *(Account(name, read=(topics.state, topics.presence, topics.hub_status, topics.kiosk_status(),
                               topics.reply("+")),
                  write=(topics.command,))
          for name in TEACHER_ACCOUNTS),
        *(Account(kiosk_account(s.id), read=(topics.view(s.id), topics.ack(s.id), topics.hub_status,
                                             topics.path(s.id), topics.pick_answer(s.id)),
                  write=(topics.kiosk_event(s.id), topics.kiosk_status(s.id), topics.path_request(s.id)))
          for s in config.stations if s.kiosk),
    ]


def acl_text(config: Config, extra: Sequence[Account] = ()) -> str:
    lines = [f"# Made by `rotation broker setup` for room {config.room_id}; run it again rather than edit."]
    for account in [*accounts_for(config), *extra]:
        lines += ["", f"user {account.name}"]
        for topic in account.read:
            lines.append(f"topic {'readwrite' if topic in account.write else 'read'} {topic}")
        lines += [f"topic write {topic}" for topic in account.write if topic not in account.read]
    lines += ["", f"user {PAIRING_ACCOUNT}", f"topic write {pair_request_topic('+')}",
              f"topic read {pair_reply_topic('+')}"]
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


def ensure_passwords(config: Config, folder: Path, extra: Sequence[Account] = ()) -> dict[str, str]:
    """Each account's password, made (and kept in its file) the first time it is needed."""
    folder.mkdir(parents=True, exist_ok=True)
    passwords = {}
    for account in [*accounts_for(config), *extra]:
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


def new_password(folder: Path, account: str) -> str:
    """Give ``account`` a new password: its file and its line of the broker's password file, each replaced
    whole and keeping its owner's group and mode (the broker reads the password file through its group).
    The broker takes it when it reloads (the installer's rotation-broker-reload.path, or PrivateBroker's
    ``reload_on``); until then the old password still logs in."""
    folder = Path(folder)
    password = secrets.token_urlsafe(24)
    replace_keeping_access(folder / f"{account}{PASSWORD_SUFFIX}", password + "\n")
    passwd = folder / PASSWD_FILE
    lines = [line for line in passwd.read_text().splitlines() if line and line.split(":", 1)[0] != account]
    replace_keeping_access(passwd, "\n".join([*lines, f"{account}:{password_hash(password)}"]) + "\n")
    return password


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path


def listener_text(port: int, bind: str | None, folder: Path, tls: TlsFiles | None, tls_port: int) -> str:
    """Listeners, access rules and limits. With TLS, the plain port listens on loopback only (the hub, display
    and web companion on the hub's own board) and the network gets the TLS port."""
    lines = ["per_listener_settings false", "allow_anonymous false", *limits_text(),
             f"password_file {folder / PASSWD_FILE}", f"acl_file {folder / ACL_FILE}"]
    # An account is one client: logging in under another's client id would push that client off. (The
    # setting belongs to each listener.)
    one_client_per_account = "use_username_as_clientid true"
    if tls:
        lines += [f"listener {port} 127.0.0.1", one_client_per_account,
                  f"listener {tls_port}{f' {bind}' if bind else ''}", one_client_per_account,
                  # Whatever comes from the network, the hub and display on loopback still find a way in.
                  f"max_connections {MAX_NETWORK_CONNECTIONS}",
                  f"cafile {tls.ca}", f"certfile {tls.certificate}", f"keyfile {tls.key}", "tls_version tlsv1.2"]
    else:
        lines += [f"listener {port}{f' {bind}' if bind else ''}", one_client_per_account]
    return "\n".join(lines) + "\n"


def limits_text() -> list[str]:
    return [f"max_packet_size {MAX_PACKET_BYTES}",
            # The hub acks an event only once it is stored, a batch at a time: let a batch be in flight.
            "max_inflight_messages 1000", "max_queued_messages 100000", f"max_queued_bytes {MAX_QUEUED_BYTES}",
            "set_tcp_nodelay true"]


def firewall_text(ports: list[int]) -> str:
    """An nftables table that lets one address hold only ``CONNECTIONS_PER_ADDRESS`` connections to the broker's
    network ports (loopback is not counted: the hub and display are on the hub's own board). Loaded by the
    installer's rotation-broker-limits.service; loading it again replaces it."""
    ports_set = ", ".join(str(p) for p in sorted(set(ports)))
    limit = [f"tcp dport {{ {ports_set} }} ct state new meter broker_{family} "
             f"{{ {address} saddr ct count over {CONNECTIONS_PER_ADDRESS} }} reject with tcp reset"
             for family, address in (("ipv4", "ip"), ("ipv6", "ip6"))]
    rules = "\n".join(f"        {line}" for line in ['iif "lo" accept', *limit])
    return ("# Made by `rotation broker setup`; run it again rather than edit.\n"
            "table inet rotation_station\ndelete table inet rotation_station\n"  # so that loading it again replaces it
            "table inet rotation_station {\n    chain broker_connections {\n"
            "        type filter hook input priority filter; policy accept;\n"
            f"{rules}\n    }}\n}}\n")


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
                       tls: TlsFiles | None = None, tls_port: int = 8883, extra: Sequence[Account] = ()) -> list[Path]:
    """Write the passwords, password file, ACL and config snippet into ``folder``; return what changed.
    ``extra`` accounts come after the room's (a bench's measuring clients: each account is one client)."""
    folder = folder.resolve()
    passwords = {**ensure_passwords(config, folder, extra), PAIRING_ACCOUNT: PAIRING_PASSWORD}
    passwd = folder / PASSWD_FILE
    existing = passwd.read_text() if passwd.exists() else ""
    conf = (f"# Made by `rotation broker setup` for room {config.room_id}; run it again rather than edit.\n"
            + listener_text(port, bind, folder, tls, tls_port) + bridge_text(config))
    network_ports = [tls_port] if tls else [port]
    written = [(passwd, passwd_text(passwords, existing)), (folder / ACL_FILE, acl_text(config, extra)),
               (folder / CONF_FILE, conf), (folder / FIREWALL_FILE, firewall_text(network_ports))]
    return [path for path, text in written if write_if_changed(path, text)]
