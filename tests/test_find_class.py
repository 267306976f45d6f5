"""Which class a teacher means, and which the timetable says is on (hub/classes.py). Pure."""
import datetime as dt
from dataclasses import dataclass

import pytest

from hub.classes import due_class, find_class
from shared.config import PeriodConfig


@dataclass(frozen=True)
class Klass:
    id: str
    sis_id: str
    title: str
    code: str
    name: str = ""


CLASSES = (Klass("c1", "SIS-001", "Period 1 Maths", "MATH1"), Klass("c2", "SIS-002", "Period 2 Reading", "READ2"),
           Klass("c3", "SIS-003", "Period 2 Reading", "READ3"))


def test_a_class_is_found_by_its_id_school_id_code_or_title_in_any_case_the_id_first():
    assert find_class("c1", CLASSES).id == "c1"
    assert find_class(" sis-002 ", CLASSES).id == "c2"
    assert find_class("read3", CLASSES).id == "c3"
    assert find_class("PERIOD 1 MATHS", CLASSES).id == "c1"
    clash = (Klass("c9", "SIS-9", "Art", "c1"), *CLASSES)  # a code that is another class's id: the id wins
    assert find_class("c1", clash).id == "c1"


def test_a_name_two_classes_share_or_none_has_is_refused_naming_the_classes():
    with pytest.raises(ValueError) as shared:
        find_class("Period 2 Reading", CLASSES)
    assert str(shared.value) == "'Period 2 Reading' is the name of 2 classes: use the id of one, c2, c3"
    with pytest.raises(ValueError) as unknown:
        find_class("Science", CLASSES)
    assert str(unknown.value) == ("there is no class 'Science' in this room; its classes are: c1 (Period 1 Maths); "
                                  "c2 (Period 2 Reading); c3 (Period 2 Reading)")
    with pytest.raises(ValueError, match="its classes are: none: import a roster"):
        find_class("c1", ())


def test_the_class_due_is_the_one_whose_period_is_on_from_its_start_to_just_before_its_end():
    periods = (PeriodConfig("gone", ("mon",), "08:00", "09:00"),  # a class the roster no longer has: skipped
               PeriodConfig("MATH1", ("mon", "wed"), "08:30", "09:20"),
               PeriodConfig("c2", ("tue",), "10:00", "10:50"))
    monday = dt.datetime(2026, 11, 30, 8, 30)  # a Monday
    assert due_class(periods, CLASSES, monday) == "c1"
    assert due_class(periods, CLASSES, monday.replace(hour=9, minute=19)) == "c1"
    assert due_class(periods, CLASSES, monday.replace(hour=9, minute=20)) is None  # its end: over
    assert due_class(periods, CLASSES, monday.replace(hour=8, minute=29)) is None
    assert due_class(periods, CLASSES, monday + dt.timedelta(days=1, hours=1, minutes=30)) == "c2"
    assert due_class(periods, CLASSES, monday + dt.timedelta(days=3)) is None  # Thursday: nothing
