"""What `rotation doctor` says about a board: each check a function of facts already gathered, returning one line
(OK, or what is wrong and what to do, in a technician's words). Gathering the facts (files, broker, systemctl,
statvfs) is rotation/doctor.py's; nothing here does I/O, so every verdict is tested with made-up facts."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from shared.protocol import SCANNER_SPEED, STORAGE_FULL, HubStatus, KioskStatus
from shared.topics import PAIRING_ACCOUNT

OK: Final = "OK"
WARN: Final = "WARN"  # works today; needs a person soon
FAIL: Final = "FAIL"  # needs a person now
NOT_HERE: Final = "--"  # could not be checked from this board; no verdict
DAY: Final = 86400.0

BACKUP_DAYS: Final = 2.0  # the backup runs nightly: none for two days means it fails
CERTIFICATE_WARN_DAYS: Final = 60.0  # time to renew it before a kiosk refuses the broker
OUTBOX_WARN: Final = 20  # an online kiosk sends at once: this many waiting means the hub does not take them
DISK_FAIL_BYTES: Final = 200 * 1024 * 1024  # SQLite needs room for its journal: below this writes soon fail
DISK_WARN_SHARE: Final = 0.10


@dataclass(frozen=True)
class Line:
    what: str
    level: str
    says: str


def exit_code(lines: Iterable[Line]) -> int:
    """0: nothing to do; 1: something to do soon (a warning); 2: something needs a person now."""
    levels = {line.level for line in lines}
    return 2 if FAIL in levels else 1 if WARN in levels else 0


@dataclass(frozen=True)
class BrokerReach:
    """One login to the broker as the services make it."""
    address: str  # host:port
    tls: bool
    account: str | None  # None: a broker without accounts
    error: str | None = None  # no answer, refused connection, TLS failure
    refused: str | None = None  # the broker answered and refused the login
    fix: str | None = None  # what to do, where the error says it better than the usual advice


def broker_line(reach: BrokerReach, on_hub: bool) -> Line:
    how = f"{reach.address}{' over TLS' if reach.tls else ''}" + (f" as {reach.account}" if reach.account else "")
    if reach.refused is not None:
        if on_hub or reach.account == PAIRING_ACCOUNT:
            fix = "on the hub, run `sudo rotation broker setup` again, then `sudo systemctl restart mosquitto`"
        else:
            fix = ("this board's password is not the broker's any more (another board was paired for this "
                   "station?): pair it again, `rotation hub pair` on the hub")
        return Line("broker", FAIL, f"{how}: the broker refused the login ({reach.refused}): {fix}")
    if reach.error is not None:
        if reach.fix:
            fix = reach.fix
        elif on_hub:
            fix = "is Mosquitto running? `sudo systemctl status mosquitto`, its log `journalctl -u mosquitto -b`"
        else:
            fix = ("is the hub on and on this network, and [broker] host in room.toml its name or address? `ping` "
                   "it; on the hub, `sudo rotation doctor`")
        return Line("broker", FAIL, f"{how}: not reached ({reach.error}): {fix}")
    return Line("broker", OK, f"reached at {how}")


def limits_line(max_packet: int | None, wanted_packet: int, firewall: bool | None, firewall_installed: bool) -> Line:
    """The broker's own limits (its config's max_packet_size) and the firewall's connection limit (nftables, where
    the installer set it up; ``firewall`` None when nftables could not be asked)."""
    problems = []
    if max_packet is None:
        problems.append("its config sets no max_packet_size")
    elif max_packet < wanted_packet:
        problems.append(f"its max_packet_size {max_packet} is below the room's largest message ({wanted_packet})")
    if firewall_installed and firewall is False:
        problems.append("the firewall's limit on connections per address is not loaded")
    if problems:
        return Line("broker limits", WARN, "; ".join(problems) + ": run `sudo rotation broker setup` again, then "
                    "`sudo systemctl restart rotation-broker-limits mosquitto`")
    said = f"max packet {max_packet} bytes"
    if firewall_installed:
        said += ", connections per address limited (nftables)" if firewall else \
            "; the firewall's limit not checked: run as root"
    return Line("broker limits", OK, said)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * DAY:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / DAY:.0f} days"


def hub_line(status: HubStatus | None, own_version: str) -> Line:
    if status is None:
        return Line("hub", FAIL, "has never said it runs: `sudo systemctl start rotation-hub`, then "
                                 "`journalctl -u rotation-hub -b` if it stops again")
    if not status.online:
        host = f" on {status.hub.host}" if status.hub else ""
        return Line("hub", FAIL, f"not running{host}: `sudo systemctl status rotation-hub`, its log "
                                 "`journalctl -u rotation-hub -b`")
    version = status.version or "an older release"
    where = f" on {status.hub.host}" if status.hub else ""
    if status.problem == STORAGE_FULL:
        return Line("hub", FAIL, f"running{where}, but cannot write its database (disk full?): check disk space "
                                 "on the hub; check-ins wait at the kiosks meanwhile")
    if status.problem is not None:
        return Line("hub", WARN, f"running{where}, with a problem: {status.problem} (the room map says more)")
    if status.version != own_version:
        return Line("hub", WARN, f"running {version}{where}; this board has {own_version}: update so both run "
                                 "the same (the hub first, then the kiosks)")
    return Line("hub", OK, f"running {version}{where}")


def kiosk_line(station: str, status: KioskStatus | None, hub_version: str) -> Line:
    """A station's kiosk as its retained status tells the hub: online, its version, its outbox and scanner."""
    what = f"kiosk {station}"
    if status is None:
        return Line(what, FAIL, f"has never connected: pair it (`sudo rotation hub pair --station {station}`, "
                                "then the install command on its board)")
    if not status.online:
        return Line(what, FAIL, "offline: is the board on, its network cable in? On its board, `sudo rotation "
                                "doctor`")
    version = status.version or "an old release"
    waiting = status.outbox or 0
    if status.problem == STORAGE_FULL:
        return Line(what, FAIL, f"online, {version}: its disk is full, check-ins are kept in memory only: free "
                                "space on its board")
    if status.problem == SCANNER_SPEED:
        return Line(what, WARN, f"online, {version}: its scanner's cards read at {status.scanner_speed}: put "
                                f"serial_baud = {status.scanner_speed} under [kiosk] in its room.toml")
    if waiting >= OUTBOX_WARN:
        return Line(what, WARN, f"online, {version}, but {waiting} check-ins wait to reach the hub: "
                                "`journalctl -u rotation-hub -b` on the hub says why it refuses them")
    if status.version != hub_version:
        return Line(what, WARN, f"online, runs {version}, the hub {hub_version}: install this release on its board")
    return Line(what, OK, f"online, {version}, {waiting} waiting")


def kiosk_lines(stations: Iterable[str], statuses: Mapping[str, KioskStatus], hub_version: str) -> list[Line]:
    return [kiosk_line(station, statuses.get(station), hub_version) for station in stations]


def outbox_line(depth: int | None, made: bool) -> Line:
    """On a kiosk: its own outbox (check-ins not yet stored by the hub); ``depth`` None while the running kiosk
    holds it."""
    if not made:
        return Line("outbox", OK, "none yet: nothing scanned on this board")
    if depth is None:
        return Line("outbox", NOT_HERE, "held by the running kiosk: its tile on the hub's map says what waits")
    if depth >= OUTBOX_WARN:
        return Line("outbox", WARN, f"{depth} check-ins wait to reach the hub: see the broker and hub lines")
    return Line("outbox", OK, f"{depth} waiting")


@dataclass(frozen=True)
class Scanner:
    """What reads the cards at a kiosk, from its room file, and whether that device is there now."""
    kind: str  # "serial", "keyboard device", "camera", "keyboard"
    device: str | None
    present: bool


def scanner_line(scanner: Scanner) -> Line:
    if scanner.device is None:
        return Line("scanner", OK, "a keyboard-mode scanner typing into the kiosk's window (none named in "
                                   "room.toml)")
    if not scanner.present:
        listing = "`ls /dev/serial/by-id`" if scanner.kind == "serial" else "`rotation kiosk scanners`" \
            if scanner.kind == "keyboard device" else "`ls /dev/video*`"
        return Line("scanner", FAIL, f"no {scanner.kind} at {scanner.device}: plug it in, or name the one there "
                                     f"({listing}) in room.toml, then `sudo systemctl restart rotation-kiosk`")
    return Line("scanner", OK, f"{scanner.kind} at {scanner.device}")


def disk_line(path: str, free: int, total: int, fail_below: int = DISK_FAIL_BYTES,
              warn_share: float = DISK_WARN_SHARE) -> Line:
    said = f"{free / 2 ** 30:.1f} GiB free of {total / 2 ** 30:.1f} GiB ({path})"
    if free < fail_below:
        return Line("disk", FAIL, f"{said}: nearly full, the database cannot grow: remove old files (damaged "
                                  "copies, reports already taken off) or use a larger SD card")
    if total and free / total < warn_share:
        return Line("disk", WARN, f"{said}: free some space soon")
    return Line("disk", OK, said)


def clock_line(synchronised: bool | None) -> Line:
    if synchronised:
        return Line("time", OK, "synchronised with a time server")
    if synchronised is None:
        return Line("time", WARN, "no time service answers: `sudo apt-get install systemd-timesyncd`; a wrong "
                                  "clock puts check-ins on the wrong day")
    return Line("time", WARN, "not synchronised yet: does the board reach a time server (the school's network may "
                              "need its own: NTP= in /etc/systemd/timesyncd.conf)? `timedatectl` shows it")


def backups_line(ok: bool, summary: str, off_the_board: bool) -> Line:
    """The backups by the record of their runs (hub/backup_health.py's verdict): a failure needs a person now;
    backups that stay on the board (whose SD card is what fails) need one soon."""
    return Line("backup", FAIL if not ok else OK if off_the_board else WARN, summary)


def backup_line(newest: float | None, now: float, folder: str, days: float = BACKUP_DAYS) -> Line:
    """The newest copy in the backups folder: on a hub whose backups have no record of their runs yet (installed
    before they had one)."""
    if newest is None:
        return Line("backup", FAIL, f"none in {folder}: `sudo systemctl start rotation-backup`, then "
                                    "`journalctl -u rotation-backup` if none appears")
    age = now - newest
    if age > days * DAY:
        return Line("backup", FAIL, f"the newest in {folder} is {_age(age)} old: the nightly backup fails: "
                                    "`journalctl -u rotation-backup` says why")
    return Line("backup", OK, f"{_age(max(age, 0))} ago, in {folder}")


@dataclass(frozen=True)
class Certificate:
    what: str  # "the broker's certificate", "the room's CA"
    path: str
    expires: float | None  # None: unreadable
    renew: str  # what to do to renew it


def certificate_line(certificate: Certificate, now: float, warn_days: float = CERTIFICATE_WARN_DAYS) -> Line:
    what = f"TLS {certificate.what}"
    if certificate.expires is None:
        return Line(what, FAIL, f"{certificate.path} is not a certificate this board can read: "
                                f"{certificate.renew}")
    left = certificate.expires - now
    if left <= 0:
        return Line(what, FAIL, f"expired {_age(-left)} ago: kiosks refuse the broker: {certificate.renew}")
    if left < warn_days * DAY:
        return Line(what, WARN, f"expires in {_age(left)}: {certificate.renew}")
    return Line(what, OK, f"valid for {_age(left)}")


def screen_line(found: str | None, seen: str, pinned: int | None = None) -> Line:
    if found is not None:
        return Line("screen", OK, found)
    wanted = f"card{pinned} (SDL_KMSDRM_DEVICE_INDEX)" if pinned is not None else "any graphics card"
    return Line("screen", FAIL, f"none connected to {wanted}; seen: {seen}: check the display's cable and power "
                                "(a Touch Display's ribbon on the DSI port), then reboot; `ls /sys/class/drm` lists "
                                "what the board sees")


def services_line(states: Mapping[str, str] | None) -> Line:
    """``states``: systemd's word (active, inactive, failed...) for each unit installed; None without systemd."""
    if states is None:
        return Line("services", NOT_HERE, "systemd is not running here")
    down = {unit: state for unit, state in states.items() if state != "active"}
    if down:
        named = ", ".join(f"{unit} {state}" for unit, state in down.items())
        return Line("services", FAIL, f"{named}: `sudo systemctl start {' '.join(down)}`; "
                                      f"`journalctl -u {next(iter(down))} -b` says why it stopped")
    return Line("services", OK, ", ".join(states) + " active")


def owners_line(strangers: list[str], folder: str, user: str) -> Line:
    """Files in the state folder that the services' user does not own: made by a command run as root, they stop
    the nightly backup and the display's report."""
    if strangers:
        shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
        return Line("files", FAIL, f"not {user}'s: {shown}: `sudo chown -R {user}:{user} {folder}`")
    return Line("files", OK, f"everything in {folder} is {user}'s")
