"""1,000 forged cards (another room's key, an altered id, a replaced version, cut short, the old kind made
with the class secret a stolen kiosk once held): not one is accepted at the kiosk or at the hub, and no name
is shown."""
import random

import pytest

from hub import service as hub_service
from kiosk.core import KioskCore
from shared.cards import make_token, sign_token
from shared.protocol import Event, encode
from shared.topics import Topics
from tests.conftest import SECRET, card, eventually
from tests.mqtt_client import TestClient

T = Topics("room-12")
OTHER_CLASS = bytes(range(32))
REISSUED = [f"s{n:02d}" for n in range(1, 11)]  # these students have card 2; their card 1 is revoked


def forgeries(rng: random.Random, count: int) -> list[str]:
    cards = []
    for index in range(count):
        student = f"s{rng.randrange(1, 29):02d}"
        real = card(student, 2 if student in REISSUED else 1)
        how = index % 5
        if how == 0:
            cards.append(sign_token(OTHER_CLASS, student, rng.randrange(1, 4)))
        elif how == 1:
            other = f"s{rng.randrange(1, 29):02d}" if rng.random() < 0.5 else "teacher"
            cards.append(real.replace(f":{student}:", f":{other if other != student else 's99'}:"))
        elif how == 2:
            cards.append(card(rng.choice(REISSUED), 1))
        elif how == 3:
            cards.append(make_token(SECRET, student, 2 if student in REISSUED else 1))
        else:
            cards.append(real[:rng.randrange(4, len(real) - 1)])
    return cards


@pytest.fixture
def all_taken(monkeypatch):
    """A thousand events at once from one kiosk account is more than the hub takes (hub/kiosk_limit.py, tested on
    its own): here it takes them all, to see each forged card refused."""
    monkeypatch.setattr(hub_service, "BURST", 1000)


def test_a_thousand_forged_cards_are_refused_at_the_kiosk_and_the_hub(room, all_taken, hub, tmp_path, caplog):
    for student in REISSUED:
        hub.reissue_card(student)
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    rogue = TestClient(room.broker.port, T.ack("tech"))  # a kiosk that does not check cards
    try:
        eventually(lambda: kiosk.online and kiosk.state and kiosk.state.students["s01"].card == 2, 10,
                   "the kiosk to know the new cards")
        cards = forgeries(random.Random(5), 1000)
        decisions = [kiosk.scan(text) for text in cards]
        for number, text in enumerate(cards):
            rogue.publish(T.kiosk_event("tech"), encode(Event(id=f"forged-{number}", kind="checkin", card=text,
                                                              station="tech", at=1795430000.0, seq=number,
                                                              kiosk_time=1795430000.0)))
        rogue.wait_for(T.ack("tech"), lambda body: "forged-999" in body["ids"], timeout=10)
        eventually(lambda: hub.store.event_count() == 1000, 10, "every forged event in the hub's record")
        assert kiosk.outbox.depth() == 0 and kiosk.outbox.next_seq() == 1  # the kiosk recorded nothing
    finally:
        rogue.close()
        kiosk.stop()
    assert not [d for d in decisions
                if d.good or d.name is not None or d.student_id is not None and d.outcome != "revoked"]
    assert {d.outcome for d in decisions} == {"forged", "revoked", "unreadable"}
    accepted = hub.store.db.execute("SELECT count(*) FROM events WHERE accepted = 1").fetchone()[0]
    reasons = dict(hub.store.db.execute("SELECT reason, count(*) FROM events GROUP BY reason").fetchall())
    assert accepted == 0 and hub.room.presence == {}
    assert set(reasons) == {"forged card", "unreadable card", "revoked card", "old card"}
    assert all(name not in str(hub.room.snapshot(0).presence) for name in REISSUED)
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) <= 4  # one line per kind of refusal
