"""The Raspberry Pi installer: its shell scripts pass shellcheck, its systemd units pass systemd-analyze, and
(with --long) install.sh and uninstall.sh run for real in fresh Debian 12 and 13 roots made with debootstrap, where a
hub is installed, started, and pairs a kiosk installed in a second root, which then checks a student in; and the
previous release, installed and used there, is updated in place to this checkout."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from hub.instances import ANOTHER_HUB_EXIT
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy" / "raspberrypi"
UNITS = sorted((DEPLOY / "systemd").glob("*.*"))
INSTALLED_COMMAND = "/opt/rotation-station/venv/bin/rotation"


def shell_scripts() -> list[Path]:
    return [*sorted(ROOT.glob("scripts/**/*.sh")), *sorted(DEPLOY.glob("*.sh")), ROOT / ".ci" / "run",
            ROOT / "tests" / "deploy" / "in_debian.sh"]


def test_every_shell_script_passes_shellcheck():
    scripts = shell_scripts()
    result = subprocess.run(["shellcheck", "--external-sources", *map(str, scripts)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def ensure_packages(tmp_path: Path, installed: set[str], known: set[str], *wanted: str) -> tuple[str, str]:
    """scripts/lib/apt.sh's ensure_packages, as a user who may sudo, on a machine whose package database holds
    ``installed`` and whose apt knows ``known``: (what it printed, the commands it ran as root)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    ran = tmp_path / "ran"
    shims = {
        "dpkg-query": f'[[ " {" ".join(installed)} " == *" ${{@: -1}} "* ]] && echo "install ok installed"',
        "apt-cache": f'[[ " {" ".join(known)} " == *" ${{@: -1}} "* ]]',
        "id": "echo 1000",
        "sudo": f'echo "$*" >>{ran}',
    }
    for name, body in shims.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    script = f'source {ROOT}/scripts/lib/apt.sh && ensure_packages "$@"'
    result = subprocess.run(["bash", "-c", script, "-", *wanted], capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    return result.stdout, ran.read_text() if ran.exists() else ""


@pytest.mark.parametrize("debian, installed", [
    ("12", {"libmtdev1", "libzbar0", "mosquitto"}),
    ("13", {"libmtdev1t64", "libzbar0t64", "mosquitto"}),  # renamed by the 64-bit time transition
])
def test_a_second_setup_asks_apt_nothing_and_never_sudo_on_debian_12_or_13(tmp_path, debian, installed):
    said, ran = ensure_packages(tmp_path, installed, installed, "libmtdev1t64|libmtdev1", "libzbar0t64|libzbar0",
                                "mosquitto")
    assert (said, ran) == ("", "")


def test_a_missing_package_is_installed_under_the_name_this_debian_knows(tmp_path):
    """Debian 13 knows the new names only, Debian 12 the old ones."""
    said, ran = ensure_packages(tmp_path, {"libmtdev1t64"}, {"libmtdev1t64", "libzbar0t64", "mosquitto"},
                                "libmtdev1t64|libmtdev1", "libzbar0t64|libzbar0", "mosquitto")
    assert ran.splitlines()[-1].endswith("apt-get install -y -qq --no-install-recommends libzbar0t64 mosquitto")
    assert "apt: installing libzbar0t64 mosquitto" in said and "apt: done in" in said
    on_debian_12 = tmp_path / "debian-12"
    on_debian_12.mkdir()
    said, ran = ensure_packages(on_debian_12, {"libmtdev1"}, {"libmtdev1", "libzbar0"}, "libmtdev1t64|libmtdev1",
                                "libzbar0t64|libzbar0")
    assert ran.splitlines()[-1].endswith("--no-install-recommends libzbar0")


def run_installer(tmp_path: Path, architecture: str) -> subprocess.CompletedProcess[str]:
    """install.sh hub on a system whose dpkg is built for ``architecture``, as a user who is not root (so that,
    whatever it decides, it stops before changing this machine)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"dpkg": f"echo {architecture}", "id": "echo 1000"}.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return subprocess.run(["bash", str(DEPLOY / "install.sh"), "hub"], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})


@pytest.mark.parametrize("architecture", ["armhf", "armel", "i386"])
def test_the_installer_refuses_a_32_bit_system_and_says_which_to_flash(tmp_path, architecture):
    """Kivy has no 32-bit ARM wheel: pip would build for an hour and fail, with nothing the technician can act on."""
    result = run_installer(tmp_path, architecture)
    assert result.returncode == 1
    assert f"32-bit system ({architecture})" in result.stderr
    assert "Raspberry Pi OS Lite (64-bit)" in result.stderr


def test_the_installer_goes_on_on_a_64_bit_system(tmp_path):
    result = run_installer(tmp_path, "arm64")
    assert (result.returncode, result.stderr.strip()) == (1, "install: run it as root: sudo {} hub ...".format(
        DEPLOY / "install.sh"))


def test_every_install_command_in_the_guide_uses_options_the_installer_has():
    """The technician copies the guide's commands: an option install.sh does not know stops it."""
    accepted = set(re.findall(r"^\s+(--[a-z-]+)\)", (DEPLOY / "install.sh").read_text(), re.MULTILINE))
    guide = (DEPLOY / "README.md").read_text()
    commands = re.findall(r"install\.sh (?:hub|kiosk)[^`\n]*", guide)
    assert len(commands) >= 5
    used = {option for command in commands for option in re.findall(r"(?<!\S)(--[a-z-]+)", command)}
    assert used and used <= accepted, used - accepted


def test_the_installer_installs_every_python_package_the_project_has():
    """A package left out of install.sh's list is missing on every installed board (the first run of the
    debootstrap test after edge/ was split off failed on 'No module named edge')."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {pattern.rstrip("*") for pattern in declared["include"]}
    line = next(line for line in (DEPLOY / "install.sh").read_text().splitlines()
                if line.startswith("python_packages=("))
    assert set(line.split("(", 1)[1].split(")", 1)[0].split()) == packages
    assert packages == {p.parent.name for p in ROOT.glob("*/__init__.py")}


def runnable_units(folder: Path) -> list[Path]:
    """The units as installed, but with this checkout's command in place of /opt's, which systemd-analyze
    looks for."""
    rotation = shutil.which("rotation", path=str(Path(os.sys.executable).parent))
    assert rotation, "the project's `rotation` command is not installed next to this Python"
    for unit in UNITS:
        text = unit.read_text()
        assert INSTALLED_COMMAND in text or unit.suffix in (".timer", ".path") or unit.name.startswith(
            "rotation-broker-"), unit.name  # the broker's limits and reload run nft and systemctl
        (folder / unit.name).write_text(text.replace(INSTALLED_COMMAND, rotation))
    return [folder / unit.name for unit in UNITS]


def unit_settings(unit: Path) -> dict[str, dict[str, list[str]]]:
    """Each section's settings, by name, with every value given (a unit may repeat a setting)."""
    sections: dict[str, dict[str, list[str]]] = {}
    section: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
        elif "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            section.setdefault(name, []).append(value)
    return sections


def test_every_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    units = runnable_units(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert {unit.name for unit in UNITS} == {"rotation-hub.service", "rotation-display.service", "rotation-web.service",
                                             "rotation-kiosk.service", "rotation-backup.service",
                                             "rotation-backup.timer", "rotation-broker-limits.service",
                                             "rotation-broker-reload.path", "rotation-broker-reload.service"}


def test_the_kiosk_and_display_units_restart_forever_on_the_console_screen_and_may_play_sound():
    for name in ("rotation-kiosk.service", "rotation-display.service"):
        # the kiosk's chime and speech, the display's chime: ALSA's devices are the audio group's
        assert "audio" in unit_settings(DEPLOY / "systemd" / name)["Service"]["SupplementaryGroups"][0].split(), name
        text = (DEPLOY / "systemd" / name).read_text()
        for line in ("Restart=always", "StartLimitIntervalSec=0", "Conflicts=getty@tty1.service",
                     "SDL_VIDEODRIVER=kmsdrm", "--fullscreen", "WantedBy=multi-user.target",
                     # tty1's keys and screen are the program's alone, and nothing typed stays on it
                     "TTYPath=/dev/tty1", "StandardInput=tty-force", "TTYVTDisallocate=yes"):
            assert line in text, f"{name}: {line}"


def test_the_hub_restarts_forever_and_its_data_is_its_users_alone(tmp_path):
    """The room runs on the hub: systemd never gives up restarting it (its start limit is off, in [Unit] where
    systemd reads it). The data folder holds students' names and events: every unit that shares it keeps it,
    and the files it makes, to the services' user (systemd sets a directory's mode as it makes it, so a unit
    with another mode would leave it open)."""
    hub = unit_settings(DEPLOY / "systemd" / "rotation-hub.service")
    assert hub["Unit"]["StartLimitIntervalSec"] == ["0"] and hub["Service"]["Restart"] == ["always"]
    # ... but for a hub that found another serving its room: restarting it would throw that one off the broker
    assert hub["Service"]["RestartPreventExitStatus"] == [str(ANOTHER_HUB_EXIT)]
    sharing = [unit for unit in runnable_units(tmp_path)
               if unit_settings(unit).get("Service", {}).get("StateDirectory") == ["rotation-station"]]
    assert {unit.name for unit in sharing} == {"rotation-hub.service", "rotation-display.service",
                                               "rotation-web.service", "rotation-kiosk.service",
                                               "rotation-backup.service"}
    for unit in sharing:
        service = unit_settings(unit)["Service"]
        assert (service["User"], service["StateDirectoryMode"]) == (["rotation"], ["0700"]), unit.name
        # As systemd reads the unit: files it makes are its own user's alone.
        result = subprocess.run(["systemd-analyze", "security", "--offline=true", "--json=short", str(unit)],
                                capture_output=True, text=True)
        umask = next(check for check in json.loads(result.stdout) if check["name"] == "UMask=")
        assert umask["set"] and "own user" in umask["description"], (unit.name, umask)


def in_debian(tmp_path: Path, debian: str, *options: str) -> str:
    """tests/deploy/in_debian.sh's report of a run that ended well."""
    if os.geteuid() != 0 or not shutil.which("debootstrap") or not shutil.which("unshare"):
        pytest.fail("the installer test needs root, debootstrap and unshare (scripts/test.sh installs them)")
    result = subprocess.run(["bash", str(ROOT / "tests" / "deploy" / "in_debian.sh"), str(tmp_path), *options],
                            cwd=ROOT, capture_output=True, text=True, timeout=1500,
                            env={**os.environ, "ROTATION_DEBIAN": debian})
    report = result.stdout + result.stderr
    (tmp_path / "report.txt").write_text(report)
    assert result.returncode == 0, report[-6000:]
    return report


@pytest.mark.long
@pytest.mark.parametrize("debian", ["bookworm", "trixie"])  # Debian 12, and 13 under today's Raspberry Pi OS
def test_install_pair_and_uninstall_in_fresh_debian_roots(tmp_path, debian):
    report = in_debian(tmp_path, debian)
    for line in ("hub installed", "hub unchanged by a second run", "hub serving", "web companion serving over HTTPS",
                 "kiosk refused without a code", "kiosk paired", "kiosk checked a student in",
                 "what root ran left the service files it uses",
                 "kiosk unchanged by a second run", "uninstalled, data kept", "purged", "nothing left running"):
        assert f"ok: {line}" in report, f"{line!r} missing from:\n{report[-6000:]}"


@pytest.mark.long
@pytest.mark.parametrize("debian", ["bookworm", "trixie"])
def test_install_over_the_previous_release_updates_it_in_place_keeping_everything(tmp_path, debian):
    """A classroom updated as the guide says: the hub, then the kiosk, each with its install command, over the
    release before this one (a hub database of schema version 7). The check-in and the note made before are
    there after, the teacher's password still works, the room's setting and keys are the same, the kiosk is
    still paired and checks the next student in."""
    report = in_debian(tmp_path, debian, "--update")
    for line in ("previous release installed, paired, a student checked in and a note taken",
                 "hub updated, its room, keys, accounts and logins kept", "kiosk updated, still paired",
                 "updated hub serving", "updated hub has the check-in and the note",
                 "updated web companion lets the same teacher in", "updated kiosk checked a student in",
                 "nothing left running"):
        assert f"ok: {line}" in report, f"{line!r} missing from:\n{report[-6000:]}"
