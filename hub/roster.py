"""Reading a class roster from CSV. A broken file is refused whole, every problem named by line and column."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from shared.cards import STUDENT_ID
from shared.topics import NAME_PATTERN

REQUIRED_COLUMNS = ("id", "first_name", "last_name")
OPTIONAL_COLUMNS = ("group", "interests", "readiness")
MAX_STUDENTS = 200


class RosterError(ValueError):
    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__(f"{path}: the roster was not imported:\n  " + "\n  ".join(shown))


@dataclass(frozen=True)
class RosterStudent:
    id: str
    first_name: str
    last_name: str
    group: str | None = None
    interests: tuple[str, ...] = ()
    readiness: int | None = None

    @property
    def display_name(self) -> str:
        """First name and last initial: all a kiosk or the map ever shows."""
        return f"{self.first_name} {self.last_name[:1]}." if self.last_name else self.first_name


def parse_roster(text: str, source: str = "roster") -> list[RosterStudent]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise RosterError(source, ["line 1: the file is empty; expected a header: id,first_name,last_name"])
    columns = [name.strip().lower().lstrip("\ufeff") for name in header]
    problems = [f"line 1: missing column {name!r}" for name in REQUIRED_COLUMNS if name not in columns]
    problems += [f"line 1, column {index + 1}: unknown column {name!r}" for index, name in enumerate(columns)
                 if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if problems:
        raise RosterError(source, problems)
    position = {name: index for index, name in enumerate(columns)}
    students: list[RosterStudent] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(f"line {line}: {len(row)} fields where the header has {len(columns)}")
            continue

        def cell(name: str) -> str:
            return row[position[name]].strip() if name in position else ""

        def problem(name: str, text: str) -> None:
            problems.append(f"line {line}, column {position[name] + 1} ({name}): {text}")

        student_id = cell("id")
        if not STUDENT_ID.match(student_id):
            problem("id", f"{student_id!r} is not a valid id (1-40 letters, digits, '.', '_' or '-')")
        elif student_id in seen:
            problem("id", f"{student_id!r} is already used on line {seen[student_id]}")
        else:
            seen[student_id] = line
        for name in ("first_name", "last_name"):
            if not cell(name) and name == "first_name":
                problem(name, "is empty")
            elif len(cell(name)) > 60:
                problem(name, "is longer than 60 characters")
        group = cell("group") or None
        if group is not None and not NAME_PATTERN.match(group.lower()):
            problem("group", f"{group!r} must be 1-40 of letters, digits, '-' or '_'")
        readiness_text = cell("readiness")
        readiness = None
        if readiness_text:
            if readiness_text.isdigit() and 1 <= int(readiness_text) <= 5:
                readiness = int(readiness_text)
            else:
                problem("readiness", f"{readiness_text!r} must be a whole number from 1 to 5")
        interests = tuple(i.strip() for i in cell("interests").split(";") if i.strip())
        students.append(RosterStudent(student_id, cell("first_name"), cell("last_name"),
                                      group.lower() if group else None, interests, readiness))
    if not students and not problems:
        problems.append("the file has a header but no students")
    if len(students) > MAX_STUDENTS:
        problems.append(f"{len(students)} students is more than the {MAX_STUDENTS} a room can hold")
    if problems:
        raise RosterError(source, problems)
    return students


def load_roster(path: Path) -> list[RosterStudent]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(path, [f"cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise RosterError(path, [f"byte {error.start}: not UTF-8 text (save the file as CSV UTF-8)"]) from None
    return parse_roster(text, str(path))
