"""The words a student or teacher reads, in their language: shared/languages.py. Pure."""
from shared.languages import ENGLISH, english_name, language_name


def test_words_without_values_are_kept_as_written_for_the_screen_to_fill_in_later():
    assert ENGLISH.say("{name}, where next?") == "{name}, where next?"
    assert ENGLISH.say("{name}, where next?", name="Maya R.") == "Maya R., where next?"
    assert ENGLISH.say("") == ""


def test_a_count_chooses_its_form_and_fills_in_the_other_values_too():
    assert ENGLISH.count("{n} student at {station}", "{n} students at {station}", 1, station="Art") == \
        "1 student at Art"
    assert ENGLISH.count("{n} student at {station}", "{n} students at {station}", 3, station="Art") == \
        "3 students at Art"


def test_a_language_is_named_in_its_own_words_for_its_speakers_and_in_english_for_the_teacher():
    assert (language_name("es"), language_name("uk"), english_name("es")) == ("Español", "Українська", "Spanish")
