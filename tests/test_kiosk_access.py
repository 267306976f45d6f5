"""A student with low vision: large text from their roster row, high contrast at a kiosk that has it."""
from kiosk.app import LARGE_TEXT
from shared.config import load_config
from tests.conftest import card, kiosk_on_screen, pump, room_changed, running_hub


def test_a_student_with_large_text_in_the_roster_gets_larger_words_and_the_next_student_does_not(
        room, hub, kivy_window, tmp_path):
    station = hub.room.snapshot(0.0).expected_station("s13").id  # Chloe: large_text in the sample roster
    with kiosk_on_screen(room, station, kivy_window, tmp_path / "outbox.db") as (screen, core, presenter):
        assert screen.scale == 1.0
        normal = screen.ids.title.font_size
        core.scan(card("s13"))
        pump(lambda: "Chloe D." in screen.title and screen.scale == LARGE_TEXT, message="large text for Chloe")
        assert screen.ids.title.font_size > normal
        presenter.view.clear()  # she walked off
        pump(lambda: screen.title == "Show your card" and screen.scale == 1.0, message="the usual size again")


def test_a_kiosk_with_high_contrast_shows_white_words_on_black_and_answers_black_on_white(
        tmp_path, broker, kivy_window):
    config = load_config(room_changed(tmp_path, broker.port, 'outbox = "outbox.db"',
                                   'outbox = "outbox.db"\nhigh_contrast = true'))
    with running_hub(config), \
            kiosk_on_screen(config, "reading-nook", kivy_window, tmp_path / "kiosk.db") as (screen, core, _):
        pump(lambda: list(screen.colour) == [0, 0, 0, 1], message="a black idle screen")
        core.scan(card("s05"))
        pump(lambda: screen.outcome == "ask:choice", message="Sofia's question")
        assert list(screen.colour) == [0, 0, 0, 1]
        buttons = screen.ids.choices.children
        assert buttons and all(list(b.background_color) == [1, 1, 1, 1] and list(b.color) == [0, 0, 0, 1]
                               for b in buttons)
