"""``rotation doctor``: is this classroom healthy? Gathers what this board can see and prints shared/health.py's
table, one line per check, with an exit code a script can use (0 all well, 1 a warning, 2 something to do now).

It is run by the technician as root (``sudo rotation doctor``) while the services run, so it only reads: it
creates and changes no file (a root-owned file in the state folder once stopped the nightly backup), it never
logs in with an account a running service holds (the broker allows one client per account: it would push the
hub or the kiosk off), and every question it asks the network or the system gives up after ``WAIT_SECONDS``.
"""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from edge import screens
from edge.broker_setup import CONF_FILE, MAX_PACKET_BYTES, read_password
from edge.mqtt import make_client
from edge.timesync import system_clock_synchronised
from hub.backup import backups_folder, copies, read_records, taken_at
from hub.backup_health import backup_health
from kiosk.settings import apply_settings, read_settings, settings_path
from rotation.tables import table
from shared import __version__
from shared.config import Config, ConfigError
from shared.health import (
    FAIL,
    NOT_HERE,
    OK,
    BrokerReach,
    Certificate,
    Line,
    Scanner,
    backup_line,
    backups_line,
    broker_line,
    certificate_line,
    clock_line,
    disk_line,
    exit_code,
    hub_line,
    kiosk_lines,
    limits_line,
    outbox_line,
    owners_line,
    scanner_line,
    screen_line,
    services_line,
)
from shared.protocol import HubStatus, KioskStatus, ProtocolError, decode
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, TERMINAL_ACCOUNT, Topics, kiosk_account

WAIT_SECONDS = 3.0  # a broker, a TLS handshake or systemctl that says nothing in this time is reported as silent
HUB_UNITS = ("mosquitto.service", "rotation-broker-limits.service", "rotation-hub.service",
             "rotation-display.service", "rotation-web.service", "rotation-backup.timer")
KIOSK_UNITS = ("rotation-kiosk.service",)
FIREWALL_TABLE = ("inet", "rotation_station")  # edge.broker_setup.firewall_text's
INSTALLER_OWNS = ("installer", "installed.fingerprint")  # root's in the state folder (install.sh), read by no service


@dataclass(frozen=True)
class Board:
    """Where this board's facts come from: an installed Pi's places by default (deploy/raspberrypi/layout.sh)."""
    unit_dir: Path = Path("/etc/systemd/system")
    systemd_runs: Path = Path("/run/systemd/system")
    sysfs_drm: Path = screens.SYSFS_DRM
    dev_dri: Path = screens.DEV_DRI
    service_user: str = "rotation"
    clock_synchronised: Callable[[], bool | None] = system_clock_synchronised
    wait: float = WAIT_SECONDS


def is_kiosk(config: Config) -> bool:
    """A kiosk's room file names its station; the hub's names none."""
    return config.kiosk.station is not None


def examine(config: Config, board: Board = Board(), now: float | None = None) -> list[Line]:
    """Every line for this board, the hub's or a kiosk's."""
    now = time.time() if now is None else now
    return (_kiosk if is_kiosk(config) else _hub)(config, board, now)


def _hub(config: Config, board: Board, now: float) -> list[Line]:
    states = unit_states(board, HUB_UNITS)
    topics = Topics(config.room_id)
    reach, heard = listen(config, _hub_login(config), [topics.hub_status, topics.kiosk_status()], board.wait)
    lines = [broker_line(reach, on_hub=True), _limits(config, board)]
    if reach.error is None and reach.refused is None:
        hub = _decoded(heard.get(topics.hub_status), "hub_status", HubStatus)
        lines.append(hub_line(hub, __version__))
        statuses = {topics.parse(topic)[1] or "": status for topic, payload in heard.items()
                    if topic != topics.hub_status
                    and (status := _decoded(payload, "kiosk_status", KioskStatus)) is not None}
        lines += kiosk_lines([s.id for s in config.stations if s.kiosk], statuses,
                             hub.version if hub and hub.version else __version__)
    state_dir = config.hub.database.resolve().parent
    lines += [_disk(state_dir), clock_line(board.clock_synchronised()), _backups(config, now),
              *_hub_certificates(config, now)]
    if (board.unit_dir / "rotation-display.service").exists():
        lines.append(_screen(board))
    return [*lines, services_line(states), _owners(state_dir, board)]


def _kiosk(config: Config, board: Board, now: float) -> list[Line]:
    station = config.kiosk.station or ""
    states = unit_states(board, KIOSK_UNITS)
    topics = Topics(config.room_id)
    # The kiosk's own account is the service's while it runs: logging in with it would push the kiosk off.
    service_away = states is not None and states.get("rotation-kiosk.service") in ("inactive", "failed")
    login = _kiosk_login(config, station, own=service_away)
    reach, heard = listen(config, login, [topics.hub_status] if login.reads else [], board.wait)
    lines = [broker_line(reach, on_hub=False)]
    if config.broker.accounts and not config.broker.username:
        lines.append(_own_password(config, station))
    if reach.error is None and reach.refused is None:
        if login.reads:
            lines.append(hub_line(_decoded(heard.get(topics.hub_status), "hub_status", HubStatus), __version__))
        else:
            lines.append(Line("hub", NOT_HERE, "not asked: the running kiosk holds this board's account (a login "
                                               "with it would push the kiosk off); its screen says \"Offline\" "
                                               "while it cannot reach the hub, and `sudo rotation doctor` on the "
                                               "hub checks every kiosk"))
    state_dir = config.kiosk.outbox.resolve().parent
    outbox = config.kiosk.outbox
    lines += [outbox_line(outbox_depth(outbox) if outbox.exists() else 0, outbox.exists()),
              scanner_line(scanner_of(config)), _disk(state_dir), clock_line(board.clock_synchronised()),
              *_kiosk_certificates(config, now, board.wait), _screen(board), services_line(states),
              _owners(state_dir, board)]
    return lines


@dataclass(frozen=True)
class Login:
    account: str | None  # as the table names it; None: a broker without accounts
    username: str | None
    password: str | None
    reads: bool  # whether this account may read the hub's status


def _hub_login(config: Config) -> Login:
    """The teacher's terminal account: it reads every status, and no service holds it."""
    if config.broker.username:
        return Login(config.broker.username, config.broker.username, config.broker.password, True)
    if config.broker.accounts:
        try:
            password = read_password(config.broker.accounts, TERMINAL_ACCOUNT)
        except ConfigError:
            password = None  # reported by the broker's refusal
        return Login(TERMINAL_ACCOUNT, TERMINAL_ACCOUNT, password, True)
    return Login(None, None, None, True)


def _kiosk_login(config: Config, station: str, own: bool) -> Login:
    if config.broker.username:
        return Login(config.broker.username, config.broker.username, config.broker.password, True)
    if not config.broker.accounts:
        return Login(None, None, None, True)
    if own:
        try:
            password = read_password(config.broker.accounts, kiosk_account(station))
            return Login(kiosk_account(station), kiosk_account(station), password, True)
        except ConfigError:
            pass  # the password line says so; the public account still shows whether the broker answers
    # The public pairing account reaches the broker as the kiosk does (address, port, TLS), and reads nothing.
    return Login(PAIRING_ACCOUNT, PAIRING_ACCOUNT, PAIRING_PASSWORD, False)


def listen(config: Config, login: Login, topics: list[str], wait: float) -> tuple[BrokerReach, dict[str, bytes]]:
    """Log in as the services do (address, port, TLS) and read what is retained on ``topics``."""
    broker = config.broker
    reach = BrokerReach(f"{broker.host}:{broker.port}", broker.tls, login.account)
    connected, finished = threading.Event(), threading.Event()
    refused: list[str] = []
    heard: dict[str, bytes] = {}
    last: list[int | None] = []

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            refused.append(str(reason_code))
            finished.set()
        connected.set()

    def on_subscribe(client, userdata, mid, reason_codes, properties) -> None:
        if last and mid == last[0]:
            finished.set()  # the broker sends what is retained on a topic before it answers the next subscription

    def on_message(client, userdata, message) -> None:
        heard[message.topic] = message.payload

    if broker.tls and (broker.ca_file is None or not broker.ca_file.exists()):
        return replace(reach, error=f"the room's CA certificate {broker.ca_file} is missing",
                       fix="pair this board again" if login.account != TERMINAL_ACCOUNT else
                       "run `sudo rotation broker setup --tls` again"), {}
    plain = replace(broker, username=login.username, password=login.password, accounts=None)
    try:
        client = make_client(f"rotation-doctor-{os.getpid()}", plain, login.account or "")  # reads the CA file
        client.connect_timeout = wait
        client.reconnect_delay_set(wait, wait)  # type: ignore[arg-type]  # one try: a silent broker is the answer
        client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
        client.connect(broker.host, broker.port, keepalive=max(int(wait) * 2, 5))
    except (OSError, ValueError) as error:  # ssl.SSLError among them: a certificate not made for this name
        return replace(reach, error=_said(error, broker.host)), {}
    client.loop_start()
    try:
        if not connected.wait(wait):
            return replace(reach, error=f"no answer in {wait:.0f} s"), {}
        if refused:
            return replace(reach, refused=refused[0]), {}
        for topic in topics:
            client.subscribe(topic, qos=0)
        last.append(client.subscribe(f"{Topics(config.room_id).base}/doctor", qos=0)[1])
        finished.wait(wait)
    finally:
        client.disconnect()
        client.loop_stop()
    return reach, heard


def _said(error: BaseException, host: str) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"the broker's certificate is not one this board trusts for {host} ({error.verify_message}): "
                "pair the board again, or `rotation broker setup --tls --name` it on the hub")
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: nothing listens on that port"
    if isinstance(error, socket.gaierror):
        return f"the name {host} does not resolve"
    return str(error) or type(error).__name__


def _decoded(payload: bytes | None, kind: str, wanted: type):
    if payload is None:
        return None
    try:
        message = decode(kind, payload)
    except ProtocolError:
        return None
    return message if isinstance(message, wanted) else None


def _own_password(config: Config, station: str) -> Line:
    assert config.broker.accounts is not None
    try:
        read_password(config.broker.accounts, kiosk_account(station))
    except ConfigError as error:
        return Line("account", FAIL, f"{error}")
    return Line("account", OK, f"{kiosk_account(station)}'s password is here")


def _limits(config: Config, board: Board) -> Line:
    if config.broker.accounts is None:
        return Line("broker limits", NOT_HERE, "the broker was not set up by `rotation broker setup`")
    try:
        conf = (config.broker.accounts / CONF_FILE).read_text()
    except OSError as error:
        return Line("broker limits", FAIL, f"cannot read {config.broker.accounts / CONF_FILE} ({error.strerror}): "
                                           "run `sudo rotation broker setup` again")
    sizes = [int(words[1]) for line in conf.splitlines()
             if len(words := line.split()) == 2 and words[0] == "max_packet_size" and words[1].isdigit()]
    installed = (board.unit_dir / "rotation-broker-limits.service").exists()
    return limits_line(sizes[-1] if sizes else None, MAX_PACKET_BYTES, firewall_loaded(board.wait) if installed
                       else None, installed)


def firewall_loaded(wait: float) -> bool | None:
    """Whether nftables holds the broker's connection limit; None when nftables cannot be asked (not root)."""
    try:
        result = subprocess.run(["nft", "list", "table", *FIREWALL_TABLE], capture_output=True, text=True,
                                timeout=wait)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode == 0:
        return True
    return False if "No such file" in result.stderr else None


def unit_states(board: Board, units: tuple[str, ...]) -> dict[str, str] | None:
    """systemd's state of each of ``units`` installed here; None where systemd does not run."""
    if not board.systemd_runs.exists():
        return None
    installed = [u for u in units if (board.unit_dir / u).exists() or u == "mosquitto.service"
                 and (board.unit_dir / "rotation-hub.service").exists()]
    if not installed:
        return {}
    try:
        result = subprocess.run(["systemctl", "is-active", *installed], capture_output=True, text=True,
                                timeout=board.wait)
    except (OSError, subprocess.TimeoutExpired):
        return {unit: "unknown (systemctl did not answer)" for unit in installed}
    said = result.stdout.split()
    return {unit: said[i] if i < len(said) else "unknown" for i, unit in enumerate(installed)}


def outbox_depth(path: Path) -> int | None:
    """Events in a kiosk's outbox, read without writing, or None while the running kiosk holds it (exclusively,
    its WAL beside it). Without a WAL file the database file alone is all there is, read as immutable; SQLite
    would make a missing WAL index (as root) even to read."""
    import sqlite3

    wal, index = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.exists() and not index.exists():
        return None
    how = "mode=ro" if wal.exists() else "immutable=1"
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?{how}", uri=True, timeout=0.5)
        try:
            return int(connection.execute("SELECT count(*) FROM outbox").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def scanner_of(config: Config) -> Scanner:
    kiosk = config.kiosk
    if kiosk.serial_port:
        return Scanner("serial", kiosk.serial_port, Path(kiosk.serial_port).exists())
    if kiosk.scanner_device:
        return Scanner("keyboard device", kiosk.scanner_device, Path(kiosk.scanner_device).exists())
    if kiosk.camera == "pi":  # on the camera port, seen through libcamera's video devices
        return Scanner("camera", "the Pi camera", any(Path("/dev").glob("video*")))
    if kiosk.camera:
        return Scanner("camera", kiosk.camera, Path(kiosk.camera).exists())
    return Scanner("keyboard", None, True)


def _backups(config: Config, now: float) -> Line:
    """By the record of the backups' runs (and their copies off the board); by the files, before there was one."""
    records = read_records(config.hub.database.resolve())
    if records:
        health = backup_health(records, now, config.backup.copy_to)
        off_the_board = health.last_copy is not None and config.backup.copy_to is not None
        return backups_line(health.ok, health.summary, off_the_board)
    folder = backups_folder(config.hub.database.resolve())
    found = copies(folder) if folder.is_dir() else []
    return backup_line(max(map(taken_at, found)) if found else None, now, str(folder))


def _disk(folder: Path) -> Line:
    where = folder
    while not where.exists() and where != where.parent:
        where = where.parent
    stats = os.statvfs(where)
    return disk_line(str(folder), stats.f_bavail * stats.f_frsize, stats.f_blocks * stats.f_frsize)


def certificate_expiry(path: Path) -> float | None:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(path.read_bytes()).not_valid_after_utc.timestamp()
    except (OSError, ValueError):
        return None


def _hub_certificates(config: Config, now: float) -> list[Line]:
    folder = config.broker.accounts
    if folder is None or not (folder / "ca.crt").exists():
        return []  # no TLS made for this room
    server = Certificate("broker certificate", str(folder / "server.crt"), certificate_expiry(folder / "server.crt"),
                         f"on the hub: remove {folder / 'server.crt'}, run `sudo rotation broker setup --tls` "
                         f"with a --name for each name in {folder / 'server.names'}, `sudo systemctl restart "
                         "mosquitto`")
    ca = Certificate("room CA", str(folder / "ca.crt"), certificate_expiry(folder / "ca.crt"),
                     f"on the hub: remove {folder / 'ca.crt'}, {folder / 'ca.key'} and {folder / 'server.crt'}, "
                     "run `sudo rotation broker setup --tls`, then pair every kiosk again")
    return [certificate_line(server, now), certificate_line(ca, now)]


def _kiosk_certificates(config: Config, now: float, wait: float) -> list[Line]:
    broker = config.broker
    if not broker.tls or broker.ca_file is None:
        return []
    renew = "on the hub: `sudo rotation doctor` says how to renew it"
    lines = [certificate_line(Certificate("room CA", str(broker.ca_file), certificate_expiry(broker.ca_file),
                                          "pair this board again"), now)]
    shown = presented_certificate(broker.host, broker.port, broker.ca_file, wait)
    if shown is not None:
        lines.append(certificate_line(Certificate("broker certificate", f"{broker.host}:{broker.port}", shown,
                                                  renew), now))
    return lines


def presented_certificate(host: str, port: int, ca_file: Path, wait: float) -> float | None:
    """When the certificate the broker presents expires, or None if the handshake fails (the broker line says
    why)."""
    try:
        context = ssl.create_default_context(cafile=str(ca_file))
        with socket.create_connection((host, port), timeout=wait) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            expires = tls.getpeercert().get("notAfter")  # type: ignore[union-attr]
    except (OSError, ValueError):
        return None
    return ssl.cert_time_to_seconds(str(expires)) if expires else None


def _screen(board: Board) -> Line:
    cards = screens.survey(board.sysfs_drm, board.dev_dri)
    card = screens.choose(cards)
    return screen_line(str(card) if card else None, "; ".join(map(str, cards)) or "no graphics cards")


def _owners(folder: Path, board: Board) -> Line:
    """Files a command run as root left in the state folder, where the services' user must write."""
    if not folder.is_dir():
        return Line("files", NOT_HERE, f"no {folder} yet")
    owner = folder.stat().st_uid
    strangers = []
    for entry in sorted(p for p in folder.iterdir() if p.name not in INSTALLER_OWNS):
        inside = sorted(entry.iterdir()) if entry.is_dir() and not entry.is_symlink() else []
        strangers += [str(p) for p in (entry, *inside) if p.lstat().st_uid != owner]
    user = _user_name(owner) or board.service_user
    return owners_line(strangers, str(folder), user)


def _user_name(uid: int) -> str | None:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def report(config: Config, lines: list[Line]) -> str:
    role = f"kiosk {config.kiosk.station}" if is_kiosk(config) else "hub"
    needs = [line for line in lines if line.level not in (OK, NOT_HERE)]
    verdict = "Everything checked is well." if not needs else \
        f"{len(needs)} line{'s' if len(needs) != 1 else ''} need{'' if len(needs) != 1 else 's'} a person."
    return "\n".join([f"rotation doctor {__version__}: the {role} of room {config.room_id} ({config.path})", "",
                      table(["", "check", "what"], [[line.level, line.what, line.says] for line in lines]), "",
                      verdict])


def doctor(config: Config, board: Board = Board()) -> int:
    # A kiosk runs with what a teacher set at it (its station, the hub's address): check what it uses.
    config = apply_settings(config, read_settings(settings_path(config.kiosk.outbox)))
    lines = examine(config, board)
    print(report(config, lines), flush=True)
    return exit_code(lines)
