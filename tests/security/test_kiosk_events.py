"""A kiosk account writes only events of its own station, about the students its station may see, saying only
what a kiosk offers: on a real Mosquitto with the room's generated accounts (or none) and the real hub. What is
refused is stored with its reason and acked, so a kiosk drops it, and it changes nothing in the room."""
import pytest

from shared.config import load_config
from shared.protocol import Event, encode
from shared.topics import Topics
from tests.conftest import PERIODS, SAMPLE_ROSTER, card, login, running_hub
from tests.mqtt_client import TestClient

T = Topics("room-12")


def event(kind: str, student: str, station: str, event_id: str, **data) -> bytes:
    return encode(Event(id=event_id, kind=kind, card=card(student), station=station, at=1.0e9, seq=1, kiosk_time=1.0e9,
                        data=data))


def sent(client: TestClient, station: str, payload: bytes, event_id: str) -> None:
    client.publish(T.kiosk_event(station), payload)
    client.wait_for(T.ack(station), lambda ack: event_id in ack["ids"], timeout=10)


@pytest.fixture
def two_classes(secure, tmp_path):
    """Period 2 running, Period 3 not, on the broker with accounts: (config, the reading nook's kiosk account)."""
    config, _ = secure
    (tmp_path / "periods.csv").write_text(PERIODS)
    config.path.write_text(config.path.read_text().replace(f'roster = "{SAMPLE_ROSTER}"', 'roster = "periods.csv"'))
    config = load_config(config.path)
    with running_hub(config) as hub:
        assert sorted(hub.room.students) == ["s01", "s02", "s04"]
        kiosk = login(config, "kiosk-reading-nook", T.ack("reading-nook"))
        yield hub, kiosk
        kiosk.close()


@pytest.mark.parametrize("kind, student, data, reason", [
    ("checkin", "s03", {}, "student of another class"),  # Period 3's, whose lesson this is not
    ("goal", "s05", {"goal": "Help a friend"}, "student of another class"),
    ("exit_ticket", "s01", {"how": "got_it", "next": "Move to another school"}, "wish for next time not offered"),
])
def test_a_kiosk_cannot_write_about_a_student_its_station_does_not_see_nor_what_it_never_offered(
        two_classes, kind, student, data, reason):
    hub, kiosk = two_classes
    sent(kiosk, "reading-nook", event(kind, student, "reading-nook", "refused", **data), "refused")
    row = hub.store.db["events"].get("refused")
    assert (row["accepted"], row["reason"]) == (0, reason)
    assert student not in hub.room.presence and student not in hub.room.progress


def test_a_wish_for_next_time_the_kiosk_offers_is_taken(two_classes):
    hub, kiosk = two_classes
    sent(kiosk, "reading-nook", event("exit_ticket", "s01", "reading-nook", "wish", how="got_it", next="More of this"),
         "wish")
    assert hub.room.progress["s01"].next == "More of this"


def test_no_client_can_seat_a_student_at_a_station_without_a_kiosk(hub):
    """The teacher's table has no kiosk (nor a kiosk account): who is there is the teacher's word. A broker
    without accounts lets any client write any station's topic; the hub refuses what names that table."""
    rogue = TestClient(hub.config.broker.port, T.ack("teacher-table"))
    sent(rogue, "teacher-table", event("checkin", "s05", "teacher-table", "seated"), "seated")
    row = hub.store.db["events"].get("seated")
    assert (row["accepted"], row["reason"]) == (0, "station has no kiosk")
    assert "s05" not in hub.room.presence
    rogue.close()
