"""Following the hub's room state from its snapshots and the presence changes between them. Pure."""
from __future__ import annotations

from shared.protocol import PresenceChange, State


class StateFollower:
    def __init__(self) -> None:
        self.state: State | None = None

    def snapshot(self, state: State, retained: bool) -> bool:
        """Take a snapshot unless it is older than what we have. A retained one is the broker's latest, so
        it is taken even with a lower seq (the hub's database was replaced). True if the state changed."""
        if self.state is None or retained or state.seq >= self.state.seq:
            self.state = state
            return True
        return False

    def change(self, change: PresenceChange) -> bool:
        """Apply a presence change that follows on; after a gap, the next snapshot catches us up."""
        if self.state is None:
            return False
        followed = self.state.follow(change)
        if followed is None:
            return False
        self.state = followed
        return True
