"""The teacher's taps on names on the wall map. At the teacher's table (no kiosk) one tap marks a student
absent, another brings them back, and the report counts their minutes there. Elsewhere a tap opens a
conference note, but only after the teacher's PIN: the class sees the map."""
from hub.display import Chip, StationTile
from hub.private_mode import PrivateMode
from shared.protocol import Command, Event
from tests.conftest import card, eventually, pin_verifier, press, pump


def tile(screen, title: str) -> StationTile | None:
    return next((w for w in screen.ids.tiles.children if isinstance(w, StationTile) and w.title == title), None)


def chip_of(screen, title: str, student: str) -> Chip | None:
    found = tile(screen, title)
    return next((c for c in found.ids.names.children if c.student_id == student), None) if found else None


def test_one_tap_at_the_teachers_table_marks_a_student_absent_and_another_brings_them_back(display, hub):
    link, screen, presenter = display
    hub.handle_command(Command("c1", "start", "test"))
    pump(lambda: tile(screen, "Teacher's Table") is not None and tile(screen, "Teacher's Table").ids.names.children,
         message="the group at the teacher's table")
    chip: Chip = tile(screen, "Teacher's Table").ids.names.children[-1]
    student = chip.student_id
    assert chip.style == "expected" and student not in hub.room.presence  # listed from the plan: nobody scans there
    press(lambda: chip_of(screen, "Teacher's Table", student))
    pump(lambda: (c := chip_of(screen, "Teacher's Table", student)) is not None and c.style == "absent",
         message="the student shown absent")
    assert hub.room.attendance[student] == "absent" and "1 absent" in screen.summary
    press(lambda: chip_of(screen, "Teacher's Table", student))
    pump(lambda: (c := chip_of(screen, "Teacher's Table", student)) is not None and c.style == "here",
         message="the student back, seen there by the teacher")
    assert student not in hub.room.attendance
    kinds = [row[0] for row in hub.store.db.execute(
        "SELECT kind FROM events WHERE student = ? AND station = 'teacher-table' ORDER BY at", (student,))]
    assert kinds == ["seated", "checkout", "checkin"]  # what the report counts the minutes from


def test_a_conference_note_from_the_map_opens_only_after_the_teachers_pin(display, hub):
    link, screen, presenter = display
    presenter.privacy = PrivateMode(pin_verifier("246810"))
    hub.handle_event("tech", Event(id="e1", kind="checkin", card=card("s04"), station="tech", at=hub.now(), seq=1,
                                   kiosk_time=hub.now()))
    pump(lambda: chip_of(screen, "Tech Station", "s04") is not None, message="Noah on the map")
    press(lambda: chip_of(screen, "Tech Station", "s04"))
    pump(lambda: screen.notice.startswith("Notes are private"), message="the map to ask for the PIN first")
    assert getattr(presenter, "note_popup", None) is None

    screen.dispatch("on_command", "private")
    pump(lambda: presenter.dialog is not None, message="the PIN pad")
    for key in (*"246810", "OK"):
        press(lambda key=key: next(b for b in presenter.dialog.ids.pad.children if b.text == key))
    pump(lambda: screen.private and screen.get_root_window().children[0] is screen,
         message="private mode, the PIN pad gone")
    press(lambda: chip_of(screen, "Tech Station", "s04"))
    pump(lambda: getattr(presenter, "note_popup", None) is not None and presenter.note_popup.parent is not None,
         message="the note to open")
    popup = presenter.note_popup
    press(lambda: next(b for b in popup.ids.tags.children if b.text == "reading"))
    popup.ids.text.text = "Reads with expression; next: chapter books"
    press(lambda: next(b for b in popup.walk() if getattr(b, "text", "") == "Save note"))
    eventually(lambda: hub.store.db.execute("SELECT count(*) FROM events WHERE kind = 'conference'").fetchone()[0],
               message="the note at the hub")
    student_id, data = hub.store.db.execute("SELECT student, data FROM events WHERE kind = 'conference'").fetchone()
    assert student_id == "s04"
    assert data == '{"tags": ["reading"], "text": "Reads with expression; next: chapter books"}'
    pump(lambda: screen.notice.startswith("Note saved for"), message="the teacher to see it was saved")
    screen.dispatch("on_command", "private")  # Lock
    pump(lambda: not screen.private, message="the map locked again")


def test_an_old_pin_hash_still_opens_the_map_and_asks_for_a_new_pin(display):
    link, screen, presenter = display
    # release 0.1.0's hash of "2468" (tests/fixtures/release-0.1.0/room.toml), from before 6 digits and scrypt
    presenter.privacy = PrivateMode("pbkdf2-sha256$100000$cmVsZWFzZS0wLjEuMGZpeA==$"
                                    "Zu6a6hm6UE8J6pBa8rz6OZuHmV/b5A77lhgN6lE0iv0=")
    screen.dispatch("on_command", "private")
    pump(lambda: presenter.dialog is not None, message="the PIN pad")
    for key in (*"2468", "OK"):
        press(lambda key=key: next(b for b in presenter.dialog.ids.pad.children if b.text == key))
    pump(lambda: screen.private, message="private mode")
    pump(lambda: screen.notice.startswith("The teacher's PIN is of an old kind: set a new one of 6 to 8 digits "
                                          "with `rotation pin`"), message="the map to ask for a new PIN")
    screen.dispatch("on_command", "private")  # Lock
