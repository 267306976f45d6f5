"""The conference note: the teacher taps a student's name on the map and records a few tags and words,
which go into the student's timeline (``conference_note``)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.popup import Popup
from kivy.uix.togglebutton import ToggleButton

from shared.protocol import NOTE_TAGS

Builder.load_file(str(Path(__file__).with_name("note_popup.kv")))
TAGS = NOTE_TAGS


class NotePopup(Popup):
    student_id = StringProperty("")
    student_name = StringProperty("")

    def __init__(self, student_id: str, student_name: str, save, **kwargs) -> None:
        super().__init__(student_id=student_id, student_name=student_name, **kwargs)
        self._save = save
        for tag in TAGS:
            self.ids.tags.add_widget(ToggleButton(text=tag, font_size="18sp"))

    def chosen_tags(self) -> list[str]:
        return [button.text for button in reversed(self.ids.tags.children) if button.state == "down"]

    def save(self) -> None:
        text = self.ids.text.text.strip()
        if not text and not self.chosen_tags():
            self.ids.text.hint_text = "Pick a tag or write a few words first"
            return
        self._save(self.student_id, self.chosen_tags(), text)
        self.dismiss()
