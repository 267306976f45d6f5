import pytest

from hub.roster import RosterError, parse_roster
from hub.roster_source import load_roster
from tests.conftest import SAMPLE


def test_the_sample_class_has_28_students_in_five_groups():
    students = load_roster(SAMPLE / "roster.csv").students
    assert len(students) == 28
    assert len({s.group for s in students}) == 5
    assert students[0].display_name == "Maya R."


def test_every_problem_is_reported_by_line_and_column_and_nothing_is_imported():
    text = ("id,first_name,last_name,group,readiness\n"
            "s1,Ana,Ortiz,red,2\n"
            "s1,Ben,Ng,red,1\n"
            "s:3,,Lee,blue,9\n"
            "s4,Cy\n")
    with pytest.raises(RosterError) as error:
        parse_roster(text, "class.csv")
    assert error.value.problems == [
        "line 3, column 1 (id): 's1' is already used on line 2",
        "line 4, column 1 (id): 's:3' is not a valid id (1-40 letters, digits, '.', '_' or '-')",
        "line 4, column 2 (first_name): is empty",
        "line 4, column 5 (readiness): '9' must be a whole number from 1 to 5",
        "line 5: 2 fields where the header has 5",
    ]
    assert str(error.value).startswith("class.csv: the roster was not imported")


def test_a_wrong_header_is_refused():
    with pytest.raises(RosterError, match="line 1: missing column 'last_name'"):
        parse_roster("id,first_name,surname\ns1,Ana,Ortiz\n")


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"id,first_name,last_name\n\xff\xfe\x00")
    with pytest.raises(RosterError, match="not UTF-8"):
        load_roster(path)
