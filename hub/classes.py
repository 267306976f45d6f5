"""Which of the room's classes: the one a teacher names, and the one the weekly timetable says is due. Pure."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from shared.config import WEEKDAYS, PeriodConfig

T = TypeVar("T")


class NamedClass(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def sis_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


def matching(ref: str, items: Iterable[T], *names: Callable[[T], str]) -> list[T]:
    """The items ``ref`` names by the first of ``names`` (each a way to name an item, in order of precedence)
    that names any, in any case: one item, or several that share the name; none if no way names any."""
    wanted, found = ref.strip().lower(), list(items)
    for name in names:
        matches = [item for item in found if name(item).lower() == wanted]
        if matches:
            return matches
    return []


def find_class(ref: str, classes: Sequence[NamedClass]) -> NamedClass:
    """The class ``ref`` names: its id on the hub, the school's id, its code or its title (in that order, any
    case). ValueError, listing the classes, if none or several match."""
    matches = matching(ref, classes, lambda c: c.id, lambda c: c.sis_id, lambda c: c.code, lambda c: c.title)
    if len(matches) == 1:
        return matches[0]
    if matches:
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
                continue  # a period naming a class the roster no longer has: check-config says so
    return None
