"""Hypothesis at the protocol edge: any bytes on any topic are either a message or a ProtocolError, and any
state the protocol lets through can be shown by a kiosk and the display without an error."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.mapview import build_map
from kiosk.decide import decide
from kiosk.moves import moves_from
from kiosk.prompts import after_scan
from shared.clock import format_left, format_left_for_students, time_left
from shared.follow import StateFollower
from shared.protocol import MESSAGE_TYPES, ProtocolError, decode
from tests.conftest import CARD_KEYS, card
from tests.fuzz.payloads import VALID

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


def payloads(kind: str):
    template = VALID[kind]
    replaced = st.sampled_from(sorted(template)).flatmap(lambda key: JSON.map(lambda v: {**template, key: v}))
    removed = st.sampled_from(sorted(template)).map(lambda key: {k: v for k, v in template.items() if k != key})
    return st.one_of(st.binary(max_size=400), JSON.map(json.dumps).map(str.encode),
                     st.one_of(replaced, removed, JSON.map(lambda v: {**template, "extra": v})).map(
                         lambda body: json.dumps(body).encode()),
                     st.integers(0, 2000).map(lambda cut: json.dumps(template).encode()[:cut]))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(MESSAGE_TYPES)).flatmap(lambda kind: st.tuples(st.just(kind), payloads(kind))))
def test_any_payload_is_a_message_or_a_protocol_error(kind_and_payload):
    kind, payload = kind_and_payload
    try:
        message = decode(kind, payload)
    except ProtocolError:
        return
    assert isinstance(message, MESSAGE_TYPES[kind])


IDS = st.sampled_from(["s01", "s02", "s03", "reading-nook", "tech", "g1", "g2", "?"])
NUMBERS = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10 ** 15, 10 ** 15)
TEXTS = st.text(min_size=1, max_size=24)
STATES = st.fixed_dictionaries({
    "v": st.just(1), "seq": st.integers(0, 10 ** 12), "hub_time": NUMBERS,
    "clock": st.fixed_dictionaries({"round": st.integers(0, 10 ** 6), "rounds": st.integers(0, 10 ** 6),
                                    "duration": NUMBERS, "running": st.booleans(),
                                    "ends_at": st.none() | NUMBERS, "left": st.none() | NUMBERS},
                                   optional={"started_at": NUMBERS}),
    "stations": st.lists(st.fixed_dictionaries(
        {"id": IDS, "name": TEXTS, "kind": TEXTS, "kiosk": st.booleans(), "groups": st.lists(IDS, max_size=3)},
        optional={"activities": st.lists(TEXTS, max_size=4)}), max_size=5),
    "groups": st.lists(st.fixed_dictionaries({"id": IDS, "name": TEXTS, "members": st.lists(IDS, max_size=4)}),
                       max_size=4),
    "students": st.dictionaries(IDS, st.fixed_dictionaries({"name": TEXTS, "card": st.integers(1, 10 ** 6)},
                                                           optional={"group": IDS}), max_size=5),
    "presence": st.dictionaries(IDS, st.fixed_dictionaries({"station": IDS, "at": NUMBERS}), max_size=5),
}, optional={
    "help": st.lists(st.fixed_dictionaries({"id": TEXTS, "station": IDS, "at": NUMBERS}, optional={"student": IDS}),
                     max_size=3),
    "goals": st.lists(TEXTS, max_size=6),
    "progress": st.dictionaries(IDS, st.fixed_dictionaries({}, optional={
        "activity": TEXTS, "goal": TEXTS, "ticket": st.sampled_from(["got_it", "getting_there", "stuck"]),
        "next": TEXTS}), max_size=4),
})


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(STATES, NUMBERS, IDS, st.sampled_from(["s01", "s02", "s03"]), st.integers(1, 3))
def test_any_state_the_protocol_lets_through_can_be_shown(body, now, station, student, version):
    try:
        state = decode("view", json.dumps(body).encode())
    except ProtocolError:
        return
    follower = StateFollower()
    follower.receive("view", state, True, 0.0)
    format_left(time_left(state.clock, now))
    format_left_for_students(time_left(state.clock, now))
    decision = decide(card(student, version), CARD_KEYS, state, station, now)
    after_scan(decision, state, station)
    moves_from(state, station)
    build_map("Room 12", state, {}, True, now)
