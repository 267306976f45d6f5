"""A room's roster: its classes, the people in them and who is in which, and reading the plain CSV kind
(hub/oneroster.py reads OneRoster exports, hub/roster_source.py picks between them). Pure.

A broken file is refused whole, every problem named by file, line and column. Ids are the school's (a
student information system's sourcedId, or the CSV's ``id``): any text. The hub gives each student a short
id of its own for the card (hub/store.py), so an id that cannot go on a card blocks nobody.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hub.csvtable import CsvRow, CsvTable, one_line
from shared.languages import LANGUAGES
from shared.protocol import MAX_CLASSES, Needs
from shared.topics import NAME_PATTERN

REQUIRED_COLUMNS = ("id", "first_name", "last_name")
NEEDS_COLUMNS = ("language", "large_text", "high_contrast", "speech")  # how a student is best asked at the kiosk
OPTIONAL_COLUMNS = ("class", "group", "interests", "readiness", *NEEDS_COLUMNS)
YES, NO = ("yes", "y", "true", "1", "x"), ("no", "n", "false", "0")
MAX_STUDENTS = 200  # in one class: what a room can hold
MAX_ID_LENGTH = 255
MAX_NAME_LENGTH = 60
ONE_CLASS = "class"  # the school id of the one class of a CSV without a `class` column


class RosterError(ValueError):
    def __init__(self, path: Path | str, problems: list[str], summary: str = "the roster was not imported") -> None:
        self.problems = problems
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__(f"{path}: {summary}:\n  " + "\n  ".join(shown))


@dataclass(frozen=True)
class RosterStudent:
    """A student as a running class has them: ``id`` is the hub's (on the card), group and readiness are
    this class's."""
    id: str
    first_name: str
    last_name: str
    group: str | None = None
    interests: tuple[str, ...] = ()
    readiness: int | None = None
    needs: Needs | None = None

    @property
    def display_name(self) -> str:
        """First name and last initial: all a kiosk or the map ever shows (``display_names`` tells two apart)."""
        return shown_name(self.first_name, self.last_name, 1)


def shown_name(first: str, last: str, letters: int) -> str:
    """The first name and that many letters of the last name, with a full stop if it is cut; a cut is not
    left after a hyphen or a space ("Smith-J.", not "Smith-.")."""
    if not last:
        return first
    cut = _cut(last, letters)
    return f"{first} {cut}" if len(cut) == len(last) else f"{first} {cut}."


def _cut(last: str, letters: int) -> str:
    cut = last[:letters]
    while len(cut) < len(last) and not cut[-1].isalpha():
        cut = last[:len(cut) + 1]
    return cut


def display_names(students: Iterable[RosterStudent]) -> dict[str, str]:
    """Each student's name on a class-facing screen or a card: first name and last initial, and for students
    of the class who would show the same, as many more letters of their last names as tell them apart."""
    alike: dict[str, list[RosterStudent]] = {}
    for student in students:
        alike.setdefault(student.display_name, []).append(student)
    names: dict[str, str] = {}
    for same in alike.values():
        letters = 1
        longest = max(len(s.last_name) for s in same)
        while len(same) > 1 and letters < longest and \
                len({(s.first_name, _cut(s.last_name, letters)) for s in same}) < len(same):
            letters += 1
        names.update((s.id, shown_name(s.first_name, s.last_name, letters)) for s in same)
    return names


@dataclass(frozen=True)
class Person:
    """A student as the school's export names them."""
    sis_id: str
    first_name: str
    last_name: str
    interests: tuple[str, ...] = ()
    needs: Needs | None = None


@dataclass(frozen=True)
class RosterClass:
    sis_id: str
    title: str
    code: str = ""
    term: str = ""
    school: str = ""
    teachers: str = ""  # their names, for the listing

    @property
    def name(self) -> str:
        """What the teacher and the students read: the title, with the code when it says more."""
        return self.title if not self.code or self.code.lower() in self.title.lower() else \
            f"{self.title} ({self.code})"


@dataclass(frozen=True)
class Membership:
    """A student in a class from ``begins`` until ``ends`` (exclusive, as OneRoster has it); either may be open."""
    class_sis_id: str
    sis_id: str
    group: str | None = None
    readiness: int | None = None
    begins: date | None = None
    ends: date | None = None

    def current(self, today: date) -> bool:
        return (self.begins is None or self.begins <= today) and (self.ends is None or today < self.ends)


@dataclass(frozen=True)
class RoomRoster:
    classes: list[RosterClass]
    people: list[Person]
    members: list[Membership]
    fields: frozenset[str]  # what the source gives: a re-import leaves the other fields as they were

    def students_of(self, class_sis_id: str) -> list[Person]:
        wanted = {m.sis_id for m in self.members if m.class_sis_id == class_sis_id}
        return [p for p in self.people if p.sis_id in wanted]


def check_sizes(roster: RoomRoster, problems: list[str]) -> None:
    if not roster.members and not problems:
        problems.append("no student is enrolled in the chosen classes")
    if len(roster.classes) > MAX_CLASSES:
        problems.append(f"{len(roster.classes)} classes are chosen: a room runs at most {MAX_CLASSES}")
    counts: dict[str, int] = {}
    for member in roster.members:
        counts[member.class_sis_id] = counts.get(member.class_sis_id, 0) + 1
    titles = {c.sis_id: c.title for c in roster.classes}
    problems.extend(f"class {titles.get(sid, sid)!r} has {count} students, more than the {MAX_STUDENTS} a room "
                    "can hold" for sid, count in counts.items() if count > MAX_STUDENTS)


def name_problem(name: str) -> str | None:
    return f"is longer than {MAX_NAME_LENGTH} characters" if len(name) > MAX_NAME_LENGTH else None


def id_problem(sis_id: str) -> str | None:
    if not sis_id:
        return "is empty"
    return f"is longer than {MAX_ID_LENGTH} characters" if len(sis_id) > MAX_ID_LENGTH else None


def parse_roster(text: str, source: str = "roster", class_title: str = "Class") -> RoomRoster:
    """A class list from a spreadsheet. With a ``class`` column a student in several classes has a row in each
    (group and readiness are the class's); without one it is one class, called ``class_title``."""
    problems: list[str] = []
    table = CsvTable(text, "", problems, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    people: dict[str, Person] = {}
    named_on: dict[str, int] = {}
    members: dict[tuple[str, str], int] = {}
    classes: dict[str, RosterClass] = {}
    memberships: list[Membership] = []
    by_class = "class" in table.position
    for row in table:
        sis_id = row.get("id")
        class_title_here = one_line(row.get("class")) if by_class else class_title
        if by_class and not class_title_here:
            row.problem("class", "is empty")
        class_id = class_title_here if by_class else ONE_CLASS
        duplicate = (sis_id, class_id) in members
        if (wrong := id_problem(sis_id)) is not None:
            row.problem("id", wrong)
        elif duplicate:
            row.problem("id", f"{sis_id!r} is already in {class_title_here!r} on line {members[sis_id, class_id]}")
        members.setdefault((sis_id, class_id), row.line)
        first, last = one_line(row.get("first_name")), one_line(row.get("last_name"))
        if not first:
            row.problem("first_name", "is empty")
        for column, name in (("first_name", first), ("last_name", last)):
            if (wrong := name_problem(name)) is not None:
                row.problem(column, wrong)
        interests = tuple(i.strip() for i in row.get("interests").split(";") if i.strip())
        person = Person(sis_id, first, last, interests, _needs(row))
        known = people.get(sis_id)
        if known is not None and not duplicate and (known.first_name, known.last_name) != (first, last):
            row.problem("first_name", f"{sis_id!r} has another name on line {named_on[sis_id]}: one id, one "
                                      "student")
        elif known is None:
            people[sis_id], named_on[sis_id] = person, row.line
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
        classes.setdefault(class_id, RosterClass(class_id, class_title_here))
        memberships.append(Membership(class_id, sis_id, group.lower() if group else None, readiness))
    roster = RoomRoster(list(classes.values()), list(people.values()), memberships,
                        frozenset({"first_name", "last_name"} | {name for name in OPTIONAL_COLUMNS[1:]
                                                                 if name in table.position}))
    if not table.position.keys() >= set(REQUIRED_COLUMNS) or problems:
        raise RosterError(source, problems or ["the file has no header"])
    if not memberships:
        problems.append("the file has a header but no students")
    check_sizes(roster, problems)
    if problems:
        raise RosterError(source, problems)
    return roster


def without_student(text: str, sis_id: str) -> tuple[str, int]:
    """The class list with every row of the student whose ``id`` is ``sis_id`` taken out (one per class), and how
    many went; the other rows keep their cells. A file that is not a class list is left as it is."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "id" not in header:
        return text, 0
    column = header.index("id")
    kept = [rows[0], *(row for row in rows[1:] if len(row) <= column or row[column].strip() != sis_id)]
    if len(kept) == len(rows):
        return text, 0
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    return out.getvalue(), len(rows) - len(kept)


def _needs(row: CsvRow) -> Needs | None:
    """The row's language, large text, high contrast and speech; blank cells are the room's way."""
    language = row.get("language").strip().lower() or None
    if language is not None and language not in LANGUAGES:
        row.problem("language", f"{language!r} is not a kiosk language: one of {', '.join(LANGUAGES)}")
        language = None
    flags: dict[str, bool | None] = {}
    for column in NEEDS_COLUMNS[1:]:
        text = row.get(column).strip().lower()
        flags[column] = True if text in YES else False if text in NO else None
        if text and flags[column] is None:
            row.problem(column, f"{text!r} must be yes or no (or left empty)")
    needs = Needs(language, bool(flags["large_text"]), bool(flags["high_contrast"]), flags["speech"])
    return None if needs == Needs() else needs


def read_text(path: Path, source: Path | str | None = None) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(source or path, [f"{path.name}: cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise RosterError(source or path, [f"{path.name}: byte {error.start}: not UTF-8 text "
                                           "(save the file as CSV UTF-8)"]) from None
