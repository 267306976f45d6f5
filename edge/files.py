"""Writing a small file whole or not at all, and not at all when it already says the same; making a rename last."""
from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: Path, text: str, mode: int = 0o600) -> bool:
    """Write ``text`` to ``path`` through a temporary file (created with ``mode``, so a secret is never
    readable by others even for a moment) unless it already holds exactly that; return whether it wrote."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "w", encoding="utf-8") as out:
        out.write(text)
    temporary.replace(path)
    return True


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a file renamed or made in it stays so after a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_keeping_access(path: Path, text: str) -> None:
    """Replace ``path`` whole with ``text``, keeping its mode and group (a service may read it through its
    group); a file not there yet is made readable by its owner only."""
    try:
        before = path.stat()
    except FileNotFoundError:
        write_if_changed(path, text)
        return
    write_if_changed(path, text, mode=before.st_mode & 0o777)
    if path.stat().st_gid != before.st_gid:
        os.chown(path, -1, before.st_gid)
    os.chmod(path, before.st_mode & 0o777)  # the temporary file's mode was cut by the umask
