"""`rotation backup`: a checked copy of the hub's database, taken while the hub runs, oldest copies let go."""
import sqlite3

from hub.backup import backup_database
from kiosk.core import KioskCore
from rotation.cli import main
from tests.conftest import card, eventually


def test_a_backup_taken_while_the_hub_runs_holds_the_check_ins(room, hub, tmp_path, capsys):
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    try:
        eventually(lambda: kiosk.online, 10, "the kiosk to reach the hub")
        for student in ("s01", "s02", "s03"):
            kiosk.scan(card(student))
        eventually(lambda: kiosk.outbox.depth() == 0, 5, "the hub to store the check-ins")
    finally:
        kiosk.stop()
    assert main(["backup", "-c", str(room.path)]) == 0
    copy = capsys.readouterr().out.strip().split("backed up to ")[1]
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(r[0] for r in db.execute("SELECT student FROM events WHERE kind = 'checkin'")) == \
            ["s01", "s02", "s03"]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file to carry away


def test_only_the_newest_copies_are_kept(room, hub, tmp_path):
    folder = tmp_path / "copies"
    made = [backup_database(room.hub.database, folder, 1_700_000_000 + day * 86_400, keep=3) for day in range(5)]
    assert sorted(folder.iterdir()) == made[-3:]


def test_backing_up_before_there_is_a_database_says_so(tmp_path, capsys):
    from tests.conftest import write_room

    path = write_room(tmp_path, 1883)
    assert main(["backup", "-c", str(path)]) == 1
    assert "no hub database" in capsys.readouterr().err
