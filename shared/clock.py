"""Rotation clock maths and the kiosk's estimate of hub time. Pure: times are passed in."""
from __future__ import annotations

import math
from collections import deque
from statistics import median
from typing import Literal, TypeAlias

from msgspec.structs import replace

from shared.protocol import Clock


def time_left(clock: Clock, hub_now: float) -> float | None:
    """Seconds left in the round (negative once over time), or None before the session starts, or when the
    times given are too far apart for a float (a broken hub clock): then no clock is shown."""
    if clock.round == 0:
        return None
    if clock.running and clock.ends_at is not None:
        left = clock.ends_at - hub_now
        return left if math.isfinite(left) else None
    return clock.left


def format_left(seconds: float | None) -> str:
    """``12:05`` for time left, ``+0:42`` once the round is over time, ``--:--`` with no round."""
    if seconds is None:
        return "--:--"
    # Counting down, a second shows until it is over; a tenth of slack keeps a round that just started at
    # its full length despite the few milliseconds the state took to arrive.
    whole = math.ceil(seconds - 0.1) if seconds > 0 else int(-seconds // 1)
    minutes, secs = divmod(whole, 60)
    return f"{'+' if seconds < 0 else ''}{minutes}:{secs:02d}"


def format_left_for_students(seconds: float | None) -> str:
    """Calmer than the teacher's clock: whole minutes, seconds only in the last minute."""
    if seconds is None:
        return ""
    if seconds <= 0:
        return "time's up"
    if seconds > 60:
        return f"{math.ceil(seconds / 60 - 0.1 / 60)} min"
    return format_left(seconds)


LAST_TICKETS_SECONDS = 60.0  # End from the display or `rotation hub lesson end`: kiosks take last exit tickets
WARNING_SECONDS = 60.0  # the last minute of a round: the clock changes colour and the display chimes
Phase: TypeAlias = Literal["idle", "passing", "working", "warning", "over", "paused", "closing"]


def passing_left(clock: Clock, hub_now: float) -> float | None:
    """Seconds of the round's passing time left, or None once it is over (or the lesson paused)."""
    if not clock.running or clock.passing_ends is None or clock.passing_ends <= hub_now:
        return None
    return clock.passing_ends - hub_now


def work_left(clock: Clock, hub_now: float) -> float | None:
    """What the round has left after its passing time: the time the students work."""
    left = time_left(clock, hub_now)
    moving = passing_left(clock, hub_now)
    return left - moving if left is not None and moving is not None else left


def phase(clock: Clock, hub_now: float) -> Phase:
    """Where the lesson is, as kiosks and the map colour it."""
    if clock.round == 0:
        return "idle"
    if clock.closing_at is not None:
        return "closing"
    if not clock.running:
        return "paused"
    if passing_left(clock, hub_now) is not None:
        return "passing"
    left = time_left(clock, hub_now)
    if left is not None and left <= 0:
        return "over"
    return "warning" if left is not None and left <= WARNING_SECONDS else "working"


def start_round(clock: Clock, hub_now: float, round_number: int) -> Clock:
    """The round begins with its passing time, then its ``duration`` of work."""
    return replace(clock, round=round_number, running=True, ends_at=hub_now + clock.passing + clock.duration,
                   left=None, started_at=hub_now, passing_ends=hub_now + clock.passing if clock.passing else None)


def pause(clock: Clock, hub_now: float) -> Clock:
    """The room stands still, whatever it was doing: passing time still to go is kept for the resume."""
    if not clock.running:
        return clock
    return replace(clock, running=False, ends_at=None, left=time_left(clock, hub_now), passing_ends=None,
                   passing_left=passing_left(clock, hub_now))


def set_duration(clock: Clock, seconds: float, hub_now: float) -> Clock:
    """This round and the next ones last ``seconds`` of work: the round ends that long after its passing time."""
    if clock.round == 0:
        return replace(clock, duration=seconds)
    change = seconds - clock.duration
    if clock.running and clock.ends_at is not None:
        return replace(clock, duration=seconds, ends_at=clock.ends_at + change)
    return replace(clock, duration=seconds, left=(clock.left or 0.0) + change)


def resume(clock: Clock, hub_now: float) -> Clock:
    if clock.running or clock.round == 0:
        return clock
    moving = clock.passing_left
    return replace(clock, running=True, ends_at=hub_now + (clock.left or 0.0), left=None, passing_left=None,
                   passing_ends=hub_now + moving if moving else None)


def extend(clock: Clock, seconds: float) -> Clock:
    if clock.round == 0:
        return clock
    if clock.running and clock.ends_at is not None:  # as time_left reads it: else the time left counts
        return replace(clock, ends_at=clock.ends_at + seconds)
    return replace(clock, left=(clock.left or 0.0) + seconds)


STALE_ROUND_SECONDS = 24 * 3600.0  # a round that began longer ago than this is not one the room is still in


def settled(clock: Clock, hub_now: float) -> Clock:
    """The clock as the hub read it back at start, made to fit its clock now. A running round that began in
    the future or more than a day ago was timed by a clock that jumped since (or the hub was off overnight):
    it is taken as beginning now, its length kept, so it never has more left than its length, nor counts
    "286012:46". A paused round with more than a day left or over is given its length again."""
    if clock.round == 0:
        return clock
    if not clock.running or clock.ends_at is None:
        left = clock.left
        if left is None or abs(left) <= STALE_ROUND_SECONDS:
            return clock
        return replace(clock, left=clock.passing + clock.duration, passing_left=clock.passing or None)
    length = clock.ends_at - clock.started_at if clock.started_at is not None else math.nan
    if not 0 < length <= STALE_ROUND_SECONDS:
        length = clock.passing + clock.duration
    began = clock.ends_at - length
    if hub_now - STALE_ROUND_SECONDS <= began <= hub_now:
        return clock
    shift = hub_now - began
    return replace(clock, started_at=hub_now, ends_at=hub_now + length,
                   passing_ends=None if clock.passing_ends is None else clock.passing_ends + shift,
                   closing_at=None if clock.closing_at is None else clock.closing_at + shift)


class HubClockEstimate:
    """Hub time as seen from a device with no real-time clock: the median offset of recent samples.

    Each sample is (hub time stamped on a live message, local time it arrived). Retained messages are old
    and must not be sampled.
    """

    def __init__(self, window: int = 15) -> None:
        self._offsets: deque[float] = deque(maxlen=window)
        self._offset = 0.0
        self._guessed: float | None = None

    def observe(self, hub_time: float, local_time: float, retained: bool) -> None:
        """A hub time stamp arrived. A retained one is old, so it only stands in until a live one comes:
        better than a clock that may be hours off."""
        if not retained:
            self.sample(hub_time, local_time)
        elif not self._offsets:  # of several old stamps, the newest is the best guess
            offset = hub_time - local_time
            self._offset = offset if self._guessed is None else max(self._guessed, offset)
            self._guessed = self._offset

    def sample(self, hub_time: float, local_time: float) -> None:
        self._offsets.append(hub_time - local_time)
        self._offset = median(self._offsets)

    @property
    def synced(self) -> bool:
        return bool(self._offsets)

    def hub_now(self, local_time: float) -> float:
        return local_time + self._offset
