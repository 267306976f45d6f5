"""2,000 idle connections from a student's laptop leave the room working: three hosts in network namespaces
(the hub's board, a laptop, a kiosk's board), the broker with the room's generated config and firewall table,
the real hub, and a real kiosk core checking a student in from its own address.

The broker runs with 1,024 file descriptors, a board's default: without the firewall's limit per address, the
laptop's connections take them all and the kiosk cannot log in."""
import os
import shutil
import subprocess
import sys
import time

import pytest

from edge.broker_setup import CONF_FILE, CONNECTIONS_PER_ADDRESS, FIREWALL_FILE, write_broker_files
from rotation.broker import PrivateBroker, find_mosquitto, free_port
from shared.config import load_config
from tests.conftest import ROOT, card, write_room

HUB_ON_LAPTOP_SIDE, HUB_ON_KIOSK_SIDE = "10.219.1.1", "10.219.2.1"
LAPTOP_CONNECTIONS = 2000

LAPTOP = """
import socket, sys
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = []
for _ in range(count):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((host, port))
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
sys.stdin.read()  # hold them until the test ends
"""

KIOSK = """
import sys, threading
from kiosk.core import KioskCore
from shared.config import load_config

config = load_config(sys.argv[1])
kiosk = KioskCore(config, "tech", config.kiosk.outbox)
waiting = threading.Event()
kiosk.start()
try:
    for _ in range(300):  # up to 15 s to log in and hear the hub
        if kiosk.online and kiosk.state is not None:
            break
        waiting.wait(0.05)
    else:
        sys.exit("the kiosk could not log in to the broker and hear the hub")
    kiosk.scan(sys.argv[2])
    for _ in range(200):
        if kiosk.outbox.depth() == 0:
            print("acked", flush=True)
            break
        waiting.wait(0.05)
    else:
        sys.exit("the hub never acknowledged the check-in")
finally:
    kiosk.stop()
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


@pytest.fixture
def hosts():
    """(hub, laptop, kiosk) namespace names, linked hub-laptop and hub-kiosk by veth pairs."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft"):
        pytest.skip("needs root, ip and nft (scripts/test.sh installs iproute2 and nftables)")
    tag = f"rs{os.getpid() % 100000}"
    hub, laptop, kiosk = f"{tag}hub", f"{tag}lap", f"{tag}kio"
    if run("ip", "netns", "add", hub).returncode != 0:
        pytest.skip("`ip netns add` is not permitted here")
    try:
        for other, side, hub_address in ((laptop, "l", HUB_ON_LAPTOP_SIDE), (kiosk, "k", HUB_ON_KIOSK_SIDE)):
            assert run("ip", "netns", "add", other).returncode == 0
            prefix = hub_address.rsplit(".", 1)[0]
            for command in (
                    ["ip", "link", "add", f"{tag}h{side}", "netns", hub, "type", "veth", "peer", "name", f"{tag}{side}",
                     "netns", other],
                    ["ip", "-n", hub, "addr", "add", f"{hub_address}/24", "dev", f"{tag}h{side}"],
                    ["ip", "-n", other, "addr", "add", f"{prefix}.2/24", "dev", f"{tag}{side}"],
                    ["ip", "-n", hub, "link", "set", f"{tag}h{side}", "up"],
                    ["ip", "-n", other, "link", "set", f"{tag}{side}", "up"],
                    ["ip", "-n", other, "link", "set", "lo", "up"]):
                done = run(*command)
                assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
        assert run("ip", "-n", hub, "link", "set", "lo", "up").returncode == 0
        yield hub, laptop, kiosk
    finally:
        for name in (hub, laptop, kiosk):
            run("ip", "netns", "del", name)


def in_namespace(namespace: str, *command: str, **options) -> subprocess.Popen:
    return subprocess.Popen(["ip", "netns", "exec", namespace, *command], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True, **options)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_listening(namespace: str, port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f":{port} " in run("ip", "netns", "exec", namespace, "ss", "-ltnH").stdout:
            return
        time.sleep(0.05)
    raise AssertionError(f"the broker did not listen on port {port} within {timeout} s")


def test_two_thousand_idle_connections_from_one_laptop_leave_the_room_working(hosts, tmp_path):
    hub_host, laptop_host, kiosk_host = hosts
    port = free_port()
    hub_config = load_config(write_room(tmp_path, port, 'accounts = "broker"'))
    write_broker_files(hub_config, hub_config.broker.accounts, port=port)  # every interface, as on a board
    firewall = run("ip", "netns", "exec", hub_host, "nft", "-f", str(hub_config.broker.accounts / FIREWALL_FILE))
    assert firewall.returncode == 0, firewall.stderr
    broker = PrivateBroker(tmp_path / "mosquitto", port=port,
                           listeners=(hub_config.broker.accounts / CONF_FILE).read_text())
    broker.write_config()
    start_broker = f"ulimit -n 1024 && exec {find_mosquitto()} -c {broker.config_path}"
    processes = [in_namespace(hub_host, "sh", "-c", start_broker,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_until_listening(hub_host, port)
        processes.append(in_namespace(hub_host, sys.executable, "-m", "rotation.cli", "hub", "serve",
                                      "--config", str(hub_config.path),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        laptop = in_namespace(laptop_host, sys.executable, "-c", LAPTOP, HUB_ON_LAPTOP_SIDE, str(port),
                              str(LAPTOP_CONNECTIONS), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        processes.append(laptop)
        held = int(laptop.stdout.readline())
        assert held <= CONNECTIONS_PER_ADDRESS

        board = tmp_path / "kiosk-board"
        board.mkdir()
        kiosk_room = write_room(board, port, 'accounts = "broker"')
        kiosk_room.write_text(kiosk_room.read_text().replace("[broker]", f'[broker]\nhost = "{HUB_ON_KIOSK_SIDE}"', 1))
        shutil.copytree(hub_config.broker.accounts, board / "broker")
        kiosk = in_namespace(kiosk_host, sys.executable, "-c", KIOSK, str(kiosk_room), card("s05"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = kiosk.communicate(timeout=60)
        assert kiosk.returncode == 0 and "acked" in out, err[-2000:]
    finally:
        for process in reversed(processes):
            stop(process)
