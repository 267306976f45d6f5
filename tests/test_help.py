"""A call for help: the kiosk's button, the teacher's queue on the display, and the answer, on real parts."""
import json
import time

import msgspec
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


# Peers who can help: the kiosk suggests a classmate who got it, and the teacher sees whether it was taken
def frames() -> None:
    """A few frames: what is on screen is drawn (before a picture of it is taken)."""
    from kivy.base import EventLoop

    for _ in range(3):
        EventLoop.idle()


def teacher_says(hub, action: str, **args) -> None:
    from shared.protocol import Command

    hub.handle_command(Command(f"c-{action}-{time.monotonic()}", action, "teacher", args))


def option(kiosk, words: str):
    """The kiosk's answer button that says ``words``."""
    return next(b for b in kiosk.ids.choices.children if b.text.endswith(words))


def a_classmate_who_got_it_here(kiosk, core, hub) -> None:
    """Peer suggestions on; Maya said "Got it!" at the nook last lesson and is checked in there again now."""
    teacher_says(hub, "peer_help", on=True)
    teacher_says(hub, "start")
    core.scan(card("s01"))
    eventually(lambda: "s01" in hub.room.presence, message="Maya's check-in")
    core.check_out(card("s01"))
    core.record("exit_ticket", card("s01"), {"how": "got_it"})
    eventually(lambda: hub.room.progress.get("s01") and hub.room.progress["s01"].ticket == "got_it",
               message="Maya's exit ticket")
    teacher_says(hub, "end")
    teacher_says(hub, "start")  # the next lesson
    started = hub.room.clock.started_at
    eventually(lambda: core.state.clock.started_at == started and core.hub_now() > started,
               message="the kiosk in the new lesson")  # a check-in it dates before the round is last round's
    core.scan(card("s01"))
    eventually(lambda: core.state.helpers == {"reading-nook": ("s01",)}, message="Maya named to the nook's kiosk")
    pump(lambda: "Maya R." in kiosk.title, message="Maya's greeting")


def sofia_scans(kiosk, core) -> None:
    core.scan(card("s05"))
    pump(lambda: "Sofia R." in kiosk.title, message="Sofia's greeting")


def test_the_kiosk_suggests_a_classmate_who_got_it_and_the_teacher_sees_it_was_taken(classroom, hub, tmp_path):
    kiosk, display, core = classroom
    teacher_says(hub, "set_own_goal", student="s05", text="Read every day", picture="menu_book")
    a_classmate_who_got_it_here(kiosk, core, hub)
    eventually(lambda: "s05" in core.state.standing, message="Sofia's goal at the kiosk")
    sofia_scans(kiosk, core)
    pump(lambda: kiosk.goal == "Your goal: Read every day", message="her goal under her greeting")
    press(lambda: kiosk.ids.help)
    pump(lambda: kiosk.title == "Maya R. got it! Ask Maya?", message="the suggestion")
    assert kiosk.detail == "Your teacher is called too." and kiosk.picture  # with its picture
    assert kiosk.goal == "" and kiosk.last_time == ""  # the question alone: the screen keeps its top bar
    frames()
    assert kiosk.ids.my_path.top <= kiosk.top
    assert [b.text.split("\n")[-1] for b in kiosk.ids.choices.children[::-1]] == ["I'll ask Maya", "No thanks"]
    frames()
    kiosk.export_to_png(str(tmp_path / "kiosk-peer.png"))
    assert display.help_panel.heading == "Help: nobody waiting"  # not called before the answer
    press(lambda: option(kiosk, "I'll ask Maya"))
    pump(lambda: kiosk.title == "Go and ask Maya!", message="the answer")
    frames()
    assert kiosk.title == "Go and ask Maya!" and kiosk.undo == ""  # nothing to undo: the call is on its way
    panel: HelpPanel = display.help_panel
    pump(lambda: panel.heading == "Help: 1 waiting", message="the call on the display")
    (row,) = panel.ids.rows.children
    assert (row.text, row.peer) == ("Reading Nook · Sofia R. · 0 s", "Maya R. suggested · asked")
    frames()
    display.export_to_png(str(tmp_path / "help-queue-peer.png"))
    eventually(lambda: core.outbox.depth() == 0, message="the hub's ack")
    stored = hub.store.db.execute("SELECT student, data FROM events WHERE kind = 'help'").fetchall()
    assert [(student, json.loads(data)) for student, data in stored] == [("s05", {"peer": "s01", "taken": True})]


def test_a_suggestion_declined_or_left_unanswered_still_calls_the_teacher_in_the_askers_language(
        classroom, hub, tmp_path):
    from shared.protocol import Needs

    kiosk, display, core = classroom
    teacher_says(hub, "set_needs", student="s05", needs=msgspec.to_builtins(Needs(language="es")))
    a_classmate_who_got_it_here(kiosk, core, hub)
    sofia_scans(kiosk, core)
    press(lambda: kiosk.ids.help)
    pump(lambda: kiosk.title == "¡Maya R. lo entendió! ¿Le preguntas a Maya?", message="the suggestion in Spanish")
    frames()
    kiosk.export_to_png(str(tmp_path / "kiosk-peer-es.png"))
    press(lambda: option(kiosk, "No, gracias"))
    panel: HelpPanel = display.help_panel
    pump(lambda: panel.heading == "Help: 1 waiting", message="the declined call on the display")
    pump(lambda: panel.ids.rows.children[0].peer == "Maya R. suggested · not asked")
    press(lambda: panel.ids.rows.children[0].ids.done)
    pump(lambda: kiosk.help_label == "Necesito ayuda" or kiosk.help_label == "I need help",
         message="the button back once answered")

    core.scan(card("s02"))  # Liam, whose name is on screen, presses "I need help", then again over the question
    pump(lambda: "Liam C." in kiosk.title, message="Liam's greeting")
    press(lambda: kiosk.ids.help)
    pump(lambda: kiosk.title == "Maya R. got it! Ask Maya?", message="the suggestion in English")
    press(lambda: kiosk.ids.help)
    pump(lambda: panel.heading == "Help: 1 waiting", message="the call at once")
    pump(lambda: panel.ids.rows.children[0].peer == "Maya R. suggested · no answer")
    eventually(lambda: core.outbox.depth() == 0, message="the hub's acks")
    stored = hub.store.db.execute("SELECT student, data FROM events WHERE kind = 'help' ORDER BY at").fetchall()
    assert [(student, json.loads(data)) for student, data in stored] == [
        ("s05", {"peer": "s01", "taken": False}), ("s02", {"peer": "s01"})]


def test_the_one_who_got_it_is_never_suggested_to_herself(classroom, hub):
    kiosk, display, core = classroom
    a_classmate_who_got_it_here(kiosk, core, hub)  # her name is on screen
    press(lambda: kiosk.ids.help)
    pump(lambda: display.help_panel.heading == "Help: 1 waiting", message="the call, at once")
    assert "got it" not in kiosk.title and not kiosk.help_label.startswith("I need help")
    (row,) = display.help_panel.ids.rows.children
    assert (row.text, row.peer) == ("Reading Nook · Maya R. · 0 s", "")
