import json

import pytest

from shared.protocol import Event, ProtocolError, State, decode, encode
from shared.topics import Topics

TOPICS = Topics("room-12")


def event_payload(**changes) -> bytes:
    body = {"v": 1, "id": "e1", "kind": "checkin", "card": "RS1:s01:1:AAAA", "station": "tech", "at": 10.0,
            "seq": 1, "kiosk_time": 9.0}
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


def test_an_event_round_trips():
    event = decode("kiosk_event", event_payload())
    assert event == Event("e1", "checkin", "RS1:s01:1:AAAA", "tech", 10.0, 1, 9.0)
    assert decode("kiosk_event", encode(event)) == event


@pytest.mark.parametrize("payload, reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (event_payload(v=...), "no 'v'"),
    (event_payload(v=2), "unsupported protocol version \\(this is 1\\): 2"),
    (event_payload(kind="dance"), "unknown event kind"),
    (event_payload(seq=-1), "'seq' must be at least 0"),
    (event_payload(seq=True), "'seq' must be an integer"),
    (event_payload(at="noon"), "'at' must be a number"),
    (event_payload(id=""), "'id' must be 1 to 64"),
    (event_payload(card=["x"]), "'card' must be a string"),
    (event_payload(station=...), "'station' must be a string"),
    (event_payload(data=[1]), "'data' must be an object"),
    (b'{"v": 1, "id": "' + b"x" * 9000 + b'"}', "over the 8192-byte limit"),
    (b"[" * 100000 + b"]" * 100000, "over the"),
])
def test_malformed_events_are_refused_with_the_reason(payload, reason):
    with pytest.raises(ProtocolError, match=reason):
        decode("kiosk_event", payload)


def test_deeply_nested_json_is_refused_not_a_crash():
    with pytest.raises(ProtocolError):
        decode("state", b"[" * 50000 + b"]" * 50000)


def test_a_state_decodes_and_knows_where_a_group_is_expected():
    state = decode("state", json.dumps({
        "v": 1, "seq": 3, "hub_time": 100.0,
        "clock": {"round": 1, "rounds": 2, "duration": 60, "running": True, "ends_at": 160.0, "left": None},
        "stations": [{"id": "tech", "name": "Tech", "kind": "tech", "kiosk": True, "groups": ["g1"]},
                     {"id": "read", "name": "Read", "kind": "reading", "kiosk": True, "groups": []}],
        "groups": [{"id": "g1", "name": "G1", "members": ["s1"]}],
        "students": {"s1": {"name": "Maya R.", "card": 1, "group": "g1"}},
        "presence": {"s1": {"station": "read", "at": 99.0}},
    }).encode())
    assert isinstance(state, State)
    assert state.expected_station("s1").id == "tech"
    assert state.presence["s1"].station == "read"
    assert state.expected_station("nobody") is None


def test_topics_parse_and_refuse_what_is_not_ours():
    assert TOPICS.parse(TOPICS.kiosk_event("tech")) == ("kiosk_event", "tech")
    assert TOPICS.parse(TOPICS.state) == ("state", None)
    assert TOPICS.parse(TOPICS.ack("tech")) == ("ack", "tech")
    for topic in ("rotation/v1/room-12/kiosk/Tech!/event", "rotation/v1/other/state", "rotation/v1/room-12/x"):
        with pytest.raises(ValueError):
            TOPICS.parse(topic)
