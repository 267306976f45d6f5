"""A student's data out and away, old data away, and names kept at the hub: on the real hub, kiosks and files."""
import csv
import json
import logging
import time
from pathlib import Path

import pytest

from hub.display_link import DisplayLink
from hub.report_files import reports_root
from hub.roster_source import read_roster
from hub.service import HubService
from hub.store import ReceivedEvent
from kiosk.core import KioskCore
from rotation.cli import main
from shared.protocol import Event
from tests.conftest import SAMPLE, card, eventually
from tests.mqtt_client import TestClient

ROSTER = read_roster(SAMPLE / "roster.csv")[0].people
DAY = 24 * 3600


def hub_file_bytes(config) -> bytes:
    database = config.hub.database
    return b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())


@pytest.fixture
def lesson(room, hub, tmp_path):
    """A session under way: (the reading nook's kiosk, the teacher's display link), both online."""
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    link = DisplayLink(room)
    link.start()
    eventually(lambda: kiosk.online and link.hub_online, 10, "the kiosk and display online")
    assert link.command("start").ok
    eventually(lambda: kiosk.state.clock.round == 1, 5, "the kiosk to see the session start")
    yield kiosk, link
    link.stop()
    kiosk.stop()


def kiosk_and_teacher_events(hub) -> int:
    """Stored events other than the hub's record of the group seated at the teacher's table."""
    return hub.store.db.execute("SELECT count(*) FROM events WHERE kind != 'seated'").fetchone()[0]


def test_export_writes_everything_stored_about_one_student_and_nobody_else(room, hub, lesson, tmp_path):
    kiosk, link = lesson
    for student in ("s05", "s06"):
        kiosk.scan(card(student))
    kiosk.record("goal", card("s05"), {"goal": "Help a friend"})
    assert link.command("conference_note", {"student": "s05", "tags": ["fluency"], "text": "Reads aloud"}).ok
    eventually(lambda: kiosk_and_teacher_events(hub) == 4 and kiosk.outbox.depth() == 0, 5, "the events stored")
    assert link.command("make_report").ok
    out = tmp_path / "export"
    assert main(["student", "export", "s05", "--config", str(room.path), "--out", str(out)]) == 0
    data = json.loads((out / "s05.json").read_text())
    assert (data["student"]["first_name"], data["student"]["last_name"]) == ("Sofia", "Rossi")
    assert [(c["class"], c["group"]) for c in data["classes"]] == [("room-12", hub.room.students["s05"].group)]
    assert [e["kind"] for e in data["events"]] == ["checkin", "goal", "conference"]
    assert data["events"][2]["data"] == {"tags": ["fluency"], "text": "Reads aloud"}
    assert [(g["text"], g["whose"], g["set_by"], g["outcome"]) for g in data["goals"]] == [
        ("Help a friend", "room", "student", None)]  # the goal that carries over, as the hub keeps it
    assert [row["student"] for rows in data["reports"].values() for row in rows] == ["s05"] * 3
    assert "s06" not in (out / "s05.json").read_text()
    with (out / "s05.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [r["what"] for r in rows] == ["checkin", "goal", "conference"]
    assert rows[1]["details"] == '{"goal": "Help a friend"}'


def test_delete_erases_the_student_at_the_hub_and_in_kiosk_outboxes_and_revokes_the_card(room, tmp_path):
    hub = HubService(room)
    hub.start()
    online = KioskCore(room, "reading-nook", tmp_path / "online.db")
    online.start()
    offline = KioskCore(room, "tech", tmp_path / "offline.db")  # a kiosk whose network is down
    offline.scan(card("s05"))
    offline.scan(card("s06"))
    link = DisplayLink(room)
    link.start()
    try:
        eventually(lambda: online.online and link.hub_online, 10, "the kiosk and display online")
        assert link.command("start").ok
        online.scan(card("s05"))
        online.record("goal", card("s05"), {"goal": "Help a friend"})
        online.record("exit_ticket", card("s05"), {"how": "stuck", "goal": "not_yet"})
        online.ask_help(card("s05"))  # with s05's name on the screen
        eventually(lambda: kiosk_and_teacher_events(hub) == 4, 5, "s05's events at the hub")
        assert [[c.answer for c in g.checks] for g in hub.store.goals_of("s05")] == [["not_yet"]]
        assert [h.student for h in hub.store.load_help()] == ["s05"]
        assert link.command("make_report").ok
        assert b"Rossi" in hub_file_bytes(room)

        assert main(["student", "delete", "s05", "--yes", "--config", str(room.path)]) == 0

        assert hub.store.student_data("s05") is None and hub.store.goals_of("s05") == []
        assert hub.store.db.execute("SELECT count(*) FROM goal_checks").fetchone()[0] == 0
        assert [(h.station, h.student) for h in hub.store.load_help()] == [("reading-nook", None)]  # the call stays
        assert b"Rossi" not in hub_file_bytes(room)  # erased from the file, not just unlinked from the tables
        assert not any("s05" in p.read_text() for p in reports_root(room).glob("*/timeline.csv"))
        eventually(lambda: "s05" not in link.state.students, 5, "the map to forget s05")
        eventually(lambda: online.state and "s05" not in online.state.students, 5, "the kiosk to forget s05")
        assert online.scan(card("s05")).outcome == "unknown"  # the card no longer works, and shows no name

        offline.start()  # back online: its events for s05 are dropped at the hub, s06's stored
        eventually(lambda: offline.outbox.depth() == 0, 10, "the offline kiosk's outbox to empty")
        assert hub.store.student_data("s05") is None
        assert [e["kind"] for e in hub.store.student_data("s06")["events"]] == ["checkin"]
    finally:
        link.stop()
        offline.stop()
        online.stop()
        hub.stop()
    again = HubService(room)  # the deletion holds after a restart
    assert "s05" not in again.room.students and "s05" in again.deleted
    again.store.close()


def test_delete_takes_the_student_out_of_the_roster_file_on_the_hub_so_no_import_brings_them_back(room, capsys):
    hub = HubService(room)
    hub.start()
    try:
        assert hub.subscribed.wait(10)
        assert "Rossi" in room.roster.read_text()
        assert main(["student", "delete", "s05", "--yes", "--config", str(room.path)]) == 0
        said = capsys.readouterr().out
    finally:
        hub.stop()
    assert "Rossi" not in room.roster.read_text()  # the hub's copy of the class list no longer names her
    assert [p.sis_id for p in read_roster(room.roster)[0].people] == [p.sis_id for p in ROSTER if p.sis_id != "s05"]
    assert f"out of the roster {room.roster}" in said and "the school's system" in said  # and where else to go

    # The teacher changes the class list for someone else: it is imported again, and she does not come back.
    room.roster.write_text(room.roster.read_text().replace("s06,Mateo,Garcia,otters", "s06,Mateo,Garcia,falcons"))
    again = HubService(room)
    try:
        assert again.store.roster_digest() and again.room.students["s06"].group == "falcons"
        assert "s05" not in again.room.students and "s05" in again.deleted
    finally:
        again.store.close()


def test_events_and_reports_past_the_retention_are_erased_daily(room, tmp_path):
    now = [time.time()]
    service = HubService(room, now=lambda: now[0])

    def stored(event_id: str, days_ago: float) -> ReceivedEvent:
        event = Event(id=event_id, kind="checkin", card=card("s01"), station="tech", at=now[0] - days_ago * DAY, seq=1,
                      kiosk_time=now[0])
        return ReceivedEvent("tech", event, "s01", now[0] - days_ago * DAY, True, "", 1)
    service.store.add_events([stored("old", 181), stored("young", 179), stored("new", 0)])
    reports = reports_root(room)
    recent = time.strftime("%Y-%m-%d %H%M") + " period-3"  # a class's lesson
    for name in ("2020-01-01 0900", "2020-01-02 0900 period-2", recent, "the teacher's own"):
        (reports / name).mkdir(parents=True)
    service.start()
    try:
        eventually(lambda: len(list(reports.iterdir())) == 2, 5, "the first purge, at start")
        assert sorted(p.name for p in reports.iterdir()) == [recent, "the teacher's own"]
        assert service.store.event_count() == 2 and service.store.event_count("old") == 0
        now[0] += 1.5 * DAY
        eventually(lambda: service.store.event_count("young") == 0, 5, "the next day's purge")
        assert service.store.event_count("new") == 1
    finally:
        service.stop()


@pytest.fixture
def wire_tap(room, caplog):
    """Every message on the broker, and every log line at any level, from before the lesson starts."""
    caplog.set_level(logging.DEBUG)
    everything = TestClient(room.broker.port, "#")
    yield everything
    everything.close()


def test_no_full_name_leaves_the_hub_and_the_logs_name_nobody(hub, wire_tap, lesson, caplog):
    kiosk, link = lesson
    for student in ROSTER[:8]:
        kiosk.scan(card(student.sis_id))
    kiosk.scan("RS1:s01:1:AAAAAAAAAAAAAAAA")
    assert link.command("move_student", {"student": "s02", "group": "otters"}).ok
    assert link.command("conference_note", {"student": "s03", "text": "Great question"}).ok
    assert link.command("reissue_card", {"student": "s04"}).ok
    assert not link.command("move_student", {"student": "s99", "group": "otters"}).ok
    eventually(lambda: hub.store.event_count() >= 9 and kiosk.outbox.depth() == 0, 5, "the events stored")
    assert link.command("make_report").ok
    payloads = b"\n".join(m.payload for m in wire_tap.messages)
    assert b"Maya R." in payloads  # what a kiosk and the map show
    assert not [s.last_name for s in ROSTER if s.last_name.encode() in payloads]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("rotation"))
    assert "move_student" in logged
    assert not [name for s in ROSTER for name in (s.first_name, s.last_name) if name in logged]
