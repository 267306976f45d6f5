"""Where a room's roster comes from: a plain CSV file, or a OneRoster bundle (a folder or a .zip)."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from hub.oneroster import load_oneroster
from hub.roster import Roster, parse_roster, read_text


def roster_digest(path: Path, class_ref: str | None = None) -> str:
    """Changes when the roster file (or any file of a bundle) or the chosen class changes."""
    digest = hashlib.sha256((class_ref or "").encode())
    for file in sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def load_roster(path: Path, class_ref: str | None = None) -> Roster:
    """A plain roster CSV, or a OneRoster bundle (a folder or a .zip) with ``class_ref`` picking the class."""
    if path.is_dir() or zipfile.is_zipfile(path):
        return load_oneroster(path, class_ref)
    return parse_roster(read_text(path), str(path))
