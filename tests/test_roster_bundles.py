"""The OneRoster bundle builder the tests use writes what the standard's CSV files hold."""
import csv
import zipfile

import pytest

from tests.roster_bundles import Bundle, Enrollment, Klass, Term, User, district

TEACHER = User("t-1", "Jordan", "Lee", role="teacher", username="j.lee", email="j.lee@example.org")
AWKWARD = User("s-2", 'Robert "Bobby"', "Smith, Jr.\nthe second", preferred_first="Bob", preferred_last="Smyth")
CLASS = Klass("c-1", "Year 4 Maths, Set 1", code="4M", terms="term1,term2")
ENROLLMENTS = [Enrollment("e-1", "c-1", "t-1", role="teacher"), Enrollment("e-2", "c-1", "s-2", end="2026-10-15")]


def small(version: str = "1.1", **options) -> Bundle:
    return Bundle(version=version, users=[TEACHER, AWKWARD], classes=[CLASS], enrollments=ENROLLMENTS,
                  terms=[Term("term1", "Fall"), Term("term2", "Spring")], **options)


def read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def manifest_of(folder) -> dict[str, str]:
    with open(folder / "manifest.csv", encoding="utf-8-sig", newline="") as file:
        return {row["propertyName"]: row["value"] for row in csv.DictReader(file)}


def header(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return next(csv.reader(file))


def test_a_1_1_bundle_has_the_standard_headers_and_values_round_trip(tmp_path):
    folder = small().write(tmp_path / "export")
    assert sorted(p.name for p in folder.iterdir()) == ["academicSessions.csv", "classes.csv", "courses.csv",
                                                        "enrollments.csv", "manifest.csv", "orgs.csv", "users.csv"]
    assert header(folder / "users.csv") == [
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
        "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
        "password"]
    assert header(folder / "enrollments.csv") == [
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
        "primary", "beginDate", "endDate"]
    users = read(folder / "users.csv")
    assert [(u["sourcedId"], u["role"], u["givenName"], u["familyName"]) for u in users] == [
        ("t-1", "teacher", "Jordan", "Lee"), ("s-2", "student", 'Robert "Bobby"', "Smith, Jr.\nthe second")]
    assert users[0]["status"] == users[0]["dateLastModified"] == ""  # bulk: left empty for an active record
    classes = read(folder / "classes.csv")
    assert len(classes) == 1 and classes[0]["termSourcedIds"] == "term1,term2"
    assert read(folder / "courses.csv")[0]["sourcedId"] == classes[0]["courseSourcedId"]
    assert [(e["userSourcedId"], e["primary"], e["endDate"]) for e in read(folder / "enrollments.csv")] == [
        ("t-1", "true", ""), ("s-2", "false", "2026-10-15")]
    assert (folder / "users.csv").read_bytes().count(b"\r\n") == 3  # two rows and the header; not the name's \n


def test_a_1_2_bundle_moves_roles_to_roles_csv_and_has_preferred_names(tmp_path):
    folder = small("1.2").write(tmp_path / "export")
    columns = header(folder / "users.csv")
    assert "role" not in columns and "orgSourcedIds" not in columns
    assert columns[-7:] == ["userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
                            "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]
    awkward = read(folder / "users.csv")[1]
    assert (awkward["preferredGivenName"], awkward["preferredFamilyName"], awkward["primaryOrgSourcedId"]) == (
        "Bob", "Smyth", "sch1")
    assert [(r["userSourcedId"], r["roleType"], r["role"], r["orgSourcedId"]) for r in read(folder / "roles.csv")] \
        == [("t-1", "primary", "teacher", "sch1"), ("s-2", "primary", "student", "sch1")]
    manifest = manifest_of(folder)
    assert manifest["oneroster.version"] == "1.2" and manifest["file.roles"] == "bulk"
    assert manifest["file.userProfiles"] == "absent" and len(manifest) == 2 + 21 + 2  # versions, files, source


def test_a_zip_holds_the_same_files_as_the_folder(tmp_path):
    bundle = small("1.2")
    folder = bundle.write(tmp_path / "export")
    archive = bundle.write(tmp_path / "export", as_zip=True)
    assert archive == tmp_path / "export.zip"
    with zipfile.ZipFile(archive) as zipped:
        assert {name: zipped.read(name) for name in zipped.namelist()} == {
            path.name: path.read_bytes() for path in folder.iterdir()}


def test_a_delta_fills_status_and_date_and_an_absent_file_is_not_written(tmp_path):
    folder = small(modes={"users": "delta", "courses.csv": "absent"}).write(tmp_path / "export")
    manifest = manifest_of(folder)
    assert (manifest["file.users"], manifest["file.courses"], manifest["file.classes"]) == ("delta", "absent", "bulk")
    assert not (folder / "courses.csv").exists()
    assert all(u["status"] == "active" and u["dateLastModified"] for u in read(folder / "users.csv"))
    assert read(folder / "classes.csv")[0]["status"] == ""


def test_a_record_that_is_not_active_says_so_even_in_bulk(tmp_path):
    gone = User("s-3", "Ava", "Chen", status="tobedeleted", enabled="false")
    folder = Bundle(users=[gone]).write(tmp_path / "export")
    row = read(folder / "users.csv")[0]
    assert (row["status"], row["enabledUser"], bool(row["dateLastModified"])) == ("tobedeleted", "false", True)


def test_names_bom_and_line_endings_can_be_varied(tmp_path):
    folder = small(manifest=False).write(tmp_path / "export", upper_case_names=True, bom=True, crlf=False)
    assert "Users.CSV" in {p.name for p in folder.iterdir()} and not (folder / "Manifest.CSV").exists()
    raw = (folder / "Users.CSV").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfsourcedId,") and b"\r" not in raw


def test_modes_the_builder_cannot_honour_are_refused(tmp_path):
    with pytest.raises(ValueError, match="only be 'absent'"):
        small(modes={"demographics": "bulk"}).write(tmp_path / "a")
    with pytest.raises(ValueError, match="not a OneRoster 1.1 file"):
        small(modes={"roles": "bulk"}).write(tmp_path / "b")


def test_a_district_is_realistic_and_reproducible(tmp_path):
    bundle = district(3_000, 100, 5_000, seed=7)
    assert (len(bundle.users), len(bundle.classes), len(bundle.enrollments)) == (3_000, 100, 5_000)
    teaching = [e for e in bundle.enrollments if e.role == "teacher"]
    assert len(teaching) == 100 and len({e.user for e in teaching}) == 20  # five classes a teacher
    ids = [u.sourced_id for u in bundle.users]
    assert len(set(ids)) == len(ids)
    assert any(i.startswith("urn:uuid:") for i in ids) and any(i.startswith("{") for i in ids)
    assert any(" " in i for i in ids) and any(len(i) > 40 for i in ids)
    assert {u.status for u in bundle.users} == {"active", "tobedeleted"} and any(u.enabled == "false"
                                                                               for u in bundle.users)
    assert any(e.end for e in bundle.enrollments)
    assert district(3_000, 100, 5_000, seed=7) == bundle
    folder = bundle.write(tmp_path / "district")
    assert len(read(folder / "enrollments.csv")) == 5_000 and len(read(folder / "users.csv")) == 3_000
