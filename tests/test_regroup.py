"""Regrouping through the real hub and broker: suggestions, the teacher's choice, and kiosks that follow."""
from hub.service import HubService
from kiosk.core import KioskCore
from rotation.cli import main
from tests.conftest import card, eventually


def groups_in(state) -> dict[str, str]:
    return {student_id: student.group for student_id, student in state.students.items()}


def test_a_suggestion_changes_nothing_until_the_teacher_applies_it(hub, room, capsys):
    assert main(["hub", "regroup", "--config", str(room.path), "--by", "mixed", "--groups", "4",
                 "--apart", "s01,s02", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "4 mixed groups suggested (seed 5; the same seed gives the same groups):" in out
    assert "Maya R." in out and "add --apply" in out
    assert len(hub.room.groups) == 5  # as the roster has them

    assert main(["hub", "regroup", "--config", str(room.path), "--by", "mixed", "--groups", "4",
                 "--apart", "s01,s02", "--seed", "5", "--apply"]) == 0
    assert "4 groups set" in capsys.readouterr().out
    assert len(hub.room.groups) == 4
    sizes = sorted(sum(1 for s in hub.room.students.values() if s.group == g) for g in hub.room.groups)
    assert sizes == [7, 7, 7, 7]
    assert hub.room.students["s01"].group != hub.room.students["s02"].group


def test_a_moved_student_is_sent_to_their_new_groups_station_by_the_kiosk_at_once(hub, room, tmp_path, capsys):
    kiosk = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    try:
        eventually(lambda: kiosk.state is not None, message="the room state")
        here = next(s for s in kiosk.state.stations if s.id == "reading-nook").groups[0]
        assert kiosk.scan(card("s01")).outcome == "elsewhere"
        assert main(["hub", "move", "--config", str(room.path), "s01", here]) == 0
        assert f"Maya R. moved to {here}" in capsys.readouterr().out
        eventually(lambda: groups_in(kiosk.state)["s01"] == here, message="the kiosk to follow the new group")
        kiosk._last_scan = ("", 0.0)  # not a double read: the student scans again later
        decision = kiosk.scan(card("s01"))
        assert (decision.outcome, decision.english[0]) == ("welcome", "Hi Maya R.")
    finally:
        kiosk.stop()


def test_groups_the_rotation_cannot_keep_are_refused_and_nothing_changes(hub, room):
    everyone = [f"s{i:02d}" for i in range(1, 29)]
    before = dict(hub.room.students)
    from hub.display_link import DisplayLink

    link = DisplayLink(room)
    link.start()
    try:
        reply = link.command("set_groups", {"groups": {"everyone": everyone}})
    finally:
        link.stop()
    assert reply is not None and not reply.ok
    assert reply.message.startswith("the rotation cannot keep its rules with these groups: group everyone has 28")
    assert hub.room.students == before


def test_regrouping_survives_a_hub_restart(room, broker, capsys):
    service = HubService(room)
    service.start()
    try:
        assert main(["hub", "move", "--config", str(room.path), "s01", "herons"]) == 0
    finally:
        service.stop()
    again = HubService(room)
    assert again.room.students["s01"].group == "herons"
    again.store.close()


def test_the_teacher_lets_a_group_skip_a_station_and_the_plan_follows(hub, room, capsys):
    before = hub.room.rotation
    group = before.at(1)["tech"][0]
    rounds = range(1, len(before.rounds) + 1)
    round_at_tech = next(r for r in rounds if before.station_of(group, r) == "tech")
    assert main(["hub", "skip", "--config", str(room.path), group, "tech", "--instead", "reading-nook"]) == 0
    assert (f"{group} skip Tech Station: in round {round_at_tech} they are at Reading Nook"
            in capsys.readouterr().out)
    after = hub.room.rotation
    assert [after.station_of(group, r) for r in rounds].count("tech") == 0
    assert [after.station_of(group, r) for r in rounds].count("reading-nook") == 2
    assert main(["hub", "skip", "--config", str(room.path), group, "tech"]) == 1
    assert f"group {group} already skips tech" in capsys.readouterr().err
    again = HubService(room)  # the skip is kept across a restart, until the session ends
    assert again.room.skips == hub.room.skips
    again.store.close()


def test_pairs_kept_apart_in_the_config_hold_for_every_suggestion(tmp_path, broker, capsys):
    from shared.config import load_config
    from tests.conftest import room_changed, running_hub

    path = room_changed(tmp_path, broker.port, "[room]\n", '[room]\nkeep_apart = [["s01", "s02"], ["s03", "s04"]]\n')
    with running_hub(load_config(path)) as service:
        for seed in range(6):
            assert main(["hub", "regroup", "--config", str(path), "--by", "random", "--groups", "4",
                         "--seed", str(seed), "--apply"]) == 0
            groups = {sid: s.group for sid, s in service.room.students.items()}
            assert groups["s01"] != groups["s02"] and groups["s03"] != groups["s04"]
    path.write_text(path.read_text().replace('["s03", "s04"]', '["s03", "s99"]'))
    assert main(["check-config", str(path)]) == 2
    assert "keep_apart names students not in the roster: s99" in capsys.readouterr().err
