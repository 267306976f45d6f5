"""Goals at the teacher's table, through a real browser (Chromium), the web companion, the hub and the kiosk
screen: a goal of the student's own set in the browser is the one the kiosk shows; the room's goal list edited
in the browser is what the kiosk offers; goals over time and closing one on the student's page."""
import pytest

from tests.conftest import card, eventually, pump
from tests.test_goals import NOOK, lesson_with, nook_kiosk, tap
from tests.test_web import PASSWORD, Server


@pytest.fixture
def teacher(room, hub, tmp_path, chromium):
    """The teacher logged in to the web companion on a laptop."""
    server = Server(room, tmp_path)
    eventually(lambda: server.link.state is not None, message="the web companion to know the room")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server.url + "/login")
    page.get_by_label("Name").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server.url + "/")
    yield page, server
    server.stop()


def clear_goals(page) -> None:
    for field in page.locator("input[id^=words-]").all():
        field.fill("")


def test_a_goal_of_the_students_own_set_in_the_browser_is_shown_at_the_kiosk_and_closed_there_too(
        teacher, hub, room, kivy_window, tmp_path):
    page, server = teacher
    with nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
        page.goto(server.url + "/student/s05")
        page.get_by_label("A goal of their own").fill("Read to my brother")
        page.get_by_label("Picture").select_option("menu_book")
        page.get_by_role("button", name="Set this goal").click()
        page.get_by_text("Sofia R.'s goal is saved").wait_for(timeout=5000)
        assert hub.store.open_goals()["s05"].whose == "own"

        lesson_with(hub, core, "s05", NOOK)
        core.scan(card("s05"))
        pump(lambda: screen.outcome == "ask:choice", message="the check-in")
        assert screen.goal == "Your goal: Read to my brother"
        tap(screen, "Read a book")
        pump(lambda: screen.outcome == "thanks", message="no goal question: their own stands")

        page.goto(server.url + "/student/s05")
        assert "Read to my brother" in page.locator(".standing").inner_text()
        page.get_by_role("button", name="Dropped").click()
        page.get_by_text("Sofia R.'s goal is closed (dropped)").wait_for(timeout=5000)
        assert "No goal now" in page.locator("section.goal").inner_text()
        over_time = page.locator(".goals-over-time").inner_text()
        assert "Read to my brother" in over_time and "their own, with the teacher" in over_time
        assert "dropped" in over_time
        eventually(lambda: "s05" not in core.state.standing, message="the kiosk told the goal is dropped")
        page.screenshot(path=str(tmp_path / "student-goals.png"), full_page=True)


def test_the_rooms_goal_list_edited_in_the_browser_is_what_the_kiosk_offers(teacher, hub, room, kivy_window,
                                                                            tmp_path):
    page, server = teacher
    with nook_kiosk(room, kivy_window, tmp_path) as (screen, core, later):
        page.goto(server.url + "/goals")
        # the room file's goals, in the words the kiosks' catalogs have for them
        assert [page.locator(f"#words-0-{language}").input_value() for language in ("en", "es", "uk")] == [
            "Finish what I start", "Terminar lo que empiezo", "Закінчити розпочате"]
        clear_goals(page)
        page.locator("#picture-0").select_option("calculate")
        page.locator("#words-0-en").fill("Learn my times tables")
        page.locator("#words-0-es").fill("Aprender las tablas")
        page.locator("#words-0-uk").fill("Вивчити таблицю множення")
        page.locator("#words-1-en").fill("Read aloud")
        page.get_by_role("button", name="Save the goals").click()
        refusal = page.locator("[role=alert].error")
        refusal.wait_for(timeout=5000)  # an error, not a notice of success
        assert refusal.inner_text().startswith("Goal 2 “Read aloud” needs its words in Spanish, Ukrainian too")
        assert page.locator(".notice").count() == 0
        assert core.state.goals[0] == "Finish what I start"  # nothing changed: the list was not whole
        # What the teacher typed is still in the form: only the missing words are left to write.
        assert [page.locator(f"#words-{i}-en").input_value() for i in (0, 1)] == ["Learn my times tables",
                                                                                  "Read aloud"]
        assert page.locator("#picture-0").input_value() == "calculate"
        page.screenshot(path=str(tmp_path / "room-goals-refused.png"), full_page=True)
        page.locator("#words-1-es").fill("Leer en voz alta")
        page.locator("#words-1-uk").fill("Learn my times tables")
        page.locator("#words-1-en").fill("Learn my times tables")
        page.get_by_role("button", name="Save the goals").click()  # the hub refuses two goals of the same words
        refusal.wait_for(timeout=5000)
        assert refusal.inner_text().startswith("Two goals have the same words")
        assert page.locator("#words-1-es").input_value() == "Leer en voz alta"
        page.locator("#words-1-en").fill("Read aloud")
        page.locator("#words-1-uk").fill("Читати вголос")
        page.get_by_role("button", name="Save the goals").click()
        page.wait_for_load_state()
        assert page.locator(".notice").inner_text() == "the room's 2 goals are saved"
        eventually(lambda: core.state.goals == ("Learn my times tables", "Read aloud"),
                   message="the kiosk offered the teacher's goals")
        assert core.state.goal_pictures[0] == "calculate"
        page.screenshot(path=str(tmp_path / "room-goals.png"), full_page=True)

        lesson_with(hub, core, "s05", NOOK)
        core.scan(card("s05"))
        pump(lambda: screen.outcome == "ask:choice", message="the check-in")
        tap(screen, "Read a book")
        pump(lambda: screen.outcome == "ask:goal", message="the goal question")
        assert [b.text.rsplit("\n", 1)[-1] for b in reversed(screen.ids.choices.children)][:2] == [
            "Learn my times tables", "Read aloud"]
