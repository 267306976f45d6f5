"""One hub per room: which of two serves, and what the one that stops tells the technician. Pure.

Two ``rotation hub serve`` for one room on one broker fought silently: with one MQTT client id (the hub
account's), each connection the broker took threw the other off, five times a second. A hub says which run it
is (``HubInstance``) in its status; one about to serve first asks (hub/claim.py) and refuses a room another
hub serves. Should two start at once, both serving, the one started first goes on and the other stops.
"""
from __future__ import annotations

import datetime
from typing import Literal

from shared.protocol import HubInstance

ANOTHER_HUB_EXIT = 78  # sysexits' EX_CONFIG: the hub's unit does not restart it (RestartPreventExitStatus)
Move = Literal["ignore", "stay", "stop"]


def started_first(a: HubInstance, b: HubInstance) -> bool:
    """Whether ``a`` goes on rather than ``b``: started earlier (by their clocks; the same at each end)."""
    return (a.started, a.instance) < (b.started, b.instance)


def said_before(status_time: float | None, other: HubInstance, me: HubInstance) -> bool:
    """A status from a hub on this board (whose clock is this one's) dated before this run began: a hub that ran
    here before, its words queued in the hub's session while it was away or kept in a broker's save. No sign of
    life, however it arrives. (Another board's clock may be off: its hub's words are taken as they come.)"""
    return other.host == me.host and status_time is not None and status_time < me.started


def on_hearing(me: HubInstance, other: HubInstance | None, claiming: bool, online: bool, alive: bool) -> Move:
    """What a serving hub does on hearing of ``other``: its claim (it does not serve yet: told this one does, it
    stops), or its status, ``alive`` when it shows it is running now (it came live, or it is the status of the
    hub whose connection just took this one's place)."""
    if other is None or other.instance == me.instance:
        return "ignore"
    if claiming:
        return "stay"
    if not online or not alive:
        return "ignore"
    return "stop" if started_first(other, me) else "stay"


class AnotherHub(RuntimeError):
    """Another hub serves this room: this one does not."""

    def __init__(self, room: str, other: HubInstance | None) -> None:
        self.other = other
        if other is None:
            who = "another hub (or a client logged in with the hub's account) holds this room's hub connection"
        else:
            who = f"another hub serves room {room}: on {other.host}, since {_when(other.started)}"
        super().__init__(f"{who}, so this one stops and changes nothing. Two hubs for one room would take turns "
                         "throwing each other off the broker. Stop the other one (on that board: sudo systemctl "
                         "stop rotation-hub), or give this room another id in its room.toml")


def _when(at: float) -> str:
    try:
        return datetime.datetime.fromtimestamp(at).isoformat(" ", "minutes")
    except (OverflowError, OSError, ValueError):
        return "a time its clock cannot tell"
