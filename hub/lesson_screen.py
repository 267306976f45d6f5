"""The display's dialogs (Kivy): the lesson screen (set up and start a lesson, or change the one running),
End (which waits for an answer: it never expires), the end-of-lesson summary, the teacher's PIN, and the
address of the teacher's web companion.
hub/lesson_form.py decides what the lesson screen sends."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import qrcode
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.popup import Popup

from edge.off_frame import off_frame
from hub.lesson_end import summary_lines
from hub.lesson_form import MINUTE_PICKS, PASSING_PICKS, LessonForm, preset_label
from shared.clock import LAST_TICKETS_SECONDS
from shared.protocol import LessonEnd, State

Builder.load_file(str(Path(__file__).with_name("lesson_screen.kv")))
Send = Callable[[Any, dict[str, Any]], None]


class PickButton(Button):
    """One choice of a row: the chosen one stands out."""
    chosen = BooleanProperty(False)
    scale = NumericProperty(1.0)


class LessonDialog(Popup):
    scale = NumericProperty(1.0)
    running = BooleanProperty(False)  # a lesson runs: the screen changes it
    minutes_text = StringProperty("")
    rounds_text = StringProperty("")
    described = StringProperty("")

    def __init__(self, state: State | None, scale: float, send: Send, **kwargs) -> None:
        super().__init__(scale=scale, **kwargs)
        self.state, self.send = state, send
        self.running = bool(state and state.clock.round)
        self.title = "Change the lesson" if self.running else "Start a lesson"
        self.form = LessonForm.for_state(state) if state is not None else None
        self.draw()

    def draw(self) -> None:
        state, form = self.state, self.form
        if state is None or form is None:
            self.described = "Waiting for the hub…"
            return
        ids = self.ids
        default_minutes = state.clock.duration / 60
        def picks(choices: list[tuple[str, bool, LessonForm]]) -> list[tuple[str, bool, Callable[[], None]]]:
            return [(text, chosen, partial(self._set, picked)) for text, chosen, picked in choices]

        self._row(ids.classes, [] if self.running else picks(
            [(preset_label(c, default_minutes), c.id == form.class_id, form.pick_class(state, c.id))
             for c in state.classes]))
        self._row(ids.minutes, picks([(f"{m}", form.minutes == m, form.with_minutes(m)) for m in MINUTE_PICKS]))
        self._row(ids.passing, picks([(f"{p}" if p else "none", form.passing == p, form.with_passing(p))
                                      for p in PASSING_PICKS]))
        self._row(ids.stations, picks([(s.name, s.id not in form.off, form.toggle_station(s.id, len(state.stations)))
                                       for s in state.stations]))
        self.minutes_text, self.rounds_text = f"{form.minutes:g} min", f"{form.rounds}"
        entry = next((c for c in state.classes if c.id == form.class_id), None)
        self.described = form.describe(entry.name if entry else "This class")

    def _row(self, row, choices: list[tuple[str, bool, Callable[[], None]]]) -> None:
        row.clear_widgets()
        for text, chosen, pick in choices:
            button = PickButton(text=text, chosen=chosen, scale=self.scale)
            button.bind(on_release=lambda _, pick=pick: pick())
            row.add_widget(button)

    def _set(self, form: LessonForm) -> None:
        self.form = form
        self.draw()

    def step_minutes(self, by: int) -> None:
        if self.form is not None:
            self._set(self.form.with_minutes(self.form.minutes + by))

    def step_rounds(self, by: int) -> None:
        if self.form is not None:
            self._set(self.form.with_rounds(self.form.rounds + by))

    def go(self) -> None:
        if self.state is None or self.form is None:
            return
        if self.running:
            change = self.form.change_args(self.state)
            if change:
                self.send("change_lesson", change)
        else:
            self.send("start", self.form.start_args())
        self.dismiss()


class EndDialog(Popup):
    """End asks, and waits for the answer: a teacher called away comes back to the same question."""
    scale = NumericProperty(1.0)
    question = StringProperty("")

    def __init__(self, class_name: str, scale: float, send: Send, **kwargs) -> None:
        super().__init__(scale=scale, **kwargs)
        self.send = send
        self.title = "End the lesson?"
        self.question = (f"End {class_name}? Every kiosk asks each student who scans how it went, for "
                         f"{LAST_TICKETS_SECONDS / 60:g} minute; then the lesson ends and its report is written.")

    def collect(self) -> None:
        self.send("end", {"collect": LAST_TICKETS_SECONDS})
        self.dismiss()

    def end_now(self) -> None:
        self.send("end", {})
        self.dismiss()


class SummaryDialog(Popup):
    """The end of the lesson, in counts the class may see, until the teacher closes it."""
    scale = NumericProperty(1.0)
    lines = StringProperty("")

    def __init__(self, ended: LessonEnd, scale: float, next_lesson: Callable[[], None], **kwargs) -> None:
        super().__init__(scale=scale, **kwargs)
        self.next_lesson = next_lesson
        self.show(ended)

    def show(self, ended: LessonEnd) -> None:
        self.title = f"{ended.class_name}: the lesson has ended"
        self.lines = "\n".join(summary_lines(ended))


def qr_texture(text: str) -> Texture:
    """A QR code as a texture a phone's camera reads off the screen: one texel a module, drawn unblurred."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    modules = code.get_matrix()
    size = len(modules)
    pixels = bytes(0 if dark else 255 for row in reversed(modules) for dark in row for _ in range(3))
    texture = Texture.create(size=(size, size), colorfmt="rgb")
    texture.blit_buffer(pixels, colorfmt="rgb", bufferfmt="ubyte")
    texture.mag_filter = texture.min_filter = "nearest"
    return texture


class DeviceDialog(Popup):
    """The web companion's address and its QR code, for the teacher's phone, tablet or laptop."""
    scale = NumericProperty(1.0)
    address = StringProperty("")

    def __init__(self, address: str, scale: float, **kwargs) -> None:
        super().__init__(scale=scale, address=address, **kwargs)
        self.ids.code.texture = qr_texture(address)


class PinDialog(Popup):
    """The teacher's PIN, for the private things on the wall map. ``check`` is slow on purpose (shared/pin.py):
    it runs off the drawing thread, the dialog saying it is checking."""
    scale = NumericProperty(1.0)
    message = StringProperty("Teacher's PIN")
    typed = StringProperty("")
    checking = BooleanProperty(False)

    def __init__(self, scale: float, check: Callable[[str], str | None], **kwargs) -> None:
        super().__init__(scale=scale, **kwargs)
        self.check = check
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "OK"):
            button = Button(text=key, font_size=28 * scale)
            button.bind(on_release=lambda _, k=key: self.press(k))
            self.ids.pad.add_widget(button)

    def press(self, key: str) -> None:
        if self.checking:
            return
        if key == "Clear":
            self.typed = ""
        elif key == "OK":
            typed, self.typed, self.checking = self.typed, "", True
            self.message = "Checking the PIN…"
            off_frame(lambda: self.check(typed), self._checked, name="display-pin")
        elif len(self.typed) < 8:
            self.typed += key

    def _checked(self, answer: str | None) -> None:
        self.checking = False
        if answer is None:
            self.message = "Unlocked for 5 minutes"
            Clock.schedule_once(lambda dt: self.dismiss(), 0.5)
        else:
            self.message = answer
