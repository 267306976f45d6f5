"""Printed cards scan back to the right student: the PDF is rendered as a printer would and the QR codes
read with a real decoder; reprinting a card revokes the old one at the hub and its kiosks."""
import pypdfium2
import pytest
import zxingcpp

from rotation.cli import main
from shared.cards import verify_token
from tests.conftest import SECRET, card


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
    assert sorted(verify_token(SECRET, code).student_id for code in codes) == [f"s{i:02d}" for i in range(1, 11)]
    assert "Maya R." in text and "Rivera" not in text  # first name and initial only, like everywhere else
    assert all("Maya" not in code for code in codes)  # the code holds the signed token, never a name


def test_reprinting_a_card_revokes_the_old_one(room, hub, tmp_path, capsys):
    out = tmp_path / "new.pdf"
    assert main(["cards", "--config", str(room.path), "--student", "s05", "--reprint", "--out", str(out)]) == 0
    assert "new card 2 for Sofia R.; the old one no longer works" in capsys.readouterr().out
    (code,), _ = read_page(out, 0)
    assert code == card("s05", 2)
    assert not hub.room.check_card(verify_token(SECRET, card("s05", 1))).accepted
    assert hub.room.check_card(verify_token(SECRET, code)).accepted


def test_names_from_any_roster_print(tmp_path):
    from hub.cards_pdf import write_cards

    out = tmp_path / "names.pdf"
    assert write_cards([("Łukasz Ż.", "Klasa 4", card("s01")), ("Zoë Ñ.", "Klasa 4", card("s02"))], out) == 1
    codes, text = read_page(out, 0)
    assert "Łukasz Ż." in text and "Zoë Ñ." in text and sorted(codes) == sorted([card("s01"), card("s02")])
