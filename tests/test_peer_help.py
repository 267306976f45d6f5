"""Peers who can help: who the hub lets a kiosk suggest to a student asking for help, on the real hub and its
database (the kiosk's screen and the teacher's maps are in tests/test_help.py, the browser in tests/test_web.py)."""
import itertools

from hub.kiosk_view import kiosk_view
from hub.peers import GotIt, helpers
from hub.service import HubService
from shared.protocol import Command, Event, PeerHelp, Presence
from tests.conftest import PERIODS, card, room_with

NOOK = "reading-nook"
CLASS = {"s01": None, "s02": None, "s03": None}


# The rule, pure
def test_nobody_is_suggested_while_the_class_has_peer_suggestions_off():
    got_it = GotIt.from_tickets([("s01", NOOK, "got_it", 10.0)])
    here = {"s01": Presence(NOOK, 20.0)}
    assert helpers(PeerHelp(on=False), got_it, CLASS, here, {}, {}, 15.0) == {}
    assert helpers(PeerHelp(on=True), got_it, CLASS, here, {}, {}, 15.0) == {NOOK: ("s01",)}


def test_only_a_student_of_the_class_checked_in_there_this_round_not_excluded_who_got_it_there_is_suggested():
    got_it = GotIt.from_tickets([("s01", NOOK, "got_it", 10.0), ("s02", NOOK, "got_it", 11.0),
                                 ("s03", "tech", "got_it", 12.0), ("s09", NOOK, "got_it", 13.0),
                                 ("s04", NOOK, "got_it", 14.0)])
    presence = {"s01": Presence(NOOK, 20.0), "s02": Presence(NOOK, 21.0), "s03": Presence(NOOK, 22.0),
                "s09": Presence(NOOK, 23.0), "s04": Presence(NOOK, 5.0)}
    everyone = {"s01": None, "s02": None, "s03": None, "s04": None}  # s09 is of another class
    found = helpers(PeerHelp(on=True, excluded=("s02",)), got_it, everyone, presence, {}, {}, 15.0)
    # s02 excluded, s03 got it at tech, s09 of another class, s04 checked in here last round
    assert found == {NOOK: ("s01",)}


def test_a_student_checked_out_or_out_of_the_room_is_not_suggested():
    got_it = GotIt.from_tickets([("s01", NOOK, "got_it", 10.0), ("s02", NOOK, "got_it", 11.0)])
    presence = {"s01": Presence(NOOK, 20.0), "s02": Presence(NOOK, 21.0)}
    found = helpers(PeerHelp(on=True), got_it, CLASS, presence, {"s01": Presence(NOOK, 25.0)},
                    {"s02": Presence(NOOK, 26.0)}, None)
    assert found == {}


def test_the_latest_exit_ticket_at_the_station_counts_and_the_latest_got_it_comes_first():
    tickets = [("s01", NOOK, "got_it", 10.0), ("s01", NOOK, "stuck", 30.0), ("s02", NOOK, "stuck", 11.0),
               ("s02", NOOK, "got_it", 31.0), ("s03", NOOK, "got_it", 32.0)]
    presence = {s: Presence(NOOK, 40.0) for s in CLASS}
    for order in (tickets, tickets[::-1]):  # the database gives them in any order
        assert helpers(PeerHelp(on=True), GotIt.from_tickets(order), CLASS, presence, {}, {}, None) == {
            NOOK: ("s03", "s02")}


# On the real hub: its database, commands and each kiosk's view
class Kiosks:
    """Events as the stations' kiosks send them, each station counting its own."""

    def __init__(self, hub: HubService) -> None:
        """Each station counts on from the last event the hub stored of it (after a restart)."""
        self.hub, self.ids = hub, itertools.count()
        self.seqs = {station: seq - 1 for station, seq in hub.store.next_kiosk_seqs(
            [s.id for s in hub.config.stations]).items()}

    def send(self, station: str, kind: str, student: str | None, **data) -> None:
        seq = self.seqs[station] = self.seqs.get(station, 0) + 1  # a new kiosk may start anywhere
        at = self.hub.now()
        self.hub.handle_event(station, Event(id=f"e{next(self.ids)}", kind=kind, station=station, at=at, seq=seq,
                                             kiosk_time=at, card=card(student) if student else None, data=data))

    def lesson_where_they_got_it(self, station: str, students: dict[str, str]) -> None:
        """A lesson in which each student checked in at the station and left with that exit ticket."""
        command(self.hub, "start")
        for student, how in students.items():
            self.send(station, "checkin", student)
            self.send(station, "exit_ticket", student, how=how)
        command(self.hub, "end")


def command(hub: HubService, action: str, **args) -> None:
    hub.handle_command(Command(f"c-{action}-{hub.now()}", action, "teacher", args))


def view_helpers(hub: HubService, station: str) -> dict[str, tuple[str, ...]]:
    return kiosk_view(hub.room.snapshot(hub.now()), station).helpers


def test_a_student_who_got_it_in_an_earlier_lesson_is_suggested_there_after_a_restart_until_excluded(room, broker):
    hub = HubService(room)
    hub.journal.start()
    command(hub, "peer_help", on=True)
    kiosks = Kiosks(hub)
    kiosks.lesson_where_they_got_it(NOOK, {"s01": "got_it", "s02": "stuck"})
    kiosks.lesson_where_they_got_it("tech", {"s03": "got_it"})
    assert hub.journal.flush()
    hub.journal.stop()
    hub.store.close()

    hub = HubService(room)  # what it knows of earlier lessons comes from its database
    kiosks = Kiosks(hub)
    command(hub, "start")
    for student in ("s01", "s02", "s03", "s05"):
        kiosks.send(NOOK, "checkin", student)
    assert view_helpers(hub, NOOK) == {NOOK: ("s01",)}  # not s02 (stuck), not s03 (got it at tech)
    assert view_helpers(hub, "tech") == {}  # s03 is at the nook now
    view = kiosk_view(hub.room.snapshot(hub.now()), NOOK)
    assert view.peer_help is None  # the class's setting is the teacher's
    assert hub.room.snapshot(hub.now()).peer_help == PeerHelp(on=True)

    command(hub, "peer_exclude", student="s01")
    assert view_helpers(hub, NOOK) == {}
    assert hub.store.peer_help(hub.room.class_id) == PeerHelp(on=True, excluded=("s01",))
    command(hub, "peer_exclude", student="s01", excluded=False)
    assert view_helpers(hub, NOOK) == {NOOK: ("s01",)}
    command(hub, "peer_help", on=False)
    assert view_helpers(hub, NOOK) == {}
    hub.store.close()


def test_a_suggestion_never_names_a_student_of_another_class(tmp_path, broker):
    (tmp_path / "periods.csv").write_text(PERIODS)
    config = room_with(tmp_path, broker.port, 'roster = "periods.csv"')
    hub = HubService(config)
    hub.journal.start()
    classes = {c.name: c.id for c in hub.store.classes()}
    kiosks = Kiosks(hub)
    command(hub, "set_class", **{"class": classes["Period 3"]})
    command(hub, "peer_help", on=True)
    kiosks.lesson_where_they_got_it(NOOK, {"s01": "got_it", "s03": "got_it"})  # Maya is in both classes
    assert hub.journal.flush()
    assert len(hub.store.exit_tickets(classes["Period 3"])) == 2

    command(hub, "set_class", **{"class": classes["Period 2"]})
    assert view_helpers(hub, NOOK) == {}  # the setting is Period 3's: Period 2's is off
    command(hub, "peer_help", on=True)
    command(hub, "start")
    for student in ("s01", "s02", "s03"):  # s03, of Period 3 only, is refused here
        kiosks.send(NOOK, "checkin", student)
    assert "s03" not in hub.room.presence
    assert view_helpers(hub, NOOK) == {}  # Maya got it in Period 3's lesson, not in one of Period 2's
    kiosks.send(NOOK, "exit_ticket", "s02", how="got_it")
    kiosks.send(NOOK, "checkin", "s02")  # back at the station after her exit ticket
    assert view_helpers(hub, NOOK) == {NOOK: ("s02",)}
    hub.journal.stop()
    hub.store.close()


def test_a_call_keeps_the_classmate_suggested_only_if_of_the_class_and_not_the_caller(room, broker):
    hub = HubService(room)
    kiosks = Kiosks(hub)
    kiosks.send(NOOK, "help", "s05", peer="s01", taken=True)
    kiosks.send("tech", "help", "s05", peer="s99", taken=True)  # nobody of the class: a forged name is dropped
    kiosks.send("independent", "help", "s04", peer="s04", taken=False)
    assert [(h.station, h.peer, h.peer_taken) for h in hub.room.help] == [
        (NOOK, "s01", True), ("tech", None, None), ("independent", None, None)]
    hub.store.close()
    again = HubService(room)  # the queue, as stored
    assert [(h.peer, h.peer_taken) for h in again.room.help] == [("s01", True), (None, None), (None, None)]
    again.store.close()


def test_deleting_a_student_takes_them_out_of_classmates_calls_and_of_the_setting(room, broker):
    hub = HubService(room)
    hub.journal.start()
    kiosks = Kiosks(hub)
    command(hub, "peer_exclude", student="s01")
    kiosks.send(NOOK, "help", "s05", peer="s01", taken=True)
    assert hub.journal.flush()
    assert [call.peer for call in hub.store.peer_help_calls("s05")] == ["s01"]
    suggested = hub.store.student_data("s01")["suggested_to_help"]  # in Maya's export, without who asked
    assert [(call["station"], call["taken"]) for call in suggested] == [(NOOK, True)]
    command(hub, "delete_student", student="s01")
    assert [(h.student, h.peer) for h in hub.room.help] == [("s05", None)]
    assert hub.store.peer_help_calls("s05") == []
    assert hub.store.peer_help(hub.room.class_id).excluded == ()
    assert hub.store.load_help()[0].peer is None
    hub.journal.stop()
    hub.store.close()


def test_the_kiosk_shows_a_classmate_by_name_but_never_says_the_name_aloud_nor_suggests_the_asker(room, broker):
    from kiosk.decide import Decision
    from kiosk.prompts import after_peer, peer_prompt
    from kiosk.view import KioskView

    hub = HubService(room)
    command(hub, "peer_help", on=True)
    kiosks = Kiosks(hub)
    kiosks.send(NOOK, "checkin", "s01")
    kiosks.send(NOOK, "exit_ticket", "s01", how="got_it")
    kiosks.send(NOOK, "checkin", "s01")
    view = kiosk_view(hub.room.snapshot(hub.now()), NOOK)
    sofia = Decision("welcome", "Hi {name}", "", "s05", "Sofia R.", card("s05"))
    assert peer_prompt(view, NOOK, Decision("welcome", "Hi {name}", "", "s01", "Maya R.", card("s01"))) is None
    assert peer_prompt(view, "tech", sofia) is None
    offer = peer_prompt(view, NOOK, sofia)
    screen = KioskView("Reading Nook", speech=True)
    screen.offer_peer(offer, 0.0)
    shown = screen.model()
    assert shown.title == "Maya R. got it! Ask Maya?"
    assert [o.label for o in shown.options] == ["I'll ask Maya", "No thanks"]
    assert shown.speak and shown.speech and not any("Maya" in said for said in shown.speech)
    screen.peer_answered(offer, True, 1.0)
    after = screen.model()
    assert after.title == "Go and ask Maya!" and not any("Maya" in said for said in after.speech)
    assert after_peer(offer, False).title == "Help is on the way"

    kiosks.send(NOOK, "checkin", "s02")
    kiosks.send(NOOK, "exit_ticket", "s02", how="got_it")
    kiosks.send(NOOK, "checkin", "s02")
    view = kiosk_view(hub.room.snapshot(hub.now()), NOOK)
    assert view.helpers == {NOOK: ("s02", "s01")}  # the latest "Got it!" first
    assert peer_prompt(view, NOOK, sofia).peer == "s02"
    assert peer_prompt(view, NOOK, sofia, {"s02": 1}).peer == "s01"  # one helper is not asked by everyone
    assert peer_prompt(view, NOOK, sofia, {"s02": 1, "s01": 1}).peer == "s02"
    hub.store.close()


def test_a_call_for_help_with_a_suggestion_it_cannot_read_is_still_a_call():
    import json

    from shared.protocol import decode

    call = {"v": 1, "id": "h1", "kind": "help", "station": NOOK, "at": 1.0, "seq": 1, "kiosk_time": 1.0}
    assert decode("kiosk_event", json.dumps({**call, "data": {"peer": 5, "taken": "yes"}}).encode()).data == {}
    sent = decode("kiosk_event", json.dumps({**call, "data": {"peer": "s01", "taken": False, "x": 1}}).encode())
    assert sent.data == {"peer": "s01", "taken": False}


def test_a_lessons_timeline_says_a_classmate_was_suggested_without_naming_them():
    from hub.report import SessionEvent, describe

    said = [describe(SessionEvent(1.0, "help", "s05", NOOK, data)) for data in (
        {}, {"peer": "s01", "taken": True}, {"peer": "s01", "taken": False}, {"peer": "s01"})]
    assert said == ["asked for help", "asked for help (a classmate suggested: asked)",
                    "asked for help (a classmate suggested: not asked)",
                    "asked for help (a classmate suggested: no answer)"]
