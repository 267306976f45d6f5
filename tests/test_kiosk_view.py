"""What each kiosk is told of the room: its own station's business and the class list, nothing more."""
import json

from hub.kiosk_view import ViewPublisher, kiosk_view
from shared.protocol import Presence, State, decode


def snapshot(seq: int = 7, presence: dict | None = None) -> State:
    return decode("state", json.dumps({
        "v": 1, "seq": seq, "hub_time": 1000.0 + seq,
        "clock": {"round": 1, "rounds": 2, "duration": 600, "running": True, "ends_at": 1600.0, "left": None},
        "stations": [{"id": "art", "name": "Art", "kind": "other", "kiosk": True, "groups": ["g1"]},
                     {"id": "maths", "name": "Maths", "kind": "other", "kiosk": True, "groups": ["g2"]}],
        "groups": [{"id": "g1", "name": "Group 1", "members": ["ann", "bo"]},
                   {"id": "g2", "name": "Group 2", "members": ["cy"]}],
        "students": {"ann": {"name": "Ann A.", "card": 1, "group": "g1"},
                     "bo": {"name": "Bo B.", "card": 1, "group": "g1"},
                     "cy": {"name": "Cy C.", "card": 2, "group": "g2"},
                     "di": {"name": "Di D.", "card": 1}},
        "presence": presence if presence is not None else {"ann": {"station": "art", "at": 990.0},
                                                           "cy": {"station": "art", "at": 995.0}},
        "help": [{"id": "h1", "station": "art", "at": 991.0, "student": "ann"},
                 {"id": "h2", "station": "maths", "at": 992.0, "student": "cy"}],
        "goals": ["Try something hard", "Help a friend"],
        "progress": {"ann": {"goal": "Help a friend"}, "bo": {"goal": "Try something hard"},
                     "cy": {"ticket": "stuck"}, "di": {"goal": "Help a friend"}},
    }).encode())


def test_a_kiosk_sees_its_own_station_and_the_class_list_only():
    art = kiosk_view(snapshot(), "art")
    assert art.students == snapshot().students  # any student may scan here, so every card is known
    assert art.presence == {"ann": Presence("art", 990.0), "cy": Presence("art", 995.0)}
    assert [h.id for h in art.help] == ["h1"]
    assert set(art.progress) == {"ann", "bo", "cy", "di"}  # expected here, here (cy) or in no group (di)
    maths = kiosk_view(snapshot(), "maths")
    assert maths.presence == {}  # cy is at art, out of maths' sight
    assert [h.id for h in maths.help] == ["h2"]
    assert set(maths.progress) == {"cy", "di"}


def test_a_view_is_sent_again_only_when_it_changed():
    publisher = ViewPublisher()
    first = dict(publisher.changed_views(snapshot(7), ["art", "maths"]))
    view = decode("view", first["art"])
    assert view.seq == 7 and view.hub_time == 1007.0 and set(view.presence) == {"ann", "cy"}
    assert json.loads(first["maths"])["presence"] == {}
    moved = {"ann": {"station": "art", "at": 990.0}, "cy": {"station": "art", "at": 995.0},
             "bo": {"station": "art", "at": 999.0}}
    assert [station for station, _ in publisher.changed_views(snapshot(8, moved), ["art", "maths"])] == ["art"]
    assert publisher.changed_views(snapshot(9, moved), ["art", "maths"]) == []
    publisher.forget()
    assert len(publisher.changed_views(snapshot(10, moved), ["art", "maths"])) == 2


def test_a_kiosk_is_never_told_the_teachers_business_nor_another_stations_passes_and_check_outs():
    from msgspec.structs import replace

    from shared.protocol import ChoiceRound, LessonEnd, PeerHelp

    room = replace(snapshot(), attendance={"bo": "absent"}, peer_help=PeerHelp(on=True, excluded=("bo",)),
                   checked_out={"ann": Presence("art", 999.0), "bo": Presence("maths", 998.0)},
                   out={"ann": Presence("art", 997.0), "cy": Presence("maths", 996.0)},
                   ended=LessonEnd("Period 1", 0.0, 1.0, ()), helpers={"art": ("ann",), "maths": ("cy",)},
                   choice=ChoiceRound(2, 1500.0, allowed={"ann": ("maths",), "cy": ("art",), "di": ("art",)}))
    art = kiosk_view(room, "art")
    assert art.attendance == {} and art.ended is None and art.peer_help is None and art.pairings == ()
    assert art.checked_out == {"ann": Presence("art", 999.0)}  # bo left maths: not this kiosk's to know
    assert art.out == {"ann": Presence("art", 997.0)}
    assert art.helpers == {"art": ("ann",)}
    # Who may choose here: those checked in here, and those checked in nowhere yet (any kiosk may ask them).
    assert set(art.choice.allowed) == {"ann", "cy", "di"}
    maths = kiosk_view(room, "maths")
    assert maths.checked_out == {} and maths.out == {"cy": Presence("maths", 996.0)}
    assert set(maths.choice.allowed) == {"di"}  # ann and cy are checked in at art: theirs to ask there
    assert kiosk_view(replace(room, choice=None), "art").choice is None
    assert kiosk_view(room, "gym").presence == {}  # a station the room does not have: nothing of anyone's


def test_a_kiosk_knows_the_standing_goals_and_last_visits_here_of_its_own_students_only():
    from msgspec.structs import replace

    from shared.protocol import LastVisit, PairingNotice, StandingGoal

    room = replace(snapshot(),
                   standing={"ann": StandingGoal("Help a friend", "handshake", 10.0),
                             "cy": StandingGoal("Try something hard", "fitness_center", 11.0),
                             "eve": StandingGoal("Help a friend", "handshake", 12.0)},  # no group, no student here
                   last_visits={"ann": (LastVisit("art", 100.0, "stuck"), LastVisit("maths", 200.0, "got_it")),
                                "bo": (LastVisit("maths", 150.0, "got_it"),),
                                "dan": (LastVisit("art", 90.0, "got_it"),)},
                   pairings=(PairingNotice("art", "art-pi", True, 5.0),))
    art = kiosk_view(room, "art")
    assert set(art.standing) == {"ann", "cy"}  # expected here (ann), checked in here (cy)
    assert art.last_visits == {"ann": (LastVisit("art", 100.0, "stuck"),)}  # bo was never at art
    assert art.pairings == ()
    maths = kiosk_view(room, "maths")
    assert set(maths.standing) == {"cy"}
    assert maths.last_visits == {}  # cy, theirs, never left maths; ann's maths visit is not maths' business now
