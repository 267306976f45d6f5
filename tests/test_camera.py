"""The camera as a scanner: photos of printed cards from `rotation cards` (turned, dim, blurred, far) read
back to the right student, and a camera stream hands each card on once, through a stand-in camera tool."""
import math
import queue
import random
import sys

import pypdfium2
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from hub.cards_pdf import CardFace, write_cards
from kiosk.camera import HEIGHT, WIDTH, CameraScanner, CameraSource, SeenCodes, camera_source, decode
from tests.conftest import card

STUDENT = "s05"


@pytest.fixture(scope="module")
def printed_card(tmp_path_factory) -> Image.Image:
    """The first card of a printed sheet, as a scanner of 200 dpi sees the paper."""
    out = tmp_path_factory.mktemp("cards") / "cards.pdf"
    write_cards([CardFace(STUDENT, "Sofia R.", "Room 12", card(STUDENT)),
                 CardFace("s02", "Liam C.", "Room 12", card("s02"))], out)
    document = pypdfium2.PdfDocument(str(out))
    page = document[0].render(scale=200 / 72).to_pil().convert("RGB")
    document.close()
    return page.crop((0, 0, page.width // 2, page.height // 4))


def photo(card_image: Image.Image, angle: float = 0, brightness: float = 1.0, blur: float = 0,
          size: float = 0.8, noise: int = 0, seed: int = 1) -> Image.Image:
    """The card held up to a 640x480 camera in front of a grey classroom wall."""
    wall = Image.new("RGB", (WIDTH, HEIGHT), (120, 118, 110))
    held = card_image.rotate(angle, expand=True, fillcolor=(120, 118, 110))
    scale = size * min(WIDTH / held.width, HEIGHT / held.height)
    held = held.resize((int(held.width * scale), int(held.height * scale)))
    wall.paste(held, ((WIDTH - held.width) // 2, (HEIGHT - held.height) // 2))
    picture = ImageEnhance.Brightness(wall).enhance(brightness)
    if blur:
        picture = picture.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        rng = random.Random(seed)
        pixels = picture.load()
        for _ in range(WIDTH * HEIGHT // 8):
            x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
            pixels[x, y] = tuple(max(0, min(255, c + rng.randint(-noise, noise))) for c in pixels[x, y])
    return picture


# Out of focus: a signed card's denser code takes 1.4 px of blur here, where the old cards' took 1.6.
@pytest.mark.parametrize("conditions", [
    {}, {"angle": 25}, {"angle": -60}, {"brightness": 0.35}, {"blur": 1.2}, {"size": 0.45},
    {"noise": 60}, {"angle": 12, "brightness": 0.5, "blur": 1.0, "noise": 30},
], ids=lambda c: ", ".join(f"{k} {v}" for k, v in c.items()) or "as printed")
def test_a_photo_of_a_printed_card_reads_back_to_its_student(printed_card, conditions):
    gray = photo(printed_card, **conditions).convert("L")
    assert decode(gray.tobytes(), WIDTH, HEIGHT) == [card(STUDENT)]


# The camera the kiosk reads at its own size: 640x480 across 62.2 degrees, the Pi Camera Module 2's field (a
# USB webcam's is much the same; the Camera Module 3 crops to 4:3, narrower, so it sees more of a card).
CAMERA_DEGREES = 62.2
PRINT_DPI = 600


def printed_at_600_dpi(token: str, tmp_path) -> Image.Image:
    """One card of a printed sheet, cut out along its edges, at 600 dpi."""
    from hub import cards_pdf

    out = tmp_path / "card.pdf"
    write_cards([CardFace("x", "Sofia R.", "Room 12", token)], out)
    document = pypdfium2.PdfDocument(str(out))
    page = document[0].render(scale=PRINT_DPI / 72).to_pil().convert("RGB")
    document.close()
    width, height = cards_pdf.PAPERS["a4"]
    left, top = (width - cards_pdf.COLUMNS * cards_pdf.CARD_W) / 2, (height - cards_pdf.ROWS * cards_pdf.CARD_H) / 2
    mm = PRINT_DPI / 25.4
    return page.crop((round(left * mm), round(top * mm), round((left + cards_pdf.CARD_W) * mm),
                      round((top + cards_pdf.CARD_H) * mm)))


def held_at(card_image: Image.Image, centimetres: float, blur: float = 0.7) -> Image.Image:
    """The card held facing the camera this far from it, a little out of focus (``blur``, in pixels)."""
    wall = Image.new("RGB", (WIDTH, HEIGHT), (120, 118, 110))
    pixels_a_mm = WIDTH / (2 * centimetres * 10 * math.tan(math.radians(CAMERA_DEGREES / 2)))
    scale = pixels_a_mm / (PRINT_DPI / 25.4)
    held = card_image.resize((round(card_image.width * scale), round(card_image.height * scale)), Image.LANCZOS)
    wall.paste(held, ((WIDTH - held.width) // 2, (HEIGHT - held.height) // 2))
    return wall.filter(ImageFilter.GaussianBlur(blur))


@pytest.mark.parametrize("student, version, centimetres", [
    ("s05", 1, 6), ("s05", 1, 12), ("s05", 1, 17),  # a sample roster's id: a version 5 code
    ("x" * 40, 999_999, 6), ("x" * 40, 999_999, 10), ("x" * 40, 999_999, 14),  # the longest token: version 7
])
def test_a_card_printed_at_34_mm_reads_from_a_hands_length(tmp_path, student, version, centimetres):
    """A 64-byte signature makes a denser code than the old cards' mac: still read, from close up to as far as
    a student holds a card out (the old cards read to 18.6 cm here)."""
    token = card(student, version)
    picture = held_at(printed_at_600_dpi(token, tmp_path), centimetres).convert("L")
    assert decode(picture.tobytes(), WIDTH, HEIGHT) == [token]


def test_a_photo_without_a_card_reads_nothing(printed_card):
    assert decode(Image.new("L", (WIDTH, HEIGHT), 90).tobytes(), WIDTH, HEIGHT) == []
    covered = photo(printed_card, blur=12).convert("L")  # far out of focus
    assert decode(covered.tobytes(), WIDTH, HEIGHT) == []


def test_a_card_held_up_is_one_scan_until_it_is_out_of_sight_for_a_moment():
    seen = SeenCodes(forget_seconds=1.5)
    assert seen.new(["A"], 0.0) == ["A"]
    assert seen.new(["A"], 0.1) == [] and seen.new(["A"], 1.0) == []
    assert seen.new([], 2.0) == []
    assert seen.new(["A", "B"], 2.6) == ["A", "B"]  # A was gone 1.6 s: shown again


def test_a_camera_stream_hands_on_each_card_once_and_says_when_the_camera_stops(printed_card, tmp_path):
    pictures = []
    for number, conditions in enumerate([{"angle": 10}, {"brightness": 0.5}]):
        path = tmp_path / f"photo-{number}.png"
        photo(printed_card, **conditions).save(path)
        pictures.append(str(path))
    other = tmp_path / "other.png"
    Image.new("RGB", (WIDTH, HEIGHT), (200, 200, 200)).save(other)
    texts, states = queue.Queue(), queue.Queue()
    source = CameraSource([sys.executable, "-m", "tests.camera_feed", "6", pictures[0], str(other), pictures[1]],
                          WIDTH * HEIGHT)
    scanner = CameraScanner(source, texts.put, states.put)
    scanner.start()
    try:
        assert states.get(timeout=10) is True
        assert texts.get(timeout=10) == card(STUDENT)
        assert states.get(timeout=10) is False  # the stream ended: the camera is gone
    finally:
        scanner.stop()
    assert texts.empty()  # shown again within a moment: the same scan


def test_the_pi_camera_and_a_webcam_have_their_tools():
    pi = camera_source("pi")
    assert pi.command[0] == "rpicam-vid" and pi.frame_bytes == WIDTH * HEIGHT * 3 // 2
    webcam = camera_source("/dev/video0")
    assert webcam.command[:2] == ["ffmpeg", "-loglevel"] and "/dev/video0" in webcam.command
    assert webcam.frame_bytes == WIDTH * HEIGHT


def test_a_kiosk_with_a_camera_greets_the_student_who_holds_up_a_printed_card(room, hub, printed_card, tmp_path,
                                                                                  kivy_window):
    from kiosk.app import KioskPresenter, KioskScreen
    from kiosk.core import KioskCore
    from tests.conftest import eventually, pump

    path = tmp_path / "held-up.png"
    photo(printed_card, angle=-15, brightness=0.6).save(path)
    core = KioskCore(room, "reading-nook", tmp_path / "outbox.db")
    screen = KioskScreen(size=(800, 480))
    kivy_window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    core.start()
    eventually(lambda: core.state is not None, 10, "the kiosk to know the room")
    camera = CameraScanner(CameraSource([sys.executable, "-m", "tests.camera_feed", "8", str(path)], WIDTH * HEIGHT),
                           core.scan)
    presenter.watch_scanner(camera)
    camera.start()
    try:
        pump(lambda: screen.title == "Hi Sofia R.", message="the kiosk to greet Sofia")
        eventually(lambda: STUDENT in hub.room.presence, 5, "Sofia on the map")
        pump(lambda: "scanner is not connected" in screen.status, message="the kiosk to say the camera is gone")
    finally:
        camera.stop()
        presenter.close()
        core.stop()
