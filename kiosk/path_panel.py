""""My path" on the kiosk's screen: the widgets of a PathScreenModel (kiosk/path_view.py), laid out in
path_panel.kv. Built as soon as the student's path comes (before they tap), so opening it only draws."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import sp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from edge import pictures
from edge.widgets import FreshLabel  # noqa: F401  (used in the .kv)
from kiosk.path_view import GOAL_MET_PICTURE, LessonRow, PathScreenModel, VisitCell

Builder.load_file(str(Path(__file__).with_name("path_panel.kv")))
ICON_FONT = pictures.KIVY_FONT
CONTRAST = (0, 0, 0, 1)
BACKGROUND = (0.13, 0.19, 0.27, 1)  # the idle screen's: calm, and every station's colour stands out on it
NO_TICKET = (1, 1, 1, 0.12)


def icon(name: str, size: float) -> str:
    """A picture within a label's markup."""
    glyph = pictures.glyph(name)
    return f"[font={ICON_FONT}][size={int(size)}]{glyph}[/size][/font]" if glyph else ""


class StationCell(BoxLayout):
    """One station of a lesson: its picture (and name) on its colour, the exit ticket on the ticket's colour."""
    station_text = StringProperty("")
    station_colour = ListProperty([0.28, 0.34, 0.40, 1])
    ticket_text = StringProperty("")
    ticket_colour = ListProperty(list(NO_TICKET))
    scale = NumericProperty(1.0)
    in_full = BooleanProperty(True)


class LessonLine(BoxLayout):
    """A lesson: the newest in full (its goal above its stations), the ones before it as a line of pictures."""
    when = StringProperty("")
    goal = StringProperty("")
    goal_met = BooleanProperty(False)
    scale = NumericProperty(1.0)
    in_full = BooleanProperty(True)


class PathPanel(BoxLayout):
    """The whole screen while "My path" is open. ``on_close``: Close was tapped; ``on_touched``: any tap on it."""
    __events__ = ("on_close", "on_touched")
    title = StringProperty("")
    detail = StringProperty("")
    goals_met = StringProperty("")
    close_label = StringProperty("")
    scale = NumericProperty(1.0)
    colour = ListProperty(list(BACKGROUND))

    def __init__(self, model: PathScreenModel, scale: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.scale = scale
        self.colour = list(CONTRAST if model.high_contrast else BACKGROUND)
        self.title, self.detail = model.title, model.detail
        self.close_label = f"{icon('close', sp(30) * scale)}  {escape_markup(model.close)}"
        self.goals_met = (f"{icon(GOAL_MET_PICTURE, sp(24) * scale)} {escape_markup(model.goals_met)}"
                          if model.goals_met else "")
        for lesson in model.lessons:
            self.ids.lessons.add_widget(self._line(lesson))

    def _line(self, lesson: LessonRow) -> LessonLine:
        trophy = icon(GOAL_MET_PICTURE, sp(17) * self.scale) + " " if lesson.goal_met else ""
        goal = trophy + escape_markup(lesson.goal)
        line = LessonLine(when=lesson.when, scale=self.scale, goal_met=lesson.goal_met, in_full=lesson.in_full,
                          goal=goal if lesson.in_full else "")
        for cell in lesson.cells:
            line.ids.cells.add_widget(self._cell(cell, lesson.in_full))
        return line

    def _cell(self, cell: VisitCell, in_full: bool) -> StationCell:
        size = sp(16) * self.scale
        colour = list(cell.ticket_colour or NO_TICKET)
        if not in_full:  # pictures alone: the station's, the ticket's
            return StationCell(station_text=icon(cell.picture, size * 1.8), station_colour=list(cell.colour),
                               ticket_text=icon(cell.ticket_picture, size * 1.7), ticket_colour=colour,
                               scale=self.scale, in_full=False)
        said = icon(cell.picture, size * 1.8)
        if cell.activity_picture and cell.activity_picture != cell.picture:
            said += " " + icon(cell.activity_picture, size * 1.5)
        said += f"\n[b]{escape_markup(cell.station)}[/b]"
        if cell.activity:
            said += f"\n{escape_markup(cell.activity)}"
        ticket = f"{icon(cell.ticket_picture, size * 1.3)} {escape_markup(cell.ticket)}" if cell.ticket else ""
        if cell.next:
            ticket += ("\n" if ticket else "") + f"{icon(cell.next_picture, size)} {escape_markup(cell.next)}"
        return StationCell(station_text=said, station_colour=list(cell.colour), ticket_text=ticket,
                           ticket_colour=colour, scale=self.scale, in_full=True)

    def on_touch_down(self, touch) -> bool:
        if self.collide_point(*touch.pos):
            self.dispatch("on_touched")
        return super().on_touch_down(touch)

    def on_close(self) -> None:
        pass

    def on_touched(self) -> None:
        pass
