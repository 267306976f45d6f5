"""A damaged kiosk outbox and a damaged hub database (a page overwritten in the middle of the file, as a power
cut or a worn SD card leaves one), with real processes: the damaged file is set aside and kept; the kiosk starts
with what could be read of its outbox and those check-ins reach the hub; the hub goes back to its newest backup
that passes its check (or, with none, begins again), the display says so, and the kiosks send again what the
backup lacks, so every event is at the hub once more and the map shows the room as it was. Damage found while
the kiosk or the hub runs is repaired the same way, and the web companion reads the file put in place."""
from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path

from hub.backup import backup_database, backups_folder, taken_at
from hub.display_link import DisplayLink
from hub.repair import open_store
from hub.store import HubStore
from kiosk.outbox import Outbox
from shared.config import load_config
from shared.protocol import Event
from tests.conftest import card, eventually, write_room
from tests.faults.classroom import Classroom
from web.history import History

GARBAGE = bytes(range(256)) * 16  # a page's worth


def damage(path: Path, table: str) -> None:
    """Overwrite the middle page of ``table``'s rows with garbage (what the WAL held is written in first)."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' "
                                              "ORDER BY pageno", (table,))]
    finally:
        db.close()
    with open(path, "r+b") as file:
        file.seek((pages[len(pages) // 2] - 1) * size)
        file.write(GARBAGE[:size])
    assert not passes_check(path), "the damage was not found"


def passes_check(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return False


def set_aside(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.glob(f"{name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]


def kiosk_events(room: Classroom, station: str | None = None) -> dict[str, int]:
    """The kiosks' events stored at the hub: seq by id."""
    return {event_id: seq for s, seq, event_id, *_ in room.hub_events(kiosks_only=True) if station in (None, s)}


def logged(path: Path, pattern: str) -> re.Match:
    return eventually(lambda: re.search(pattern, path.read_text(), re.MULTILINE), 10, f"{pattern!r} in {path.name}")


def latest(room: Classroom, topic: str) -> dict:
    with room.observer.arrived:
        payloads = [payload for _, t, payload, _ in room.observer.messages if t == topic]
    return json.loads(payloads[-1]) if payloads else {}


def scan_and_keep(room: Classroom, scans: list[tuple[str, str]]) -> None:
    """Scan (station, student) each in turn, until the hub has stored them all and every kiosk has its ack."""
    stored = len(kiosk_events(room))
    last_scan = {}
    for station, student in scans:
        last_scan[station] = time.time()
        room.scan(station, card(student))
        stored += 1
        eventually(lambda count=stored: len(kiosk_events(room)) == count, 10, f"{student}'s check-in stored")
    for station, scanned in last_scan.items():  # a status after its last scan saying none wait: all are acked
        room.observer.wait_for(room.topics.kiosk_status(station), lambda s: s.get("outbox") == 0, scanned)


def test_a_kiosk_with_a_damaged_outbox_starts_and_its_check_ins_reach_the_hub(tmp_path):
    room = Classroom(tmp_path, stations=("tech",))
    outbox_path = room.outbox_path("tech")
    outbox = Outbox(outbox_path)
    made = {}
    for seq in range(1, 201):  # check-ins made while the hub was away
        event = Event(id=uuid.uuid4().hex, kind="checkin", card=card(f"s{seq % 28 + 1:02d}"), station="tech",
                      at=time.time(), seq=seq, kiosk_time=time.time())
        outbox.add(event)
        made[event.id] = seq
    outbox.close()
    damage(outbox_path, "outbox")
    try:
        room.start()  # the kiosk came up, and said so
        log = tmp_path / "kiosk-tech.log"
        recovered = int(logged(log, r"a new outbox holds the (\d+) events it still had for the hub").group(1))
        lost = logged(log, r"the damaged outbox lost (\d+) events waiting for the hub: (.*)$").group(2).split(", ")
        assert recovered + len(lost) == len(made) and 0 < len(lost) < 30
        assert set(lost) <= set(made)
        # Those after the lost ones wait at the hub for them, 15 s, and then go on (hub/ordering.py).
        eventually(lambda: len(kiosk_events(room)) == recovered, 30, "the recovered check-ins to be stored")
        assert kiosk_events(room) == {event_id: seq for event_id, seq in made.items() if event_id not in lost}
        (aside,) = set_aside(tmp_path, outbox_path.name)
        assert not passes_check(aside)
        room.scan("tech", card("s05"))  # and it goes on, numbering after every event the damaged outbox had
        eventually(lambda: max(kiosk_events(room).values()) == len(made) + 1, 5, "the next scan to be stored")
    finally:
        room.stop()


def test_a_damaged_hub_database_goes_back_to_its_newest_good_backup_and_the_kiosks_fill_in_the_rest(tmp_path):
    room = Classroom(tmp_path, stations=("tech", "reading-nook"))
    database, folder = tmp_path / "hub.db", backups_folder(tmp_path / "hub.db")
    room.start()
    link = DisplayLink(load_config(room.config))
    link.start()
    try:
        scan_and_keep(room, [("tech", "s01"), ("tech", "s02")])
        backup_database(database, folder, time.time() - 7200)  # an older good copy
        scan_and_keep(room, [("reading-nook", "s03"), ("tech", "s04")])
        good = backup_database(database, folder, time.time() - 3600)  # the newest good copy
        newer = backup_database(database, folder, time.time() - 60)
        damage(newer, "events")  # a newer copy, damaged
        after = [("reading-nook", "s01"), ("tech", "s05"), ("reading-nook", "s06"), ("tech", "s03"),
                 ("reading-nook", "s07"), ("tech", "s08")]
        scan_and_keep(room, after)
        before = kiosk_events(room)
        eventually(lambda: link.state and {"s01", "s03", "s08"} <= link.state.presence.keys(), 5, "the map")
        room.kill("hub")
        damage(database, "events")
        room.ready("hub", room.restart("hub"))

        restored = eventually(lambda: latest(room, room.topics.hub_status).get("restored"), 10, "the hub to say")
        assert restored["copy"] == taken_at(good)
        eventually(lambda: kiosk_events(room) == before, 10, "the kiosks to send again what the backup lacks")
        where = {student: station for station, student in [("tech", "s02"), ("tech", "s04")] + after}
        eventually(lambda: {s: p.station for s, p in link.state.presence.items() if s in where} == where, 5,
                   "the map to show the room as it was")
        copy_time = time.strftime("%a %H:%M", time.localtime(taken_at(good)))
        eventually(lambda: link.map.alert.startswith(f"The hub's records were damaged; it went back to its copy from "
                                                     f"{copy_time}. Kiosks are sending what came after."), 5,
                   "the display to say so")
        (aside,) = set_aside(tmp_path, "hub.db")
        assert not passes_check(aside)
        log = (tmp_path / "hub.log").read_text()
        assert f"the hub's database {database} is damaged" in log and f"set aside as {aside}" in log
        assert f"the backup {newer} cannot be used" in log and f"went back to its backup {good}" in log
    finally:
        link.stop()
        room.stop()


def test_a_damaged_hub_database_without_a_backup_begins_again_and_the_kiosks_send_what_they_kept(tmp_path):
    room = Classroom(tmp_path, stations=("tech", "reading-nook"))
    database = tmp_path / "hub.db"
    room.start()
    link = DisplayLink(load_config(room.config))
    link.start()
    try:
        scan_and_keep(room, [("tech", "s01"), ("reading-nook", "s02"), ("tech", "s03"), ("reading-nook", "s04")])
        before = kiosk_events(room)
        room.kill("hub")
        damage(database, "events")
        room.ready("hub", room.restart("hub"))

        restored = eventually(lambda: latest(room, room.topics.hub_status).get("restored"), 10, "the hub to say")
        assert "copy" not in restored and restored["since"] == 0
        eventually(lambda: kiosk_events(room) == before, 10, "the kiosks to send every event they kept")
        eventually(lambda: link.map.alert.startswith("The hub's records were damaged and it had no good copy: it began "
                                                     "again from the class list. Kiosks are sending what they kept."),
                   5, "the display to say so")
        (aside,) = set_aside(tmp_path, "hub.db")
        assert not passes_check(aside)
        assert f"no backup in {backups_folder(database)} could be used" in (tmp_path / "hub.log").read_text()
    finally:
        link.stop()
        room.stop()


def test_damage_found_while_the_hub_serves_takes_it_back_to_its_newest_good_backup(tmp_path):
    room = Classroom(tmp_path, stations=("tech",))
    database = tmp_path / "hub.db"
    store = HubStore(database)  # a term of one student's history: more than the hub keeps in memory
    month_ago = time.time() - 30 * 86_400
    with store.file.transaction() as db:
        db.executemany("INSERT INTO events (id, kind, student, station, at, kiosk_seq, kiosk_time, received_at, "
                       "accepted) VALUES (?, 'checkin', 's05', 'tech', ?, 0, ?, ?, 1)",
                       [(uuid.uuid4().hex, month_ago + n, month_ago + n, month_ago + n) for n in range(60_000)])
    store.close()
    good = backup_database(database, backups_folder(database), time.time() - 3600)
    room.start()
    link = DisplayLink(load_config(room.config))
    link.start()
    try:
        scan_and_keep(room, [("tech", "s01"), ("tech", "s02")])
        before = kiosk_events(room)
        damage(database, "events")  # under the running hub, in rows it has not read since it started
        reply = link.command("delete_student", {"student": "s05"})  # which reads them
        assert reply is not None and not reply.ok

        restored = eventually(lambda: latest(room, room.topics.hub_status).get("restored"), 15, "the hub to say")
        assert restored["copy"] == taken_at(good)
        eventually(lambda: kiosk_events(room) == before, 10, "the kiosks to send again what the backup lacks")
        assert sum(1 for *_, student, _, _, _ in room.hub_events() if student == "s05") == 60_000
        (aside,) = set_aside(tmp_path, "hub.db")
        log = (tmp_path / "hub.log").read_text()
        assert "the hub starts again on its newest good backup" in log and f"set aside as {aside}" in log
        assert room.processes["hub"].poll() is None  # the same process, serving
    finally:
        link.stop()
        room.stop()


def test_an_outbox_found_damaged_while_the_kiosk_runs_is_set_aside_and_takes_the_next_event(tmp_path):
    path = tmp_path / "outbox.db"
    outbox = Outbox(path)
    made = []
    for seq in range(1, 201):
        made.append(Event(id=uuid.uuid4().hex, kind="checkin", card=card("s04"), station="tech", at=time.time(),
                          seq=seq, kiosk_time=time.time()))
        outbox.add(made[-1])
    outbox.close()
    db = sqlite3.connect(path)
    pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' "
                                          "ORDER BY pageno")]
    db.close()
    outbox = Outbox(path)  # opens clean
    try:
        with open(path, "r+b") as file:  # and a page goes bad on the card
            file.seek((pages[len(pages) // 2] - 1) * 4096)
            file.write(GARBAGE)
        with outbox.lock:
            outbox.file.conn.execute("PRAGMA shrink_memory")  # as if read long ago: no longer in memory
        waiting = outbox.pending(1000)
        assert 170 < len(waiting) < 200 and {seq for seq, _ in waiting} < set(range(1, 201))
        (aside,) = set_aside(tmp_path, "outbox.db")
        assert not passes_check(aside)
        outbox.add(Event(id=uuid.uuid4().hex, kind="checkin", card=card("s05"), station="tech", at=time.time(),
                         seq=outbox.next_seq(), kiosk_time=time.time()))
        assert outbox.pending(1000)[-1][0] == 201 and outbox.depth() == len(waiting) + 1
    finally:
        outbox.close()
    assert passes_check(path)


def test_the_web_companion_reads_the_backup_the_hub_went_back_to(tmp_path):
    config = load_config(write_room(tmp_path, 1883))
    store = HubStore(config.hub.database)
    store.begin_session(1_000.0)
    store.end_session(2_000.0)
    backup_database(config.hub.database, backups_folder(config.hub.database), time.time() - 60)
    store.begin_session(3_000.0)
    store.close()
    history = History(config)
    try:
        assert [lesson.started for lesson in history.lessons()] == [3_000.0, 1_000.0]
        open_store(config.hub.database, time.time(), damage="found while serving").close()
        assert [lesson.started for lesson in history.lessons()] == [1_000.0]
    finally:
        history.close()
