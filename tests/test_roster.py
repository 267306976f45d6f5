"""A plain class list from a spreadsheet: one class, or several with a ``class`` column."""
import pytest

from hub.roster import RosterError, parse_roster, without_student
from hub.roster_source import read_roster
from shared.protocol import Needs
from tests.conftest import SAMPLE


def test_the_sample_class_has_28_students_in_five_groups():
    roster, mirror = read_roster(SAMPLE / "roster.csv", class_title="Room 12")
    assert mirror is None and [c.title for c in roster.classes] == ["Room 12"]
    assert len(roster.people) == 28 and len(roster.members) == 28
    assert len({m.group for m in roster.members}) == 5
    assert (roster.people[0].first_name, roster.people[0].last_name) == ("Maya", "Rivera")


def test_a_class_column_makes_several_classes_and_one_student_may_be_in_two():
    roster = parse_roster("id,first_name,last_name,class,group\n"
                          "s1,Ana,Ortiz,Period 2,red\n"
                          "s2,Ben,Ng,Period 2,blue\n"
                          "s1,Ana,Ortiz,Period 3,green\n")
    assert [c.title for c in roster.classes] == ["Period 2", "Period 3"]
    assert [(m.class_sis_id, m.sis_id, m.group) for m in roster.members] == [
        ("Period 2", "s1", "red"), ("Period 2", "s2", "blue"), ("Period 3", "s1", "green")]
    assert len(roster.people) == 2


def test_every_problem_is_reported_by_line_and_column_and_nothing_is_imported():
    text = ("id,first_name,last_name,group,readiness\n"
            "s1,Ana,Ortiz,red,2\n"
            "s1,Ben,Ng,red,1\n"
            ",,Lee,blue,9\n"
            "s4,Cy\n")
    with pytest.raises(RosterError) as error:
        parse_roster(text, "class.csv")
    assert error.value.problems == [
        "line 3, column 1 (id): 's1' is already in 'Class' on line 2",
        "line 4, column 1 (id): is empty",
        "line 4, column 2 (first_name): is empty",
        "line 4, column 5 (readiness): '9' must be a whole number from 1 to 5",
        "line 5: 2 fields where the header has 5",
    ]
    assert str(error.value).startswith("class.csv: the roster was not imported")


def test_a_students_language_large_text_high_contrast_and_speech_come_from_their_own_columns():
    roster = parse_roster("id,first_name,last_name,language,large_text,high_contrast,speech\n"
                          "s1,Ana,Ortiz,ES,yes,,no\n"
                          "s2,Ben,Ng,,,,\n"
                          "s3,Olena,Kovalenko,uk,,x,1\n")
    assert [p.needs for p in roster.people] == [Needs("es", True, False, False), None,
                                                Needs("uk", False, True, True)]
    with pytest.raises(RosterError) as error:
        parse_roster("id,first_name,last_name,language,large_text\ns1,Ana,Ortiz,fr,maybe\n", "class.csv")
    assert error.value.problems == [
        "line 2, column 4 (language): 'fr' is not a kiosk language: one of en, es, uk",
        "line 2, column 5 (large_text): 'maybe' must be yes or no (or left empty)"]


def test_any_id_is_read_and_a_name_with_a_line_break_is_one_line():
    roster = parse_roster('id,first_name,last_name\n"urn:uuid:7 a@b",Jo\tAnn,"Lee\nSmith"\n')
    assert roster.people[0].sis_id == "urn:uuid:7 a@b"
    assert (roster.people[0].first_name, roster.people[0].last_name) == ("Jo Ann", "Lee Smith")


def test_a_wrong_header_is_refused():
    with pytest.raises(RosterError, match="line 1: missing column 'last_name'"):
        parse_roster("id,first_name,surname\ns1,Ana,Ortiz\n")
    with pytest.raises(RosterError, match="separated by semicolons"):
        parse_roster("id;first_name;last_name\ns1;Ana;Ortiz\n")


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"id,first_name,last_name\n\xff\xfe\x00")
    with pytest.raises(RosterError, match="not UTF-8"):
        read_roster(path)


def test_one_id_with_two_names_is_refused():
    with pytest.raises(RosterError) as error:
        parse_roster("id,first_name,last_name,class\ns1,Ana,Ortiz,P2\ns1,Anna,Ortiz,P3\n")
    assert error.value.problems == ["line 3, column 2 (first_name): 's1' has another name on line 2: one id, one "
                                    "student"]


def test_students_who_would_show_the_same_name_are_told_apart_with_more_of_their_last_name():
    from hub.roster import RosterStudent, display_names

    names = display_names([RosterStudent("a", "Chloé", "Smith"), RosterStudent("b", "Chloé", "Smith-Jones"),
                           RosterStudent("c", "Zoë", "Okafor"), RosterStudent("d", "Zoë", "Olsen"),
                           RosterStudent("e", "Maya", "Rivera"), RosterStudent("f", "Kai", "")])
    assert names == {"a": "Chloé Smith", "b": "Chloé Smith-J.", "c": "Zoë Ok.", "d": "Zoë Ol.", "e": "Maya R.",
                     "f": "Kai"}


def test_a_student_taken_out_of_a_class_list_leaves_every_row_of_theirs_and_the_rest_as_it_read():
    text = ('\ufeffId,first_name,last_name,class,group\n'
            's01,Maya,Rivera,Period 2,red\n'
            ' s05 ,Sofia,"Rossi, Jr.",Period 2,blue\n'
            's02,"Liam\nJames",Chen,Period 2,red\n'
            's05,Sofia,"Rossi, Jr.",Period 3,gold\n')
    left, removed = without_student(text, "s05")
    assert removed == 2 and "Rossi" not in left
    assert [(p.sis_id, p.first_name) for p in parse_roster(left).people] == [("s01", "Maya"), ("s02", "Liam James")]
    assert without_student(left, "s05") == (left, 0)  # not listed: the file stays as it is
    assert without_student("not,a,class,list\n1,2,3,4\n", "1") == ("not,a,class,list\n1,2,3,4\n", 0)
