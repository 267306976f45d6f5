"""A class roster: its students, and reading the plain CSV kind (hub/oneroster.py reads OneRoster bundles,
hub/roster_source.py picks between them). A broken file is refused whole, every problem named by line and column."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from hub.csvtable import CsvTable
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


class Roster(NamedTuple):
    students: list[RosterStudent]
    fields: frozenset[str]  # what the source gives: a re-import leaves the other fields as they were


def check_students(students: list[RosterStudent], problems: list[str]) -> None:
    if not students and not problems:
        problems.append("the file has a header but no students")
    if len(students) > MAX_STUDENTS:
        problems.append(f"{len(students)} students is more than the {MAX_STUDENTS} a room can hold")


def student_id_problem(student_id: str) -> str | None:
    if STUDENT_ID.match(student_id):
        return None
    return f"{student_id!r} is not a valid id (1-40 letters, digits, '.', '_' or '-')"


def parse_roster(text: str, source: str = "roster") -> Roster:
    problems: list[str] = []
    table = CsvTable(text, "", problems, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    students: list[RosterStudent] = []
    seen: dict[str, int] = {}
    for row in table:
        student_id = row.get("id")
        if (wrong := student_id_problem(student_id)) is not None:
            row.problem("id", wrong)
        elif student_id in seen:
            row.problem("id", f"{student_id!r} is already used on line {seen[student_id]}")
        else:
            seen[student_id] = row.line
        if not row.get("first_name"):
            row.problem("first_name", "is empty")
        for name in ("first_name", "last_name"):
            if len(row.get(name)) > 60:
                row.problem(name, "is longer than 60 characters")
        group = row.get("group") or None
        if group is not None and not NAME_PATTERN.match(group.lower()):
            row.problem("group", f"{group!r} must be 1-40 of letters, digits, '-' or '_'")
        readiness_text = row.get("readiness")
        readiness = None
        if readiness_text:
            if readiness_text.isdigit() and 1 <= int(readiness_text) <= 5:
                readiness = int(readiness_text)
            else:
                row.problem("readiness", f"{readiness_text!r} must be a whole number from 1 to 5")
        interests = tuple(i.strip() for i in row.get("interests").split(";") if i.strip())
        students.append(RosterStudent(student_id, row.get("first_name"), row.get("last_name"),
                                      group.lower() if group else None, interests, readiness))
    check_students(students, problems)
    if problems:
        raise RosterError(source, problems)
    fields = {"first_name", "last_name"} | {name for name in OPTIONAL_COLUMNS if name in table.position}
    return Roster(students, frozenset(fields))


def read_text(path: Path, source: Path | str | None = None) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(source or path, [f"{path.name}: cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise RosterError(source or path, [f"{path.name}: byte {error.start}: not UTF-8 text "
                                           "(save the file as CSV UTF-8)"]) from None
