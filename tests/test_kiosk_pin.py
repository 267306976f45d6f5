"""The teacher's PIN on a kiosk: 6 to 8 digits, stored only as a verifier with no secret in it, opening the key
that signs the teacher's notes; locked after five wrong tries, longer each time."""
import pytest

from shared.pin import PinGate, TeacherKey, hash_pin, is_old_pin_hash, is_pin_hash, pin_matches, proves, unlock
from tests.conftest import pin_verifier

PIN = "246810"
STORED = pin_verifier(PIN)
# release 0.1.0's hash of "2468" (tests/fixtures/release-0.1.0/room.toml): rooms upgraded from it have one
OLD = "pbkdf2-sha256$100000$cmVsZWFzZS0wLjEuMGZpeA==$Zu6a6hm6UE8J6pBa8rz6OZuHmV/b5A77lhgN6lE0iv0="


def test_a_pin_is_kept_as_a_salted_verifier_of_six_to_eight_digits():
    assert is_pin_hash(STORED) and PIN not in STORED and STORED.startswith("scrypt-ed25519$n=16,r=8,p=1$")
    assert pin_matches(PIN, STORED) and not pin_matches("246811", STORED) and not pin_matches("2468", STORED)
    assert pin_verifier(PIN) != STORED  # salted
    assert not pin_matches(PIN, "not a hash")
    assert pin_matches("12345678", pin_verifier("12345678"))
    for short_or_long in ("2468", "24681", "123456789", "24681a"):
        with pytest.raises(ValueError, match="a PIN is 6 to 8 digits"):
            hash_pin(short_or_long)


def test_the_right_pin_opens_the_key_whose_signature_the_verifier_checks():
    key = unlock(PIN, STORED)
    assert isinstance(key, TeacherKey) and unlock("246811", STORED) is False
    signature = key.sign(b"a note")
    assert proves(STORED, b"a note", signature)
    assert not proves(STORED, b"another note", signature)
    assert not proves(pin_verifier(PIN), b"a note", signature)  # the same PIN, another salt: another key
    assert not proves(STORED, b"a note", "not base64!") and not proves(OLD, b"a note", signature)
    assert "key" not in repr(PinGate().try_pin(PIN, STORED, now=0))  # never in a log line


def test_an_old_pbkdf2_hash_still_unlocks_but_opens_no_key():
    assert is_pin_hash(OLD) and is_old_pin_hash(OLD) and not is_old_pin_hash(STORED)
    attempt = PinGate().try_pin("2468", OLD, now=0)
    assert attempt.ok and attempt.key is None
    assert not PinGate().try_pin("2469", OLD, now=0).ok


def test_a_verifier_asking_more_memory_than_a_pi_has_is_not_one():
    salt_and_key = STORED.split("$", 2)[2]
    assert not is_pin_hash(f"scrypt-ed25519$n=2097152,r=8,p=1${salt_and_key}")  # 2 GiB
    assert not is_pin_hash(f"scrypt-ed25519$n=1000,r=8,p=1${salt_and_key}")  # not a power of two
    assert not unlock(PIN, f"scrypt-ed25519$n=2097152,r=8,p=1${salt_and_key}")


def test_five_wrong_tries_lock_for_a_minute_then_each_more_doubles_it():
    gate = PinGate()
    messages = [gate.try_pin("000000", STORED, now=100).message for _ in range(4)]
    assert messages == ["Wrong PIN: 4 tries left", "Wrong PIN: 3 tries left", "Wrong PIN: 2 tries left",
                        "Wrong PIN: 1 try left"]
    locked = gate.try_pin("000000", STORED, now=100)
    assert (locked.ok, locked.locked_for, locked.message) == (False, 60, "Too many wrong PINs: try again in 1 min")
    assert not gate.try_pin(PIN, STORED, now=159).ok  # even the right PIN waits out the lock
    assert gate.try_pin("000000", STORED, now=161).locked_for == 120
    assert gate.try_pin("000000", STORED, now=282).locked_for == 240
    assert gate.try_pin(PIN, STORED, now=523).ok
    assert (gate.failures, gate.locked_until) == (0, 0.0)


def test_the_lock_never_exceeds_an_hour():
    gate = PinGate(failures=30, locked_until=0)
    assert gate.try_pin("000000", STORED, now=0).locked_for == 3600


def test_a_verifiers_cost_is_read_only_within_what_a_kiosk_can_afford():
    from shared.pin import MOST_MEMORY, Cost

    assert Cost.parse("n=131072,r=8,p=1") == Cost(2 ** 17, 8, 1) and str(Cost(2 ** 17, 8, 1)) == "n=131072,r=8,p=1"
    assert Cost.parse("p=16,r=32,n=2") == Cost(2, 32, 16)  # the edges, in any order
    assert Cost.parse("n=4,r=1,p=1").memory == 512
    assert Cost.parse(f"n={2 ** 17},r=8,p=1").memory == MOST_MEMORY  # exactly the most: read
    for refused in ("n=1,r=8,p=1", "n=3,r=8,p=1", "n=6,r=8,p=1", "n=4,r=0,p=1", "n=4,r=33,p=1", "n=4,r=8,p=0",
                    "n=4,r=8,p=17", f"n={2 ** 18},r=8,p=1", "n=4,r=8", "n=4,r=8,p=1,q=2", "n=x,r=8,p=1",
                    "n=4;r=8;p=1", "r=8,p=1,n=-4"):
        with pytest.raises(ValueError):
            Cost.parse(refused)


def test_wrong_pins_lock_the_screen_for_longer_each_time_and_the_right_one_opens_it_and_resets():
    from shared.pin import FIRST_LOCK_SECONDS, FREE_TRIES, PinGate, TeacherKey

    def wrong(pin, stored):
        return False

    gate = PinGate()
    said = [gate.try_pin("000000", "x", 0.0, wrong) for _ in range(FREE_TRIES - 1)]
    assert [a.message for a in said[-2:]] == ["Wrong PIN: 2 tries left", "Wrong PIN: 1 try left"]
    locked = gate.try_pin("000000", "x", 0.0, wrong)
    assert not locked.ok and locked.locked_for == FIRST_LOCK_SECONDS
    assert locked.message == f"Too many wrong PINs: try again in {int(-(-FIRST_LOCK_SECONDS // 60))} min"
    meanwhile = gate.try_pin("123456", "x", FIRST_LOCK_SECONDS - 1, lambda pin, stored: True)
    assert not meanwhile.ok and meanwhile.locked_for == 1  # not even checked while locked
    again = gate.try_pin("000000", "x", FIRST_LOCK_SECONDS, wrong)
    assert again.locked_for == 2 * FIRST_LOCK_SECONDS  # doubled
    key = TeacherKey.__new__(TeacherKey)
    opened = gate.try_pin("123456", "x", 10 ** 6, lambda pin, stored: key)
    assert opened.ok and opened.key is key and opened.message == ""
    assert (gate.failures, gate.locked_until) == (0, 0.0)
    plain = gate.try_pin("123456", "x", 10 ** 6, lambda pin, stored: True)  # an old hash: opens, no key
    assert plain.ok and plain.key is None
