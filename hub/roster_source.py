"""Where a room's roster comes from: a plain CSV file, or a OneRoster export (a folder or a .zip, which may
hold several schools' exports in folders of their own). Opens the files; hub/roster.py and hub/oneroster.py
read them."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, TypeVar

from hub.oneroster import ClassListing, ExportFiles, Mirror, RosterSelection, list_classes, read_oneroster
from hub.roster import RoomRoster, RosterError, parse_roster, read_text

__all__ = ["RosterSelection", "read_roster", "roster_classes", "roster_digest"]
ZIP_MAGIC = b"PK"
T = TypeVar("T")


def _is_zip(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(2) == ZIP_MAGIC


class _Files(ExportFiles):
    """An export's files by lower-case name; ``open_binary(label)`` gives a stream of one."""

    def __init__(self, source: Path, labels: list[str]) -> None:
        self.source = source
        self._by_name: dict[str, list[str]] = {}
        for label in sorted(labels):
            self._by_name.setdefault(PurePosixPath(label).name.lower(), []).append(label)

    def parts(self, name: str) -> list[str]:
        return self._by_name.get(name, [])

    def open_binary(self, label: str) -> IO[bytes]:
        raise NotImplementedError

    def lines(self, label: str) -> Iterator[str]:
        """The file's lines as text, decoded one by one so that a byte that is not UTF-8 is named by its line
        (a line break is the same byte in UTF-8 and in any encoding a school's system might use instead)."""
        with self.open_binary(label) as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise RosterError(self.source, [f"{label} line {number}, byte {error.start + 1}: not UTF-8 "
                                                    "text (export the file as UTF-8)"]) from None
                yield text.removeprefix("\ufeff") if number == 1 else text


class _Folder(_Files):
    def __init__(self, folder: Path) -> None:
        labels = [str(p.relative_to(folder).as_posix()) for p in [*folder.glob("*"), *folder.glob("*/*")]
                  if p.is_file() and p.suffix.lower() == ".csv"]
        super().__init__(folder, labels)
        self.folder = folder

    def open_binary(self, label: str) -> IO[bytes]:
        try:
            return (self.folder / label).open("rb")
        except OSError as error:
            raise RosterError(self.source, [f"{label}: cannot read the file: {error.strerror}"]) from None


class _Zip(_Files):
    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise RosterError(path, [f"{path.name} is a broken .zip file: it may have been cut short "
                                     "while downloading or copying; get the export again"]) from None
        super().__init__(path, [info.filename for info in self.zip.infolist()
                                if not info.is_dir() and info.filename.lower().endswith(".csv")])

    def open_binary(self, label: str) -> IO[bytes]:
        # zipfile reads a line at a time in Python; a buffered reader over it does it in C, twice as fast here
        return io.BufferedReader(self.zip.open(label), buffer_size=1 << 16)  # type: ignore[type-var]


def _export(path: Path) -> _Files:
    return _Folder(path) if path.is_dir() else _Zip(path)


def _reading(path: Path, read: Callable[[_Files], T]) -> T:
    """Run ``read`` on the export, a broken zip said as such whenever it shows."""
    try:
        return read(_export(path))
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise RosterError(path, [f"{path.name} is a broken .zip file ({error}): get the export again"]) from None


def read_roster(path: Path, selection: RosterSelection = RosterSelection(), *, mirror: Mirror | None = None,
                today: dt.date | None = None, class_title: str = "Class") -> tuple[RoomRoster, Mirror | None]:
    """The room's roster from a plain CSV (one class called ``class_title`` unless it has a ``class`` column) or
    a OneRoster export with ``selection`` choosing the classes (applied to ``mirror``, what the hub kept of the
    last import, where it is a delta); and, for an export, what to keep for the next."""
    today = today or dt.date.today()
    if path.suffix.lower() == ".zip" and path.is_file() and not _is_zip(path):
        with path.open("rb") as file:
            start = file.read(40).decode("utf-8", "replace").strip()
        raise RosterError(path, [f"{path.name} is not a .zip file (it begins {start[:30]!r}: a web page or an "
                                 "error saved in its place?); get the export again"])
    if path.is_dir() or (path.is_file() and _is_zip(path)):
        return _reading(path, lambda files: read_oneroster(files, selection, today, mirror, str(path)))
    if not path.exists():
        raise RosterError(path, ["there is no such file or folder"])
    return parse_roster(read_text(path), str(path), class_title), None


def roster_classes(path: Path, teacher: str | None = None) -> list[ClassListing]:
    """The classes of a OneRoster export (every one, or one teacher's)."""
    if not (path.is_dir() or (path.is_file() and _is_zip(path))):
        raise RosterError(path, ["not a OneRoster export (a folder or a .zip of CSV files)"])
    return _reading(path, lambda files: list_classes(files, teacher, str(path)))


def roster_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and times of the roster's files: cheap to look at every few seconds, and different when a
    file is replaced or written (then ``roster_digest`` says whether anything changed)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    found = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue  # it went while we looked: the next look sees the new state
        found.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def roster_digest(path: Path, selection: RosterSelection = RosterSelection()) -> str:
    """Changes when the roster file (or any file of an export) or the choice of classes changes; the same as
    release 0.1.0 made for the same files, so an unchanged roster is not imported again after an update."""
    digest = hashlib.sha256(selection.key.encode())
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        name = file.relative_to(path).as_posix() if path.is_dir() else file.name
        digest.update(name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()
