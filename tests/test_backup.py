"""`rotation backup`: a checked copy of the hub's database, taken while the hub runs, oldest copies let go."""
import sqlite3

from hub.backup import backup_database
from kiosk.core import KioskCore
from rotation.cli import main
from shared.config import load_config
from tests.conftest import SAMPLE_ROSTER, card, eventually, running_hub


def check_in(room, outbox, students) -> None:
    """Each student scans at the reading nook's kiosk, and the hub stores it."""
    kiosk = KioskCore(room, "reading-nook", outbox)
    kiosk.start()
    try:
        eventually(lambda: kiosk.online, 10, "the kiosk to reach the hub")
        for student in students:
            kiosk.scan(card(student))
        eventually(lambda: kiosk.outbox.depth() == 0, 5, "the hub to store the check-ins")
    finally:
        kiosk.stop()


def test_a_backup_taken_while_the_hub_runs_holds_the_check_ins(room, hub, tmp_path, capsys):
    check_in(room, tmp_path / "outbox.db", ("s01", "s02", "s03"))
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


def test_a_fresh_board_restored_from_the_copy_off_the_board_has_the_students_events(room, hub, tmp_path, capsys):
    stick = tmp_path / "stick"
    stick.mkdir()
    room.path.write_text(room.path.read_text() + f'\n[backup]\ncopy_to = "{stick}"\n')
    check_in(room, tmp_path / "outbox.db", ("s01", "s02", "s03"))
    assert main(["backup", "-c", str(room.path)]) == 0
    (copy,) = stick.glob("hub-*.db")
    hub.stop()  # the SD card dies
    # A new board: the room's files kept off the board (room.toml, card.key), a new data folder, the copy put in
    # as the guide says.
    board = tmp_path / "new-board"
    board.mkdir()
    for name in ("room.toml", "card.key", "class.secret", SAMPLE_ROSTER):
        (board / name).write_bytes((tmp_path / name).read_bytes())
    (board / "hub.db").write_bytes(copy.read_bytes())
    with running_hub(load_config(board / "room.toml")) as restored:
        checked_in = {row[0] for row in restored.store.db.execute("SELECT student FROM events WHERE kind = 'checkin'")}
    assert checked_in == {"s01", "s02", "s03"}
