"""The teacher's PIN on a kiosk: stored only as a hash, and locked after five wrong tries, longer each time."""
from shared.pin import PinGate, hash_pin, is_pin_hash, pin_matches

STORED = hash_pin("2468")


def test_a_pin_is_kept_as_a_salted_hash():
    assert is_pin_hash(STORED) and "2468" not in STORED
    assert pin_matches("2468", STORED) and not pin_matches("2469", STORED)
    assert hash_pin("2468") != STORED  # salted
    assert not pin_matches("2468", "not a hash")


def test_five_wrong_tries_lock_for_a_minute_then_each_more_doubles_it():
    gate = PinGate()
    messages = [gate.try_pin("0000", STORED, now=100).message for _ in range(4)]
    assert messages == ["Wrong PIN: 4 tries left", "Wrong PIN: 3 tries left", "Wrong PIN: 2 tries left",
                        "Wrong PIN: 1 try left"]
    locked = gate.try_pin("0000", STORED, now=100)
    assert (locked.ok, locked.locked_for, locked.message) == (False, 60, "Too many wrong PINs: try again in 1 min")
    assert not gate.try_pin("2468", STORED, now=159).ok  # even the right PIN waits out the lock
    assert gate.try_pin("0000", STORED, now=161).locked_for == 120
    assert gate.try_pin("0000", STORED, now=282).locked_for == 240
    assert gate.try_pin("2468", STORED, now=523).ok
    assert (gate.failures, gate.locked_until) == (0, 0.0)


def test_the_lock_never_exceeds_an_hour():
    gate = PinGate(failures=30, locked_until=0)
    assert gate.try_pin("0000", STORED, now=0).locked_for == 3600
