"""``rotation hub pair`` (on the hub: show a code) and ``rotation pair`` (on a new kiosk: use it)."""
from __future__ import annotations

import argparse
import socket
import sys
import threading
import time

from edge.mqtt import make_client
from rotation.pair_client import Staged, local_settings, pair
from rotation.teacher import HubSession, finish
from shared.config import Config, ConfigError, load_config
from shared.pairing import CODE_SECONDS, PairingError

CHECK_SECONDS = 10.0


def show_code(config: Config, station: str) -> int:
    with HubSession(config) as hub:
        reply = hub.send("pair_kiosk", {"station": station})
        paired_before = station in hub.link.kiosks  # its kiosk has said how it is: a board has this station
    if reply is None or not reply.ok:
        return finish(reply)
    if reply.data is None:
        print(f"rotation: the hub's answer has no code: {reply.message}", file=sys.stderr)
        return 1
    host = f"{socket.gethostname()}.local"
    print(f"{reply.message}\n\n{kiosk_command(station, host, reply.data['code'], paired_before)}")
    return 0


def kiosk_command(station: str, host: str, code: str, paired_before: bool) -> str:
    """What to run on the kiosk's board, whole: the options a technician may need are named."""
    again = ("This station has had a kiosk. A new board needs nothing more; to pair that same board again\n"
             "(say, after the hub moved), add --pair-again: it keeps the board's scanner, camera and screen\n"
             "settings unless you give new ones.\n\n") if paired_before else ""
    return (f"On the kiosk's board, in the project's folder, run:\n\n"
            f"  sudo deploy/raspberrypi/install.sh kiosk --station {station} --hub {host} --code {code}"
            f" [--serial /dev/ttyACM0 | --camera pi | --camera /dev/video0]\n\n"
            f"with --serial for a serial or USB-CDC scanner, --camera for the Pi camera or a webcam, neither for a\n"
            f"keyboard-mode USB scanner; the hub's address will do instead of {host}.\n\n"
            f"{again}The code works once, for {CODE_SECONDS // 60} minutes.")


def pair_kiosk(args: argparse.Namespace) -> int:
    """Pair, and keep the new files only once the kiosk has logged in with them: a pairing that fails leaves
    every file on this board as it was."""
    try:
        local = local_settings(args.into / "room.toml", args.serial, args.camera)
        paired = pair(args.hub, args.code, args.station, port=args.port, tls=args.tls)
        staged = Staged(args.into, paired, args.station, args.outbox, local)
    except PairingError as error:
        print(f"rotation pair: {error}", file=sys.stderr)
        return 1
    try:
        config = load_config(staged.room_file)
        problem = connection_problem(config, f"kiosk-{args.station}")
    except ConfigError as error:
        problem = str(error)
    if problem:
        staged.discard()
        print(f"rotation pair: the hub answered, but this kiosk cannot log in with what it sent: {problem}. "
              f"Nothing on this board was changed; the hub has given station {args.station}'s kiosk a new "
              f"password, so pair again with a new code (on the hub: sudo rotation hub pair --station "
              f"{args.station}) once that is put right.", file=sys.stderr)
        return 1
    for path in staged.commit():
        print(f"wrote {path}")
    print(f"paired: this board is {config.station(args.station).name}'s kiosk in {config.room_name}, "
          f"logged in to the broker at {paired.host}:{paired.port}{' over TLS' if paired.tls else ''}")
    return 0


def connection_problem(config: Config, account: str) -> str | None:
    """Why ``account`` cannot log in to the room's broker as ``config`` says, or None when it can. A password
    just given by pairing may need a moment before the broker has reloaded it: a refused login is tried again
    for a few seconds."""
    deadline = time.monotonic() + CHECK_SECONDS
    while True:
        problem, refused = _try_login(config, account, max(deadline - time.monotonic(), 1.0))
        if not refused or time.monotonic() >= deadline:
            return problem
        time.sleep(0.25)


def _try_login(config: Config, account: str, wait: float) -> tuple[str | None, bool]:
    """(why the login failed or None, whether the broker refused the account)."""
    done = threading.Event()
    outcome: list[str] = []

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            outcome.append(f"the broker refused the account {account}: {reason_code}")
        done.set()

    try:
        client = make_client(f"{account}-check", config.broker, account)
        client.on_connect = on_connect
        client.connect(config.broker.host, config.broker.port, keepalive=10)
    except ConfigError as error:
        return str(error), False
    except OSError as error:  # ssl.SSLError among them: a certificate not made for this host name
        return (f"{error} (with TLS, the hub's certificate must name {config.broker.host}: on the hub, run its "
                f"install command again with every name kiosks use, sudo deploy/raspberrypi/install.sh hub "
                f"--name {config.broker.host} --name ...)"), False
    client.loop_start()
    try:
        if not done.wait(wait):
            return f"no answer from the broker at {config.broker.host}:{config.broker.port}", False
    finally:
        client.disconnect()
        client.loop_stop()
    return (outcome[0], True) if outcome else (None, False)
