"""The broker bounds every client, on a real Mosquitto with the room's generated config and the real hub: no
one logs in as another client, no packet is bigger than the protocol's largest message, and nothing stays
retained where the protocol retains nothing."""
import json

import pytest

from edge.broker_setup import MAX_PACKET_BYTES, read_password
from hub import service as hub_service
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, Topics, pair_request_topic
from tests.conftest import eventually, running_hub
from tests.mqtt_client import TestClient


def account(config, name: str) -> tuple[str, str]:
    return name, read_password(config.broker.accounts, name)


def hub_answers(config) -> None:
    """The hub answers a teacher's command: it is connected and reading."""
    display = TestClient(config.broker.port, Topics(config.room_id).reply("+"), client_id="display-check",
                         account=account(config, "display"))
    display.publish(Topics(config.room_id).command,
                    {"v": 1, "id": "c1", "action": "pause", "client": "check", "args": {}})
    display.wait_for(Topics(config.room_id).reply("+"), lambda body: body.get("id") == "c1", timeout=10)
    display.close()


def test_no_account_can_log_in_as_the_hub_and_push_it_off(secure):
    config, _ = secure
    topics = Topics(config.room_id)
    with running_hub(config) as hub:
        watcher = TestClient(config.broker.port, topics.hub_status, account=account(config, "web"))
        watcher.wait_for(topics.hub_status, lambda status: status["online"])
        impostors = [TestClient(config.broker.port, client_id=client_id, account=login)
                     for client_id in ("hub", f"rotation-hub-{config.room_id}", "kiosk-tech")
                     for login in ((PAIRING_ACCOUNT, PAIRING_PASSWORD), account(config, "kiosk-reading-nook"))]
        assert all(impostor.refused is None for impostor in impostors)
        hub_answers(config)
        assert hub.client.is_connected()
        offline = [json.loads(m.payload) for m in watcher.messages if not json.loads(m.payload)["online"]]
        assert offline == [], "the hub was pushed off the broker"
        for client in (*impostors, watcher):
            client.close()


def test_a_message_over_the_largest_the_protocol_has_is_refused_by_the_broker(secure):
    config, _ = secure
    hub = TestClient(config.broker.port, pair_request_topic("+"), account=account(config, "hub"))
    big = TestClient(config.broker.port, account=(PAIRING_ACCOUNT, PAIRING_PASSWORD))
    big.client.publish(pair_request_topic("big"), b"x" * (MAX_PACKET_BYTES + 1), qos=1)
    small = TestClient(config.broker.port, account=(PAIRING_ACCOUNT, PAIRING_PASSWORD))
    small.publish(pair_request_topic("small"), {"v": 1, "after": True})
    hub.wait_for(pair_request_topic("small"))
    assert [m.topic for m in hub.messages] == [pair_request_topic("small")]  # the big one never reached the hub
    for client in (hub, big, small):
        client.close()


def retained_on(config, topic: str) -> list[bytes]:
    """What a client subscribing now gets as retained on ``topic``: the broker sends it at once, so an empty
    message published after the subscription (which clears nothing there) comes after it."""
    fresh = TestClient(config.broker.port, topic, account=account(config, "hub"))
    fresh.publish(topic, b"")
    with fresh._arrived:
        assert fresh._arrived.wait_for(lambda: any(not m.payload for m in fresh.messages), 5)
    found = [m.payload for m in fresh.messages if m.payload]
    fresh.close()
    return found


@pytest.fixture
def quick_sweep(monkeypatch):
    monkeypatch.setattr(hub_service, "RETAINED_SWEEP_SECONDS", 0.3)


def leave_retained(config, junk: dict) -> None:
    for topic, (login, payload) in junk.items():
        sender = TestClient(config.broker.port, account=login)
        sender.publish(topic, payload, retain=True)
        sender.close()


def test_what_a_client_leaves_retained_where_the_protocol_retains_nothing_is_cleared_not_obeyed(
        secure, quick_sweep, caplog):
    config, _ = secure
    topics = Topics(config.room_id)
    start = {"v": 1, "id": "stale", "action": "start", "client": "web-1", "args": {}}
    before = {pair_request_topic("junk"): ((PAIRING_ACCOUNT, PAIRING_PASSWORD), b"j" * 100_000),
              topics.kiosk_event("tech"): (account(config, "kiosk-tech"), b"j" * 100_000),
              topics.command: (account(config, "web"), json.dumps(start).encode())}
    leave_retained(config, before)
    assert all(retained_on(config, topic) for topic in before)  # the broker keeps them, even on its disk
    during = {pair_request_topic("later"): ((PAIRING_ACCOUNT, PAIRING_PASSWORD), b"k" * 100_000)}
    with running_hub(config) as hub:
        hub_answers(config)  # what was there when it subscribed, the hub cleared before answering
        assert hub.room.clock.round == 0, "a command left retained was obeyed when the hub started"
        leave_retained(config, during)  # sent while the hub listens: it comes as any message would
        eventually(lambda: any(pair_request_topic("later") in r.getMessage() for r in caplog.records), 5,
                   "the hub's next look for retained messages")
    # Only the hub's account reads these topics: looked at once the hub is gone.
    assert [topic for topic in (*before, *during) if retained_on(config, topic)] == []
