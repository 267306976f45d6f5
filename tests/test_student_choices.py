"""The student's side, through real touches on the kiosk and the real hub: voice and choice, a goal for
today, and the exit ticket at check-out, which colours the student's name on the teacher's map and moves
their readiness for the next grouping."""
import time

from hub.display import RoomMapScreen, StationTile
from hub.mapview import build_map
from shared.protocol import Progress
from tests.conftest import card, eventually, pump, tap
from tests.test_goals import answer_the_exit_ticket


def test_a_student_chooses_an_activity_and_a_goal_then_checks_out_with_an_exit_ticket(nook, hub, room, tmp_path):
    screen, core, presenter, later = nook
    core.scan(card("s05"))
    pump(lambda: screen.outcome == "ask:choice", message="the choice of activities")
    assert (screen.title, len(screen.ids.choices.children)) == ("Hi Sofia R.", 3)
    screen.export_to_png(str(tmp_path / "kiosk-choice.png"))
    assert (tmp_path / "kiosk-choice.png").stat().st_size > 5000
    tap(screen, "Listen to a story")
    pump(lambda: screen.outcome == "ask:goal", message="the goal question")
    assert screen.title == "Sofia R., what is your goal?"
    tap(screen, "Help a friend")
    pump(lambda: screen.title == "Thank you!", message="the thanks")
    eventually(lambda: hub.room.progress.get("s05") == Progress(activity="Listen to a story", goal="Help a friend"),
               message="the choice and the goal at the hub")

    eventually(lambda: "s05" in core.state.presence and "s05" in core.state.standing,
               message="the kiosk to know Sofia is here, with her goal")
    later["by"] = 90.0  # a while later, Sofia scans again to leave
    core._last_scan = ("", 0.0)
    core.scan(card("s05"))
    answer_the_exit_ticket(screen, "I'm stuck", "Not yet", "Something different")
    pump(lambda: screen.title == "Thank you!", message="the thanks")
    eventually(lambda: hub.room.progress["s05"].ticket == "stuck" and hub.room.progress["s05"].next,
               message="the exit ticket at the hub")
    assert hub.room.progress["s05"].next == "Something different"

    eventually(lambda: core.state.progress.get("s05", Progress()).ticket == "stuck", message="the state")
    tile = build_map("Room 12", core.state, {}, True, time.time()).tile("reading-nook")
    assert [(t.name, t.ticket) for t in tile.here if t.student_id == "s05"] == [("Sofia R.", "stuck")]
    readiness = {learner.id: learner.readiness for learner in hub.room.learners()}
    assert readiness["s05"] == hub.room.students["s05"].readiness - 1  # stuck: one level of support more


def test_the_map_shows_a_coloured_dot_for_the_exit_ticket_only_in_the_teachers_private_mode(room, kivy_window, hub):
    from msgspec.structs import replace

    from hub.display_link import DisplayLink

    link = DisplayLink(room)
    link.start()
    eventually(lambda: link.state is not None, message="the room state")
    hub.room.check_in("s05", "reading-nook", time.time())
    state = replace(link.state, presence={"s05": hub.room.presence["s05"]},
                    progress={"s05": Progress(ticket="got_it")})
    link.stop()
    screen = RoomMapScreen(size=(1280, 720))
    screen.show(build_map("Room 12", state, {}, True, time.time()), True, True)
    tile = next(w for w in screen.ids.tiles.children if isinstance(w, StationTile) and w.title == "Reading Nook")
    assert [c.text for c in tile.ids.names.children] == ["Sofia R."]  # the class sees the map: no ticket on it
    screen.private = True  # the teacher's PIN
    screen.show(build_map("Room 12", state, {}, True, time.time()), True, True)
    assert [c.text for c in tile.ids.names.children] == [
        "[font=DejaVuSans][color=2e8b3a]\u25cf[/color][/font] Sofia R."]

