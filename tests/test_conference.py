"""A conference note from the display: tap a name on the map, pick tags, write a line, save; it lands in
the student's record at the hub and the teacher sees it was saved."""
from hub.display import Chip, StationTile
from tests.conftest import eventually, press, pump


def test_the_teacher_notes_a_conference_from_the_map(display, hub):
    link, screen, presenter = display
    eventually(lambda: link.state is not None, message="the room state")

    def table() -> StationTile | None:
        return next((w for w in screen.ids.tiles.children
                     if isinstance(w, StationTile) and w.title == "Teacher's Table"), None)
    pump(lambda: table() is not None and table().ids.names.children, message="the teacher's table on the map")
    chip: Chip = table().ids.names.children[-1]
    student = chip.student_id
    press(lambda: next(c for c in table().ids.names.children if c.student_id == student))
    pump(lambda: getattr(presenter, "note_popup", None) is not None and presenter.note_popup.parent is not None,
         message="the note to open")
    popup = presenter.note_popup
    press(lambda: next(b for b in popup.ids.tags.children if b.text == "reading"))
    popup.ids.text.text = "Reads with expression; next: chapter books"
    press(lambda: next(b for b in popup.walk() if getattr(b, "text", "") == "Save note"))
    eventually(lambda: hub.store.db.execute("SELECT count(*) FROM events WHERE kind = 'conference'").fetchone()[0],
               message="the note at the hub")
    student_id, data = hub.store.db.execute("SELECT student, data FROM events WHERE kind = 'conference'").fetchone()
    assert student_id == student
    assert data == '{"tags": ["reading"], "text": "Reads with expression; next: chapter books"}'
    pump(lambda: screen.notice.startswith("note saved for"), message="the teacher to see it was saved")
