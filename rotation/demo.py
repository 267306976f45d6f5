"""``rotation demo``: a whole classroom on one machine, started and stopped with one command."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from edge.broker_setup import CONF_FILE, PASSWD_FILE, Account, write_broker_files
from edge.files import write_if_changed
from edge.kivy_env import missing_screen
from edge.stop_signals import on_stop
from kiosk.simulator import STAYING_HOME
from rotation.broker import BrokerError, PrivateBroker, free_port
from rotation.demo_teacher import ABSENT, DemoTeacher, demo_roster
from shared.cards import new_signing_key
from shared.config import CARD_KEY_FILE, Config, load_config
from web.accounts import Accounts

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SAMPLE_ROOM = ASSETS / "sample" / "room.toml"


def write_demo_config(directory: Path, broker_port: int, round_seconds: float) -> Path:
    """The sample room with a fresh class secret and card key, the private broker and fast rounds. The demo's
    simulated kiosks read this file too, so they can make the cards their students hold up."""
    import tomllib

    sample = tomllib.loads(SAMPLE_ROOM.read_text())
    (directory / "class.secret").write_text(secrets.token_hex(32) + "\n")
    write_if_changed(directory / CARD_KEY_FILE, new_signing_key())
    web_port = free_port()
    lines = [
        "# Written by `rotation demo` from assets/sample/room.toml.",
        "[room]", f'id = "{sample["room"]["id"]}"', f'name = "{sample["room"]["name"]}"',
        'secret_file = "class.secret"', 'roster = "roster.csv"',
        "[broker]", 'host = "127.0.0.1"', f"port = {broker_port}", 'accounts = "broker-accounts"',
        "[hub]", 'database = "hub.db"', f"round_minutes = {round_seconds / 60!r}", "auto_advance = true",
        "[web]", 'host = "127.0.0.1"', f"port = {web_port}", 'accounts = "teachers.db"',
        # this machine's browser is the teacher's device: the room map shows the address
        f'url = "http://127.0.0.1:{web_port}/"',
    ]
    (directory / "roster.csv").write_text(demo_roster((ASSETS / "sample" / "roster.csv").read_text()))
    for station in sample["station"]:
        lines += ["[[station]]", *(f"{key} = {_toml(value)}" for key, value in station.items())]
    path = directory / "room.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


DEMO_TEACHER = "teacher"


def demo_teacher_account(config: Config) -> str:
    """The demo teacher's login at the web companion, with a new password each demo (printed)."""
    password = secrets.token_urlsafe(9)
    accounts = Accounts(config.web.accounts)
    try:
        accounts.add(DEMO_TEACHER, password)
    finally:
        accounts.close()
    return password


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def secured_broker(config_path: Path, directory: Path, extra: Sequence[Account] = ()) -> PrivateBroker:
    """A private broker with the room's accounts and ACL, as a school's hub runs it (and ``extra`` accounts)."""
    config = load_config(config_path)
    accounts = config.broker.accounts
    assert accounts is not None, "write_demo_config names the accounts folder"
    write_broker_files(config, accounts, port=config.broker.port, bind="127.0.0.1", extra=extra)
    return PrivateBroker(directory, port=config.broker.port, listeners=(accounts / CONF_FILE).read_text(),
                         reload_on=accounts / PASSWD_FILE)


class Processes:
    """Child processes in their own sessions, so Ctrl-C reaches only the demo, which stops them in order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "rotation.cli", *args], stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, **(env or {})})
        log.close()
        self.children.append((name, process))
        return process

    def first_exited(self) -> str | None:
        return next((name for name, p in self.children if p.poll() is not None), None)

    def stop_all(self) -> None:
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for _, process in reversed(self.children):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_demo(directory: Path | None, headless: bool, round_seconds: float, duration: float | None) -> int:
    temporary = directory is None
    directory = Path(directory or tempfile.mkdtemp(prefix="rotation-demo-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in ("hub.db", "hub.db-wal", "hub.db-shm"):
        (directory / stale).unlink(missing_ok=True)
    no_screen = "--headless given" if headless else missing_screen()
    headless = no_screen is not None
    stop = threading.Event()
    on_stop(stop.set)
    config = write_demo_config(directory, free_port(), round_seconds)
    broker = secured_broker(config, directory / "broker")
    try:
        broker.start()
    except BrokerError as error:
        print(f"rotation demo: {error}", file=sys.stderr)
        return 1
    processes = Processes(directory)
    try:
        config_arg = str(config)
        processes.start("hub", "hub", "serve", "--config", config_arg)
        snapshot = directory / "room-map.png"
        display_args = ["hub", "display", "--config", config_arg] + (["--snapshot", str(snapshot)] if headless else [])
        processes.start("display", *display_args)
        web_password = demo_teacher_account(load_config(config))
        processes.start("web", "hub", "web", "--config", config_arg)
        kiosks = ["independent", "collaborative", "tech", "reading-nook"]
        for station in kiosks:
            processes.start(f"kiosk-{station}", "kiosk", "--config", config_arg, "--station", station, "--simulate",
                            "--outbox", str(directory / f"outbox-{station}.db"),
                            env={STAYING_HOME: ",".join(ABSENT)})
        teacher = DemoTeacher(load_config(config), stop)
        teacher.start()
        print(f"Rotation Station demo running in {directory}\n"
              f"  broker   127.0.0.1:{broker.port} (private Mosquitto; every client on its own account)\n"
              f"  hub      rotation hub serve   (log: {directory / 'hub.log'})\n"
              f"  kiosks   {', '.join(kiosks)} (simulated students tap in)\n"
              + (f"  display  {no_screen}: running headless, the room map is written to\n"
                 f"           {snapshot} every 3 s\n" if headless else "  display  the room map window\n")
              + f"  web      {load_config(config).web.address}  the teacher's companion: log in as "
                f"{DEMO_TEACHER} / {web_password}\n"
              + "  teacher  runs lessons of Period 2 and Period 3 in turn: passing time, an absent student,\n"
                "           last exit tickets at the end, the summary, then the other class\n"
              + "Press Ctrl-C to stop everything."
              + (" The folder goes with it (--dir DIR keeps one, reports and all)." if temporary and not headless
                 else ""), flush=True)
        deadline = time.monotonic() + duration if duration else None
        while not stop.wait(0.5):
            exited = processes.first_exited()
            if exited:
                print(f"rotation demo: {exited} stopped; see {directory / (exited + '.log')}. Stopping the demo.",
                      file=sys.stderr)
                return 1
            if deadline and time.monotonic() >= deadline:
                break
        stop.set()
        teacher.join()
        return 0
    finally:
        with suppress(OSError):  # its output piped to a reader gone (`| head`): everything stops all the same
            print("Stopping the demo...", flush=True)
        processes.stop_all()
        broker.stop()
        if temporary and not headless:
            shutil.rmtree(directory, ignore_errors=True)
        with suppress(OSError):
            print("Stopped.", flush=True)
