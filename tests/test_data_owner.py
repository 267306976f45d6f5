"""What a technician runs with sudo acts on the hub's data as the service that owns it: `sudo rotation backup`,
`report` and `teacher add` leave files the services' user owns and goes on using (the nightly backup, the
display's Report), while what the technician names (`--out`) is written as they asked."""
import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hub.roster_source import read_roster
from hub.store import HubStore
from tests.conftest import ROOT, SAMPLE, write_room

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs commands as root and as another user")
SERVICE_USER = "nobody"  # stands in for `rotation`: a user that is not root and owns nothing else here


@pytest.fixture
def installed_room():
    """The room laid out as install.sh does: the room's files root's and readable by the service user's group,
    the data folder the service user's alone, with a lesson in its database. Outside pytest's folder, which
    only root may enter."""
    user = pwd.getpwnam(SERVICE_USER)
    top = Path(tempfile.mkdtemp(prefix="rotation-owner-"))
    top.chmod(0o755)
    etc, data = top / "etc", top / "data"
    etc.mkdir()
    data.mkdir()
    path = write_room(etc, 1883)
    path.write_text(path.read_text().replace('database = "hub.db"', f'database = "{data / "hub.db"}"') +
                    f'\n[web]\naccounts = "{data / "teachers.db"}"\n')
    store = HubStore(data / "hub.db")
    store.import_roster(read_roster(SAMPLE / "roster.csv")[0])
    store.begin_session(1000.0, "class")
    store.add_note("s01", "teacher-table", 1010.0, ["goal"], "wants to try chapter books")
    store.end_session(1100.0)
    store.close()
    for entry in [etc, *etc.rglob("*")]:
        os.chown(entry, 0, user.pw_gid)
        entry.chmod(0o750 if entry.is_dir() else 0o640)
    for entry in [data, *data.rglob("*")]:
        os.chown(entry, user.pw_uid, user.pw_gid)
    data.chmod(0o700)
    yield path, data
    shutil.rmtree(top)


def readable_python(user: str | None) -> list[str]:
    """The command line that runs the rest with this Python readable by ``user``, as a board's is (in /usr): a
    Python under a folder only root may enter (pyenv's, in /root) is shown, alone, in a mount namespace of the
    command's own; nothing outside it changes. Then as ``user``, wholly, as systemd starts a service."""
    base = Path(sys.base_prefix)
    closed = next((p for p in reversed(base.parents) if p != Path("/") and not p.stat().st_mode & 0o001), None)
    as_user = ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--clear-groups", "--"] \
        if user else []
    if closed is None:
        return as_user
    script = ('set -e; seen=$(mktemp -d); mount --bind "$1" "$seen"; mount -t tmpfs -o mode=0755 tmpfs "$1"; '
              'mkdir -p "$1/$2"; mount --bind "$seen/$2" "$1/$2"; shift 2; exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "-", str(closed),
            str(base.relative_to(closed)), *as_user]


def rotation(*args: str, user: str | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    """`rotation ARGS` in a process of its own, as root (sudo) or as ``user`` (as a systemd service runs it)."""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": "/root" if user is None else "/tmp",
           "LANG": "C.UTF-8"}
    return subprocess.run([*readable_python(user), sys.executable, "-m", "rotation.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def owners(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): pwd.getpwuid(p.stat().st_uid).pw_name for p in folder.rglob("*")}


def test_backup_report_and_teacher_add_as_root_leave_the_services_user_files_it_goes_on_using(installed_room):
    path, data = installed_room
    for args, said in [(["backup"], "backed up to"), (["report"], "report written to"),
                       (["teacher", "add", "jlee"], "jlee may now log in")]:
        done = rotation(*args, "-c", str(path), stdin="a long teacher password\n")
        assert done.returncode == 0 and said in done.stdout, done.stderr
    made = owners(data)
    assert any(name.startswith("backups/hub-") for name in made) and any(name.startswith("reports/") for name in made)
    assert "teachers.db" in made
    assert set(made.values()) == {SERVICE_USER}, made
    # The nightly backup and the display's report, as the service's user: they work in the folders root's
    # commands made.
    nightly = rotation("backup", "-c", str(path), user=SERVICE_USER)
    assert nightly.returncode == 0, nightly.stderr
    report = rotation("report", "-c", str(path), user=SERVICE_USER)
    assert report.returncode == 0, report.stderr
    assert len(list((data / "backups").glob("hub-*.db"))) >= 1


def test_what_the_technician_names_is_written_where_and_as_they_asked(installed_room, tmp_path):
    path, data = installed_room
    technicians = tmp_path / "usb"  # root's alone (pytest's folder): the service's user could not write there
    done = rotation("backup", "-c", str(path), "--out", str(technicians))
    assert done.returncode == 0, done.stderr
    (copy,) = technicians.glob("hub-*.db")
    assert copy.stat().st_uid == 0
    assert not (data / "backups").exists()  # a copy elsewhere, as asked: nothing beside the database
    group = grp.getgrgid(pwd.getpwnam(SERVICE_USER).pw_gid).gr_name
    assert {owner for owner in owners(data).values()} == {SERVICE_USER}, group
