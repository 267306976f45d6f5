"""The nightly backup leaves the board: copied by rsync to `[backup] copy_to` (a USB stick's folder, a server over
SSH), the newest kept there; a stick not mounted, a full stick or a server out of reach say so, exit non-zero and
lose nothing; and the teacher's display says when the backups need a technician."""
import contextlib
import sqlite3
import subprocess
import time

import pytest

from hub.backup import add_record, read_records
from hub.backup_health import STALE_SECONDS, BackupRecord, backup_health
from hub.display_link import DisplayLink
from hub.mapview import backup_text
from rotation.cli import main
from shared.config import load_config
from tests.conftest import SAMPLE_ROSTER, eventually, running_hub, write_room

DAY = 86_400


def room_copying_to(tmp_path, port: int, copy_to: str, keep: int = 14):
    path = write_room(tmp_path, port)
    path.write_text(path.read_text() + f'\n[backup]\ncopy_to = "{copy_to}"\nkeep = {keep}\n')
    return load_config(path)


def with_students(config) -> None:
    """The hub's database as the hub leaves it: the class imported (the copies are of real size)."""
    from hub.roster_source import read_roster
    from hub.store import HubStore

    store = HubStore(config.hub.database)
    store.import_roster(read_roster(config.path.parent / SAMPLE_ROSTER)[0])
    store.close()


def test_the_nightly_backup_is_copied_to_the_stick_and_only_the_newest_are_kept_there(tmp_path, capsys):
    stick = tmp_path / "media" / "usb" / "room12"
    stick.mkdir(parents=True)
    for day in (1, 2):
        (stick / f"hub-2020-01-0{day}-183000.db").write_bytes(b"an older copy")
    (stick / "notes.txt").write_text("the school's own file")
    config = room_copying_to(tmp_path, 1883, str(stick), keep=2)
    with_students(config)
    assert main(["backup", "-c", str(config.path)]) == 0
    said = capsys.readouterr().out
    assert f"copied to {stick} (2 copies kept there)" in said
    copy = said.split("backed up to ")[1].split()[0]
    there = sorted(p.name for p in stick.iterdir())
    assert there == ["hub-2020-01-02-183000.db", copy.rsplit("/", 1)[1], "notes.txt"]
    with sqlite3.connect(stick / copy.rsplit("/", 1)[1]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM students").fetchone()[0] > 0
    (record,) = read_records(config.hub.database)
    assert (record.ok, record.copy_to, record.copied) == (True, str(stick), True)
    assert backup_health([record], time.time(), str(stick)).ok


def test_a_stick_not_mounted_is_said_and_nothing_is_copied_onto_the_sd_card(tmp_path, capsys):
    mount_point = tmp_path / "media" / "usb"
    mount_point.mkdir(parents=True)  # the empty mount point a stick not plugged in leaves
    config = room_copying_to(tmp_path, 1883, str(mount_point / "room12"))
    with_students(config)
    assert main(["backup", "-c", str(config.path)]) == 1
    err = capsys.readouterr().err
    assert "is not there: is the USB stick plugged in and mounted?" in err
    assert list(mount_point.iterdir()) == []
    assert len(list((tmp_path / "backups").glob("hub-*.db"))) == 1  # the copy on the board is kept
    (record,) = read_records(config.hub.database)
    health = backup_health([record], record.at + 60, config.backup.copy_to)
    assert not health.ok and "not copied to" in health.summary and "is not there" in health.summary
    assert backup_text(health.trouble) == "Backups have not been copied off the hub yet: tell your technician."


@contextlib.contextmanager
def small_stick(folder, size: str):
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_stick_is_said_and_the_copies_on_it_stay(tmp_path, capsys):
    with small_stick(tmp_path / "stick", "16k") as stick:
        (stick / "hub-2020-01-01-183000.db").write_bytes(b"an older copy")
        config = room_copying_to(tmp_path, 1883, str(stick), keep=1)
        with_students(config)
        assert main(["backup", "-c", str(config.path)]) == 1
        err = capsys.readouterr().err
        assert f"{stick} is full: the copy needs" in err and "nothing there was removed" in err
        assert sorted(p.name for p in stick.iterdir()) == ["hub-2020-01-01-183000.db"]
    assert len(list((tmp_path / "backups").glob("hub-*.db"))) == 1


def test_a_server_out_of_reach_is_said_with_what_to_check(tmp_path, capsys):
    config = room_copying_to(tmp_path, 1883, "backup@school-server.invalid:/srv/rotation/room12")
    with_students(config)
    assert main(["backup", "-c", str(config.path)]) == 1
    err = capsys.readouterr().err
    assert "its copy to backup@school-server.invalid:/srv/rotation/room12 failed: could not reach " \
           "backup@school-server.invalid over SSH" in err
    assert "check the name, the network and that the server has this hub's key" in err
    assert len(list((tmp_path / "backups").glob("hub-*.db"))) == 1


def test_a_wrong_destination_is_refused_with_the_room_file(tmp_path):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text() + '\n[backup]\ncopy_to = "usb/room12"\n')
    with pytest.raises(ValueError, match=r'\[backup\] copy_to = .*an absolute folder, or "\[user@\]host:folder"'):
        load_config(path)


def record(at: float, ok: bool = True, copy_to: str | None = None, copied: bool = False) -> BackupRecord:
    return BackupRecord(at, ok, file="hub-x.db" if ok else None, problem=None if ok else "unable to open database file",
                        copy_to=copy_to, copied=copied, copy_problem=None if copied or not copy_to else "full")


NOW = 1_800_000_000.0


@pytest.mark.parametrize("records, data_since, trouble, words", [
    ([], None, None, "no backup yet"),  # a new hub with nothing stored has nothing to lose
    ([], NOW - 3 * DAY, (None, False), "no backup has been made since the hub began storing"),
    ([record(NOW - DAY)], NOW - 9 * DAY, None, "last backup"),
    ([record(NOW - DAY - 60), record(NOW - 60, ok=False)], None, (NOW - DAY - 60, False), "failed: unable to open"),
    ([record(NOW - STALE_SECONDS - 60)], None, (NOW - STALE_SECONDS - 60, False), "rotation-backup.timer"),
    ([record(NOW - 2 * DAY + 60, copy_to="/s", copied=True), record(NOW - 60, copy_to="/s")], None,
     (NOW - 2 * DAY + 60, True), "not copied to /s: full"),
])
def test_what_the_hub_learns_from_the_backups_record(records, data_since, trouble, words):
    health = backup_health(records, NOW, data_since=data_since)
    assert words in health.summary
    assert health.ok == (trouble is None)
    assert (None if health.trouble is None else (health.trouble.since, health.trouble.copy)) == trouble


def test_a_failed_backup_shows_on_the_teachers_display_in_words_to_pass_on(room, tmp_path):
    last_good = time.time() - 3 * DAY
    add_record(room.hub.database, record(last_good))
    add_record(room.hub.database, record(time.time() - 600, ok=False))
    link = DisplayLink(room)
    link.start()
    try:
        with running_hub(room):
            day = time.strftime("%a %d %b", time.localtime(last_good))
            eventually(lambda: f"Backups have not worked since {day}: tell your technician." in link.map.alert, 10,
                       "the display to say the backups fail")
    finally:
        link.stop()

