"""``rotation kiosk``: the Kivy app on a station's touchscreen."""
from __future__ import annotations

import datetime
import logging
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from edge import kivy_env

kivy_env.prepare(window_size=(800, 480), smooth_edges=False)

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.audio import Sound  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.metrics import sp  # noqa: E402
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty  # noqa: E402
from kivy.uix.button import Button  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402
from kivy.utils import escape_markup  # noqa: E402

from edge import pictures  # noqa: E402
from edge.heap import freeze_startup_objects  # noqa: E402
from edge.sounds import load_sound  # noqa: E402
from edge.widgets import FreshLabel  # noqa: E402,F401  (used in the .kv)
from kiosk.card_reader import reads_window_keys  # noqa: E402
from kiosk.choosing import choosing_left  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from kiosk.decide import Decision, checking_out, going_out  # noqa: E402
from kiosk.goal_reminder import reminder, reminders_said  # noqa: E402
from kiosk.moves import moves_from  # noqa: E402
from kiosk.path_panel import PathPanel, icon  # noqa: E402
from kiosk.path_view import PATH_PICTURE, MyPath, PathOwner, PathScreenModel  # noqa: E402
from kiosk.prompts import ASK, PEER, Option, Prompt, after_scan, new_goal, peer_prompt  # noqa: E402
from kiosk.scan_parsing import KeyboardWedge  # noqa: E402
from kiosk.scanners import ScannerThread  # noqa: E402
from kiosk.settings import settings_path  # noqa: E402
from kiosk.speech import Speech, everything_said  # noqa: E402
from kiosk.teacher import TeacherAccess  # noqa: E402
from kiosk.view import KioskScreenModel, KioskView  # noqa: E402
from kiosk.words import words  # noqa: E402
from shared.protocol import PickAnswer  # noqa: E402

if TYPE_CHECKING:
    from kiosk.teacher_panel import TeacherPanel

log = logging.getLogger("rotation.kiosk")
Builder.load_file(str(Path(__file__).with_name("kiosk_screen.kv")))


class OptionButton(Button):
    """One answer to a question: an icon and a word or two, big enough for a small finger. The question it
    answers is the one on screen when the finger goes down, whatever the screen shows when it lifts."""
    asked = ObjectProperty(None, allownone=True)


ICON_FONT = pictures.KIVY_FONT


class KioskScreen(Widget):
    __events__ = ("on_call_teacher", "on_open_teacher", "on_go_out", "on_done", "on_change_answer", "on_my_path",
                  "on_new_goal")
    clock_ink = ListProperty([1, 1, 1, 1])
    can_go_out = BooleanProperty(False)  # a student is on screen: the out-of-room pass is offered
    can_check_out = BooleanProperty(False)  # a student checked in here is on screen: "I'm done"
    can_open_path = BooleanProperty(False)  # a student greeted here or leaving is on screen: "My path"
    path_label = StringProperty("")
    notice = StringProperty("")  # the next student in line
    undo = StringProperty("")  # "Changed your mind?"
    teacher = BooleanProperty(False)  # the teacher's screen (behind a PIN) is offered
    help_label = StringProperty("I need help")
    done_label = StringProperty("")  # the buttons' words: the model's, in the language on screen
    go_out_label = StringProperty("")
    teacher_label = StringProperty("")
    help_waiting = BooleanProperty(False)
    asking = BooleanProperty(False)  # a question's buttons are showing
    scale = NumericProperty(1.0)  # of the words: LARGE_TEXT for a student (or kiosk) with large text
    picture = StringProperty("")  # a station's picture, large, on "go to" screens (its glyph)
    picture_font = StringProperty(ICON_FONT)
    station = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    clock = StringProperty("")
    status = StringProperty("")
    outcome = StringProperty("idle")
    colour = ListProperty([0, 0, 0, 1])
    goal = StringProperty("")  # an arriving student's goal, "Your goal: …"
    goal_picture = StringProperty("")  # its glyph
    last_time = StringProperty("")  # what they said at their last exit ticket here
    can_change_goal = BooleanProperty(False)
    new_goal_label = StringProperty("")
    # What a screen too crowded for 480 pixels leaves out, least needed first, until it fits: 1, the detail line;
    # 2, also the last visit here; 3, the question in smaller words. Back to 0 when the words change.
    squeeze = NumericProperty(0)

    def on_kv_post(self, base_widget) -> None:
        self.ids.main.bind(minimum_height=self._fit, height=self._fit)
        self.bind(title=self._unsqueeze, detail=self._unsqueeze, goal=self._unsqueeze, last_time=self._unsqueeze,
                  notice=self._unsqueeze, status=self._unsqueeze, scale=self._unsqueeze, asking=self._unsqueeze)

    def _unsqueeze(self, *_) -> None:
        self.squeeze = 0

    def _fit(self, *_) -> None:
        main = self.ids.main
        if main.minimum_height > main.height + 0.5 and self.squeeze < MOST_SQUEEZE:
            self.squeeze += 1

    def on_call_teacher(self) -> None:
        pass

    def on_open_teacher(self) -> None:
        pass

    def on_go_out(self) -> None:
        pass

    def on_done(self) -> None:
        pass

    def on_change_answer(self) -> None:
        pass

    def on_my_path(self) -> None:
        pass

    def on_new_goal(self) -> None:
        pass


ROUND_END_SOUND = Path(__file__).with_name("sounds") / "round-end.wav"
SPEECH_FOLDER = "speech"  # beside the outbox: the spoken prompts, made once
SPEAK_AFTER_SECONDS = 0.02  # a prompt is spoken a frame after it is shown
KEPT_SOUNDS = 4  # prompts kept loaded: the last screen's or two (each about 0.35 MB at the mixer's rate)
LARGE_TEXT = 1.3  # how much larger the words are in large-text mode (the layout test checks they still fit)
CONTRAST_BUTTON = ((1, 1, 1, 1), (0, 0, 0, 1))  # an answer's button in high contrast: black on white
MOST_SQUEEZE = 3
MOST_PEOPLE_DRAWN = 4  # places left drawn as people on a station's button; more show as four and "+" (a
# quarter of the screen's width holds four and the number on one line)


class KioskPresenter:
    """Connects a KioskCore to a KioskScreen: decisions from any thread are drawn on the next frame."""

    def __init__(self, core: KioskCore, screen: KioskScreen) -> None:
        self.core = core
        self.screen = screen
        kiosk = core.config.kiosk
        self.view = KioskView(core.station.name, core.config.language, kiosk.large_text, kiosk.high_contrast,
                              core.config.speech)
        self.speech = Speech(core.outbox.file.path.parent / SPEECH_FOLDER)
        self._said: tuple = ()  # the screen last spoken, so that it is said once
        self._prepared_for: tuple = ()
        self._prepared_from: object = object()  # the state last looked at (none yet, not even None)
        self._voice: list = []  # the sounds still to play, in order
        self._playing: Sound | None = None  # the sound playing now
        self._sounds: dict[Path, Sound] = {}  # loaded prompts, the least recently said first
        self.last_spoken_at = self.last_drawn_at = 0.0
        self.round_end_sound = load_sound(ROUND_END_SOUND)
        self._options_shown: tuple = ((), False)
        self.last_decision_at = 0.0
        self._suggested: Counter[str] = Counter()  # how often each classmate was suggested to help here

        self.last_pick_sent_at = self.last_pick_answered_at = 0.0
        self.scanner: ScannerThread | None = None
        core.listen(self._decided)
        core.pick_listeners.append(lambda answer: Clock.schedule_once(lambda dt: self.pick_answered(answer), 0))
        screen.bind(on_call_teacher=lambda screen: self.call_or_cancel_help())
        screen.bind(on_go_out=lambda screen: self.go_out())
        screen.bind(on_done=lambda screen: self.check_out())
        screen.bind(on_change_answer=lambda screen: self.change_answer())
        screen.bind(on_my_path=lambda screen: self.open_path())
        self.my_path = MyPath()
        self.path_panel: PathPanel | None = None  # built for the student on screen once their path came
        screen.bind(on_new_goal=lambda screen: self.choose_new_goal())
        self.teacher = TeacherAccess(core, settings_path(core.outbox.file.path))
        self.teacher_panel: TeacherPanel | None = None
        screen.teacher = self.teacher.enabled
        screen.bind(on_open_teacher=lambda screen: self.open_teacher_panel())
        core.change_listeners.append(lambda: Clock.schedule_once(self.refresh, 0))
        self.refresh()
        self._ticker = Clock.schedule_interval(self.refresh, 0.25)

    def open_teacher_panel(self) -> None:
        # Loaded at the first tap (a tenth of a second, once): 1.6 MB every kiosk would otherwise hold all day.
        from kiosk.teacher_panel import TeacherPanel

        self.teacher_panel = TeacherPanel(self.teacher)
        self.teacher_panel.open()

    def watch_scanner(self, scanner: ScannerThread) -> None:
        """Show on screen when the scanner (serial or camera) is unplugged, and when it is back."""
        self.scanner = scanner
        scanner.on_connected = lambda connected: Clock.schedule_once(self.refresh, 0)
        Clock.schedule_once(self.refresh, 0)  # it may have started (or failed to) before the screen

    def _decided(self, decision: Decision) -> None:
        Clock.schedule_once(lambda dt: self.show(decision), 0)  # 0, not -1: wakes an idle loop at once

    def show(self, decision: Decision) -> None:
        self.close_path()  # a scan: whoever it is, the path on screen (the last student's) goes at once
        now = time.monotonic()
        state = self.core.state
        progress = state.progress.get(decision.student_id) if state and decision.student_id else None
        standing = bool(state and decision.student_id in state.standing)
        self.view.arrive(decision, after_scan(decision, state, self.core.station.id), now,
                         has_goal=standing or bool(progress and progress.goal),
                         reminder=reminder(state, self.core.station.id, decision.student_id))
        self.refresh()
        self.last_decision_at = time.perf_counter()

    def answer(self, value: str | None, prompt: Prompt | None = None) -> None:
        """A tap on one of a question's buttons (None: Skip), for ``prompt``: the question on screen when the
        finger went down."""
        prompt = prompt or self.view.prompt
        if prompt is None:
            return
        if prompt.kind == PEER:
            taken = value == ASK
            self._call_teacher(prompt.card, prompt.peer, taken)
            self.view.peer_answered(prompt, taken, time.monotonic())
            self.refresh()
            return
        if prompt.kind == "pick" and value is not None:
            self.pick(prompt, value)
            return
        try:
            following = self.core.answer(prompt, value)
        except Exception:  # the student still gets an answer; the event is lost only if the disk is gone
            log.exception("kiosk %s could not record an answer", self.core.station.id)
            following = None
        self.view.answered(prompt, following, time.monotonic(), undoable=value is not None)
        self.refresh()

    def choose_new_goal(self) -> None:
        """The student on screen wants a new goal: the room's goals, the one they pick taking the old one's place."""
        decision = self.view.decision_on_screen()
        prompt = new_goal(decision, self.core.state) if decision is not None else None
        if decision is None or prompt is None:
            return
        self.view.show(decision, prompt, time.monotonic())
        self.refresh()

    def pick(self, prompt: Prompt, station_id: str) -> None:
        """A choice round: the student tapped a station; the hub is asked for the place."""
        if prompt is not self.view.prompt:
            return  # the question left the screen while the finger was down: a place is asked for only on sight
        try:
            event = self.core.pick(prompt.card, station_id)
        except Exception:  # the board will say where they go
            log.exception("kiosk %s could not send a pick", self.core.station.id)
            return
        station = self.core.state.station(station_id) if self.core.state else None
        self.view.saving(prompt, event.id, station.name if station else station_id, time.monotonic())
        self.refresh()
        self.last_pick_sent_at = time.perf_counter()

    def pick_answered(self, answer: PickAnswer) -> None:
        if self.view.pick_answered(answer, self.core.state, time.monotonic()):
            self.refresh()
            self.last_pick_answered_at = time.perf_counter()

    def change_answer(self) -> None:
        self.view.change_answer(time.monotonic())
        self.refresh()

    def go_out(self) -> None:
        """The student on screen takes the out-of-room pass."""
        decision = self.view.decision_on_screen()
        if decision is None or decision.card is None:
            return
        try:
            self.core.go_out(decision.card)
        except Exception:  # the student still gets an answer; the event is lost only if the disk is gone
            log.exception("kiosk %s could not record an out-of-room pass", self.core.station.id)
        self.view.show(going_out(decision), None, time.monotonic())
        self.refresh()

    def check_out(self) -> None:
        """The student on screen says "I'm done": checked out at once, then asked how it went."""
        decision = self.view.decision_on_screen()
        if decision is None or decision.card is None or not decision.may_check_out:
            return
        try:
            self.core.check_out(decision.card)
        except Exception:  # the student still gets an answer; the event is lost only if the disk is gone
            log.exception("kiosk %s could not record a check-out", self.core.station.id)
        leaving = checking_out(decision)
        self.view.show(leaving, after_scan(leaving, self.core.state, self.core.station.id), time.monotonic())
        self.refresh()

    def call_or_cancel_help(self) -> None:
        """Calls the teacher, or takes the call back; first, if the hub names a classmate here who got it,
        suggests asking them (the call then goes with the answer, or when the question goes unanswered)."""
        offer = self.view.peer_offer_on_screen()
        if offer is not None:  # pressed again over "Ask Maya?": the teacher, now (unanswered)
            self.view.put_aside_offer(time.monotonic())
        elif self.core.help_waiting():
            try:
                self.core.cancel_help()
            except Exception:  # the button must answer even if the outbox cannot take it
                log.exception("kiosk %s could not take a call for help back", self.core.station.id)
        else:
            asker = self.view.decision_on_screen()
            offer = peer_prompt(self.core.state, self.core.station.id, asker, self._suggested)
            if offer is not None and offer.peer is not None:
                self._suggested[offer.peer] += 1
                self.view.offer_peer(offer, time.monotonic())
            else:
                self._call_teacher(asker.card if asker else None)
        self.refresh()

    def _call_teacher(self, card: str | None, peer: str | None = None, taken: bool | None = None) -> None:
        try:
            self.core.ask_help(card, peer, taken)
        except Exception:  # the button must answer even if the outbox cannot take the call
            log.exception("kiosk %s could not record a call for help", self.core.station.id)

    # "My path"
    def open_path(self) -> None:
        """The student on screen tapped "My path": theirs, if the hub's answer is here, else "one moment"."""
        decision = self.view.decision_on_screen()
        if decision is None or not decision.shows_path or decision.student_id is None or decision.card is None:
            return
        if not self.core.path_asked_for(decision.student_id):  # asked for another since (a student in line)
            self.core.ask_path(decision.student_id, decision.card)
        self.my_path.open(PathOwner(decision.student_id, decision.name or "", decision.needs), time.monotonic())
        self.view.hold()
        self._draw_path()

    def close_path(self) -> None:
        if not self.my_path.is_open and self.path_panel is None:
            return
        if self.my_path.is_open:
            self.view.resume(time.monotonic())
        self.my_path.close()
        panel, self.path_panel = self.path_panel, None
        if panel is not None and panel.parent is not None:
            self.screen.remove_widget(panel)
            self.screen.add_widget(self.screen.ids.main)
            self._said = ()

    def _path_model(self, owner: PathOwner | None = None) -> PathScreenModel | None:
        kiosk = self.core.config.kiosk
        path = MyPath()
        if owner is not None:
            path.open(owner, 0.0)
        shown = path if owner is not None else self.my_path
        student = shown.owner.student_id if shown.owner else ""
        return shown.model(self.core.path_of(student), self.core.online, self.view.language,
                           datetime.date.fromtimestamp(self.core.hub_now()), kiosk.large_text, kiosk.high_contrast,
                           self.view.speech)

    def _panel_for(self, model: PathScreenModel) -> PathPanel:
        """The panel of this model: the one built already, or a new one."""
        if self.path_panel is not None and self.path_panel.model == model:
            return self.path_panel
        panel = PathPanel(model, LARGE_TEXT if model.large_text else 1.0, size=self.screen.size,
                          pos=self.screen.pos, size_hint=(None, None))
        panel.bind(on_close=lambda panel: self.close_path(),
                   on_touched=lambda panel: self.my_path.touched(time.monotonic()))
        if self.path_panel is not None and self.path_panel.parent is not None:
            self.screen.remove_widget(self.path_panel)
            self.screen.add_widget(panel)
        self.path_panel = panel
        return panel

    def _draw_path(self) -> None:
        model = self._path_model()
        if model is None:
            return
        panel = self._panel_for(model)
        if panel.parent is None:
            self.screen.remove_widget(self.screen.ids.main)
            self.screen.add_widget(panel)
        self._say(("path", model.title, model.detail), model.language, model.speak, model.speech)

    def _follow_path(self) -> None:
        """Each refresh: close the path after a while without a tap; fill it in when the answer comes; build it
        ahead for the student on screen once theirs is here; hold none when nobody is on screen."""
        if self.my_path.timed_out(time.monotonic()):
            self.close_path()
        if self.my_path.is_open:
            self._draw_path()
            return
        on_screen = self.view.decision_on_screen()
        if on_screen is None or on_screen.student_id is None or not on_screen.shows_path:
            self.path_panel = None
            return
        if self.core.path_of(on_screen.student_id) is not None:
            model = self._path_model(PathOwner(on_screen.student_id, on_screen.name or "", on_screen.needs))
            if model is not None:
                self._panel_for(model)

    def _ask_path_ahead(self) -> None:
        """The path of the student on screen is asked for as soon as they are (after the frame's drawing), so it
        is here when they tap; with nobody on screen, the kiosk holds none."""
        on_screen = self.view.decision_on_screen()
        if on_screen is None:
            self.core.forget_path()
        elif on_screen.shows_path and on_screen.student_id is not None and on_screen.card is not None \
                and not self.core.path_asked_for(on_screen.student_id):
            self.core.ask_path(on_screen.student_id, on_screen.card)

    def refresh(self, *_) -> None:
        state = self.core.state
        if state is not None and self.view.round_is(state.clock.round, moves_from(state, self.core.station.id),
                                                    time.monotonic()) and self.round_end_sound:
            self.round_end_sound.play()
        self.view.update(time.monotonic(), self.core.time_left(), self.core.connected, self.core.hub_online,
                         self.scanner is None or self.scanner.connected, self.core.help_waiting(),
                         self.core.storage_full, self.core.phase(), self.core.moving_left(),
                         self.scanner is not None and self.scanner.set_up_wrong,
                         choosing_left(state, self.core.hub_now()), self.core.kept_off)
        unanswered = self.view.unanswered_offer()
        if unanswered is not None:  # "Ask Maya?" went unanswered: the teacher is called all the same
            self._call_teacher(unanswered.card, unanswered.peer)
            self.view.help_waiting = self.core.help_waiting()
        self._prepare(state)
        self._follow_path()
        if self.my_path.is_open:
            return
        model = self.view.model()
        self.draw(model)
        self._ask_path_ahead()
        if model.speak:  # after the answer's frame (0 would run before it): a sound's loading must not hold it up
            Clock.schedule_once(lambda dt: self.say(model), SPEAK_AFTER_SECONDS)
        else:
            self.say(model)  # a screen that is not spoken stops the one before (and is not said later)

    def _prepare(self, state) -> None:
        """The words of the room's language and each student's, read as they appear (never at a scan), and,
        with speech, every prompt in them, made in the background."""
        if state is self._prepared_from:
            return  # refreshed without a new state (the clock's tick, a scan): nothing new to prepare
        self._prepared_from = state
        languages = {self.view.language} | {s.language for s in (state.students.values() if state else ())
                                            if s.language}
        stations = tuple(s.name for s in state.stations) if state else ()
        classes = tuple(c.name for c in state.classes) if state else ()
        speaking = self.view.speech or bool(state and any(s.needs and s.needs.speech
                                                          for s in state.students.values()))
        goals = reminders_said(state, self.core.station.id, self.view.language) if speaking else {}
        wanted = (tuple(sorted(languages)), stations, classes, speaking)
        if speaking:  # the students' goals and last visits here, as they change
            for language, texts in goals.items():
                self.speech.prepare(language, sorted(texts))
        if wanted == self._prepared_for:
            return
        self._prepared_for = wanted
        for language in sorted(languages):
            words(language)
            if speaking:
                self.speech.prepare(language, sorted(everything_said(language, stations, classes)))

    def say(self, model: KioskScreenModel) -> None:
        """A new screen's prompt, aloud, if speech is on for it: its sounds are made ahead, else it stays quiet."""
        self._say((model.outcome, model.title, model.detail), model.language, model.speak, model.speech)

    def _say(self, key: tuple, language: str, speak: bool, speech: tuple[str, ...]) -> None:
        if key == self._said:
            return
        self._said = key
        self._hush()
        if not (speak and speech):
            return
        paths = [self.speech.ready(language, text) for text in speech]
        self._voice = [sound for path in paths if path and (sound := self._sound(path))]
        self._play_next()

    def _sound(self, path: Path):
        """The prompt's sound, kept for the next student, who often hears the same few prompts; the least
        recently said is unloaded (a sound dropped without ``unload`` stayed in memory: 16 MB after 2,000 scans)."""
        sound = self._sounds.pop(path, None) or load_sound(path, quiet=True)
        if sound is not None:
            self._sounds[path] = sound  # the most recent last
            while len(self._sounds) > KEPT_SOUNDS:
                self._sounds.pop(next(iter(self._sounds))).unload()
        return sound

    def _hush(self) -> None:
        """Stop what is being said: the screen it was for has gone."""
        self._voice = []
        playing, self._playing = self._playing, None
        if playing is not None:
            playing.unbind(on_stop=self._play_next)
            playing.stop()

    def _play_next(self, *_) -> None:
        if self._playing is not None:
            self._playing.unbind(on_stop=self._play_next)
            self._playing = None
        if not self._voice:
            return
        playing = self._playing = self._voice.pop(0)
        playing.bind(on_stop=self._play_next)
        playing.play()
        self.last_spoken_at = time.perf_counter()

    def draw(self, model: KioskScreenModel) -> None:
        self.last_drawn_at = time.perf_counter()
        s = self.screen
        s.station, s.title, s.detail, s.clock, s.status, s.outcome, s.help_waiting = (
            model.station, model.title, model.detail, model.clock, model.status, model.outcome, model.help_waiting)
        s.help_label = (f"{model.help}\n[size={int(sp(16))}]{model.help_hint}[/size]" if model.help_hint
                        else model.help)
        s.colour = list(model.colour)
        s.clock_ink = list(model.clock_ink)
        s.can_go_out, s.can_check_out, s.notice, s.undo = (model.can_go_out, model.can_check_out, model.notice,
                                                           model.undo)
        s.done_label, s.go_out_label, s.teacher_label = model.buttons.done, model.buttons.go_out, model.buttons.teacher
        s.can_open_path = model.can_open_path
        s.path_label = f"{icon(PATH_PICTURE, sp(28))} {escape_markup(model.buttons.path)}"
        s.goal, s.goal_picture, s.last_time = model.goal, pictures.glyph(model.goal_picture), model.last_time
        s.can_change_goal, s.new_goal_label = model.can_change_goal, model.buttons.new_goal
        s.scale = LARGE_TEXT if model.large_text else 1.0
        s.picture = pictures.glyph(model.picture)
        s.asking = bool(model.options)
        skip = model.buttons.skip if model.skippable else None
        looks = (model.options, skip, s.scale, model.high_contrast)
        if model.options and looks != self._options_shown:
            # Built only when the question changes: the same question for the next student costs nothing.
            self._options_shown = looks
            self._show_options(model.options, skip, s.scale, model.high_contrast)

    def _show_options(self, options: tuple[Option, ...], skip_label: str | None, scale: float = 1.0,
                      contrast: bool = False) -> None:
        row = self.screen.ids.choices
        row.clear_widgets()
        crowded = len(options) + bool(skip_label) > 4  # four goals and Skip: smaller words, still whole
        icon_size = int(sp(34 if crowded else 40) * scale)
        for option in options:
            picture = pictures.glyph(option.picture)
            button = OptionButton(text=(f"[font={ICON_FONT}][size={icon_size}]{picture}[/size][/font]\n"
                                        if picture else "") + escape_markup(option.label)
                                  + self._places(option.places, int(icon_size * 0.6)),
                                  font_size=sp(19 if crowded else 22) * scale)
            if contrast:
                button.background_color, button.color = CONTRAST_BUTTON
            elif option.colour:
                button.background_color = option.colour
            button.bind(on_press=self._pressed,
                        on_release=lambda pressed, value=option.value: self.answer(value, pressed.asked))
            row.add_widget(button)
        if skip_label:
            skip = OptionButton(text=skip_label, size_hint_x=0.5, background_color=(1, 1, 1, 0.25),
                                font_size=sp(19 if crowded else 22) * scale)
            skip.bind(on_press=self._pressed, on_release=lambda pressed: self.answer(None, pressed.asked))
            row.add_widget(skip)

    @staticmethod
    def _places(places: int | None, size: int) -> str:
        """A choice round's places left, as a row of little people (and the number, for those who count)."""
        if places is None:
            return ""
        person = pictures.glyph("person")
        if not person:
            return f"\n{places}"
        people = person * min(places, MOST_PEOPLE_DRAWN)
        more = "+" if places > MOST_PEOPLE_DRAWN else ""  # in the words' font: the pictures' has no "+"
        return f"\n[font={ICON_FONT}][size={size}]{people}[/size][/font]{more} {places}"

    def _pressed(self, button: OptionButton) -> None:
        button.asked = self.view.prompt

    def close(self) -> None:
        self._ticker.cancel()
        self.speech.stop()


class KeyboardWedgeInput:
    """Feeds Window key events from a USB keyboard-wedge scanner to the kiosk."""

    def __init__(self, core: KioskCore) -> None:
        self.core = core
        self.wedge = KeyboardWedge()
        Window.bind(on_textinput=self._typed, on_key_down=self._key)

    def _typed(self, window, text: str) -> None:
        self.wedge.type(text, time.monotonic())

    def _key(self, window, key: int, scancode, codepoint, modifiers) -> bool:
        if key in (13, 271):  # Enter, keypad Enter
            text = self.wedge.enter()
            if text is None:
                self.core.unreadable()
            elif text:
                self.core.scan(text)
            return True
        return False

    def close(self) -> None:
        Window.unbind(on_textinput=self._typed, on_key_down=self._key)


class KioskApp(App):
    """The kiosk's window, over a core and a card reader already started (``run``)."""

    def __init__(self, core: KioskCore, scanner: ScannerThread | None = None, keyboard_wedge: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.core, self.scanner, self.keyboard_wedge = core, scanner, keyboard_wedge
        self.title = f"Rotation Station · {core.station.name}"

    def build(self) -> KioskScreen:
        screen = KioskScreen()
        self.presenter = KioskPresenter(self.core, screen)
        if self.keyboard_wedge:
            self.wedge = KeyboardWedgeInput(self.core)
        if self.scanner:
            self.presenter.watch_scanner(self.scanner)
        return screen

    def on_start(self) -> None:
        freeze_startup_objects()
        Window.bind(on_flip=self._first_frame)
        kivy_env.finish_each_frame(Window)

    def _first_frame(self, window) -> None:
        window.unbind(on_flip=self._first_frame)
        log.info("kiosk %s ready: first frame drawn", self.core.station.id)

    def on_stop(self) -> None:
        if self.scanner:
            self.scanner.stop()
        self.core.stop()


def run(core: KioskCore, scanner: ScannerThread | None, fullscreen: bool = False) -> None:
    """The window for a started core and card reader; stops both when it closes."""
    from kivy.config import Config as KivyConfig

    if fullscreen:
        Window.fullscreen = "auto"
    else:
        Window.size = (800, 480)
    KivyConfig.set("kivy", "exit_on_escape", "0")
    KioskApp(core, scanner, reads_window_keys(core.config.kiosk)).run()
