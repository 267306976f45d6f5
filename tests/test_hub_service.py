"""The hub service against a real Mosquitto and a real SQLite file."""
import json

import pytest

from hub.service import HubService
from hub.store import HubStore
from shared.protocol import Event, encode
from shared.topics import Topics
from tests.conftest import card
from tests.mqtt_client import TestClient

T = Topics("room-12")


@pytest.fixture
def kiosk_wire(broker, hub):
    """What a kiosk at the reading nook sees and sends."""
    client = TestClient(broker.port, T.state, T.ack("reading-nook"), T.hub_status, T.reply("teacher"))
    client.wait_for(T.hub_status, lambda b: b["online"])
    yield client
    client.close()


def checkin(student: str, event_id: str, at: float = 100.0, station: str = "reading-nook", **card_args) -> bytes:
    return encode(Event(id=event_id, kind="checkin", card=card(student, **card_args), station=station, at=at, seq=1,
                        kiosk_time=at))


def test_a_checkin_is_stored_once_acked_and_shown_in_the_state(room, hub, kiosk_wire):
    kiosk_wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "e-1"))
    ack = kiosk_wire.wait_for(T.ack("reading-nook"))
    assert ack["ids"] == ["e-1"]
    state = kiosk_wire.wait_for(T.state, lambda s: "s05" in s["presence"])
    assert state["presence"]["s05"]["station"] == "reading-nook"
    assert state["students"]["s05"]["name"] == "Sofia R."

    kiosk_wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "e-1"))  # a replay after reconnect
    kiosk_wire.wait_for(T.ack("reading-nook"), lambda a: a["ids"] == ["e-1"] and
                        sum(m.topic == T.ack("reading-nook") for m in kiosk_wire.messages) == 2)
    assert hub.store.event_count("e-1") == 1
    assert hub.store.event_count() == 1


def test_state_seq_only_increases(hub, kiosk_wire):
    first = kiosk_wire.wait_for(T.state)["seq"]
    kiosk_wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "e-1"))
    later = kiosk_wire.wait_for(T.state, lambda s: "s05" in s["presence"])["seq"]
    assert later > first


@pytest.mark.parametrize("payload", [
    b"garbage", b"", b"\x00\xff" * 100, b'{"v": 1}', b'{"v": 99, "id": "x"}', b"[" * 5000,
    b'{"v": 1, "id": "e", "kind": "checkin", "card": "x", "station": "reading-nook", "at": "NaN", "seq": 1,'
    b' "kiosk_time": 1}',
    b"{" + b'"a":1,' * 3000 + b'"v":1}',
])
def test_malformed_payloads_are_dropped_and_the_hub_keeps_working(hub, kiosk_wire, payload, caplog):
    kiosk_wire.publish(T.kiosk_event("reading-nook"), payload)
    kiosk_wire.publish(T.command, payload)
    kiosk_wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "after-garbage"))
    kiosk_wire.wait_for(T.ack("reading-nook"), lambda ack: ack["ids"] == ["after-garbage"])
    if payload == b"":  # what clearing a retained message sends: passed over quietly, as the hub sends it itself
        assert hub.drops.dropped == 0 and "dropped a message" not in caplog.text
        return
    assert hub.drops.dropped == 2
    refused = [json.loads(m.payload) for m in kiosk_wire.messages if m.topic == T.ack("reading-nook")][:-1]
    # Only an event whose id can be read can be answered: here the one with a NaN time, naming the field.
    assert [r["refused"][0]["id"] for r in refused] == (["e"] if b'"NaN"' in payload else [])
    assert all("`$.at`" in r["refused"][0]["reason"] for r in refused)
    if b'"NaN"' in payload:  # the drop log names the field too
        assert "Expected `float`, got `str` - at `$.at`" in caplog.text
    assert "dropped a message on rotation/v1/room-12/" in caplog.text


@pytest.mark.parametrize("event, reason", [
    (lambda: checkin("s05", "forged", key=b"not the key the hub signs with!!"), "forged card"),
    (lambda: checkin("s05", "revoked", version=1), None),
    (lambda: checkin("s99", "unknown"), "unknown student"),
    (lambda: checkin("s05", "elsewhere", station="tech"), "station does not match the kiosk's topic"),
])
def test_refused_events_are_kept_for_the_record_acked_and_never_placed(hub, kiosk_wire, event, reason):
    if reason is None:
        assert hub.reissue_card("s05") == 2
        reason = "revoked card"
    payload = event()
    kiosk_wire.publish(T.kiosk_event("reading-nook"), payload)
    event_id = kiosk_wire.wait_for(T.ack("reading-nook"))["ids"][0]
    row = hub.store.db["events"].get(event_id)
    assert (row["accepted"], row["reason"]) == (0, reason)
    assert "s05" not in (kiosk_wire.latest(T.state) or {}).get("presence", {})


def test_a_later_checkin_wins_over_a_replayed_older_one(hub, kiosk_wire):
    kiosk_wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "new", at=200.0))
    kiosk_wire.wait_for(T.state, lambda s: "s05" in s["presence"])
    other = TestClient(kiosk_wire.client._port, T.ack("tech"))
    other.publish(T.kiosk_event("tech"), checkin("s05", "old", at=150.0, station="tech"))
    other.wait_for(T.ack("tech"))
    other.close()
    assert kiosk_wire.latest(T.state)["presence"]["s05"]["station"] == "reading-nook"
    assert hub.store.event_count() == 2


def test_teacher_commands_run_the_clock_and_get_a_reply(hub, kiosk_wire):
    def command(action, **args):
        kiosk_wire.publish(T.command, {"v": 1, "id": action, "action": action, "client": "teacher", "args": args})
        return kiosk_wire.wait_for(T.reply("teacher"), lambda r: r["id"] == action)

    assert command("pause") == {"v": 1, "id": "pause", "ok": False, "message": "the session has not started"}
    def stations_of_groups(state) -> dict[str, int]:
        return {group: index for index, station in enumerate(state["stations"]) for group in station["groups"]}

    assert command("start")["ok"]
    state = kiosk_wire.wait_for(T.state, lambda s: s["clock"]["round"] == 1)
    assert state["clock"]["running"]
    first = stations_of_groups(state)
    ends_at = state["clock"]["ends_at"]
    assert command("extend", minutes=2)["message"] == "extended by 2 min"
    kiosk_wire.wait_for(T.state, lambda s: s["clock"]["ends_at"] == ends_at + 120)  # the clock on every screen
    assert command("next")["message"] == "round 2 started"
    state = kiosk_wire.wait_for(T.state, lambda s: s["clock"]["round"] == 2)
    second = stations_of_groups(state)
    assert len(first) == 5 and second == {group: (at + 1) % 5 for group, at in first.items()}  # all moved on


def test_a_restarted_hub_keeps_presence_clock_and_seq(room, broker):
    service = HubService(room)
    service.start()
    wire = TestClient(broker.port, T.state, T.ack("reading-nook"))
    wire.publish(T.command, {"v": 1, "id": "c", "action": "start", "client": "teacher"})
    wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "e-1", at=10**10))
    wire.wait_for(T.ack("reading-nook"))
    before = wire.wait_for(T.state, lambda s: "s05" in s["presence"])
    service.stop()
    wire.close()

    service = HubService(room)
    service.start()
    wire = TestClient(broker.port, T.state)
    after = wire.wait_for(T.state, lambda s: s["seq"] > before["seq"])
    assert after["presence"] == before["presence"]
    assert after["clock"]["ends_at"] == before["clock"]["ends_at"]
    service.stop()
    wire.close()


def test_events_sent_while_the_hub_was_down_wait_at_the_broker(room, broker):
    service = HubService(room)
    service.start()
    wire = TestClient(broker.port, T.ack("reading-nook"), T.hub_status)
    wire.wait_for(T.hub_status, lambda b: b["online"])
    service.stop()
    wire.publish(T.kiosk_event("reading-nook"), checkin("s05", "while-away"))
    service = HubService(room)
    service.start()
    assert wire.wait_for(T.ack("reading-nook"))["ids"] == ["while-away"]
    service.stop()
    wire.close()
    assert HubStore(room.hub.database).event_count("while-away") == 1


def test_an_event_from_a_kiosk_clock_hours_ahead_is_placed_at_the_hubs_time(room, broker):
    now = [1_800_000_000.0]
    hub = HubService(room, now=lambda: now[0])
    ahead = Event(id="e1", kind="checkin", card=card("s05"), station="tech", at=now[0] + 3 * 3600, seq=1,
                  kiosk_time=now[0] + 3 * 3600)
    hub.handle_event("tech", ahead)
    assert hub.room.presence["s05"].at == now[0]
    now[0] += 60
    hub.handle_event("reading-nook", Event(id="e2", kind="checkin", card=card("s05"), station="reading-nook",
                                           at=now[0], seq=1, kiosk_time=now[0]))
    assert hub.room.presence["s05"].station == "reading-nook"  # not pinned to where the clock was ahead
    hub.store.close()


def test_a_choice_or_goal_the_kiosk_did_not_offer_is_refused(room, broker):
    hub = HubService(room)
    for seq, (kind, data) in enumerate((("choice", {"activity": "Hack the school"}), ("goal", {"goal": "Be king"})),
                                       start=1):
        hub.handle_event("reading-nook", Event(id=f"e{seq}", kind=kind, card=card("s05"), station="reading-nook",
                                               at=100.0, seq=seq, kiosk_time=100.0, data=data))
    assert "s05" not in hub.room.progress
    hub.journal.start()
    assert hub.journal.flush()
    hub.journal.stop()
    assert hub.store.db.execute("SELECT accepted, reason FROM events ORDER BY kiosk_seq").fetchall() == [
        (0, "activity not offered at this station"), (0, "goal not offered in this room")]
    hub.store.close()


def test_an_exit_ticket_where_the_student_is_checks_them_out_also_after_a_restart(room, broker):
    import time

    from tests.conftest import eventually

    hub = HubService(room)
    hub.start()
    now = time.time()  # after the hub took the class: a lesson's presence counts from then
    try:
        for seq, (kind, data) in enumerate((("checkin", {}), ("exit_ticket", {"how": "got_it"})), start=1):
            hub.handle_event("tech", Event(id=f"e{seq}", kind=kind, card=card("s05"), station="tech",
                                           at=now + seq / 1000, seq=seq, kiosk_time=0.0, data=data))
        assert hub.room.snapshot(0.0).checked_out["s05"].station == "tech"
        eventually(lambda: hub.store.event_count() == 2, message="the events stored")
    finally:
        hub.stop()
    again = HubService(room)
    try:
        assert set(again.room.checked_out) == {"s05"}
        again.handle_event("reading-nook", Event(id="e3", kind="checkin", card=card("s05"), station="reading-nook",
                                                 at=time.time(), seq=1, kiosk_time=0.0))
        assert again.room.checked_out == {}  # at a station again
    finally:
        again.store.close()
