"""A class from a OneRoster 1.1 CSV bundle, as a student information system exports it."""
import shutil
import zipfile

import pytest

from hub.oneroster import parse_oneroster
from hub.roster import RosterError, parse_roster
from hub.roster_source import load_roster
from hub.store import HubStore
from tests.conftest import SAMPLE

BUNDLE = SAMPLE / "oneroster"


def texts(**changes: str) -> dict[str, str]:
    files = {name: (BUNDLE / name).read_text() for name in ("users.csv", "classes.csv", "enrollments.csv")}
    files.update({f"{name}.csv": text for name, text in changes.items()})
    return files


def test_the_chosen_class_gives_its_enrolled_students_without_teachers_or_disabled_users():
    maths = load_roster(BUNDLE, "4M")
    assert len(maths.students) == 28
    assert maths.students[0].id == "stu-0001" and maths.students[0].display_name == "Maya R."
    assert "t-0001" not in {s.id for s in maths.students}  # the teacher
    assert "stu-0099" not in {s.id for s in maths.students}  # enabledUser = false
    assert maths.fields == {"first_name", "last_name"}
    assert len(load_roster(BUNDLE, "Year 4 Science").students) == 14
    assert len(load_roster(BUNDLE, "cls-4s").students) == 14


def test_a_zipped_bundle_reads_the_same_as_the_folder(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in BUNDLE.iterdir():
            bundle.write(path, f"oneroster-2026/{path.name}")
    assert load_roster(archive, "4M") == load_roster(BUNDLE, "4M")


def test_without_a_class_choice_the_classes_are_listed():
    with pytest.raises(RosterError) as error:
        parse_oneroster(texts(), None, "export")
    assert error.value.problems == ["classes.csv has 2 classes: set [room] roster_class to one of: "
                                    "cls-4m (Year 4 Maths, code 4M); cls-4s (Year 4 Science, code 4S)"]
    with pytest.raises(RosterError, match="'Art' is not in classes.csv; the classes are: cls-4m"):
        parse_oneroster(texts(), "Art", "export")


def test_records_to_be_deleted_are_left_out():
    enrollments = texts()["enrollments.csv"].replace("e-m002,,,", "e-m002,tobedeleted,2026-11-01,")
    assert "stu-0002" not in {s.id for s in parse_oneroster(texts(enrollments=enrollments), "4M").students}


def test_every_problem_names_its_file_line_and_column_and_nothing_is_imported():
    users = texts()["users.csv"].replace(",Maya,Rivera,", ",,Rivera,").replace("stu-0003,", "stu 0003,")
    enrollments = (texts()["enrollments.csv"].replace(",stu-0003,", ",stu 0003,")
                   + "e-m100,,,cls-4m,org-1,stu-0404,student,false,,\n")
    with pytest.raises(RosterError) as error:
        parse_oneroster(texts(users=users, enrollments=enrollments), "4M", "export")
    assert error.value.problems == [
        "users.csv line 3, column 9 (givenName): is empty",
        "users.csv line 5, column 1 (sourcedId): 'stu 0003' is not a valid id "
        "(1-40 letters, digits, '.', '_' or '-'), so it cannot go on a card",
        "enrollments.csv line 46, column 6 (userSourcedId): 'stu-0404' is not in users.csv",
    ]


def test_a_file_of_the_wrong_shape_is_refused_by_name(tmp_path):
    with pytest.raises(RosterError, match="classes.csv line 1: missing column 'title'"):
        parse_oneroster(texts(classes="sourcedId,name\ncls-1,Maths\n"), None)
    folder = tmp_path / "export"
    shutil.copytree(BUNDLE, folder)
    (folder / "enrollments.csv").unlink()
    with pytest.raises(RosterError, match="not a OneRoster bundle: enrollments.csv missing"):
        load_roster(folder)


def test_reimporting_updates_names_and_keeps_groups_readiness_and_cards(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    store.import_roster(parse_roster("id,first_name,last_name,group,readiness\nstu-0001,Maya,R,otters,2\n"))
    store.reissue_card("stu-0001")
    renamed = texts(users=texts()["users.csv"].replace(",Maya,Rivera,", ",Mayah,Rivera-Lopez,"))
    store.import_roster(parse_oneroster(renamed, "4M"))
    store.import_roster(parse_oneroster(renamed, "4M"))
    students = {s.id: s for s in store.students()}
    assert len(students) == 28
    assert (students["stu-0001"].first_name, students["stu-0001"].last_name) == ("Mayah", "Rivera-Lopez")
    assert (students["stu-0001"].group, students["stu-0001"].readiness) == ("otters", 2)
    assert store.card_versions()["stu-0001"] == 2
    store.close()


def test_the_room_config_names_the_bundle_and_the_class_and_the_hub_imports_it(tmp_path, capsys):
    from hub.service import HubService
    from rotation.cli import main
    from shared.config import load_config
    from tests.conftest import write_room

    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace(f'roster = "{SAMPLE / "roster.csv"}"', f'roster = "{BUNDLE}"'))
    assert main(["check-config", str(path)]) == 2
    assert "set [room] roster_class to one of: cls-4m (Year 4 Maths, code 4M)" in capsys.readouterr().err

    path.write_text(path.read_text().replace("[room]\n", '[room]\nroster_class = "4M"\n'))
    assert main(["check-config", str(path)]) == 0
    assert "28 students" in capsys.readouterr().out
    hub = HubService(load_config(path))
    assert sorted(s.display_name for s in hub.store.students())[:2] == ["Aisha O.", "Amara M."]
    hub.store.close()
