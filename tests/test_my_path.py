""""My path" through the real kiosk, hub and broker: a student sees their own lessons, and nobody else's."""
import time

from edge.pictures import glyph
from hub.kiosk_limit import KioskLimit
from kiosk.path_panel import PathPanel, StationCell
from kiosk.path_view import GOAL_MET_PICTURE, NOTHING_YET
from shared.protocol import PathReply, PathRequest, decode, encode
from shared.topics import Topics
from tests.conftest import card, eventually, press, pump
from tests.mqtt_client import TestClient
from tests.path_history import add_past_lessons


def on_screen_path(screen) -> PathPanel | None:
    return next((w for w in screen.children if isinstance(w, PathPanel)), None)


def texts(panel: PathPanel) -> list[str]:
    """Every word and picture the panel draws, in its labels' own markup."""
    return [w.text for w in panel.walk() if hasattr(w, "text") and w.text]


def scanned(core, screen, student: str, title: str) -> None:
    core._last_scan = ("", 0.0)
    core.scan(card(student))
    pump(lambda: screen.title == title and screen.can_open_path, message=f"{title} with My path")


def open_path(presenter, screen) -> PathPanel:
    press(lambda: screen.ids.my_path)
    pump(lambda: on_screen_path(screen) is not None, message="My path on screen")
    return on_screen_path(screen)


def test_a_student_with_history_taps_my_path_and_sees_their_stations_and_tickets(nook, hub, tmp_path):
    screen, core, presenter, _ = nook
    add_past_lessons(hub.store, "s05", 30, time.time(), goal="Try a new strategy", met=True)
    add_past_lessons(hub.store, "s10", 2, time.time() - 3600)  # Lucas's: never shown to Sofia
    scanned(core, screen, "s05", "Hi Sofia R.")
    pump(lambda: presenter.path_panel is not None, message="Sofia's path built before her tap")
    panel = open_path(presenter, screen)
    assert panel is presenter.path_panel and panel.title == "Sofia R., here is your path"
    pump(lambda: all(c.texture_size[0] for c in panel.walk() if hasattr(c, "texture_size") and c.text))
    lines = panel.ids.lessons.children[::-1]
    assert [line.when for line in lines] == ["Yesterday", "2 days ago", "3 days ago", "4 days ago"]  # what fits
    assert [line.in_full for line in lines] == [True, False, False, False]  # the ones before in pictures
    older = [c for c in lines[1].ids.cells.children[::-1] if isinstance(c, StationCell)]
    pictures = ("check_circle", "trending_up", "help")
    assert [c.ticket_text.count(glyph(p)) for c, p in zip(older, pictures, strict=True)] == [1, 1, 1]
    assert glyph("computer") in older[1].station_text and "Tech" not in older[1].station_text
    cells = [c for c in lines[0].ids.cells.children[::-1] if isinstance(c, StationCell)]
    assert ["Independent Practice" in c.station_text for c in cells] == [True, False, False]
    assert ["Tech Station" in cells[1].station_text, "Reading Nook" in cells[2].station_text] == [True, True]
    assert "Worksheet" in cells[0].station_text and glyph("edit") in cells[0].station_text
    assert [c.ticket_text.split("[/font] ")[1].split("\n")[0] for c in cells] == ["Got it!", "Getting there",
                                                                                 "I'm stuck"]
    assert glyph("check_circle") in cells[0].ticket_text and "More of this" in cells[0].ticket_text
    assert list(cells[0].ticket_colour) == [0.16, 0.55, 0.22, 1]
    assert "Goal met: Try a new strategy" in lines[0].goal and lines[0].goal_met
    assert "Goals met: Try a new strategy" in panel.goals_met and glyph(GOAL_MET_PICTURE) in panel.goals_met
    assert not any("Lucas" in t for t in texts(panel))
    panel.export_to_png(str(tmp_path / "my-path.png"))
    press(lambda: panel.ids.close)
    pump(lambda: on_screen_path(screen) is None and screen.ids.main.parent is screen, message="the path closed")


def test_the_next_scan_closes_the_path_and_the_next_student_never_sees_it(nook, hub):
    screen, core, presenter, _ = nook
    add_past_lessons(hub.store, "s05", 3, time.time())
    scanned(core, screen, "s05", "Hi Sofia R.")
    pump(lambda: presenter.path_panel is not None, message="Sofia's path")
    open_path(presenter, screen)
    core.scan(card("s10"))  # Sofia's path closes at once; her question is back, and Lucas is next
    pump(lambda: on_screen_path(screen) is None and screen.notice == "Lucas S., you're next", message="Lucas in line")
    assert (screen.title, screen.outcome) == ("Hi Sofia R.", "ask:choice")
    presenter.answer(None)  # Sofia is done with the question: Lucas's turn
    pump(lambda: screen.title == "Hi Lucas S." and screen.can_open_path, message="Lucas's greeting")
    press(lambda: screen.ids.my_path)
    pump(lambda: on_screen_path(screen) is not None, message="Lucas's path")
    panel = on_screen_path(screen)
    assert panel.title == "Lucas S., here is your path"
    pump(lambda: on_screen_path(screen).detail == "Your path starts here: come back after your first lesson!",
         message="Lucas's own (empty) path")
    assert not on_screen_path(screen).ids.lessons.children


def test_a_path_answered_for_one_student_is_never_shown_to_the_next(nook, hub, room):
    """Sofia's answer comes after Lucas scanned: dropped. So is an answer naming another student."""
    screen, core, presenter, _ = nook
    add_past_lessons(hub.store, "s05", 3, time.time())
    core.forget_path()
    scanned(core, screen, "s10", "Hi Lucas S.")
    request_for_lucas = core._path_asked[1]
    topics = Topics(room.room_id)
    sofia = TestClient(room.broker.port, topics.path("reading-nook"))
    try:  # the hub's real answer for Sofia's card, then delivered late to the kiosk, and once as if for Lucas
        sofia.publish(topics.path_request("reading-nook"), encode(PathRequest(id="late", card=card("s05"))))
        late = eventually(lambda: next((decode("path", m.payload) for m in sofia.messages
                                        if b'"late"' in m.payload), None), message="the hub's answer for Sofia")
        assert late.student == "s05" and late.lessons
        sofia.publish(topics.path("reading-nook"), encode(late))
        sofia.publish(topics.path("reading-nook"), encode(PathReply(id=request_for_lucas, student="s05",
                                                                    lessons=late.lessons)))
        press(lambda: screen.ids.my_path)
        pump(lambda: on_screen_path(screen) is not None and on_screen_path(screen).detail == NOTHING_YET,
             message="Lucas's own answer")
        assert not on_screen_path(screen).ids.lessons.children
        assert core.path_of("s10").student == "s10"
    finally:
        sofia.close()


def test_a_forged_or_revoked_card_gets_no_path(hub, room):
    add_past_lessons(hub.store, "s05", 3, time.time())
    topics = Topics(room.room_id)
    client = TestClient(room.broker.port, topics.path("reading-nook"))
    stored = hub.store.event_count()
    try:
        hub.reissue_card("s05")
        for request_id, token in (("forged", card("s05", key=b"a key that is not the hub's, 32B")),
                                  ("revoked", card("s05", 1)), ("current", card("s05", 2))):
            client.publish(topics.path_request("reading-nook"), encode(PathRequest(id=request_id, card=token)))
        replies = eventually(lambda: len(client.messages) == 3 and
                             {r.id: r for r in (decode("path", m.payload) for m in client.messages)},
                             message="three answers")
        assert (replies["forged"].refused, replies["forged"].lessons) == ("forged card", ())
        assert (replies["revoked"].refused, replies["revoked"].lessons) == ("revoked card", ())
        assert replies["current"].refused is None and len(replies["current"].lessons) == 3
        assert hub.store.event_count() == stored  # asking is no event: nothing is stored
    finally:
        client.close()


def test_my_path_closes_by_itself_after_a_while_without_a_tap(nook, hub):
    screen, core, presenter, _ = nook
    scanned(core, screen, "s05", "Hi Sofia R.")
    open_path(presenter, screen)
    pump(lambda: on_screen_path(screen).detail == NOTHING_YET, message="her (empty) path")
    presenter.my_path._touched_at -= 29  # a tap a second before the end keeps it open
    press(lambda: on_screen_path(screen))
    pump(lambda: presenter.my_path._touched_at > time.monotonic() - 5, message="the tap counted")
    asked = screen.outcome
    assert asked.startswith("ask:")  # her question waits under the path
    presenter.view._asked_at -= 31  # she looked at her path for longer than an unanswered question stays
    presenter.view._shown_at -= 31
    presenter.my_path._touched_at -= 31
    pump(lambda: on_screen_path(screen) is None, message="the path to close by itself")
    assert screen.ids.main.parent is screen
    assert screen.outcome == asked and "Sofia R." in screen.title  # back to her question, not to "Show your card"


def test_path_requests_count_against_the_kiosks_rate(hub, room):
    topics = Topics(room.room_id)
    client = TestClient(room.broker.port, topics.path("reading-nook"))
    try:
        limit = hub.kiosk_limit = KioskLimit(rate=0.001, burst=2)
        for n in range(4):
            client.publish(topics.path_request("reading-nook"), encode(PathRequest(id=f"r{n}", card=card("s05"))))
        eventually(lambda: len(client.messages) == 2 and limit.dropped == 2,
                   message="the first two answered, the last two dropped")
        hub.kiosk_limit = KioskLimit(rate=100, burst=10)
        client.publish(topics.path_request("reading-nook"), encode(PathRequest(id="after", card=card("s05"))))
        eventually(lambda: any(b'"after"' in m.payload for m in client.messages), message="the answer after")
        assert [decode("path", m.payload).id for m in client.messages] == ["r0", "r1", "after"]
        assert hub.store.event_count() == 0
    finally:
        client.close()


def test_the_exit_ticket_just_given_is_on_my_path_when_the_student_opens_it(nook, hub, tmp_path):
    from tests.test_goals import answer_the_exit_ticket, check_in_with_a_goal, scan

    screen, core, presenter, later = nook
    check_in_with_a_goal(hub, screen, core, later, "s05", "Listen to a story", "Help a friend")
    eventually(lambda: "s05" in core.state.presence and "s05" in core.state.standing, message="the check-in")
    scan(core, later, "s05", minutes_later=2)  # leaving: her path is asked for now, before her exit ticket
    answer_the_exit_ticket(screen, "Got it!", "Closer", "Something harder")
    pump(lambda: screen.can_open_path, message="My path after the exit ticket")
    panel = open_path(presenter, screen)
    pump(lambda: (cells := [c for line in on_screen_path(screen).ids.lessons.children
                            for c in line.ids.cells.children if isinstance(c, StationCell)])
         and "Got it!" in cells[-1].ticket_text and "Something harder" in cells[-1].ticket_text,
         message="today's visit with the ticket just given")
    panel = on_screen_path(screen)
    assert [line.when for line in panel.ids.lessons.children[::-1]] == ["Today"]
    panel.export_to_png(str(tmp_path / "my-path-after-ticket.png"))
