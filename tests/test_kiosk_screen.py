"""The kiosk screen, rendered offscreen, answering scans from a serial scanner on a pseudo-terminal."""
import os
import tty

import pytest

from edge.pictures import glyph
from kiosk.app import KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from kiosk.scanners import SerialScanner
from kiosk.view import MOVE_LINES
from shared.pictures import rgba
from tests.conftest import card, eventually, press, pump


@pytest.fixture
def station(room, tmp_path, kivy_window):
    """The reading nook's kiosk: screen, core and a serial scanner on a pty."""
    master, slave = os.openpty()
    tty.setraw(slave)
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    screen = KioskScreen(size=(800, 480))
    kivy_window.size = (800, 480)
    kivy_window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    scanner = SerialScanner(os.ttyname(slave), 9600, core.scan, core.unreadable, line_timeout=0.3)
    presenter.watch_scanner(scanner)
    core.start()
    scanner.start()
    eventually(lambda: scanner.connected, message="the scanner port to open")

    def scan(text: bytes) -> KioskScreen:
        before = presenter.last_decision_at
        os.write(master, text + b"\r\n")
        pump(lambda: presenter.last_decision_at != before, message="the kiosk to answer")
        return screen

    scan.wire = master
    scan.presenter = presenter
    yield scan, screen, core
    scanner.stop()
    presenter.close()
    core.stop()
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass  # the test unplugged it


def test_idle_screen_asks_for_a_card(station):
    scan, screen, core = station
    pump(lambda: screen.title == "Show your card")
    assert screen.station == "Reading Nook"


def test_right_and_wrong_station_greetings(hub, station, tmp_path):
    scan, screen, core = station
    eventually(lambda: core.state is not None, message="the room state")
    assert scan(card("s05").encode()).title == "Hi Sofia R."
    assert screen.detail == "You're in the right place. What will you do? Tap one."
    assert screen.outcome == "ask:choice"
    screen.export_to_png(str(tmp_path / "kiosk-welcome.png"))
    assert (tmp_path / "kiosk-welcome.png").stat().st_size > 5000
    # Maya scans while Sofia chooses: she is told where to go, and Sofia's question stays under her finger.
    assert scan(card("s01").encode()).notice == (
        "Maya R., your group is at Collaborative Project\nPlease head over there now.")
    assert (screen.title, screen.outcome) == ("Hi Sofia R.", "ask:choice")
    scan.presenter.answer(None)  # Sofia walks off: the screen is free for the next scan
    assert scan(card("s01").encode()).title == "Maya R., your group is at Collaborative Project"
    assert screen.detail == "Please head over there now."
    # in that station's colour, with its picture, as on the map
    assert (screen.picture, list(screen.colour)) == (glyph("groups"), list(rgba("teal")))


def test_two_cards_in_one_read_are_each_greeted_in_turn(hub, station):
    scan, screen, core = station
    eventually(lambda: core.state is not None, message="the room state")
    titles = []  # as drawn, frame by frame
    os.write(scan.wire, card("s07").encode() + b"\r" + card("s10").encode() + b"\r")
    pump(lambda: titles.append(screen.title) or "Hi Lucas S." in titles, message="the second student's greeting")
    greetings = list(dict.fromkeys(t for t in titles if "Zara" in t or "Lucas" in t))
    assert greetings[0].startswith("Zara A., your group is at ") and greetings[1:] == ["Hi Lucas S."]
    eventually(lambda: hub.store.event_count() == 2, message="both check-ins at the hub")


@pytest.mark.parametrize("text, title", [
    (b"\x00\x9f\xffnoise", "Let's try that again"),
    (b"RS1:s05:1:ABC", "Let's try that again"),
    (card("s05", key=b"a key that is not the hub's, 32B").encode(), "This card isn't from our class"),
    (card("s99").encode(), "I don't know this card yet"),
])
def test_bad_cards_get_a_kind_message_without_a_name(hub, station, text, title):
    scan, screen, core = station
    eventually(lambda: core.state is not None, message="the room state")
    scan(text)
    assert screen.title == title
    assert "Sofia" not in screen.title + screen.detail
    assert scan(card("s10").encode()).title == "Hi Lucas S."  # the next student is not held up
    eventually(lambda: hub.store.event_count() >= 1 and core.outbox.depth() == 0, message="the hub's ack")
    rows = list(hub.store.db["events"].rows)
    assert [(r["student"], r["accepted"]) for r in rows] == [("s10", 1)]  # the bad card was never sent


def test_a_reprinted_card_revokes_the_old_one(hub, station):
    scan, screen, core = station
    hub.reissue_card("s05")
    eventually(lambda: core.state and core.state.students["s05"].card == 2, message="the new card version")
    assert scan(card("s05", 1).encode()).title == "This card has been replaced"
    assert scan(card("s05", 2).encode()).title == "Hi Sofia R."


def test_offline_is_shown_quietly_and_scans_still_answer(broker, station):
    scan, screen, core = station
    eventually(lambda: core.connected, message="the kiosk to connect")
    broker.kill()
    pump(lambda: screen.status.startswith("Offline"), message="the offline notice")
    assert scan(card("s05").encode()).title == "You're checked in"
    eventually(lambda: core.outbox.depth() == 1, message="the check-in kept in the outbox")


def test_a_keyboard_wedge_scanner_types_the_card_and_enter(hub, room, tmp_path, kivy_window):
    from kiosk.app import KeyboardWedgeInput

    core = KioskCore(room, "reading-nook", tmp_path / "wedge.db")
    screen = KioskScreen(size=(800, 480))
    kivy_window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    wedge = KeyboardWedgeInput(core)
    core.start()
    try:
        eventually(lambda: core.state is not None, message="the room state")
        for chunk in (card("s10")[:12], card("s10")[12:]):
            kivy_window.dispatch("on_textinput", chunk)
        kivy_window.dispatch("on_key_down", 13, 40, None, [])
        pump(lambda: screen.title == "Hi Lucas S.", message="the greeting")
        kivy_window.dispatch("on_textinput", "\x07\x00junk")
        kivy_window.dispatch("on_key_down", 13, 40, None, [])
        # Lucas's question stays; the one whose card did not read is asked, above the buttons, to try again.
        pump(lambda: screen.notice.startswith("Let's try that again\nHold your card still"),
             message="the try-again message")
        assert screen.title == "Hi Lucas S."
    finally:
        wedge.close()
        presenter.close()
        core.stop()


def test_an_unplugged_scanner_is_shown_on_screen(hub, station):
    scan, screen, core = station
    pump(lambda: screen.title == "Show your card" and not screen.status, message="a quiet idle screen")
    os.close(scan.wire)  # the scanner's cable is pulled
    pump(lambda: screen.status == "The card scanner is not connected: please tell your teacher",
         message="the scanner warning")


def test_at_round_end_the_kiosk_tells_its_students_where_to_go_with_a_colour_and_a_chime(hub, station, tmp_path):
    from shared.protocol import Command

    scan, screen, core = station
    eventually(lambda: core.state is not None, message="the room state")
    hub.handle_command(Command("c1", "start", "test"))
    group = next(s for s in core.state.stations if s.id == "reading-nook").groups[0]
    members = sorted(sid for sid, s in core.state.students.items() if s.group == group)
    for student in members:
        scan(card(student).encode())
    eventually(lambda: all(s in hub.room.presence for s in members), message="the check-ins at the hub")
    hub.handle_command(Command("c2", "next", "test"))
    pump(lambda: screen.outcome == "move", message="the round-end screen")
    destination = next(s.name for s in core.state.stations if group in s.groups)
    names = sorted(core.state.students[s].name for s in members)
    assert screen.title == "Time to move!"
    assert screen.detail.splitlines() == [f"{name} \u2013 go to {destination}" for name in names][:MOVE_LINES] + (
        [f"and {len(names) - MOVE_LINES} more: look at the board"] if len(names) > MOVE_LINES else [])
    assert scan.presenter.round_end_sound.state == "play"
    screen.export_to_png(str(tmp_path / "kiosk-move.png"))
    assert (tmp_path / "kiosk-move.png").stat().st_size > 5000
    scan(card(members[0]).encode())  # a student arriving for the new round is answered as ever
    assert screen.title in ("Hi " + core.state.students[members[0]].name,
                            f"{core.state.students[members[0]].name}, your group is at {destination}")


def test_a_student_on_screen_takes_the_out_of_room_pass_and_is_welcomed_back(hub, station, tmp_path):
    from shared.protocol import Command

    scan, screen, core = station
    eventually(lambda: core.state is not None, message="the room state")
    hub.handle_command(Command("c1", "start", "test"))
    eventually(lambda: core.state.clock.round == 1, message="the lesson to start")
    student = next(sid for sid, s in core.state.students.items()
                   if s.group in core.state.station("reading-nook").groups)
    go_out = screen.ids.go_out
    assert go_out.disabled and go_out.width == 0  # nobody on screen: no pass offered
    scan(card(student).encode())
    pump(lambda: not go_out.disabled, message="the pass offered")
    for button, picture in ((go_out, "directions_walk"), (screen.ids.help, "pan_tool")):
        assert glyph(picture) in button.text  # a picture for those who cannot read the words yet
    press(lambda: go_out)
    pump(lambda: screen.title.startswith("See you soon"), message="the kiosk to say goodbye")
    assert screen.detail == "Scan your card when you are back."
    eventually(lambda: student in hub.room.out, message="the pass at the hub")
    assert hub.room.out[student].station == "reading-nook"
    pump(lambda: student in core.state.out, message="the kiosk to know")
    scan(card(student).encode())
    assert screen.title.startswith("Welcome back")
    eventually(lambda: student not in hub.room.out, message="the pass to end")


@pytest.mark.parametrize("scale", [1.0, 1.3])
def test_a_crowded_question_leaves_out_its_least_needed_lines_and_keeps_the_top_bar_and_buttons_on_screen(
        kivy_window, tmp_path, scale):
    """A two-line question about the goal, the goal, the last visit and the next student's name, in large text:
    the detail line and the last visit go, then the question's words shrink, and the station's name, "My path",
    the answers and "I need help" all stay on the 480-pixel screen."""
    from kivy.base import EventLoop

    from kiosk.app import OptionButton

    screen = KioskScreen(size=(800, 480))
    kivy_window.size = (800, 480)
    kivy_window.add_widget(screen)
    try:
        screen.station, screen.clock, screen.can_open_path, screen.path_label = "Reading Nook", "8 min", True, "My path"
        screen.picture = glyph("flag")
        screen.asking = True
        for words in ("Closer", "Not yet", "I met my goal!"):
            screen.ids.choices.add_widget(OptionButton(text=words, font_size=22))
        screen.title, screen.detail = "Sofia R., did you get closer to your goal?", "Tap one."
        screen.last_time = "Last time here: Got it! · You wanted: More of this"
        screen.goal, screen.goal_picture = "Your goal: Know my 7 times table", glyph("calculate")
        screen.notice, screen.scale = "Maya, you're next", scale
        for _ in range(4):
            EventLoop.idle()
        screen.export_to_png(str(tmp_path / f"kiosk-crowded-{scale}.png"))
        assert screen.ids.my_path.top <= screen.top and screen.ids.help.y >= screen.y
        assert screen.ids.title.top <= screen.ids.my_path.y and screen.ids.choices.y >= screen.ids.help.top
        assert screen.squeeze >= 1 and screen.ids.detail.height == 0
        screen.goal, screen.last_time, screen.notice = "", "", ""  # Sofia alone with her question: all of it
        for _ in range(4):
            EventLoop.idle()
        assert screen.squeeze == 0 and screen.ids.detail.height > 0
    finally:
        kivy_window.remove_widget(screen)
