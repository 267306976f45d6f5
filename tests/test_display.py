"""The teacher's room map: the pure map model, and the Kivy screen rendered offscreen."""
import json

from kivy.base import EventLoop

from hub.display import RoomMapScreen, StationTile
from hub.mapview import build_map
from hub.service import HubService
from shared.protocol import Event, KioskStatus, decode, encode
from shared.topics import Topics
from tests.conftest import card, press, pump
from tests.mqtt_client import TestClient

T = Topics("room-12")
STATE = decode("state", json.dumps({
    "v": 1, "seq": 1, "hub_time": 1000.0,
    "clock": {"round": 1, "rounds": 3, "duration": 600, "running": True, "ends_at": 1300.0, "left": None},
    "stations": [{"id": "teacher", "name": "Teacher's Table", "kind": "teacher-led", "kiosk": False,
                  "groups": ["g3"]},
                 {"id": "tech", "name": "Tech Station", "kind": "tech", "kiosk": True, "groups": ["g1"]},
                 {"id": "nook", "name": "Reading Nook", "kind": "reading", "kiosk": True, "groups": ["g2"]}],
    "groups": [{"id": "g1", "name": "Otters", "members": ["a", "b"]}, {"id": "g2", "name": "Koalas", "members": ["c"]},
               {"id": "g3", "name": "Lynxes", "members": ["d"]}],
    "students": {"a": {"name": "Ana O.", "card": 1, "group": "g1"}, "b": {"name": "Ben N.", "card": 1, "group": "g1"},
                 "c": {"name": "Cy L.", "card": 1, "group": "g2"}, "d": {"name": "Di P.", "card": 1, "group": "g3"}},
    "presence": {"a": {"station": "tech", "at": 1.0}, "c": {"station": "tech", "at": 2.0}},
}).encode())


def test_the_map_flags_who_is_missing_misplaced_and_which_kiosk_is_offline():
    room_map = build_map("Room 12", STATE, {"tech": KioskStatus(online=True), "nook": KioskStatus(online=False)},
                         True, 1060.0)
    tech, nook, teacher = room_map.tile("tech"), room_map.tile("nook"), room_map.tile("teacher")
    assert [t.name for t in tech.here] == ["Ana O."]
    assert [(t.name, t.note) for t in tech.wrong] == [("Cy L.", "belongs at Reading Nook")]
    assert [(t.name, t.note) for t in tech.missing] == [("Ben N.", "not checked in")]
    assert nook.missing == ()  # Cy is on the map once: at the Tech Station, marked as belonging at the Nook
    assert (tech.kiosk, nook.kiosk, teacher.kiosk) == ("online", "offline", "none")
    assert [t.name for t in teacher.expected] == ["Di P."] and not teacher.missing
    assert room_map.offline_kiosks == ("Reading Nook",)
    assert (room_map.round, room_map.clock) == ("Round 1 of 3", "4:00")
    assert room_map.summary == "1 in place · 1 at the wrong station · 1 not checked in · 1 at Teacher's Table"


def test_after_a_round_change_the_map_shows_who_has_not_moved_yet():
    from msgspec.structs import replace

    next_round = replace(STATE, clock=replace(STATE.clock, round=2, started_at=1.5))  # after a's check-in, before c's
    tech = build_map("Room 12", next_round, {}, True, 1060.0).tile("tech")
    assert [(t.name, t.note) for t in tech.wrong] == [("Cy L.", "belongs at Reading Nook")]
    stale = replace(STATE, clock=replace(STATE.clock, round=2, started_at=5.0),
                    stations=(STATE.stations[0], replace(STATE.stations[1], groups=("g2",)),
                              replace(STATE.stations[2], groups=("g1",))))
    room_map = build_map("Room 12", stale, {}, True, 1060.0)
    assert [(t.name, t.note) for t in room_map.tile("tech").here] == [("Cy L.", "")]
    assert [(t.name, t.note) for t in room_map.tile("tech").wrong] == [("Ana O.", "not moved yet")]
    assert room_map.summary == ("1 in place · 0 at the wrong station · 1 not checked in · 1 not moved yet · "
                                "1 at Teacher's Table")


def test_the_map_waits_politely_for_a_hub():
    room_map = build_map("Room 12", None, {}, False, 0.0)
    assert room_map.round == "Waiting for the hub" and room_map.tiles == ()


def tile_texts(screen: RoomMapScreen, station_name: str) -> list[str]:
    tile = next((w for w in screen.ids.tiles.children if isinstance(w, StationTile) and w.title == station_name),
                None)
    if tile is None:
        return []
    return [chip.text for chip in tile.ids.names.children] + [tile.kiosk_text, tile.missing]


def test_the_screen_shows_a_student_on_the_tile_where_they_checked_in(room, broker, display, tmp_path):
    link, screen, presenter = display
    hub = HubService(room)
    hub.start()
    kiosk = TestClient(broker.port, T.ack("tech"), T.hub_status)
    kiosk.wait_for(T.hub_status, lambda s: s["online"])
    kiosk.publish(T.kiosk_status("tech"), encode(KioskStatus(online=True)), retain=True)
    kiosk.publish(T.kiosk_event("tech"), encode(Event(id="e1", kind="checkin", card=card("s04"), station="tech", at=5.0,
                                                      seq=1, kiosk_time=5.0)))
    pump(lambda: "Noah W." in tile_texts(screen, "Tech Station"), message="Noah on the Tech Station tile")
    assert "kiosk online" in tile_texts(screen, "Tech Station")
    assert "KIOSK OFFLINE" in tile_texts(screen, "Reading Nook")
    assert screen.hub_text == "hub online"
    screen.export_to_png(str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").stat().st_size > 20000
    kiosk.close()
    hub.stop()
    pump(lambda: screen.hub_text == "HUB OFFLINE", message="the hub offline flag")


def test_the_teachers_buttons_drive_the_hub_clock(room, display):
    link, screen, presenter = display
    hub = HubService(room)
    hub.start()
    pump(lambda: screen.round_text == "Not started", message="the room state")
    screen.dispatch("on_command", "start")
    pump(lambda: screen.round_text == "Round 1 of 5", message="round 1")
    assert screen.clock in ("15:00", "14:59")
    screen.dispatch("on_command", "pause")
    pump(lambda: screen.round_text == "Round 1 of 5 · paused", message="the pause")
    screen.ask_end()  # End asks, and the question waits for an answer: it never goes away by itself
    pump(lambda: presenter.dialog is not None and presenter.dialog.parent is not None, message="the question")
    for _ in range(30):
        EventLoop.idle()
    assert presenter.dialog is not None and presenter.dialog.parent is not None and hub.room.clock.round == 1
    press(lambda: next(b for b in presenter.dialog.walk() if getattr(b, "text", "") == "End now"))
    pump(lambda: screen.round_text == "Not started", message="the end of the session")
    pump(lambda: presenter.dialog is not None and "the lesson has ended" in presenter.dialog.title,
         message="the end-of-lesson summary")
    hub.stop()


def test_a_refused_class_list_is_called_what_it_is_not_storage_full(kivy_window):
    from hub.display import RoomMapScreen
    from hub.mapview import build_map
    from shared.protocol import ROSTER_REFUSED, Clock, State

    screen = RoomMapScreen(size=(1280, 720))
    kivy_window.add_widget(screen)
    try:
        state = State(seq=1, hub_time=0.0, clock=Clock(0, 5, 900.0, False, None, None), stations=(), groups=(),
                      students={}, presence={})
        screen.show(build_map("Room 12", state, {}, True, 0.0, ROSTER_REFUSED), running=False, started=False)
        assert screen.hub_text == "CLASS LIST NOT TAKEN"
        assert screen.alert.startswith("The new class list has problems and was not taken")
    finally:
        kivy_window.remove_widget(screen)


def test_the_group_sent_to_the_teachers_table_is_listed_there_not_as_not_moved_yet():
    from msgspec.structs import replace

    # Round 2: Otters (Ana checked in at the tech station in round 1) go to the teacher's table, with no kiosk.
    round_two = replace(STATE, clock=replace(STATE.clock, round=2, started_at=5.0),
                        stations=(replace(STATE.stations[0], groups=("g1",)),
                                  replace(STATE.stations[1], groups=("g3",)), STATE.stations[2]))
    room_map = build_map("Room 12", round_two, {}, True, 1060.0)
    assert [t.name for t in room_map.tile("teacher").expected] == ["Ana O.", "Ben N."]
    assert [t.name for t in room_map.tile("tech").wrong] == ["Cy L."]  # a kiosk station's group: not moved yet
    assert room_map.summary.endswith(" · 1 not moved yet · 2 at Teacher's Table")


def test_a_student_who_checked_out_is_done_there_and_not_flagged_next_round():
    from msgspec.structs import replace

    from shared.protocol import Presence

    left = replace(STATE, checked_out={"a": Presence("tech", 3.0)})  # Ana's exit ticket at the tech station
    room_map = build_map("Room 12", left, {}, True, 1060.0)
    assert [(t.name, t.note) for t in room_map.tile("tech").here] == [("Ana O.", "done")]
    assert room_map.summary.startswith("0 in place") and room_map.summary.endswith(" · 1 done · 1 at Teacher's Table")
    next_round = replace(left, clock=replace(STATE.clock, round=2, started_at=5.0))
    later = build_map("Room 12", next_round, {}, True, 1060.0)
    assert [t.name for t in later.tile("tech").wrong] == ["Cy L."]  # Ana left last round: not "not moved yet"
    assert later.summary == ("0 in place · 0 at the wrong station · 2 not checked in · 1 not moved yet · "
                             "1 at Teacher's Table")


def test_a_long_missing_list_names_four_in_full_and_counts_the_rest():
    from hub.display import missing_line
    from hub.mapview import NameTag

    missing = tuple(NameTag(f"s{i}", name, "late" if i == 1 else "not checked in")
                    for i, name in enumerate(("Lena K.", "Liam C.", "Omar F.", "Rosa A.", "Zara A.", "Ivy N.")))
    assert missing_line(missing) == "Not here yet: Lena K., Liam C. (late), Omar F., Rosa A. +2"
    assert missing_line(()) == ""


def test_the_phone_button_shows_the_web_companions_address_and_a_qr_code_a_camera_reads(tmp_path, broker,
                                                                                        kivy_window):
    from kiosk.camera import decode as read_codes
    from shared.config import load_config
    from tests.conftest import map_on_screen, write_room

    path = write_room(tmp_path, broker.port)
    plain = load_config(path)
    with map_on_screen(plain, kivy_window) as (link, screen, presenter):
        assert not phone_button(screen).shown  # on loopback only: no device could open it
    path.write_text(path.read_text() + '\n[web]\nurl = "https://room12-hub.local:8443/"\n')
    with map_on_screen(load_config(path), kivy_window) as (link, screen, presenter):
        assert phone_button(screen).shown
        press(lambda: phone_button(screen))
        pump(lambda: presenter.dialog is not None and presenter.dialog.ids.code.texture is not None,
             message="the address dialog")
        dialog = presenter.dialog
        for _ in range(3):
            EventLoop.idle()
        assert any(w.text == "https://room12-hub.local:8443/" for w in dialog.walk() if hasattr(w, "text"))
        shot = tmp_path / "phone.png"
        dialog.ids.code.export_to_png(str(shot))
        from PIL import Image

        image = Image.open(shot).convert("L")
        assert min(image.size) >= 200  # a phone reads it from a step or two away
        assert read_codes(image.tobytes(), *image.size) == ["https://room12-hub.local:8443/"]


def phone_button(screen):
    return next(b for b in screen.walk() if type(b).__name__ == "BarButton" and b.text == "Phone")


def test_long_station_names_are_whole_on_their_tiles_and_every_call_that_fits_is_listed(kivy_window):
    """A picture and the kiosk's state share the title bar: "Independent Practice" once lost its middle to "…".
    The help panel, first shown before the layout gave it a height, listed one call of two."""
    from kivy.core.text import Label as CoreLabel
    from msgspec.structs import replace

    from shared.protocol import HelpRequest, Station

    long_names = replace(STATE, stations=(
        *STATE.stations,
        Station(id="independent", name="Independent Practice", kind="independent", kiosk=True, groups=(),
                picture="edit"),
        Station(id="collaborative", name="Collaborative Project", kind="collaborative", kiosk=True, groups=(),
                picture="groups")),
        help=(HelpRequest(id="h1", station="tech", at=1000.0), HelpRequest(id="h2", station="nook", at=1001.0)))
    screen = RoomMapScreen(size=(1280, 720))
    kivy_window.size = (1280, 720)
    kivy_window.add_widget(screen)
    try:
        screen.show(build_map("Room 12", long_names, {"collaborative": KioskStatus(online=False),
                                                      "independent": KioskStatus(online=True)}, True, 1002.0),
                    running=True, started=True)
        for _ in range(5):
            EventLoop.idle()
        titles = {w.ids.title.text: w.ids.title for w in screen.walk() if isinstance(w, StationTile)}
        assert {"Independent Practice", "Collaborative Project"} <= set(titles)
        widths = {name: CoreLabel(font_size=label.font_size, bold=True).get_extents(name)[0]
                  for name, label in titles.items()}
        cut = {name: f"{widths[name]} px in {label.width:.0f} px" for name, label in titles.items()
               if widths[name] > label.width}
        assert not cut, f"cut short: {cut}"
        assert min(label.font_size for label in titles.values()) >= 20  # still read from the back of the room
        assert [row.request_id for row in screen.help_panel.ids.rows.children[::-1]] == ["h1", "h2"]
    finally:
        kivy_window.remove_widget(screen)
