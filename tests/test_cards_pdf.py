"""Printed cards scan back to the right student: the PDF is rendered as a printer would and the QR codes
read with a real decoder; reprinting a card revokes the old one at the hub and its kiosks. Names print in
every script a school has: read back from the PDF's text and seen as ink on the rendered page."""
import dataclasses
import functools
import itertools
import unicodedata

import numpy
import pypdfium2
import pytest
import uharfbuzz
import zxingcpp

from hub import cards_pdf
from hub.cards_pdf import CardFace, FontsMissing, UnprintableName, write_cards
from hub.roster_source import read_roster
from rotation.cli import main
from shared.cards import verify_token
from shared.palette import PALETTE, group_colour
from tests.conftest import CARD_KEYS, SAMPLE, card


def read_page(pdf_path, page_number: int, dpi: int = 150) -> tuple[list[str], str]:
    """The QR texts found on a rendered page, and the page's text."""
    document = pypdfium2.PdfDocument(str(pdf_path))
    page = document[page_number]
    image = page.render(scale=dpi / 72).to_pil()
    text = page.get_textpage().get_text_range()
    codes = [result.text for result in zxingcpp.read_barcodes(image)]
    document.close()
    return codes, text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_card_on_the_page_scans_to_its_student_with_the_name_printed_under_it(room, tmp_path, paper,
                                                                                      capsys):
    out = tmp_path / f"cards-{paper}.pdf"
    assert main(["cards", "--config", str(room.path), "--paper", paper, "--out", str(out)]) == 0
    assert f"wrote 28 cards on 3 {paper.upper()} pages" in capsys.readouterr().out
    document = pypdfium2.PdfDocument(str(out))
    width, height = document[0].get_size()
    document.close()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == {"a4": (210, 297), "letter": (216, 279)}[paper]
    codes, text = read_page(out, 0)
    roster = read_roster(SAMPLE / "roster.csv")[0].people  # cards come in the order of the names, to hand out
    by_name = [p.sis_id for p in sorted(roster, key=lambda p: (f"{p.first_name} {p.last_name[:1]}.", p.sis_id))]
    assert sorted(verify_token(CARD_KEYS, code).student_id for code in codes) == sorted(by_name[:10])
    assert "Aisha O." in text and "Okafor" not in text  # first name and initial only, like everywhere else
    assert all("Aisha" not in code for code in codes)  # the code holds the signed token, never a name


def test_each_station_has_a_sign_in_its_colour_with_its_picture_and_its_activities(room, tmp_path, capsys):
    from shared.pictures import rgba

    out = tmp_path / "signs.pdf"
    assert main(["cards", "--config", str(room.path), "--stations", "--out", str(out)]) == 0
    assert "wrote a sign for each of the 5 stations, a landscape A4 page each" in capsys.readouterr().out
    document = pypdfium2.PdfDocument(str(out))
    try:
        tech = document[3]
        width, height = tech.get_size()
        assert width > height  # landscape, to stand on a table
        text = tech.get_textpage().get_text_range()
        assert "Tech Station" in text and "Typing game" in text
        image = numpy.asarray(tech.render(scale=1).to_pil().convert("RGB")).astype(int)
        band = image[: int(image.shape[0] * 0.6)]
        slate = numpy.array([round(c * 255) for c in rgba("slate")[:3]])
        assert (numpy.abs(band - slate).sum(axis=2) < 12).mean() > 0.5  # the station's colour, as on its kiosk
        white = (band.min(axis=2) > 240).mean()
        assert 0.02 < white < 0.3  # its picture (and name) in white on it
    finally:
        document.close()


def test_reprinting_a_card_revokes_the_old_one(room, hub, tmp_path, capsys):
    out = tmp_path / "new.pdf"
    assert main(["cards", "--config", str(room.path), "--student", "s05", "--reprint", "--out", str(out)]) == 0
    assert "new card 2 for Sofia R.; the old one no longer works" in capsys.readouterr().out
    (code,), _ = read_page(out, 0)
    assert code == card("s05", 2)
    assert not hub.room.check_card(verify_token(CARD_KEYS, card("s05", 1))).accepted
    assert hub.room.check_card(verify_token(CARD_KEYS, code)).accepted


def test_names_from_any_roster_print(tmp_path):
    out = tmp_path / "names.pdf"
    faces = [CardFace("s01", "Łukasz Ż.", "Klasa 4", card("s01")), CardFace("s02", "Zoë Ñ.", "Klasa 4", card("s02"))]
    assert write_cards(faces, out) == 1
    codes, text = read_page(out, 0)
    assert "Łukasz Ż." in text and "Zoë Ñ." in text and sorted(codes) == sorted([card("s01"), card("s02")])


DPI = 300
MM = DPI / 25.4  # pixels a millimetre
SCRIPTS = [  # (script, name): names read back exactly (see test_every_script_reads_back_from_the_pdf)
    ("Latin", "Anaïs Ø."), ("Cyrillic", "Дмитрий К."), ("Greek", "Γιώργος Π."), ("Chinese", "王小明"),
    ("Japanese", "田中 さくら"), ("Korean", "김민준"), ("Arabic", "سلمى ع."), ("Hebrew", "יעל כ."),
    ("Devanagari", "प्रिया श."),
]


class Page:
    """Page one of a card PDF, rendered at DPI, with its text; positions in millimetres from the top left."""

    def __init__(self, cards: list[CardFace], path, paper: str = "a4"):
        write_cards(cards, path, paper)
        document = pypdfium2.PdfDocument(str(path))
        self.paper = paper
        self.height = document[0].get_size()[1]
        self.image = document[0].render(scale=DPI / 72).to_pil().convert("RGB")
        self.textpage = document[0].get_textpage()

    def card(self, index: int) -> tuple[float, float]:
        """The top left corner of the card at ``index``."""
        width, height = cards_pdf.PAPERS[self.paper]
        x = (width - cards_pdf.COLUMNS * cards_pdf.CARD_W) / 2 + index % cards_pdf.COLUMNS * cards_pdf.CARD_W
        y = (height - cards_pdf.ROWS * cards_pdf.CARD_H) / 2 + index // cards_pdf.COLUMNS * cards_pdf.CARD_H
        return x, y

    def text_in(self, left: float, top: float, right: float, bottom: float) -> str:
        points = 72 / 25.4
        return self.textpage.get_text_bounded(left * points, self.height - bottom * points, right * points,
                                              self.height - top * points)

    def font_sizes(self, left: float, top: float, right: float, bottom: float) -> set[float]:
        """The sizes, in points, of the letters drawn in the area."""
        points = 72 / 25.4
        sizes = set()
        for index in range(self.textpage.count_chars()):
            x0, y0, x1, y1 = self.textpage.get_charbox(index)
            if x1 > x0 and left * points <= x0 and x1 <= right * points \
                    and self.height - bottom * points <= y0 and y1 <= self.height - top * points:
                sizes.add(round(pypdfium2.raw.FPDFText_GetFontSize(self.textpage.raw, index), 2))
        return sizes

    def pixels(self, left: float, top: float, right: float, bottom: float) -> numpy.ndarray:
        """The area's RGB pixels, rows by columns."""
        return numpy.asarray(self.image)[round(top * MM):round(bottom * MM), round(left * MM):round(right * MM)]

    def ink(self, left: float, top: float, right: float, bottom: float) -> set[tuple[int, int]]:
        """The dark pixels in the area, as (column, row) from its top left."""
        rows, columns = numpy.nonzero(self.pixels(left, top, right, bottom).mean(axis=2) < 128)
        return set(zip(columns.tolist(), rows.tolist(), strict=True))

    def name_area(self, index: int) -> tuple[float, float, float, float]:
        x, y = self.card(index)
        margin = (cards_pdf.CARD_W - cards_pdf.TEXT_W) / 2
        return x + margin, y + cards_pdf.NAME_Y, x + cards_pdf.CARD_W - margin, y + cards_pdf.CLASS_Y


@functools.cache
def harfbuzz_font(font: cards_pdf.Font) -> uharfbuzz.Font:
    return uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font.path)), font.face))


def shaped_width_mm(text: str, points: float = 14) -> float:
    """The advance of ``text`` shaped by HarfBuzz, in the font of its first letter and, for what that font lacks
    (Noto Sans Hebrew has no full stop), the first that has it: what the ink should span."""
    first = cards_pdf.font_for(text[0])
    width = 0.0
    runs = itertools.groupby(text, lambda char: first if harfbuzz_font(first).get_nominal_glyph(ord(char))
                             else cards_pdf.font_for(char))
    for font, chars in runs:
        buffer = uharfbuzz.Buffer()
        buffer.add_str("".join(chars))
        buffer.guess_segment_properties()
        uharfbuzz.shape(harfbuzz_font(font), buffer, {})
        width += sum(position.x_advance for position in buffer.glyph_positions) / harfbuzz_font(font).face.upem
    return width * points * 25.4 / 72


def components(pixels: set[tuple[int, int]]) -> int:
    """How many separate shapes the pixels make (touching across corners too)."""
    left, count = set(pixels), 0
    while left:
        count += 1
        todo = [left.pop()]
        while todo:
            x, y = todo.pop()
            for near in [(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]:
                if near in left:
                    left.remove(near)
                    todo.append(near)
    return count


@pytest.fixture(scope="module")
def scripts_page(tmp_path_factory):
    faces = [CardFace(f"s{i:02d}", name, "Period 3 · Math 7", card(f"s{i:02d}"), group="red-team",
                      colour=group_colour(i)) for i, (_, name) in enumerate(SCRIPTS)]
    return Page(faces, tmp_path_factory.mktemp("cards") / "scripts.pdf")


@pytest.mark.parametrize(("index", "name"), [(i, name) for i, (_, name) in enumerate(SCRIPTS)],
                         ids=[script for script, _ in SCRIPTS])
def test_every_script_reads_back_from_the_pdf(scripts_page, index, name):
    # pdfium gives back the letters the name was typed with (fpdf2 maps the first glyph of each shaped cluster
    # to its characters), in logical order even for Arabic and Hebrew drawn right to left: text drawn unshaped
    # and left to right, as before, reads back reversed. What is not exact: a Devanagari cluster of several
    # glyphs (प्रि) reads back with a control character for each further glyph, left unmapped (dropped here);
    # and a ligature in right-to-left text comes back reversed (lam-alef: "علاء" reads "عالء"), so no name here
    # has one.
    text = scripts_page.text_in(*scripts_page.name_area(index))
    assert "".join(char for char in text if unicodedata.category(char) != "Cc") == name


@pytest.mark.parametrize(("index", "name"), [(i, name) for i, (_, name) in enumerate(SCRIPTS)],
                         ids=[script for script, _ in SCRIPTS])
def test_every_script_prints_as_ink_as_wide_as_the_shaped_name_centred_under_the_code(scripts_page, index, name):
    left, top, right, bottom = scripts_page.name_area(index)
    ink = scripts_page.ink(left, top, right, bottom)
    assert ink, f"{name} printed blank"
    columns = [x for x, _ in ink]
    width = (max(columns) - min(columns) + 1) / MM
    expected = shaped_width_mm(name)
    assert abs(width - expected) < 0.1 * expected + 1.0, (name, width, expected)
    centre = left + (min(columns) + max(columns)) / 2 / MM
    assert abs(centre - (left + right) / 2) < 1.0


def test_arabic_is_joined_right_to_left(scripts_page):
    index = [script for script, _ in SCRIPTS].index("Arabic")
    left, top, right, bottom = scripts_page.name_area(index)
    ink = scripts_page.ink(left, top, right, bottom)
    # "سلمى ع.": joined, سلمى is one stroke (its four letters have no dots), then ع and the full stop: three
    # shapes. Unshaped, every letter stands alone: six.
    assert components(ink) == 3
    # Right to left: the full stop, last in the name, is the leftmost shape.
    columns = sorted({x for x, _ in ink})
    gap = next(a for a, b in zip(columns, columns[1:], strict=False) if b - a > 1)
    stop = [(x, y) for x, y in ink if x <= gap]
    assert len(stop) < len(ink) / 20 and components(stop) == 1


def test_class_and_group_print_under_the_name_with_the_group_colour(scripts_page):
    x, y = scripts_page.card(0)
    assert scripts_page.text_in(x, y + cards_pdf.CLASS_Y, x + cards_pdf.CARD_W, y + cards_pdf.GROUP_Y).strip() \
        == "Period 3 · Math 7"
    group_line = (x, y + cards_pdf.GROUP_Y, x + cards_pdf.CARD_W, y + cards_pdf.CARD_H)
    assert scripts_page.text_in(*group_line).strip() == "Red Team"
    for index in range(len(SCRIPTS)):
        x, y = scripts_page.card(index)
        colour = group_colour(index)
        stripe = scripts_page.pixels(x + 0.5, y + 0.5, x + cards_pdf.STRIPE_MM - 0.5, y + cards_pdf.CARD_H - 0.5)
        assert (stripe == colour).all(), index
        group_line = scripts_page.pixels(x + cards_pdf.STRIPE_MM + 1, y + cards_pdf.GROUP_Y, x + cards_pdf.CARD_W,
                                         y + cards_pdf.CARD_H)
        assert (group_line == colour).all(axis=2).sum() > (2 * MM) ** 2, index  # the swatch by the group name


def test_the_palette_has_eight_distinct_colours_then_repeats():
    assert len(set(PALETTE)) >= 8 and all(0 <= v <= 255 for colour in PALETTE for v in colour)
    assert [group_colour(i) for i in range(len(PALETTE))] == list(PALETTE)
    assert group_colour(len(PALETTE) + 2) == PALETTE[2]


@pytest.mark.parametrize(("name", "class_name"), [("سلمى ع.", "الصف الرابع"), ("王小明", "三年级")],
                         ids=["Arabic", "Chinese"])
def test_text_after_a_text_opening_in_another_script_still_prints(tmp_path, name, class_name):
    """fpdf2 2.8.9 loses track of the page's font when a text opens in a fallback font: the Latin group name
    after a name and class name in another script, first on the page, came out garbled or not at all."""
    page = Page([CardFace("s01", name, class_name, card("s01"), group="red-team", colour=PALETTE[0])],
                tmp_path / "first.pdf")
    x, y = page.card(0)
    assert page.text_in(x, y + cards_pdf.GROUP_Y, x + cards_pdf.CARD_W, y + cards_pdf.CARD_H).strip() == "Red Team"
    assert page.ink(x + cards_pdf.STRIPE_MM + 6, y + cards_pdf.GROUP_Y, x + cards_pdf.CARD_W, y + 53)


def test_long_names_shrink_to_fit_and_are_cut_only_past_the_smallest_size(tmp_path):
    long_name = "Maximiliana-Esperanza Wolfe R."  # too wide at full size
    endless = "Wolfeschlegelsteinhausenbergerdorff " * 3 + "R."
    page = Page([CardFace("s01", long_name, "Period 3", card("s01")), CardFace("s02", endless, "Period 3", card("s02")),
                 CardFace("s03", "Maya R.", "Period 3", card("s03"))], tmp_path / "long.pdf")
    assert shaped_width_mm(long_name) > cards_pdf.TEXT_W
    assert page.text_in(*page.name_area(0)).strip() == long_name
    cut = page.text_in(*page.name_area(1)).strip()
    assert cut.endswith("…") and endless.startswith(cut[:-1]) and len(cut) > 30
    for index in range(3):
        left, top, right, bottom = page.name_area(index)
        columns = [x for x, _ in page.ink(left - 4, top, right + 4, bottom)]  # wider: nothing spills over
        assert min(columns) / MM >= 4 - 0.2 and max(columns) / MM <= cards_pdf.TEXT_W + 4 + 0.2
    sizes = [page.font_sizes(*page.name_area(index)) for index in range(3)]
    assert len(sizes[0]) == 1 and 8 < min(sizes[0]) < 14  # shrunk only as far as it needs
    assert sizes[1] == {8} and sizes[2] == {14}  # cut at the smallest size; a short name at full size


@pytest.mark.parametrize("bad", ["\ue000", "\u0378"], ids=["private use", "unassigned"])
def test_a_name_no_font_can_draw_stops_the_printing_naming_the_student(tmp_path, bad):
    out = tmp_path / "cards.pdf"
    faces = [CardFace("s01", "Maya R.", "Period 3", card("s01")),
             CardFace("s07", f"Ana{bad} K.", "Period 3", card("s07"))]
    with pytest.raises(UnprintableName) as raised:
        write_cards(faces, out)
    message = str(raised.value)
    assert f'student s07 ("Ana{bad} K.")' in message and f"U+{ord(bad):04X}" in message
    assert "correct the name in the roster" in message
    assert not out.exists() and not list(tmp_path.iterdir())


def test_missing_fonts_say_which_package_to_install(tmp_path, monkeypatch):
    cjk = cards_pdf.FONTS[-1]
    monkeypatch.setattr(cards_pdf, "FONTS", (*cards_pdf.FONTS[:-1],
                                             dataclasses.replace(cjk, path=tmp_path / "absent.ttc")))
    with pytest.raises(FontsMissing, match="apt-get install fonts-noto-cjk"):
        write_cards([CardFace("s01", "Maya R.", "Period 3", card("s01"))], tmp_path / "cards.pdf")


def test_a_signed_code_has_modules_of_at_least_0_69_mm_and_white_for_four_all_round(tmp_path):
    """The longest token (a 40-character id, card 999999) is the densest code: its modules as large as 34 mm
    allow, and the card's white (above, beside, down to the name) completes the quiet zone the code draws."""
    import qrcode

    longest = card("x" * 40, 999_999)
    page = Page([CardFace("x" * 40, "Maya R.", "Period 3", longest)], tmp_path / "dense.pdf")
    x, y = page.card(0)
    columns, rows = zip(*page.ink(x, y, x + cards_pdf.CARD_W, y + cards_pdf.NAME_Y + 7), strict=True)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(longest)
    code.make(fit=True)
    module = cards_pdf.QR_MM / (code.modules_count + 2 * cards_pdf.QUIET_MODULES)
    assert module >= 0.69
    symbol = [(cx, cy) for cx, cy in zip(columns, rows, strict=True)
              if abs(cx / MM - cards_pdf.CARD_W / 2) < cards_pdf.QR_MM / 2 and 3 < cy / MM < 3 + cards_pdf.QR_MM]
    left, right = min(c for c, _ in symbol) / MM, max(c for c, _ in symbol) / MM
    top, bottom = min(r for _, r in symbol) / MM, max(r for _, r in symbol) / MM
    assert (right - left) / module == pytest.approx(code.modules_count, abs=0.5)
    name = min(r for c, r in zip(columns, rows, strict=True) if r / MM > bottom + 0.2) / MM
    stripe = cards_pdf.STRIPE_MM
    assert min(top, name - bottom, left - stripe, cards_pdf.CARD_W - right) / module >= 4
