"""What one station's kiosk is told of the room. Pure.

A kiosk must know every card of the class, since any student may scan at any station: so it gets the class
list as the state has it (id, first name and last initial, group, card version) and the rotation (clock,
stations, groups). Everything else it gets only for its own station: who is checked in there, its calls for
help, the session's choices, goals and exit tickets of the students who are there or whose group is
expected there; of those students alone, too, their standing goal and what they said at their last exit ticket
at this station (never at another); and which of the students checked in there may be suggested to a
classmate asking for help (never the class's peer setting, nor who the teacher kept out of it). The full
state goes to the teacher's display alone (the broker's ACL sees to it).
"""
from __future__ import annotations

from collections.abc import Collection

from msgspec.structs import replace

from shared.protocol import ChoiceRound, State, encode


def kiosk_view(snapshot: State, station: str) -> State:
    """The room snapshot (``Room.snapshot``) as the kiosk at ``station`` may see it."""
    expected = next((set(s.groups) for s in snapshot.stations if s.id == station), set())
    here = {sid for sid, p in snapshot.presence.items() if p.station == station}
    theirs = here | {sid for sid, s in snapshot.students.items() if s.group is None or s.group in expected}
    return replace(snapshot,
                   presence={sid: p for sid, p in snapshot.presence.items() if sid in here},
                   attendance={},  # the teacher's business
                   checked_out={sid: p for sid, p in snapshot.checked_out.items() if sid in here},
                   out={sid: p for sid, p in snapshot.out.items() if p.station == station},
                   ended=None,  # the board's summary
                   pairings=(),  # the technician's business
                   help=tuple(h for h in snapshot.help if h.station == station),
                   helpers={station: snapshot.helpers[station]} if station in snapshot.helpers else {},
                   peer_help=None,  # the teacher's business
                   progress={sid: p for sid, p in snapshot.progress.items() if sid in theirs},
                   standing={sid: g for sid, g in snapshot.standing.items() if sid in theirs},
                   last_visits={sid: here_before for sid, visits in snapshot.last_visits.items() if sid in theirs
                                for here_before in (tuple(v for v in visits if v.station == station),) if here_before},
                   choice=_choice_here(snapshot.choice, here, snapshot.presence.keys()))


def _choice_here(choice: ChoiceRound | None, here: set[str], seen: Collection[str]) -> ChoiceRound | None:
    if choice is None:
        return None
    return replace(choice, allowed={sid: a for sid, a in choice.allowed.items()
                                    if sid in here or sid not in seen})


class ViewPublisher:
    """Encodes each station's view and says whether it changed since it was last sent."""

    def __init__(self) -> None:
        self._sent: dict[str, bytes] = {}

    def forget(self) -> None:
        """Send every view again next time (the broker may have lost them)."""
        self._sent.clear()

    def changed_views(self, snapshot: State, stations: list[str]) -> list[tuple[str, bytes]]:
        """(station, payload) for each station whose view differs from the one last sent; ``seq`` and
        ``hub_time``, in every snapshot, do not count as a change."""
        changed = []
        for station in stations:
            view = kiosk_view(snapshot, station)
            body = encode(replace(view, seq=0, hub_time=0.0))
            if self._sent.get(station) != body:
                self._sent[station] = body
                changed.append((station, encode(view)))
        return changed
