"""The display's regroup screen (Kivy): the groups side by side; tap a name, then a group, to move the
student; or ask for suggested groups, look them over, move names, and apply them."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from hub.display_link import DisplayLink
from hub.regroup import RegroupModel
from shared.protocol import Action

Builder.load_file(str(Path(__file__).with_name("regroup.kv")))
STRATEGY_BUTTONS = (("interest", "By interest"), ("readiness", "By readiness"), ("mixed", "Mixed"),
                    ("random", "Random"))


class NameButton(Button):
    picked = BooleanProperty(False)


class GroupColumn(BoxLayout):
    title = StringProperty("")
    group = StringProperty("")


class RegroupScreen(Widget):
    hint = StringProperty("")
    count = NumericProperty(4)
    suggested = BooleanProperty(False)
    strategies = ListProperty(STRATEGY_BUTTONS)
    clock_text = StringProperty("")  # the lesson's round and clock, as on the map
    lesson_running = BooleanProperty(False)
    when = StringProperty("now")  # now | round | lesson: when applied groups take over
    __events__ = ("on_suggest", "on_apply", "on_cancel", "on_back")

    def on_suggest(self, strategy: str) -> None:
        pass

    def on_apply(self) -> None:
        pass

    def on_cancel(self) -> None:
        pass

    def on_back(self) -> None:
        pass


class RegroupPresenter:
    def __init__(self, link: DisplayLink, screen: RegroupScreen, back: Callable[[], None]) -> None:
        self.link, self.screen, self.model = link, screen, RegroupModel()
        self.seed = 0
        self._drawn: tuple | None = None
        screen.bind(on_suggest=lambda s, strategy: self._send("suggest_groups", {
            "strategy": strategy, "groups": int(s.count), "seed": self._next_seed()}, strategy))
        screen.bind(on_apply=lambda s: self._send("set_groups", {"groups": self.model.groups, "when": s.when}))
        screen.bind(on_cancel=lambda s: self._forget())
        screen.bind(on_back=lambda s: back())
        self.model.follow(link.state)
        if self.model.groups:
            screen.count = len(self.model.groups)
        self.draw()

    def _next_seed(self) -> int:
        self.seed += 1  # each press of a button offers another arrangement
        return self.seed

    def _forget(self) -> None:
        self.model.forget_suggestion(self.link.state)
        self.draw()

    def follow(self) -> None:
        self.model.follow(self.link.state)
        room_map = self.link.map
        self.screen.clock_text = f"{room_map.round} · {room_map.clock}" if room_map.round else room_map.clock
        state = self.link.state
        self.screen.lesson_running = bool(state and state.clock.round)
        if not self.screen.lesson_running:
            self.screen.when = "now"
        self.draw()

    def draw(self) -> None:
        model, screen = self.model, self.screen
        shown = (tuple((g, tuple(m)) for g, m in model.groups.items()), model.picked, model.suggested)
        if shown == self._drawn:
            return  # the map's clock ticks every second; the names only change when the groups do
        self._drawn = shown
        screen.suggested = bool(model.suggested)
        screen.hint = (f"Suggested groups ({model.suggested}): move names if you like, then Apply, or Cancel."
                       if model.suggested else "Tap a name, then the group to move them to. The kiosks follow at once.")
        columns = screen.ids.columns
        columns.clear_widgets()
        for group, members in model.groups.items():
            column = GroupColumn(title=f"{group.replace('-', ' ').title()} ({len(members)})", group=group)
            column.ids.title.bind(on_release=lambda _, g=group: self._drop(g))
            for student in members:
                name = NameButton(text=model.names.get(student, student), picked=student == model.picked)
                name.bind(on_release=lambda _, s=student: self._pick(s))
                column.ids.names.add_widget(name)
            columns.add_widget(column)

    def _pick(self, student: str) -> None:
        self.model.pick(student)
        self.draw()

    def _drop(self, group: str) -> None:
        student = self.model.drop_into(group)
        self.draw()
        if student is not None:
            self._send("move_student", {"student": student, "group": group})

    def _send(self, action: Action, args: dict[str, Any], strategy: str | None = None) -> None:
        def send() -> None:
            reply = self.link.command(action, args)
            Clock.schedule_once(lambda dt: self._answered(action, reply, strategy), 0)
        threading.Thread(target=send, daemon=True).start()

    def _answered(self, action: str, reply, strategy: str | None) -> None:
        if reply is None or not reply.ok:
            self.screen.hint = reply.message if reply else "The hub did not answer: is it running?"
            if action == "move_student":
                self.follow()  # show the groups as they really are
            return
        if action == "suggest_groups" and strategy is not None:  # always sent with its strategy
            self.model.suggest(strategy, reply.data["groups"])
        elif action == "set_groups":
            self.model.suggested = None
            self.draw()
            self.screen.hint = reply.message[:1].upper() + reply.message[1:]  # when they take over
            return
        self.draw()
