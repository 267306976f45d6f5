"""The teacher's PIN against a stolen kiosk. Its card holds the class secret, its SD card the PIN's verifier
and its broker account: with them it made up a conference note in a child's record, and a 4-digit PIN's hash
fell to an offline search in 26 s. Now a note reaches the hub only signed by the key the right PIN opens, and
the verifier costs a slow, memory-hard hash per guess."""
import base64
import statistics
import subprocess
import sys
import time
import uuid

import pytest
from msgspec.structs import replace as changed

from kiosk.core import KioskCore
from kiosk.settings import settings_path
from kiosk.teacher import NEW_PIN_NEEDED, Refused, TeacherAccess
from shared.config import load_config
from shared.pin import COST, PIN_PATTERN, TeacherKey, hash_pin, is_pin_hash, proves, unlock
from shared.protocol import NOTE_KIND, Event, conference_note, decode, note_claim
from shared.topics import Topics
from tests.conftest import ROOT, card, eventually, pin_verifier, room_changed, running_hub
from tests.mqtt_client import TestClient

PIN = "246810"
OLD_HASH_OF_2468 = "pbkdf2-sha256$100000$cmVsZWFzZS0wLjEuMGZpeA==$Zu6a6hm6UE8J6pBa8rz6OZuHmV/b5A77lhgN6lE0iv0="
STATION = "reading-nook"


def pinned_room(tmp_path, port: int, verifier: str):
    return load_config(room_changed(tmp_path, port, "[kiosk]\n", f'[kiosk]\nteacher_pin = "{verifier}"\n'))


@pytest.fixture
def room(tmp_path, broker):
    """The hub and the Reading Nook's kiosk, the teacher's PIN set, Sofia (s05) checked in at the kiosk."""
    config = pinned_room(tmp_path, broker.port, pin_verifier(PIN))
    with running_hub(config) as hub:
        kiosk = KioskCore(config, STATION, tmp_path / "outbox.db")
        kiosk.start()
        try:
            eventually(lambda: kiosk.online and kiosk.state, 10, "the kiosk online")
            kiosk.scan(card("s05"))
            eventually(lambda: "s05" in hub.room.presence, 5, "Sofia checked in")
            yield hub, kiosk, TeacherAccess(kiosk, settings_path(kiosk.outbox.file.path))
        finally:
            kiosk.stop()


def notes_in_record(hub, student: str) -> list[str]:
    """The notes in the student's record, as `rotation student export` writes it."""
    return [event["data"]["text"] for event in hub.store.student_data(student)["events"]
            if event["kind"] == NOTE_KIND]


def answered(kiosk) -> None:
    """Wait until the hub has answered every event the kiosk sent: stored (taken or refused) and acked, or
    refused unread."""
    eventually(lambda: kiosk.waiting() == 0, 10, "the hub's answer to every event")


def reason(hub, event: Event) -> tuple:
    return hub.store.db.execute("SELECT accepted, student, reason FROM events WHERE id = ?", [event.id]).fetchone()


def test_a_note_from_an_unlocked_kiosk_reaches_the_students_record_and_none_once_it_locks(room):
    hub, kiosk, access = room
    with pytest.raises(Refused, match="Notes need the teacher's PIN"):
        access.conference_note("s05", ["reading"], "before the PIN")
    assert not access.try_pin("135790").ok and access.key is None
    assert access.try_pin(PIN).ok and access.key is not None
    access.conference_note("s05", ["reading"], "Retold the story in her own words")
    eventually(lambda: notes_in_record(hub, "s05"), 5, "the note in Sofia's record")
    assert notes_in_record(hub, "s05") == ["Retold the story in her own words"]
    access.lock()
    assert access.key is None
    with pytest.raises(Refused, match="Notes need the teacher's PIN"):
        access.conference_note("s05", ["reading"], "after the lock")


def test_a_stolen_kiosks_made_up_notes_are_refused_at_the_hub_and_stored_in_no_record(room, broker):
    """Its software altered, the stolen kiosk sends what it can make: a note on a card it makes with the class
    secret (as kiosks did before), one signed with the key of a wrong PIN or with none, and a note the teacher
    signed (caught on the wire) replayed for another student."""
    hub, kiosk, access = room
    room_id = kiosk.config.room_id
    note = conference_note(["needs support"], "made up")

    def signed_by(key: TeacherKey | None, student: str = "s05"):
        def seal(event: Event) -> Event:
            named = changed(event, student=student)
            proof = key.sign(note_claim(room_id, named)) if key else base64.b64encode(bytes(64)).decode()
            return changed(named, proof=proof)
        return seal

    on_card = kiosk.record(NOTE_KIND, card("s05"), note)
    wrong_pin = kiosk.record(NOTE_KIND, None, note, seal=signed_by(unlock("135790", pin_verifier("135790"))))
    no_key = kiosk.record(NOTE_KIND, None, note, seal=signed_by(None))
    unsigned = kiosk.record(NOTE_KIND, None, note, seal=lambda event: changed(event, student="s05"))

    wire = TestClient(broker.port, Topics(room_id).kiosk_event(STATION))
    try:
        assert access.try_pin(PIN).ok
        access.conference_note("s05", ["reading"], "the teacher's own")
        eventually(lambda: any(b'"proof"' in m.payload for m in wire.messages), 5, "the teacher's note on the wire")
        caught = decode("kiosk_event", next(m.payload for m in wire.messages if b'"proof"' in m.payload))
    finally:
        wire.close()
    answered(kiosk)
    replayed = kiosk.record(NOTE_KIND, None, caught.data, seal=lambda event: changed(
        event, student="s04", at=caught.at, proof=caught.proof))
    same_id = kiosk.record(NOTE_KIND, None, caught.data, seal=lambda event: changed(
        event, id=caught.id, student="s04", at=caught.at, proof=caught.proof))
    answered(kiosk)

    assert reason(hub, on_card) == (0, None, "note without the teacher's PIN: made by a kiosk older than the hub, "
                                             "or not by the teacher")
    for forged in (wrong_pin, no_key, replayed):
        assert reason(hub, forged) == (0, None, "note not signed by the teacher's PIN")
    assert hub.store.event_count(unsigned.id) == 0  # not even read: a note names its student with its proof
    assert reason(hub, same_id) == (1, "s05", None)  # the id was the teacher's note: stored once, as it came
    assert notes_in_record(hub, "s05") == ["the teacher's own"]
    assert notes_in_record(hub, "s04") == []
    assert "s05" in hub.room.presence and kiosk.online  # the room goes on


@pytest.mark.parametrize("field, value", [("id", "another"), ("station", "tech"), ("student", "s04"),
                                          ("at", 1795430000.26), ("data", {"tags": [], "text": "Reads well"}),
                                          ("data", {"tags": ["reading", "maths"], "text": "Reads well."})])
def test_the_signature_covers_every_field_of_the_note(field, value):
    verifier = pin_verifier(PIN)
    note = Event(id=uuid.uuid4().hex, kind=NOTE_KIND, station=STATION, at=1795430000.25, seq=1,
                 kiosk_time=1795430000.0, data={"tags": ["reading"], "text": "Reads well"}, student="s05")
    proof = unlock(PIN, verifier).sign(note_claim("room-12", note))
    assert proves(verifier, note_claim("room-12", note), proof)
    assert not proves(verifier, note_claim("room-12", changed(note, **{field: value})), proof)
    assert not proves(verifier, note_claim("room-13", note), proof)


def test_an_upgraded_rooms_old_pin_still_unlocks_but_signs_no_note_and_asks_for_a_new_one(tmp_path, broker):
    config = pinned_room(tmp_path, broker.port, OLD_HASH_OF_2468)  # release 0.1.0's, of a 4-digit PIN
    with running_hub(config) as hub:
        kiosk = KioskCore(config, STATION, tmp_path / "outbox.db")
        kiosk.start()
        try:
            eventually(lambda: kiosk.online and kiosk.state, 10, "the kiosk online")
            access = TeacherAccess(kiosk, settings_path(kiosk.outbox.file.path))
            attempt = access.try_pin("2468")
            assert attempt.ok and access.old_pin and access.key is None  # the teacher is not locked out
            with pytest.raises(Refused) as refused:
                access.conference_note("s05", ["reading"], "on the old PIN")
            assert str(refused.value) == NEW_PIN_NEEDED
            event = kiosk.record(NOTE_KIND, card("s05"), conference_note(["reading"], "a kiosk of before"))
            answered(kiosk)
            assert reason(hub, event)[:2] == (0, None) and notes_in_record(hub, "s05") == []
        finally:
            kiosk.stop()


def test_rotation_pin_refuses_fewer_than_six_digits_and_makes_a_verifier_at_the_rooms_cost(tmp_path):
    def rotation_pin(typed: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rotation.cli", "pin"], input=typed + "\n", text=True,
                              capture_output=True, cwd=ROOT, timeout=60)

    short = rotation_pin("12345")
    assert short.returncode == 2 and short.stdout == ""
    assert "a PIN is 6 to 8 digits" in short.stderr
    made = rotation_pin("135790")
    assert made.returncode == 0, made.stderr
    line = made.stdout.strip()
    assert line.startswith(f'teacher_pin = "scrypt-ed25519${COST}$') and "135790" not in line
    assert is_pin_hash(line.split('"')[1])


def test_a_stolen_verifier_costs_a_slow_memory_hard_hash_per_guess():
    """At the room's cost each guess takes at least 0.3 s here and 64 MiB or more (measured: 0.38 s, 128 MiB),
    so the 10^6 six-digit PINs take days on this 2-core machine; docs/architecture.md has the numbers."""
    assert COST.memory >= 64 * 1024 * 1024
    assert PIN_PATTERN.match("123456") and not PIN_PATTERN.match("12345")
    verifier = hash_pin(PIN)
    assert verifier.startswith(f"scrypt-ed25519${COST}$")
    times = []
    for guess in ("000000", "000001"):
        started = time.perf_counter()
        assert not unlock(guess, verifier)
        times.append(time.perf_counter() - started)
    assert min(times) >= 0.3, f"a guess took {statistics.median(times):.3f} s: too cheap"
    days = 10 ** 6 * min(times) / 2 / 86400
    assert days >= 1.7, f"the whole 6-digit space: {days:.1f} days on 2 cores"
