"""A lesson set up as the teacher wants it today: its round length, its number of rounds and the stations
switched off, from the command line, on the real hub and broker."""
from rotation.cli import main
from shared.protocol import Command


def four_groups(hub) -> None:
    """Four groups of seven: with a station off, each of the four running stations (the teacher's table seats
    eight) takes one."""
    ids = sorted(hub.room.students)
    groups = {name: ids[n::4] for n, name in enumerate(("red", "blue", "green", "gold"))}
    hub.handle_command(Command("g", "set_groups", "teacher", {"groups": groups}))
    assert len(hub.room.groups) == 4


def test_a_lesson_starts_with_its_rounds_length_and_stations_off_and_the_plan_skips_them(room, hub, capsys):
    four_groups(hub)
    assert main(["hub", "lesson", "start", "--config", str(room.path), "--minutes", "12", "--rounds", "3",
                 "--off", "tech"]) == 0
    assert capsys.readouterr().out == "started round 1 of 3, 12-minute rounds, Tech Station off\n"
    clock = hub.room.clock
    assert (clock.round, clock.rounds, clock.duration) == (1, 3, 720.0)
    state = hub.room.snapshot(0.0)
    tech = state.station("tech")
    assert tech is not None and tech.off and tech.groups == ()
    from hub.mapview import build_map

    assert build_map("Room 12", state, {}, True, 0.0).tile("tech").off
    running = [s for s in state.stations if not s.off]
    assert sorted(g for s in running for g in s.groups) == sorted(g.id for g in state.groups)  # every group placed
    for round_number in range(1, 5):  # no group is ever sent to the station that is off
        assert hub.room.rotation.station_of(state.groups[0].id, round_number) != "tech"

    assert main(["hub", "lesson", "change", "--config", str(room.path), "--minutes", "8", "--on", "tech"]) == 0
    assert capsys.readouterr().out == "from round 2: every station running; 8-minute rounds; 6 rounds\n"
    assert main(["hub", "lesson", "end", "--config", str(room.path)]) == 0
    assert capsys.readouterr().out == "collecting the last exit tickets for 1 minute; then the lesson ends\n"
    assert hub.room.clock.closing_at is not None
    assert main(["hub", "lesson", "end", "--now", "--config", str(room.path)]) == 0
    after = hub.room.snapshot(0.0)
    assert not after.station("tech").off and (after.clock.rounds, after.clock.duration) == (5, 900.0)


def test_stations_off_stay_off_after_a_hub_restart(room, broker):
    from hub.service import HubService

    first = HubService(room)
    four_groups(first)
    first.handle_command(Command("c1", "start", "teacher", {"off": ["reading-nook"], "minutes": 10}))
    assert first.room.off == {"reading-nook"}
    first.store.close()
    again = HubService(room)
    try:
        assert again.room.off == {"reading-nook"} and again.room.clock.duration == 600.0
        assert again.room.snapshot(0.0).station("reading-nook").off
    finally:
        again.store.close()


def test_a_lesson_the_rotation_cannot_run_is_refused_saying_why(room, hub, capsys):
    assert main(["hub", "lesson", "start", "--config", str(room.path), "--off", "tech"]) == 1
    assert capsys.readouterr().err == ("with tech off, 28 students in groups of 6, 6, 6, 5, 5 cannot be split into 4 "
                                       "tracks of at most 8 (the places at Teacher's Table): make the groups smaller "
                                       "or add places\n")
    assert main(["hub", "lesson", "start", "--config", str(room.path), "--off", "lab"]) == 1
    assert "no station 'lab' to switch off (stations: teacher-table, independent" in capsys.readouterr().err
    every = [arg for station in ("teacher-table", "independent", "collaborative", "tech", "reading-nook")
             for arg in ("--off", station)]
    assert main(["hub", "lesson", "start", "--config", str(room.path), *every]) == 1
    assert "every station is switched off" in capsys.readouterr().err
    assert hub.room.clock.round == 0


def test_a_student_marked_absent_is_not_missing_and_one_who_turns_up_is_late(room, hub, capsys):
    from hub.mapview import build_map
    from shared.protocol import Event
    from tests.conftest import card

    hub.handle_command(Command("c0", "start", "teacher"))
    assert main(["hub", "attendance", "--config", str(room.path), "s05", "absent"]) == 0
    assert capsys.readouterr().out == "Sofia R. is absent\n"
    assert main(["hub", "attendance", "--config", str(room.path), "s06", "late"]) == 0
    state = hub.room.snapshot(0.0)
    room_map = build_map("Room 12", state, {}, True, 0.0)
    missing = {t.name: t.note for tile in room_map.tiles for t in tile.missing}
    assert "Sofia R." not in missing and missing[state.students["s06"].name] == "late"
    assert room_map.summary.endswith(" · 1 absent · 6 at Teacher's Table")  # 21 + 1 + 6: the class
    assert hub.room.snapshot(0.0).attendance == {"s05": "absent", "s06": "late"}
    from hub.kiosk_view import kiosk_view

    assert kiosk_view(state, "tech").attendance == {}  # the teacher's business, not the kiosks'

    hub.handle_event("tech", Event(id="e1", kind="checkin", card=card("s05"), station="tech", at=1.0, seq=1,
                                   kiosk_time=1.0))
    assert hub.room.attendance["s05"] == "late" and hub.store.load_attendance()["s05"] == "late"
    assert main(["hub", "attendance", "--config", str(room.path), "s06", "present"]) == 0
    assert "s06" not in hub.room.attendance
    hub.handle_command(Command("c1", "end", "teacher"))
    assert hub.room.attendance == {} and hub.store.load_attendance() == {}


def test_a_pause_is_seen_large_on_the_map_and_on_every_kiosk(room, hub, display, kivy_window, tmp_path):
    from kiosk.app import KioskPresenter, KioskScreen
    from kiosk.core import KioskCore
    from tests.conftest import eventually, pump

    link, screen, _ = display
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk = KioskScreen(size=(800, 480))
    kivy_window.add_widget(kiosk)
    presenter = KioskPresenter(core, kiosk)
    core.start()
    try:
        eventually(lambda: core.state is not None and link.state is not None, message="the room state")
        hub.handle_command(Command("c1", "start", "teacher"))
        pump(lambda: kiosk.clock == "15 min" and screen.round_text == "Round 1 of 5", message="the lesson running")
        normal = screen.ids.round_label.font_size
        hub.handle_command(Command("c2", "pause", "teacher"))
        pump(lambda: kiosk.clock == "Paused" and screen.round_text == "Round 1 of 5 · paused", message="the pause")
        assert screen.ids.round_label.font_size > 1.5 * normal
        hub.handle_command(Command("c3", "resume", "teacher"))
        pump(lambda: kiosk.clock.endswith("min") and screen.ids.round_label.font_size == normal,
             message="the lesson going on")
    finally:
        presenter.close()
        core.stop()
        kivy_window.remove_widget(kiosk)
