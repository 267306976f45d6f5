"""Printable QR cards: ten to a page (A4 or US Letter), the size of a bank card, the name under the code.

The code holds only the signed token; the name is printed for the teacher handing cards out, never
encoded. Codes are 34 mm square. A token of 111 to 155 characters (its signature in QR's alphanumeric mode)
makes a code of version 5 to 7, 37 to 45 modules across: 0.83 to 0.69 mm a module with a quiet zone of two
modules drawn, the card's white around it (4.4 mm above, 3.1 mm down to the name, 20 mm beside) making up
the four the standard asks for. A drawn zone of four would shrink every module by a tenth, and a kiosk
camera's reach with it (docs/architecture.md has the measurements).

Names print in whatever script the roster has them, in Debian's Noto fonts: fpdf2 shapes the text with
HarfBuzz (Arabic joined and right to left, Devanagari's conjuncts), each text in the font of its first letter
and any character that font lacks in the first other that has it. A name no font can draw stops the printing,
naming the student, rather than leaving a blank on the card.
"""
from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import qrcode
from fontTools.ttLib import TTFont
from fpdf import FPDF

from hub.roster import RosterStudent, display_names
from hub.store import HubStore, StoredClass
from shared.cards import sign_token
from shared.palette import group_colour

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, as a bank card: fits a lanyard sleeve
COLUMNS, ROWS = 2, 5
QR_MM = 34.0
QUIET_MODULES = 2  # drawn inside QR_MM; the card's white margin is the rest of the quiet zone
STRIPE_MM = 5.0  # the group's colour down the left edge: a stack of cards sorts into groups at a glance
TEXT_W = CARD_W - 2 * (STRIPE_MM + 2)  # centred under the code, clear of the stripe
NAME_Y, CLASS_Y, GROUP_Y = 37.5, 44.5, 49.0  # the tops of the lines under the code, from the card's top
SWATCH_MM = 3.0
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardFace:
    student_id: str  # for error messages only, never printed
    name: str  # printed big under the code: first name and last initial, e.g. "Maya R."
    class_name: str  # printed small, e.g. "Period 3 · Math 7"
    token: str  # what the QR code holds
    group: str | None = None  # e.g. "red-team", printed "Red Team"
    colour: tuple[int, int, int] | None = None  # the group's colour (shared.palette), 0-255 RGB


class UnprintableName(ValueError):
    """A name (or class or group name) has a character none of the cards' fonts can draw."""


class FontsMissing(RuntimeError):
    """The Noto fonts the cards are printed in are not installed."""


@dataclass(frozen=True)
class Font:
    family: str
    path: Path
    package: str  # the Debian package that installs it
    face: int = 0  # in a .ttc collection


_NOTO = Path("/usr/share/fonts/truetype/noto")
_SCRIPTS = ("Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu",
            "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Ethiopic", "Armenian",
            "Georgian", "Thaana", "Syriac", "Tifinagh", "Cherokee", "CanadianAboriginal", "NKo", "Adlam", "OlChiki")
# Noto Sans draws Latin, Greek and Cyrillic, the script fonts the rest. CJK comes last so that its own Latin and
# Greek are never picked; face 0 of the collection is the Japanese one, so a Han character takes its Japanese form.
FONTS = (
    Font("NotoSans", _NOTO / "NotoSans-Regular.ttf", "fonts-noto-core"),
    *(Font(f"NotoSans{script}", _NOTO / f"NotoSans{script}-Regular.ttf", "fonts-noto-core") for script in _SCRIPTS),
    Font("NotoSerifTibetan", _NOTO / "NotoSerifTibetan-Regular.ttf", "fonts-noto-core"),
    Font("NotoSansCJK", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "fonts-noto-cjk"),
)


@cache
def _cmap(font: Font) -> frozenset[int]:
    with TTFont(font.path, fontNumber=font.face, lazy=True) as ttf:
        return frozenset(ttf.getBestCmap())


@cache
def font_for(char: str) -> Font | None:
    """The first of FONTS that draws ``char``; None if none can."""
    return next((font for font in FONTS if ord(char) in _cmap(font)), None)


def qr_image(token: str):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=QUIET_MODULES)
    code.add_data(token)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def _printed(card: CardFace) -> dict[str, str]:
    """What the card prints, by what it is. NFC: a name typed or exported decomposed (e + U+0301) draws as
    one glyph, since fpdf2 2.8 shapes a combining mark apart from its letter."""
    group = (card.group or "").replace("-", " ").replace("_", " ").title()
    return {what: unicodedata.normalize("NFC", text)
            for what, text in (("name", card.name), ("class name", card.class_name), ("group", group))}


def _fonts_needed(card: CardFace) -> set[Font]:
    needed = set()
    for what, text in _printed(card).items():
        for char in text:
            if unicodedata.category(char) == "Cf":
                continue  # joiners and direction marks steer the shaping; no font draws them
            font = font_for(char)
            if font is None:
                where = "the name in the roster" if what == "name" else f"the {what}"
                code = f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")
                raise UnprintableName(
                    f'cannot print the {what} of student {card.student_id} ("{text}"): none of the cards\' '
                    f"fonts (Debian's fonts-noto-core and fonts-noto-cjk) has {code}; correct {where}")
            needed.add(font)
    return needed


def _check_fonts() -> None:
    missing = sorted({font.package for font in FONTS if not font.path.is_file()})
    if missing:
        raise FontsMissing(f"the cards are printed in Debian's Noto fonts, and some are not installed: "
                           f"sudo apt-get install {' '.join(missing)} (scripts/setup.sh installs them)")


def _fit(pdf: FPDF, text: str, width: float, size: float, smallest: float) -> str:
    """Sets the font for ``text`` at the largest size from ``size`` down to ``smallest`` at which it fits in
    ``width``, and returns the text: cut, with an ellipsis, only if it does not fit even at the smallest.
    The font is the one of its first letter, so that an Arabic name's space and full stop are Arabic ones."""
    first = next((font_for(char) for char in text if unicodedata.category(char) != "Cf"), None)
    pdf.set_font((first or FONTS[0]).family, size=size)
    natural = pdf.get_string_width(text)
    if natural <= width:
        return text
    pdf.set_font_size(max(smallest, int(2 * size * width / natural) / 2))  # widths scale with the size
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + ELLIPSIS) > width:
        end = len(text) - 1
        # Never part a mark from its letter, or the letter after a virama from its conjunct.
        while end > 0 and (unicodedata.category(text[end])[0] == "M" or unicodedata.combining(text[end - 1]) == 9):
            end -= 1
        text = text[:end].rstrip()
    return text + ELLIPSIS


def _draw(pdf: FPDF, card: CardFace, x: float, y: float) -> None:
    printed = _printed(card)
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, CARD_W, CARD_H)  # cutting guide
    if card.colour:
        pdf.set_fill_color(*card.colour)
        pdf.rect(x, y, STRIPE_MM, CARD_H, style="F")
    pdf.image(qr_image(card.token), x=x + (CARD_W - QR_MM) / 2, y=y + 3, w=QR_MM, h=QR_MM)
    left = x + (CARD_W - TEXT_W) / 2
    pdf.set_xy(left, y + NAME_Y)
    pdf.cell(TEXT_W, CLASS_Y - NAME_Y, _fit(pdf, printed["name"], TEXT_W, 14, 8), align="C")
    pdf.set_text_color(110, 110, 110)
    pdf.set_xy(left, y + CLASS_Y)
    pdf.cell(TEXT_W, 4, _fit(pdf, printed["class name"], TEXT_W, 7, 5), align="C")
    pdf.set_text_color(0, 0, 0)
    if printed["group"]:
        swatch = SWATCH_MM + 1.5 if card.colour else 0.0
        label = _fit(pdf, printed["group"], TEXT_W - swatch, 7, 5)
        label_w = pdf.get_string_width(label)
        start = x + (CARD_W - swatch - label_w) / 2
        if card.colour:
            pdf.set_fill_color(*card.colour)
            pdf.set_draw_color(90, 90, 90)  # a yellow swatch still shows on white paper
            pdf.rect(start, y + GROUP_Y + (4 - SWATCH_MM) / 2, SWATCH_MM, SWATCH_MM, style="DF")
        pdf.set_xy(start + swatch, y + GROUP_Y)
        pdf.cell(label_w, 4, label)


def fonts_drawing(texts: list[str]) -> set[Font]:
    """The fonts that draw these texts (a character none draws is left out: the cards already refused it)."""
    return {FONTS[0]} | {font for text in texts for char in unicodedata.normalize("NFC", text)
                         if unicodedata.category(char) != "Cf" and (font := font_for(char)) is not None}


def shaping_pdf(page: tuple[float, float], fonts: set[Font], title: str) -> FPDF:
    """A PDF (mm) that draws any script of ``fonts``, shaped with HarfBuzz."""
    _check_fonts()
    pdf = FPDF(unit="mm", format=page)
    pdf.set_title(title)
    used = [font for font in FONTS if font in fonts]  # only these are read and embedded
    for font in used:
        pdf.add_font(font.family, fname=font.path, collection_font_number=font.face)
    # Every font is a fallback, the one a text is set in too: fpdf2 2.8.9 loses track of the page's font when
    # a text opens in a fallback font other than the one set, and later text on the page can vanish.
    pdf.set_fallback_fonts([font.family for font in used])
    pdf.set_text_shaping(True)
    return pdf


def card_faces(signing_key: bytes, classes: list[tuple[str, list[RosterStudent]]],
               versions: dict[str, int]) -> dict[str, CardFace]:
    """A card for each student of these classes (name, members): one for a student in several, naming them
    all, with the group's colour if it is one group in all."""
    names = display_names(s for _, members in classes for s in members)  # told apart on the cards
    faces: dict[str, CardFace] = {}
    for class_name, members in classes:
        groups = list(dict.fromkeys(s.group for s in members if s.group))
        for s in members:
            face = faces.get(s.id)
            if face is None:
                faces[s.id] = CardFace(s.id, names[s.id], class_name,
                                       sign_token(signing_key, s.id, versions.get(s.id, 1)), s.group,
                                       group_colour(groups.index(s.group)) if s.group else None)
            elif face.group == s.group:
                faces[s.id] = dataclasses.replace(face, class_name=f"{face.class_name} · {class_name}")
            else:
                faces[s.id] = dataclasses.replace(face, class_name=f"{face.class_name} · {class_name}", group=None,
                                                  colour=None)
    return faces


def class_card_faces(store: HubStore, signing_key: bytes, classes: list[StoredClass],
                     versions: dict[str, int]) -> dict[str, CardFace]:
    """The cards of these classes' students today, from the hub's store."""
    today = datetime.date.today()
    return card_faces(signing_key, [(k.name, store.class_students(k.id, today)) for k in classes], versions)


def write_cards(cards: list[CardFace], path: Path, paper: str = "a4") -> int:
    """Writes the cards to ``path`` (replacing it whole, never half-written). Returns the number of pages.
    Raises FontsMissing without the Noto fonts and UnprintableName, before writing, for a name none can draw."""
    _check_fonts()
    needed = {FONTS[0]}.union(*(_fonts_needed(card) for card in cards))
    width, height = PAPERS[paper]
    pdf = shaping_pdf((width, height), needed, "Rotation Station cards")
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0  # the text is centred by measure: no padding inside the cells
    margin_x = (width - COLUMNS * CARD_W) / 2
    margin_y = (height - ROWS * CARD_H) / 2
    for index, card in enumerate(cards):
        if index % (COLUMNS * ROWS) == 0:
            pdf.add_page()
        column, row = index % COLUMNS, index // COLUMNS % ROWS
        _draw(pdf, card, margin_x + column * CARD_W, margin_y + row * CARD_H)
    temporary = path.with_suffix(".tmp.pdf")
    pdf.output(str(temporary))
    temporary.replace(path)
    return pdf.pages_count
