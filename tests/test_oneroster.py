"""A room's classes from OneRoster 1.1 and 1.2 CSV exports, bulk and delta, as student information systems
write them (built in the standard's shapes by tests/roster_bundles.py)."""
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from hub.roster import RosterError
from hub.roster_source import RosterSelection, read_roster, roster_classes
from hub.store import HubStore
from tests.roster_bundles import Bundle, Enrollment, Klass, Org, User

TODAY = dt.date(2026, 11, 30)
TEACHER = User("t-1", "Jordan", "Lee", role="teacher", username="jlee", email="J.Lee@school.example.org")


def school(**changes) -> Bundle:
    """Two classes of Ms Lee's and one of another teacher's, three students each."""
    bundle = Bundle(
        users=[TEACHER, User("t-2", "Sam", "Okafor", role="teacher"),
               *(User(f"s-{n}", given, "Rivera") for n, given in enumerate(("Maya", "Liam", "Ava", "Noah"), 1))],
        classes=[Klass("c-2", "Period 2 Maths", code="M7-2"), Klass("c-3", "Period 3 Maths", code="M7-3"),
                 Klass("c-9", "Art", code="ART")],
        enrollments=[Enrollment("e-t2", "c-2", "t-1", role="teacher"), Enrollment("e-t3", "c-3", "t-1", role="teacher"),
                     Enrollment("e-t9", "c-9", "t-2", role="teacher"),
                     Enrollment("e-1", "c-2", "s-1"), Enrollment("e-2", "c-2", "s-2"), Enrollment("e-3", "c-2", "s-3"),
                     Enrollment("e-4", "c-3", "s-1"), Enrollment("e-5", "c-3", "s-4"), Enrollment("e-6", "c-9", "s-2")])
    for name, value in changes.items():
        setattr(bundle, name, value)
    return bundle


def read(path, mirror=None, **selection):
    return read_roster(path, RosterSelection(**selection), mirror=mirror, today=TODAY)


def members(roster) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in roster.members:
        found.setdefault(m.class_sis_id, []).append(m.sis_id)
    return found


@pytest.mark.parametrize("teacher", ["t-1", "jlee", "j.lee@school.example.org"])
def test_every_class_of_one_teacher_by_sourced_id_username_or_email(tmp_path, teacher):
    roster, _ = read(school().write(tmp_path / "export"), teacher=teacher)
    assert [c.title for c in roster.classes] == ["Period 2 Maths", "Period 3 Maths"]
    assert members(roster) == {"c-2": ["s-1", "s-2", "s-3"], "c-3": ["s-1", "s-4"]}
    assert roster.classes[0].teachers == "Jordan Lee" and roster.classes[0].school == "Lincoln Middle School"
    assert roster.classes[0].term == "2026-2027"


def test_a_list_of_classes_by_sourced_id_code_or_title_and_a_zip_reads_like_the_folder(tmp_path):
    folder = school().write(tmp_path / "export")
    by_refs, _ = read(folder, classes=("c-9", "m7-3"))
    assert members(by_refs) == {"c-3": ["s-1", "s-4"], "c-9": ["s-2"]}
    archive = school().write(tmp_path / "export", as_zip=True)
    assert read(archive, classes=("Art", "M7-3"))[0] == by_refs


def test_one_person_in_two_classes_is_one_student(tmp_path):
    roster, _ = read(school().write(tmp_path / "export"), teacher="t-1")
    assert sorted(p.sis_id for p in roster.people) == ["s-1", "s-2", "s-3", "s-4"]


def test_file_names_match_whatever_their_case_and_a_byte_order_mark_is_ignored(tmp_path):
    path = school().write(tmp_path / "export", upper_case_names=True, bom=True, as_zip=True)
    assert members(read(path, teacher="jlee")[0])["c-2"] == ["s-1", "s-2", "s-3"]


def test_version_1_2_reads_roles_and_preferred_names_win(tmp_path):
    bundle = school(version="1.2")
    bundle.users[2] = User("s-1", "Margaret", "Rivera", preferred_first="Maya", preferred_last="Rivera-Lopez")
    roster, _ = read(bundle.write(tmp_path / "export"), teacher="jlee")
    maya = next(p for p in roster.people if p.sis_id == "s-1")
    assert (maya.first_name, maya.last_name) == ("Maya", "Rivera-Lopez")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_teacher_enrolled_as_a_student_is_reported_never_imported(tmp_path, version):
    bundle = school(version=version)
    bundle.enrollments.append(Enrollment("e-odd", "c-2", "t-2", role="student"))
    with pytest.raises(RosterError) as error:
        read(bundle.write(tmp_path / "export"), teacher="t-1")
    where = "users.csv" if version == "1.1" else "roles.csv"
    assert error.value.problems == [
        f"enrollments.csv line 11, column 7 (role): 't-2' is enrolled in 'Period 2 Maths' as a student but is a "
        f"teacher in {where}: correct one of the two"]


def test_ended_disabled_and_deleted_students_are_not_in_the_class_and_a_later_begin_waits(tmp_path):
    bundle = school()
    bundle.users[3] = User("s-2", "Liam", "Rivera", enabled="false")
    bundle.enrollments[5] = Enrollment("e-3", "c-2", "s-3", end="2022-06-30")
    bundle.enrollments[6] = Enrollment("e-4", "c-3", "s-1", status="tobedeleted")
    bundle.enrollments[7] = Enrollment("e-5", "c-3", "s-4", begin="2027-01-25")
    roster, _ = read(bundle.write(tmp_path / "export"), teacher="t-1")
    assert members(roster) == {"c-2": ["s-1"], "c-3": ["s-4"]}
    later = next(m for m in roster.members if m.sis_id == "s-4")
    assert not later.current(TODAY) and later.current(dt.date(2027, 1, 25))


def test_any_sourced_id_the_standard_allows_is_read(tmp_path):
    odd = ["urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
           "district:student:4471", "maya@students.example.org", "student 0042", "x" * 90]
    bundle = school(users=[TEACHER, *(User(sid, f"Kid{n}", "Lee") for n, sid in enumerate(odd))],
                    enrollments=[Enrollment("e-t", "c-2", "t-1", role="teacher"),
                                 *(Enrollment(f"urn:enrollment:{n}", "c-2", sid) for n, sid in enumerate(odd))])
    roster, _ = read(bundle.write(tmp_path / "export"), classes=("c-2",))
    assert sorted(p.sis_id for p in roster.people) == sorted(odd)


def test_names_with_line_breaks_are_folded_to_one_line(tmp_path):
    bundle = school()
    bundle.users[2] = User("s-1", "Jo\nAnn", "Lee\r\n Smith")
    roster, _ = read(bundle.write(tmp_path / "export"), classes=("c-2",))
    assert ("Jo Ann", "Lee Smith") in {(p.first_name, p.last_name) for p in roster.people}


def test_a_delta_is_applied_to_the_last_import(tmp_path):
    _, mirror = read(school().write(tmp_path / "bulk"), teacher="t-1")
    delta = Bundle(users=[User("s-1", "Mayah", "Rivera", status="active"), User("s-5", "Zoë", "Ng")],
                   classes=[], enrollments=[Enrollment("e-7", "c-3", "s-5"),
                                            Enrollment("e-2", "c-2", "s-2", status="tobedeleted")],
                   modes={"users": "delta", "enrollments": "delta", "classes": "absent", "orgs": "absent",
                          "academicSessions": "absent", "courses": "absent"})
    roster, after = read(delta.write(tmp_path / "delta"), mirror=mirror, teacher="t-1")
    assert members(roster) == {"c-2": ["s-1", "s-3"], "c-3": ["s-1", "s-4", "s-5"]}
    assert {p.sis_id: p.first_name for p in roster.people}["s-1"] == "Mayah"
    assert [c.title for c in roster.classes] == ["Period 2 Maths", "Period 3 Maths"]  # classes absent: kept
    assert "e-2" not in after["enrollments.csv"]


def test_a_delta_without_an_earlier_import_is_refused(tmp_path):
    delta = school(modes={"users": "delta", "enrollments": "delta", "classes": "delta"})
    with pytest.raises(RosterError, match=r"this is a delta export .* import a full \(bulk\) export first"):
        read(delta.write(tmp_path / "delta"), teacher="t-1")


def test_a_delta_enrolling_someone_the_room_never_saw_asks_for_a_full_export(tmp_path):
    _, mirror = read(school().write(tmp_path / "bulk"), teacher="t-1")
    delta = Bundle(users=[], classes=[], enrollments=[Enrollment("e-8", "c-3", "s-99")],
                   modes={"users": "delta", "enrollments": "delta", "classes": "absent"})
    with pytest.raises(RosterError, match="'s-99' is not in users.csv nor in the last import: import a full"):
        read(delta.write(tmp_path / "delta"), mirror=mirror, teacher="t-1")


def test_a_zip_with_several_schools_lists_the_classes_of_all(tmp_path):
    north = school(orgs=[Org("sch1", "North Middle")])
    south = Bundle(users=[User("t-7", "Ana", "Diaz", role="teacher", org="sch2"),
                          User("s-70", "Kai", "Moe", org="sch2")],
                   classes=[Klass("c-70", "Period 2 Maths", code="M7-2", school="sch2")],
                   orgs=[Org("sch2", "South Middle")],
                   enrollments=[Enrollment("e-70", "c-70", "t-7", role="teacher", school="sch2"),
                                Enrollment("e-71", "c-70", "s-70", school="sch2")])
    archive = tmp_path / "district.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, part in (("north", north), ("south", south)):
            for file in part.write(tmp_path / name).iterdir():
                bundle.write(file, f"{name}/{file.name}")
    listed = roster_classes(archive)
    assert [(c.school, c.title, c.students) for c in listed] == [
        ("North Middle", "Art", 1), ("North Middle", "Period 2 Maths", 3), ("North Middle", "Period 3 Maths", 2),
        ("South Middle", "Period 2 Maths", 1)]
    with pytest.raises(RosterError, match="'M7-2' matches 2 classes: use its sourcedId, one of: "
                                          r"c-2 \(Period 2 Maths, code M7-2, North Middle\); c-70"):
        read(archive, classes=("M7-2",))
    assert members(read(archive, classes=("c-70", "c-9"))[0]) == {"c-70": ["s-70"], "c-9": ["s-2"]}


def test_the_class_listing_names_school_term_teacher_and_students(tmp_path):
    listed = roster_classes(school().write(tmp_path / "export"), teacher="jlee")
    assert [(c.sis_id, c.code, c.title, c.term, c.school, c.teachers, c.students) for c in listed] == [
        ("c-2", "M7-2", "Period 2 Maths", "2026-2027", "Lincoln Middle School", "Jordan Lee (jlee)", 3),
        ("c-3", "M7-3", "Period 3 Maths", "2026-2027", "Lincoln Middle School", "Jordan Lee (jlee)", 2)]


def test_a_truncated_zip_is_called_a_broken_zip(tmp_path):
    archive = school().write(tmp_path / "export", as_zip=True)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(RosterError, match=r"cut.zip is a broken .zip file: it may have been cut short .* get the "
                                          "export again"):
        read(cut, teacher="t-1")


def test_a_semicolon_separated_file_is_named_as_such(tmp_path):
    folder = school().write(tmp_path / "export")
    users = folder / "users.csv"
    users.write_text(users.read_text().replace(",", ";"))
    with pytest.raises(RosterError, match="users.csv line 1: the columns are separated by semicolons"):
        read(folder, teacher="t-1")


def test_every_problem_is_reported_and_nothing_is_imported(tmp_path):
    bundle = school()
    bundle.users[2] = User("s-1", "", "Rivera")
    bundle.enrollments.append(Enrollment("e-9", "c-2", "s-404"))
    bundle.enrollments.append(Enrollment("e-10", "c-3", "s-4", end="soon"))
    store = HubStore(tmp_path / "hub.db")
    store.import_roster(*read(school().write(tmp_path / "good"), teacher="t-1"))
    before = (store.classes(), store.card_ids(), store.roster_mirror(""))
    with pytest.raises(RosterError) as error:
        store.import_roster(*read(bundle.write(tmp_path / "export"), teacher="t-1"))
    assert error.value.problems == [
        "users.csv line 4, column 9 (givenName): is empty",
        "enrollments.csv line 11, column 6 (userSourcedId): 's-404' is not in users.csv",
        "enrollments.csv line 12, column 10 (endDate): 'soon' is not a date (YYYY-MM-DD)",
    ]
    assert (store.classes(), store.card_ids(), store.roster_mirror("")) == before  # the last good import
    store.close()


def test_a_class_or_teacher_not_in_the_export_is_said_with_the_classes(tmp_path):
    folder = school().write(tmp_path / "export")
    with pytest.raises(RosterError, match=r"class 'Gym' is not in classes.csv; the classes are: c-2 "
                                          r"\(Period 2 Maths, code M7-2\); c-3"):
        read(folder, classes=("Gym",))
    with pytest.raises(RosterError, match="teacher 'nobody' is not in users.csv"):
        read(folder, teacher="nobody")
    with pytest.raises(RosterError, match=r"classes.csv has 3 classes: choose the room's with \[room\] classes"):
        read(folder)


def test_a_deleted_user_whose_enrollment_is_still_active_has_left(tmp_path):
    bundle = school()
    bundle.users[3] = User("s-2", "Liam", "Rivera", status="tobedeleted")
    roster, mirror = read(bundle.write(tmp_path / "export"), teacher="t-1")
    assert members(roster)["c-2"] == ["s-1", "s-3"]
    assert "e-2" not in mirror["enrollments.csv"]


def test_a_delta_for_another_choice_of_classes_asks_for_a_full_export(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    roster, mirror = read(school().write(tmp_path / "bulk"), classes=("c-2",))
    store.import_roster(roster, mirror, selection=RosterSelection(classes=("c-2",)).key)
    assert store.roster_mirror(RosterSelection(classes=("c-2",)).key) == {f: r for f, r in mirror.items() if r}
    assert store.roster_mirror(RosterSelection(teacher="t-1").key) is None  # c-3 was never read
    store.close()


def test_a_class_a_delta_deletes_leaves_a_teachers_room_and_is_named_in_a_list(tmp_path):
    _, mirror = read(school().write(tmp_path / "bulk"), teacher="t-1")
    delta = Bundle(users=[], classes=[Klass("c-3", "Period 3 Maths", status="tobedeleted")], enrollments=[],
                   modes={"users": "delta", "enrollments": "delta", "classes": "delta"})
    roster, after = read(delta.write(tmp_path / "delta"), mirror=mirror, teacher="t-1")
    assert [c.sis_id for c in roster.classes] == ["c-2"] and list(after["classes.csv"]) == ["c-2"]
    with pytest.raises(RosterError, match="class 'c-3' is marked tobedeleted in this export's classes.csv"):
        read(tmp_path / "delta", mirror=mirror, classes=("c-2", "c-3"))


def test_classes_no_longer_chosen_leave_with_their_enrollments(tmp_path):
    _, mirror = read(school().write(tmp_path / "bulk"), classes=("c-2", "c-3"))
    delta = Bundle(users=[], classes=[], enrollments=[], modes={"users": "delta", "enrollments": "delta",
                                                                "classes": "absent"})
    roster, after = read(delta.write(tmp_path / "delta"), mirror=mirror, classes=("c-2",))
    assert members(roster) == {"c-2": ["s-1", "s-2", "s-3"]}
    assert {r["classSourcedId"] for r in after["enrollments.csv"].values()} == {"c-2"}


def test_of_two_enrollments_in_one_class_the_current_one_counts(tmp_path):
    bundle = school()
    bundle.enrollments.insert(3, Enrollment("e-next", "c-2", "s-1", begin="2027-01-10"))
    bundle.enrollments[4] = Enrollment("e-1", "c-2", "s-1", end="2026-12-01")
    roster, _ = read(bundle.write(tmp_path / "export"), classes=("c-2",))
    assert next(m for m in roster.members if m.sis_id == "s-1").current(TODAY)


def test_a_student_is_kept_without_a_login_name_a_teacher_with_one(tmp_path):
    bundle = school()
    bundle.users[2] = User("s-1", "Maya", "Rivera", username="maya.r", email="maya@students.example.org")
    _, mirror = read(bundle.write(tmp_path / "export"), teacher="t-1")
    assert "username" not in mirror["users.csv"]["s-1"] and "email" not in mirror["users.csv"]["s-1"]
    assert mirror["users.csv"]["t-1"]["email"] == "J.Lee@school.example.org"


def test_a_sourced_id_twice_with_other_values_is_reported(tmp_path):
    bundle = school()
    bundle.users.append(User("s-1", "Other", "Person"))
    with pytest.raises(RosterError, match="users.csv line 8: the sourcedId 's-1' is also on users.csv line 4, "
                                          "with other values"):
        read(bundle.write(tmp_path / "export"), teacher="t-1")


def test_bytes_that_are_not_utf8_are_named_by_their_line_and_a_zip_that_is_not_one_says_so(tmp_path):
    folder = school().write(tmp_path / "export")
    users = folder / "users.csv"
    users.write_bytes(users.read_bytes().replace(b"Noah", "No\xe4h".encode("latin-1")))
    with pytest.raises(RosterError, match=r"users.csv line 7, byte \d+: not UTF-8 text"):
        read(folder, teacher="t-1")
    fake = tmp_path / "export.zip"
    fake.write_text("<html><body>Session expired</body></html>")
    with pytest.raises(RosterError, match=r"export.zip is not a .zip file \(it begins '<html><body>Session"):
        read(fake, teacher="t-1")


def test_more_classes_than_a_room_runs_is_a_problem(tmp_path):
    from hub.roster import parse_roster

    rows = "".join(f"s1,Ana,Ortiz,Class {n}\n" for n in range(101))
    with pytest.raises(RosterError, match="101 classes are chosen: a room runs at most 100"):
        parse_roster("id,first_name,last_name,class\n" + rows)


def test_the_class_listing_in_the_configuration_doc_is_what_the_command_prints(tmp_path, capsys):
    from rotation.cli import main

    doc = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    shown = doc.split("$ rotation roster classes /srv/exports/district.zip --teacher jlee\n", 1)[1].split("```")[0]
    assert main(["roster", "classes", str(school().write(tmp_path / "export")), "--teacher", "jlee"]) == 0
    assert capsys.readouterr().out == shown


def test_the_listing_counts_students_as_an_import_would_and_refuses_a_delta(tmp_path):
    bundle = school()
    bundle.users[3] = User("s-2", "Liam", "Rivera", enabled="false")
    bundle.enrollments[5] = Enrollment("e-3", "c-2", "s-3", end="2022-06-30")
    listed = roster_classes(bundle.write(tmp_path / "export"), teacher="t-1")
    assert [(c.sis_id, c.students) for c in listed] == [("c-2", 1), ("c-3", 2)]
    assert members(read(tmp_path / "export", teacher="t-1")[0])["c-2"] == ["s-1"]  # the same one
    delta = school(modes={"users": "delta", "enrollments": "delta", "classes": "delta"})
    with pytest.raises(RosterError, match="its classes could not be listed:\n  this is a delta export"):
        roster_classes(delta.write(tmp_path / "delta"))


def test_a_users_file_that_cannot_be_read_is_not_also_said_to_lack_the_teacher(tmp_path):
    folder = school().write(tmp_path / "export")
    users = folder / "users.csv"
    users.write_text(users.read_text().replace(",", ";"))
    with pytest.raises(RosterError) as error:
        read(folder, teacher="jlee")
    assert [p for p in error.value.problems if "teacher" in p] == []
