"""The kiosk's outbox and link: nothing a student does is lost, online or not."""
import json
import subprocess
import sys
import time

import pytest

from hub import service as hub_service
from hub.service import HubService
from hub.store import HubStore
from kiosk import resend as kiosk_resend
from kiosk.core import KioskCore
from kiosk.outbox import Outbox
from shared.protocol import Command
from shared.topics import Topics
from tests.conftest import ROOT, card, eventually, running_hub
from tests.mqtt_client import TestClient

T = Topics("room-12")


@pytest.fixture
def kiosk(room, tmp_path):
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    core.start()
    yield core
    core.stop()


def test_an_event_is_in_the_outbox_until_the_hub_acks_it(room, broker, kiosk, tmp_path):
    eventually(lambda: kiosk.connected, message="the kiosk to connect")
    decision = kiosk.scan(card("s05"))  # no hub running: nobody acks
    assert decision.outcome == "checked_in"
    assert [e.card for e in kiosk.outbox.events()] == [card("s05")]

    hub = HubService(room)
    hub.start()
    eventually(lambda: kiosk.outbox.depth() == 0, 15, "the resent event to be acked")
    hub.stop()
    assert HubStore(room.hub.database).event_count() == 1


def test_a_kiosk_back_with_hundreds_of_check_ins_waiting_has_them_all_acked_at_once(room, broker, kiosk):
    """An outage's worth of scans, sent at once when the hub is back: the hub acks them in messages a kiosk
    reads (over its 8 KiB limit it drops one unread, and all its events wait 10 s to go again)."""
    eventually(lambda: kiosk.connected, message="the kiosk to connect")
    for n in range(300):  # no hub running: nobody acks
        kiosk.record("checkin", card(f"s{n % 28 + 1:02d}"))
    sent = time.monotonic()
    hub = HubService(room)
    hub.start()
    try:
        eventually(lambda: kiosk.outbox.depth() == 0, 8, "every event acked")
        assert time.monotonic() - sent < 5, "acked only after a resend"
        assert kiosk.drops.dropped == 0  # no ack over its limit, dropped unread
    finally:
        hub.stop()


def test_while_the_hub_is_away_each_event_goes_once_and_the_broker_hands_it_over_when_the_hub_is_back(
        room, broker, tmp_path, monkeypatch):
    """The broker keeps what a kiosk sends for the hub while it is away: a kiosk that sent it all again every few
    seconds, and again when the hub came back, would have the hub take several copies of each, over its limit."""
    monkeypatch.setattr(kiosk_resend, "RESEND_SECONDS", 1.0)
    with running_hub(room):
        pass  # the hub has been here: the broker holds its session, and its status says it is away
    sent = TestClient(broker.port, T.kiosk_event("reading-nook"))
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    try:
        eventually(lambda: kiosk.connected and kiosk.resend.knows_hub_session, message="the hub's last status")
        made = [kiosk.record("checkin", card(f"s{n % 28 + 1:02d}")).id for n in range(50)]
        time.sleep(2.5)  # the hub stays away for more than two resend times: nothing is to happen
        assert len(sent.messages) == 50
        with running_hub(room) as hub:
            eventually(lambda: kiosk.outbox.depth() == 0, 5, "every event acked")
            assert sorted(json.loads(m.payload)["id"] for m in sent.messages) == sorted(made)  # each once
            assert hub.store.event_count() == 50
    finally:
        kiosk.stop()
        sent.close()


def test_a_gap_the_hubs_limit_made_is_filled_when_the_hub_asks_not_a_resend_later(room, tmp_path, monkeypatch,
                                                                                   caplog):
    """A kiosk back with a backlog over the hub's limit, then a live scan: the hub holds the scan behind the
    events it dropped and asks for them, so the map is right in seconds, not after the kiosk's 10 s resend."""
    monkeypatch.setattr(hub_service, "BURST", 20)
    monkeypatch.setattr(hub_service, "EVENTS_PER_SECOND", 20.0)
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    backlog = [kiosk.record("checkin", card(f"s{n % 28 + 1:02d}")).id for n in range(60)]
    with running_hub(room) as hub:
        started = time.monotonic()
        kiosk.start()  # sends the 60 at once: the hub takes 20
        try:
            eventually(lambda: hub.store.event_count() >= 20, 5, "the first burst stored")
            live = kiosk.record("checkin", card("s05")).id
            eventually(lambda: kiosk.outbox.depth() == 0, kiosk_resend.RESEND_SECONDS - 2, "every event acked")
            assert time.monotonic() - started < kiosk_resend.RESEND_SECONDS, "filled only by the kiosk's resend"
            stored = [row["id"] for row in hub.store.db.query("select id from events order by rowid")]
            assert stored == [*backlog, live]  # in the kiosk's order
            assert "never came" not in caplog.text
        finally:
            kiosk.stop()


def test_a_kiosk_without_a_broker_keeps_scanning_and_catches_up(room, broker, hub, kiosk):
    eventually(lambda: kiosk.online and kiosk.state, message="the kiosk to get the room state")
    watcher = TestClient(broker.port, T.state, T.kiosk_status("reading-nook"))
    broker.kill()
    eventually(lambda: not kiosk.connected, message="the kiosk to notice the broker is gone")
    decisions = [kiosk.scan(card(s)) for s in ("s05", "s10", "s15")]
    assert [d.english[0] for d in decisions] == ["Hi Sofia R.", "Hi Lucas S.", "Hi Fatima H."]
    assert kiosk.outbox.depth() == 3

    broker.start()
    eventually(lambda: kiosk.outbox.depth() == 0, 15, "the kiosk to catch up")
    assert hub.store.event_count() == 3
    watcher.close()
    watcher = TestClient(broker.port, T.state, T.kiosk_status("reading-nook"))
    state = watcher.wait_for(T.state, lambda s: len(s["presence"]) == 3)
    assert {s: p["station"] for s, p in state["presence"].items()} == dict.fromkeys(("s05", "s10", "s15"),
                                                                                    "reading-nook")
    status = watcher.wait_for(T.kiosk_status("reading-nook"), lambda s: s.get("outbox") == 0)
    assert status["online"] and status["version"]
    watcher.close()


def test_events_keep_the_kiosk_order_across_a_restart(room, tmp_path):
    first = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    events = [first.record("checkin", card(s)) for s in ("s05", "s10")]
    first.outbox.close()
    second = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    events.append(second.record("checkin", card("s15")))
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.id for e in second.outbox.events()] == [e.id for e in events]
    second.outbox.close()


def test_a_double_read_of_one_card_is_recorded_once(room, tmp_path):
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    core.scan(card("s05"))
    second = core.scan(card("s05"))
    assert second.outcome == "checked_in"
    assert core.outbox.depth() == 1
    core.outbox.close()


def test_the_map_learns_a_kiosk_died_from_its_last_will(room, broker, tmp_path):
    watcher = TestClient(broker.port, T.kiosk_status("tech"))
    kiosk = subprocess.Popen([sys.executable, "-m", "rotation.cli", "kiosk", "--config", str(room.path),
                              "--station", "tech", "--simulate", "--outbox", str(tmp_path / "tech.db")])
    try:
        watcher.wait_for(T.kiosk_status("tech"), lambda s: s["online"], timeout=20)
    finally:
        kiosk.kill()  # the power is cut: no goodbye
        kiosk.wait()
    assert watcher.wait_for(T.kiosk_status("tech"), lambda s: not s["online"]) == {"v": 1, "online": False}
    watcher.close()


def test_a_scan_survives_the_kiosk_being_killed_right_after(room, tmp_path):
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from shared.config import load_config\nfrom kiosk.core import KioskCore\n"
              f"core = KioskCore(load_config({str(room.path)!r}), 'tech', {str(tmp_path / 'killed.db')!r})\n"
              f"core.scan({card('s04')!r})\nprint('scanned', flush=True)\nimport time; time.sleep(60)\n")
    kiosk = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert kiosk.stdout.readline() == "scanned\n"
    kiosk.kill()  # no time to fsync or close anything
    kiosk.wait()
    outbox = Outbox(tmp_path / "killed.db")
    assert [e.card for e in outbox.events()] == [card("s04")]
    assert outbox.wait_durable()
    outbox.close()


def test_the_outbox_is_fsynced_soon_after_each_scan(room, tmp_path):
    core = KioskCore(room, "tech", tmp_path / "outbox.db")
    core.scan(card("s04"))
    assert core.outbox.wait_durable(timeout=1.0)
    core.outbox.close()


def test_a_kiosk_clock_hours_off_shows_the_hubs_time_left(room, broker, hub, tmp_path):
    import time

    hub.handle_command(Command("c", "start", "teacher"))
    skew = -3 * 3600 - 17.0  # a Pi that booted with no network time
    core = KioskCore(room, "tech", tmp_path / "skewed.db", now=lambda: time.time() + skew)
    core.start()
    try:
        eventually(lambda: core.state is not None, message="the room state")
        true_left = hub.room.clock.ends_at - time.time()
        assert core.time_left() == pytest.approx(true_left, abs=6)  # from the retained state, at once
        eventually(lambda: core.hub_clock.synced, 10, "a live message from the hub to set the clock by")
        assert core.time_left() == pytest.approx(hub.room.clock.ends_at - time.time(), abs=0.5)
        assert core.record("checkin", card("s04")).at == pytest.approx(time.time(), abs=0.5)
    finally:
        core.stop()


def test_a_call_for_help_waits_in_the_outbox_like_any_event(room, tmp_path):
    core = KioskCore(room, "tech", tmp_path / "outbox.db")  # never connected: nothing is sent
    call = core.ask_help()
    assert core.help_waiting() and core.ask_help() is None  # one call at a time
    assert [(e.id, e.kind, e.card) for e in core.outbox.events()] == [(call.id, "help", None)]
    core.stop()


def test_an_event_the_hub_cannot_read_is_refused_dropped_and_holds_nothing_up(room, hub, kiosk, caplog):
    """A kiosk of another make (or version) sends an event of a kind this hub does not know: the hub answers
    it as refused, the kiosk drops it instead of resending it forever, and the next check-in goes on at once
    instead of waiting behind the gap its sequence number would leave."""
    eventually(lambda: kiosk.online and kiosk.state, message="the kiosk to get the room state")
    unknown = kiosk.record("dance", card("s05"))
    eventually(lambda: kiosk.outbox.depth() == 0, 3, "the refused event to leave the outbox")
    assert f"Invalid enum value 'dance' - at `$.kind`: event {unknown.id}" in caplog.text
    kiosk.scan(card("s10"))
    eventually(lambda: kiosk.outbox.depth() == 0, 3, "the next check-in to be acked without a 15 s hold")
    eventually(lambda: "s10" in hub.room.presence, 3, "the hub to place the student")
    assert hub.store.event_count() == 1 and hub.store.event_count(unknown.id) == 0


def test_acked_events_stay_a_few_days_and_go_back_to_the_hub_once_when_it_asks(tmp_path):
    import time
    import uuid

    from shared.protocol import Event

    day = 86_400.0
    outbox = Outbox(tmp_path / "outbox.db", keep_acked_days=3)
    try:
        now = time.time()
        events = [Event(id=uuid.uuid4().hex, kind="checkin", card=card("s04"), station="tech", at=now, seq=seq,
                        kiosk_time=now) for seq in range(1, 6)]
        for event in events:
            outbox.add(event)
        ids = [e.id for e in events]
        assert outbox.remove(ids[:2], at=now - 4 * day) == 2  # acked four days ago
        assert outbox.remove(ids[2:4], at=now - day) == 2
        assert outbox.remove([], [ids[4]], at=now) == 1  # refused: the hub will never store it
        assert outbox.depth() == 0 and outbox.kept() == 2  # the four-day-old ones went with the later ack
        assert outbox.send_again(since=now - 2 * day, request=now) == 2
        assert [seq for seq, _ in outbox.pending()] == [3, 4]
        assert outbox.send_again(since=0, request=now) == 0  # asked once, answered once
        outbox.remove(ids[2:4], at=now + 3.5 * day)
        assert outbox.forget_acked(now + 6 * day) == 0 and outbox.forget_acked(now + 7 * day) == 2
        assert outbox.next_seq() == 6
    finally:
        outbox.close()
    none_kept = Outbox(tmp_path / "none.db", keep_acked_days=0)
    try:
        none_kept.add(events[0])
        none_kept.remove([events[0].id], at=now)
        assert none_kept.kept() == 0 and none_kept.send_again(0, now) == 0
    finally:
        none_kept.close()
