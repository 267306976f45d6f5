"""A keyboard scanner's layouts and the names of the kiosk's languages: the data the kiosk and the teacher's pages
read them by. Pure."""


def test_a_keyboard_scanners_keys_type_each_layouts_characters_and_the_keypad_types_digits_on_all():
    from shared.keyboard_layouts import (
        ALTGR,
        KEY_KP5,
        KEY_Q,
        KEY_SPACE,
        KEY_Z,
        LAYOUTS,
        PLAIN,
        SHIFT,
    )

    us, de = LAYOUTS["us"].characters(), LAYOUTS["de"].characters()
    assert (us[(KEY_Q, PLAIN)], us[(KEY_Q, SHIFT)], us[(KEY_Z, PLAIN)]) == ("q", "Q", "z")
    assert (de[(KEY_Z, PLAIN)], de[(KEY_Z, SHIFT)]) == ("y", "Y")  # QWERTZ: z and y change places
    assert us[(KEY_KP5, PLAIN)] == de[(KEY_KP5, SHIFT)] == "5" and us[(KEY_SPACE, PLAIN)] == " "
    assert (KEY_Q, ALTGR) not in us  # nothing on the US layout's AltGr
    assert de[(KEY_Q, ALTGR)] == "@"
    for name, layout in LAYOUTS.items():
        typed = set(layout.characters().values())
        assert set("abcdefghijklmnopqrstuvwxyz0123456789.-_:") <= typed, name  # what a card needs


def test_a_language_is_named_in_its_own_words_for_the_teacher_choosing_it_and_in_english_for_the_hub():
    from shared.languages import english_name, language_name

    assert (language_name("es"), language_name("uk"), language_name("en")) == ("Español", "Українська", "English")
    assert (english_name("es"), english_name("uk")) == ("Spanish", "Ukrainian")
