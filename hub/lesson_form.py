"""The display's lesson screen as plain data: the class, round length, rounds, passing time and stations the
teacher picked, from a class's preset, and the command that starts or changes the lesson. Pure."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shared.protocol import ClassEntry, StartArgs, State

MINUTE_PICKS = (5, 8, 10, 12, 15, 20)  # one tap each; − and + reach any length from 1 to 60
PASSING_PICKS = (0, 1, 2, 3)
MAX_ROUNDS = 20


def preset_label(entry: ClassEntry, default_minutes: float) -> str:
    """"Period 3 · 12 min × 3": the class with its last lesson's settings."""
    lesson = entry.lesson
    if lesson is None:
        return entry.name
    minutes = lesson.minutes if lesson.minutes is not None else default_minutes
    rounds = f" × {lesson.rounds}" if lesson.rounds else ""
    return f"{entry.name} · {minutes:g} min{rounds}"


@dataclass(frozen=True)
class LessonForm:
    class_id: str | None
    minutes: float
    rounds: int
    passing: float = 0
    off: frozenset[str] = field(default_factory=frozenset)
    running: bool = False  # a lesson runs: the form changes it (stations from its next round)
    choice_rounds: frozenset[int] = field(default_factory=frozenset)  # rounds in which students choose
    must_do: frozenset[str] = field(default_factory=frozenset)  # in those rounds, the stations chosen first

    @classmethod
    def for_state(cls, state: State, class_id: str | None = None) -> LessonForm:
        """A lesson of ``class_id`` (by default the running class): its preset, else the room's defaults; a
        running lesson as it runs."""
        clock = state.clock
        stations = [s.id for s in state.stations]
        if clock.round:
            return cls(state.class_id, clock.duration / 60, clock.rounds, clock.passing / 60,
                       frozenset(s.id for s in state.stations if s.next_off), running=True)
        chosen = class_id or state.class_id
        entry = next((c for c in state.classes if c.id == chosen), None)
        preset = entry.lesson if entry is not None and entry.lesson is not None else StartArgs()
        off = frozenset(s for s in preset.off if s in stations)
        return cls(chosen, preset.minutes or clock.duration / 60, preset.rounds or len(stations) - len(off),
                   preset.passing, off, choice_rounds=frozenset(preset.choice_rounds),
                   must_do=frozenset(s for s in preset.must_do if s in stations))

    def pick_class(self, state: State, class_id: str) -> LessonForm:
        return LessonForm.for_state(state, class_id)

    def with_minutes(self, minutes: float) -> LessonForm:
        return replace(self, minutes=min(60, max(1, minutes)))

    def with_rounds(self, rounds: int) -> LessonForm:
        return replace(self, rounds=min(MAX_ROUNDS, max(1, rounds)))

    def with_choices(self, rounds: set[int], must_do: set[str]) -> LessonForm:
        """Choice rounds (those past the lesson's last round are left out) and the must-do stations."""
        return replace(self, choice_rounds=frozenset(r for r in rounds if 1 <= r <= self.rounds),
                       must_do=frozenset(must_do))

    def with_passing(self, minutes: float) -> LessonForm:
        return replace(self, passing=minutes)

    def toggle_station(self, station_id: str, stations: int) -> LessonForm:
        """Switch a station off or on; with one more or one fewer running, one round more or fewer (while the
        rounds follow the stations), and never every station off. During a lesson the hub gives it the rounds
        its new cycle needs."""
        off = self.off ^ {station_id}
        if len(off) >= stations:
            return self
        running_before, running_after = stations - len(self.off), stations - len(off)
        rounds = running_after if self.rounds == running_before and not self.running else self.rounds
        return replace(self, off=frozenset(off), rounds=rounds)

    def start_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"minutes": self.minutes, "rounds": self.rounds, "passing": self.passing,
                                "off": sorted(self.off)}
        if self.choice_rounds:
            args["choice_rounds"], args["must_do"] = sorted(self.choice_rounds), sorted(self.must_do)
        if self.class_id is not None:
            args["class"] = self.class_id
        return args

    def change_args(self, running: State) -> dict[str, Any]:
        """What differs from the lesson running, as change_lesson's arguments."""
        now = LessonForm.for_state(running)
        args: dict[str, Any] = {}
        if self.minutes != now.minutes:
            args["minutes"] = self.minutes
        if self.rounds != now.rounds:
            args["rounds"] = self.rounds
        if self.passing != now.passing:
            args["passing"] = self.passing
        if self.off != now.off:
            args["off"], args["on"] = sorted(self.off - now.off), sorted(now.off - self.off)
        return args

    def describe(self, class_name: str) -> str:
        """"Period 3 · 12-minute rounds × 3 · 1 min to move · Tech off"."""
        words = [class_name, f"{self.minutes:g}-minute rounds × {self.rounds}"]
        if self.passing:
            words.append(f"{self.passing:g} min to move")
        if self.off:
            words.append(f"{len(self.off)} station{'s' if len(self.off) > 1 else ''} off")
        if self.choice_rounds:
            words.append(f"students choose in round {', '.join(map(str, sorted(self.choice_rounds)))}")
        return " · ".join(words)
