"""``rotation hub display``: the teacher's live room map (Kivy)."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge import kivy_env

kivy_env.prepare(window_size=(1280, 720))

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.popup import Popup  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402
from kivy.utils import escape_markup  # noqa: E402

from edge import pictures  # noqa: E402
from edge.heap import freeze_startup_objects  # noqa: E402
from edge.sounds import load_sound  # noqa: E402
from edge.widgets import FittingLabel, FreshLabel  # noqa: E402,F401  (used in the .kv)
from hub.display_link import DisplayLink, is_action  # noqa: E402
from hub.lesson_screen import DeviceDialog, EndDialog, LessonDialog, PinDialog, SummaryDialog  # noqa: E402
from hub.mapview import (  # noqa: E402
    BELONGS_AT,
    CHOICE_ROUND,
    NOT_MOVED,
    HelpLine,
    NameTag,
    RoomMap,
    Tile,
    problem_label,
)
from hub.private_mode import PrivateMode  # noqa: E402
from hub.report import TICKET_COLOURS  # noqa: E402
from shared.pictures import rgba  # noqa: E402
from shared.pin import NEW_PIN_ADVICE  # noqa: E402

if TYPE_CHECKING:
    from hub.regroup_screen import RegroupPresenter
    from shared.protocol import Action

log = logging.getLogger("rotation.display")
Builder.load_file(str(Path(__file__).with_name("room_map.kv")))

KIOSK_LABELS = {  # words, ink and the pill behind them
    "online": ("kiosk online", (1, 1, 1, 1), (0, 0, 0, 0)),
    "offline": ("KIOSK OFFLINE", (0.2, 0.1, 0.0, 1), (1, 0.8, 0.3, 1)),
    "full": ("STORAGE FULL", (0.2, 0.1, 0.0, 1), (1, 0.6, 0.4, 1)),
    "speed": ("SCANNER SPEED", (0.2, 0.1, 0.0, 1), (1, 0.8, 0.3, 1)),  # the alert line says which to set
    "none": ("no kiosk", (1, 1, 1, 1), (0, 0, 0, 0)),
}
CHIP_STYLES = {"here": ((0.85, 0.93, 0.85, 1), (0.08, 0.25, 0.08, 1)),
               "wrong": ((1.0, 0.78, 0.35, 1), (0.33, 0.18, 0.0, 1)),
               "stale": ((0.99, 0.9, 0.7, 1), (0.4, 0.2, 0.0, 1)),  # not moved yet: where they were last round
               "expected": ((0.88, 0.88, 0.92, 1), (0.2, 0.2, 0.3, 1)),
               "absent": ((0.93, 0.93, 0.93, 1), (0.35, 0.35, 0.35, 1)),
               "out": ((0.82, 0.9, 1.0, 1), (0.05, 0.2, 0.45, 1)),
               "more": ((0.9, 0.9, 0.9, 1), (0.15, 0.15, 0.15, 1))}
PHASE_INKS = {"warning": (1, 0.8, 0.25, 1), "over": (1, 0.6, 0.45, 1), "paused": (1, 0.75, 0.3, 1),
              "passing": (0.55, 0.8, 1, 1), "closing": (0.55, 0.8, 1, 1)}
WHITE = (1, 1, 1, 1)
BASE_SIZE = (1280, 720)  # every size in room_map.kv is for this window, times the screen's scale
CHIME = Path(__file__).with_name("sounds") / "last-minute.wav"


TICKET_DOTS = {ticket: colour.lstrip("#") for ticket, colour in TICKET_COLOURS.items()}  # as Kivy markup takes them


def scale_for(size: tuple[float, float]) -> float:
    """How much larger than 1280x720 the window is: every size on the map grows with it."""
    return max(0.5, min(size[0] / BASE_SIZE[0], size[1] / BASE_SIZE[1]))


class Chip(ButtonBehavior, Label):
    """A student's name on a tile; tapping it does what the tile says (a note, attendance at the table)."""
    student_id = StringProperty("")
    style = StringProperty("here")
    compact = BooleanProperty(False)  # smaller, on a crowded tile
    scale = NumericProperty(1.0)
    fill = ListProperty([1, 1, 1, 1])
    ink = ListProperty([0, 0, 0, 1])

    def fit_width(self, widest: float) -> None:
        """A chip wider than its tile ends in "…" rather than being cut."""
        if self.width > widest + 0.5:
            self.shorten = True
            self.text_size = (widest - (12 if self.compact else 16) * self.scale, None)


class StationTile(BoxLayout):
    __events__ = ("on_student",)

    def on_student(self, student_id: str, style: str) -> None:
        pass

    title = StringProperty("")
    groups = StringProperty("")
    kiosk_text = StringProperty("")
    kiosk_ink = ListProperty([1, 1, 1, 1])
    kiosk_fill = ListProperty([0, 0, 0, 0])
    accent = ListProperty([0.3, 0.3, 0.3, 1])
    picture = StringProperty("")  # the station's, as on its kiosk
    picture_font = StringProperty(pictures.KIVY_FONT)
    missing = StringProperty("")
    scale = NumericProperty(1.0)
    header_height = NumericProperty(0.0)  # the name's row: two lines for a long name

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.private = False  # exit-ticket colours on the chips: the teacher unlocked them
        self._tags: list[tuple[str, NameTag]] = []
        self._compact = False
        self._shown: int | None = None  # how many names the tile shows, when not all fit
        self._chips: dict[tuple, Chip] = {}  # the chips on show, by what they show
        self._fitted_to: tuple = ()
        self._fit = Clock.create_trigger(self.fit, -1)
        self.ids.names.bind(minimum_height=lambda *_: self._fit(), height=lambda *_: self._fit())
        self.bind(scale=lambda *_: self._draw())

    def show(self, tile: Tile, private: bool = False) -> None:
        self.title = tile.name
        not_moved = sum(1 for t in tile.wrong if t.note == NOT_MOVED)
        self.groups = ("Off for this lesson" if tile.off
                       else tile.groups if tile.groups.startswith(CHOICE_ROUND) else f"Group: {tile.groups}"
                       + (f" · {not_moved} not moved yet" if not_moved else ""))
        self.kiosk_text, self.kiosk_ink, self.kiosk_fill = KIOSK_LABELS[tile.kiosk]
        self.accent = rgba(tile.colour)
        self.picture = pictures.glyph(tile.picture)
        tags = ([("here", t) for t in tile.here] + [("wrong", t) for t in tile.wrong if t.note != NOT_MOVED]
                + [("stale", t) for t in tile.wrong if t.note == NOT_MOVED]
                + [("expected", t) for t in tile.expected] + [("absent", t) for t in tile.absent]
                + [("out", t) for t in tile.out])
        redraw = private != self.private
        self.private = private
        self.missing = missing_line(tile.missing)
        if tags != self._tags or redraw:
            self._tags = tags
            self._compact = len(tags) > COMPACT_AFTER
            self._fitted_to = ()
            self._draw()

    def _text(self, style: str, tag: NameTag) -> str:
        shown = tag.note if style in ("wrong", "out", "absent") or (style == "here" and tag.note == "done") else ""
        text = escape_markup(f"{tag.name} · {shown}" if shown else tag.name)
        if shown.startswith(BELONGS_AT):  # short enough for a tile: "Ava K. → Tech Station"
            text = (f"{escape_markup(tag.name)} [font=DejaVuSans]\u2192[/font] "
                    f"{escape_markup(shown.removeprefix(BELONGS_AT))}")
        if tag.chose:  # a choice round: a star for a station the student chose themselves (not private), larger
            # than the letters: the star's ink is 0.6 of its size, a name's capitals 0.7
            star = round((20 if self._compact else 24) * self.scale * STAR_SIZE)
            text = f"{text} [font=DejaVuSans][size={star}]\u2605[/size][/font]"
        if tag.ticket and self.private:  # the class sees no one's exit ticket
            text = f"[font=DejaVuSans][color={TICKET_DOTS[tag.ticket]}]\u25cf[/color][/font] {text}"
        return text

    def _draw(self, shown: int | None = None) -> None:
        """The chips for the tags (the first ``shown`` and "+N more", if not all fit). A chip already made for
        the same name, look and size is used again: making a Label costs a millisecond, and a check-in redraws
        two tiles."""
        names = self.ids.names
        names.clear_widgets()
        visible = self._tags if shown is None else self._tags[:shown]
        made, self._chips = self._chips, {}
        for style, tag in visible:
            key = (style, tag, self._compact, self.private, self.scale, round(names.width))
            chip = made.get(key)
            if chip is None:
                fill, ink = CHIP_STYLES[style]
                chip = Chip(text=self._text(style, tag), fill=fill, ink=ink, student_id=tag.student_id,
                            style=style, compact=self._compact, scale=self.scale)
                chip.bind(on_release=lambda chip: self.dispatch("on_student", chip.student_id, chip.style))
            self._chips[key] = chip
            names.add_widget(chip)
        if shown is not None and shown < len(self._tags):
            fill, ink = CHIP_STYLES["more"]
            names.add_widget(Chip(text=f"+{len(self._tags) - shown} more", fill=fill, ink=ink, style="more",
                                  compact=self._compact, scale=self.scale))
        self._shown = shown

    @staticmethod
    def _rows(chips: list, names) -> list[list]:
        """Each chip into the first row with room for it."""
        rows: list[list] = []
        for chip in chips:
            row = next((r for r in rows if sum(c.width for c in r) + names.spacing[0] * len(r) + chip.width
                        <= names.width + 0.5), None)
            if row is None:
                rows.append([chip])
            else:
                row.append(chip)
        return rows

    @classmethod
    def _pack(cls, names) -> None:
        """Each chip into the first row with room for it, in the tiles' order: a long name does not leave a row
        half empty, so more names fit at full size. If they do not fit so, the widest first, if that takes fewer
        rows: names in another order rather than "+N more" on a tile with room for them all."""
        chips = names.children[::-1]
        rows = cls._rows(chips, names)
        tall = sum(max(c.height for c in row) for row in rows) + names.spacing[1] * (len(rows) - 1)
        if tall > names.height + 0.5:
            widest_first = cls._rows(sorted(chips, key=lambda c: -c.width), names)
            if len(widest_first) < len(rows):
                rows = widest_first
        packed = [chip for row in rows for chip in row]
        if packed != chips:
            names.clear_widgets()
            for chip in packed:
                names.add_widget(chip)

    def fit(self, *_) -> None:
        """No name is cut at the tile's edge: smaller chips first, then as many as fit and "+N more". Each new
        size of the tile starts again from every name in full size."""
        names = self.ids.names
        if names.height <= 1 or not self._tags:
            return
        if tuple(names.size) != self._fitted_to:
            self._fitted_to = tuple(names.size)
            if self._shown is not None or self._compact != (len(self._tags) > COMPACT_AFTER):
                self._compact = len(self._tags) > COMPACT_AFTER
                self._draw()
                return
        for chip in names.children:
            if chip.texture is None:
                chip.texture_update()  # its size follows its text: measured now, not on the next frame
            chip.fit_width(names.width)
        self._pack(names)
        names.do_layout()  # the chips just added are placed now, not on the next frame
        if names.minimum_height <= names.height + 0.5:
            return
        if not self._compact:
            self._compact = True
            self._draw()
            return
        inside = sum(1 for chip in names.children if chip.y >= names.y - 0.5 and chip.style != "more")
        shown = len(self._tags) if self._shown is None else self._shown
        self._draw(max(0, min(shown - 1, inside - 1)))  # room for "+N more" in one step, not one name a time


MISSING_NAMES = 4  # as many as two lines of a tile hold in full; the rest are counted


def missing_line(missing: tuple[NameTag, ...]) -> str:
    """"Not here yet: Ava K., Ben T. (late), Cy L., Dee M. +2": whole names, never cut in the middle."""
    if not missing:
        return ""
    names = [t.name if t.note == "not checked in" else f"{t.name} ({t.note})" for t in missing[:MISSING_NAMES]]
    more = f" +{len(missing) - MISSING_NAMES}" if len(missing) > MISSING_NAMES else ""
    return "Not here yet: " + ", ".join(names) + more


class HelpRow(BoxLayout):
    text = StringProperty("")
    peer = StringProperty("")  # under it, smaller: the classmate the kiosk suggested first, if one was
    request_id = StringProperty("")
    scale = NumericProperty(1.0)


def help_text(line: HelpLine) -> str:
    return f"{line.station} · {'on the way' if line.coming else line.waiting}"


class HelpPanel(BoxLayout):
    """Calls for help in order of arrival, each with how long it has waited and a button to mark it done."""
    heading = StringProperty("Help")
    waiting = BooleanProperty(False)
    scale = NumericProperty(1.0)

    def show(self, lines: tuple[HelpLine, ...], answer) -> None:
        self._shown = (lines, answer)
        self.heading = f"Help: {len(lines)} waiting" if lines else "Help: nobody waiting"
        self.waiting = bool(lines)
        lines = lines[:self.rows_that_fit(lines)]  # the oldest calls; the heading counts them all
        rows = self.ids.rows
        if [row.request_id for row in rows.children[::-1]] == [line.id for line in lines]:
            for row, line in zip(rows.children[::-1], lines, strict=True):  # the same ids, just checked
                row.text, row.peer = help_text(line), line.peer
            return
        rows.clear_widgets()
        for line in lines:
            row = HelpRow(text=help_text(line), peer=line.peer, request_id=line.id, scale=self.scale)
            row.ids.done.bind(on_release=lambda button, request=line.id: answer(request))
            rows.add_widget(row)


    def on_height(self, *_) -> None:
        """As many calls as now fit: the panel is first shown before the map's layout has given it a height."""
        if shown := getattr(self, "_shown", None):
            self.show(*shown)

    def on_scale(self, _, scale: float) -> None:
        rows = self.ids.get("rows")
        for row in rows.children if rows is not None else ():
            row.scale = scale

    def rows_that_fit(self, lines: tuple[HelpLine, ...]) -> int:
        room = self.height - (40 + 2 * 10 + 6 - 4) * self.scale
        fit = 0
        for line in lines:
            room -= (HELP_ROW_HEIGHT + (PEER_LINE_HEIGHT if line.peer else 0) + 4) * self.scale
            if room < 0:
                break
            fit += 1
        return max(1, fit)


class RoomMapScreen(Widget):
    room = StringProperty("")
    round_text = StringProperty("")
    clock = StringProperty("--:--")
    over_time = BooleanProperty(False)
    phase = StringProperty("idle")
    phase_ink = ListProperty(list(WHITE))
    running = BooleanProperty(False)
    started = BooleanProperty(False)
    closing = BooleanProperty(False)  # the last exit tickets are coming in
    private = BooleanProperty(False)  # the teacher unlocked exit tickets and notes with the PIN
    hub_text = StringProperty("")
    hub_ink = ListProperty([1, 1, 1, 1])
    summary = StringProperty("")
    notice = StringProperty("")  # the hub's answer to the teacher's last button, for a few seconds
    alert = StringProperty("")  # a problem with the hub's or a kiosk's storage, while it lasts
    web_address = StringProperty("")  # the teacher's web companion, when devices can open it
    scale = NumericProperty(1.0)
    __events__ = ("on_command", "on_answer_help", "on_student", "on_end")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._tiles: dict[str, StationTile] = {}
        self.help_panel = HelpPanel()
        self.bind(size=lambda *_: setattr(self, "scale", scale_for(self.size)))
        self.scale = scale_for(self.size)

    def on_scale(self, _, scale: float) -> None:
        self.help_panel.scale = scale
        for tile in self._tiles.values():
            tile.scale = scale

    def on_command(self, action: str) -> None:
        pass

    def on_answer_help(self, request_id: str) -> None:
        pass

    def on_student(self, student_id: str, station_id: str, style: str) -> None:
        pass

    def on_end(self) -> None:
        pass

    def ask_end(self) -> None:
        """End asks first (a dialog that waits for an answer); while the last tickets come in, it ends now."""
        self.dispatch("on_command", "end_now" if self.closing else "ask_end")

    def show(self, room_map: RoomMap, running: bool, started: bool) -> None:
        self.started, self.closing = started, room_map.phase == "closing"
        self.room, self.round_text, self.clock = room_map.room, room_map.round, room_map.clock
        self.over_time, self.running, self.summary = room_map.over_time, running, room_map.summary
        self.phase, self.phase_ink = room_map.phase, PHASE_INKS.get(room_map.phase, WHITE)
        self.hub_text, self.hub_ink = (("HUB OFFLINE", (1, 0.6, 0.4, 1)) if not room_map.hub_online
                                       else (problem_label(room_map.hub_problem), (1, 0.6, 0.4, 1))
                                       if room_map.hub_problem
                                       else ("hub online", (0.6, 0.9, 0.6, 1)))
        self.alert = room_map.alert
        grid = self.ids.tiles
        if list(self._tiles) != [t.station_id for t in room_map.tiles]:
            grid.clear_widgets()
            self._tiles = {t.station_id: StationTile(scale=self.scale) for t in room_map.tiles}
            for station_id, widget in self._tiles.items():
                widget.bind(on_student=lambda tile, student, style, station=station_id: self.dispatch(
                    "on_student", student, station, style))
            for widget in self._tiles.values():
                grid.add_widget(widget)
            grid.add_widget(self.help_panel)  # after the stations: the free corner of the grid
        for tile in room_map.tiles:
            self._tiles[tile.station_id].show(tile, self.private)
        self.help_panel.show(room_map.help, lambda request: self.dispatch("on_answer_help", request))


NOTICED = ("make_report", "conference_note", "mark_attendance", "start", "change_lesson", "end")
STAR_SIZE = 1.4  # a chosen student's star, to the name's size
COMPACT_AFTER = 9  # more names than fit a tile in full size at 1280x720 (and eight at a table is a crowd)
NOTICE_SECONDS = 12.0
HELP_ROW_HEIGHT = 64  # at 1280x720, as room_map.kv has it
PEER_LINE_HEIGHT = 28  # a call's line under it naming the classmate suggested, as room_map.kv has it


class DisplayPresenter:
    """Draws the link's map on the next frame after it changes, and ticks the clock every second."""

    def __init__(self, link: DisplayLink, screen: RoomMapScreen, pin_hash: str | None = None) -> None:
        self.link, self.screen = link, screen
        self.shown_map: RoomMap | None = None
        self.regroup: RegroupPresenter | None = None  # the regroup screen's presenter while it is on show
        self.dialog: Popup | None = None  # the lesson, End or summary dialog on show
        self.privacy = PrivateMode(pin_hash)
        web = link.config.web
        screen.web_address = web.address if web.for_devices else ""
        self.chime = load_sound(CHIME)
        self.chimed_round: tuple[float | None, int] | None = None
        self.summary_shown: float | None = None  # the end of the lesson whose summary was shown
        self._pending = Clock.create_trigger(self.draw, -1)
        self._listener = lambda room_map: self._pending()
        link.map_listeners.append(self._listener)
        screen.bind(on_command=self._command)
        screen.bind(on_answer_help=lambda screen, request: self._send("answer_help", {"id": request}))
        screen.bind(on_student=lambda screen, student, station, style: self.tap_student(student, station, style))
        self._ticker = Clock.schedule_interval(lambda dt: link.refresh(), 1.0)
        self.draw()

    def _notice(self, text: str) -> None:
        self.screen.notice = text
        Clock.schedule_once(lambda dt: setattr(self.screen, "notice", "") if self.screen.notice == text else None,
                            NOTICE_SECONDS)

    def draw(self, *_) -> None:
        if self.regroup is not None:
            self.regroup.follow()
        room_map = self.link.map
        state = self.link.state
        clock = state.clock if state else None
        self.screen.private = self.privacy.unlocked(time.monotonic())
        self.screen.show(room_map, bool(clock and clock.running), bool(clock and clock.round))
        self.shown_map = room_map
        if room_map.phase == "warning" and clock is not None and self.chimed_round != (clock.started_at, clock.round):
            self.chimed_round = (clock.started_at, clock.round)
            if self.chime is not None:
                self.chime.play()
        ended = state.ended if state is not None else None
        busy = self.dialog is not None and not isinstance(self.dialog, SummaryDialog)
        if ended is not None and ended.ended != self.summary_shown and not busy:  # else once that dialog closes
            self.summary_shown = ended.ended  # once: closed, it stays closed
            self.show_summary()
        elif ended is not None and isinstance(self.dialog, SummaryDialog):
            self.dialog.show(ended)  # the report's folder, once it is written
        elif ended is None and isinstance(self.dialog, SummaryDialog):
            self.dialog.dismiss()  # the next lesson has started

    def _command(self, screen, action: str) -> None:
        if action == "groups":
            self.show_regroup()
        elif action == "lesson":
            self.open_lesson()
        elif action == "ask_end":
            self.open_end()
        elif action == "end_now":
            self._send("end", {})
        elif action == "private":
            self.toggle_private()
        elif action == "device":
            self._open(DeviceDialog(self.screen.web_address, self.screen.scale))
        elif not is_action(action):
            log.warning("the screen asked for %r, which is no command of the hub's", action)
        else:
            self._send(action, {"minutes": 1} if action == "extend" else {})

    # Dialogs
    def _open(self, dialog: Popup) -> None:
        if self.dialog is not None:
            self.dialog.dismiss()
        self.dialog = dialog
        dialog.bind(on_dismiss=lambda d: setattr(self, "dialog", None) if self.dialog is d else None)
        dialog.open()

    def open_lesson(self) -> None:
        """The lesson screen: before a lesson, set it up and start it; during one, change it."""
        self._open(LessonDialog(self.link.state, self.screen.scale, self._send))

    def open_end(self) -> None:
        state = self.link.state
        running = state.running_class() if state else None
        self._open(EndDialog(running.name if running else "this lesson", self.screen.scale, self._send))

    def show_summary(self) -> None:
        state = self.link.state
        if state is not None and state.ended is not None:
            self._open(SummaryDialog(state.ended, self.screen.scale, self.open_lesson))

    # The teacher's private things, behind the PIN
    def toggle_private(self) -> None:
        if self.privacy.unlocked(time.monotonic()):
            self.privacy.lock()
            self.draw()
            return
        if not self.privacy.enabled:
            self._notice("Exit tickets and notes stay off the wall map: set [display] teacher_pin "
                         "(`rotation pin`) to open them here with your PIN.")
            return
        self._open(PinDialog(self.screen.scale, self._pin_entered))

    def _pin_entered(self, pin: str) -> str | None:
        """None if it opened; else what to say. Off Kivy's thread (the PIN pad's): the map redraws on its next
        frame."""
        message = self.privacy.try_pin(pin, time.monotonic())
        if message is None:
            self._pending()
            if self.privacy.old_pin:
                Clock.schedule_once(lambda dt: self._notice(NEW_PIN_ADVICE[:1].upper() + NEW_PIN_ADVICE[1:]), 0)
        return message

    def tap_student(self, student_id: str, station_id: str, style: str) -> None:
        """At the teacher's table (no kiosk): one tap marks a student absent, or back present there. Elsewhere,
        with the PIN: a conference note."""
        station = self.link.state.station(station_id) if self.link.state else None
        if station is not None and not station.kiosk:
            if style == "absent":
                self._send("mark_attendance", {"student": student_id, "mark": "present", "station": station_id})
            else:
                self._send("mark_attendance", {"student": student_id, "mark": "absent"})
            return
        if self.privacy.unlocked(time.monotonic()):
            self.open_note(student_id)
        else:
            self._notice("Notes are private: tap Teacher and enter your PIN first.")

    def open_note(self, student_id: str) -> None:
        from edge.note_popup import NotePopup

        state = self.link.state
        name = state.students[student_id].name if state and student_id in state.students else student_id
        self.note_popup = NotePopup(student_id, name, lambda student, tags, text: self._send(
            "conference_note", {"student": student, "tags": tags, "text": text}))
        self.note_popup.open()

    def show_regroup(self) -> None:
        """Swap the map for the regroup screen in the same place; its Room map button swaps back."""
        from hub.regroup_screen import RegroupPresenter, RegroupScreen

        parent = self.screen.parent
        self.regroup_screen = RegroupScreen(size=self.screen.size)
        parent.remove_widget(self.screen)
        parent.add_widget(self.regroup_screen)
        self.regroup = RegroupPresenter(self.link, self.regroup_screen, self.show_map)

    def show_map(self) -> None:
        parent = self.regroup_screen.parent
        parent.remove_widget(self.regroup_screen)
        parent.add_widget(self.screen)
        self.regroup = None
        self.draw()

    def _send(self, action: Action, args: dict[str, Any]) -> None:
        def send() -> None:
            reply = self.link.command(action, args)
            if reply is None or not reply.ok:
                log.warning("%s: %s", action, reply.message if reply else "the hub did not answer")
            if action in NOTICED or reply is None or not reply.ok:
                text = reply.message if reply else "The hub did not answer: is it running?"
                Clock.schedule_once(lambda dt: self._notice(text[:1].upper() + text[1:]), 0)
        threading.Thread(target=send, daemon=True).start()

    def close(self) -> None:
        """Draw nothing more: no tick, no map, no dialog left open."""
        self._ticker.cancel()
        self._pending.cancel()
        if self._listener in self.link.map_listeners:
            self.link.map_listeners.remove(self._listener)
        if self.dialog is not None:
            self.dialog.dismiss(animation=False)


class DisplayApp(App):
    def __init__(self, link: DisplayLink, snapshot: Path | None = None, snapshot_every: float = 3.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.link, self.snapshot, self.snapshot_every = link, snapshot, snapshot_every
        self.title = "Rotation Station · room map"

    def build(self) -> RoomMapScreen:
        screen = RoomMapScreen()
        self.presenter = DisplayPresenter(self.link, screen, self.link.config.display.teacher_pin)
        self.link.start()
        if self.snapshot:
            Clock.schedule_interval(lambda dt: self.save_snapshot(), self.snapshot_every)
        return screen

    def on_start(self) -> None:
        freeze_startup_objects()
        kivy_env.finish_each_frame(Window)

    def save_snapshot(self) -> None:
        if self.snapshot is None:
            return
        temporary = self.snapshot.with_suffix(".tmp.png")
        self.root.export_to_png(str(temporary))
        temporary.replace(self.snapshot)

    def on_stop(self) -> None:
        self.link.stop()


def run(config, fullscreen: bool = False, snapshot: Path | None = None) -> None:
    no_screen = kivy_env.missing_screen()
    if no_screen and snapshot is None:
        log.warning("%s: the room map is drawn offscreen and seen nowhere (--snapshot writes it to a PNG)", no_screen)
    if fullscreen:
        Window.fullscreen = "auto"
    else:
        Window.size = (1280, 720)
    DisplayApp(DisplayLink(config), snapshot=snapshot).run()
