"""A full disk at the hub and at a kiosk (SQLite's "database or disk is full", forced with max_page_count):
the display and the kiosk say so in words, check-ins wait in memory and at the kiosk, the clock goes on,
and once there is room again every event is stored exactly once."""
import itertools
import sqlite3

from hub.display import StationTile
from kiosk.app import KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from tests.conftest import card, eventually, pump

UNLIMITED = 1_073_741_823


def fill(conn: sqlite3.Connection) -> None:
    """Let the database grow no more: what still fits in its pages goes in, then writes fail."""
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")


def make_room(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA max_page_count = {UNLIMITED}")


def test_a_full_disk_at_the_hub_and_a_kiosk_loses_nothing_and_says_so(room, hub, display, tmp_path):
    link, screen, presenter = display
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk_screen = KioskScreen(size=(800, 480))
    kiosk_presenter = KioskPresenter(kiosk, kiosk_screen)
    kiosk.start()
    try:
        eventually(lambda: kiosk.online and link.hub_online, 10, "the kiosk and display online")
        assert link.command("start").ok
        seated = hub.store.event_count()  # the group at the teacher's table, checked in there by the hub

        students = itertools.cycle(f"s{n:02d}" for n in range(1, 29))
        scanned = []

        def scan_until(full) -> None:
            """Scan students until the disk is full, then two more."""
            extra = 2
            while extra:
                extra -= full()
                scanned.append(next(students))
                stored = hub.store.event_count()
                kiosk.scan(card(scanned[-1]))
                eventually(lambda stored=stored: full() or hub.store.event_count() > stored or hub.journal.failing, 5,
                           "the scan to be stored, or the disk to refuse it")

        with hub.store.lock:
            fill(hub.store.file.conn)
        scan_until(lambda: hub.journal.failing)
        stored_before = hub.store.event_count() - seated
        pump(lambda: screen.hub_text == "HUB STORAGE FULL", message="the display to say the hub's storage is full")
        assert screen.alert == "Check-ins wait at the kiosks, none lost: free some space on the hub."
        eventually(lambda: set(scanned) <= set(link.state.presence), 5, "the map to move all the same")
        assert len(scanned) > stored_before
        assert link.command("pause").ok  # and the clock still answers
        assert kiosk.waiting() == len(scanned) - stored_before

        with kiosk.outbox.lock:
            fill(kiosk.outbox.file.conn)
        scan_until(lambda: kiosk.storage_full)
        pump(lambda: "storage is full" in kiosk_screen.status, message="the kiosk to say its storage is full")
        assert kiosk_screen.status == ("This kiosk's storage is full: check-ins still reach the hub. "
                                       "Please tell your teacher")

        def nook() -> StationTile:
            return next(w for w in screen.ids.tiles.children
                        if isinstance(w, StationTile) and w.title == "Reading Nook")
        pump(lambda: nook().kiosk_text == "STORAGE FULL", message="the map to show the kiosk's storage")
        assert "Reading Nook: kiosk storage full; check-ins still reach the hub." in screen.alert
        assert kiosk.waiting() == len(scanned) - stored_before

        with hub.store.lock:
            make_room(hub.store.file.conn)
        eventually(lambda: hub.store.event_count() == seated + len(scanned), 5, "the hub to store what waited")
        with kiosk.outbox.lock:
            make_room(kiosk.outbox.file.conn)
        eventually(lambda: kiosk.waiting() == 0 and not kiosk.storage_full, 5, "the kiosk to be clear")
        pump(lambda: screen.hub_text == "hub online" and not screen.alert, message="the display's warning to go")
        pump(lambda: not kiosk_screen.status, message="the kiosk's warning to go")
        assert hub.store.load_clock().running is False  # the pause made while the disk was full, saved since
        stored = hub.store.db.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
        assert stored == (seated + len(scanned), seated + len(scanned))
    finally:
        kiosk_presenter.close()
        kiosk.stop()
