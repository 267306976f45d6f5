"""Several classes in one room: one roster, one card per student, the class chosen by the teacher, and each
class with its own groups and lessons; with the real hub, kiosk and broker."""
import datetime as dt
import json
import shutil
from pathlib import Path

import pypdfium2
import pytest

from hub.roster import RosterError
from hub.service import HubService
from kiosk.core import KioskCore
from rotation.cli import main
from shared.config import load_config
from shared.protocol import Command
from shared.topics import Topics
from tests.conftest import PERIODS, card, eventually, room_with
from tests.mqtt_client import TestClient
from tests.roster_bundles import Bundle, Enrollment, Klass, User

T = Topics("room-12")
@pytest.fixture
def periods(tmp_path, broker):
    (tmp_path / "periods.csv").write_text(PERIODS)
    return room_with(tmp_path, broker.port, 'roster = "periods.csv"')


@pytest.fixture
def running(periods):
    service = HubService(periods)
    service.start()
    assert service.subscribed.wait(10)
    yield service
    service.stop()


@pytest.fixture
def teacher(broker, running):
    client = TestClient(broker.port, T.reply("teacher"))
    yield client
    client.close()


def command(hub, teacher, action: str, **args) -> dict:
    sent = Command(f"c-{len(teacher.messages)}-{action}", action, "teacher", args)
    hub.handle_command(sent)
    return teacher.wait_for(T.reply("teacher"), lambda r: r["id"] == sent.id)


def test_two_classes_back_to_back_in_one_room_with_the_same_cards(periods, running, teacher, tmp_path):
    kiosk = KioskCore(periods, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    try:
        eventually(lambda: kiosk.state and kiosk.state.class_id == "period-2", message="the kiosk to get the room")
        assert sorted(running.room.students) == ["s01", "s02", "s04"]
        other = kiosk.scan(card("s03"))
        assert (other.outcome, *other.english, other.name) == (
            "other_class", "You're in Period 3", "This is Period 2. Please ask your teacher.", None)
        assert kiosk.outbox.pending() == []  # nothing recorded for a student of another class
        assert kiosk.scan(card("s01")).name == "Maya R."

        assert command(running, teacher, "start")["ok"]
        refused = command(running, teacher, "set_class", **{"class": "Period 3"})
        assert not refused["ok"] and refused["message"] == "end the lesson of Period 2 first"
        assert command(running, teacher, "end")["ok"]

        switched = command(running, teacher, "set_class", **{"class": "Period 3"})
        assert switched["ok"] and switched["message"] == "now running Period 3: 3 students"
        eventually(lambda: kiosk.state.class_id == "period-3", message="the kiosk to follow the switch")
        assert kiosk.scan(card("s03")).name == "Noah K."
        assert kiosk.scan(card("s02")).english[0] == "You're in Period 2"
        assert {s.id: s.group for s in running.room.students.values()} == {"s01": "green", "s03": "green",
                                                                          "s05": "gold"}
        assert kiosk.scan(card("s01")).name == "Maya R."  # the same card, in both classes
        assert command(running, teacher, "start")["ok"]
        assert [(ended is None, klass) for _, ended, klass in running.store.last_sessions(2)] == [
            (True, "period-3"), (False, "period-2")]  # each lesson is its class's
        kiosk.scan(card("s05"))
        eventually(lambda: running.store.event_count() >= 3 and kiosk.outbox.depth() == 0, message="Zoë stored")
        assert command(running, teacher, "end")["ok"]
        folder = Path(command(running, teacher, "make_report")["data"]["folder"])
        assert folder.name.endswith(" period-3")  # reports by class
        timeline = (folder / "timeline.csv").read_text()
        assert "Zoë N." in timeline and "Liam" not in timeline
    finally:
        kiosk.stop()


def test_each_class_keeps_its_groups_through_a_restart(periods, tmp_path):
    hub = HubService(periods)
    hub.handle_command(Command("c1", "move_student", "teacher", {"student": "s01", "group": "blue"}))
    hub.handle_command(Command("c2", "set_class", "teacher", {"class": "period-3"}))
    hub.handle_command(Command("c3", "move_student", "teacher", {"student": "s01", "group": "gold"}))
    hub.store.close()
    again = HubService(periods)
    assert again.room.class_id == "period-3" and again.room.students["s01"].group == "gold"
    again.handle_command(Command("c4", "set_class", "teacher", {"class": "Period 2"}))
    assert again.room.students["s01"].group == "blue"
    again.store.close()


def hub_in_period_3(tmp_path, port: int) -> HubService:
    """A new hub for the periods roster, on a Thursday at 10:30 (its local time, as the timetable is), when
    the timetable has Period 3 (Tuesdays and Thursdays, 10:05-10:55)."""
    (tmp_path / "periods.csv").write_text(PERIODS)
    config = room_with(tmp_path, port, 'roster = "periods.csv"')
    config.path.write_text(config.path.read_text() + '\n[[period]]\nclass = "Period 3"\ndays = ["tue", "thu"]\n'
                                                      'start = "10:05"\nend = "10:55"\n')
    thursday = dt.datetime(2026, 12, 3, 10, 30).timestamp()
    return HubService(load_config(config.path), now=lambda: thursday)


def test_the_timetable_says_which_class_is_due_and_a_new_hub_runs_it(tmp_path, broker):
    hub = hub_in_period_3(tmp_path, broker.port)
    try:
        assert hub.room.class_id == "period-3"  # no class chosen yet: the one due
        assert [(c.id, c.due) for c in hub.room.classes] == [("period-2", False), ("period-3", True)]
        hub.handle_command(Command("c1", "set_class", "teacher", {"class": "Period 2"}))
        from hub.mapview import build_map

        shown = build_map("Room 12", hub.room.snapshot(0.0), {}, True, 0.0)
        assert shown.room == "Room 12 · Period 2"
        assert shown.round == "Not started · Period 3 is due now"
    finally:
        hub.store.close()


def test_rotation_hub_class_lists_the_classes_and_switches(periods, running, capsys):
    assert main(["hub", "class", "--config", str(periods.path)]) == 0
    listed = capsys.readouterr().out
    assert "period-2" in listed and "Period 2  (3 students, running)" in listed
    assert "Period 3  (3 students)" in listed
    assert main(["hub", "class", "--config", str(periods.path), "P3"]) == 1
    assert "there is no class 'P3' in this room; its classes are: period-2 (Period 2); period-3 (Period 3)" in \
        capsys.readouterr().err
    assert main(["hub", "class", "--config", str(periods.path), "period-3"]) == 0
    assert capsys.readouterr().out == "now running Period 3: 3 students\n"


def bundle() -> Bundle:
    odd = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
    return Bundle(users=[User("t-1", "Jordan", "Lee", role="teacher", username="jlee"), User(odd, "Maya", "Rivera"),
                         User("s-2", "Liam", "Chen"), User("s-3", "Ava", "Diaz")],
                  classes=[Klass("c-2", "Period 2 Maths", code="M7-2"), Klass("c-3", "Period 3 Maths", code="M7-3")],
                  enrollments=[Enrollment("e-t2", "c-2", "t-1", role="teacher"),
                               Enrollment("e-t3", "c-3", "t-1", role="teacher"),
                               Enrollment("e-1", "c-2", odd), Enrollment("e-2", "c-2", "s-2"),
                               Enrollment("e-3", "c-3", odd), Enrollment("e-4", "c-3", "s-3")])


def test_a_oneroster_export_then_a_delta_through_the_hub_keeps_the_cards(tmp_path, broker):
    export = bundle().write(tmp_path / "export")
    config = room_with(tmp_path, broker.port, 'roster = "export"\nteacher = "jlee"')
    hub = HubService(config)
    maya = next(sid for sid, s in hub.room.students.items() if s.first_name == "Maya")
    assert maya.startswith("r") and len(maya) == 8  # the school's id cannot go on a card: the hub gave one
    assert sorted(s.display_name for s in hub.room.students.values()) == ["Liam C.", "Maya R."]
    hub.handle_command(Command("c1", "move_student", "teacher", {"student": "s-2", "group": "red"}))
    hub.store.close()

    shutil.rmtree(export)
    Bundle(users=[User("s-2", "Liam", "Chen-Park")], classes=[],
           enrollments=[Enrollment("e-1", "c-2", "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
                                   status="tobedeleted")],
           modes={"users": "delta", "enrollments": "delta", "classes": "absent", "orgs": "absent",
                  "academicSessions": "absent", "courses": "absent"}).write(export)
    again = HubService(config)
    try:
        assert {sid: (s.display_name, s.group) for sid, s in again.room.students.items()} == {"s-2": ("Liam C.", "red")}
        assert not again.room.check_card(claim(maya)).accepted  # left Period 2: the card stops working here
        assert maya in next(c for c in again.room.classes if c.id == "m7-3").students  # still in Period 3, same card
    finally:
        again.store.close()


def test_check_config_and_roster_classes_name_the_classes(tmp_path, capsys):
    export = bundle().write(tmp_path / "export")
    config = room_with(tmp_path, 1883, 'roster = "export"\nteacher = "jlee"')
    assert main(["check-config", str(config.path)]) == 0
    out = capsys.readouterr().out
    assert "2 classes, 3 students:" in out
    assert "  Period 2 Maths (M7-2) · 2026-2027: 2 students\n  Period 3 Maths (M7-3) · 2026-2027: 2 students" in out
    assert main(["roster", "classes", str(export), "--teacher", "jlee"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "code", "title", "term", "school", "teacher", "students"]
    assert lines[2].split() == ["c-2", "M7-2", "Period", "2", "Maths", "2026-2027", "Lincoln", "Middle", "School",
                                "Jordan", "Lee", "(jlee)", "2"]
    assert main(["roster", "classes", str(tmp_path / "room.toml")]) == 2
    assert "not a OneRoster export" in capsys.readouterr().err
    config.path.write_text(config.path.read_text() + '\n[[period]]\nclass = "Gym"\ndays = ["mon"]\nstart = "09:00"\n'
                                                      'end = "09:50"\n')
    assert main(["check-config", str(config.path)]) == 0  # the timetable skips it: a class may leave an export
    err = capsys.readouterr().err
    assert "warning: " in err and "[period 1] class = 'Gym': there is no class 'Gym' in this room" in err


def test_cards_name_the_class_and_one_card_serves_a_student_in_two(periods, tmp_path, capsys):
    out = tmp_path / "cards.pdf"
    assert main(["cards", "--config", str(periods.path), "--out", str(out)]) == 0
    assert "wrote 5 cards" in capsys.readouterr().out
    text = pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range()
    assert "Period 2 · Period 3" in text  # Maya's one card
    assert main(["cards", "--config", str(periods.path), "--class", "Period 3", "--out", str(out)]) == 0
    assert "wrote 3 cards" in capsys.readouterr().out
    assert "Liam" not in pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range()


def test_a_roster_dropped_in_place_is_taken_at_once_and_a_broken_one_changes_nothing(periods, monkeypatch,
                                                                                      tmp_path):
    import hub.roster_watch

    monkeypatch.setattr(hub.roster_watch, "CHECK_SECONDS", 0.05)  # the hub looks every 10 s; a test cannot wait
    running = HubService(periods)
    running.start()
    watcher = TestClient(periods.broker.port, T.hub_status)
    try:
        running.handle_command(Command("c1", "start", "teacher"))
        roster = tmp_path / "periods.csv"
        roster.write_text(PERIODS.replace("s02,Liam,Chen,Period 2,red\n", "s06,Kai,Moe,Period 2,red\n"))
        eventually(lambda: sorted(running.room.students) == ["s01", "s04", "s06"], message="the new roster")
        assert running.room.clock.round == 1  # the lesson goes on
        assert not running.room.check_card(claim("s02")).accepted  # left: the card stops working here

        roster.write_text(PERIODS.replace("s04,Ava,Diaz,Period 2,blue\n", "s04,,Diaz,Period 2,blue\n"))
        watcher.wait_for(T.hub_status, lambda s: s.get("problem") == "roster_refused")
        assert sorted(running.room.students) == ["s01", "s04", "s06"]  # the last good roster
        roster.write_text(PERIODS)
        watcher.wait_for(T.hub_status, lambda s: s["online"] and s.get("problem") is None)
        eventually(lambda: "s02" in running.room.students, message="the fixed roster")
    finally:
        watcher.close()
        running.stop()


def claim(student: str):
    from shared.cards import verify_token
    from tests.conftest import CARD_KEYS

    return verify_token(CARD_KEYS, card(student))


def test_a_hub_whose_roster_breaks_runs_with_the_last_one_and_says_so(periods, tmp_path, capsys):
    HubService(periods).store.close()
    (tmp_path / "periods.csv").write_text(PERIODS.replace("Liam,Chen", ",Chen"))
    hub = HubService(periods)
    try:
        assert hub.problem == "roster_refused" and "s02" in hub.room.students
    finally:
        hub.store.close()
    assert main(["cards", "--config", str(periods.path), "--class", "Period 2", "--out", str(tmp_path / "c.pdf")]) == 0
    assert "the roster's files have problems, so these cards are from its last import (line 3, column 2 " \
        "(first_name): is empty;" in capsys.readouterr().err
    (tmp_path / "new").mkdir()
    fresh = room_with(tmp_path / "new", periods.broker.port, 'roster = "../periods.csv"')
    with pytest.raises(RosterError, match="line 3, column 2 \\(first_name\\): is empty"):
        HubService(fresh)  # nothing imported ever: the hub cannot run a class


def test_deleting_a_student_forgets_what_the_last_oneroster_import_kept_of_them(tmp_path, broker):
    bundle().write(tmp_path / "export")
    config = room_with(tmp_path, broker.port, 'roster = "export"\nteacher = "jlee"')
    hub = HubService(config)
    try:
        hub.handle_command(Command("c1", "delete_student", "teacher", {"student": "s-2"}))
        kept = hub.store.roster_mirror("|jlee")
        assert "s-2" not in kept["users.csv"]
        assert all(r["userSourcedId"] != "s-2" for name in ("enrollments.csv", "roles.csv")
                   for r in kept.get(name, {}).values())
        assert "Chen" not in json.dumps(kept)
    finally:
        hub.store.close()


def test_a_card_is_asked_for_by_the_schools_id_and_carries_the_hubs(tmp_path, capsys):
    import zxingcpp

    from shared.cards import verify_token
    from tests.conftest import CARD_KEYS

    bundle().write(tmp_path / "export")
    config = room_with(tmp_path, 1883, 'roster = "export"\nteacher = "jlee"')
    out = tmp_path / "maya.pdf"
    odd = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"
    assert main(["cards", "--config", str(config.path), "--student", odd, "--out", str(out)]) == 0
    assert "wrote 1 card on 1 A4 page" in capsys.readouterr().out
    page = pypdfium2.PdfDocument(str(out))[0]
    (code,) = [r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]
    assert "Period 2 Maths (M7-2) · Period 3 Maths (M7-3)" in page.get_textpage().get_text_range()
    claim = verify_token(CARD_KEYS, code)
    assert claim.student_id.startswith("r") and len(claim.student_id) == 8
    assert main(["card", "--config", str(config.path), odd]) == 0
    assert capsys.readouterr().out.strip() == code


def test_an_export_is_taken_only_once_it_stops_changing_and_a_student_back_keeps_their_group(tmp_path, broker,
                                                                                              monkeypatch):
    import hub.roster_watch
    from hub.roster_watch import RosterWatch

    monkeypatch.setattr(hub.roster_watch, "CHECK_SECONDS", 0.0)  # every poll looks
    whole = bundle()
    whole.write(tmp_path / "export")
    config = room_with(tmp_path, broker.port, 'roster = "export"\nteacher = "jlee"')
    hub = HubService(config)
    watch = RosterWatch(hub.store, config)
    watch.start()
    try:
        hub.handle_command(Command("c1", "move_student", "teacher", {"student": "s-2", "group": "red"}))
        half = bundle()
        half.enrollments = [e for e in half.enrollments if e.user != "s-2"]  # a copy still on its way
        half.write(tmp_path / "export")
        assert not watch.poll()  # changed since the last look: wait for it to stay so
        assert watch.poll() and hub.store.class_students("m7-2", dt.date.today())[0].first_name != "Liam"
        whole.write(tmp_path / "export")
        assert not watch.poll() and watch.poll()
        liam = next(s for s in hub.store.class_students("m7-2", dt.date.today()) if s.first_name == "Liam")
        assert liam.group == "red"  # back, in the group the teacher gave him
    finally:
        hub.store.close()


def test_starting_another_class_than_the_timetable_has_says_so(tmp_path, broker):
    hub = hub_in_period_3(tmp_path, broker.port)
    try:
        hub.handle_command(Command("c1", "set_class", "teacher", {"class": "Period 2"}))
        assert hub._apply_command("start") == ("started round 1 of 5, 15-minute rounds (the timetable has Period 3 "
                                               "now: end, then change the class, if that was meant)")
    finally:
        hub.store.close()


def test_a_student_the_teacher_added_stays_through_roster_imports_until_the_roster_brings_them(
        periods, running, teacher, tmp_path):
    from hub.roster_watch import sync_roster

    reply = command(running, teacher, "add_student", first_name="Amara", last_name="Okafor", group="red")
    assert reply["ok"] and reply["message"] == "Amara O. added: print their card"
    student = reply["data"]["student"]
    assert running.room.students[student].group == "red" and student.startswith("r")
    for roster, kept_as in ((PERIODS + "s09,Zed,Young,Period 2,blue\n", None),
                            (PERIODS + "s07,Amara,Okafor,Period 3,gold\n", None),  # another class's Amara
                            (PERIODS + "s08,Amara,Okafor,Period 2,red\n", "s08")):  # the school catches up
        (tmp_path / "periods.csv").write_text(roster)
        assert sync_roster(running.store, periods)
        with running._lock:
            running._take_roster()
        assert student in running.room.students and running.room.students[student].group == "red"
        if kept_as:
            assert running.store.card_ids()[kept_as] == student  # her card and history are hers still
        else:  # still the teacher's addition: nobody of the roster took her card
            assert running.store.card_ids()[f"added-here:{student}"] == student
    assert not command(running, teacher, "add_student", first_name=" ", last_name="X")["ok"]
