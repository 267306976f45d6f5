"""The teacher's room map as data (hub/mapview.py build_map): who is where they belong, where they should be, who
is missing, out, done or absent, each station's kiosk, the clock's words, the summary and the alert. Pure; the
screen that draws it: tests/test_display.py."""
import time

from msgspec.structs import replace

from hub.mapview import HelpLine, alert_text, backup_text, build_map, restored_text, waited, waiting_map
from shared.protocol import (
    BackupTrouble,
    ClassEntry,
    KioskStatus,
    PairingNotice,
    Progress,
    Restored,
    StartArgs,
)
from tests.test_engine import T0, room, where_each_group_is

ONLINE = {s: KioskStatus(online=True) for s in ("nook", "tech", "art")}
ROUND_ONE = {"blue": "table", "gold": "nook", "green": "tech", "red": "art"}


def lesson(**start):
    r = room()
    r.command("start", T0, lesson=StartArgs(**start))
    return r


def tile_names(tile):
    return {"here": [t.name for t in tile.here], "wrong": [(t.name, t.note) for t in tile.wrong],
            "missing": [(t.name, t.note) for t in tile.missing], "expected": [t.name for t in tile.expected]}


def test_before_the_hub_says_anything_the_map_waits_for_it():
    empty = waiting_map("Room 12", False)
    assert (empty.round, empty.clock, empty.summary) == (
        "Waiting for the hub", "--:--", "No room state yet: is `rotation hub serve` running?")
    waiting = build_map("Room 12", None, {}, True, T0, hub_problem="storage_full")
    assert waiting.hub_online
    assert waiting.alert == "Check-ins wait at the kiosks, none lost: free some space on the hub."


def test_the_first_round_sends_each_group_to_a_station_of_its_own():
    assert where_each_group_is(lesson()) == ROUND_ONE  # the map tests below rely on this plan


def test_each_student_shows_once_where_they_are_and_the_tile_they_belong_to_says_who_is_missing():
    r = lesson()
    r.check_in("r1", "art", T0 + 10)  # red's station: in place
    r.check_in("r2", "nook", T0 + 10)  # gold's: at the wrong station
    m = build_map("Room 12", r.snapshot(T0 + 20), ONLINE, True, T0 + 20)
    assert tile_names(m.tile("art")) == {"here": ["Kidr1 L."], "wrong": [], "missing": [("Kidr3 L.", "not checked in")],
                                         "expected": []}
    assert tile_names(m.tile("nook"))["wrong"] == [("Kidr2 L.", "belongs at Art Corner")]
    assert m.summary == ("1 in place · 1 at the wrong station · 7 not checked in · 3 at Teacher's Table")  # all 12


def test_after_a_new_round_a_student_still_where_they_were_has_not_moved_yet():
    r = lesson()
    r.check_in("g1", "tech", T0 + 10)  # green's station in round 1; art in round 2
    r.command("next", T0 + 600)
    m = build_map("Room 12", r.snapshot(T0 + 610), ONLINE, True, T0 + 610)
    assert [(t.name, t.note) for t in m.tile("tech").wrong] == [("Kidg1 L.", "not moved yet")]
    assert m.summary == ("0 in place · 0 at the wrong station · 8 not checked in · 1 not moved yet · "
                         "3 at Teacher's Table")


def test_out_done_absent_and_late_each_say_so_and_none_counts_as_missing():
    r = lesson()
    r.check_in("r1", "art", T0 + 10)
    r.go_out("r1", "art", T0 + 20)
    r.check_in("r2", "art", T0 + 10)
    r.check_out("r2", "art", T0 + 30)
    r.mark_attendance("r3", "late")
    r.mark_attendance("y1", "absent")
    m = build_map("Room 12", r.snapshot(T0 + 40), ONLINE, True, T0 + 40)
    tile = m.tile("art")
    went = time.strftime("%H:%M", time.localtime(T0 + 20))
    assert [(t.name, t.note) for t in tile.out] == [("Kidr1 L.", f"out since {went}")]
    assert [(t.name, t.note) for t in tile.here] == [("Kidr2 L.", "done")]
    assert [(t.name, t.note) for t in tile.missing] == [("Kidr3 L.", "late")]
    assert "Kidy1 L." not in [t.name for t in m.tile("nook").missing]
    assert m.summary == ("0 in place · 0 at the wrong station · 6 not checked in · 1 done · 1 absent · "
                         "1 out of the room · 3 at Teacher's Table")


def test_the_teachers_table_expects_its_group_without_a_check_in_and_shows_who_is_absent_there():
    r = lesson()
    r.mark_attendance("b1", "absent")
    table = build_map("Room 12", r.snapshot(T0 + 5), ONLINE, True, T0 + 5).tile("table")
    assert table.kiosk == "none" and [t.name for t in table.expected] == ["Kidb2 L.", "Kidb3 L."]
    assert [(t.name, t.note) for t in table.absent] == [("Kidb1 L.", "absent")] and table.groups == "Blue"


def test_each_tile_says_how_its_kiosk_is_and_the_alert_names_what_to_do():
    r = lesson()
    kiosks = {"nook": KioskStatus(online=True, problem="storage_full"),
              "tech": KioskStatus(online=True, problem="scanner_speed", scanner_speed=38400),
              "art": KioskStatus(online=False)}
    m = build_map("Room 12", r.snapshot(T0), kiosks, True, T0)
    assert [(t.station_id, t.kiosk) for t in m.tiles] == [("table", "none"), ("nook", "full"), ("tech", "speed"),
                                                         ("art", "offline")]
    assert m.tile("tech").scanner_speed == 38400 and m.offline_kiosks == ("Art Corner",)
    assert m.alert == ("Reading Nook: kiosk storage full; check-ins still reach the hub. Tech Station: scanner "
                       "speed: try 38400 (serial_baud in its room file).")
    assert build_map("Room 12", r.snapshot(T0), {}, True, T0).tile("nook").kiosk == "offline"  # never heard of


def test_the_clock_line_says_the_round_and_what_the_room_is_doing():
    assert build_map("Room 12", room().snapshot(T0), ONLINE, True, T0).round == "Not started"
    r = lesson(passing=1)
    assert build_map("Room 12", r.snapshot(T0), ONLINE, True, T0 + 30).round == \
        "Round 1 of 4 · move to your stations"
    assert build_map("Room 12", r.snapshot(T0), ONLINE, True, T0 + 30).clock == "0:30"  # the passing time left
    assert build_map("Room 12", r.snapshot(T0), ONLINE, True, T0 + 60 + 550).round == "Round 1 of 4 · last minute"
    over = build_map("Room 12", r.snapshot(T0), ONLINE, True, T0 + 60 + 610)
    assert over.round == "Round 1 of 4 · time's up" and over.over_time and over.clock == "+0:10"
    r.command("end", T0 + 100, collect=60)
    closing = build_map("Room 12", r.snapshot(T0 + 100), ONLINE, True, T0 + 130)
    assert (closing.round, closing.clock, closing.phase) == ("Round 1 of 4 · last exit tickets", "0:30", "closing")


def test_the_title_names_the_running_class_and_the_idle_map_says_which_class_is_due():
    r = room(classes=(ClassEntry("p1", "Period 1"), ClassEntry("p2", "Period 2", due=True)), class_id="p1")
    m = build_map("Room 12", r.snapshot(T0), ONLINE, True, T0)
    assert m.room == "Room 12 · Period 1" and m.round == "Not started · Period 2 is due now"


def test_calls_for_help_say_where_who_how_long_and_which_classmate_was_suggested():
    r = lesson()
    r.ask_help("h1", "nook", T0 + 10, student="r1", peer="b1", peer_taken=True)
    r.ask_help("h2", "tech", T0 + 100)
    m = build_map("Room 12", r.snapshot(T0 + 200), ONLINE, True, T0 + 200)
    names = r.snapshot(T0).students
    assert m.help == (HelpLine("h1", f"Reading Nook · {names['r1'].name}", "3 min", False,
                               f"{names['b1'].name} suggested · asked"),
                      HelpLine("h2", "Tech Station", "1 min", False, ""))
    assert (waited(40), waited(-5), waited(10 ** 9)) == ("40 s", "0 s", "5940 min")


def test_a_choice_round_tile_counts_who_chose_it_who_was_placed_and_the_places_left():
    r = lesson(choice_rounds=(1,))
    r.pick("r1", "nook", T0 + 5)
    m = build_map("Room 12", r.snapshot(T0 + 6), ONLINE, True, T0 + 6)
    assert m.tile("nook").groups == "Choice round: 1 chose it, 5 places left"
    r.close_choice(T0 + 61)
    placed = build_map("Room 12", r.snapshot(T0 + 62), ONLINE, True, T0 + 62).tile("nook").groups
    assert placed.startswith("Choice round: 1 chose it, ") and " placed" in placed
    tags = [t for t in build_map("Room 12", r.snapshot(T0 + 62), ONLINE, True, T0 + 62).tile("nook").missing
            if t.student_id == "r1"]
    assert tags and tags[0].chose  # marked as their own choice


def test_the_alert_tells_the_teacher_what_the_hub_reports_in_words_to_pass_on():
    assert alert_text("roster_refused", []).startswith("The new class list has problems and was not taken")
    assert alert_text("disk on fire", []) == "The hub reports a problem: disk on fire."
    assert alert_text(None, [], pairings=["Tech Station: kiosk paired with tech-pi."]) == \
        "Tech Station: kiosk paired with tech-pi."
    copy = time.mktime((2026, 11, 30, 18, 0, 0, 0, 0, -1))
    assert restored_text(Restored(at=T0, since=T0 - 100, copy=copy), T0 + 60) == (
        "The hub's records were damaged; it went back to its copy from Mon 18:00. Kiosks are sending what came after.")
    assert restored_text(Restored(at=T0, since=T0), T0 + 60).startswith("The hub's records were damaged and it had "
                                                                       "no good copy")
    assert restored_text(Restored(at=T0, since=T0), T0 + 12 * 3600) == ""  # the next school day: said enough
    assert backup_text(BackupTrouble(since=copy)) == "Backups have not worked since Mon 30 Nov: tell your technician."
    assert backup_text(BackupTrouble(copy=True)) == \
        "Backups have not been copied off the hub yet: tell your technician."
    assert backup_text(None) == ""
    state = replace(room().snapshot(T0), pairings=(PairingNotice("tech", "tech-pi", True, T0),
                                                  PairingNotice("gym", "10.0.0.9", False, T0)))
    assert build_map("Room 12", state, ONLINE, True, T0).alert == (
        "Tech Station: kiosk paired with tech-pi. gym: pairing code spent by wrong tries (the last from 10.0.0.9): "
        "make a new one.")


def test_an_exit_ticket_colours_the_students_tag():
    r = lesson()
    at = where_each_group_is(r)["red"]
    r.check_in("r1", at, T0 + 1)
    state = replace(r.snapshot(T0 + 2), progress={"r1": Progress(ticket="stuck")})
    tile = build_map("Room 12", state, ONLINE, True, T0 + 2).tile(at)
    tags = [t for t in tile.here + tile.expected if t.student_id == "r1"]
    assert tags and tags[0].ticket == "stuck"


def test_the_summary_counts_every_student_of_each_kind():
    r = lesson()
    at = where_each_group_is(r)
    for student in ("r1", "r2"):  # done at red's station
        r.check_in(student, at["red"], T0 + 10)
        r.check_out(student, at["red"], T0 + 30)
    for student in ("g1", "g2"):  # at green's station, which is not theirs next round
        r.check_in(student, at["green"], T0 + 10)
    r.mark_attendance("y1", "absent")
    r.mark_attendance("y2", "absent")
    m = build_map("Room 12", r.snapshot(T0 + 40), ONLINE, True, T0 + 40)
    assert m.summary == ("2 in place · 0 at the wrong station · 3 not checked in · 2 done · 2 absent · "
                         "3 at Teacher's Table")
    assert sum(int(part.split()[0]) for part in m.summary.split(" · ")) == len(r.students)  # the class, every one
    r.command("next", T0 + 600)
    m = build_map("Room 12", r.snapshot(T0 + 610), ONLINE, True, T0 + 610)
    assert m.summary.startswith("0 in place · 0 at the wrong station · ") and " · 2 not moved yet" in m.summary


def test_the_map_made_again_from_the_same_state_is_the_same_and_names_are_in_alphabetical_order():
    from shared.protocol import Presence

    r = lesson()
    state = r.snapshot(T0 + 5)
    nook = where_each_group_is(r)["gold"]
    state = replace(state, presence={s: Presence(nook, T0 + 1) for s in ("y3", "y1", "y2")},
                    students={**state.students, "y3": replace(state.students["y3"], name="Abe A.")})
    first = build_map("Room 12", state, ONLINE, True, T0 + 5)
    again = build_map("Room 12", state, ONLINE, True, T0 + 5)  # the display redraws each second
    assert first == again
    assert [t.name for t in first.tile(nook).here] == ["Abe A.", "Kidy1 L.", "Kidy2 L."]


def test_a_tile_carries_its_stations_kind_look_and_whether_it_is_off():
    r = lesson()
    state = r.snapshot(T0)
    painted = tuple(replace(s, colour="rust", picture="palette", off=True) if s.id == "art" else s
                    for s in state.stations)
    tile = build_map("Room 12", replace(state, stations=painted), ONLINE, True, T0).tile("art")
    assert (tile.kind, tile.colour, tile.picture, tile.off) == ("collaborative", "rust", "palette", True)
    plain = build_map("Room 12", state, ONLINE, True, T0).tile("tech")
    assert (plain.kind, plain.off, plain.scanner_speed) == ("tech", False, None)


def test_a_scanner_problem_without_a_speed_to_try_leaves_the_kiosk_online_and_the_alert_quiet():
    kiosks = {**ONLINE, "tech": KioskStatus(online=True, problem="scanner_speed")}
    m = build_map("Room 12", lesson().snapshot(T0), kiosks, True, T0)
    assert (m.tile("tech").kiosk, m.tile("tech").scanner_speed, m.alert) == ("online", None, "")


def test_without_a_state_the_map_still_says_what_the_hub_reports():
    from hub.mapview import problem_label

    copy = time.mktime((2026, 11, 30, 18, 0, 0, 0, 0, -1))
    m = build_map("Room 12", None, {}, True, T0 + 60, hub_problem="storage_full",
                  hub_restored=Restored(at=T0, since=T0), hub_backups=BackupTrouble(since=copy))
    assert (m.room, m.over_time, m.hub_problem) == ("Room 12", False, "storage_full")
    assert m.alert == ("The hub's records were damaged and it had no good copy: it began again from the class "
                       "list. Kiosks are sending what they kept. Backups have not worked since Mon 30 Nov: tell your "
                       "technician. Check-ins wait at the kiosks, none lost: free some space on the hub.")
    assert (problem_label("storage_full"), problem_label("roster_refused"), problem_label("disk on fire")) == (
        "HUB STORAGE FULL", "CLASS LIST NOT TAKEN", "HUB PROBLEM")
    assert build_map("Room 12", lesson().snapshot(T0), ONLINE, True, T0, hub_problem="storage_full").hub_problem == \
        "storage_full"


def test_the_alert_says_every_full_kiosk_and_what_a_refused_class_list_means():
    assert alert_text(None, ["Reading Nook", "Tech Station"]) == (
        "Reading Nook, Tech Station: kiosk storage full; check-ins still reach the hub.")
    assert alert_text("roster_refused", []) == (
        "The new class list has problems and was not taken: `rotation check-config` on the hub names them. The "
        "room goes on with the last one.")


def test_a_waits_minutes_begin_at_sixty_seconds():
    assert (waited(59.9), waited(60), waited(179)) == ("59 s", "1 min", "2 min")


def test_the_last_exit_tickets_count_down_to_nothing_not_below():
    r = lesson()
    r.command("end", T0 + 100, collect=60)
    closing = build_map("Room 12", r.snapshot(T0 + 100), ONLINE, True, T0 + 175)
    assert (closing.clock, closing.over_time) == ("0:00", False)


def test_a_class_that_is_due_and_running_is_not_said_to_be_due():
    r = room(classes=(ClassEntry("p1", "Period 1", due=True),), class_id="p1")
    assert build_map("Room 12", r.snapshot(T0), ONLINE, True, T0).round == "Not started"


def test_a_choice_round_tile_says_how_many_were_placed_and_one_place_left():
    from shared.protocol import ChoiceRound

    state = lesson().snapshot(T0)
    choice = ChoiceRound(1, T0 + 60, places={"nook": 1, "tech": 2}, going={"r1": "nook", "r2": "nook", "r3": "tech"},
                         how={"r1": "chose", "r2": "placed", "r3": "placed"})
    m = build_map("Room 12", replace(state, choice=choice), ONLINE, True, T0 + 5)
    assert m.tile("nook").groups == "Choice round: 1 chose it, 1 placed, 1 place left"
    assert m.tile("tech").groups == "Choice round: 0 chose it, 1 placed, 2 places left"
    assert m.tile("art").groups == "Choice round: 0 chose it"


def test_a_student_in_no_group_shows_where_they_checked_in_and_a_tile_names_its_groups_or_none():
    from shared.protocol import Presence

    state = lesson().snapshot(T0)
    loner = replace(state.students["r1"], group=None)
    state = replace(state, students={**state.students, "r1": loner}, presence={"r1": Presence("tech", T0 + 1)})
    m = build_map("Room 12", state, ONLINE, True, T0 + 5)
    assert [t.name for t in m.tile("tech").here] == ["Kidr1 L."]
    two_and_none = tuple(replace(s, groups=("red", "gold")) if s.id == "nook" else
                         replace(s, groups=()) if s.id == "art" else s for s in state.stations)
    m = build_map("Room 12", replace(state, stations=two_and_none), ONLINE, True, T0 + 5)
    assert (m.tile("nook").groups, m.tile("art").groups) == ("Red, Gold", "no group this round")
