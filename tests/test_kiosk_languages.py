"""Every kiosk word in every language: the catalogs are complete, and every screen, drawn at 800x480 in each
language, has a glyph for every letter and no word wider than the button or line it is in."""
import datetime
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from kivy.core.text import Label as CoreLabel
from kivy.resources import resource_find
from kivy.uix.label import Label

from kiosk.app import ICON_FONT, KioskPresenter, KioskScreen
from kiosk.core import KioskCore
from kiosk.decide import FORGED, REVOKED, SCANNER_SET_UP_WRONG, UNKNOWN, UNREADABLE, Decision, going_out, thanks
from kiosk.moves import Move
from kiosk.path_view import MyPath, PathOwner
from kiosk.prompts import NEXT_OPTIONS, TICKET_OPTIONS, Option, Prompt
from kiosk.view import STATUS, KioskView
from kiosk.words import CATALOGS, LOCALE_DIR, catalog_path, teacher_words, words
from shared.config import DEFAULT_GOALS, load_config
from shared.languages import LANGUAGES, SOURCE_LANGUAGE
from shared.pictures import DEFAULT_GOAL_PICTURES, NEXT_PICTURES
from shared.protocol import Needs, PathLesson, PathReply, PathVisit
from tests.conftest import free_port, pin_verifier, pump, write_room

ROOT = Path(__file__).parent.parent
KEYWORDS = {"N_": None, "say": None, "count": (1, 2)}  # as scripts/translations.sh extracts them
LONG_NAME = "Maximiliano W."  # a long first name and initial
STATION = "Collaborative Project"


TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def extracted(catalog: str) -> set[str | tuple[str, str]]:
    """The catalog's words in the code, as kiosk/locale/<catalog>.cfg says where: (singular, plural) or one."""
    with (LOCALE_DIR / f"{catalog}.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {message for _, _, message, _, _ in
            extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}


def words_in_code(catalog: str) -> set[str]:
    return {message if isinstance(message, str) else message[0] for message in extracted(catalog)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_kiosk_word_is_translated_with_its_placeholders(language, catalog):
    with catalog_path(language, catalog=catalog).open("rb") as po:
        entries = read_po(po, locale=language)
    translated = {}
    for message in entries:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and "fuzzy" not in message.flags:
            translated[key] = strings
            for text in strings:
                assert placeholders(text) == placeholders(key), f"{language}: {key!r} -> {text!r}"
    missing = sorted(words_in_code(catalog) - set(translated))
    assert not missing, f"{catalog_path(language, catalog=catalog)}: not translated (run scripts/translations.sh): " \
        f"{missing}"


@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_the_kiosk_reads_is_its_po_file_compiled(language, catalog):
    import gettext
    import io

    from babel.messages.mofile import write_mo

    with catalog_path(language, catalog=catalog).open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=language))
    compiled.seek(0)
    with catalog_path(language, True, catalog).open("rb") as mo:
        shipped = gettext.GNUTranslations(mo)
    assert shipped._catalog == gettext.GNUTranslations(compiled)._catalog, \
        f"{catalog_path(language, True, catalog)} is older than its .po file: run scripts/translations.sh"


def test_an_unknown_language_is_english_and_catalogs_are_where_the_kiosk_looks():
    assert words("xx").say("Hi {name}", name="Ana") == "Hi Ana"
    assert words("es").say("Hi {name}", name="Ana") == "Hola, Ana"
    assert words("uk").say("Hi {name}", name="Ана") == "Привіт, Ана"
    assert teacher_words("es").say("Teacher's PIN") == "PIN del docente"
    assert teacher_words("uk").count("Wrong PIN: {n} try left", "Wrong PIN: {n} tries left", 2) == \
        "Неправильний PIN: лишилося 2 спроби"
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(set(LANGUAGES) - {SOURCE_LANGUAGE})


def student(decision_outcome: str, title: str, detail: str, needs: Needs, **params) -> Decision:
    look = ("teal", "groups") if "station" in params else None
    return Decision(decision_outcome, title, detail, "s01", LONG_NAME, "card", tuple(params.items()), needs, look)


def prompt(kind: str, needs: Needs, options, skippable=False) -> Prompt:
    titles = {"choice": ("{name}, what will you do?", "What will you do? Tap one."),
              "goal": ("{name}, what is your goal?", "What is your goal? Tap one."),
              "exit_ticket": ("{name}, how did it go?", "How did it go?"),
              "next": ("What would you like next time?", "What would you like next time?")}[kind]
    return Prompt(kind, "card", "s01", LONG_NAME, *titles, tuple(options), skippable, needs=needs)


ACTIVITIES = [Option(a, p, a) for a, p in (("Read a book", "menu_book"), ("Listen to a story", "headphones"),
                                           ("Write a review", "edit"), ("Maths games", "calculate"))]
GOALS = [Option(g, p, g) for g, p in zip(DEFAULT_GOALS, DEFAULT_GOAL_PICTURES, strict=True)]
TICKETS = [Option(*o) for o in TICKET_OPTIONS]
NEXT = [Option(n, p, n) for n, p in zip(NEXT_OPTIONS, NEXT_PICTURES, strict=True)]


def screens(language: str, large_text: bool = False):
    """Every screen a student can see, as (name, view) in the language: the kiosk's own screens in the room's
    language and large text, and each student's in theirs."""
    needs = Needs(language, large_text)

    def view(**update) -> KioskView:
        v = KioskView("Reading Nook", language, large_text)
        v.update(0.0, update.pop("left", 600.0), True, True, **update)
        return v

    yield "idle", view()
    for phase in ("passing", "closing", "paused", "warning"):
        yield phase, view(phase=phase, moving=45.0, left=30.0)
    for name in STATUS:
        v = view(scanner_ok=name != "scanner", storage_full=name.startswith("storage"))
        kept_off = name if name in ("taken_over", "refused") else None  # kiosk/one_board.py: off the broker
        v.update(0.0, 600, name not in ("offline", "storage_alone") and not kept_off, name != "no_hub",
                 name != "scanner", storage_full=name.startswith("storage"),
                 scanner_set_up_wrong=name == "scanner_set_up", kept_off=kept_off)
        assert v.status == STATUS[name], name
        v.arrive(student("welcome", "Hi {name}", "You're in the right place.", needs), None, 0.0)
        yield f"status-{name}", v
    moves = view()
    moves._moves = [Move(LONG_NAME, STATION, n % 3 == 0) for n in range(8)]
    yield "moves", moves
    decisions = {
        "welcome": ("Hi {name}", "You're in the right place.", {}),
        "back": ("Welcome back, {name}", "You're checked in. Your group is at {station}.", {"station": STATION}),
        "elsewhere": ("{name}, your group is at {station}", "Please head over there now.", {"station": STATION}),
        "checked_in": ("You're checked in", "Thanks! Your teacher will see you here.", {}),
        "checkout": ("Bye {name}", "Thanks for your work here!", {}),
        "other_class": ("You're in {cls}", "This is {running}. Please ask your teacher.",
                        {"cls": "Period 3 Science", "running": "Period 2 Maths"}),
        "closing": ("Bye {name}", "The lesson is ending.", {}),
    }
    for outcome, (title, detail, params) in decisions.items():
        v = view()
        v.arrive(student(outcome if outcome != "closing" else "checkout", title, detail, needs, **params),
                 None, 0.0)
        yield outcome, v
    for name, decision in (("unreadable", UNREADABLE), ("forged", FORGED), ("unknown", UNKNOWN),
                           ("revoked", REVOKED), ("scanner", SCANNER_SET_UP_WRONG)):
        v = view()
        v.arrive(decision, None, 0.0)
        yield name, v
    for name, decision in (("thanks", thanks(LONG_NAME, "s01", "card", False, needs)),
                           ("goodbye", thanks(LONG_NAME, "s01", "card", True, needs)),
                           ("out", going_out(student("welcome", "", "", needs)))):
        v = view(help_waiting=True)
        v.arrive(decision, None, 0.0)
        yield name, v
    welcome = student("welcome", "Hi {name}", "You're in the right place.", needs)
    for kind, options, skippable in (("choice", ACTIVITIES, False), ("goal", GOALS, True),
                                     ("exit_ticket", TICKETS, False), ("next", NEXT, True)):
        v = view()
        v.arrive(welcome, prompt(kind, needs, options, skippable), 0.0)
        yield f"ask-{kind}-greeted", v
        after = view()
        after.arrive(welcome, prompt("choice", needs, ACTIVITIES), 0.0)
        after.answered(after.prompt, prompt(kind, needs, options, skippable), 0.0)
        after.arrive(Decision("welcome", "Hi {name}", "", "s02", LONG_NAME, "c2", (), needs),
                     prompt("choice", needs, ACTIVITIES), 0.0)
        after.arrive(Decision("welcome", "Hi {name}", "", "s03", LONG_NAME, "c3", (), needs),
                     prompt("choice", needs, ACTIVITIES), 0.0)
        yield f"ask-{kind}-in-line-undo", after
    noticed = view()
    noticed.arrive(welcome, prompt("goal", needs, GOALS, True), 0.0)
    noticed.arrive(Decision("elsewhere", "{name}, your group is at {station}", "Please head over there now.", "s02",
                            LONG_NAME, "c2", (("station", STATION),), needs, ("teal", "groups")), None, 0.0)
    yield "ask-goal-with-a-notice", noticed  # the most a screen holds: a question and a two-line notice


@pytest.fixture
def kiosk_screen(tmp_path, kivy_window):
    """The kiosk's screen, never connected: the test draws each screen on it."""
    core = KioskCore(load_config(write_room(tmp_path, free_port())), "reading-nook", tmp_path / "outbox.db")
    screen = KioskScreen(size=(800, 480))
    kivy_window.size = (800, 480)
    kivy_window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    presenter.close()  # drawn only by the test
    screen.teacher = True  # the widest bottom row
    yield screen, presenter
    core.outbox.close()


class Fonts:
    def __init__(self) -> None:
        self._maps: dict[str, set[int]] = {}

    def covers(self, font_name: str, text: str) -> set[str]:
        path = resource_find(font_name if font_name.endswith(".ttf") else f"{font_name}.ttf")
        if path not in self._maps:
            self._maps[path] = set(TTFont(path).getBestCmap())
        return {c for c in text if ord(c) not in self._maps[path] and not c.isspace()}


FONTS = Fonts()


def shown_labels(widget):
    if widget.opacity == 0 or widget.width <= 1 or widget.height <= 1:
        return
    if isinstance(widget, Label) and widget.text:
        yield widget
    for child in widget.children:
        yield from shown_labels(child)


def label_problems(root, tall_is_fine=()) -> list[str]:
    """Each label shown under root: a glyph for every letter, no word wider than its line, no text taller than
    the label (but in the labels of tall_is_fine, which scroll or shrink)."""
    found = []
    for label in shown_labels(root):
        room = (label.text_size[0] if label.text_size[0] else label.width) - 2
        font = label.font_name if label.font_name.endswith(".ttf") else \
            "Roboto-Bold" if label.bold else "Roboto-Regular"
        for raw in label.text.split("\n"):
            size = float(sized.group(1)) if label.markup and (sized := re.search(r"\[size=(\d+)\]", raw)) \
                else label.font_size
            plain, icons = raw, ""
            if label.markup:
                icons = "".join(re.findall(rf"\[font={re.escape(ICON_FONT)}\](?:\[size=\d+\])?(.*?)\[", raw))
                plain = re.sub(rf"\[font={re.escape(ICON_FONT)}\].*?\[/font\]", "", raw)
                plain = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", plain)
            if missing := FONTS.covers(font, plain) | FONTS.covers(ICON_FONT, icons):
                found.append(f"no glyph for {''.join(sorted(missing))!r} in {label.text!r}")
            for word in (plain.split() if label.text_size[0] else [plain]):
                measure = CoreLabel(text=word, font_size=size, bold=label.bold)
                measure.refresh()
                if measure.texture.width > room:
                    found.append(f"{word!r} is {measure.texture.width} px wide in {room:.0f} px: {label.text!r}")
        if label.texture_size[1] > label.height + 2 and label.parent not in tall_is_fine:
            found.append(f"{label.text!r} is {label.texture_size[1]} px tall in {label.height:.0f} px")
    return found


def problems(screen: KioskScreen) -> list[str]:
    found = label_problems(screen, tall_is_fine=[screen.ids.choices.parent])
    column = screen.children[0]
    below = [w for w in column.children if w.height > 0]
    if any(w.y < -1 for w in below) or any(w.top > screen.height + 1 for w in below):
        found.append("the screen's rows do not fit in 480 px: " + ", ".join(
            f"{type(w).__name__} {w.y:.0f}..{w.top:.0f}" for w in below))
    return found


@pytest.mark.parametrize("large_text", [False, True], ids=["usual", "large-text"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kiosk_screen_fits_and_has_every_glyph_in_every_language(kiosk_screen, language, large_text,
                                                                      tmp_path):
    from kivy.base import EventLoop

    screen, presenter = kiosk_screen
    trouble = {}
    for name, view in screens(language, large_text):
        presenter.draw(view.model())
        for _ in range(3):
            EventLoop.idle()
        assert view.model().language == language or language == SOURCE_LANGUAGE
        if found := problems(screen):
            screen.export_to_png(str(tmp_path / f"{language}-{name}.png"))
            trouble[name] = found
    assert not trouble, f"{language} (pictures in {tmp_path}): {trouble}"


LONGEST_PATH = tuple(PathLesson(1795430000.0 - days * 86400, tuple(
    PathVisit(station, name, "teal", "groups", "Listen to a story", "headphones", ticket, "Something different")
    for station, name, ticket in (("collaborative", STATION, "getting_there"), ("independent", "Independent Practice",
                                                                               "got_it"),
                                  ("tech", "Tech Station", "stuck"), ("reading-nook", "Reading Nook", "got_it"),
                                  ("teacher-table", "Teacher's Table", "getting_there"))),
    "Ask a friend before the teacher", True) for days in range(6))


@pytest.mark.parametrize("large_text", [False, True], ids=["usual", "large-text"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_my_path_fits_and_has_every_glyph_in_every_language(kivy_window, language, large_text, tmp_path):
    """The longest path a lesson shows (five stations, long names, every line filled), and each way it may not
    be there, in every language and size."""
    from kivy.base import EventLoop

    from kiosk.app import LARGE_TEXT
    from kiosk.path_panel import PathPanel

    owner = PathOwner("s01", LONG_NAME, Needs(language, large_text))
    today = datetime.date.fromtimestamp(1795430000.0)
    kivy_window.size = (800, 480)
    trouble = {}
    for name, reply, online in (("path", PathReply("r", "s01", LONGEST_PATH, ("Ask a friend before the teacher",
                                                                              "Finish my work")), True),
                                ("waiting", None, True), ("offline", None, False),
                                ("refused", PathReply("r", refused="revoked card"), True)):
        path = MyPath()
        path.open(owner, 0.0)
        model = path.model(reply, online, "en", today)
        panel = PathPanel(model, LARGE_TEXT if large_text else 1.0, size=(800, 480), size_hint=(None, None))
        kivy_window.add_widget(panel)
        for _ in range(3):
            EventLoop.idle()
        found = label_problems(panel)
        found += [f"{type(w).__name__} {w.y:.0f}..{w.top:.0f} is off the screen" for w in panel.walk()
                  if w.height > 0 and (w.y < -1 or w.top > 481)]
        if found:
            panel.export_to_png(str(tmp_path / f"{language}-{name}.png"))
            trouble[name] = found
        kivy_window.remove_widget(panel)
    assert not trouble, f"{language} (pictures in {tmp_path}): {trouble}"


def test_each_student_is_greeted_and_asked_in_their_own_language_and_the_kiosk_idles_in_the_rooms(
        room, hub, tmp_path, kivy_window):
    """Diego's roster row says Spanish, Olena's Ukrainian: each is greeted and asked in it; then English again."""
    from tests.conftest import card, kiosk_on_screen

    stations = {}
    for student in ("s18", "s26"):
        expected = hub.room.snapshot(0.0).expected_station(student)
        stations[student] = expected.id if expected else "reading-nook"
    with kiosk_on_screen(room, stations["s18"], kivy_window, tmp_path / "outbox.db") as (screen, core, presenter):
        pump(lambda: screen.title == "Show your card", message="the idle screen in English")
        core.scan(card("s18"))
        pump(lambda: screen.title == "Hola, Diego L.", message="Diego greeted in Spanish")
        assert "Toca un" in screen.detail  # his first question, in Spanish too
        assert (screen.help_label, screen.done_label) == ("Necesito ayuda", "Terminé")
        presenter.view.clear()  # he walked off
        pump(lambda: screen.title == "Show your card", message="back to English")
        core.scan(card("s26"))
        pump(lambda: screen.title.startswith(("Привіт, Olena K.", "Olena K., твоя група")),
             message="Olena greeted in Ukrainian")
        assert screen.help_label == "Потрібна допомога"


def teacher_screens(panel, access):
    """Every screen of the teacher's panel (the PIN pad, each thing a teacher may do, the note) and, in its
    message line, every message it can show, the longest way (a long station name, many check-ins)."""
    from kiosk.teacher_panel import OK
    from kiosk.words import TEACHER

    def typed(*keys: str) -> None:
        for key in keys:
            panel.press(key)
        pump(lambda: not panel.checking, message="the PIN checked")

    yield "pin", panel
    panel.press("1")
    panel.press(OK)
    yield "checking", panel
    pump(lambda: not panel.checking, message="the PIN checked")
    yield "wrong-pin", panel
    clock = [2_000_000.0]
    access.now = lambda: clock[0]
    for _ in range(5):
        typed(OK)
    yield "locked", panel
    access.gate.failures, access.gate.locked_until = 0, 0.0
    access.core.scanner_reads_at(921600)  # what the kiosk found wrong with itself is said on unlocking
    typed(*PIN, OK)
    assert panel.unlocked
    yield "unlocked", panel
    panel.show_stations()
    yield "stations", panel
    panel.show_broker()
    yield "hub-address", panel
    panel._offer_restart()
    yield "restart", panel
    panel._note_for("s01", LONG_NAME)
    yield "note", panel.note_popup
    panel.note_popup.save()  # nothing picked: it asks for a tag or words
    yield "note-empty", panel.note_popup
    panel.note_popup.dismiss()
    w = teacher_words(panel.w.language)
    long = {"station": STATION, "name": LONG_NAME, "address": "192.168.100.200:65535", "minutes": 60, "n": 88,
            "tags": 5, "characters": 500, "speed": 921600, "configured": 115200}
    for number, message in enumerate(sorted(extracted(TEACHER), key=str)):
        if isinstance(message, tuple):
            panel.message = w.count(*message, long["n"])
        else:
            panel.message = w.say(message, **{field: long[field] for field in placeholders(message)})
        yield f"message-{number}", panel


PIN = "246810"


@pytest.fixture
def teacher_panel(tmp_path, kivy_window):
    from kiosk.settings import settings_path
    from kiosk.teacher import TeacherAccess

    def open_panel(language: str):
        path = write_room(tmp_path, free_port())
        path.write_text(path.read_text().replace("[kiosk]\n", f'[kiosk]\nteacher_pin = "{pin_verifier(PIN)}"\n')
                        .replace("[room]\n", f'[room]\nlanguage = "{language}"\n'))
        core = KioskCore(load_config(path), "reading-nook", tmp_path / "outbox.db")
        opened.append(core)
        kivy_window.size = (800, 480)
        access = TeacherAccess(core, settings_path(core.outbox.file.path))
        from kiosk.teacher_panel import TeacherPanel

        panel = TeacherPanel(access)
        panel.open(animation=False)
        return panel, access

    opened = []
    yield open_panel
    for core in opened:
        core.outbox.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_teachers_screen_at_the_kiosk_is_in_the_rooms_language_and_fits(teacher_panel, language, tmp_path):
    from kivy.base import EventLoop

    from kiosk.words import TEACHER

    panel, access = teacher_panel(language)
    assert panel.title == teacher_words(language).say("Teacher")
    w = teacher_words(language)
    english = {message for message in words_in_code(TEACHER) if w.say(message) != message}  # said otherwise here
    trouble = {}
    for name, shown in teacher_screens(panel, access):
        for _ in range(3):
            EventLoop.idle()
        found = label_problems(shown)
        texts = [label.text for label in shown_labels(shown)] + [getattr(shown, "hint", "")]
        found += [f"left in English: {text!r}" for text in texts if text in english]
        found += [f"no glyph for {''.join(sorted(missing))!r} in {text!r}" for text in texts
                  if (missing := FONTS.covers("Roboto-Regular", text))]
        if found:
            shown.export_to_png(str(tmp_path / f"{language}-teacher-{name}.png"))
            trouble[name] = found
    panel.dismiss()
    assert not trouble, f"{language} (pictures in {tmp_path}): {trouble}"
