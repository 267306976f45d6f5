"""The conference note: the teacher taps a student's name on the map (or at a kiosk, behind its PIN) and
records a few tags and words, which go into the student's timeline (``conference_note``)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.popup import Popup
from kivy.uix.togglebutton import ToggleButton

from shared.languages import ENGLISH, N_, Words
from shared.protocol import NOTE_MOST_CHARACTERS, NOTE_MOST_TAGS, NOTE_TAGS

Builder.load_file(str(Path(__file__).with_name("note_popup.kv")))


class TagButton(ToggleButton):
    tag = StringProperty("")  # as stored, whatever the language shown


class NotePopup(Popup):
    student_id = StringProperty("")
    student_name = StringProperty("")
    hint = StringProperty("")
    cancel_label = StringProperty("")
    save_label = StringProperty("")

    def __init__(self, student_id: str, student_name: str, save, w: Words = ENGLISH, **kwargs) -> None:
        super().__init__(student_id=student_id, student_name=student_name,
                         title=w.say(N_("Conference note: {name}"), name=student_name),
                         hint=w.say(N_("What you noticed or agreed (optional)")),
                         cancel_label=w.say(N_("Cancel")), save_label=w.say(N_("Save note")), **kwargs)
        self._save = save
        self._w = w
        for tag in NOTE_TAGS:
            button = TagButton(tag=tag, text=w.say(tag), font_size="18sp")
            button.bind(state=self._limit_tags)
            self.ids.tags.add_widget(button)
        # What a note holds is all it takes: nothing typed or picked is refused after Save.
        self.ids.text.input_filter = self._limit_text

    def _limit_tags(self, *_) -> None:
        full = len(self.chosen_tags()) >= NOTE_MOST_TAGS
        for button in self.ids.tags.children:
            button.disabled = full and button.state != "down"

    def _limit_text(self, typed: str, from_undo: bool) -> str:
        return typed[:max(0, NOTE_MOST_CHARACTERS - len(self.ids.text.text))]

    def chosen_tags(self) -> list[str]:
        return [button.tag for button in reversed(self.ids.tags.children) if button.state == "down"]

    def save(self) -> None:
        text = self.ids.text.text.strip()
        if not text and not self.chosen_tags():
            self.hint = self._w.say(N_("Pick a tag or write a few words first"))
            return
        self._save(self.student_id, self.chosen_tags(), text)
        self.dismiss()
