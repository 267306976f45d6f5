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


def test_a_layout_written_with_a_key_too_few_is_refused_rather_than_typing_the_wrong_characters():
    import pytest

    from shared.keyboard_layouts import KeyboardLayout

    short = KeyboardLayout("broken", plain=("`1234567890-=", "qwertyuiop[", "asdfghjkl;'\\", "<zxcvbnm,./"),
                           shift=("~!@#$%^&*()_+", "QWERTYUIOP{}", 'ASDFGHJKL:"|', ">ZXCVBNM<>?"))
    with pytest.raises(ValueError):
        short.characters()
    rows_missing = KeyboardLayout("broken", plain=("`1234567890-=",), shift=("~!@#$%^&*()_+",))
    with pytest.raises(ValueError):
        rows_missing.characters()


def test_the_small_shared_helpers_say_what_they_are_for():
    from shared.palette import PALETTE, group_colour
    from shared.pictures import STATION_COLOURS, goal_pictures, rgba
    from shared.toml_literal import toml_value

    assert group_colour(0) == PALETTE[0] and group_colour(len(PALETTE) + 1) == PALETTE[1]  # it repeats
    assert rgba("teal") == (*STATION_COLOURS["teal"], 1.0) != rgba("slate")
    assert rgba("no such colour") == (*STATION_COLOURS["slate"], 1.0)
    assert goal_pictures(("Help a friend", "Fly", "Rest"), (), ("Finish what I start", "Try something hard",
                                                                "Help a friend")) == ("handshake", "flag", "flag")
    assert toml_value("Café “quoted”") == '"Café “quoted”"'  # readable in the file, as written
    assert (toml_value(True), toml_value(3), toml_value(2.5)) == ("true", "3", "2.5")
    import pytest

    with pytest.raises(TypeError):
        toml_value(object())
