"""A room's broker bridged to the school's: two real Mosquittos. The school sees the room's summary (counts,
no names) and only what the room's [school] share names; nothing else crosses, and nothing comes back."""
import json

import pytest

from edge.broker_setup import CONF_FILE, write_broker_files
from hub.service import HubService
from kiosk.core import KioskCore
from rotation.broker import PrivateBroker, free_port
from shared.config import load_config
from shared.topics import Topics
from tests.conftest import SAMPLE, card, eventually, write_room
from tests.mqtt_client import TestClient

T = Topics("room-12")
LAST_NAMES = [line.split(",")[2] for line in (SAMPLE / "roster.csv").read_text().splitlines()[1:]]


@pytest.fixture
def school(tmp_path):
    with PrivateBroker(tmp_path / "school-broker") as broker:
        watcher = TestClient(broker.port, "#")
        yield broker, watcher
        watcher.close()


def bridged_room(tmp_path, school_port: int, share: list[str]):
    port = free_port()
    (tmp_path / "school.password").write_text("room-12-secret\n")
    path = write_room(tmp_path, port, 'accounts = "broker"')
    path.write_text(path.read_text() + f'\n[school]\nhost = "127.0.0.1"\nport = {school_port}\n'
                                       f'share = {json.dumps(share)}\n')
    config = load_config(path)
    write_broker_files(config, config.broker.accounts, port=port, bind="127.0.0.1")
    return config, PrivateBroker(tmp_path / "room-broker", port=port,
                                 listeners=(config.broker.accounts / CONF_FILE).read_text())


@pytest.fixture
def classroom(tmp_path):
    """Starts the hub and a kiosk on a bridged room's broker: ``classroom(config)`` -> (hub, kiosk)."""
    running = []

    def start(config):
        hub = HubService(config)
        hub.start()
        kiosk = KioskCore(config, "reading-nook", tmp_path / "outbox.db")
        kiosk.start()
        running.extend([kiosk, hub])
        eventually(lambda: kiosk.online, 10, "the kiosk online")
        return hub, kiosk
    yield start
    for part in running:
        part.stop()


def test_the_school_sees_the_rooms_summary_and_nothing_else(school, classroom, tmp_path):
    school_broker, watcher = school
    config, room_broker = bridged_room(tmp_path, school_broker.port, ["summary"])
    with room_broker:
        hub, kiosk = classroom(config)
        kiosk.scan(card("s05"))
        summary = watcher.wait_for(T.summary, lambda s: s["checked_in"] == 1, timeout=10)
        watcher.publish(T.command, {"v": 1, "id": "c1", "client": "school", "action": "start"})
        kiosk.scan(card("s06"))  # a round trip through the bridge after the school's command
        watcher.wait_for(T.summary, lambda s: s["checked_in"] == 2, timeout=10)
        assert hub.room.clock.round == 0  # nothing from the school reaches the room
    assert summary["room"] == "Room 12" and summary["students"] == 28
    nook = next(s for s in summary["stations"] if s["id"] == "reading-nook")
    assert nook["here"] == 1 and nook["name"] == "Reading Nook"
    assert {m.topic for m in watcher.messages} == {T.summary, T.command}  # the command: the school's own
    everything = b"".join(m.payload for m in watcher.messages)
    assert b"s05" not in everything and b"Sofia" not in everything
    assert not [name for name in LAST_NAMES if name.encode() in everything]


def test_what_the_room_shares_is_what_crosses(school, classroom, tmp_path):
    school_broker, watcher = school
    config, room_broker = bridged_room(tmp_path, school_broker.port, ["summary", "status"])
    with room_broker:
        hub, kiosk = classroom(config)
        watcher.wait_for(T.hub_status, lambda s: s["online"], timeout=10)
        kiosk.scan(card("s05"))
        watcher.wait_for(T.summary, lambda s: s["checked_in"] == 1, timeout=10)
    assert {m.topic for m in watcher.messages} == {T.summary, T.hub_status}
