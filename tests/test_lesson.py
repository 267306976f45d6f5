"""A whole lesson, end to end: 12 students at 4 stations for 3 rounds, every card read through a serial
scanner on a pseudo-terminal, the real hub and broker, and the teacher's report at the end."""
import csv
import os
import threading
import time
import tty
from collections import Counter

import pytest

from hub.service import HubService
from kiosk.core import KioskCore
from kiosk.prompts import after_scan
from kiosk.scanners import SerialScanner
from shared.config import load_config
from shared.protocol import Command
from tests.conftest import SECRET, card, eventually, write_card_key

STATIONS = [("library", "Library", "reading", ["Read a book"]), ("lab", "Lab", "tech", ["Code a robot"]),
            ("studio", "Studio", "collaborative", ["Draw it"]), ("table", "Table", "independent", ["Maths games"])]
GROUPS = ["reds", "blues", "greens", "golds"]
TICKETS = ["got_it", "getting_there", "stuck"]


class LessonClock:
    """The hub's and the kiosks' time, moved on by the test: a lesson takes a minute, not an hour."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def lesson_room(tmp_path, broker):
    (tmp_path / "class.secret").write_text(SECRET.hex())
    write_card_key(tmp_path)
    rows = ["id,first_name,last_name,group"] + [f"p{i:02d},Kid{i},Lee,{GROUPS[i % 4]}" for i in range(12)]
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    stations = "\n".join(f'[[station]]\nid = "{sid}"\nname = "{name}"\nkind = "{kind}"\ncapacity = 4\n'
                         f'activities = ["{activities[0]}"]\n' for sid, name, kind, activities in STATIONS)
    (tmp_path / "room.toml").write_text(f"""
[room]
id = "room-12"
secret_file = "class.secret"
roster = "roster.csv"
[broker]
port = {broker.port}
[hub]
database = "hub.db"
round_minutes = 10
auto_advance = false
{stations}""")
    return load_config(tmp_path / "room.toml")


def test_a_three_round_lesson_for_twelve_students_ends_in_the_right_report(lesson_room, tmp_path):
    clock = LessonClock()
    hub = HubService(lesson_room, now=clock)
    hub.start()
    kiosks, wires, scanners = {}, {}, []
    for sid, *_ in STATIONS:
        kiosks[sid] = KioskCore(lesson_room, sid, tmp_path / f"{sid}.db", now=clock)
        kiosks[sid].start()
        master, slave = os.openpty()
        tty.setraw(slave)
        scanner = SerialScanner(os.ttyname(slave), 9600, kiosks[sid].scan, kiosks[sid].unreadable)
        scanner.start()
        scanners.append((scanner, master, slave))
        wires[sid] = master
    try:
        eventually(lambda: all(k.state is not None for k in kiosks.values()), 10, "every kiosk to get the room")
        hub.handle_command(Command("start", "start", "teacher"))
        groups = {s.id: s.group for s in hub.room.students.values()}
        expected: dict[str, list[str]] = {student: [] for student in groups}
        given: dict[str, Counter] = {sid: Counter() for sid, *_ in STATIONS}  # exit tickets per station
        for round_number in (1, 2, 3):
            eventually(lambda r=round_number: all(k.state.clock.round == r for k in kiosks.values()), 10, "the round")
            plan = hub.room.plan()
            station_of = {group: sid for sid, there in plan.items() for group in there}
            answers = {}
            for student, group in sorted(groups.items()):  # everyone taps in at their group's station
                station = station_of[group]
                expected[student].append(station)
                kiosks[station].decision_listeners.append(lambda d, s=student, a=answers: a.setdefault(s, d) and None)
                os.write(wires[station], card(student).encode() + b"\r\n")
                eventually(lambda s=student, a=answers: s in a, 5, f"{student}'s scan to be answered")
                kiosks[station].decision_listeners.clear()
                decision = answers[student]
                assert decision.outcome == "welcome", decision
                prompt = after_scan(decision, kiosks[station].state, station)
                assert prompt.kind == "choice"
                kiosks[station].answer(prompt, prompt.options[0].value)
            eventually(lambda: all(hub.room.presence.get(s) and hub.room.presence[s].station == expected[s][-1]
                                   for s in groups), 10, "everyone on the map")
            # Each kiosk knows who is at its own station, and nobody else's whereabouts.
            eventually(lambda: all(set(k.state.presence) == {s for s in groups if expected[s][-1] == station}
                                   for station, k in kiosks.items()), 10, "every kiosk to know its students")
            clock.advance(9 * 60)  # nine minutes of work, then everyone checks out with an exit ticket
            for index, (student, group) in enumerate(sorted(groups.items())):
                station = station_of[group]
                answers.pop(student)
                kiosks[station]._last_scan = ("", 0.0)
                kiosks[station].decision_listeners.append(lambda d, s=student, a=answers: a.setdefault(s, d) and None)
                os.write(wires[station], card(student).encode() + b"\r\n")
                eventually(lambda s=student, a=answers: s in a, 5, f"{student}'s check-out")
                kiosks[station].decision_listeners.clear()
                assert answers[student].outcome == "checkout"
                ticket = after_scan(answers[student], kiosks[station].state, station)
                kiosks[station].answer(ticket, TICKETS[(index + round_number) % 3])
                given[station][TICKETS[(index + round_number) % 3]] += 1
            clock.advance(60)
            if round_number < 3:
                hub.handle_command(Command(f"next{round_number}", "next", "teacher"))
        eventually(lambda: all(k.outbox.depth() == 0 for k in kiosks.values()), 10, "every event acked")
        hub.handle_command(Command("note", "conference_note", "teacher",
                                   {"student": "p00", "tags": ["fluency"], "text": "reads with expression"}))
        hub.handle_command(Command("end", "end", "teacher"))
        folder = tmp_path / "report"
        from hub.report_files import report_last_session
        report_last_session(hub.store, lesson_room, clock(), folder)
    finally:
        for scanner, master, slave in scanners:
            scanner.stop()
            os.close(master)
            os.close(slave)
        for kiosk in kiosks.values():
            kiosk.stop()
        hub.stop()

    timeline = list(csv.DictReader((folder / "timeline.csv").open()))
    names = {sid: name for sid, name, *_ in STATIONS}
    activities = {sid: offered[0] for sid, _, _, offered in STATIONS}
    for student, stations in expected.items():
        visits = [row["station"] for row in timeline if row["student"] == student and row["what"] == "checked in"]
        assert visits == [names[s] for s in stations]
        assert len(set(visits)) == 3  # three rounds, three different stations
        choices = [row["what"] for row in timeline if row["student"] == student and row["what"].startswith("chose")]
        assert choices == [f"chose: {activities[s]}" for s in stations]
    notes = [row["what"] for row in timeline if row["student"] == "p00"]
    assert notes[-1] == "conference: fluency · reads with expression"
    summary = {row["station"]: row for row in csv.DictReader((folder / "stations.csv").open())}
    visits = {names[s]: sum(stations.count(s) for stations in expected.values()) for s in names}
    for name, row in summary.items():
        assert int(row["students"]) == visits[name]
        assert float(row["minutes"]) == pytest.approx(9 * visits[name], abs=0.5)  # check-in to exit ticket
        station = next(sid for sid, station_name in names.items() if station_name == name)
        assert [int(row[t]) for t in ("got it", "getting there", "stuck")] == [given[station][t] for t in TICKETS]
    groups_rows = list(csv.DictReader((folder / "groups.csv").open()))
    assert sorted(row["group"] for row in groups_rows) == sorted(GROUPS)
    assert sum(int(row["students"]) for row in groups_rows) == 12
    station_minutes = sum(float(row["minutes"]) for row in csv.DictReader((folder / "stations.csv").open()))
    assert sum(float(row["minutes"]) for row in groups_rows) == pytest.approx(station_minutes, abs=0.5)
    assert (folder / "summary.png").stat().st_size > 10_000
