"""Each kiosk's events in the kiosk's order, whatever order the broker hands them over in."""
from hub.ordering import KioskOrder


def test_events_in_order_go_straight_through_and_a_gap_holds_the_later_ones():
    order = KioskOrder({"art": 5}, hold_seconds=15, max_held=100)
    assert order.arrive("art", 5, "e5", now=0) == (["e5"], [])
    assert order.arrive("art", 7, "e7", now=1) == ([], [])  # 6 is missing: 7 waits
    assert order.arrive("art", 8, "e8", now=1) == ([], [])
    assert order.arrive("art", 7, "e7 again", now=2) == ([], ["e7 again"])  # a resent copy of a held one
    assert order.holding() == 2
    assert order.arrive("art", 6, "e6", now=3) == (["e6", "e7", "e8"], [])
    assert order.holding() == 0
    assert order.arrive("art", 6, "e6 again", now=4) == (["e6 again"], [])  # a copy: stored once, by id


def test_a_kiosk_never_seen_starts_where_it_is_and_kiosks_do_not_wait_for_each_other():
    order = KioskOrder({}, hold_seconds=15, max_held=100)
    assert order.arrive("tech", 40, "t40", now=0) == (["t40"], [])
    assert order.arrive("art", 3, "a3", now=0) == (["a3"], [])
    assert order.arrive("tech", 42, "t42", now=0) == ([], [])
    assert order.arrive("art", 4, "a4", now=0) == (["a4"], [])


def test_a_gap_open_too_long_is_given_up_and_the_held_events_go_on_in_order():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=100)
    order.arrive("art", 4, "e4", now=10)
    order.arrive("art", 2, "e2", now=11)
    assert order.overdue(now=24) == []
    assert order.overdue(now=25) == [("art", [1, 3], ["e2", "e4"])]
    assert order.arrive("art", 5, "e5", now=26) == (["e5"], [])
    assert order.arrive("art", 1, "e1 at last", now=27) == (["e1 at last"], [])  # late, but not lost


def test_a_kiosk_has_only_so_many_events_held_and_the_next_are_dropped_for_it_to_send_again():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=3)
    for seq in (2, 3, 4):
        assert order.arrive("art", seq, f"e{seq}", now=0) == ([], [])
    assert order.arrive("art", 5, "e5", now=0) == ([], ["e5"])  # unacked: the kiosk sends it again
    assert order.arrive("tech", 9, "t9", now=0) == (["t9"], [])  # another kiosk's are not held up
    assert order.arrive("art", 1, "e1", now=1) == (["e1", "e2", "e3", "e4"], [])
    assert order.arrive("art", 5, "e5 again", now=2) == (["e5 again"], [])


def test_a_gap_is_asked_for_at_once_then_again_while_it_stays_open_and_no_more_once_filled():
    order = KioskOrder({"art": 1, "tech": 1}, hold_seconds=15, max_held=100)
    assert order.to_ask(now=0, every=2, most=100) == []  # nothing held: nothing to ask
    order.arrive("art", 2, "e2", now=0)
    order.arrive("art", 5, "e5", now=0)
    assert order.to_ask(now=0.1, every=2, most=100) == [("art", [1, 3, 4])]
    assert order.to_ask(now=2.0, every=2, most=100) == []  # asked 1.9 s ago: its answer may be on its way
    order.arrive("art", 1, "e1", now=2.0)
    assert order.to_ask(now=2.1, every=2, most=100) == [("art", [3, 4])]
    order.arrive("art", 3, "e3", now=2.2)
    order.arrive("art", 4, "e4", now=2.2)
    assert order.to_ask(now=9, every=2, most=100) == []
    order.arrive("art", 7, "e7", now=9.5)  # a new gap is asked for at once, not 2 s after the last ask
    assert order.to_ask(now=9.6, every=2, most=100) == [("art", [6])]


def test_a_wide_gap_is_asked_for_from_its_lowest_numbers_a_message_at_a_time():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=100)
    order.arrive("art", 500, "e500", now=0)
    assert order.to_ask(now=0, every=2, most=100) == [("art", list(range(1, 101)))]


def test_a_gap_filled_in_part_applies_what_it_can_and_keeps_holding_the_rest():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=100)
    order.arrive("art", 2, "e2", now=0)
    order.arrive("art", 4, "e4", now=0)
    assert order.arrive("art", 1, "e1", now=1) == (["e1", "e2"], [])
    assert order.holding() == 1  # 4 still waits for 3
    assert order.to_ask(now=1, every=2, most=100) == [("art", [3])]
    assert order.arrive("art", 3, "e3", now=2) == (["e3", "e4"], [])
    assert order.holding() == 0
    assert order.overdue(now=100) == []  # nothing left held: nothing overdue, and no empty hold to trip on


def test_a_late_copy_of_an_applied_event_does_not_wind_the_count_back():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=100)
    for seq in range(1, 6):
        order.arrive("art", seq, f"e{seq}", now=0)
    assert order.arrive("art", 2, "e2 again", now=1) == (["e2 again"], [])  # stored once, by its id
    assert order.arrive("art", 6, "e6", now=1) == (["e6"], [])  # not held behind 3, 4, 5 again
    assert order.next_seq["art"] == 7


def test_a_gap_given_up_names_every_missing_number_and_the_count_goes_on_after_the_last_held():
    order = KioskOrder({"art": 1}, hold_seconds=15, max_held=100)
    for seq in (2, 4, 6):
        order.arrive("art", seq, f"e{seq}", now=0)
    assert order.overdue(now=15) == [("art", [1, 3, 5], ["e2", "e4", "e6"])]
    assert order.arrive("art", 8, "e8", now=16) == ([], [])  # 7 is a new gap: held, not applied
    assert order.next_seq["art"] == 7


def test_every_kiosk_is_looked_at_whatever_the_one_before_it_needs():
    order = KioskOrder({"art": 1, "tech": 1}, hold_seconds=15, max_held=100)
    order.arrive("art", 3, "a3", now=10)  # art's gap: not overdue at 20
    order.arrive("tech", 3, "t3", now=0)  # tech's: overdue at 20
    assert order.overdue(now=20) == [("tech", [1, 2], ["t3"])]
    order.arrive("tech", 9, "t9", now=20)
    assert order.to_ask(now=20.5, every=2, most=100) == [("art", [1, 2]), ("tech", [4, 5, 6, 7, 8])]
    order.arrive("tech", 12, "t12", now=21)
    assert order.to_ask(now=21, every=2, most=100) == []  # both asked 0.5 s ago
    order.arrive("art", 1, "a1", now=21)
    order.arrive("art", 2, "a2", now=21)  # art's gap filled
    order.arrive("art", 6, "a6", now=21.5)  # and a new one: asked at once, though tech's is not due yet
    assert order.to_ask(now=21.6, every=2, most=100) == [("art", [4, 5])]
