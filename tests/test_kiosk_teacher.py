"""The teacher's screen on a kiosk, rendered offscreen, against the real hub: a PIN with a lock-out, then
a conference note for a student at the station, the kiosk's station and the hub's address."""
import time

import pytest

from kiosk.app import KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from kiosk.settings import apply_settings, read_settings, settings_path
from kiosk.teacher import Refused, TeacherAccess
from kiosk.words import teacher_words
from shared.config import load_config
from shared.pin import hash_pin
from tests.conftest import card, eventually, pin_verifier, press, pump, write_room

PIN = "246810"


@pytest.fixture
def pinned_room(tmp_path, broker):
    path = write_room(tmp_path, broker.port)
    path.write_text(path.read_text().replace("[kiosk]\n", f'[kiosk]\nteacher_pin = "{pin_verifier(PIN)}"\n'))
    return load_config(path)


@pytest.fixture
def kiosk(pinned_room, tmp_path, kivy_window):
    from hub.service import HubService

    hub = HubService(pinned_room)
    hub.start()
    core = KioskCore(pinned_room, "reading-nook", tmp_path / "outbox.db")
    screen = KioskScreen(size=(800, 480))
    kivy_window.size = (800, 480)
    kivy_window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    core.start()
    eventually(lambda: core.online and core.state, 10, "the kiosk online")
    yield hub, core, screen, presenter
    if presenter.teacher_panel:
        presenter.teacher_panel.dismiss()
    presenter.close()
    core.stop()
    hub.stop()


def type_pin(panel, pin: str) -> None:
    for key in [*pin, "OK"]:
        press(lambda k=key: next(w for w in panel.walk() if getattr(w, "text", None) == k))
    pump(lambda: not panel.checking, message="the PIN checked")


def test_without_a_pin_in_the_config_there_is_no_teachers_screen(room, tmp_path, kivy_window):
    core = KioskCore(room, "tech", tmp_path / "outbox.db")
    screen = KioskScreen(size=(800, 480))
    presenter = KioskPresenter(core, screen)
    assert not screen.teacher and not screen.ids.teacher.width
    presenter.close()
    core.outbox.close()


def test_the_pin_is_checked_off_the_screens_thread_which_says_so_and_keeps_drawing(tmp_path, kivy_window):
    from kivy.base import EventLoop

    from kiosk.teacher_panel import OK, TeacherPanel

    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace("[kiosk]\n", f'[kiosk]\nteacher_pin = "{hash_pin(PIN)}"\n'))  # real cost
    core = KioskCore(load_config(path), "reading-nook", tmp_path / "outbox.db")
    panel = TeacherPanel(TeacherAccess(core, settings_path(core.outbox.file.path)))
    panel.open(animation=False)
    try:
        for key in PIN:
            panel.press(key)
        for _ in range(3):
            EventLoop.idle()  # the pad drawn
        pressed = time.perf_counter()
        panel.press(OK)
        assert time.perf_counter() - pressed < 0.1 and panel.message == "Checking the PIN…"
        frames = []
        while panel.checking:
            started = time.perf_counter()
            EventLoop.idle()
            frames.append(time.perf_counter() - started)
        checking = time.perf_counter() - pressed
        assert panel.unlocked and panel.access.key is not None
        # A check on the screen's thread would be one frame as long as the check (0.4 s here, seconds on a Pi or
        # a busy machine, which slows both alike); off it, no frame comes near.
        assert len(frames) >= 5 and max(frames) < checking / 4, \
            f"{len(frames)} frames in {checking:.2f} s, the longest {max(frames):.3f} s"
    finally:
        panel.dismiss(animation=False)
        core.outbox.close()
    assert panel.access.key is None  # closed: locked again


def test_five_wrong_pins_lock_the_teachers_screen_even_across_a_restart(kiosk):
    hub, core, screen, presenter = kiosk
    clock = [1_000_000.0]
    presenter.teacher.now = lambda: clock[0]
    press(lambda: screen.ids.teacher)
    panel = presenter.teacher_panel
    pump(lambda: panel.parent is not None, message="the PIN pad")
    for _ in range(5):
        type_pin(panel, "111111")
    assert panel.message == "Too many wrong PINs: try again in 1 min" and not panel.unlocked
    type_pin(panel, PIN)
    assert not panel.unlocked
    restarted = TeacherAccess(core, settings_path(core.outbox.file.path), now=lambda: clock[0] + 30)
    assert restarted.try_pin(PIN).locked_for == pytest.approx(30, abs=1)  # pulling the plug does not help
    clock[0] += 61
    type_pin(panel, PIN)
    assert panel.unlocked and panel.message.startswith("Unlocked")
    screen.export_to_png(str(core.outbox.file.path.with_name("teacher.png")))


def test_a_conference_note_from_the_kiosk_lands_in_the_students_timeline(kiosk):
    hub, core, screen, presenter = kiosk
    core.scan(card("s05"))
    eventually(lambda: "s05" in core.state.presence, 5, "Sofia to be checked in here")
    press(lambda: screen.ids.teacher)
    panel = presenter.teacher_panel
    type_pin(panel, PIN)
    press(lambda: panel.ids.notes)
    press(lambda: next(w for w in panel.walk() if getattr(w, "text", None) == "Sofia R."))
    popup = panel.note_popup
    pump(lambda: popup.parent is not None, message="the note")
    tags = popup.ids.tags.children[::-1]
    for tag in tags[:5]:
        press(lambda tag=tag: tag)
    assert tags[5].disabled  # a note holds five tags: the sixth cannot be picked
    press(lambda: tags[4])
    assert not tags[5].disabled
    for tag in tags[1:4]:
        press(lambda tag=tag: tag)  # up again: "reading" alone
    popup.ids.text.insert_text("Retold the story in her own words" + " and more" * 60)  # typed or pasted
    assert popup.ids.text.text.startswith("Retold the story in her own words") and len(popup.ids.text.text) == 500
    popup.ids.text.text = "Retold the story in her own words"
    press(lambda: next(b for b in popup.walk() if getattr(b, "text", "") == "Save note"))
    assert panel.message == "Note saved for Sofia R."
    eventually(lambda: hub.store.db.execute("SELECT count(*) FROM events WHERE kind = 'conference'").fetchone()[0],
               5, "the note at the hub")
    student, station, data = hub.store.db.execute(
        "SELECT student, station, data FROM events WHERE kind = 'conference'").fetchone()
    assert (student, station) == ("s05", "reading-nook")
    assert data == '{"tags": ["reading"], "text": "Retold the story in her own words"}'


def test_the_teacher_sets_the_kiosks_station_and_the_hubs_address_for_its_next_start(kiosk, pinned_room):
    hub, core, screen, presenter = kiosk
    press(lambda: screen.ids.teacher)
    panel = presenter.teacher_panel
    type_pin(panel, PIN)
    press(lambda: next(w for w in panel.walk() if getattr(w, "text", None) == "Station"))
    press(lambda: next(w for w in panel.walk() if getattr(w, "text", None) == "Tech Station"))
    assert panel.message == "This kiosk will be Tech Station once it restarts."
    assert any(getattr(w, "text", None) == "Restart the kiosk now" for w in panel.walk())
    press(lambda: next(w for w in panel.walk() if getattr(w, "text", None) == "Hub address"))
    host = next(w for w in panel.walk() if getattr(w, "text", None) == "127.0.0.1")
    host.text = "hub.local"
    press(lambda: next(w for w in panel.walk() if getattr(w, "text", None) == "Save"))
    assert panel.message == f"The kiosk will look for the hub at hub.local:{pinned_room.broker.port} once it restarts."
    settings = read_settings(settings_path(core.outbox.file.path))
    assert settings == {"station": "tech", "broker_host": "hub.local", "broker_port": pinned_room.broker.port}
    config = apply_settings(pinned_room, settings)
    assert (config.kiosk.station, config.broker.host) == ("tech", "hub.local")


def test_a_note_the_protocol_would_refuse_is_refused_in_words_the_teacher_reads(kiosk):
    hub, core, screen, presenter = kiosk
    core.scan(card("s05"))
    eventually(lambda: "s05" in core.state.presence, 5, "Sofia to be checked in here")
    with pytest.raises(Refused, match="Notes need the teacher's PIN"):
        presenter.teacher.conference_note("s05", ["reading"], "locked")
    assert presenter.teacher.try_pin(PIN).ok
    with pytest.raises(Refused) as refused:
        presenter.teacher.conference_note("s05", ["reading"] * 6, "")
    assert refused.value.said(teacher_words("es")) == "Una nota tiene como máximo 5 etiquetas y 500 caracteres."


def test_a_kiosk_with_check_ins_still_waiting_keeps_its_station(pinned_room, tmp_path):
    core = KioskCore(pinned_room, "reading-nook", tmp_path / "outbox.db")  # never connected
    core.scan(card("s05"))
    access = TeacherAccess(core, settings_path(core.outbox.file.path))
    with pytest.raises(ValueError, match="1 check-in here has not reached the hub yet"):
        access.move_to_station("tech")
    with pytest.raises(ValueError, match="no kiosk"):
        access.move_to_station("teacher-table")
    for host, port in (("hub.local", "-"), ("hub.local", ""), ("hub.local", "70000"), ("", "1883"), ("a b", "1")):
        with pytest.raises(Refused, match="a port from 1 to 65535"):
            access.set_broker(host, port)  # what the teacher typed: said, never a crash
    core.outbox.close()
