"""Following the hub from its messages: what kiosks and the display know of it."""
from shared.follow import StateFollower
from shared.protocol import HubStatus


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
