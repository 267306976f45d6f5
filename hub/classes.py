"""Which of the room's classes: the one a teacher names, and the one the weekly timetable says is due. Pure."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from shared.config import WEEKDAYS, PeriodConfig


class NamedClass(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def sis_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def code(self) -> str: ...


def find_class(ref: str, classes: Sequence[NamedClass]) -> NamedClass:
    """The class ``ref`` names: its id on the hub, the school's id, its code or its title (in that order, any
    case). ValueError, listing the classes, if none or several match."""
    wanted = ref.strip().lower()
    for attribute in ("id", "sis_id", "code", "title"):
        matches = [c for c in classes if str(getattr(c, attribute)).lower() == wanted]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(f"{ref!r} is the name of {len(matches)} classes: use the id of one, "
                             f"{', '.join(c.id for c in matches)}")
    listed = "; ".join(f"{c.id} ({c.title})" for c in classes) or "none: import a roster"
    raise ValueError(f"there is no class {ref!r} in this room; its classes are: {listed}")


def due_class(periods: Sequence[PeriodConfig], classes: Sequence[NamedClass], now: dt.datetime) -> str | None:
    """The id of the class whose period is on at ``now`` (local time), by the timetable."""
    day, time = WEEKDAYS[now.weekday()], now.strftime("%H:%M")
    for period in periods:
        if day in period.days and period.start <= time < period.end:
            try:
                return find_class(period.class_, classes).id
            except ValueError:
                return None  # a period naming a class the roster no longer has: check-config says so
    return None
