"""Printed signs for the stations: each station's colour, picture and name, large, on a page of its own, with
its activities and their pictures, to stand at the station. A student who cannot read yet matches the
picture on the kiosk's "go to" screen, and on the wall map, with the sign."""
from __future__ import annotations

from pathlib import Path

from edge import pictures
from hub.cards_pdf import FONTS, PAPERS, fonts_drawing, shaping_pdf
from shared.config import StationConfig
from shared.pictures import rgba, station_look

PICTURE_FONT = "MaterialIcons"


def _rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue, _ = rgba(colour)
    return round(red * 255), round(green * 255), round(blue * 255)


def write_station_signs(stations: tuple[StationConfig, ...], path: Path, paper: str = "a4") -> int:
    """One landscape page per station (the ones students visit: every station); returns the number of pages.
    The file is replaced whole, never half-written."""
    portrait_w, portrait_h = PAPERS[paper]
    width, height = portrait_h, portrait_w
    texts = [s.name for s in stations] + [a for s in stations for a in s.activities]
    pdf = shaping_pdf((portrait_w, portrait_h), fonts_drawing(texts), "Rotation Station station signs")
    pdf.set_auto_page_break(False)
    drawn = pictures.FONT.exists()
    if drawn:
        pdf.add_font(PICTURE_FONT, fname=str(pictures.FONT))
    for station in stations:
        colour, picture = station_look(station.kind, station.colour, station.picture)
        pdf.add_page(orientation="L")
        pdf.set_fill_color(*_rgb(colour))
        pdf.rect(0, 0, width, height * 0.62, style="F")
        pdf.set_text_color(255, 255, 255)
        if drawn:
            pdf.set_font(PICTURE_FONT, size=150)
            pdf.set_xy(0, 14)
            pdf.cell(width, 70, pictures.glyph(picture), align="C")
        pdf.set_font(FONTS[0].family, size=44)
        pdf.set_xy(10, height * 0.62 - 36)
        pdf.cell(width - 20, 26, station.name, align="C")
        pdf.set_text_color(30, 30, 38)
        activities = list(zip(station.activities, station.pictures or (picture,) * len(station.activities),
                              strict=False))
        if activities:
            column = (width - 20) / len(activities)
            for number, (activity, activity_picture) in enumerate(activities):
                left = 10 + number * column
                if drawn:
                    pdf.set_font(PICTURE_FONT, size=48)
                    pdf.set_xy(left, height * 0.62 + 8)
                    pdf.cell(column, 22, pictures.glyph(activity_picture), align="C")
                pdf.set_font(FONTS[0].family, size=20)
                pdf.set_xy(left, height * 0.62 + 34)
                pdf.cell(column, 12, activity, align="C")
    temporary = path.with_suffix(".tmp.pdf")
    pdf.output(str(temporary))
    temporary.replace(path)
    return pdf.pages_count
