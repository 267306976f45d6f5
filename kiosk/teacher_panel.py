"""The teacher's screen on a kiosk: a PIN pad, then a conference note for a student here, the kiosk's
station, and the hub's address (kiosk/teacher.py does the work). In the room's language, like the kiosk.
The PIN is checked off the drawing thread (it takes about a second on a Pi); closing the screen locks it."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.popup import Popup
from kivy.uix.textinput import TextInput

from edge.note_popup import NotePopup
from edge.off_frame import off_frame
from kiosk.teacher import NEW_PIN_NEEDED, Refused, TeacherAccess
from kiosk.words import teacher_words
from shared.languages import N_
from shared.pin import Attempt

Builder.load_file(str(Path(__file__).with_name("teacher_panel.kv")))
CLEAR, OK = "clear", "ok"
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", CLEAR, "0", OK)
KEY_LABELS = {CLEAR: N_("Clear"), OK: N_("OK")}
PIN_PROMPT = N_("Teacher's PIN")


class KeyButton(Button):
    key = StringProperty("")  # what the key does, whatever its label says


class TeacherPanel(Popup):
    message = StringProperty("")
    trouble = BooleanProperty(False)
    unlocked = BooleanProperty(False)
    checking = BooleanProperty(False)  # the PIN typed is being checked: the pad waits
    notes_label = StringProperty("")
    station_label = StringProperty("")
    hub_label = StringProperty("")
    close_label = StringProperty("")

    def __init__(self, access: TeacherAccess, **kwargs) -> None:
        self.w = teacher_words(access.core.config.language)
        say = self.w.say
        super().__init__(title=say(N_("Teacher")), notes_label=say(N_("Conference note")),
                         station_label=say(N_("Station")), hub_label=say(N_("Hub address")),
                         close_label=say(N_("Close")), message=say(PIN_PROMPT), **kwargs)
        self.access = access
        self.typed = ""
        self.closed = False
        self.note_popup: NotePopup | None = None
        self._show_pin_pad()

    def _say(self, text: str, trouble: bool = False) -> None:
        self.message, self.trouble = text, trouble

    def _refused(self, refusal: Refused) -> None:
        self._say(refusal.said(self.w), trouble=True)

    def _body(self, widget) -> None:
        self.ids.body.clear_widgets()
        self.ids.body.add_widget(widget)

    # The PIN
    def _show_pin_pad(self) -> None:
        pad = GridLayout(cols=3, spacing=8)
        for key in KEYS:
            button = KeyButton(key=key, text=self.w.say(KEY_LABELS.get(key, key)), font_size="28sp")
            button.bind(on_release=lambda _, k=key: self.press(k))
            pad.add_widget(button)
        self._body(pad)

    def press(self, key: str) -> None:
        if self.checking:
            return
        if key == CLEAR:
            self.typed = ""
        elif key == OK:
            typed, self.typed, self.checking = self.typed, "", True
            self._say(self.w.say(N_("Checking the PIN…")))
            off_frame(lambda: self.access.try_pin(typed), self._checked, name="teacher-pin")
            return
        elif len(self.typed) < 8:
            self.typed += key
        self._say("•" * len(self.typed) or self.w.say(PIN_PROMPT))

    def _checked(self, attempt: Attempt) -> None:
        self.checking = False
        if self.closed:  # closed while the PIN was checked: it stays locked
            self.access.lock()
            return
        if attempt.ok:
            self.unlocked = True
            self._say(self.w.say(N_("Unlocked: what would you like to do?")))
            self._body(Label(text=self._kiosk_problem() or self.w.say(N_("Pick one below.")), font_size="20sp",
                             halign="center", text_size=(self.width * 0.85, None)))
            return
        self._say(attempt.said(self.w), trouble=True)

    def on_dismiss(self) -> None:
        """Locked again: the teacher's key is forgotten."""
        self.closed = True
        self.access.lock()

    def _kiosk_problem(self) -> str:
        """What is wrong with this kiosk's own set-up, for the teacher (or the technician) to put right."""
        core = self.access.core
        if self.access.old_pin:
            return self.w.say(NEW_PIN_NEEDED)
        if core.scanner_speed is None:
            return ""
        return self.w.say(N_("The card scanner reads at {speed} baud, not the {configured} this kiosk's room file "
                             "says: set serial_baud = {speed} in its [kiosk] section."),
                          speed=core.scanner_speed, configured=core.config.kiosk.serial_baud)

    # What a teacher may do
    def show_notes(self) -> None:
        students = self.access.students_here()
        if not students:
            self._say(self.w.say(N_("Nobody is checked in here yet.")), trouble=True)
            return
        grid = GridLayout(cols=3, spacing=8)
        for student_id, name in students:
            button = Button(text=name, font_size="20sp")
            button.bind(on_release=lambda _, s=student_id, n=name: self._note_for(s, n))
            grid.add_widget(button)
        self._say(self.w.say(N_("Whose conference?")))
        self._body(grid)

    def _note_for(self, student_id: str, name: str) -> None:
        def save(student, tags, text):
            try:
                self.access.conference_note(student, tags, text)
            except Refused as refusal:
                self._refused(refusal)
                return
            self._say(self.w.say(N_("Note saved for {name}"), name=name))
        self.note_popup = NotePopup(student_id, name, save, self.w)
        self.note_popup.open()

    def show_stations(self) -> None:
        grid = GridLayout(cols=2, spacing=8)
        for station in self.access.core.config.stations:
            if station.kiosk:
                current = station.id == self.access.core.station.id
                label = self.w.say(N_("{station} (this kiosk)"), station=station.name) if current else station.name
                button = Button(text=label, font_size="20sp", disabled=current)
                button.bind(on_release=lambda _, s=station.id: self._move_to(s))
                grid.add_widget(button)
        self._say(self.w.say(N_("Which station is this kiosk?")))
        self._body(grid)

    def _move_to(self, station: str) -> None:
        try:
            target = self.access.move_to_station(station)
        except Refused as refusal:
            self._refused(refusal)
            return
        self._say(self.w.say(N_("This kiosk will be {station} once it restarts."), station=target.name))
        self._offer_restart()

    def show_broker(self) -> None:
        broker = self.access.core.config.broker
        form = BoxLayout(spacing=8, size_hint_y=None, height=56)
        host = TextInput(text=broker.host, font_size="22sp", multiline=False)
        port = TextInput(text=str(broker.port), font_size="22sp", multiline=False, input_filter="int",
                         size_hint_x=0.3)
        save = Button(text=self.w.say(N_("Save")), font_size="22sp", size_hint_x=0.3)
        save.bind(on_release=lambda _: self._set_broker(host.text, port.text))
        for widget in (host, port, save):
            form.add_widget(widget)
        column = BoxLayout(orientation="vertical")
        column.add_widget(form)
        column.add_widget(Label())
        self._say(self.w.say(N_("The hub's address and port")))
        self._body(column)

    def _set_broker(self, host: str, port: str) -> None:
        try:
            address = self.access.set_broker(host, port)
        except Refused as refusal:
            self._refused(refusal)
            return
        self._say(self.w.say(N_("The kiosk will look for the hub at {address} once it restarts."), address=address))
        self._offer_restart()

    def _offer_restart(self) -> None:
        restart = Button(text=self.w.say(N_("Restart the kiosk now")), font_size="22sp", size_hint_y=None,
                         height=64)
        restart.bind(on_release=lambda _: self.restart())
        self._body(restart)

    def restart(self) -> None:
        """Quit: the kiosk's service starts it again at once, with the new settings."""
        app = App.get_running_app()
        if app is not None:
            app.stop()
