"""Which of a kiosk's unacked events go again, and when: once where one copy reaches the hub, again where it may
have been lost (kiosk/resend.py)."""
from kiosk.resend import HUB_BACK_GRACE, RESEND_SECONDS, Resend

WAITING = [1, 2, 3]


def test_an_unacked_event_goes_again_after_the_resend_time_but_only_while_the_hub_is_online():
    resend = Resend()
    resend.connected(now=0)
    assert resend.due(WAITING, now=0, most=400, hub_online=True) == WAITING  # never sent on this connection
    for seq in WAITING:
        resend.sent(seq, now=0)
    assert resend.due(WAITING, now=RESEND_SECONDS - 0.1, most=400, hub_online=True) == []
    assert resend.due(WAITING, now=RESEND_SECONDS, most=400, hub_online=True) == WAITING
    # The hub is away: the broker keeps the first copy for it, and a second would only reach it beside the first.
    assert resend.due(WAITING, now=RESEND_SECONDS * 5, most=400, hub_online=False) == []
    assert resend.due(WAITING + [4], now=RESEND_SECONDS * 5, most=400, hub_online=False) == [4]  # new: it goes


def test_a_new_connection_sends_everything_again_a_little_at_a_time():
    resend = Resend()
    resend.connected(now=0)
    for seq in WAITING:
        resend.sent(seq, now=0)
    resend.connected(now=1)
    assert resend.due(WAITING, now=1, most=2, hub_online=False) == [1, 2]


def test_a_hub_back_on_a_broker_that_kept_its_session_gets_what_waited_there_and_no_second_copy():
    resend = Resend()
    resend.connected(now=0)
    resend.heard_hub(retained=True, now=0.01)  # the broker kept the hub's status: and its session
    for seq in WAITING:
        resend.sent(seq, now=5)  # while the hub was away
    resend.hub_back(retained=False, now=30)
    assert resend.due(WAITING, now=30, most=400, hub_online=True) == []
    assert resend.due(WAITING, now=30 + HUB_BACK_GRACE, most=400, hub_online=True) == []  # in its queue
    assert resend.due(WAITING, now=30 + RESEND_SECONDS - 0.1, most=400, hub_online=True) == []
    assert resend.due(WAITING, now=30 + RESEND_SECONDS, most=400, hub_online=True) == WAITING  # never acked


def test_what_was_sent_before_the_kiosk_heard_of_the_hub_goes_again_when_the_hub_comes():
    """A broker restarted keeps no session: what a kiosk sent it before the hub was back reached nobody."""
    resend = Resend()
    resend.connected(now=0)
    for seq in WAITING:
        resend.sent(seq, now=0.1)
    resend.hub_back(retained=False, now=3)
    assert resend.due(WAITING, now=3, most=400, hub_online=True) == []  # they may have reached it: its ack first
    assert resend.due(WAITING, now=3 + HUB_BACK_GRACE, most=400, hub_online=True) == WAITING
    for seq in [*WAITING, 4]:
        resend.sent(seq, now=3)  # once the kiosk knew the broker held the hub's session: they wait for it there
    resend.hub_back(retained=False, now=20)  # the hub restarted, the broker did not
    assert resend.due(WAITING + [4], now=20, most=400, hub_online=True) == []


def test_a_hub_that_came_back_before_the_kiosk_connected_has_everything_sent_since():
    resend = Resend()
    resend.connected(now=0)
    for seq in WAITING:
        resend.sent(seq, now=0)  # at connection, before the retained status came
    resend.hub_back(retained=True, now=0.05)  # a new `since`, retained: the hub was at the broker already
    assert resend.due(WAITING, now=0.05, most=400, hub_online=True) == []
    assert resend.due(WAITING, now=0.05 + HUB_BACK_GRACE, most=400, hub_online=True) == []  # sent into its queue


def test_only_what_was_sent_after_the_first_live_hub_status_on_this_connection_is_known_to_be_in_its_queue():
    resend = Resend()
    resend.connected(now=100)
    resend.sent(1, now=100.5)  # before the kiosk heard of the hub: the broker may have had no session for it
    resend.heard_hub(retained=False, now=101)  # the hub's status, live: its session is at this broker from now
    resend.sent(2, now=101)
    resend.sent(3, now=102)
    resend.heard_hub(retained=False, now=105)  # a later status changes nothing: the first one is the proof
    resend.hub_back(retained=False, now=110)
    assert resend.due([1, 2, 3], now=110 + HUB_BACK_GRACE, most=400, hub_online=True) == [1]
    fresh = Resend()
    fresh.connected(now=0)
    fresh.sent(1, now=0)
    fresh.hub_back(retained=False, now=0.5)  # no status before this one: nothing is known to be in its queue
    assert fresh.due([1], now=0.5 + HUB_BACK_GRACE - 0.01, most=400, hub_online=True) == []  # its ack first
    assert fresh.due([1], now=0.5 + HUB_BACK_GRACE, most=400, hub_online=True) == [1]
    assert fresh.knows_hub_session


def test_what_the_hub_asks_for_goes_at_once():
    resend = Resend()
    resend.connected(now=0)
    for seq in WAITING:
        resend.sent(seq, now=0)
    resend.asked((2, 9))
    assert resend.due(WAITING, now=1, most=400, hub_online=True) == [2]


def test_an_event_acked_then_asked_for_again_by_a_hub_gone_back_to_a_backup_goes_at_once():
    resend = Resend()
    resend.connected(now=0)
    resend.heard_hub(retained=True, now=0)
    for seq in WAITING:
        resend.sent(seq, now=1)
    resend.still_waiting([3])  # the hub acked 1 and 2
    resend.hub_back(retained=False, now=5)  # back from a backup that lacks 1 and 2: they wait again
    assert resend.due(WAITING, now=5, most=400, hub_online=True) == [1, 2]
