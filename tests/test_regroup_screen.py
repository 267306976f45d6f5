"""The display's regroup screen with the real hub: tap a name then a group; suggested groups applied."""
from hub.regroup_screen import GroupColumn, NameButton
from tests.conftest import eventually, press, pump


def column(screen, group: str) -> GroupColumn:
    return next(c for c in screen.ids.columns.children if c.group == group)


def open_regroup(display):
    link, screen, presenter = display
    eventually(lambda: link.state is not None, message="the room state")
    screen.dispatch("on_command", "groups")
    return presenter


def test_the_teacher_moves_a_student_by_tapping_the_name_then_the_group(display, hub, tmp_path):
    display = open_regroup(display)
    regroup = display.regroup_screen
    pump(lambda: len(regroup.ids.columns.children) == 5, message="five groups on screen")
    def maya():
        return next(b for b in column(regroup, "otters").ids.names.children if b.text == "Maya R.")
    press(maya)
    assert maya().picked
    press(lambda: column(regroup, "herons").ids.title)
    eventually(lambda: hub.room.students["s01"].group == "herons", message="the hub to move Maya")
    pump(lambda: "Maya R." in [b.text for b in column(regroup, "herons").ids.names.children],
         message="Maya among the herons")
    pump(lambda: column(regroup, "herons").ids.names.children[0].y > 0, message="the names laid out")
    regroup.export_to_png(str(tmp_path / "regroup.png"))
    assert (tmp_path / "regroup.png").stat().st_size > 20000


def test_suggested_groups_wait_for_the_teacher_to_apply_them(display, hub):
    display = open_regroup(display)
    regroup = display.regroup_screen
    regroup.count = 4
    regroup.dispatch("on_suggest", "mixed")
    pump(lambda: regroup.suggested and len(regroup.ids.columns.children) == 4, message="a suggestion")
    assert len(hub.room.groups) == 5  # nothing changed yet
    assert all(isinstance(b, NameButton) for c in regroup.ids.columns.children for b in c.ids.names.children)
    regroup.dispatch("on_apply")
    eventually(lambda: len(hub.room.groups) == 4, message="the hub to use the suggestion")
    pump(lambda: not regroup.suggested, message="the suggestion to be applied")
    regroup.dispatch("on_back")
    assert display.screen.parent is not None and regroup.parent is None


def test_moving_names_in_a_suggestion_only_changes_what_is_shown():
    from hub.regroup import RegroupModel

    model = RegroupModel(names={"a": "Ana", "b": "Ben", "c": "Cy"})
    model.suggest("random", {"reds": ["a", "b"], "blues": ["c"]})
    model.pick("b")
    assert model.drop_into("blues") is None  # nothing for the hub until Apply
    assert model.groups == {"reds": ["a"], "blues": ["b", "c"]} and model.picked is None
    model.suggested = None
    model.pick("a")
    assert model.drop_into("blues") == "a"  # the hub's groups: the move goes to the hub at once
    model.pick("c")
    assert model.drop_into("blues") is None  # already there


def test_during_a_lesson_suggested_groups_wait_for_the_next_round_and_the_clock_stays_in_sight(display, hub):
    from shared.protocol import Command

    hub.handle_command(Command("c1", "start", "test", {"minutes": 10}))
    display = open_regroup(display)
    regroup = display.regroup_screen
    pump(lambda: regroup.lesson_running and regroup.clock_text.startswith("Round 1 of 5 · "), message="the clock")
    assert regroup.clock_text.endswith(("10:00", "9:59"))
    before = {s.id: s.group for s in hub.room.students.values()}
    regroup.count = 4
    regroup.dispatch("on_suggest", "mixed")
    pump(lambda: regroup.suggested, message="a suggestion")
    press(lambda: next(b for b in regroup.walk() if getattr(b, "text", "") == "Apply now"))
    assert regroup.when == "round"
    regroup.dispatch("on_apply")
    pump(lambda: regroup.hint == "4 groups set from round 2", message="the teacher told when")
    assert {s.id: s.group for s in hub.room.students.values()} == before  # working students stay put
    hub.handle_command(Command("c2", "next", "test"))
    eventually(lambda: len(hub.room.groups) == 4, message="the new groups from round 2")
