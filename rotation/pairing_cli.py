"""``rotation hub pair`` (on the hub: show a code) and ``rotation pair`` (on a new kiosk: use it)."""
from __future__ import annotations

import argparse
import socket
import sys
import threading
import time

from edge.mqtt import make_client
from rotation.pair_client import pair, write_kiosk_files
from rotation.teacher import HubSession, finish
from shared.config import Config, ConfigError, load_config
from shared.pairing import PairingError

CHECK_SECONDS = 10.0


def show_code(config: Config, station: str) -> int:
    with HubSession(config) as hub:
        reply = hub.send("pair_kiosk", {"station": station})
    if reply is None or not reply.ok:
        return finish(reply)
    if reply.data is None:
        print(f"rotation: the hub's answer has no code: {reply.message}", file=sys.stderr)
        return 1
    host = f"{socket.gethostname()}.local"
    print(f"{reply.message}\n\nOn the kiosk's board, run:\n\n"
          f"  sudo deploy/raspberrypi/install.sh kiosk --station {station} --hub {host} --code {reply.data['code']}\n\n"
          f"(or the hub's address instead of {host}). The code works once.")
    return 0


def pair_kiosk(args: argparse.Namespace) -> int:
    try:
        paired = pair(args.hub, args.code, args.station, port=args.port, tls=args.tls)
        written = write_kiosk_files(args.into, paired, args.station, args.outbox, args.serial, args.camera)
    except PairingError as error:
        print(f"rotation pair: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    config = load_config(args.into / "room.toml")
    problem = connection_problem(config, f"kiosk-{args.station}")
    if problem:
        print(f"rotation pair: paired, but the kiosk cannot log in yet: {problem}", file=sys.stderr)
        return 1
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
        return (f"{error} (with TLS, the hub's certificate must name {config.broker.host}: on the hub, run "
                f"`rotation broker setup --tls --name {config.broker.host}` and pair again)"), False
    client.loop_start()
    try:
        if not done.wait(wait):
            return f"no answer from the broker at {config.broker.host}:{config.broker.port}", False
    finally:
        client.disconnect()
        client.loop_stop()
    return (outcome[0], True) if outcome else (None, False)
