"""A room's classes from a OneRoster 1.1 or 1.2 CSV export, bulk or delta, as student information systems
write them. Pure but for reading the export's files (hub/roster_source.py opens them).

The export is read for the room alone: the chosen classes (by sourcedId, classCode or title), or every class
of one teacher (by sourcedId, username or email). A district's files are streamed, and only the rows of those
classes are kept: their enrollments, their people, the schools and terms they name. That much is also what the
hub keeps of the import (``Mirror``), so a delta export can be applied to it: a record marked ``tobedeleted``
goes, any other is added or replaces the one with its sourcedId; a file the manifest calls ``absent`` leaves
its records as they were.

A student is in a class while their enrollment is active and current (begin and end dates), they are an
enabled user, and their role as a user (users.csv in 1.1, roles.csv in 1.2) agrees with it; a disagreement is
a problem, never a guess. Preferred names win over legal ones. Every problem is collected with its file, line
and column, and any problem refuses the whole import.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from hub.classes import matching
from hub.csvtable import CsvTable, one_line
from hub.roster import (
    Membership,
    Person,
    RoomRoster,
    RosterClass,
    RosterError,
    check_sizes,
    id_problem,
    name_problem,
)

Record = dict[str, str]
Narrow = tuple[str, Collection[str]]  # a column and the values a row of interest has in it
Mirror = dict[str, dict[str, Record]]  # file -> sourcedId -> the columns the room keeps


@dataclass(frozen=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...]


FILES: dict[str, Columns] = {
    "classes.csv": Columns(("sourcedId", "title"), ("status", "classCode", "schoolSourcedId", "termSourcedIds")),
    "enrollments.csv": Columns(("classSourcedId", "userSourcedId", "role"),
                               ("sourcedId", "status", "beginDate", "endDate")),
    "users.csv": Columns(("sourcedId", "givenName", "familyName"),
                         ("status", "enabledUser", "role", "username", "email", "preferredFirstName",
                          "preferredLastName", "preferredGivenName", "preferredFamilyName")),
    "roles.csv": Columns(("userSourcedId", "role"), ("sourcedId", "status", "roleType")),  # 1.2
    "orgs.csv": Columns(("sourcedId", "name"), ("status",)),
    "academicsessions.csv": Columns(("sourcedId", "title"), ("status",)),
}
REQUIRED_FILES = ("users.csv", "classes.csv", "enrollments.csv")
MODES = ("bulk", "delta", "absent")
LOGIN_COLUMNS = ("username", "email")
STUDENT_ROLES = frozenset({"student"})
TEACHER_ROLES = frozenset({"teacher"})


class ExportFiles:
    """What hub/roster_source.py hands over: each file of the export by its lower-case name, read row by row;
    an export zipped with several schools' folders has each file once per folder."""

    def parts(self, name: str) -> list[str]:
        """The labels of the copies of ``name`` (e.g. ``users.csv`` or ``school-a/users.csv``)."""
        raise NotImplementedError

    def lines(self, label: str) -> Iterator[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class RosterSelection:
    classes: tuple[str, ...] = ()  # sourcedIds, codes or titles
    teacher: str | None = None  # every class this teacher teaches: sourcedId, username or email

    @property
    def key(self) -> str:
        """The choice as text: one class's is its reference, as release 0.1.0 had it."""
        return ";".join(self.classes) + (f"|{self.teacher}" if self.teacher else "")


@dataclass(frozen=True)
class ClassListing:
    sis_id: str
    code: str
    title: str
    term: str
    school: str
    teachers: str
    students: int


@dataclass
class _Reading:
    """One read of an export: its modes, and the rows found, each with its line for the problems."""
    files: ExportFiles
    problems: list[str]
    modes: dict[str, str]
    lines: dict[tuple[str, str], tuple[str, int]]  # (file, sourcedId) -> (the copy's label, line): this import's
    deleted: set[tuple[str, str]] = field(default_factory=set)  # (file, sourcedId) marked tobedeleted
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> the header's positions

    def rows(self, name: str, narrow: Narrow | None = None,
             known: Collection[str] = ()) -> Iterator[tuple[str, bool, Record, tuple[str, int]]]:
        """(sourcedId, to be deleted, the columns kept, (label, line)) of each row of every copy of the file.
        ``narrow`` skips, before reading it, a row whose column has none of the values, unless its sourcedId is
        ``known``: a district's rows of other classes cost next to nothing."""
        columns = FILES[name]
        for label in self.files.parts(name):
            table = CsvTable(self.files.lines(label), f"{label} ", self.problems, columns.required, columns.optional,
                             others_allowed=True)
            self.columns[label] = table.position
            kept = [(column, table.position[column]) for column in columns.required + columns.optional
                    if column in table.position]
            narrow_at = table.position.get(narrow[0]) if narrow else None
            values = narrow[1] if narrow else ()
            sid_at = table.position.get("sourcedId")
            for row in table:
                cells = row.cells
                if narrow_at is not None and cells[narrow_at].strip() not in values and \
                        (sid_at is None or cells[sid_at].strip() not in known):
                    continue
                record = {column: cells[index].strip() for column, index in kept}
                sid = record.get("sourcedId") or "|".join((record.get("classSourcedId", ""),
                                                           record.get("userSourcedId", ""), record.get("role", "")))
                yield sid, record.get("status", "").lower() == "tobedeleted", record, (label, row.line)

    def merge(self, name: str, base: dict[str, Record] | None,
              wanted: Callable[[str, Record], bool] = lambda sid, record: True,
              narrow: Narrow | None = None) -> dict[str, Record]:
        """The file's records for the room: this export's rows applied to ``base`` (the last import's) as its
        mode says; only records ``wanted`` are kept (``narrow``: a quicker first cut, see ``rows``)."""
        mode = self.modes.get(name, "bulk" if self.files.parts(name) else "absent")
        table = {sid: r for sid, r in (base or {}).items() if wanted(sid, r)} if mode != "bulk" else {}
        if mode == "absent":
            return table
        this_pass: dict[str, tuple[str, int]] = {}
        for sid, deleted, record, where in self.rows(name, narrow, table):
            if deleted:
                self.deleted.add((name, sid))
            if deleted or not wanted(sid, record):
                table.pop(sid, None)
                continue
            if (wrong := id_problem(sid)) is not None:
                self.problems.append(f"{where[0]} line {where[1]}: the sourcedId {wrong}")
                continue
            record.pop("status", None)
            earlier = this_pass.get(sid)
            if earlier is not None and table.get(sid) != record:
                self.problems.append(f"{where[0]} line {where[1]}: the sourcedId {sid!r} is also on "
                                     f"{earlier[0]} line {earlier[1]}, with other values")
            table[sid] = record
            self.lines[name, sid] = this_pass[sid] = where
        return table

    def where(self, name: str, sid: str, column: str) -> str:
        """Where a problem is: file, line and column, as a spreadsheet shows them."""
        found = self.lines.get((name, sid))
        if found is None:
            return f"{name} (kept from an earlier import) {sid!r}, {column}"
        label, line = found
        position = self.columns[label].get(column)
        return f"{label} line {line}, column {position + 1} ({column})" if position is not None else \
            f"{label} line {line} ({column})"


def _manifest(files: ExportFiles, problems: list[str], mirror: Mirror | None) -> dict[str, str]:
    """The mode of each file (bulk, delta or absent) from manifest.csv; without one, every file given is bulk."""
    modes: dict[str, str] = {}
    for label in files.parts("manifest.csv"):
        table = CsvTable(files.lines(label), f"{label} ", problems, ("propertyName", "value"))
        for row in table:
            key, value = row.get("propertyName"), row.get("value").lower()
            if not key.lower().startswith("file."):
                continue
            name = key[5:].lower() + ".csv"
            if value not in MODES:
                row.problem("value", f"{value!r} must be one of {', '.join(MODES)}")
            elif name in modes and modes[name] != value:
                row.problem("value", f"{key} is {value} here but {modes[name]} in another manifest.csv of the export")
            else:
                modes[name] = value
    for name in REQUIRED_FILES:
        mode = modes.get(name, "bulk" if files.parts(name) else "absent")
        if mode != "absent" and not files.parts(name):
            problems.append(f"manifest.csv says file.{name[:-4]} is {mode}, but there is no {name}")
        elif mode != "bulk" and mirror is None:
            problems.append(f"{name}: this is a delta export ({name[:-4]} {mode}) but no roster was imported before: "
                            "import a full (bulk) export first" if modes or mode == "delta" else
                            f"not a OneRoster export: {name} is missing")
    return modes


def read_oneroster(files: ExportFiles, selection: RosterSelection, today: dt.date, mirror: Mirror | None = None,
                   source: str = "oneroster") -> tuple[RoomRoster, Mirror]:
    """The room's classes from the export (applied to ``mirror``, the last import's, where it is a delta) and
    what to keep for the next one. RosterError lists every problem."""
    problems: list[str] = []
    reading = _Reading(files, problems, _manifest(files, problems, mirror), {})
    if problems:
        raise RosterError(source, problems)
    old = mirror or {}
    classes = reading.merge("classes.csv", old.get("classes.csv"))
    teachers = _find_teachers(reading, selection.teacher, old) if selection.teacher else set()
    if teachers:
        taught = reading.merge("enrollments.csv", old.get("enrollments.csv"),
                               lambda sid, r: r["userSourcedId"] in teachers and r["role"].lower() in TEACHER_ROLES,
                               ("userSourcedId", teachers))
        teachers_classes = {r["classSourcedId"] for r in taught.values()}
        if not teachers_classes and not problems:
            problems.append(f"teacher {selection.teacher!r} teaches no class in enrollments.csv")
    else:
        teachers_classes = set()
    if problems:
        raise RosterError(source, problems)
    orgs = reading.merge("orgs.csv", old.get("orgs.csv"))
    chosen = _pick_classes(reading, classes, selection, teachers_classes, orgs)
    enrollments = reading.merge("enrollments.csv", old.get("enrollments.csv"),
                                lambda sid, r: r["classSourcedId"] in chosen, ("classSourcedId", chosen))
    needed = {r["userSourcedId"] for r in enrollments.values()}
    users = reading.merge("users.csv", old.get("users.csv"), lambda sid, r: sid in needed, ("sourcedId", needed))
    roles = reading.merge("roles.csv", old.get("roles.csv"), lambda sid, r: r["userSourcedId"] in needed,
                          ("userSourcedId", needed))
    terms = reading.merge("academicsessions.csv", old.get("academicsessions.csv"))
    if problems:
        raise RosterError(source, problems)
    roster = _room_roster(reading, {sid: classes[sid] for sid in chosen}, enrollments, users, roles, orgs, terms,
                          today)
    if problems:
        raise RosterError(source, problems)
    kept_classes = {sid: classes[sid] for sid in chosen}
    named = {r.get("schoolSourcedId", "") for r in kept_classes.values()}
    named_terms = {t for r in kept_classes.values() for t in _terms(r)}
    enrollments = {sid: r for sid, r in enrollments.items() if r["userSourcedId"] in users}  # not a deleted user's
    teaching = {r["userSourcedId"] for r in enrollments.values() if r["role"].lower() in TEACHER_ROLES}
    users = {sid: r if sid in teaching else {c: v for c, v in r.items() if c not in LOGIN_COLUMNS}
             for sid, r in users.items()}  # a teacher is found by username or email; a student needs neither
    return roster, {"classes.csv": kept_classes, "enrollments.csv": enrollments, "users.csv": users,
                    "roles.csv": roles, "orgs.csv": {s: r for s, r in orgs.items() if s in named},
                    "academicsessions.csv": {s: r for s, r in terms.items() if s in named_terms}}


def _find_teachers(reading: _Reading, ref: str, old: Mirror) -> set[str]:
    """The sourcedIds of the users the ``teacher`` choice names (by sourcedId, username or email)."""
    wanted = ref.strip().lower()

    def names(sid: str, record: Record) -> bool:
        return wanted in (sid.lower(), record.get("username", "").lower(), record.get("email", "").lower())
    found = set(reading.merge("users.csv", {s: r for s, r in old.get("users.csv", {}).items() if names(s, r)},
                              names))
    if not found and not reading.problems:  # a users.csv that could not be read says so already
        reading.problems.append(f"teacher {ref!r} is not in users.csv (looked for a sourcedId, username or email)")
    return found


def _terms(record: Record) -> list[str]:
    return [t.strip() for t in record.get("termSourcedIds", "").split(",") if t.strip()]


def _school(record: Record, orgs: dict[str, Record]) -> str:
    sid = record.get("schoolSourcedId", "")
    return orgs[sid]["name"] if sid in orgs else sid


def _pick_classes(reading: _Reading, classes: dict[str, Record], selection: RosterSelection,
                  teachers_classes: set[str], orgs: dict[str, Record]) -> set[str]:
    problems = reading.problems
    gone = {sid for name, sid in reading.deleted if name == "classes.csv"}
    chosen = {sid for sid in teachers_classes if sid in classes}
    problems.extend(f"enrollments.csv: the teacher's class {sid!r} is not in classes.csv"
                    for sid in sorted(teachers_classes - classes.keys() - gone))  # a deleted class is over

    def described(sid: str) -> str:
        record = classes[sid]
        code = f", code {record['classCode']}" if record.get("classCode") else ""
        school = f", {_school(record, orgs)}" if len(orgs) > 1 else ""
        return f"{sid} ({record['title']}{code}{school})"

    def listing(sids: list[str]) -> str:
        shown = [described(sid) for sid in sids[:12]]
        return "; ".join(shown) + (f"; ... {len(sids) - 12} more (`rotation roster classes` lists them all)"
                                   if len(sids) > 12 else "")

    if not selection.classes and not selection.teacher:
        if len(classes) == 1:
            return set(classes)
        problems.append(f"classes.csv has {len(classes)} classes: choose the room's with [room] classes or "
                        f"teacher; the classes are: {listing(sorted(classes))}" if classes
                        else "classes.csv has no active class")
        return set()
    for ref in selection.classes:
        matches = [ref] if ref in classes else sorted(matching(  # a sourcedId as written first: it is unique
            ref, classes, lambda sid: sid, lambda sid: classes[sid].get("classCode", ""),
            lambda sid: classes[sid]["title"]))
        if len(matches) == 1:
            chosen.add(matches[0])
        elif matches:
            problems.append(f"class {ref!r} matches {len(matches)} classes: use its sourcedId, one of: "
                            f"{listing(matches)}")
        elif ref in gone:
            problems.append(f"class {ref!r} is marked tobedeleted in this export's classes.csv: take it out of "
                            "[room] classes")
        else:
            problems.append(f"class {ref!r} is not in classes.csv; the classes are: {listing(sorted(classes))}")
    return chosen


def _date(reading: _Reading, sid: str, record: Record, column: str) -> dt.date | None:
    text = record.get(column, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        reading.problems.append(f"{reading.where('enrollments.csv', sid, column)}: {text!r} is not a date "
                                "(YYYY-MM-DD)")
        return None


def _user_roles(users: dict[str, Record], roles: dict[str, Record]) -> dict[str, set[str]]:
    """Each user's roles as a user (1.1: users.csv's role; 1.2: roles.csv), where the export says."""
    found: dict[str, set[str]] = {}
    for sid, user in users.items():
        if user.get("role"):
            found.setdefault(sid, set()).add(user["role"].lower())
    for record in roles.values():
        found.setdefault(record["userSourcedId"], set()).add(record["role"].lower())
    return found


FIRST_NAME_COLUMNS = ("preferredFirstName", "preferredGivenName", "givenName")  # the first given wins: the
LAST_NAME_COLUMNS = ("preferredLastName", "preferredFamilyName", "familyName")  # 1.2 binding's, REST's, legal


def _name(user: Record, columns: tuple[str, ...]) -> tuple[str, str]:
    """(the name, the column it came from)."""
    column = next((c for c in columns if user.get(c)), columns[-1])
    return one_line(user.get(column, "")), column


def _full_name(user: Record) -> str:
    return f"{_name(user, FIRST_NAME_COLUMNS)[0]} {_name(user, LAST_NAME_COLUMNS)[0]}".strip()


def _person(sid: str, user: Record, reading: _Reading) -> Person:
    (first, first_column), (last, last_column) = _name(user, FIRST_NAME_COLUMNS), _name(user, LAST_NAME_COLUMNS)
    if not first:
        reading.problems.append(f"{reading.where('users.csv', sid, 'givenName')}: is empty")
    for column, name in ((first_column, first), (last_column, last)):
        if (wrong := name_problem(name)) is not None:
            reading.problems.append(f"{reading.where('users.csv', sid, column)}: {wrong}")
    return Person(sid, first, last)


def _room_roster(reading: _Reading, classes: dict[str, Record], enrollments: dict[str, Record],
                 users: dict[str, Record], roles: dict[str, Record], orgs: dict[str, Record],
                 terms: dict[str, Record], today: dt.date) -> RoomRoster:
    user_roles = _user_roles(users, roles)
    people: dict[str, Person] = {}
    members: dict[tuple[str, str], Membership] = {}
    teachers: dict[str, list[str]] = {}
    for sid, enrollment in enrollments.items():
        role, user_id, class_id = enrollment["role"].lower(), enrollment["userSourcedId"], enrollment["classSourcedId"]
        user = users.get(user_id)
        if user is None and ("users.csv", user_id) in reading.deleted:
            continue  # the student's account was deleted with the export: they have left
        if user is None:
            reading.problems.append(f"{reading.where('enrollments.csv', sid, 'userSourcedId')}: {user_id!r} is not in "
                                    "users.csv" + ("" if reading.modes.get("users.csv", "bulk") == "bulk" else
                                                   " nor in the last import: import a full (bulk) export"))
            continue
        if user.get("enabledUser", "").lower() == "false":
            continue  # a disabled account has left the class
        known = user_roles.get(user_id)
        if role in STUDENT_ROLES | TEACHER_ROLES and known and role not in known:
            where = "users.csv" if users[user_id].get("role") else "roles.csv"
            roles_known = " and ".join(sorted(known))
            reading.problems.append(f"{reading.where('enrollments.csv', sid, 'role')}: {user_id!r} is enrolled in "
                                    f"{classes[class_id]['title']!r} as a {role} but is a {roles_known} in {where}: "
                                    "correct one of the two")
            continue
        if role in TEACHER_ROLES:
            teachers.setdefault(class_id, []).append(_full_name(user))
            continue
        if role not in STUDENT_ROLES:
            continue  # aides, guardians, proctors: not on the map
        begins, ends = _date(reading, sid, enrollment, "beginDate"), _date(reading, sid, enrollment, "endDate")
        if ends is not None and ends <= today:  # the end date is exclusive
            continue  # the enrollment ended: the student left the class
        if user_id not in people:
            people[user_id] = _person(user_id, user, reading)
        member = Membership(class_id, user_id, begins=begins, ends=ends)
        earlier = members.get((class_id, user_id))
        if earlier is None or (member.current(today) and not earlier.current(today)):
            members[class_id, user_id] = member  # of two enrollments in one class, the one running today
    room_classes = [RosterClass(sid, one_line(r["title"]) or sid, one_line(r.get("classCode", "")),
                                next((one_line(terms[t]["title"]) for t in _terms(r) if t in terms), ""),
                                one_line(_school(r, orgs)), ", ".join(teachers.get(sid, [])))
                    for sid, r in sorted(classes.items(), key=lambda item: (item[1]["title"], item[0]))]
    roster = RoomRoster(room_classes, list(people.values()), list(members.values()),
                        frozenset({"first_name", "last_name"}))
    check_sizes(roster, reading.problems)
    return roster


def list_classes(files: ExportFiles, teacher: str | None = None, source: str = "oneroster",
                 today: dt.date | None = None) -> list[ClassListing]:
    """Every class of a bulk export, or one teacher's, with their school, term, teachers (name and the login
    `teacher =` takes) and students counted as an import would: current enrollments of enabled users."""
    problems: list[str] = []
    reading = _Reading(files, problems, _manifest(files, problems, {}), {})
    if any(reading.modes.get(name) == "delta" for name in REQUIRED_FILES):
        raise RosterError(source, ["this is a delta export: it holds only what changed; list the classes of a "
                                   "full (bulk) export"], "its classes could not be listed")
    classes = reading.merge("classes.csv", None)
    teachers = _find_teachers(reading, teacher, {}) if teacher else None
    day = (today or dt.date.today()).isoformat()
    enrolled: dict[str, list[str]] = {}
    taught_by: dict[str, list[str]] = {}
    for _sid, deleted, record, _where in reading.rows("enrollments.csv"):
        if deleted or record["classSourcedId"] not in classes or day >= (record.get("endDate") or "9999")[:10]:
            continue
        role = record["role"].lower()
        if role in STUDENT_ROLES:
            enrolled.setdefault(record["classSourcedId"], []).append(record["userSourcedId"])
        elif role in TEACHER_ROLES:
            taught_by.setdefault(record["classSourcedId"], []).append(record["userSourcedId"])
    if teachers is not None:
        classes = {sid: r for sid, r in classes.items() if teachers & set(taught_by.get(sid, ()))}
    wanted = {u for sid in classes for u in taught_by.get(sid, ())}
    names, gone = {}, set()
    for sid, deleted, record, _where in reading.rows("users.csv"):
        if deleted or record.get("enabledUser", "").lower() == "false":
            gone.add(sid)
        elif sid in wanted:
            login = record.get("username") or record.get("email") or sid
            names[sid] = f"{_full_name(record)} ({login})"
    orgs = reading.merge("orgs.csv", None)
    terms = reading.merge("academicsessions.csv", None)
    if problems:
        raise RosterError(source, problems, "its classes could not be listed")
    return [ClassListing(sid, r.get("classCode", ""), one_line(r["title"]),
                         next((terms[t]["title"] for t in _terms(r) if t in terms), ""), _school(r, orgs),
                         ", ".join(names.get(t, t) for t in taught_by.get(sid, [])),
                         len(set(enrolled.get(sid, ())) - gone))
            for sid, r in sorted(classes.items(), key=lambda item: (_school(item[1], orgs), item[1]["title"]))]
