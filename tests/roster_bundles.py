"""OneRoster 1.1 and 1.2 CSV bundles for tests, in the shapes the standard gives them.

A test states only what matters to it and takes the defaults for the rest::

    bundle = Bundle(users=[User("t1", "Jordan", "Lee", role="teacher", email="j.lee@example.org"),
                           User("s1", "Maya", "Rivera")],
                    classes=[Klass("c1", "Year 4 Maths", code="4M")],
                    enrollments=[Enrollment("e1", "c1", "t1", role="teacher"), Enrollment("e2", "c1", "s1")])
    folder = bundle.write(tmp_path / "export")                 # a folder of CSV files
    archive = bundle.write(tmp_path / "export", as_zip=True)   # tmp_path / "export.zip"

What is written, by the 1.1 CSV tables and the 1.2 CSV binding:

- manifest.csv: ``propertyName,value`` rows: manifest.version 1.0, oneroster.version, a ``file.<name>`` row for
  every file the version knows (bulk, delta or absent), source.systemName and source.systemCode.
- orgs.csv, academicSessions.csv, courses.csv (one course a class, ``crs-<class sourcedId>``), classes.csv,
  users.csv and enrollments.csv, each with the full header of its version, columns in the standard's order.
- 1.2 only: roles.csv, one primary role a user and org. The 1.2 users.csv has no ``role`` and no
  ``orgSourcedIds``: a user's role in each org is in roles.csv, and the first org is ``primaryOrgSourcedId``.
  Its preferred names are ``preferredGivenName`` and ``preferredFamilyName`` (the binding's names; 1.1 has no
  such columns, so there they are not written).

``status`` and ``dateLastModified``: a delta file fills both on every row (the standard requires them there).
A bulk file leaves them empty for an active record, as the standard says, but writes a record that is not
active (``tobedeleted``) with both filled: the standard forbids that in bulk mode, and systems export it
anyway, so an importer has to cope with it.

Fields are quoted by the csv module, so values with commas, double quotes and line breaks round-trip (the
standard forbids carriage returns inside a field; a test that wants one may still write it). Files are
UTF-8, CRLF-terminated as RFC 4180 says unless ``crlf=False``, and ``bom=True`` puts a byte order mark first.

``district()`` generates a whole district's export, fast enough for tens of thousands of users.
"""
from __future__ import annotations

import csv
import io
import random
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MODIFIED = "2026-09-01T07:30:00.000Z"  # dateLastModified wherever one is written: tests stay reproducible

# Every OneRoster CSV file begins with these three columns; the tables below give the rest of each header.
COMMON = ("sourcedId", "status", "dateLastModified")

COLUMNS_1_1 = {
    "orgs": ("name", "type", "identifier", "parentSourcedId"),
    "academicSessions": ("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    "courses": ("schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"),
    "classes": ("title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                "termSourcedIds", "subjects", "subjectCodes", "periods"),
    "users": ("enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName",
              "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"),
    "enrollments": ("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"),
}
COLUMNS_1_2 = {
    **COLUMNS_1_1,
    "users": ("enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
              "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "resourceSourcedIds",
              "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
    "roles": ("userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"),
}
COLUMNS = {"1.1": COLUMNS_1_1, "1.2": COLUMNS_1_2}

# The files each version's manifest.csv names, in the standard's order.
MANIFEST_FILES = {
    "1.1": ("academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
            "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users"),
    "1.2": ("academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
            "demographics", "enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales",
            "orgs", "resources", "resultLearningObjectiveIds", "results", "resultScoreScales", "roles",
            "scoreScales", "userProfiles", "userResources", "users"),
}
MODES = ("bulk", "delta", "absent")


@dataclass(slots=True)
class User:
    """A row of users.csv (and, in 1.2, its rows of roles.csv). ``org`` may list several orgs, comma-separated."""
    sourced_id: str
    given: str
    family: str
    role: str = "student"
    username: str = ""
    email: str = ""
    enabled: str = "true"
    status: str = "active"
    preferred_first: str = ""
    preferred_last: str = ""
    org: str = "sch1"


@dataclass(slots=True)
class Klass:
    """A row of classes.csv, and of courses.csv for its course. ``terms`` may list several, comma-separated."""
    sourced_id: str
    title: str
    code: str = ""
    school: str = "sch1"
    terms: str = "term1"
    status: str = "active"


@dataclass(slots=True)
class Enrollment:
    """A row of enrollments.csv: ``user`` in ``klass``. Dates are ISO 8601 (``2026-10-15``); empty is open."""
    sourced_id: str
    klass: str
    user: str
    role: str = "student"
    begin: str = ""
    end: str = ""
    status: str = "active"
    school: str = "sch1"


@dataclass(slots=True)
class Org:
    """A row of orgs.csv: a school, or the district (``type="district"``) that is its ``parent``."""
    sourced_id: str
    name: str
    type: str = "school"
    status: str = "active"
    parent: str = ""


@dataclass(slots=True)
class Term:
    """A row of academicSessions.csv. ``end`` is exclusive, as the standard has it."""
    sourced_id: str
    title: str
    start: str = "2026-08-20"
    end: str = "2027-06-15"
    status: str = "active"
    type: str = "term"
    parent: str = ""


@dataclass
class Bundle:
    """One export. ``modes`` maps a file's name (``"users"`` or ``"users.csv"``) to its manifest mode; a file
    left out of it is bulk if the builder writes it and absent if not. An absent file is not written."""
    version: str = "1.1"
    users: list[User] = field(default_factory=list)
    classes: list[Klass] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=lambda: [Org("sch1", "Lincoln Middle School")])
    terms: list[Term] = field(default_factory=lambda: [Term("term1", "2026-2027")])
    modes: dict[str, str] | None = None
    manifest: bool = True

    def write(self, where: Path, *, as_zip: bool = False, upper_case_names: bool = False, bom: bool = False,
              crlf: bool = True) -> Path:
        """Write the bundle into the folder ``where`` (made if missing), or with ``as_zip`` into a .zip beside
        it (``where`` with the suffix .zip, its files at the top level). Returns the folder or the .zip.
        ``upper_case_names`` writes ``Users.CSV``-style file names."""
        if self.version not in COLUMNS:
            raise ValueError(f"OneRoster version {self.version!r}: the builder writes '1.1' or '1.2'")
        modes = self._file_modes()
        files = [(name, self._header(name), self._rows(name, modes[name]))
                 for name in self._written_files() if modes[name] != "absent"]
        if self.manifest:
            files.insert(0, ("manifest", ("propertyName", "value"), self._manifest_rows(modes)))
        target = where.with_suffix(".zip") if as_zip else where
        with (_zip_members if as_zip else _folder_members)(target) as open_member:
            for name, header, rows in files:
                file_name = _file_name(name, upper_case_names)
                with open_member(file_name, "utf-8-sig" if bom else "utf-8") as stream:
                    writer = csv.writer(stream, lineterminator="\r\n" if crlf else "\n")
                    writer.writerow(header)
                    writer.writerows(rows)
        return target

    def _written_files(self) -> tuple[str, ...]:
        return tuple(COLUMNS[self.version])

    def _file_modes(self) -> dict[str, str]:
        """Every file the manifest names, with its mode; refuses a mode the builder cannot honour."""
        written = self._written_files()
        modes = {name: "bulk" if name in written else "absent" for name in MANIFEST_FILES[self.version]}
        for given, mode in (self.modes or {}).items():
            name = given.removesuffix(".csv")
            if name not in modes:
                raise ValueError(f"{given!r} is not a OneRoster {self.version} file: {', '.join(modes)}")
            if mode not in MODES:
                raise ValueError(f"{given!r}: mode {mode!r} is not one of {', '.join(MODES)}")
            if mode != "absent" and name not in written:
                raise ValueError(f"{given!r}: the builder writes no rows for it, so it can only be 'absent'")
            modes[name] = mode
        return modes

    def _manifest_rows(self, modes: dict[str, str]) -> Iterator[tuple[str, str]]:
        yield "manifest.version", "1.0"
        yield "oneroster.version", self.version
        for name, mode in modes.items():
            yield f"file.{name}", mode
        yield "source.systemName", "Rotation Station test bundle"
        yield "source.systemCode", "tests.roster_bundles"

    def _header(self, name: str) -> tuple[str, ...]:
        return COMMON + COLUMNS[self.version][name]

    def _rows(self, name: str, mode: str) -> Iterator[tuple[str, ...]]:
        """The file's data rows, made one at a time as the writer asks for them."""
        records = {"orgs": self._orgs_records, "academicSessions": self._academic_sessions_records,
                   "courses": self._courses_records, "classes": self._classes_records, "users": self._users_records,
                   "roles": self._roles_records, "enrollments": self._enrollments_records}[name]
        columns = COLUMNS[self.version][name]
        for sourced_id, status, values in records():
            yield (sourced_id, *_status_columns(status, mode), *(values.get(column, "") for column in columns))

    # Each _..._records gives (sourcedId, status, {column: value}) for every row; a column left out is empty.

    def _orgs_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for org in self.orgs:
            yield org.sourced_id, org.status, {"name": org.name, "type": org.type, "parentSourcedId": org.parent}

    def _academic_sessions_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for term in self.terms:
            yield term.sourced_id, term.status, {
                "title": term.title, "type": term.type, "startDate": term.start, "endDate": term.end,
                "parentSourcedId": term.parent,
                "schoolYear": term.end[:4]}  # the standard's schoolYear: the year in which the school year ends

    def _courses_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for klass in self.classes:
            yield _course_id(klass), klass.status, {"title": klass.title, "courseCode": klass.code,
                                                    "orgSourcedId": klass.school}

    def _classes_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for klass in self.classes:
            yield klass.sourced_id, klass.status, {
                "title": klass.title, "courseSourcedId": _course_id(klass), "classCode": klass.code,
                "classType": "scheduled", "schoolSourcedId": klass.school, "termSourcedIds": klass.terms}

    def _users_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for user in self.users:
            # Both versions' columns: each file's header takes its own (1.1 has no preferred names, 1.2 no role).
            yield user.sourced_id, user.status, {
                "enabledUser": user.enabled, "orgSourcedIds": user.org, "role": user.role, "username": user.username,
                "givenName": user.given, "familyName": user.family, "email": user.email,
                "preferredGivenName": user.preferred_first, "preferredFamilyName": user.preferred_last,
                "primaryOrgSourcedId": _orgs_of(user)[0]}

    def _roles_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for user in self.users:
            for org in _orgs_of(user):
                yield f"role-{user.sourced_id}-{org}", user.status, {
                    "userSourcedId": user.sourced_id, "roleType": "primary", "role": user.role, "orgSourcedId": org}

    def _enrollments_records(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for enrollment in self.enrollments:
            yield enrollment.sourced_id, enrollment.status, {
                "classSourcedId": enrollment.klass, "schoolSourcedId": enrollment.school,
                "userSourcedId": enrollment.user, "role": enrollment.role,
                "primary": "true" if enrollment.role == "teacher" else "false",
                "beginDate": enrollment.begin, "endDate": enrollment.end}


def _status_columns(status: str, mode: str) -> tuple[str, str]:
    """status and dateLastModified: always in a delta; in bulk only for a record that is not active."""
    if mode == "delta" or status != "active":
        return status, MODIFIED
    return "", ""


def _course_id(klass: Klass) -> str:
    return f"crs-{klass.sourced_id}"


def _orgs_of(user: User) -> list[str]:
    return [org.strip() for org in user.org.split(",")]


def _file_name(name: str, upper_case: bool) -> str:
    return f"{name[0].upper()}{name[1:]}.CSV" if upper_case else f"{name}.csv"


@contextmanager
def _folder_members(folder: Path) -> Iterator[Callable[[str, str], IO[str]]]:
    """Opens text files for writing in ``folder``, made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    yield lambda name, encoding: open(folder / name, "w", encoding=encoding, newline="")


@contextmanager
def _zip_members(archive: Path) -> Iterator[Callable[[str, str], IO[str]]]:
    """Opens text members for writing in a new .zip: each is compressed as its rows are written."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        yield lambda name, encoding: io.TextIOWrapper(bundle.open(name, "w", force_zip64=True), encoding=encoding,
                                                      newline="")


# --- a generated district ---------------------------------------------------------------------------------

GIVEN = ("Maya", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sofia", "Mateo", "Amara", "Kenji", "Zoë", "José",
         "Aaliyah", "Björn", "Chloé", "Dmitri", "Fatima", "Giovanni", "Hana", "Ifeoma", "Jae-won", "Léa", "Mei",
         "Nikolai", "Priya", "Quinn", "Rafael", "Saoirse", "Thandiwe", "Yusuf")
FAMILY = ("Rivera", "Nguyễn", "Smith", "O'Brien", "García", "Kowalski", "Okafor", "Tanaka", "Müller", "Haddad",
          "Johnson", "Van der Berg", "Ó Súilleabháin", "Patel", "Lee", "Santos", "Kim", "Abebe", "Cohen",
          "Smith-Jones", "Wright", "Ivanova", "Chen", "Moreau", "Diallo", "Brown", "Lindqvist", "Hernández")
# Names that test an importer's CSV handling: a comma, double quotes and a line break inside a field.
AWKWARD_NAMES = (("Robert \"Bobby\"", "Tables"), ("Anne-Marie", "Smith, Jr."), ("Jo\nAnn", "Lee"))
SUBJECTS = ("Maths", "Science", "English", "History", "Art", "Music", "Spanish", "Computing", "PE", "Geography")
TERMS = (Term("sy2026", "2026-2027", type="schoolYear"),
         Term("sem1", "Fall 2026", end="2027-01-22", type="semester", parent="sy2026"),
         Term("sem2", "Spring 2027", start="2027-01-25", type="semester", parent="sy2026"))
EMAIL_DOMAINS = {"teacher": "staff.riverside.example.org", "aide": "staff.riverside.example.org",
                 "student": "students.riverside.example.org"}
CLASSES_PER_TEACHER = 5
CLASSES_PER_STUDENT = 6
ENDED = "2026-10-15"  # an ended enrollment's endDate (exclusive): the student moved out of the class


def district(n_users: int, n_classes: int, n_enrollments: int, seed: int, version: str = "1.1") -> Bundle:
    """A district's bulk export: a district org and several schools, a teacher for every five classes (each
    teacher enrolled in their classes), as many students as it takes to fill ``n_enrollments`` enrollments
    (teachers' included) with six classes of their school each, and parents, guardians and aides for the rest
    of ``n_users``. Deterministic in ``seed``.

    Like a real export it is untidy: about 1% of users are ``tobedeleted`` (their enrollments too, as a system
    that deletes a student exports them) and 1% disabled (their enrollments still active), 2% of student
    enrollments ended (an endDate in the past) and 0.5% more ``tobedeleted``, 0.5% of classes ``tobedeleted``;
    some sourcedIds are ``urn:uuid:`` URNs, some GUIDs in braces, some have a space and some are longer than
    40 characters; a few names hold a comma, double quotes or a line break."""
    rng = random.Random(seed)
    schools = [Org(f"sch{n}", f"School {n}", parent="dist1") for n in range(1, _school_count(n_classes) + 1)]
    if n_users < 1 or n_classes < 1:
        raise ValueError("a district has at least one user and one class")
    n_teachers = min(n_users, max(1, n_classes // CLASSES_PER_TEACHER))
    student_enrollments = max(0, n_enrollments - n_classes)  # each class has one teacher enrollment
    n_students = min(n_users - n_teachers, -(-student_enrollments // CLASSES_PER_STUDENT))
    people = _people(rng, _roles(n_users, n_teachers, n_students), schools)
    teachers, students = people[:n_teachers], people[n_teachers:n_teachers + n_students]
    classes = _classes(rng, n_classes, teachers)
    enrollments = _teacher_enrollments(classes, teachers)
    enrollments.extend(_student_enrollments(rng, students, classes, n_enrollments - len(enrollments)))
    return Bundle(version=version, users=people, classes=classes, enrollments=enrollments,
                  orgs=[Org("dist1", "Riverside Unified School District", type="district"), *schools],
                  terms=list(TERMS))


def _school_count(n_classes: int) -> int:
    return max(2, min(12, n_classes // 150))


def _odd_id(rng: random.Random, prefix: str, number: int) -> str:
    """Mostly ``prefix-000123``; one in 50 in one of the forms real exports use that a naive importer trips on."""
    kind = number % 50
    if kind == 7:
        return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    if kind == 19:
        return "{" + str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper() + "}"
    if kind == 31:
        return f"{prefix} {number:06d}"
    if kind == 43:
        return f"{prefix}-{number:06d}-riverside-unified-school-district-sis-export"
    return f"{prefix}-{number:06d}"


def _roles(n_users: int, n_teachers: int, n_students: int) -> Iterator[str]:
    """Teachers first, then students, then the adults a district also exports: parents, guardians, aides."""
    for number in range(n_users):
        if number < n_teachers:
            yield "teacher"
        elif number < n_teachers + n_students:
            yield "student"
        else:
            yield ("parent", "guardian", "parent", "aide")[number % 4]


def _people(rng: random.Random, roles: Iterable[str], schools: list[Org]) -> list[User]:
    people = []
    for number, role in enumerate(roles):
        given, family = _name(rng, number)
        school = schools[number % len(schools)].sourced_id
        handle = _login_handle(given, family)
        people.append(User(_odd_id(rng, role[0], number), given, family, role=role, username=f"{handle}{number}",
                           email=f"{handle}{number}@{EMAIL_DOMAINS.get(role, 'home.example.net')}",
                           enabled="false" if number % 100 == 42 else "true",
                           status="tobedeleted" if number % 100 == 58 else "active",
                           preferred_first=GIVEN[number % len(GIVEN)] if number % 40 == 3 else "", org=school))
    return people


def _login_handle(given: str, family: str) -> str:
    """``zoe.nguyen`` from Zoë Nguyễn: logins and email addresses are ASCII letters."""
    ascii_name = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_name.lower() if c.isalnum() or c == ".")[:20]


def _name(rng: random.Random, number: int) -> tuple[str, str]:
    if number % 997 == 500:
        return AWKWARD_NAMES[number % len(AWKWARD_NAMES)]
    return rng.choice(GIVEN), rng.choice(FAMILY)


def _classes(rng: random.Random, n_classes: int, teachers: list[User]) -> list[Klass]:
    """Each teacher's classes are consecutive and in the teacher's school."""
    classes = []
    for number in range(n_classes):
        teacher = teachers[min(number // CLASSES_PER_TEACHER, len(teachers) - 1)]
        subject = SUBJECTS[number % len(SUBJECTS)]
        grade = 6 + number % 3
        terms = ("sem1", "sem2", "sem1,sem2")[number % 3]
        classes.append(Klass(_odd_id(rng, "cls", number), f"{subject} {grade} - Period {number % 7 + 1}",
                             code=f"{subject[:3].upper()}{grade}-{number:04d}", school=teacher.org, terms=terms,
                             status="tobedeleted" if number % 200 == 123 else "active"))
    return classes


def _teacher_enrollments(classes: list[Klass], teachers: list[User]) -> list[Enrollment]:
    enrollments = []
    for number, klass in enumerate(classes):
        teacher = teachers[min(number // CLASSES_PER_TEACHER, len(teachers) - 1)]
        enrollments.append(Enrollment(f"enr-t-{number:06d}", klass.sourced_id, teacher.sourced_id, role="teacher",
                                      school=klass.school))
    return enrollments


def _student_enrollments(rng: random.Random, students: list[User], classes: list[Klass],
                         wanted: int) -> list[Enrollment]:
    """Students in turn, each in six classes of their school, until ``wanted`` enrollments are made."""
    by_school: dict[str, list[Klass]] = {}
    for klass in classes:
        by_school.setdefault(klass.school, []).append(klass)
    enrollments: list[Enrollment] = []
    number = 0
    while len(enrollments) < wanted and students:
        student = students[number % len(students)]
        offered = by_school.get(student.org) or classes
        for klass in rng.sample(offered, min(CLASSES_PER_STUDENT, len(offered), wanted - len(enrollments))):
            kind = len(enrollments) % 200
            deleted = kind == 100 or student.status == "tobedeleted"
            enrollments.append(Enrollment(f"enr-{len(enrollments):07d}", klass.sourced_id, student.sourced_id,
                                          end=ENDED if kind < 4 else "", status="tobedeleted" if deleted else "active",
                                          school=klass.school))
        number += 1
    return enrollments
