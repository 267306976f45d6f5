"""``rotation hub display``: the teacher's live room map (Kivy)."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge import kivy_env

kivy_env.prepare(window_size=(1280, 720))

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import BooleanProperty, ListProperty, StringProperty  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402
from kivy.utils import escape_markup  # noqa: E402

from edge.heap import freeze_startup_objects  # noqa: E402
from edge.widgets import FreshLabel  # noqa: E402,F401  (used in the .kv)
from hub.display_link import DisplayLink, is_action  # noqa: E402
from hub.mapview import HelpLine, RoomMap, Tile, problem_label  # noqa: E402
from hub.report import TICKET_COLOURS  # noqa: E402

if TYPE_CHECKING:
    from hub.regroup_screen import RegroupPresenter
    from shared.protocol import Action

log = logging.getLogger("rotation.display")
Builder.load_file(str(Path(__file__).with_name("room_map.kv")))

KIND_ACCENTS = {
    "teacher-led": (0.55, 0.27, 0.68, 1), "independent": (0.13, 0.47, 0.71, 1),
    "collaborative": (0.0, 0.54, 0.48, 1), "tech": (0.33, 0.40, 0.47, 1), "reading": (0.78, 0.36, 0.16, 1),
}
KIOSK_LABELS = {"online": ("kiosk online", (0.8, 1, 0.8, 1)), "offline": ("KIOSK OFFLINE", (1, 0.85, 0.3, 1)),
                "full": ("STORAGE FULL", (1, 0.6, 0.4, 1)),
                "none": ("no kiosk", (1, 1, 1, 0.7))}
CHIP_STYLES = {"here": ((0.85, 0.93, 0.85, 1), (0.08, 0.25, 0.08, 1)),
               "wrong": ((1.0, 0.78, 0.35, 1), (0.33, 0.18, 0.0, 1)),
               "expected": ((0.88, 0.88, 0.92, 1), (0.2, 0.2, 0.3, 1))}


TICKET_DOTS = {ticket: colour.lstrip("#") for ticket, colour in TICKET_COLOURS.items()}  # as Kivy markup takes them


class Chip(ButtonBehavior, Label):
    """A student's name on a tile; tapping it opens a conference note."""
    student_id = StringProperty("")
    compact = BooleanProperty(False)  # smaller, on a crowded tile
    fill = ListProperty([1, 1, 1, 1])
    ink = ListProperty([0, 0, 0, 1])


class StationTile(BoxLayout):
    __events__ = ("on_student",)

    def on_student(self, student_id: str) -> None:
        pass

    title = StringProperty("")
    groups = StringProperty("")
    kiosk_text = StringProperty("")
    kiosk_ink = ListProperty([1, 1, 1, 1])
    accent = ListProperty([0.3, 0.3, 0.3, 1])
    missing = StringProperty("")

    def show(self, tile: Tile) -> None:
        self.title = tile.name
        self.groups = "Off for this lesson" if tile.off else f"Group: {tile.groups}"
        self.kiosk_text, self.kiosk_ink = KIOSK_LABELS[tile.kiosk]
        self.accent = KIND_ACCENTS.get(tile.kind, (0.35, 0.35, 0.4, 1))
        names = self.ids.names
        names.clear_widgets()
        compact = len(tile.here) + len(tile.wrong) + len(tile.expected) > COMPACT_AFTER
        for style, tags in (("here", tile.here), ("wrong", tile.wrong), ("expected", tile.expected)):
            fill, ink = CHIP_STYLES[style]
            for tag in tags:
                text = escape_markup(f"{tag.name}: {tag.note}" if tag.note else tag.name)
                if tag.ticket:
                    text = f"[font=DejaVuSans][color={TICKET_DOTS[tag.ticket]}]\u25cf[/color][/font] {text}"
                chip = Chip(text=text, fill=fill, ink=ink, student_id=tag.student_id, compact=compact)
                chip.bind(on_release=lambda chip: self.dispatch("on_student", chip.student_id))
                names.add_widget(chip)
        self.missing = ("Not here yet: " + ", ".join(
            t.name if t.note == "not checked in" else f"{t.name} ({t.note})" for t in tile.missing)
            if tile.missing else "")


class HelpRow(BoxLayout):
    text = StringProperty("")
    request_id = StringProperty("")


class HelpPanel(BoxLayout):
    """Calls for help in order of arrival, each with how long it has waited and a button to mark it done."""
    heading = StringProperty("Help")
    waiting = BooleanProperty(False)

    def show(self, lines: tuple[HelpLine, ...], answer) -> None:
        self.heading = f"Help: {len(lines)} waiting" if lines else "Help: nobody waiting"
        self.waiting = bool(lines)
        rows = self.ids.rows
        if [row.request_id for row in rows.children[::-1]] == [line.id for line in lines]:
            for row, line in zip(rows.children[::-1], lines, strict=True):  # the same ids, just checked
                row.text = f"{line.station} · {line.waiting}"
            return
        rows.clear_widgets()
        for line in lines:
            row = HelpRow(text=f"{line.station} · {line.waiting}", request_id=line.id)
            row.ids.done.bind(on_release=lambda button, request=line.id: answer(request))
            rows.add_widget(row)


class RoomMapScreen(Widget):
    room = StringProperty("")
    round_text = StringProperty("")
    clock = StringProperty("--:--")
    over_time = BooleanProperty(False)
    running = BooleanProperty(False)
    started = BooleanProperty(False)
    hub_text = StringProperty("")
    hub_ink = ListProperty([1, 1, 1, 1])
    summary = StringProperty("")
    notice = StringProperty("")  # the hub's answer to the teacher's last button, for a few seconds
    alert = StringProperty("")  # a problem with the hub's or a kiosk's storage, while it lasts
    confirm_end = BooleanProperty(False)
    __events__ = ("on_command", "on_answer_help", "on_note")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._tiles: dict[str, StationTile] = {}
        self.help_panel = HelpPanel()

    def on_command(self, action: str) -> None:
        pass

    def on_answer_help(self, request_id: str) -> None:
        pass

    def on_note(self, student_id: str) -> None:
        pass

    def ask_end(self) -> None:
        """End the session on a second tap within CONFIRM_SECONDS: it clears who is where."""
        if self.confirm_end:
            self.confirm_end = False
            self.dispatch("on_command", "end")
            return
        self.confirm_end = True
        Clock.schedule_once(lambda dt: setattr(self, "confirm_end", False), CONFIRM_SECONDS)

    def show(self, room_map: RoomMap, running: bool, started: bool) -> None:
        self.started = started
        self.room, self.round_text, self.clock = room_map.room, room_map.round, room_map.clock
        self.over_time, self.running, self.summary = room_map.over_time, running, room_map.summary
        self.hub_text, self.hub_ink = (("HUB OFFLINE", (1, 0.6, 0.4, 1)) if not room_map.hub_online
                                       else (problem_label(room_map.hub_problem), (1, 0.6, 0.4, 1))
                                       if room_map.hub_problem
                                       else ("hub online", (0.6, 0.9, 0.6, 1)))
        self.alert = room_map.alert
        grid = self.ids.tiles
        if list(self._tiles) != [t.station_id for t in room_map.tiles]:
            grid.clear_widgets()
            self._tiles = {t.station_id: StationTile() for t in room_map.tiles}
            for widget in self._tiles.values():
                widget.bind(on_student=lambda tile, student: self.dispatch("on_note", student))
            for widget in self._tiles.values():
                grid.add_widget(widget)
            grid.add_widget(self.help_panel)  # after the stations: the free corner of the grid
        for tile in room_map.tiles:
            self._tiles[tile.station_id].show(tile)
        self.help_panel.show(room_map.help, lambda request: self.dispatch("on_answer_help", request))


NOTICED = ("make_report", "conference_note")
COMPACT_AFTER = 9  # more names than fit a tile in full size at 1280x720 (and eight at a table is a crowd)
CONFIRM_SECONDS = 4.0  # commands whose answer the teacher needs to read (the others show on the map)
NOTICE_SECONDS = 12.0


class DisplayPresenter:
    """Draws the link's map on the next frame after it changes, and ticks the clock every second."""

    def __init__(self, link: DisplayLink, screen: RoomMapScreen) -> None:
        self.link, self.screen = link, screen
        self.shown_map: RoomMap | None = None
        self.regroup: RegroupPresenter | None = None  # the regroup screen's presenter while it is on show
        self._pending = Clock.create_trigger(self.draw, -1)
        link.map_listeners.append(lambda room_map: self._pending())
        screen.bind(on_command=self._command)
        screen.bind(on_answer_help=lambda screen, request: self._send("answer_help", {"id": request}))
        screen.bind(on_note=lambda screen, student: self.open_note(student))
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
        clock = self.link.state.clock if self.link.state else None
        self.screen.show(room_map, bool(clock and clock.running), bool(clock and clock.round))
        self.shown_map = room_map

    def _command(self, screen, action: str) -> None:
        if action == "groups":
            self.show_regroup()
            return
        if not is_action(action):
            log.warning("the screen asked for %r, which is no command of the hub's", action)
            return
        self._send(action, {"minutes": 1} if action == "extend" else {})

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
            if action in NOTICED:
                text = reply.message if reply else "The hub did not answer: is it running?"
                Clock.schedule_once(lambda dt: self._notice(text), 0)
        threading.Thread(target=send, daemon=True).start()

    def close(self) -> None:
        self._ticker.cancel()


class DisplayApp(App):
    def __init__(self, link: DisplayLink, snapshot: Path | None = None, snapshot_every: float = 3.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.link, self.snapshot, self.snapshot_every = link, snapshot, snapshot_every
        self.title = "Rotation Station · room map"

    def build(self) -> RoomMapScreen:
        screen = RoomMapScreen()
        self.presenter = DisplayPresenter(self.link, screen)
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
    if fullscreen:
        Window.fullscreen = "auto"
    else:
        Window.size = (1280, 720)
    DisplayApp(DisplayLink(config), snapshot=snapshot).run()
