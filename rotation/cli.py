"""The ``rotation`` command."""
from __future__ import annotations

import argparse
import datetime
import logging
import os
import secrets
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from edge.db import DatabaseInUse
from edge.heap import freeze_startup_objects, large_blocks_straight_back
from edge.migrations import DatabaseTooNew
from edge.stop_signals import stop_event, workers_leave_stop_signals_to_main
from shared import __version__
from shared.clock import LAST_TICKETS_SECONDS
from shared.config import ConfigError, load_config
from shared.protocol import CLOCK_ACTIONS, GROUPING_STRATEGIES

if TYPE_CHECKING:
    from kiosk.scanners import ScannerThread
    from kiosk.simulator import SimulatedStudents

DEFAULT_CONFIG = os.environ.get("ROTATION_CONFIG", "/etc/rotation-station/room.toml")
NO_SCREEN_EXIT = 75  # EX_TEMPFAIL: systemd starts the service again, and its journal says "status=75/TEMPFAIL"


def _config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", default=DEFAULT_CONFIG,
                        help=f"the room config file (default: $ROTATION_CONFIG or {DEFAULT_CONFIG})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rotation", description="Rotation Station: runs station rotation "
                                     "in a classroom. See docs/ for the protocol and the config file.")
    parser.add_argument("--version", action="version", version=f"rotation {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    hub = commands.add_parser("hub", help="the hub service and the teacher display")
    hub_commands = hub.add_subparsers(dest="hub_command", required=True, metavar="HUB_COMMAND")
    serve = hub_commands.add_parser("serve", help="run the hub service: stores events, runs the clock, "
                                    "publishes the room state")
    _config_argument(serve)
    web = hub_commands.add_parser("web", help="serve the teacher's web companion (the live map with names) on "
                                  "[web] host and port")
    _config_argument(web)
    display = hub_commands.add_parser("display", help="show the teacher's live room map")
    _config_argument(display)
    display.add_argument("--fullscreen", action="store_true", default=None, help="fill the screen")
    display.add_argument("--snapshot", type=Path, help="also write the map to this PNG every few seconds")
    command = hub_commands.add_parser("command", help="send a teacher command (start, pause, resume, extend, "
                                      "next, end) to the hub")
    _config_argument(command)
    command.add_argument("action", choices=CLOCK_ACTIONS)
    command.add_argument("--minutes", type=float, default=1, help="for extend: how many minutes")
    regroup = hub_commands.add_parser("regroup", help="suggest new groups and, with --apply, use them; the "
                                      "kiosks and the map follow at once")
    _config_argument(regroup)
    regroup.add_argument("--by", required=True, choices=GROUPING_STRATEGIES,
                         help="interest: shared interests; readiness: similar levels; mixed: every group spans "
                              "the levels; random")
    regroup.add_argument("--groups", type=int, required=True, help="how many groups")
    regroup.add_argument("--apart", action="append", default=[], metavar="ID,ID",
                         help="two students never to put in one group (repeat for more pairs)")
    regroup.add_argument("--seed", type=int, help="repeat an earlier suggestion (it prints its seed)")
    regroup.add_argument("--apply", action="store_true", help="use the suggested groups")
    regroup.add_argument("--from", dest="when", choices=("now", "next-round", "next-lesson"), default="now",
                         help="with --apply during a lesson: when the groups take over (default: now)")
    move = hub_commands.add_parser("move", help="move one student to another group")
    _config_argument(move)
    move.add_argument("student", help="the student id")
    move.add_argument("group", help="the group (a new name makes a new group)")
    skip = hub_commands.add_parser("skip", help="a group skips a station this session: it stays a round longer "
                                   "where it was, or repeats --instead")
    _config_argument(skip)
    skip.add_argument("group", help="the group id")
    skip.add_argument("station", help="the station id it skips")
    skip.add_argument("--instead", help="the station to repeat instead (default: stay where it was)")
    note = hub_commands.add_parser("note", help="a conference note for a student's timeline")
    _config_argument(note)
    note.add_argument("student", help="the student id")
    note.add_argument("--tag", action="append", default=[], help="a short tag, e.g. fluency (repeat for more)")
    note.add_argument("--text", default="", help="what you noticed or agreed")

    lesson = hub_commands.add_parser("lesson", help="start a lesson with its settings, or end it")
    lesson_commands = lesson.add_subparsers(dest="lesson_command", required=True, metavar="LESSON_COMMAND")
    lesson_start = lesson_commands.add_parser("start", help="round 1 of a lesson: optionally of another class, "
                                              "with its round length, number of rounds and stations off today")
    _config_argument(lesson_start)
    lesson_start.add_argument("--class", dest="class_ref", metavar="CLASS", help="run this class first")
    lesson_start.add_argument("--minutes", type=float, help="round length, 1-60 (default: [hub] round_minutes)")
    lesson_start.add_argument("--rounds", type=int, help="how many rounds, 1-20 (default: one per running station)")
    lesson_start.add_argument("--passing", type=float, default=0, metavar="MINUTES",
                              help="time to move between stations at the start of each round, 0-3 (default 0)")
    lesson_start.add_argument("--off", action="append", default=[], metavar="STATION",
                              help="a station switched off for this lesson (repeat for more)")
    lesson_start.add_argument("--choice", action="append", default=[], type=int, metavar="ROUND",
                              help="a round in which students choose their station at the kiosk (repeat for more)")
    lesson_start.add_argument("--must-do", action="append", default=[], metavar="STATION",
                              help="in choice rounds, a station students choose first (repeat for more)")
    lesson_change = lesson_commands.add_parser("change", help="change the running lesson: round length (from this "
                                               "round), rounds, passing time, stations off or on (from the next round)")
    _config_argument(lesson_change)
    lesson_change.add_argument("--minutes", type=float, help="round length, 1-60")
    lesson_change.add_argument("--rounds", type=int, help="how many rounds, 1-20")
    lesson_change.add_argument("--passing", type=float, metavar="MINUTES", help="passing time, 0-3")
    lesson_change.add_argument("--off", action="append", default=[], metavar="STATION",
                               help="switch a station off from the next round (repeat for more)")
    lesson_change.add_argument("--on", action="append", default=[], metavar="STATION",
                               help="switch a station back on from the next round (repeat for more)")
    lesson_end = lesson_commands.add_parser("end", help="end the lesson: kiosks take last exit tickets for a "
                                            "minute, then the report is written")
    _config_argument(lesson_end)
    lesson_end.add_argument("--now", action="store_true", help="end at once, without last exit tickets")
    attendance = hub_commands.add_parser("attendance", help="mark a student absent or late for this lesson (not "
                                         "missing on the map), or present again")
    _config_argument(attendance)
    attendance.add_argument("student", help="the student id")
    attendance.add_argument("mark", choices=("absent", "late", "present"))
    hub_class = hub_commands.add_parser("class", help="run another class (the hub must run, with no lesson "
                                        "going); without CLASS, list the room's classes")
    _config_argument(hub_class)
    hub_class.add_argument("class_ref", nargs="?", metavar="CLASS", help="the class: its id, or its sourcedId, "
                           "code or title")
    hub_pair = hub_commands.add_parser("pair", help="a one-time code that pairs a new kiosk with this hub (install.sh "
                                       "kiosk --code CODE on the kiosk's board)")
    _config_argument(hub_pair)
    hub_pair.add_argument("--station", required=True, help="the station whose kiosk it is")

    student = commands.add_parser("student", help="one student's data: export it, or delete it")
    student_commands = student.add_subparsers(dest="student_command", required=True, metavar="STUDENT_COMMAND")
    export = student_commands.add_parser("export", help="write everything stored about a student (JSON and CSV)")
    _config_argument(export)
    export.add_argument("student", help="the student id")
    export.add_argument("--out", type=Path, default=Path("."), help="folder (default: here)")
    delete = student_commands.add_parser("delete", help="erase everything stored about a student at the hub "
                                         "(database and reports), drop their events still at kiosks, and "
                                         "revoke their card (the hub must run)")
    _config_argument(delete)
    delete.add_argument("student", help="the student id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    report = commands.add_parser("report", help="write the latest session's report: each student's timeline, "
                                 "a summary per station and group (CSV) and a chart (PNG)")
    _config_argument(report)
    report.add_argument("--out", type=Path,
                        help="folder (default: reports/<date time> <class> next to the hub database)")

    backup = commands.add_parser("backup", help="copy the hub's database (safe while the hub runs), keeping the "
                                 "newest copies")
    _config_argument(backup)
    backup.add_argument("--out", type=Path, help="folder (default: backups/ next to the hub database)")
    backup.add_argument("--keep", type=int, default=14, help="how many copies to keep there (default 14)")

    doctor = commands.add_parser("doctor", help="is this board healthy? One line per check (broker, hub, kiosks, "
                                 "disk, time, backup, certificates, screen, services), each OK or what to do; exit "
                                 "code 0 when all is well, 1 with a warning, 2 when something needs a person now")
    _config_argument(doctor)

    kiosk = commands.add_parser("kiosk", help="run a station kiosk")
    _config_argument(kiosk)
    kiosk.add_argument("--station", help="the station id (default: [kiosk] station in the config)")
    kiosk.add_argument("--serial", help="serial port of a QR scanner (default: [kiosk] serial_port)")
    kiosk.add_argument("--outbox", type=Path, help="outbox database (default: [kiosk] outbox)")
    kiosk.add_argument("--fullscreen", action="store_true", default=None, help="fill the screen")
    kiosk.add_argument("--simulate", action="store_true",
                       help="no screen or scanner: simulated students tap in (used by the demo)")
    kiosk.add_argument("--headless", action="store_true",
                       help="no screen: record the serial scanner's check-ins only (a tap-in-only station; the "
                            "fault tests run kiosks so)")
    kiosk_commands = kiosk.add_subparsers(dest="kiosk_command", metavar="[scanners]",
                                          title="instead of running the kiosk")
    scanners_help = ("list the keyboards and keyboard-mode (USB HID) scanners plugged in, with what to put in "
                     "[kiosk] scanner_device")
    kiosk_commands.add_parser("scanners", help=scanners_help, description=scanners_help)

    demo = commands.add_parser("demo", help="start a private broker, the hub, the display and four simulated "
                               "kiosks; Ctrl-C stops them all")
    demo.add_argument("--dir", type=Path, help="working folder (default: a fresh temporary folder)")
    demo.add_argument("--headless", action="store_true", help="no window: write PNGs of the map instead")
    demo.add_argument("--round-seconds", type=float, default=20,
                      help="length of a round (default 20: every feature moves within a minute)")
    demo.add_argument("--duration", type=float, help="stop by itself after this many seconds")

    card = commands.add_parser("card", help="print a student's card token, or write it as a QR PNG")
    _config_argument(card)
    card.add_argument("student", help="the student id")
    card.add_argument("--png", type=Path, help="write the QR code to this PNG")
    card.add_argument("--version", dest="card_version", type=int, default=1, help="the card version")

    cards = commands.add_parser("cards", help="a printable PDF of QR cards, ten to an A4 or US Letter page, "
                                "the name under each code")
    _config_argument(cards)
    cards.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default a4)")
    cards.add_argument("--out", type=Path, default=Path("cards.pdf"), help="the PDF (default cards.pdf)")
    cards.add_argument("--student", action="append", default=[], help="only this student (repeat for more)")
    cards.add_argument("--class", dest="class_ref", metavar="CLASS", help="only this class's students (its id, "
                       "sourcedId, code or title); a card works in every class of its student's")
    cards.add_argument("--reprint", action="store_true",
                       help="new cards for the --student(s): their old cards stop working (the hub must run)")
    cards.add_argument("--stations", action="store_true",
                       help="instead of the students' cards, a sign for each station: its colour, picture and "
                            "name, and its activities' pictures, a landscape page each")

    broker = commands.add_parser("broker", help="the broker's accounts, ACL and TLS certificate")
    broker_commands = broker.add_subparsers(dest="broker_command", required=True, metavar="BROKER_COMMAND")
    setup = broker_commands.add_parser("setup", help="make a password for each client (hub, display, each "
                                       "kiosk), the Mosquitto password file, the ACL and a config snippet, "
                                       "and with --tls a CA and the broker's certificate; rerun safely")
    _config_argument(setup)
    setup.add_argument("--out", type=Path, help="folder (default: [broker] accounts in the config)")
    setup.add_argument("--port", type=int, help="the plain MQTT port (default: [broker] port, or 1883 when that is "
                       "the TLS port)")
    setup.add_argument("--bind", help="listen on this address only (default: every interface; with --tls "
                       "the plain port listens on 127.0.0.1)")
    setup.add_argument("--tls", action="store_true", help="also a TLS listener, with a CA made for this room")
    setup.add_argument("--tls-port", type=int, help="the TLS port (default: [broker] port with [broker] tls, else "
                       "8883)")
    setup.add_argument("--name", action="append", default=[], help="a host name or address kiosks use to "
                       "reach the hub, for the certificate (repeat; default: this host's names)")

    pair = commands.add_parser("pair", help="on a new kiosk's board: get its account and room config from the hub "
                               "with the code `rotation hub pair` showed")
    pair.add_argument("--hub", required=True, help="the hub's host name or address")
    pair.add_argument("--code", required=True, help="the pairing code, e.g. K7QD-M2XA")
    pair.add_argument("--station", required=True, help="the station this kiosk is for")
    pair.add_argument("--into", type=Path, default=Path(DEFAULT_CONFIG).parent,
                      help=f"folder for the kiosk's files (default {Path(DEFAULT_CONFIG).parent})")
    pair.add_argument("--outbox", type=Path, default=Path("/var/lib/rotation-station/kiosk-outbox.db"),
                      help="the kiosk's outbox database (default /var/lib/rotation-station/kiosk-outbox.db)")
    pair.add_argument("--port", type=int, help="the broker's port (default: 8883 with TLS, else 1883)")
    pair.add_argument("--tls", action="store_true", default=None, help="with --port: the port speaks TLS")
    pair.add_argument("--serial", help="this kiosk's serial QR scanner, e.g. /dev/ttyACM0")
    pair.add_argument("--camera", help="this kiosk reads cards with a camera: pi or /dev/videoN")
    commands.add_parser("secret", help="print a new random class secret (for [room] secret_file)")
    commands.add_parser("card-key", help="print a new private key for the hub to sign the cards with (for [room] "
                        "card_key_file, card.key beside the room file; the installer makes it once)")
    teacher_account = commands.add_parser("teacher", help="the teachers who may log in to the web companion")
    teacher_commands = teacher_account.add_subparsers(dest="teacher_command", required=True, metavar="COMMAND")
    teacher_add = teacher_commands.add_parser("add", help="add a teacher, or set a new password (asked twice; "
                                              "or one line on standard input)")
    _config_argument(teacher_add)
    teacher_add.add_argument("name", help="their login name, e.g. jlee")
    commands.add_parser("pin", help="ask for a teacher's PIN (6-8 digits) and print the line for teacher_pin (under "
                        "[kiosk], [display] or both)")
    check = commands.add_parser("check-config", help="validate a config file and its roster: names the classes "
                                "and how many students each would have")
    check.add_argument("config", type=Path)
    roster = commands.add_parser("roster", help="what is in a school's roster export")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ROSTER_COMMAND")
    listing = roster_commands.add_parser("classes", help="a table of a OneRoster export's classes: id, code, "
                                         "title, term, school, teacher, students")
    listing.add_argument("export", type=Path, help="the export: a folder or a .zip of OneRoster CSV files")
    listing.add_argument("--teacher", help="only this teacher's classes: their sourcedId, username or email")
    return parser


def run_kiosk(args: argparse.Namespace, config) -> int:
    from kiosk.settings import apply_settings, read_settings, settings_path

    own = read_settings(settings_path(args.outbox or config.kiosk.outbox))  # what a teacher set at this kiosk
    config = apply_settings(config, own)
    station = own.get("station") or args.station or config.kiosk.station
    if not station:
        raise ConfigError(f"{config.path}: [kiosk] station is not set and --station was not given")
    config.station(station)
    if args.serial:
        config = _replace_kiosk(config, serial_port=args.serial)
    if args.outbox:
        config = _replace_kiosk(config, outbox=args.outbox)
    from kiosk.core import KioskCore

    # The scanner and the link to the hub start before the screen: a card scanned while the kiosk boots
    # reaches the hub at once, not after Kivy has loaded (1-1.8 s on a Pi), and is greeted when the screen is up.
    with workers_leave_stop_signals_to_main():
        core = KioskCore(config, station)
    if args.simulate:
        from kiosk.simulator import SimulatedStudents

        _run_without_screen(core, SimulatedStudents(core))
        return 0
    from kiosk.card_reader import card_reader

    reader = card_reader(config.kiosk, core)
    if args.headless:
        if reader is None:
            raise ConfigError(f"{config.path}: --headless needs a scanner: --serial, [kiosk] serial_port, "
                              "scanner_device or camera")
        _run_without_screen(core, reader)
        return 0
    with workers_leave_stop_signals_to_main():  # a stop while it waits for a screen reaches the wait
        core.start()
        if reader is not None:
            reader.start()
    _before_the_window(config.kiosk.rotation)  # a card scanned while the screen starts up still reaches the hub
    large_blocks_straight_back()  # before the window and its first pictures
    from edge.screens import NoScreen, window_opened

    stop = threading.Event()
    try:
        with window_opened(stop):
            from kiosk.app import run
    except NoScreen as none:
        code = _wait_for_a_screen(none, stop)  # cards scanned meanwhile still reach the hub
        if reader is not None:
            reader.stop()
        core.stop()
        return code
    run(core, reader, fullscreen=config.kiosk.fullscreen if args.fullscreen is None else args.fullscreen)
    return 0


def _before_the_window(rotation: int) -> None:
    """What Kivy and SDL read when they are imported: the room's screen rotation, and on the console the card with
    the screen, waited for while the screen starts (up to a minute)."""
    from edge import kivy_env, screens

    kivy_env.rotate(rotation)
    screens.choose_console_screen(timeout=screens.screen_wait())


def _wait_for_a_screen(none: Exception, stop: threading.Event) -> int:
    """No window opened: say why in one line, wait as long as the wait for a screen (a minute), then end for
    systemd to start the service again: SDL looks for a screen only as it starts. A stop meanwhile (``stop``
    set) ends it at once."""
    from edge.screens import log, screen_wait

    wait = screen_wait()
    log.warning("%s. Trying again in %.0f s.", none, wait)
    return 0 if stop.wait(wait) else NO_SCREEN_EXIT


def _run_without_screen(core, source: SimulatedStudents | ScannerThread) -> None:
    stop = stop_event()
    with workers_leave_stop_signals_to_main():
        core.start()
        source.start()
    freeze_startup_objects()
    stop.wait()
    source.stop()
    core.stop()


def add_teacher(config, name: str) -> int:
    import getpass

    from web.accounts import Accounts, check_new

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {name} (10 characters or more): ")
        if getpass.getpass("Again: ") != password:
            print("rotation: the two passwords differ; nothing changed", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        check_new(name, password)
    except ValueError as error:
        print(f"rotation: {error}", file=sys.stderr)
        return 2
    accounts = Accounts(config.web.accounts)
    try:
        new = accounts.add(name, password)
    finally:
        accounts.close()
    print(f"{name} {'may now log in' if new else 'has a new password'} at the web companion ({config.web.accounts})")
    return 0


def pin_line() -> int:
    import getpass

    from shared.pin import PIN_PATTERN, hash_pin

    if sys.stdin.isatty():
        pin = getpass.getpass("Teacher's PIN for the kiosks and the map (6-8 digits): ")
        if getpass.getpass("Again: ") != pin:
            print("rotation: the two PINs differ; nothing printed", file=sys.stderr)
            return 1
    else:
        pin = sys.stdin.readline().strip()
    if not PIN_PATTERN.match(pin):
        print("rotation: a PIN is 6 to 8 digits (a shorter one is guessed within hours from what a stolen kiosk "
              "holds); nothing printed", file=sys.stderr)
        return 2
    print(f'teacher_pin = "{hash_pin(pin)}"')
    return 0


def broker_setup(args: argparse.Namespace, config) -> int:
    import socket

    from edge.broker_setup import CONF_FILE, write_broker_files
    from edge.tls import ensure_tls

    folder = args.out or config.broker.accounts
    if folder is None:
        raise ConfigError(f"{config.path}: set [broker] accounts (a folder for the passwords) or give --out")
    tls = None
    if args.tls:
        names = args.name or [socket.gethostname(), f"{socket.gethostname()}.local", "localhost", "127.0.0.1"]
        tls = ensure_tls(folder, names, config.room_id)
    # The room file says which port its clients use: the TLS one with [broker] tls, else the plain one.
    plain_port = args.port or (1883 if config.broker.tls else config.broker.port)
    tls_port = args.tls_port or (config.broker.port if config.broker.tls else 8883)
    changed = write_broker_files(config, folder, port=plain_port, bind=args.bind, tls=tls, tls_port=tls_port)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"{folder}: unchanged")
    print(f"Mosquitto: include {folder.resolve() / CONF_FILE} (copy it to /etc/mosquitto/conf.d/); each board "
          "needs its own <account>.password file from that folder" + (" and ca.crt" if tls else "") + ".")
    return 0


def _replace_kiosk(config, **changes):
    from dataclasses import replace

    return replace(config, kiosk=replace(config.kiosk, **changes))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The hub service says what it does (imports, commands, connections) in its journal; the rest only warns.
    service = args.command == "hub" and args.hub_command == "serve"
    logging.basicConfig(level=logging.INFO if args.verbose or args.command == "demo" or service else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    try:
        return dispatch(args)
    except Exception as error:
        if (problem := problem_to_fix(error, args)) is None:
            raise
        print(f"rotation: {problem}", file=sys.stderr)
        return 2


def problem_to_fix(error: Exception, args: argparse.Namespace) -> str | None:
    """One line for a problem in the room's files or database that the user fixes; None for anything else.
    The hub's own errors are imported only for an error of none of the other kinds: a kiosk, started by this
    same command, does not load the hub's modules to say that its config is wrong."""
    from rotation.data_owner import CannotActAsOwner, acting_as

    if isinstance(error, ConfigError | DatabaseInUse | DatabaseTooNew | CannotActAsOwner):
        return str(error)
    if isinstance(error, PermissionError) and (acting := acting_as()) is not None:
        owner, folder = acting
        return (f"{error} (run as root, this command acts as {owner.name}, the owner of {folder}, as the hub's "
                f"services do: give {owner.name} access to it)")
    from hub.plan import PlanError
    from hub.roster import RosterError

    if isinstance(error, PlanError):
        return f"{args.config}: no rotation plan keeps every rule: {error}"
    return str(error) if isinstance(error, RosterError) else None


class _ClassName(NamedTuple):
    """A roster's class as hub/classes.py finds it before the hub has given it an id."""
    id: str
    sis_id: str
    title: str
    code: str
    name: str


def check_config(path: Path) -> int:
    """Check the file, and read its roster as the hub would: name each class and its number of students."""
    config = load_config(path)
    if not config.roster:
        print(f"{path}: OK, room {config.room_id}, {len(config.stations)} stations (no roster)")
        return 0
    from hub.classes import find_class
    from hub.engine import rotation_plan
    from hub.roster import RosterStudent
    from hub.roster_source import read_roster
    from hub.roster_watch import roster_selection
    from hub.store import read_mirror_of

    selection = roster_selection(config)
    # A delta export applies to what the hub kept of the last import; the file is only read, never migrated.
    mirror = read_mirror_of(config.hub.database, selection.key) if config.hub.database.exists() else None
    roster, _ = read_roster(config.roster, selection, mirror=mirror, class_title=config.room_name)
    people = {p.sis_id: p for p in roster.people}
    lines = []
    for klass in roster.classes:
        members = [m for m in roster.members if m.class_sis_id == klass.sis_id]
        rotation_plan(config.stations, [RosterStudent(m.sis_id, people[m.sis_id].first_name, "", m.group)
                                        for m in members])
        today = datetime.date.today()
        later = [m.begins for m in members if not m.current(today) and m.begins is not None and m.begins > today]
        starts = f" (of whom {len(later)} from {min(later)})" if later else ""
        lines.append(f"  {klass.name}{' · ' + klass.term if klass.term else ''}: {len(members)} students{starts}")
    strangers = sorted({i for pair in config.keep_apart for i in pair} - people.keys())
    if strangers:
        raise ConfigError(f"{config.path}: [room] keep_apart names students not in the roster: {', '.join(strangers)}")
    named = [_ClassName(c.sis_id, c.sis_id, c.title, c.code, c.name) for c in roster.classes]
    for number, period in enumerate(config.periods, start=1):
        try:
            find_class(period.class_, named)
        except ValueError as error:  # the timetable skips it: a class may leave the school's export mid-year
            print(f"rotation: warning: {config.path}: [period {number}] class = {period.class_!r}: {error}",
                  file=sys.stderr)
    print(f"{path}: OK, room {config.room_id}, {len(config.stations)} stations, {len(roster.classes)} "
          f"class{'es' if len(roster.classes) != 1 else ''}, {len(people)} students:")
    print("\n".join(lines))
    return 0


def list_roster_classes(export: Path, teacher: str | None) -> int:
    from hub.roster_source import roster_classes
    from rotation.tables import table

    listed = roster_classes(export, teacher)
    print(table(["id", "code", "title", "term", "school", "teacher", "students"],
                [[c.sis_id, c.code, c.title, c.term, c.school, c.teachers, str(c.students)] for c in listed]))
    print(f"{len(listed)} classes{' of ' + teacher if teacher else ''}: put the room's in room.toml, "
          '[room] classes = ["<id, code or title>", ...] or teacher = "<id, username or email>"')
    return 0


def data_folder(args: argparse.Namespace, config) -> Path | None:
    """The folder of the hub's data that the command writes in (None: it writes in none). Run as root, the command
    acts as that folder's owner, the services' user on a board (rotation/data_owner.py): what it makes there, the
    services can use."""
    if args.command == "teacher":
        return config.web.accounts.parent
    if args.command == "kiosk":  # its outbox and the teacher's settings at the kiosk
        return (args.outbox or config.kiosk.outbox).parent
    if args.command in ("card", "backup", "report", "student") or (args.command == "cards" and not args.stations) \
            or (args.command == "hub" and args.hub_command in ("serve", "web", "display")):  # the display: Report
        return config.hub.database.parent
    return None


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "secret":
        print(secrets.token_hex(32))
        return 0
    if args.command == "card-key":
        from shared.cards import new_signing_key

        print(new_signing_key(), end="")
        return 0
    if args.command == "pair":
        from rotation.pairing_cli import pair_kiosk

        return pair_kiosk(args)
    if args.command == "pin":
        return pin_line()
    if args.command == "demo":
        from rotation.demo import run_demo

        return run_demo(args.dir, args.headless, args.round_seconds, args.duration)
    if args.command == "check-config":
        return check_config(args.config)
    if args.command == "roster":
        return list_roster_classes(args.export, args.teacher)
    if args.command == "kiosk" and args.kiosk_command == "scanners":
        from rotation.scanner_list import list_scanners

        return list_scanners()
    config = load_config(args.config)
    if (folder := data_folder(args, config)) is not None:
        from rotation.data_owner import act_as_owner_of

        act_as_owner_of(folder)
    if args.command == "teacher":
        return add_teacher(config, args.name)
    if args.command == "card":
        from shared.cards import sign_token

        student = args.student
        if config.hub.database.exists():  # the school's id names the student's card id
            from rotation.teacher import hub_database

            with hub_database(config) as store:
                student = store.card_ids().get(student, student)
        token = sign_token(config.signing_key, student, args.card_version)
        if args.png:
            import qrcode

            from rotation.data_owner import as_the_technician

            with as_the_technician():
                qrcode.make(token, box_size=10, border=4).save(args.png)
        print(token)
        return 0
    if args.command == "kiosk":
        return run_kiosk(args, config)
    if args.command == "broker":
        return broker_setup(args, config)
    if args.command == "doctor":
        sys.dont_write_bytecode = True  # run as root, it leaves nothing behind, not even a __pycache__
        from rotation.doctor import doctor

        return doctor(config)
    if args.command == "student":
        from rotation import teacher

        if args.student_command == "export":
            return teacher.export_student(config, args.student, args.out)
        return teacher.delete_student(config, args.student, args.yes)
    if args.command == "cards":
        from rotation import teacher

        if args.stations:
            return teacher.station_signs(config, args.paper, args.out)
        return teacher.cards(config, args.paper, args.out, args.student, args.reprint, args.class_ref)
    if args.command == "backup":
        from rotation import teacher

        return teacher.backup(config, args.out, args.keep)
    if args.command == "report":
        from rotation import teacher

        return teacher.report(config, args.out)
    if args.hub_command == "serve":
        from hub.instances import ANOTHER_HUB_EXIT, AnotherHub
        from hub.service import serve

        try:
            serve(config)
        except AnotherHub as error:
            print(f"rotation: {error}", file=sys.stderr)
            return ANOTHER_HUB_EXIT
        return 0
    if args.hub_command == "web":
        from web.service import serve as serve_web

        print(f"the web companion: {config.web.address}", flush=True)
        serve_web(config)
        return 0
    if args.hub_command == "display":
        _before_the_window(config.display.rotation)
        from edge.screens import NoScreen, window_opened

        stop = threading.Event()
        try:
            with window_opened(stop):
                from hub.display import run
        except NoScreen as none:
            return _wait_for_a_screen(none, stop)
        run(config, fullscreen=config.display.fullscreen if args.fullscreen is None else args.fullscreen,
            snapshot=args.snapshot)
        return 0
    from rotation import teacher

    if args.hub_command == "command":
        return teacher.clock_command(config, args.action, args.minutes)
    if args.hub_command == "regroup":
        return teacher.regroup(config, args.by, args.groups, args.apart, args.seed, args.apply,
                               args.when.removeprefix("next-"))
    if args.hub_command == "move":
        return teacher.move(config, args.student, args.group)
    if args.hub_command == "skip":
        return teacher.skip(config, args.group, args.station, args.instead)
    if args.hub_command == "note":
        return teacher.note(config, args.student, args.tag, args.text)
    if args.hub_command == "lesson":
        if args.lesson_command == "end":
            return teacher.end_lesson(config, 0 if args.now else LAST_TICKETS_SECONDS)
        if args.lesson_command == "change":
            return teacher.change_lesson(config, args.minutes, args.rounds, args.passing, args.off, args.on)
        return teacher.start_lesson(config, args.class_ref, args.minutes, args.rounds, args.passing, args.off,
                                    args.choice, args.must_do)
    if args.hub_command == "attendance":
        return teacher.attendance(config, args.student, args.mark)
    if args.hub_command == "class":
        return teacher.choose_class(config, args.class_ref)
    if args.hub_command == "pair":
        from rotation.pairing_cli import show_code

        return show_code(config, args.station)
    raise AssertionError(args)


if __name__ == "__main__":
    sys.exit(main())
