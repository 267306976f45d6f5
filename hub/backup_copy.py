"""A backup off the board: the checked copy, sent by rsync to ``[backup] copy_to`` (a USB stick's folder, or the
school's server over SSH), where the newest ``keep`` are kept. rsync writes each file under a temporary name and
renames it whole, so a stick pulled out or a server gone mid-copy leaves no half copy; nothing there is removed
until the new one is in. A local folder goes through rsync too: the SSH path is then the same code."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from hub.backup import PREFIX

SSH = "ssh -o BatchMode=yes -o ConnectTimeout=15 -o StrictHostKeyChecking=accept-new"  # no prompt, ever
TIMEOUT_SECONDS = 1800  # a card's whole database over a slow school network
_LISTED = re.compile(rf"^\S+\s+[\d,.]+\s+\S+\s+\S+\s+({re.escape(PREFIX)}[^/\s]*\.db)$")


class CopyFailed(Exception):
    """The copy did not reach the destination; the message says why and what to do. Nothing there changed."""


def is_remote(target: str) -> bool:
    """An rsync target on another machine ("host:folder", "user@host:folder"): a colon before any slash."""
    head = target.split("/", 1)[0]
    return ":" in head


def copy_off_board(copy: Path, target: str, keep: int) -> int:
    """Send ``copy`` into the folder ``target`` and keep the newest ``keep`` copies there; returns how many are
    there now. CopyFailed with what to do."""
    if not is_remote(target):
        _check_local(Path(target), copy.stat().st_size)
    there = _rsync(["--list-only", _folder(target)], target)
    _rsync(["--times", str(copy), _folder(target)], target)
    names = sorted({*_listed(there), copy.name})
    old = names[:-keep] if keep < len(names) else []
    if old:
        with tempfile.TemporaryDirectory() as empty:  # syncing an empty folder deletes the files included, alone
            _rsync(["--recursive", "--delete", *[f"--include=/{name}" for name in old], "--exclude=*",
                    empty + "/", _folder(target)], target)
    return len(names) - len(old)


def _folder(target: str) -> str:
    return target if target.endswith("/") else target + "/"


def _check_local(folder: Path, size: int) -> None:
    """A USB stick's folder: there (a stick not mounted leaves the mount point empty, and a copy made there would
    be on the SD card after all), writable, with room for the copy."""
    try:  # an automount with no stick behind it answers "no such device", not "no such file"
        there = folder.is_dir()
    except OSError:
        there = False
    if not there:
        raise CopyFailed(f"{folder} is not there: is the USB stick plugged in and mounted? (make the folder on the "
                         "stick once; it is never made here, so that a stick not mounted is noticed)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CopyFailed(f"{folder}: the user {_user()} may not write there (mount the stick for that user: "
                         "uid= and gid= in /etc/fstab, as the guide says)")
    free = shutil.disk_usage(folder).free
    if free < size:
        raise CopyFailed(f"{folder} is full: the copy needs {_megabytes(size)}, {_megabytes(free)} is free; "
                         "nothing there was removed: free some space or use a larger stick")


def _rsync(arguments: list[str], target: str) -> str:
    command = ["rsync", "--timeout=60", *(["-e", SSH] if is_remote(target) else []), *arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise CopyFailed("rsync is not installed: sudo apt install rsync") from None
    except subprocess.TimeoutExpired:
        raise CopyFailed(f"copying to {target} took over {TIMEOUT_SECONDS // 60} minutes and was stopped") from None
    if done.returncode != 0:
        raise CopyFailed(_why(done.returncode, done.stderr, target))
    return done.stdout


def _why(code: int, said: str, target: str) -> str:
    """rsync's (and ssh's) complaint, as a line a technician acts on."""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("rsync error:")), lines[0] if lines else "")
    if "No space left on device" in said:
        return f"{target} is full: the copy did not fit; nothing there was removed: free some space there"
    if code == 255 or first.startswith("ssh:") or "Permission denied (publickey" in said:
        host = target.split(":", 1)[0]
        return (f"could not reach {host} over SSH ({first or 'exit ' + str(code)}): check the name, the network "
                f"and that the server has this hub's key (the guide's Backups section)")
    return f"rsync could not copy to {target} (exit {code}): {first}"


def _listed(listing: str) -> list[str]:
    return [m[1] for line in listing.splitlines() if (m := _LISTED.match(line.strip()))]


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name
