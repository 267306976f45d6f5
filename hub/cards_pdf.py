"""Printable QR cards: ten to a page (A4 or US Letter), the size of a bank card, the name under the code.

The code holds only the signed token; the name is printed for the teacher handing cards out, never
encoded. Codes are 34 mm square with their quiet zone, about 0.9 mm a module for the tokens' 29 x 29
modules: well above what a handheld scanner or a kiosk camera at a hand's distance needs.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import qrcode
from fpdf import FPDF

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, as a bank card: fits a lanyard sleeve
COLUMNS, ROWS = 2, 5
QR_MM = 34.0


def _kivy_font() -> Path:
    """A Unicode font for names from any roster (the PDF core fonts stop at Latin-1): the one Kivy ships,
    found without importing Kivy."""
    spec = importlib.util.find_spec("kivy")
    if spec is None or spec.origin is None:
        raise ImportError("Kivy is not installed: its DejaVu Sans font prints the names on the cards")
    return Path(spec.origin).parent / "data" / "fonts" / "DejaVuSans.ttf"


FONT = _kivy_font()


def qr_image(token: str):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=4)
    code.add_data(token)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def write_cards(cards: list[tuple[str, str, str]], path: Path, paper: str = "a4") -> int:
    """``cards``: (name, class name, token). Returns the number of pages written."""
    width, height = PAPERS[paper]
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_title("Rotation Station cards")
    pdf.add_font("DejaVu", fname=str(FONT))
    margin_x = (width - COLUMNS * CARD_W) / 2
    margin_y = (height - ROWS * CARD_H) / 2
    for index, (name, room, token) in enumerate(cards):
        if index % (COLUMNS * ROWS) == 0:
            pdf.add_page()
        column, row = index % COLUMNS, index // COLUMNS % ROWS
        x, y = margin_x + column * CARD_W, margin_y + row * CARD_H
        pdf.set_draw_color(190, 190, 190)
        pdf.set_line_width(0.2)
        pdf.rect(x, y, CARD_W, CARD_H)  # cutting guide
        pdf.image(qr_image(token), x=x + (CARD_W - QR_MM) / 2, y=y + 3, w=QR_MM, h=QR_MM)
        pdf.set_xy(x + 2, y + 3 + QR_MM + 1)
        pdf.set_font("DejaVu", size=14)
        pdf.cell(CARD_W - 4, 7, name, align="C")
        pdf.set_xy(x + 2, y + 3 + QR_MM + 8)
        pdf.set_font("DejaVu", size=7)
        pdf.set_text_color(110, 110, 110)
        pdf.cell(CARD_W - 4, 4, room, align="C")
        pdf.set_text_color(0, 0, 0)
    temporary = path.with_suffix(".tmp.pdf")
    pdf.output(str(temporary))
    temporary.replace(path)
    return pdf.pages_count
