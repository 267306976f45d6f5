"""Following the hub from its messages: what kiosks and the display know of it."""
from shared.follow import StateFollower
from shared.protocol import HubStatus, Presence, PresenceChange


def test_hub_status_tells_online_and_when_the_hub_reconnected():
    follower = StateFollower()
    assert not follower.hub_online and follower.hub_since is None
    follower.receive("hub_status", HubStatus(online=True, time=100.0, since=90.0), retained=True, local_time=5.0)
    assert (follower.hub_online, follower.hub_since) == (True, 90.0)
    assert follower.clock.hub_now(5.0) == 100.0  # a retained stamp stands in until a live one comes
    follower.receive("hub_status", HubStatus(online=False), retained=False, local_time=6.0)
    assert (follower.hub_online, follower.hub_since) == (False, 90.0)
    follower.receive("hub_status", HubStatus(online=True, time=200.0, since=195.0), retained=False, local_time=7.0)
    assert (follower.hub_online, follower.hub_since, follower.clock.synced) == (True, 195.0, True)
    follower.lost_broker()
    assert not follower.hub_online


def test_a_check_in_between_snapshots_shows_at_once_and_one_after_a_gap_waits_for_the_next_snapshot():
    from msgspec.structs import replace

    from tests.test_kiosk_decide import STATE

    follower = StateFollower()
    assert not follower.receive("presence", PresenceChange(seq=1, student="s05", station="tech", at=5.0),
                                retained=False, local_time=0.0)  # no snapshot yet: nothing to apply it to
    snapshot = replace(STATE, seq=10, presence={})
    assert follower.receive("state", snapshot, retained=True, local_time=0.0)
    assert follower.receive("presence", PresenceChange(seq=11, student="s05", station="tech", at=5.0),
                            retained=False, local_time=1.0)
    assert follower.state.presence["s05"] == Presence("tech", 5.0) and follower.state.seq == 11
    assert not follower.receive("presence", PresenceChange(seq=13, student="s01", station="tech", at=6.0),
                                retained=False, local_time=2.0)  # 12 never came: this one waits for a snapshot
    assert "s01" not in follower.state.presence
    assert not follower.receive("state", replace(snapshot, seq=9), retained=False, local_time=3.0)  # an old one
    assert follower.state.seq == 11
    assert follower.receive("state", replace(snapshot, seq=5), retained=True, local_time=3.0)  # the broker's latest
    assert follower.state.seq == 5  # (the hub's database was replaced)


def test_a_hub_status_brings_its_problem_restore_and_backups_while_online_and_an_offline_one_clears_the_problem():
    from shared.protocol import BackupTrouble, Restored

    follower = StateFollower()
    restored, backups = Restored(at=5.0, since=1.0), BackupTrouble(copy=True)
    assert follower.receive("hub_status", HubStatus(online=True, since=3.0, problem="storage_full", restored=restored,
                                                    backups=backups), retained=False, local_time=1.0)
    assert (follower.hub_problem, follower.hub_restored, follower.hub_backups) == ("storage_full", restored, backups)
    assert follower.clock.hub_now(1.0) == 1.0  # no time in that status: the clock is not moved by it
    follower.receive("hub_status", HubStatus(online=False), retained=False, local_time=2.0)
    assert follower.hub_problem is None and follower.hub_since == 3.0
    assert (follower.hub_restored, follower.hub_backups) == (restored, backups)  # kept from the last online one
    follower.receive("hub_status", HubStatus(online=True, since=9.0), retained=False, local_time=3.0)
    assert (follower.hub_problem, follower.hub_restored, follower.hub_backups) == (None, None, None)


def test_before_anything_is_heard_the_hub_is_offline_with_no_problem_and_no_clock():
    follower = StateFollower()
    assert (follower.state, follower.hub_online, follower.hub_problem, follower.hub_restored,
            follower.hub_backups, follower.clock.synced) == (None, False, None, None, None, False)
    follower.receive("hub_status", HubStatus(online=True), retained=False, local_time=1.0)
    follower.lost_broker()
    assert follower.hub_online is False


def stamped(seq: int, hub_time: float):
    from msgspec.structs import replace

    from tests.test_kiosk_decide import STATE

    return replace(STATE, seq=seq, hub_time=hub_time)


def test_a_retained_stamp_only_stands_in_for_the_clock_and_a_live_one_sets_it():
    follower = StateFollower()
    follower.receive("state", stamped(seq=3, hub_time=500.0), retained=True, local_time=10.0)
    assert not follower.clock.synced and follower.clock.hub_now(10.0) == 500.0
    follower.receive("hub_status", HubStatus(online=True, time=600.0), retained=True, local_time=10.0)
    assert not follower.clock.synced
    follower.receive("hub_status", HubStatus(online=True, time=700.0), retained=False, local_time=10.0)
    assert follower.clock.synced and follower.clock.hub_now(10.0) == 700.0


def test_a_snapshot_as_new_as_the_last_is_taken_and_an_older_live_one_is_not():
    follower = StateFollower()
    follower.receive("state", stamped(seq=3, hub_time=500.0), retained=False, local_time=10.0)
    again = stamped(seq=3, hub_time=501.0)
    assert follower.receive("state", again, retained=False, local_time=11.0) and follower.state == again
    assert not follower.receive("state", stamped(seq=2, hub_time=502.0), retained=False, local_time=12.0)
    assert follower.state == again
