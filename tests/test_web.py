"""The teacher's web companion on real parts: the hub, the broker, uvicorn serving the app, an HTTP client for
what must be refused, and Debian's Chromium (driven by Playwright) for what a teacher does."""
import datetime
import os
import threading
import time
import tty

import httpx
import pytest
import uvicorn

from hub.display_link import DisplayLink
from kiosk.core import KioskCore
from kiosk.scanners import SerialScanner
from rotation.broker import free_port
from shared.protocol import Command
from tests.conftest import card, eventually
from web.accounts import Accounts
from web.app import make_app

PASSWORD = "correct horse battery"


class Server:
    """The app under uvicorn on a free loopback port, in a thread, until the test ends."""

    def __init__(self, room, tmp_path) -> None:
        self.accounts = Accounts(tmp_path / "teachers.db")
        self.accounts.add("jlee", PASSWORD)
        self.link = DisplayLink(room, account="web")
        self.link.start()
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(make_app(room, self.link, self.accounts, secure=False),
                                                    host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        eventually(lambda: self.server.started, 10, "the web companion to listen")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.link.stop()
        self.accounts.close()


@pytest.fixture
def web(room, hub, tmp_path):
    server = Server(room, tmp_path)
    eventually(lambda: server.link.state is not None, message="the web companion to know the room")
    yield server
    server.stop()


def logged_in(web) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=web.url)
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    answer = client.post("/login", data={"csrf": csrf, "name": "jlee", "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    room = client.get("/")
    csrf = room.text.split('name="csrf" value="')[1].split('"')[0]
    return client, csrf


def test_nothing_is_served_before_login(web):
    with httpx.Client(base_url=web.url) as client:
        page = client.get("/", headers={"accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login"
        for method, path in (("GET", "/map"), ("GET", "/events"), ("POST", "/logout"), ("POST", "/help/h1/answer")):
            refused = client.request(method, path)
            assert refused.status_code == 401, (method, path)
            assert "Maya" not in refused.text
        login = client.get("/login")
        assert login.status_code == 200 and "Maya" not in login.text
        assert login.headers["cache-control"] == "no-store"


def test_the_session_cookie_is_private_and_nothing_is_cached(web):
    client = httpx.Client(base_url=web.url)
    csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    answer = client.post("/login", data={"csrf": csrf, "name": "jlee", "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("rotation_session=") and "httponly" in cookie and "samesite=strict" in cookie
    assert "max-age=36000" in cookie  # a login lasts [web] session_hours
    room = client.get("/")
    assert room.status_code == 200 and "Maya R." in room.text
    assert room.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in room.headers["content-security-policy"]
    client.close()


def test_a_change_without_its_csrf_token_is_refused(web, hub):
    hub.handle_event("tech", __import__("shared.protocol", fromlist=["Event"]).Event(
        id="h1", kind="help", card=None, station="tech", at=hub.now(), seq=1, kiosk_time=hub.now()))
    eventually(lambda: web.link.state and web.link.state.help, message="the call at the web companion")
    client, csrf = logged_in(web)
    assert client.post("/help/h1/answer", data={}).status_code == 403
    assert client.post("/help/h1/answer", data={"csrf": "forged"}).status_code == 403
    assert len(hub.room.help) == 1
    assert client.post("/help/h1/answer", data={"csrf": csrf}).status_code == 303
    eventually(lambda: hub.room.help == [], message="the call answered")
    client.close()


def test_five_wrong_passwords_lock_the_name_out_even_with_the_right_one_and_across_a_restart(web, tmp_path):
    with httpx.Client(base_url=web.url) as client:
        for attempt in range(5):
            csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
            wrong = client.post("/login", data={"csrf": csrf, "name": "jlee", "password": f"guess {attempt}"})
            assert wrong.status_code in (401, 403)
        csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        right = client.post("/login", data={"csrf": csrf, "name": "jlee", "password": PASSWORD})
        assert right.status_code == 403 and "Too many wrong passwords: try again in 1 min" in right.text
    again = Accounts(tmp_path / "teachers.db")
    try:
        assert not again.log_in("jlee", PASSWORD, time.time()).ok  # still locked after a restart
        assert again.log_in("jlee", PASSWORD, time.time() + 61).ok
    finally:
        again.close()


def test_a_guesser_trying_many_names_keeps_only_the_newest_lock_outs_of_names_nobody_has(tmp_path):
    accounts = Accounts(tmp_path / "teachers.db")
    accounts.unknown_kept = 3
    try:
        accounts.add("jlee", PASSWORD)
        accounts.log_in("jlee", "wrong", 100.0)
        for number in range(6):
            accounts.log_in(f"guess{number}", "wrong", 200.0 + number)
        kept = {row[0] for row in accounts.file.conn.execute("SELECT name FROM lockouts")}
        assert kept == {"jlee", "guess3", "guess4", "guess5"}  # a teacher's own count is never dropped
    finally:
        accounts.close()


def test_a_teacher_logs_in_on_a_phone_sees_a_scanned_student_appear_and_answers_a_help_call(
        web, hub, room, tmp_path, chromium):
    master, slave = os.openpty()
    tty.setraw(slave)
    kiosk = KioskCore(room, "tech", tmp_path / "outbox.db")
    scanner = SerialScanner(os.ttyname(slave), 9600, kiosk.scan, kiosk.unreadable, line_timeout=0.3)
    kiosk.start()
    scanner.start()
    try:
        page = chromium.new_page(viewport={"width": 360, "height": 740})
        page.goto(web.url + "/")
        assert page.url.endswith("/login")
        page.get_by_label("Name").fill("jlee")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(web.url + "/")
        page.get_by_role("button", name="Start").click()  # the class's preset, as on the board
        page.get_by_role("button", name="Pause").wait_for(timeout=5000)
        assert hub.room.clock.round == 1
        running = hub.room.snapshot(time.time()).running_class()
        assert running is not None  # which class it is, on the phone as on the wall
        page.get_by_text(f"{running.name} · Round 1 of {hub.room.clock.rounds}").wait_for(timeout=5000)
        eventually(lambda: kiosk.online and kiosk.state and kiosk.state.clock.round == 1, message="the kiosk")
        os.write(master, card("s04").encode() + b"\r\n")  # Noah at the tech station, on the scanner's wire
        page.locator('.tile[data-station="tech"] li[data-student="s04"]').wait_for(timeout=5000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        kiosk.ask_help(card("s04"))
        answered = page.get_by_role("button", name="Answered")
        answered.wait_for(timeout=5000)
        assert answered.bounding_box()["height"] >= 44
        answered.click()
        eventually(lambda: hub.room.help == [], message="the call answered from the phone")
        page.get_by_text("Help: nobody waiting").wait_for(timeout=5000)
        page.screenshot(path=str(tmp_path / "web-phone.png"))
        page.get_by_role("link", name="Noah W.").click()  # a note in two taps: the name, then a tag
        page.get_by_role("button", name="reading").click()
        page.get_by_role("status").wait_for(timeout=5000)
        assert page.get_by_role("status").inner_text().lower().startswith("note saved for noah w.")
        eventually(lambda: hub.store.db.execute("SELECT data FROM events WHERE kind = 'conference' AND student = "
                                                "'s04'").fetchone(), message="the note at the hub")
    finally:
        scanner.stop()
        kiosk.stop()
        for fd in (master, slave):
            os.close(fd)


def test_rotation_teacher_add_makes_an_account_and_says_what_a_password_needs(room, monkeypatch, capsys):
    import io

    from rotation.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["teacher", "add", "jlee", "--config", str(room.path)]) == 2
    assert capsys.readouterr().err == "rotation: a password has at least 10 characters\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["teacher", "add", "jlee", "--config", str(room.path)]) == 0
    assert capsys.readouterr().out.startswith("jlee may now log in at the web companion")
    accounts = Accounts(room.web.accounts)
    try:
        assert accounts.names() == ["jlee"] and accounts.log_in("jlee", PASSWORD, time.time()).ok
        stored = accounts.file.conn.execute("SELECT password_hash FROM teachers").fetchone()[0]
        assert stored.startswith("scrypt$32768$8$1$") and PASSWORD not in stored
    finally:
        accounts.close()
    assert oct(room.web.accounts.stat().st_mode & 0o777) == "0o600"


def test_the_lesson_is_run_from_the_phone_with_the_boards_buttons(web, hub):
    client, csrf = logged_in(web)
    assert client.post("/lesson/pause", data={"csrf": csrf}).status_code == 303
    assert "the session has not started" in client.get("/").text  # the hub's answer, shown once
    assert client.post("/lesson/start", data={"csrf": csrf, "class": "class"}).status_code == 303
    eventually(lambda: hub.room.clock.round == 1, message="the lesson to start")
    client.post("/lesson/pause", data={"csrf": csrf})
    eventually(lambda: not hub.room.clock.running, message="the pause")
    eventually(lambda: "Resume" in client.get("/").text, message="Resume offered")
    client.post("/lesson/end", data={"csrf": csrf})
    eventually(lambda: hub.room.clock.closing_at is not None, message="the last tickets")
    client.post("/lesson/end-now", data={"csrf": csrf})
    eventually(lambda: hub.room.clock.round == 0, message="the end")
    assert client.post("/lesson/explode", data={"csrf": csrf}).status_code == 404
    assert client.post("/lesson/next", data={}).status_code == 403
    client.close()


def test_a_students_page_and_notes_are_behind_the_login_and_their_token(web, hub):
    with httpx.Client(base_url=web.url) as anonymous:
        assert anonymous.get("/student/s04").status_code == 401
        assert anonymous.post("/student/s04/note", data={"tag": "reading"}).status_code == 401
    client, csrf = logged_in(web)
    page = client.get("/student/s04")
    assert page.status_code == 200 and "Noah W." in page.text and "needs support" in page.text
    assert client.get("/student/nobody").status_code == 404
    assert client.post("/student/s04/note", data={"tag": "reading"}).status_code == 403
    assert client.post("/student/s04/note", data={"csrf": csrf, "tag": "needs support"}).status_code == 303
    eventually(lambda: hub.store.db.execute("SELECT data FROM events WHERE kind = 'conference'").fetchone(),
               message="the note at the hub")
    data = hub.store.db.execute("SELECT data FROM events WHERE kind = 'conference'").fetchone()[0]
    assert data == '{"tags": ["needs support"], "text": ""}'
    client.close()


def test_the_teacher_sets_a_students_language_and_large_text_for_the_kiosk(web, hub):
    from shared.protocol import Needs

    client, csrf = logged_in(web)
    page = client.get("/student/s04").text
    assert "Español" in page and "Українська" in page and "The room's (English)" in page
    assert client.post("/student/s04/needs", data={"language": "es", "large_text": "on"}).status_code == 403
    answer = client.post("/student/s04/needs", data={"csrf": csrf, "language": "es", "large_text": "on",
                                                     "speech": "on"})
    assert answer.status_code == 303
    wanted = Needs("es", large_text=True, speech=True)
    eventually(lambda: hub.room.snapshot(0.0).students["s04"].needs == wanted, message="the state to carry it")
    students = hub.store.class_students(hub.room.class_id, datetime.date.today())
    assert [s.needs for s in students if s.id == "s04"] == [wanted]
    page = client.get("/student/s04").text
    assert '<option value="es" selected>' in page and 'name="large_text" checked' in page
    client.post("/student/s04/needs", data={"csrf": csrf, "language": "", "speech": ""})  # all back to the room's
    eventually(lambda: hub.room.snapshot(0.0).students["s04"].needs is None, message="the room's way again")
    client.close()


def a_lesson_with_tickets(hub) -> None:
    """A lesson that ran and ended: Noah stuck at the tech station, Liam there and getting there."""
    from shared.protocol import Event

    hub.handle_command(Command("c1", "start", "test"))
    for seq, (student, kind, data) in enumerate([("s04", "checkin", {}), ("s02", "checkin", {}),
                                                ("s04", "goal", {"goal": "Try something hard"}),
                                                ("s04", "exit_ticket", {"how": "stuck", "next": "Something harder"}),
                                                ("s02", "exit_ticket", {"how": "getting_there"})], start=1):
        hub.handle_event("tech", Event(id=f"e{seq}", kind=kind, card=card(student), station="tech", at=hub.now(),
                                       seq=seq, kiosk_time=hub.now(), data=data or None))
    hub.handle_command(Command("c2", "end", "test"))


def test_reports_tomorrow_and_their_downloads_plan_from_the_lesson_that_ended(web, hub):
    a_lesson_with_tickets(hub)
    client, csrf = logged_in(web)
    with httpx.Client(base_url=web.url) as anonymous:
        for path in ("/reports", "/tomorrow", "/tomorrow.pdf", "/groups", "/roster"):
            assert anonymous.get(path).status_code == 401, path
    lessons = client.get("/reports")
    assert lessons.status_code == 200 and lessons.headers["cache-control"] == "no-store"
    key = lessons.text.split('href="/reports/')[1].split('"')[0]
    report = client.get(f"/reports/{key}")
    assert 'role="img" aria-label="Exit tickets at each station"' in report.text and "Noah W." in report.text
    stations = client.get(f"/reports/{key}/stations.csv")
    assert stations.headers["content-disposition"].startswith("attachment")
    assert stations.text.splitlines()[0] == "station,students,minutes,got it,getting there,stuck,help calls"
    assert any(line.startswith("Tech Station,2,") and line.endswith(",0,1,1,0") for line in stations.text.splitlines())
    tomorrow = client.get("/tomorrow").text
    assert "<b>Noah W.</b> at Tech Station: would like “Something harder” next" in tomorrow
    assert "“Try something hard”, ended with stuck" in tomorrow
    assert "(last ticket: stuck)" in tomorrow  # Noah's reason in tomorrow's groups
    pdf = client.get("/tomorrow.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Noah W. at Tech Station" in text and "Never checked in" in text and "Groups for tomorrow" in text
    student = client.get("/student/s04").text  # his last lessons, on his page
    assert "<title>Noah W. · " in student and "Tech Station: exit ticket: stuck (next: Something harder)" in student
    client.close()


def test_groups_are_suggested_with_reasons_moved_by_tap_and_applied_from_the_next_round(web, hub):
    hub.handle_command(Command("c1", "start", "test"))
    client, csrf = logged_in(web)
    page = client.post("/groups/suggest", data={"csrf": csrf, "strategy": "readiness", "count": "4"},
                       follow_redirects=True).text
    assert "Suggested: readiness groups" in page and "level" in page
    mover = page.split('href="/groups?pick=')[1].split('"')[0]
    picked = client.get(f"/groups?pick={mover}").text
    offered = [g.split('"')[0] for g in picked.split('name="group" value="')[1:]]
    target = next(g for g in offered if g != hub.room.students[mover].group)
    client.post("/groups/move", data={"csrf": csrf, "student": mover, "group": target})
    assert "moved by you" in client.get("/groups").text
    applied = client.post("/groups/apply", data={"csrf": csrf, "when": "round"}, follow_redirects=True).text
    assert "groups set from round 2" in applied, applied[applied.index("<main>"):][:700]
    assert hub.room.students[mover].group != target  # not yet: this round's groups stay
    hub.handle_command(Command("c2", "next", "test"))
    eventually(lambda: hub.room.students[mover].group == target, message="the groups from the next round")
    client.close()


def test_the_roster_marks_absent_and_a_new_card_opens_as_a_pdf_and_retires_the_old(web, hub):
    hub.handle_command(Command("c1", "start", "test"))
    client, csrf = logged_in(web)
    roster = client.get("/roster").text
    assert "Noah W." in roster and 'aria-label="Mark Noah W. absent"' in roster
    client.post("/roster/s04/attendance", data={"csrf": csrf, "mark": "absent"})
    eventually(lambda: hub.room.attendance.get("s04") == "absent", message="Noah absent")
    card_pdf = client.post("/roster/s04/card", data={"csrf": csrf}, follow_redirects=True)
    assert card_pdf.headers["content-type"] == "application/pdf"
    assert "Noah W." in pdf_text(card_pdf.content)
    assert hub.room.card_versions["s04"] == 2  # the lost card, version 1, no longer checks anyone in
    assert client.get(str(card_pdf.url)).status_code == 200 and hub.room.card_versions["s04"] == 2  # a reload
    assert "<title>Roster · " in client.get("/roster").text
    client.close()


def pdf_text(content: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    texts = []
    try:
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return "\n".join(texts)


def test_after_school_on_a_laptop_the_teacher_regroups_opens_tomorrow_and_prints_it(web, hub, chromium, tmp_path):
    a_lesson_with_tickets(hub)
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(web.url + "/login")
    page.get_by_label("Name").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(web.url + "/")
    page.get_by_role("link", name="Tomorrow").click()
    page.get_by_text("Noah W. at Tech Station: would like “Something harder” next").wait_for(timeout=5000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(tmp_path / "web-tomorrow.png"), full_page=True)
    printed = page.context.request.get(web.url + page.get_by_role("link", name="Print (PDF)").get_attribute("href"))
    assert printed.headers["content-type"] == "application/pdf"
    assert "Noah W. at Tech Station" in pdf_text(printed.body())
    page.get_by_role("button", name="Move and apply these groups").click()
    page.wait_for_url(web.url + "/groups")
    first = page.locator(".group li a").first
    name = first.inner_text()
    first.click()  # a name, then the group it goes to
    page.get_by_role("button", name=f"Move {name} here").first.click()
    page.get_by_text("moved by you").wait_for(timeout=5000)
    page.get_by_role("button", name="Use these groups: now").click()
    page.get_by_role("status").wait_for(timeout=5000)
    assert "groups set" in page.get_by_role("status").inner_text()
    moved = next(sid for sid, s in hub.room.students.items() if s.display_name == name)
    assert page.locator(f'a[href="/groups?pick={moved}"]').count() == 1
    for button in page.get_by_role("button").all():
        box = button.bounding_box()
        assert box is None or box["height"] >= 44, button.inner_text()


def test_the_live_map_is_sent_whole_then_the_clock_each_second_and_only_the_tile_a_check_in_changed(web, hub):
    import json

    from shared.protocol import Event

    hub.handle_command(Command("c1", "start", "test"))
    client, csrf = logged_in(web)
    with client.stream("GET", "/events", timeout=10) as events:
        lines = events.iter_lines()

        def next_event() -> tuple[str, str]:
            name, data = "", []
            for line in lines:
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and name:
                    return name, "\n".join(data)
            raise AssertionError("the stream ended")

        name, whole = next_event()
        assert name == "map" and 'id="tile-tech"' in whole and 'id="tile-reading-nook"' in whole
        started = time.monotonic()
        name, data = next_event()  # the clock counts down on the page, as on the wall
        assert name == "parts" and list(json.loads(data)) == ["map-clock"] and time.monotonic() - started < 1.5
        hub.handle_event("tech", Event(id="e1", kind="checkin", card=card("s04"), station="tech", at=hub.now(),
                                       seq=1, kiosk_time=hub.now()))
        while True:
            name, data = next_event()
            assert name == "parts"
            parts = json.loads(data)
            if "tile-tech" in parts:
                break
        assert 'data-student="s04"' in parts["tile-tech"] and "tile-reading-nook" not in parts
    client.close()


def test_a_new_student_is_added_from_the_roster_page_and_their_card_opens_to_print(web, hub):
    import html

    client, csrf = logged_in(web)
    refused = client.post("/roster/add", data={"csrf": csrf, "first_name": "Amara", "last_name": "Okafor",
                                               "group": "no-such-group"}, follow_redirects=True)
    assert "no group 'no-such-group' in this class" in html.unescape(refused.text)
    group = next(iter(hub.room.groups))
    added = client.post("/roster/add", data={"csrf": csrf, "first_name": "Amara", "last_name": "Okafor",
                                             "group": group}, follow_redirects=True)
    assert added.headers["content-type"] == "application/pdf" and "Amara O." in pdf_text(added.content)
    student = next(sid for sid, s in hub.room.students.items() if s.first_name == "Amara")
    assert hub.room.students[student].group == group and hub.room.card_versions[student] == 1
    assert "Amara O." in client.get("/roster").text
    client.close()


CHECK_PAGE = """() => {
  const problems = [];
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((c) => { c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgb(getComputedStyle(e).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = element.getBoundingClientRect();
    if (!own || box.width === 0 || getComputedStyle(element).visibility === "hidden") continue;
    const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${element.textContent.trim().slice(0, 40)}`);
  }
  for (const control of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!control.labels || control.labels.length === 0) problems.push(`no label: ${control.name}`);
  }
  for (const target of document.querySelectorAll("button, a, select, input:not([type=hidden])")) {
    const box = target.getBoundingClientRect();
    const inline = target.closest("p, dd");  // a link in a sentence may be the sentence's height
    if (box.width && box.height < 44 && !inline) problems.push(`small: ${target.textContent.trim()}`);
    if (target.matches("button, a") && !(target.getAttribute("aria-label") || target.textContent.trim()))
      problems.push("a button or link with no name");
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push("scrolls sideways");
  return problems;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_every_page_reads_on_a_phone_and_a_laptop_contrast_labels_targets_and_no_sideways_scroll(
        web, hub, chromium, width):
    a_lesson_with_tickets(hub)
    page = chromium.new_page(viewport={"width": width, "height": 800})
    page.goto(web.url + "/login")
    assert page.evaluate(CHECK_PAGE) == []
    page.get_by_label("Name").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(web.url + "/")
    key = page.evaluate("fetch('/reports').then(r => r.text())").split('href="/reports/')[1].split('"')[0]
    for path in ("/", "/student/s04", "/groups", "/groups?pick=s04", "/roster", "/reports", f"/reports/{key}",
                 "/tomorrow", "/goals"):
        page.goto(web.url + path)
        page.wait_for_timeout(200)  # the live map's first push
        problems = page.evaluate(CHECK_PAGE)
        assert problems == [], (path, problems)


def test_on_my_way_from_the_phone_shows_on_both_maps_and_survives_a_hub_restart_until_answered(web, hub, room):
    from shared.protocol import Event

    hub.handle_event("tech", Event(id="h1", kind="help", card=card("s04"), station="tech", at=hub.now(), seq=1,
                                   kiosk_time=hub.now()))
    eventually(lambda: web.link.map.help, message="the call at the web companion")
    client, csrf = logged_in(web)
    assert "On my way" in client.get("/").text
    assert client.post("/help/h1/coming", data={"csrf": csrf}).status_code == 303
    eventually(lambda: web.link.map.help and web.link.map.help[0].coming, message="on the way, on the map")
    page = client.get("/").text
    assert "Noah W. · on the way" in page and "On my way" not in page
    from hub.display import help_text
    assert help_text(web.link.map.help[0]).endswith("· on the way")  # the wall map's words
    assert hub.store.load_help()[0].coming  # kept through a restart
    assert client.post("/help/h1/answer", data={"csrf": csrf}).status_code == 303
    eventually(lambda: not web.link.map.help, message="the call answered")
    client.close()


def phone_logged_in(web, chromium):
    """Chromium on a 360 px phone, logged in as the teacher, on the live map."""
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(web.url + "/login")
    page.get_by_label("Name").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(web.url + "/")
    return page


def test_the_teacher_turns_peer_suggestions_on_keeps_a_student_out_and_sees_peer_help(web, hub, chromium, tmp_path):
    from shared.protocol import Event, PeerHelp

    page = phone_logged_in(web, chromium)
    page.goto(web.url + "/roster")
    page.get_by_role("heading", name="Classmates who can help: off").wait_for(timeout=5000)
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Classmates who can help: on").wait_for(timeout=5000)
    page.get_by_role("button", name="Never suggest Maya R. to help").click()
    page.get_by_role("button", name="Let Maya R. be suggested to help").wait_for(timeout=5000)
    assert hub.room.peer_help == PeerHelp(on=True, excluded=("s01",))
    assert hub.store.peer_help(hub.room.class_id) == PeerHelp(on=True, excluded=("s01",))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.screenshot(path=str(tmp_path / "web-roster-peers.png"), full_page=True)

    hub.handle_command(Command("c1", "start", "teacher"))
    now = hub.now()
    hub.handle_event("reading-nook", Event(id="h1", kind="help", card=card("s05"), station="reading-nook", at=now,
                                           seq=1, kiosk_time=now, data={"peer": "s02", "taken": True}))
    page.goto(web.url + "/")
    page.get_by_text("Liam C. suggested · asked").wait_for(timeout=5000)  # the help list on the live map
    eventually(lambda: hub.store.peer_help_calls("s05"), message="the call stored")
    page.goto(web.url + "/student/s05")
    peer_help = page.get_by_role("region", name="Help from classmates")
    assert "Got: 1 suggestion, asked 1" in peer_help.inner_text()
    assert "Reading Nook: Liam C. suggested · asked" in peer_help.inner_text()
    page.goto(web.url + "/student/s02")
    assert "Gave: suggested 1 time, asked 1" in page.get_by_role("region", name="Help from classmates").inner_text()
    assert "suggested to Sofia R. · asked" in page.get_by_role("region", name="Help from classmates").inner_text()
