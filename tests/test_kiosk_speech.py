"""Spoken prompts: every prompt has its sound, made ahead by espeak-ng, in every language; a kiosk with
speech on says a student's prompt as it shows it, and a student who has speech off hears nothing."""
import time
import wave
from array import array

import pytest

from kiosk.decide import Decision
from kiosk.speech import PAUSE_AFTER, QUIET, Speech, everything_said
from kiosk.view import KioskView
from kiosk.words import TEACHER, messages, teacher_words
from shared.config import load_config
from shared.languages import LANGUAGES
from shared.protocol import Needs
from tests.conftest import card, kiosk_on_screen, pump, room_changed, running_hub
from tests.test_kiosk_languages import screens

STATIONS = ("Teacher's Table", "Independent Practice", "Collaborative Project", "Tech Station", "Reading Nook")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_prompt_a_student_can_see_has_its_sound_in_every_language(language, tmp_path):
    said = everything_said(language, STATIONS + ("Collaborative Project",), ("Period 3 Science", "Period 2 Maths"))
    shown = {text for _, view in screens(language) for text in view.model().speech}
    assert shown and shown <= said, f"said but never made: {sorted(shown - said)}"
    teachers_only = {teacher_words(language).say(message) for message in set(messages(TEACHER)) - set(messages())
                     if "{" not in message}
    assert len(teachers_only) > 20 and not said & teachers_only, "the teacher's screen is never spoken"
    speech = Speech(tmp_path)
    started = time.perf_counter()
    speech.prepare(language, sorted(said))
    assert speech.wait(120), "the sounds were not made in two minutes"
    took = time.perf_counter() - started
    seconds = 0.0
    for text in said:
        with wave.open(str(speech.path(language, text))) as sound:
            rate = sound.getframerate()
            length = sound.getnframes() / rate
            samples = array("h", sound.readframes(sound.getnframes()))
        assert length > 0.3, f"{text!r} is {length:.2f} s of sound"
        quiet_at_end = next(n for n, sample in enumerate(reversed(samples)) if abs(sample) > QUIET) / rate
        assert quiet_at_end <= PAUSE_AFTER + 0.01, f"{text!r} ends in {quiet_at_end:.2f} s of quiet: a gap"
        seconds += length
    assert took < seconds / 5, f"{took:.1f} s to make {seconds:.0f} s of speech: not ahead of time"


def test_speech_follows_the_room_unless_the_student_has_their_own_setting():
    maya = Decision("welcome", "Hi {name}", "You're in the right place.", "s01", "Maya R.", "c")
    for room, needs, spoken in ((True, None, True), (True, Needs(speech=False), False), (False, None, False),
                                (False, Needs(speech=True), True)):
        view = KioskView("Reading Nook", speech=room)
        view.arrive(Decision(**{**maya.__dict__, "needs": needs}), None, 0.0)
        model = view.model()
        assert (model.speak, model.speech) == (spoken, ("Hi", "You're in the right place."))


def test_a_kiosk_with_speech_says_the_prompt_as_it_shows_it(tmp_path, broker, kivy_window):
    config = load_config(room_changed(tmp_path, broker.port, 'name = "Room 12"', 'name = "Room 12"\nspeech = true'))
    with running_hub(config), kiosk_on_screen(config, "reading-nook", kivy_window, tmp_path / "outbox.db") as (
            screen, core, presenter):
        pump(lambda: presenter._prepared_for, message="the prompts to be asked for")
        assert presenter.speech.wait(60), "the prompts' sounds"
        before = presenter.last_spoken_at
        flips: list[float] = []
        kivy_window.bind(on_flip=lambda *_: flips.append(time.perf_counter()))
        core.scan(card("s05"))
        pump(lambda: presenter.last_spoken_at != before, message="the prompt spoken")
        shown = min(flip for flip in flips if flip >= presenter.last_decision_at)  # the answer's frame
        assert 0 <= presenter.last_spoken_at - shown < 0.1  # within 100 ms of the screen
        assert screen.title == "Hi Sofia R."


def test_a_full_disk_costs_a_prompt_its_sound_only_until_there_is_room_again(tmp_path):
    """espeak-ng exits 0 when its file cannot be written: the kiosk must notice, keep no broken sound, and
    try again later. And sounds an older kiosk made another way are deleted, not kept forever."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "untrimmed.wav").write_bytes(b"RIFF")  # the layout before formats had folders
    speech = Speech(tmp_path)
    path = speech.path("en", "Hi")
    path.parent.mkdir(parents=True)
    path.with_suffix(".part").symlink_to("/dev/full")  # every write fails: a full disk
    assert speech.ready("en", "Hi") is None and speech.wait(30)
    assert not path.exists() and not path.with_suffix(".part").exists()
    assert not (tmp_path / "en").exists()
    assert speech.ready("en", "Hi") is None and speech.wait(30)  # room again: asked for, and made
    assert speech.ready("en", "Hi") == path
    speech.stop()
