"""Following the hub from what it publishes: the room state (snapshots and the presence changes between
them), whether the hub is online, and its clock. Pure: the caller passes in messages and local times."""
from __future__ import annotations

from shared.clock import HubClockEstimate
from shared.protocol import BackupTrouble, HubStatus, PresenceChange, Restored, State

FOLLOWED_KINDS = frozenset({"state", "view", "presence", "hub_status"})  # a view is a kiosk's state


class StateFollower:
    def __init__(self) -> None:
        self.state: State | None = None
        self.clock = HubClockEstimate()
        self.hub_online = False
        self.hub_since: float | None = None  # when the hub last connected to the broker
        self.hub_problem: str | None = None
        self.hub_restored: Restored | None = None  # the hub's database went back to a backup, lately
        self.hub_backups: BackupTrouble | None = None  # the hub's backups need a technician

    def receive(self, kind: str, message: State | PresenceChange | HubStatus, retained: bool,
                local_time: float) -> bool:
        """Take one message of a kind in FOLLOWED_KINDS (``decode`` makes a presence change of a presence, a
        state of a state or a kiosk's view, a hub status of a hub status). True if what we know of the hub
        changed."""
        if isinstance(message, PresenceChange):
            return self.change(message)
        if isinstance(message, State):
            self.clock.observe(message.hub_time, local_time, retained)
            return self.snapshot(message, retained)
        return self.status(message, retained, local_time)

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

    def status(self, status: HubStatus, retained: bool, local_time: float) -> bool:
        self.hub_online = status.online
        self.hub_problem = status.problem if status.online else None
        if status.online:
            self.hub_since = status.since
            self.hub_restored = status.restored
            self.hub_backups = status.backups
        if status.time is not None:
            self.clock.observe(status.time, local_time, retained)
        return True

    def lost_broker(self) -> None:
        """Whether the hub is online is unknown until the broker tells us again."""
        self.hub_online = False


class FollowsHub:
    """What a client following the hub through ``self.follower`` (a StateFollower) knows of it."""
    follower: StateFollower

    @property
    def state(self) -> State | None:
        return self.follower.state

    @property
    def hub_online(self) -> bool:
        return self.follower.hub_online

    @property
    def hub_problem(self) -> str | None:
        return self.follower.hub_problem

    @property
    def hub_restored(self) -> Restored | None:
        return self.follower.hub_restored

    @property
    def hub_backups(self) -> BackupTrouble | None:
        return self.follower.hub_backups
