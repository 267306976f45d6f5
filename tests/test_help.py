"""A call for help: the kiosk's button, the teacher's queue on the display, and the answer, on real parts."""
import json
import time

import pytest

from hub.display import HelpPanel
from hub.report import describe
from hub.service import HubService
from kiosk.app import KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from shared.protocol import ProtocolError, decode
from tests.conftest import card, eventually, press, pump


@pytest.fixture
def classroom(room, tmp_path, kivy_window, hub, display):
    """The teacher's display and the reading nook's kiosk, both on screen, with the hub running."""
    link, display, _ = display
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk = KioskScreen(size=(800, 480))
    kivy_window.add_widget(kiosk)  # on top, where the kiosk's touches land
    kiosk_presenter = KioskPresenter(core, kiosk)
    core.start()
    eventually(lambda: core.state is not None and link.state is not None, message="the room state")
    yield kiosk, display, core
    kiosk_presenter.close()
    core.stop()


def test_a_call_for_help_waits_on_the_display_until_the_teacher_answers_it(classroom, hub, tmp_path):
    kiosk, display, core = classroom
    pump(lambda: kiosk.help_label == "I need help" and display.help_panel.heading == "Help: nobody waiting")
    press(lambda: kiosk.ids.help)
    pump(lambda: kiosk.help_label.startswith("Help is on the way\n") and "Tap to cancel" in kiosk.help_label,
         message="the kiosk's answer")
    panel: HelpPanel = display.help_panel
    pump(lambda: panel.heading == "Help: 1 waiting", message="the call on the display")
    (row,) = panel.ids.rows.children
    assert row.text == "Reading Nook · 0 s"
    eventually(lambda: core.outbox.depth() == 0, message="the hub's ack")
    assert len(hub.room.help) == 1
    display.export_to_png(str(tmp_path / "help-queue.png"))
    assert (tmp_path / "help-queue.png").stat().st_size > 20000

    press(lambda: row.ids.done)
    pump(lambda: panel.heading == "Help: nobody waiting", message="the answered call to leave the queue")
    pump(lambda: kiosk.help_label == "I need help", message="the button to come back")
    assert hub.room.help == []


def test_a_student_takes_a_call_for_help_back_at_the_kiosk(classroom, hub):
    """Pressed by mistake, or a friend helped: a second tap takes the call back, off the teacher's map."""
    kiosk, display, core = classroom
    press(lambda: kiosk.ids.help)
    pump(lambda: display.help_panel.heading == "Help: 1 waiting", message="the call on the display")
    press(lambda: kiosk.ids.help)
    pump(lambda: kiosk.help_label == "I need help", message="the kiosk's button to come back at once")
    pump(lambda: display.help_panel.heading == "Help: nobody waiting", message="the call to leave the display")
    eventually(lambda: core.outbox.depth() == 0, message="the hub's ack")
    assert hub.room.help == [] and hub.store.load_help() == []
    press(lambda: kiosk.ids.help)  # and the station may call again
    pump(lambda: display.help_panel.heading == "Help: 1 waiting", message="a new call on the display")


def test_calls_for_help_survive_a_hub_restart_in_order(room, broker):
    from shared.protocol import Event

    first = HubService(room)
    for number, station in enumerate(("tech", "reading-nook", "tech")):
        first.handle_event(station, Event(id=f"h{number}", kind="help", card=None, station=station, at=100.0 + number,
                                          seq=number + 1, kiosk_time=0.0))
    assert [h.id for h in first.room.help] == ["h0", "h1"]  # tech was already waiting
    first.store.close()
    again = HubService(room)
    assert [(h.id, h.station) for h in again.room.help] == [("h0", "tech"), ("h1", "reading-nook")]
    assert [h.station for h in again.room.snapshot(200.0).help] == ["tech", "reading-nook"]
    again.store.close()


def test_a_call_taken_back_and_a_check_out_stay_so_through_a_hub_restart(room, broker):
    from shared.protocol import Event

    first = HubService(room)
    first.journal.start()
    now = time.time()
    events = [Event(id="h1", kind="help", card=None, station="tech", at=now, seq=1, kiosk_time=now),
              Event(id="c1", kind="checkin", card=card("s04"), station="tech", at=now + 1, seq=2, kiosk_time=now),
              Event(id="h2", kind="help_cancel", card=None, station="tech", at=now + 2, seq=3, kiosk_time=now),
              Event(id="o1", kind="checkout", card=card("s04"), station="tech", at=now + 3, seq=4, kiosk_time=now,
                    data={"by": "student"})]
    for event in events:
        first.handle_event("tech", event)
    assert first.room.help == [] and first.room.checked_out["s04"].station == "tech"
    assert first.journal.flush()
    first.journal.stop()
    first.store.close()
    again = HubService(room)
    assert again.room.help == [] and again.room.checked_out["s04"].station == "tech"
    assert again.store.help_calls(now - 10, now + 10) == {}  # a call taken back is no call in the report
    said = [describe(e) for e in again.store.session_events(now - 10, now + 10) if e.kind == "checkout"]
    assert said == ["said they were done"]  # not "marked absent", as the teacher's mark at the table says
    again.store.close()


def test_only_a_call_for_help_may_come_without_a_card():
    call = {"v": 1, "id": "h1", "kind": "help", "station": "tech", "at": 1.0, "seq": 1, "kiosk_time": 1.0}
    assert decode("kiosk_event", json.dumps(call).encode()).card is None
    with pytest.raises(ProtocolError, match="only a call for help may come without a card"):
        decode("kiosk_event", json.dumps({**call, "kind": "checkin"}).encode())
    assert card("s01")  # a check-in always carries one


def test_a_call_made_while_a_students_name_is_on_screen_is_theirs(classroom, hub, tmp_path):
    kiosk, display, core = classroom
    core.scan(card("s05"))
    pump(lambda: kiosk.title == "Hi Sofia R.", message="Sofia's greeting")
    press(lambda: kiosk.ids.help)
    pump(lambda: display.help_panel.heading == "Help: 1 waiting", message="the call on the display")
    (row,) = display.help_panel.ids.rows.children
    assert row.text == "Reading Nook · Sofia R. · 0 s"
    eventually(lambda: core.outbox.depth() == 0, message="the hub's ack")
    assert hub.store.db.execute("SELECT student FROM events WHERE kind = 'help'").fetchone() == ("s05",)


def test_a_call_with_a_bad_card_is_still_a_call_from_the_station(room, broker):
    from shared.protocol import Event

    hub = HubService(room)
    forged = card("s05", key=b"not the hub's key, not at all!!!")
    hub.handle_event("tech", Event(id="h1", kind="help", card=forged, station="tech", at=100.0, seq=1, kiosk_time=0.0))
    assert [(h.station, h.student) for h in hub.room.help] == [("tech", None)]
    hub.store.close()


def help_event(event_id: str, seq: int, station: str = "tech", at: float = 100.0):
    from shared.protocol import Event

    return Event(id=event_id, kind="help", card=None, station=station, at=at, seq=seq, kiosk_time=0.0)


def test_end_closes_the_calls_for_help_for_good(room, broker):
    from shared.protocol import Command

    first = HubService(room)
    first.handle_command(Command("c1", "start", "teacher"))
    first.handle_event("tech", help_event("h1", 1))
    assert len(first.room.help) == 1
    first.handle_command(Command("c2", "end", "teacher"))
    first.store.close()
    again = HubService(room)  # after a restart the ended lesson's calls stay closed
    assert again.room.help == []
    again.store.close()


def test_an_event_id_used_before_opens_no_second_call_for_help(room, broker):
    from shared.protocol import Command

    hub = HubService(room)
    hub.handle_event("tech", help_event("h1", 1))
    hub.handle_command(Command("c1", "answer_help", "teacher", {"id": "h1"}))
    hub.handle_event("tech", help_event("h1", 2))  # the same id again, as a careless kiosk might send
    assert hub.room.help == []
    hub.handle_event("tech", help_event("h2", 3))  # a new call is heard
    assert [h.id for h in hub.room.help] == ["h2"]
    hub.store.close()
