"""When the hub may erase what is past the retention period: only by a clock it can vouch for. Pure: the
times, and what the system says of its clock, are passed in.

Retention erases what the hub received more than ``retention_days`` ago *by its own clock*, and a Raspberry
Pi's clock can be far off (no battery clock; a wrong time server; a technician's typo): a year ahead, it
would erase everything. So the clock has to agree with what the hub stored while its clock was right:

- the last purge (the clock was vouched for then), and the events received up to two days after it;
- where there was none yet, the events stored before this hub started (what it stamps itself cannot
  vouch for its own clock);
- where the system says its clock is synchronised to a time server, every stored event: after a hub was
  off for days, the first events of the day vouch for the clock the time server set;
- never an event received after a last purge that is in the future: a clock that was ahead stamped both
  (an earlier version purged by any clock), and it must not hold retention back once the clock is right.

Nothing is erased while the clock is behind that newest evidence, more than two days past it, or while the
system says its clock is not synchronised yet (after boot, before the time server answered). And what a clock
behind it receives is stamped no earlier than that evidence (``HubStore.received_floor``), or it would be
erased early once the clock is right.
"""
from __future__ import annotations

import datetime
from typing import NamedTuple

DAY_SECONDS = 24 * 3600
CLOCK_SLACK_SECONDS = 2 * DAY_SECONDS  # the longest the hub may go on after its newest evidence
RECHECK_SECONDS = 600.0  # a purge put off for the clock is tried again this often


def purge_due(now: float, last_purge: float) -> bool:
    """Once a day; a last purge in the future (written by a clock that was ahead) is due at once."""
    return last_purge > now or now - last_purge >= DAY_SECONDS


def vouched(now: float, last_purge: float) -> float | None:
    """The last purge as evidence: only a past one (a future one was stamped by a clock that was ahead)."""
    return last_purge if 0 < last_purge <= now else None


def evidence_limit(now: float, last_purge: float, newest_at_start: float | None,
                   synchronised: bool | None) -> float | None:
    """The latest receipt time of an event that may vouch for the clock; None: every event may."""
    if synchronised:
        limit = None
    elif 0 < last_purge <= now:
        limit = last_purge + CLOCK_SLACK_SECONDS
    else:
        limit = newest_at_start  # None with no events at all: what this clock stamps is all there is to lose
    if last_purge > now:  # stamped by a clock ahead (or this one is behind): what came after it vouches for nothing
        limit = last_purge if limit is None else min(limit, last_purge)
    return limit


class Doubt(NamedTuple):
    kind: str  # one of the four below: said once in the log while it lasts
    said: str


NOT_SYNCHRONISED, NO_EVIDENCE, BEHIND, AHEAD = "not synchronised", "no evidence", "behind", "ahead"


def clock_doubt(now: float, evidence: float | None, synchronised: bool | None) -> Doubt | None:
    """Why the hub's clock cannot be trusted to erase now, or None. ``evidence``: the newest time what the hub
    stored vouches for (the last purge, or the newest event within ``evidence_limit``); ``synchronised``: what
    the system says (None: no time service)."""
    if synchronised is False:
        return Doubt(NOT_SYNCHRONISED, "the system clock is not synchronised to a time server yet")
    if evidence is None:
        return Doubt(NO_EVIDENCE, "no stored event to check the hub's clock against yet")
    if now < evidence:
        return Doubt(BEHIND, f"the hub's clock ({_when(now)}) is behind what it stored (its last purge or newest "
                             f"event: {_when(evidence)})")
    if now - evidence > CLOCK_SLACK_SECONDS:
        return Doubt(AHEAD, f"the hub's clock ({_when(now)}) is {(now - evidence) / DAY_SECONDS:.0f} days past what "
                            f"it stored (its last purge or newest event: {_when(evidence)}): a clock that jumped "
                            "ahead would erase data early")
    return None


def _when(at: float) -> str:
    try:
        return datetime.datetime.fromtimestamp(at).isoformat(" ", "minutes")
    except (OverflowError, OSError, ValueError):
        return f"{at:.0f}"
