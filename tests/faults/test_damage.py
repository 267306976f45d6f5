"""A damaged kiosk outbox (a page overwritten in the middle of the file, as a power cut or a worn SD card leaves
one), with real processes: the damaged file is set aside and kept, and the kiosk starts with what could be read
of its outbox and those check-ins reach the hub. Damage found while the kiosk runs is repaired the same way."""
from __future__ import annotations

import re
import sqlite3
import time
import uuid
from pathlib import Path

from kiosk.outbox import Outbox
from shared.protocol import Event
from tests.conftest import card, eventually
from tests.faults.classroom import Classroom

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
