"""Choice rounds: students choose their next station at the kiosk, must-do first; the hub keeps the places, so
two kiosks never both take the last one; a student who does not choose goes where the plan sends them."""
import threading
import time

import pytest

from hub.display import StationTile
from hub.service import HubService
from kiosk.app import KioskPresenter
from kiosk.core import KioskCore
from kiosk.prompts import after_answer, after_scan
from kiosk.view import KioskView
from shared.config import load_config
from shared.protocol import Command, PickAnswer, StartArgs
from tests.conftest import SECRET, card, eventually, kiosk_on_screen, map_on_screen, press, pump, write_card_key
from tests.test_choices import STATIONS, STUDENTS
from tests.test_display import tile_texts
from tests.test_web import PASSWORD, Server, logged_in, web  # noqa: F401  (fixtures)


def write_choice_room(directory, port: int, passing_minutes: float = 1, table: str | None = None) -> object:
    """The room of STATIONS and STUDENTS, each station with room for two and a kiosk (but ``table``, the
    teacher's, without one)."""
    (directory / "class.secret").write_text(SECRET.hex())
    write_card_key(directory)
    rows = ["id,first_name,last_name,group"] + [f"{s},Kid{s[-1]},Lee,g{s[-1]}" for s in STUDENTS]
    (directory / "roster.csv").write_text("\n".join(rows) + "\n")
    stations = "\n".join(f'[[station]]\nid = "{sid}"\nname = "{name}"\nkind = "{kind}"\ncapacity = 2\n'
                         + ("kiosk = false\n" if sid == table else "") for sid, name, kind in STATIONS)
    (directory / "room.toml").write_text(f"""
[room]
id = "room-12"
secret_file = "class.secret"
roster = "roster.csv"
[broker]
port = {port}
[hub]
database = "hub.db"
round_minutes = 10
auto_advance = false
{stations}""")
    return load_config(directory / "room.toml")


# Through the real kiosks, broker and hub
class Clock:
    """The hub's and the kiosks' time, moved on by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def choice_lesson(tmp_path, broker):
    """The hub and a kiosk at each station, round 1 of a lesson whose round 2 is a choice round, everyone
    checked in where the plan sends them; then round 2 has begun. Yields (hub, kiosks, clock, round 1's
    station of each student)."""
    yield from run_choice_lesson(tmp_path, broker)


@pytest.fixture
def choice_lesson_with_a_table(tmp_path, broker):
    """choice_lesson in a room whose Studio is the teacher's table, without a kiosk (nobody scans there)."""
    yield from run_choice_lesson(tmp_path, broker, table="z")


def run_choice_lesson(tmp_path, broker, table: str | None = None):
    config = write_choice_room(tmp_path, broker.port, table=table)
    clock = Clock()
    hub = HubService(config, now=clock)
    hub.start()
    kiosks = {sid: KioskCore(config, sid, tmp_path / f"{sid}.db", now=clock) for sid, *_ in STATIONS if sid != table}
    for kiosk in kiosks.values():
        kiosk.start()
    try:
        eventually(lambda: all(k.state is not None for k in kiosks.values()), 10, "every kiosk to get the room")
        hub.handle_command(Command("start", "start", "teacher", {"passing": 1, "choice_rounds": [2]}))
        clock.offset += 5  # students arrive a few seconds in (a kiosk's estimate of hub time may lag a little)
        plan = hub.room.plan()
        first = {s: next(st for st, groups in plan.items() if f"g{s[-1]}" in groups) for s in STUDENTS}
        for student, station in first.items():
            if station != table:
                assert kiosks[station].scan(card(student)).outcome == "welcome"
        scanning = sum(1 for station in first.values() if station != table)
        eventually(lambda: len(hub.room.presence) == scanning, 5, "everyone checked in")
        clock.offset += 600
        hub.handle_command(Command("next", "next", "teacher"))
        eventually(lambda: all(k.state.choice is not None for k in kiosks.values()), 5, "the choice round")
        yield hub, kiosks, clock, first
    finally:
        for kiosk in kiosks.values():
            kiosk.stop()
        if not hub._stopping.is_set():  # a test may have stopped it to start it again
            hub.stop()


def answers_of(kiosk: KioskCore) -> list[PickAnswer]:
    answers: list[PickAnswer] = []
    kiosk.pick_listeners.append(answers.append)
    return answers


def test_two_students_at_two_kiosks_race_for_the_last_place_and_exactly_one_gets_it(choice_lesson):
    hub, kiosks, clock, first = choice_lesson
    # One student of each of two stations races for the Studio's last place, after a third took the first.
    at = {station: [s for s in STUDENTS if first[s] == station] for station in ("x", "y", "z")}
    early, racers = at["x"][0], (at["x"][1], at["y"][0])
    views = {sid: KioskView(name) for sid, name, _ in STATIONS}

    def where_next(student: str) -> tuple:
        """The student scans at their station, gives their exit ticket, and is asked "Where next?"."""
        station = first[student]
        kiosk = kiosks[station]
        decision = kiosk.scan(card(student))
        assert decision.outcome == "choose", decision
        ticket = after_scan(decision, kiosk.state, station)
        assert ticket.kind == "exit_ticket"  # the ticket here first: they had not given it
        _, wish = after_answer(ticket, "got_it", kiosk.state)
        kiosk.answer(ticket, "got_it")
        _, pick = after_answer(wish, None, kiosk.state)  # no wish for next time: "Where next?" at once
        assert pick.kind == "pick"
        return kiosk, decision, pick

    kiosk, _, pick = where_next(early)
    assert {o.value: o.places for o in pick.options} == {"y": 2, "z": 2}  # not back where they were
    done = answers_of(kiosk)
    kiosk.pick(pick.card, "z")
    eventually(lambda: done, 5, "the first pick's answer")
    assert done[0].granted and done[0].left["z"] == 1
    eventually(lambda: all(k.state.choice.places.get("z") == 1 for k in kiosks.values()), 5, "one place left")

    asked = []
    for racer in racers:
        kiosk, decision, pick = where_next(racer)
        assert {o.value: o.places for o in pick.options}["z"] == 1
        views[first[racer]].show(decision, pick, time.monotonic())
        asked.append((kiosk, pick))
    answers = {racer: answers_of(kiosk) for (kiosk, _), racer in zip(asked, racers, strict=True)}
    go = threading.Barrier(2)
    sent = {}

    def race(kiosk, pick, racer):
        go.wait()
        sent[racer] = kiosk.pick(pick.card, "z").id
        views[first[racer]].saving(pick, sent[racer], "Studio", time.monotonic())

    threads = [threading.Thread(target=race, args=(*a, r)) for a, r in zip(asked, racers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(views[first[r]].model().title == "Saving your place…" for r in racers)
    eventually(lambda: all(answers.values()), 5, "both answers")
    granted = [r for r in racers if answers[r][0].granted]
    assert len(granted) == 1, answers
    loser = next(r for r in racers if r not in granted)
    assert answers[loser][0].reason == "full"
    assert hub.room.choice_round().places["z"] == 0
    assert [s for s, where in hub.room.choice_round().going.items() if where == "z"] == [early, granted[0]]

    # Each kiosk shows its own student's answer: the winner where to go, the loser kindly what is left.
    for racer in racers:
        view = views[first[racer]]
        assert view.pick_answered(answers[racer][0], kiosks[first[racer]].state, time.monotonic())
    winner_screen = views[first[granted[0]]].model()
    assert winner_screen.title.endswith("go to Studio") and winner_screen.outcome == "chose"
    loser_screen = views[first[loser]].model()
    assert loser_screen.outcome == "ask:pick" and "Studio just filled up" in loser_screen.title
    assert [o.value for o in loser_screen.options] == [s for s in ("x", "y") if s != first[loser]]
    # The answer went to the asking kiosk alone.
    assert not answers_of(kiosks["z"]) and all(a.student == r for r in racers for a in answers[r])

    # The loser picks again; the check-in at the chosen station is the right station.
    again = views[first[loser]].prompt
    kiosk = kiosks[first[loser]]
    kiosk.pick(again.card, again.options[0].value)
    eventually(lambda: len(answers[loser]) == 2, 5, "the second pick's answer")
    assert answers[loser][1].granted
    chosen = answers[loser][1].to
    eventually(lambda: kiosks[chosen].state.choice.going.get(loser) == chosen, 5, "the choice in the view")
    kiosks[chosen]._last_scan = ("", 0.0)
    assert kiosks[chosen].scan(card(loser)).outcome == "welcome"  # "You're in the right place."


def test_a_student_who_does_not_choose_goes_where_the_plan_sends_them(choice_lesson):
    hub, kiosks, clock, first = choice_lesson
    plan = hub.room.plan()
    second = {s: next(st for st, groups in plan.items() if f"g{s[-1]}" in groups) for s in STUDENTS}
    clock.offset += 61  # the passing time is over: nobody chose
    eventually(lambda: hub.room.choice_round().how, 5, "the hub to place everyone")
    assert hub.room.choice_round().going == second
    assert set(hub.room.choice_round().how.values()) == {"placed"}
    student = STUDENTS[0]
    kiosk = kiosks[second[student]]
    eventually(lambda: kiosk.state.choice.going.get(student) == second[student], 5, "the placement in the view")
    assert kiosk.scan(card(student)).outcome == "welcome"
    elsewhere = kiosks[next(s for s in ("x", "y", "z") if s != second[student])]
    late = elsewhere.scan(card(student))
    assert late.outcome == "elsewhere" and late.title == "{name}, go to {station}"  # placed: not "your group"
    assert dict(late.params)["station"] == dict((sid, name) for sid, name, _ in STATIONS)[second[student]]
    assert hub.store.db.execute("SELECT count(*) FROM events WHERE kind = 'placed'").fetchone()[0] == len(STUDENTS)


def test_a_pick_after_choosing_closed_is_refused_and_the_student_looks_at_the_board(choice_lesson):
    hub, kiosks, clock, first = choice_lesson
    student = STUDENTS[0]
    kiosk = kiosks[first[student]]
    answers = answers_of(kiosk)
    clock.offset += 61
    kiosk.pick(card(student), "x")
    eventually(lambda: answers, 5, "the answer")
    assert not answers[0].granted and answers[0].reason == "closed"


def photograph(screen, path) -> None:
    """The screen as the student sees it, once its next frames are drawn."""
    from kivy.base import EventLoop

    for _ in range(3):
        EventLoop.idle()
    screen.export_to_png(str(path))


def tap_button(screen, words: str) -> None:
    """A finger on the question's button that says ``words``, once laid out where the student sees it."""
    press(lambda: next(b for b in screen.ids.choices.children if words in b.text))


def test_where_next_on_the_kiosk_screen_saves_the_place_and_says_where_to_go(choice_lesson, kivy_window, tmp_path):
    hub, kiosks, clock, first = choice_lesson
    student = next(s for s in STUDENTS if first[s] == "z")
    kiosks.pop("z").stop()  # its kiosk is now the one on screen
    with kiosk_on_screen(hub.config, "z", kivy_window, tmp_path / "screen-outbox.db", now=clock) as shown:
        screen, core, presenter = shown
        eventually(lambda: core.state.choice is not None, 5, "the choice round")
        core.scan(card(student))
        pump(lambda: screen.outcome == "ask:exit_ticket", message="the exit ticket first")
        tap_button(screen, "Got it!")
        pump(lambda: screen.outcome == "ask:next", message="the wish for next time")
        press(lambda: next(b for b in screen.ids.choices.children if b.text == "Skip"))
        pump(lambda: screen.outcome == "ask:pick", message="Where next?")
        assert screen.title == f"Kid{student[-1]} L., where next?"
        buttons = screen.ids.choices.children
        assert sorted(b.text.split("\n")[1] for b in buttons) == ["Lab", "Library"]  # not back to the Studio
        assert all(b.text.endswith(" 2") and b.height >= 100 for b in buttons)  # two places, drawn as people too
        photograph(screen, tmp_path / "kiosk-where-next.png")
        tap_button(screen, "Lab")
        assert screen.title == "Saving your place…"  # drawn at the tap, before the hub answers
        pump(lambda: screen.outcome == "chose", message="the hub's answer")
        assert screen.title == f"Kid{student[-1]} L., go to Lab"
        photograph(screen, tmp_path / "kiosk-go-to-chosen.png")
        eventually(lambda: hub.room.choice_round().going.get(student) == "y", 5, "the place at the hub")


def test_the_wall_map_lists_each_student_where_they_chose_with_a_mark(choice_lesson, kivy_window, tmp_path):
    hub, kiosks, clock, first = choice_lesson
    student = next(s for s in STUDENTS if first[s] == "x")
    answers = answers_of(kiosks["x"])
    with map_on_screen(hub.config, kivy_window) as (link, screen, presenter):
        kiosks["x"].pick(card(student), "z")
        eventually(lambda: answers, 5, "the answer")
        # Not moved yet, where they were: marked as having chosen (and the Library's tile says where they go).
        pump(lambda: any(t.startswith(f"Kid{student[-1]} L. [font=DejaVuSans]") and "\u2605" in t
                         for t in tile_texts(screen, "Library")), message="the choice on the map")
        kiosks["z"].scan(card(student))
        pump(lambda: any(t.startswith(f"Kid{student[-1]} L. [font=DejaVuSans]") and "\u2605" in t
                         for t in tile_texts(screen, "Studio")), message="the check-in at the chosen station")
        tile = next(w for w in screen.ids.tiles.children if isinstance(w, StationTile) and w.title == "Studio")
        assert tile.groups == "Choice round: 1 chose it, 1 place left"
        photograph(screen, tmp_path / "map-choice-round.png")


def test_the_teacher_sets_a_choice_round_in_the_browser_and_the_room_chooses_in_it(web, hub, chromium,  # noqa: F811
                                                                                   tmp_path):
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(web.url + "/login")
    page.get_by_label("Name").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(web.url + "/")
    page.get_by_text("Choice rounds").click()
    page.get_by_role("checkbox", name="2", exact=True).check()
    page.get_by_role("checkbox", name="Reading Nook").check()
    page.screenshot(path=str(tmp_path / "web-choice-rounds.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Next round").wait_for(timeout=5000)
    assert (hub.room.choice_rounds, hub.room.must_do) == ({2}, {"reading-nook"})
    assert hub.room.choosing is None  # round 1 is the teacher's
    page.get_by_role("button", name="Next round").click()
    page.get_by_text("Choice round: 0 chose it").first.wait_for(timeout=5000)
    choice = hub.room.choice_round()
    assert choice is not None and choice.must == ("reading-nook",)
    assert all(allowed == ("reading-nook",) for allowed in choice.allowed.values())  # nobody has been there yet


def test_the_teachers_report_student_page_and_tomorrow_show_the_choices(choice_lesson, tmp_path):
    hub, kiosks, clock, first = choice_lesson
    chooser = next(s for s in STUDENTS if first[s] == "x")
    answers = answers_of(kiosks["x"])
    kiosks["x"].pick(card(chooser), "z")
    eventually(lambda: answers, 5, "the answer")
    clock.offset += 61  # the others did not choose: placed
    eventually(lambda: len(hub.room.choice_round().how) == len(STUDENTS), 5, "everyone placed")
    eventually(lambda: all(k.outbox.depth() == 0 for k in kiosks.values()), 10, "every event stored")
    server = Server(hub.config, tmp_path)
    try:
        eventually(lambda: server.link.state is not None, 5, "the web companion to know the room")
        client, _ = logged_in(server)
        student = client.get(f"/student/{chooser}").text
        assert "This round</dt><dd>Studio (chose it)" in student  # today, live
        hub.handle_command(Command("end", "end", "teacher"))
        eventually(lambda: hub.room.ended is not None and hub.room.ended.report, 20, "the lesson's report")
        key = client.get("/reports").text.split('href="/reports/')[1].split('"')[0]
        report = client.get(f"/reports/{key}").text
        name = f"Kid{chooser[-1]} L."
        assert f'<th scope="row">{name}</th>' in report and "chose it" in report
        assert "placed: did not choose" in report
        rows = client.get(f"/reports/{key}/choices.csv").text.splitlines()
        assert rows[0] == "student,name,time,station,how"
        assert sum(r.startswith(f"{chooser},{name},") and r.endswith(",Studio,chose") for r in rows) == 1
        assert sum(r.endswith(",placed") for r in rows) == len(STUDENTS) - 1
        assert "chose the next station: Studio" in client.get(f"/student/{chooser}").text  # their last lessons
        # The class's next lesson is set with a must-do: this lesson, which had none, is judged by its own.
        hub.store.save_preset(hub.room.class_id, StartArgs(choice_rounds=(2,), must_do=("x",)))
        tomorrow = client.get(f"/tomorrow?lesson={key}").text
        placed = next(s for s in STUDENTS if s != chooser)
        assert f"<b>Kid{placed[-1]} L.</b>: did not choose (1 time): help them pick" in tomorrow
        assert f"<b>{name}</b>: did not choose" not in tomorrow
        assert "avoided a must-do" not in tomorrow
    finally:
        server.stop()


def test_a_hub_restarted_in_a_choice_round_keeps_the_places_it_gave(choice_lesson):
    hub, kiosks, clock, first = choice_lesson
    chooser = next(s for s in STUDENTS if first[s] == "x")
    answers = answers_of(kiosks["x"])
    kiosks["x"].pick(card(chooser), "z")
    eventually(lambda: answers and kiosks["x"].outbox.depth() == 0, 5, "the pick granted and stored")
    hub.stop()
    again = HubService(hub.config, now=clock)
    try:
        choice = again.room.choice_round()
        assert choice is not None and choice.going == {chooser: "z"} and choice.places["z"] == 1
        assert choice.allowed[chooser] == ("y", "z")  # where they were in round 1 is still known
    finally:
        again.store.close()


def test_a_kiosk_is_told_what_a_student_may_choose_only_where_they_may_choose(choice_lesson):
    from hub.kiosk_view import kiosk_view

    hub, kiosks, clock, first = choice_lesson
    snapshot = hub.room.snapshot(clock())
    for station in ("x", "y", "z"):
        view = kiosk_view(snapshot, station)
        assert set(view.choice.allowed) == {s for s in STUDENTS if first[s] == station}
        assert view.choice.places == snapshot.choice.places


def test_a_choice_round_set_from_the_command_line_and_a_must_do_that_is_no_station_is_refused(room, hub, capsys):
    from rotation.cli import main

    assert main(["hub", "lesson", "start", "--config", str(room.path), "--must-do", "gym", "--choice", "2"]) == 1
    assert "no station 'gym' to make must-do" in capsys.readouterr().err
    assert main(["hub", "lesson", "start", "--config", str(room.path), "--choice", "2", "--must-do", "tech"]) == 0
    assert capsys.readouterr().out.startswith("started round 1 of 5, 15-minute rounds, choice in round 2")
    assert (hub.room.choice_rounds, hub.room.must_do) == ({2}, {"tech"})


def test_at_the_round_change_the_kiosk_tells_its_students_to_scan_there_to_choose(choice_lesson):
    from kiosk.moves import moves_from

    hub, kiosks, clock, first = choice_lesson
    kiosk = kiosks["x"]
    moves = moves_from(kiosk.state, "x")
    assert sorted(m.name for m in moves) == sorted(f"Kid{s[-1]} L." for s in STUDENTS if first[s] == "x")
    view = KioskView("Library")
    view.round_is(1, [], time.monotonic())
    assert view.round_is(2, moves, time.monotonic())
    assert all(line.endswith("\u2013 scan your card to choose") for line in view.model().detail.splitlines())
    view = KioskView("Library")
    view.update(time.monotonic(), None, True, True, phase="passing", moving=50.0, choosing_left=50.0)
    assert view.model().detail == "Scan your card here to choose your next station."
    assert view.model().clock == "Move 0:50"  # the passing time is the choosing time
    view.update(time.monotonic(), 540.0, True, True, choosing_left=42.0)  # a choice round with no passing time
    assert view.model().clock == "Choose 0:42"


def test_many_places_show_four_people_a_plus_and_the_number_on_one_line_under_the_stations_name(kivy_window):
    """A station with room for eight reads "4 people + 8" on the line under its name: no missing-picture box for
    the "+" (the pictures' font has none), no number wrapped off the button."""
    from kiosk.app import OptionButton

    sizes = {}
    for places in (2, 8):
        button = OptionButton(text="Collaborative Project" + KioskPresenter._places(places, 24), font_size=22,
                              size_hint=(None, None), size=(180, 110))
        kivy_window.add_widget(button)
        button.texture_update()
        sizes[places] = button.texture_size[1]
        kivy_window.remove_widget(button)
    assert sizes[8] == sizes[2]  # as many lines
    assert KioskPresenter._places(8, 24).endswith("[/font]+ 8")


def test_in_a_choice_round_nobody_is_seated_at_the_teachers_table_until_choosing_ends(choice_lesson_with_a_table):
    from hub.mapview import build_map

    hub, kiosks, clock, first = choice_lesson_with_a_table
    round_began = hub.room.clock.started_at
    plan = hub.room.plan()
    due = sorted(s for s in STUDENTS if f"g{s[-1]}" in plan["z"])  # the plan's group at the table this round

    def seated_since(kind: str = "seated") -> list[tuple[str, str]]:
        return hub.store.db.execute("SELECT student, station FROM events WHERE kind = ? AND at >= ? "
                                    "ORDER BY student", (kind, round_began)).fetchall()

    assert seated_since() == []  # still choosing
    room_map = build_map("Room 12", hub.room.snapshot(clock()), {}, True, clock())
    assert room_map.tile("z").expected == () and room_map.tile("z").here == ()
    assert sorted(s for s in STUDENTS if first[s] == "z") == [student for student, _ in seated_since("left_table")]
    # One of the table's group checks in at their round-1 kiosk and picks the other kiosk station.
    mover, stays = due
    elsewhere = next(s for s in ("x", "y") if s != first[mover])
    answers = answers_of(kiosks[first[mover]])
    kiosks[first[mover]].pick(card(mover), elsewhere)
    eventually(lambda: answers, 5, "the answer")
    assert answers[0].granted
    room_map = build_map("Room 12", hub.room.snapshot(clock()), {}, True, clock())
    assert mover not in [t.student_id for t in room_map.tile("z").expected]
    clock.offset += 61  # choosing is over: the other is placed at the table the plan gives them
    eventually(lambda: len(hub.room.choice_round().how) == len(STUDENTS), 5, "everyone placed")
    going = hub.room.choice_round().going
    at_table = sorted(s for s in STUDENTS if going[s] == "z")  # the plan's, and any the plan's full stations moved
    assert stays in at_table and mover not in at_table
    eventually(lambda: seated_since() == [(s, "z") for s in at_table], 5, "those at the table seated there")
    room_map = build_map("Room 12", hub.room.snapshot(clock()), {}, True, clock())
    assert sorted(t.student_id for t in room_map.tile("z").expected) == at_table
    hub.handle_command(Command("end", "end", "teacher"))
    lessons, events = hub.store.student_path(mover, 5)
    assert [e.station for e in events if e.kind == "seated" and e.at >= round_began] == []  # no table on My path
