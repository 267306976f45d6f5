"""Which of two hubs for one room serves, and what the other tells the technician (hub/instances.py)."""
from hub.instances import AnotherHub, on_hearing
from shared.protocol import HubInstance

FIRST = HubInstance("aaaa", "room12-hub", 1_790_000_000.0)
LATER = HubInstance("bbbb", "spare-pi", 1_790_000_060.0)


def test_the_hub_started_first_serves_and_only_a_live_hub_counts():
    assert on_hearing(LATER, FIRST, claiming=False, online=True, alive=True) == "stop"
    assert on_hearing(FIRST, LATER, claiming=False, online=True, alive=True) == "stay"
    assert on_hearing(LATER, FIRST, claiming=False, online=True, alive=False) == "ignore"  # a status left retained
    assert on_hearing(LATER, FIRST, claiming=False, online=False, alive=True) == "ignore"  # it stopped
    assert on_hearing(LATER, LATER, claiming=False, online=True, alive=True) == "ignore"  # this hub's own
    assert on_hearing(LATER, None, claiming=False, online=True, alive=True) == "ignore"  # a hub before this field
    # a claim: the claimant does not serve yet, whenever it started; the serving hub answers it and stays
    assert on_hearing(LATER, FIRST, claiming=True, online=False, alive=True) == "stay"


def test_the_refusal_names_the_other_board_and_what_to_do():
    said = str(AnotherHub("room-12", FIRST))
    assert "another hub serves room room-12: on room12-hub, since " in said
    assert "sudo systemctl stop rotation-hub" in said and "another id" in said
    assert "hub's account" in str(AnotherHub("room-12", None))
    assert "cannot tell" in str(AnotherHub("room-12", HubInstance("cccc", "x", 1e300)))


def test_a_status_from_this_board_dated_before_this_run_began_is_no_sign_of_life():
    from hub.instances import said_before

    me = HubInstance("cccc", "room12-hub", 1_790_000_100.0)
    killed_here = HubInstance("aaaa", "room12-hub", 1_790_000_000.0)
    assert said_before(1_790_000_099.0, killed_here, me)  # queued in the hub's session, or a broker's save
    assert not said_before(1_790_000_101.0, killed_here, me)  # said after this run began: it lives
    assert not said_before(1_790_000_000.0, LATER, me)  # another board's clock may be off: taken as it comes
    assert not said_before(None, killed_here, me)  # a status from before hubs said when
