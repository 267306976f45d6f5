"""One class from a OneRoster 1.1 CSV bundle: what a student information system exports.

The bundle is a folder or a .zip holding users.csv, classes.csv and enrollments.csv (other files are
ignored). The class is picked by its sourcedId, classCode or title; a bundle with one class needs no
choice. Records marked ``tobedeleted`` (a delta export) and disabled users are left out. A student's id is
their OneRoster sourcedId, stable across exports, so a re-import updates and never duplicates. Only names
come from OneRoster: groups, interests and readiness set in Rotation Station stay as they are.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from hub.csvtable import CsvRow, CsvTable
from hub.roster import Roster, RosterError, RosterStudent, check_students, read_text, student_id_problem

FILES = ("users.csv", "classes.csv", "enrollments.csv")
USER_COLUMNS = ("sourcedId", "givenName", "familyName"), ("status", "enabledUser")
CLASS_COLUMNS = ("sourcedId", "title"), ("status", "classCode")
ENROLLMENT_COLUMNS = ("classSourcedId", "userSourcedId", "role"), ("status",)


def _active(row: CsvRow) -> bool:
    return row.get("status").lower() != "tobedeleted"


def _pick_class(classes: list[tuple[str, str, str]], class_ref: str | None, problems: list[str]) -> str | None:
    """The sourcedId of the chosen class, from (sourcedId, classCode, title) rows."""
    def listing() -> str:
        return "; ".join(f"{sid} ({title}{', code ' + code if code else ''})" for sid, code, title in classes)

    if class_ref is None:
        if len(classes) == 1:
            return classes[0][0]
        problems.append(f"classes.csv has {len(classes)} classes: set [room] roster_class to one of: {listing()}"
                        if classes else "classes.csv has no active class")
        return None
    wanted = class_ref.strip().lower()
    for field in range(3):  # sourcedId first: it is unique; codes and titles may not be
        matches = [c for c in classes if c[field].lower() == wanted]
        if len(matches) == 1:
            return matches[0][0]
        if len(matches) > 1:
            problems.append(f"roster_class {class_ref!r} matches {len(matches)} classes: use its sourcedId, "
                            f"one of: {'; '.join(m[0] for m in matches)}")
            return None
    problems.append(f"roster_class {class_ref!r} is not in classes.csv; the classes are: {listing()}")
    return None


def parse_oneroster(texts: dict[str, str], class_ref: str | None, source: str = "oneroster") -> Roster:
    problems: list[str] = []
    users, classes, enrollments = (CsvTable(texts[name], f"{name} ", problems, *columns, others_allowed=True)
                                   for name, columns in zip(FILES, (USER_COLUMNS, CLASS_COLUMNS,
                                                                    ENROLLMENT_COLUMNS), strict=True))
    class_rows = [(row.get("sourcedId"), row.get("classCode"), row.get("title")) for row in classes if _active(row)]
    enrolled = [row for row in enrollments
                if _active(row) and row.get("role").lower() == "student"]
    people: dict[str, CsvRow] = {}
    inactive: set[str] = set()
    for row in users:
        if _active(row) and row.get("enabledUser").lower() != "false":
            people.setdefault(row.get("sourcedId"), row)
        else:
            inactive.add(row.get("sourcedId"))
    if problems:  # the files' shapes are wrong: nothing below would make sense
        raise RosterError(source, problems)
    chosen = _pick_class(class_rows, class_ref, problems)
    students: list[RosterStudent] = []
    seen: set[str] = set()
    for enrollment in enrolled:
        if enrollment.get("classSourcedId") != chosen:
            continue
        user_id = enrollment.get("userSourcedId")
        user = people.get(user_id)
        if user is None:
            if user_id not in inactive:  # a disabled or deleted user is simply not in the class any more
                enrollment.problem("userSourcedId", f"{user_id!r} is not in users.csv")
            continue
        if user_id in seen:
            continue  # enrolled twice (two rows for one class): one student
        seen.add(user_id)
        if (wrong := student_id_problem(user_id)) is not None:
            user.problem("sourcedId", f"{wrong}, so it cannot go on a card")
        if not user.get("givenName"):
            user.problem("givenName", "is empty")
        for column in ("givenName", "familyName"):
            if len(user.get(column)) > 60:
                user.problem(column, "is longer than 60 characters")
        students.append(RosterStudent(user_id, user.get("givenName"), user.get("familyName")))
    if chosen is not None and not students and not problems:
        problems.append(f"class {chosen!r} has no students enrolled in enrollments.csv")
    check_students(students, problems)
    if problems:
        raise RosterError(source, problems)
    return Roster(students, frozenset({"first_name", "last_name"}))


def load_oneroster(path: Path, class_ref: str | None) -> Roster:
    texts: dict[str, str] = {}
    if path.is_dir():
        missing = [name for name in FILES if not (path / name).is_file()]
        if missing:
            raise RosterError(path, [f"not a OneRoster bundle: {', '.join(missing)} missing"])
        for name in FILES:
            texts[name] = read_text(path / name, path)
    else:
        with zipfile.ZipFile(path) as bundle:
            names = {Path(info.filename).name: info.filename for info in bundle.infolist() if not info.is_dir()}
            missing = [name for name in FILES if name not in names]
            if missing:
                raise RosterError(path, [f"not a OneRoster bundle: {', '.join(missing)} missing"])
            for name in FILES:
                try:
                    texts[name] = bundle.read(names[name]).decode("utf-8-sig")
                except UnicodeDecodeError as error:
                    raise RosterError(path, [f"{name}: byte {error.start}: not UTF-8 text"]) from None
    return parse_oneroster(texts, class_ref, str(path))
