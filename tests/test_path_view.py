""""My path" as data (kiosk/path_view.py): pure."""
import datetime as dt

from kiosk.path_view import (
    NOTHING_YET,
    OFFLINE,
    PATH_SECONDS,
    REFUSED,
    SHOWN_LESSONS,
    SHOWN_LESSONS_LARGE_TEXT,
    WAITING,
    WORDS_SAID,
    MyPath,
    PathOwner,
)
from kiosk.speech import everything_said
from kiosk.words import say_without_name, words
from shared.protocol import Needs, PathLesson, PathReply, PathVisit

TODAY = dt.date(2026, 11, 30)
NOON = dt.datetime(2026, 11, 30, 12).timestamp()
SOFIA = PathOwner("s05", "Sofia R.")
VISIT = PathVisit("tech", "Tech Station", "slate", "computer", ticket="got_it", next="Something harder")
LESSONS = tuple(PathLesson(NOON - days * 86400, (VISIT,)) for days in range(5))


def opened(owner=SOFIA) -> MyPath:
    path = MyPath()
    path.open(owner, 0.0)
    return path


def test_only_the_owners_path_is_shown_and_only_the_newest_lessons_that_fit():
    model = opened().model(PathReply("r1", "s05", LESSONS), True, "en", TODAY)
    assert model.title == "Sofia R., here is your path"
    assert [row.when for row in model.lessons] == ["Today", "Yesterday", "2 days ago", "3 days ago"][:SHOWN_LESSONS]
    assert [row.in_full for row in model.lessons] == [True, False, False, False]
    cell = model.lessons[0].cells[0]
    assert (cell.station, cell.ticket, cell.ticket_picture, cell.next, cell.next_picture) == (
        "Tech Station", "Got it!", "check_circle", "Something harder", "rocket_launch")
    lucas = opened().model(PathReply("r1", "s10", LESSONS), True, "en", TODAY)  # another student's: never
    assert (lucas.detail, lucas.lessons) == (WAITING, ())


def test_a_path_in_the_students_language_and_size():
    owner = PathOwner("s05", "Sofia R.", Needs(language="es", large_text=True, speech=True))
    model = opened(owner).model(PathReply("r1", "s05", LESSONS, goals_met=("Leer",)), True, "en", TODAY)
    assert (model.title, model.lessons[1].when, model.close) == ("Sofia R., este es tu camino", "Ayer", "Cerrar")
    assert len(model.lessons) == SHOWN_LESSONS_LARGE_TEXT and model.large_text and model.speak
    assert model.goals_met == "Metas cumplidas: Leer"
    assert model.speech[0] == "este es tu camino"  # said without the name


def test_waiting_offline_refused_and_empty_each_say_so():
    path = opened()
    assert path.model(None, True, "en", TODAY).detail == WAITING
    assert path.model(None, False, "en", TODAY).detail == OFFLINE
    assert path.model(PathReply("r1", refused="revoked card"), True, "en", TODAY).detail == REFUSED
    assert path.model(PathReply("r1", "s05"), True, "en", TODAY).detail == NOTHING_YET


def test_it_closes_after_a_while_without_a_tap():
    path = opened()
    path.touched(PATH_SECONDS - 1)
    assert not path.timed_out(PATH_SECONDS + 1) and path.is_open
    assert path.timed_out(2 * PATH_SECONDS) and not path.is_open and path.model(None, True, "en", TODAY) is None


def test_everything_my_path_says_is_made_ahead_in_every_language():
    for language in ("en", "es", "uk"):
        said = everything_said(language)
        assert {say_without_name(words(language), text) for text in WORDS_SAID} <= said


def test_two_lessons_today_are_today_and_earlier_today_and_a_room_files_goal_is_in_the_students_words():
    owner = PathOwner("s05", "Sofia R.", Needs(language="es"))
    lessons = (PathLesson(NOON + 3600, (VISIT,), goal="Finish what I start", goal_met=True),
               PathLesson(NOON, (VISIT,)), PathLesson(NOON - 86400, (VISIT,)))
    model = opened(owner).model(PathReply("r1", "s05", lessons, goals_met=("Finish what I start",)), True, "en",
                                TODAY)
    assert [row.when for row in model.lessons] == ["Hoy", "Hoy, más temprano", "Ayer"]
    assert model.lessons[0].goal == "Meta cumplida: Terminar lo que empiezo"
    assert model.goals_met == "Metas cumplidas: Terminar lo que empiezo"
