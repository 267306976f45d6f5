"""`rotation doctor` on real parts: a broker with accounts, the hub service, kiosks, real files and folders. Each
test reads the table as a technician would: the line for what broke, saying what to do, and the exit code."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from hub.backup import backup_database, backups_folder
from kiosk.core import KioskCore
from kiosk.settings import settings_path
from rotation.broker import free_port
from rotation.doctor import Board, examine, report
from shared import __version__
from shared.config import load_config
from shared.health import DAY, FAIL, NOT_HERE, OK, WARN, exit_code
from shared.topics import Topics
from tests.conftest import ROOT, eventually, login, running_hub, tls_room
from tests.test_screens import pi4


def healthy_board(tmp_path: Path) -> Board:
    """A board without systemd (as this test machine), a monitor on HDMI, its clock synchronised."""
    sysfs, dev = pi4(tmp_path / "board", hdmi="connected")
    units = tmp_path / "board" / "units"
    units.mkdir()
    return Board(unit_dir=units, systemd_runs=tmp_path / "board" / "no-systemd", sysfs_drm=sysfs, dev_dri=dev,
                 clock_synchronised=lambda: True)


def said(lines, what: str):
    found = [line for line in lines if line.what == what]
    assert len(found) == 1, f"no single {what!r} line in:\n" + "\n".join(map(str, lines))
    return found[0]


@contextmanager
def classroom(config, tmp_path: Path):
    """The hub and every station's kiosk running, each kiosk's status on the broker, and last night's backup."""
    with running_hub(config) as hub:
        kiosks = [KioskCore(config, s.id, tmp_path / f"outbox-{s.id}.db") for s in config.stations if s.kiosk]
        watcher = login(config, "display", Topics(config.room_id).kiosk_status())
        for kiosk in kiosks:
            kiosk.start()
        try:
            for kiosk in kiosks:
                watcher.wait_for(Topics(config.room_id).kiosk_status(kiosk.station.id),
                                 lambda status: status.get("online") is True, timeout=10)
            backup_database(config.hub.database, backups_folder(config.hub.database), time.time() - 3 * 3600)
            yield hub, kiosks
        finally:
            watcher.close()
            for kiosk in kiosks:
                kiosk.stop()


def printed(stdout: str) -> dict[str, tuple[str, str]]:
    """The printed table's rows, what -> (level, says), cut where its header's underlines say."""
    lines = stdout.splitlines()
    under = next(i for i, line in enumerate(lines) if line.startswith("--"))
    level, what = (len(dashes) for dashes in lines[under].split()[:2])
    rows = {}
    for line in lines[under + 1:]:
        if not line:
            break
        rows[line[level + 2:level + 2 + what].strip()] = (line[:level].strip(), line[level + 4 + what:])
    return rows


def run_doctor(config_path: Path) -> tuple[subprocess.CompletedProcess, float]:
    """The command as the technician types it, in its own process."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rotation.cli", "doctor", "--config", str(config_path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done, time.monotonic() - started


def test_a_healthy_classroom_is_all_ok_from_the_hub_and_exits_0(secure, tmp_path):
    config, _ = secure
    with classroom(config, tmp_path):
        lines = examine(config, healthy_board(tmp_path))
    table = report(config, lines)
    assert exit_code(lines) == 0, table
    assert said(lines, "broker").says.startswith(f"reached at 127.0.0.1:{config.broker.port} as terminal")
    assert said(lines, "hub").says.startswith(f"running {__version__}")
    kiosks = [line for line in lines if line.what.startswith("kiosk ")]
    assert [k.what for k in kiosks] == [f"kiosk {s.id}" for s in config.stations if s.kiosk]
    assert all(k.level == OK and k.says.startswith(f"online, {__version__}, 0 waiting") for k in kiosks), table
    assert said(lines, "backup").says.startswith("3 h ago")
    assert said(lines, "time").level == OK
    assert said(lines, "services").level == NOT_HERE  # no systemd on this machine
    assert "Everything checked is well." in table


def test_a_kiosk_gone_offline_is_named_with_what_to_check(secure, tmp_path):
    config, _ = secure
    with classroom(config, tmp_path) as (_, kiosks):
        kiosks[0].stop()  # as its board switched off: it says so on the way out (or its Last Will does)
        lines = examine(config, healthy_board(tmp_path))
    line = said(lines, f"kiosk {kiosks[0].station.id}")
    assert line.level == FAIL and line.says.startswith("offline: is the board on")
    assert all(said(lines, f"kiosk {k.station.id}").level == OK for k in kiosks[1:])
    assert exit_code(lines) == 2


def test_a_stopped_broker_says_what_to_do_within_seconds_and_nothing_is_written(secure, tmp_path):
    config, broker = secure
    with running_hub(config):
        backup_database(config.hub.database, backups_folder(config.hub.database), time.time())
    broker.stop()
    before = tree(tmp_path)
    done, took = run_doctor(config.path)  # as root here, as the technician runs it
    assert tree(tmp_path) == before
    assert done.returncode == 2, done.stdout + done.stderr
    level, says = printed(done.stdout)["broker"]
    assert level == FAIL and "connection refused" in says and "is Mosquitto running?" in says
    assert took < 10, f"took {took:.1f} s"  # Python's start and imports; the broker itself answers at once


def test_a_backup_two_days_old_fails_and_says_where_to_look(secure, tmp_path):
    config, _ = secure
    config.hub.database.parent.mkdir(exist_ok=True)
    with running_hub(config):
        folder = backups_folder(config.hub.database)
        backup_database(config.hub.database, folder, time.time() - 3 * DAY)
        lines = examine(config, healthy_board(tmp_path))
    line = said(lines, "backup")
    assert line.level == FAIL
    assert line.says == (f"the newest in {folder} is 3 days old: the nightly backup fails: "
                         "`journalctl -u rotation-backup` says why")


def test_backups_kept_on_the_board_alone_or_not_copied_off_it_are_said_by_their_record(secure, tmp_path, capsys):
    """Once ``rotation backup`` keeps a record of its runs, the doctor reads that: a copy the stick never got
    needs a person now, backups on the SD card alone need one soon, and a copy off the board is well."""
    from rotation.cli import main

    config, _ = secure
    config.hub.database.parent.mkdir(exist_ok=True)
    board = healthy_board(tmp_path)
    with running_hub(config):
        assert main(["backup", "-c", str(config.path)]) == 0
        line = said(examine(config, board), "backup")
        assert line.level == WARN and "on the board only: set [backup] copy_to" in line.says
        stick = tmp_path / "media" / "usb" / "room12"
        stick.parent.mkdir(parents=True)  # the mount point, no stick in it
        config.path.write_text(config.path.read_text() + f'\n[backup]\ncopy_to = "{stick}"\n')
        config = load_config(config.path)
        assert main(["backup", "-c", str(config.path)]) == 1
        line = said(examine(config, board), "backup")
        assert line.level == FAIL and f"not copied to {stick}" in line.says and "is not there" in line.says
        stick.mkdir()
        assert main(["backup", "-c", str(config.path)]) == 0
        line = said(examine(config, board), "backup")
        assert line.level == OK and line.says.endswith(f"copied to {stick}")
    capsys.readouterr()


def test_a_file_root_left_in_the_state_folder_is_named_with_the_chown_that_fixes_it(secure, tmp_path):
    config, _ = secure
    with running_hub(config):
        folder = backups_folder(config.hub.database)
        backup_database(config.hub.database, folder, time.time())
        state = config.hub.database.resolve().parent
        os.chown(folder, 4321, 4321)  # the state folder is this test's user's: another's file is the wrong one
        (state / "installer").mkdir()
        os.chown(state / "installer", 4321, 4321)  # install.sh's notes, root's by design, read by no service
        lines = examine(config, healthy_board(tmp_path))
    line = said(lines, "files")
    assert line.level == FAIL and f"{folder}" in line.says and "installer" not in line.says
    assert line.says.endswith(f"`sudo chown -R root:root {state}`")


def test_a_broker_certificate_near_its_end_warns_with_how_to_renew(tmp_path):
    with tls_room(tmp_path, clients_use_tls=False) as (config, tls, _):
        folder = config.broker.accounts
        # Issued again by the room's CA for ten days only, as if made nine years and more ago.
        request = tmp_path / "server.csr"
        subprocess.run(["openssl", "req", "-new", "-key", str(tls.key), "-subj", "/CN=localhost", "-out",
                        str(request)], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", str(request), "-out", str(tls.certificate), "-days", "10",
                        "-CA", str(tls.ca), "-CAkey", str(folder / "ca.key"), "-set_serial", "7"],
                       check=True, capture_output=True)
        lines = examine(config, healthy_board(tmp_path))
    line = said(lines, "TLS broker certificate")
    assert line.level == WARN
    assert line.says.startswith("expires in 10 days: on the hub: remove ") and "server.names" in line.says
    assert said(lines, "TLS room CA").level == OK


def test_a_nearly_full_disk_fails(secure, tmp_path):
    config, _ = secure
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        text = config.path.read_text().replace('database = "hub.db"', 'database = "small/hub.db"')
        config.path.write_text(text)
        lines = examine(load_config(config.path), healthy_board(tmp_path))
    finally:
        subprocess.run(["umount", str(small)], check=True)
    line = said(lines, "disk")
    assert line.level == FAIL and line.says.startswith(f"0.0 GiB free of 0.0 GiB ({small}): nearly full")


def kiosk_room(config, scanner: str) -> Path:
    """The room file a paired kiosk of the sample room has: its station, outbox and scanner."""
    path = config.path.with_name("kiosk.toml")
    path.write_text(config.path.read_text().replace(
        'outbox = "outbox.db"', f'outbox = "kiosk/outbox.db"\nstation = "reading-nook"\nserial_port = "{scanner}"'))
    return path


def tree(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size, p.stat().st_uid) for p in sorted(folder.rglob("*"))
            if "mosquitto" not in p.parts}


def test_on_a_kiosk_it_checks_its_own_board_without_pushing_the_kiosk_off(secure, tmp_path, serial_wire):
    config, _ = secure
    kiosk_config = load_config(kiosk_room(config, serial_wire[1]))
    kiosk_config.kiosk.outbox.parent.mkdir()
    with running_hub(config):
        kiosk = KioskCore(kiosk_config, "reading-nook", kiosk_config.kiosk.outbox)
        kiosk.start()
        try:
            eventually(lambda: kiosk.online, 10, "the kiosk to reach the hub")
            drops = kiosk.client.on_disconnect
            pushed_off = []
            kiosk.client.on_disconnect = lambda *args: (pushed_off.append(args), drops(*args))
            lines = examine(kiosk_config, healthy_board(tmp_path))
            assert kiosk.online and not pushed_off
        finally:
            kiosk.stop()
    table = report(kiosk_config, lines)
    assert exit_code(lines) == 0, table
    assert said(lines, "broker").says == f"reached at 127.0.0.1:{config.broker.port} as pairing"
    assert said(lines, "account").says == "kiosk-reading-nook's password is here"
    assert said(lines, "outbox").level == NOT_HERE  # the kiosk holds it: the hub's map shows what waits
    assert said(lines, "scanner").says == f"serial at {serial_wire[1]}"
    assert said(lines, "screen").says.startswith("card1 HDMI-A-1")


def test_on_a_kiosk_a_missing_scanner_and_screen_fail_and_nothing_is_written(secure, tmp_path):
    config, _ = secure
    path = kiosk_room(config, "/dev/ttyACM7")
    kiosk_config = load_config(path)
    kiosk_config.kiosk.outbox.parent.mkdir()
    kiosk = KioskCore(kiosk_config, "reading-nook", kiosk_config.kiosk.outbox)
    kiosk.stop()  # an outbox as a stopped kiosk leaves it
    before = tree(tmp_path)
    done, _ = run_doctor(path)  # as root here, as the technician runs it
    assert tree(tmp_path) == before
    assert done.returncode == 2
    rows = printed(done.stdout)
    assert rows["scanner"][0] == FAIL and rows["scanner"][1].startswith("no serial at /dev/ttyACM7: plug it in")
    assert rows["outbox"] == (OK, "0 waiting")  # the kiosk is stopped: its outbox is read
    assert rows["screen"][0] == FAIL  # this machine has no screen


def test_a_broker_that_takes_the_connection_and_never_answers_is_reported_in_about_3_seconds(secure, tmp_path):
    config, broker = secure
    broker.stop()
    with socket.create_server(("127.0.0.1", config.broker.port)):  # takes connections, answers nothing
        started = time.monotonic()
        lines = examine(config, healthy_board(tmp_path))
        took = time.monotonic() - started
    line = said(lines, "broker")
    assert line.level == FAIL and "not reached (no answer in 3 s)" in line.says
    assert took < 5, f"took {took:.1f} s"
    assert exit_code(lines) == 2


def test_a_kiosk_over_tls_checks_the_certificate_the_broker_shows_it(tmp_path):
    with tls_room(tmp_path, clients_use_tls=True) as (config, _, tls_port):
        kiosk_config = load_config(kiosk_room(config, "/dev/null"))
        lines = examine(kiosk_config, healthy_board(tmp_path))
    assert said(lines, "broker").says == f"reached at 127.0.0.1:{tls_port} over TLS as pairing"
    shown = said(lines, "TLS broker certificate")
    assert shown.level == OK and shown.says.startswith("valid for 36")  # ten years, in days
    assert said(lines, "TLS room CA").level == OK


def test_on_a_kiosk_it_checks_the_hub_address_a_teacher_set_at_the_kiosk(secure, tmp_path):
    config, _ = secure
    path = kiosk_room(config, "/dev/null")
    kiosk_config = load_config(path)
    kiosk_config.kiosk.outbox.parent.mkdir()
    elsewhere = free_port()
    settings_path(kiosk_config.kiosk.outbox).write_text(f"broker_port = {elsewhere}\n")
    done, _ = run_doctor(path)
    assert done.returncode == 2
    level, says = printed(done.stdout)["broker"]
    assert level == FAIL and says.startswith(f"127.0.0.1:{elsewhere} as pairing: not reached (connection refused")


def test_a_kiosk_on_a_broker_without_accounts_reads_the_hub_itself(room, hub, tmp_path):
    lines = examine(load_config(kiosk_room(room, "/dev/null")), healthy_board(tmp_path))
    assert said(lines, "broker").says == f"reached at 127.0.0.1:{room.broker.port}"
    assert said(lines, "hub").says.startswith(f"running {__version__}")
    assert exit_code(lines) == 0


def test_a_kiosk_whose_room_ca_is_gone_is_told_to_pair_again(tmp_path):
    with tls_room(tmp_path, clients_use_tls=True) as (config, _, _):
        kiosk_config = load_config(kiosk_room(config, "/dev/null"))
        kiosk_config.broker.ca_file.rename(tmp_path / "ca.crt.away")
        lines = examine(kiosk_config, healthy_board(tmp_path))
    line = said(lines, "broker")
    assert line.level == FAIL
    assert line.says.endswith(f"not reached (the room's CA certificate {kiosk_config.broker.ca_file} is missing): "
                              "pair this board again")


def test_a_password_the_broker_does_not_know_is_a_refusal_with_what_to_run(secure, tmp_path):
    config, _ = secure
    (config.broker.accounts / "terminal.password").write_text("not the broker's\n")
    lines = examine(config, healthy_board(tmp_path))
    line = said(lines, "broker")
    assert line.level == FAIL and "as terminal: the broker refused the login (" in line.says
    assert line.says.endswith("on the hub, run `sudo rotation broker setup` again, then `sudo systemctl restart "
                              "mosquitto`")
    assert "hub" not in {other.what for other in lines}  # nothing read: nothing said about the hub or kiosks
