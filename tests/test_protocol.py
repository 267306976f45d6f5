import json

import msgspec
import pytest

from shared.protocol import Event, ExtendArgs, ProtocolError, State, command_args, decode, encode
from shared.topics import Topics

TOPICS = Topics("room-12")


def event_payload(**changes) -> bytes:
    body = {"v": 1, "id": "e1", "kind": "checkin", "card": "RS1:s01:1:AAAA", "station": "tech", "at": 10.0,
            "seq": 1, "kiosk_time": 9.0}
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


def test_an_event_round_trips():
    event = decode("kiosk_event", event_payload())
    assert event == Event(id="e1", kind="checkin", card="RS1:s01:1:AAAA", station="tech", at=10.0, seq=1,
                          kiosk_time=9.0)
    assert decode("kiosk_event", encode(event)) == event


@pytest.mark.parametrize("payload, reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "Expected `object`, got `array`"),
    (event_payload(v=...), "no 'v'"),
    (event_payload(v=2), "unsupported protocol version \\(this is 1\\): 2"),
    (event_payload(kind="dance"), "Invalid enum value 'dance' - at `\\$.kind`"),
    (event_payload(seq=-1), "Expected `int` >= 0 - at `\\$.seq`"),
    (event_payload(seq=True), "Expected `int`, got `bool` - at `\\$.seq`"),
    (event_payload(at="noon"), "Expected `float`, got `str` - at `\\$.at`"),
    (event_payload(id=""), "Expected `str` of length >= 1 - at `\\$.id`"),
    (event_payload(card=["x"]), "got `array` - at `\\$.card`"),
    (event_payload(station=...), "missing required field `station`"),
    (event_payload(data=[1]), "Expected `object`, got `array` - at `\\$.data`"),
    (event_payload(card=...), "only a call for help may come without a card, not 'checkin' - at `\\$.card`"),
    (event_payload(kind="choice", data={"activity": "x" * 25}), "length <= 24 - at `\\$.data.activity`"),
    (event_payload(kind="exit_ticket", data={"how": "meh"}), "Invalid enum value 'meh' - at `\\$.data.how`"),
    (event_payload(kind="exit_ticket", data={}), "missing required field `how` - at `\\$.data`"),
    (event_payload(kind="exit_ticket", data={"how": "stuck", "goal": "maybe"}),
     "Invalid enum value 'maybe' - at `\\$.data.goal`"),
    (event_payload(kind="exit_ticket", data={"how": "stuck", "next": 5}),
     "Expected `str | null`, got `int` - at `\\$.data.next`"),
    (event_payload(kind="goal", data={}), "missing required field `goal` - at `\\$.data`"),
    (event_payload(kind="goal", data={"goal": ""}), "length >= 1 - at `\\$.data.goal`"),
    (event_payload(kind="goal", data={"goal": ["x"]}), "Expected `str`, got `array` - at `\\$.data.goal`"),
    (event_payload(kind="conference", data={"text": " "}), "a note needs tags or some text.* - at `\\$.data`"),
    (event_payload(kind="conference", card=..., data={"text": "x"}),
     "a conference note comes with a student and a proof .* - at `\\$.proof`"),
    (event_payload(kind="conference", card=..., student="s01", data={"text": "x"}), "at `\\$.proof`"),
    (event_payload(kind="conference", student="s01", proof="AAAA", data={"text": "x"}),
     "a student and a proof come together, and only on a conference note without a card"),
    (event_payload(student="s01", proof="AAAA"), "only on a conference note without a card"),
    (b'{"v": 1, "id": "' + b"x" * 9000 + b'"}', "over the 8192-byte limit"),
    (b"[" * 100000 + b"]" * 100000, "over the"),
])
def test_malformed_events_are_refused_with_the_reason(payload, reason):
    with pytest.raises(ProtocolError, match=reason):
        decode("kiosk_event", payload)


def test_a_goal_and_an_exit_ticket_are_taken_as_the_kiosk_sent_them():
    goal = decode("kiosk_event", event_payload(kind="goal", data={"goal": "Help a friend"}))
    assert goal.data == {"goal": "Help a friend"}
    ticket = decode("kiosk_event", event_payload(kind="exit_ticket", data={"how": "stuck", "next": "More of this",
                                                                           "goal": "met"}))
    assert ticket.data == {"how": "stuck", "next": "More of this", "goal": "met"}


def test_deeply_nested_json_is_refused_not_a_crash():
    with pytest.raises(ProtocolError):
        decode("state", b"[" * 50000 + b"]" * 50000)


def test_a_state_decodes_and_knows_where_a_group_is_expected():
    state = decode("state", json.dumps({
        "v": 1, "seq": 3, "hub_time": 100.0,
        "clock": {"round": 1, "rounds": 2, "duration": 60, "running": True, "ends_at": 160.0, "left": None},
        "stations": [{"id": "tech", "name": "Tech", "kind": "tech", "kiosk": True, "groups": ["g1"]},
                     {"id": "read", "name": "Read", "kind": "reading", "kiosk": True, "groups": []}],
        "groups": [{"id": "g1", "name": "G1", "members": ["s1"]}],
        "students": {"s1": {"name": "Maya R.", "card": 1, "group": "g1"}},
        "presence": {"s1": {"station": "read", "at": 99.0}},
    }).encode())
    assert isinstance(state, State)
    assert state.expected_station("s1").id == "tech"
    assert state.presence["s1"].station == "read"
    assert state.expected_station("nobody") is None


def test_topics_parse_and_refuse_what_is_not_ours():
    named = [(TOPICS.kiosk_event("tech"), ("kiosk_event", "tech")),
             (TOPICS.kiosk_status("tech"), ("kiosk_status", "tech")),
             (TOPICS.path_request("tech"), ("path_request", "tech")), (TOPICS.path("tech"), ("path", "tech")),
             (TOPICS.ack("tech"), ("ack", "tech")), (TOPICS.view("tech"), ("view", "tech")),
             (TOPICS.pick_answer("tech"), ("pick_answer", "tech")), (TOPICS.reply("web-1"), ("reply", "web-1")),
             (TOPICS.hub_status, ("hub_status", None)), (TOPICS.hub_claim, ("hub_claim", None)),
             (TOPICS.command, ("command", None)), (TOPICS.state, ("state", None)),
             (TOPICS.presence, ("presence", None))]
    for topic, parsed in named:
        assert TOPICS.parse(topic) == parsed, topic
    assert TOPICS.kiosk_event("tech") == "rotation/v1/room-12/kiosk/tech/event"
    for topic in ("rotation/v1/room-12/kiosk/Tech!/event", "rotation/v1/other/state", "rotation/v1/room-12/x",
                  "rotation/v1/room-12/kiosk/tech/dance", "rotation/v1/room-12/hub/ack/Tech!",
                  "rotation/v1/room-12/hub/reply/a b", "rotation/v1/room-12/state/more",
                  "rotation/v1/room-12/kiosk/-x/path", "rotation/v1/room-12/hub/view/" + "x" * 41):
        with pytest.raises(ValueError):
            TOPICS.parse(topic)
    with pytest.raises(ValueError, match="room id 'Room 12' must be 1-40 of a-z"):
        Topics("Room 12")


def test_a_pairing_request_topic_names_its_asker_and_no_other_topic_does():
    from shared.topics import pair_reply_topic, pair_request_topic, pairing_asker

    assert pairing_asker(pair_request_topic("k7f2")) == "k7f2"
    assert pair_reply_topic("k7f2") == "rotation/v1/pair/k7f2/reply"
    for topic in (pair_reply_topic("k7f2"), "rotation/v1/pair/K7!/request", "rotation/v2/pair/k7f2/request",
                  "rotation/v1/pair/k7f2/request/x", TOPICS.state):
        assert pairing_asker(topic) is None, topic


def test_a_decode_error_names_the_field_deep_inside_a_message():
    body = json.loads(json.dumps({"v": 1, "seq": 3, "hub_time": 100.0,
                                  "clock": {"round": 1, "rounds": 2, "duration": 60, "running": True},
                                  "stations": [], "groups": [], "students": {},
                                  "presence": {"s1": {"station": "read", "at": 99.0}}}))
    assert decode("state", json.dumps(body).encode()).clock.ends_at is None  # optional fields may be absent
    body["presence"]["s1"]["at"] = "noon"
    with pytest.raises(ProtocolError, match=r"Expected `float`, got `str` - at `\$.presence\[...\].at`"):
        decode("state", json.dumps(body).encode())
    body["presence"]["s1"]["at"] = 99.0
    body["stations"] = [{"id": "read", "name": "Read", "kind": "reading", "kiosk": "yes", "groups": []}]
    with pytest.raises(ProtocolError, match=r"got `str` - at `\$.stations\[0\].kiosk`"):
        decode("state", json.dumps(body).encode())


def test_a_command_is_read_as_its_action_declares_and_refused_naming_the_field():
    extend = decode("command", b'{"v":1,"id":"c1","action":"extend","client":"display-1","args":{"minutes":90}}')
    with pytest.raises(ProtocolError, match=r"Expected `float` <= 60.0 - at `\$.args.minutes`"):
        command_args(extend, ExtendArgs)
    assert command_args(msgspec.structs.replace(extend, args={}), ExtendArgs).minutes == 1
    with pytest.raises(ProtocolError, match=r"Invalid enum value 'dance' - at `\$.action`"):
        decode("command", b'{"v":1,"id":"c1","action":"dance","client":"display-1"}')


def test_a_refused_events_id_and_seq_are_read_to_answer_it_when_they_can_be():
    from shared.protocol import event_reference

    assert event_reference(event_payload(kind="dance", seq=4)) == ("e1", 4)
    assert event_reference(event_payload(kind="dance", seq="four")) == ("e1", None)
    assert event_reference(event_payload(kind="dance", seq=True)) == ("e1", None)  # a bool is no seq
    assert event_reference(event_payload(kind="dance", seq=...)) == ("e1", None)
    assert event_reference(event_payload(v=2)) is None  # a newer kiosk's: it waits for a newer hub
    assert event_reference(event_payload(id="")) is None
    assert event_reference(b"{not json") is None
    assert event_reference(b"[" * 100000 + b"]" * 100000) is None


def test_a_teachers_note_is_checked_and_signed_over_everything_the_hub_stores_of_it():
    from shared.protocol import NOTE_CLAIM, conference_note, note_claim

    assert conference_note(["reading"], "  Read two chapters  ") == {"tags": ["reading"], "text": "Read two chapters"}
    with pytest.raises(ProtocolError, match="a note needs tags or some text"):
        conference_note([], " ")
    with pytest.raises(ProtocolError, match="at `\\$.tags`"):
        conference_note("reading", "x")
    note = Event(id="n1", kind="conference", card=None, station="tech", at=12.5, seq=3, kiosk_time=12.0,
                 data={"tags": ["reading"], "text": "Read"}, student="s01", proof="AAAA")
    claim = json.loads(note_claim("room-12", note))
    assert claim == [NOTE_CLAIM, "room-12", "n1", "tech", "s01", 12.5, ["reading"], "Read"]
    other = msgspec.structs.replace(note, data={"tags": ["reading"], "text": "Read more"})
    assert note_claim("room-12", other) != note_claim("room-12", note)
    assert note_claim("room-13", note) != note_claim("room-12", note)


def test_a_checkout_by_the_student_is_told_from_one_the_hub_recorded_and_a_choice_round_waits_for_its_pickers():
    from shared.protocol import ChoiceRound, by_student

    assert by_student({"by": "student"}) and not by_student({}) and not by_student({"by": "teacher"})
    choice = ChoiceRound(2, 100.0, allowed={"a": ("x",), "b": ("x",)}, going={"b": "x"})
    assert choice.waiting("a", 99.0) and not choice.waiting("b", 99.0) and not choice.waiting("c", 99.0)
    assert not choice.waiting("a", 100.0) and choice.open(99.9) and not choice.open(100.0)


def test_a_payload_may_be_as_long_as_its_limit_and_the_refusals_of_the_decoder_say_why_exactly():
    at_the_limit = event_payload()
    at_the_limit += b" " * (8192 - len(at_the_limit))
    assert decode("kiosk_event", at_the_limit).id == "e1"
    assert decode("command", json.dumps({"v": 1, "id": "c1", "action": "next", "client": "t",
                                         "args": {}, "pad": "x" * 20_000}).encode()).id == "c1"  # its own limit
    deep = b'{"v": 1, "id": "e1", "data": {"x": ' + b"[" * 4000 + b"]" * 4000 + b"}}"
    for kind, payload, reason in [("kiosk_event", deep, "not JSON: nested too deeply"),
                                  ("dance", b"{}", "no message is defined for 'dance'"),
                                  ("kiosk_event", b'{"id": "e1"}', "payload has no 'v' (protocol version)"),
                                  ("kiosk_event", b'{"v": 0, "id": "e1"}',
                                   "unsupported protocol version (this is 1): 0"),
                                  ("kiosk_event", event_payload(v=3), "unsupported protocol version (this is 1): 3")]:
        with pytest.raises(ProtocolError) as refused:
            decode(kind, payload)
        assert str(refused.value) == reason


def test_a_signed_teachers_note_is_taken_trimmed_and_a_proof_alone_is_refused():
    note = decode("kiosk_event", event_payload(kind="conference", card=..., student="s01", proof="AAAA",
                                               data={"tags": ["reading"], "text": "  Read two chapters "}))
    assert (note.student, note.proof, note.data) == ("s01", "AAAA", {"tags": ["reading"], "text": "Read two chapters"})
    with pytest.raises(ProtocolError) as refused:
        decode("kiosk_event", event_payload(kind="conference", card=..., proof="AAAA", data={"text": "x"}))
    assert str(refused.value) == ("a student and a proof come together, and only on a conference note without a "
                                  "card - at `$.proof`")


def test_a_call_for_help_with_a_suggestion_it_cannot_read_is_taken_without_it():
    call = decode("kiosk_event", event_payload(kind="help", card=..., data={"peer": 5}))
    default = decode("kiosk_event", event_payload(kind="help", card=...))
    assert call.kind == "help" and call.data == default.data


def test_a_student_of_the_running_class_or_of_none_has_no_other_class():
    from shared.protocol import ClassEntry

    state = decode("state", json.dumps({"v": 1, "seq": 1, "hub_time": 0.0, "clock": {
        "round": 0, "rounds": 2, "duration": 60, "running": False, "ends_at": None, "left": None},
        "stations": [], "groups": [], "students": {}, "presence": {}}).encode())
    state = msgspec.structs.replace(state, class_id="p1", classes=(
        ClassEntry("p1", "Period 1", students=("s01",)), ClassEntry("p2", "Period 2", students=("s02", "s01"))))
    assert state.other_class_of("s02").id == "p2"
    assert state.other_class_of("s01").id == "p2"  # in the running class, and in another too
    assert state.other_class_of("s03") is None
    only_running = msgspec.structs.replace(state, classes=state.classes[:1])
    assert only_running.other_class_of("s01") is None
