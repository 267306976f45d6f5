"""Plain-text tables for the terminal: columns as wide as their widest cell, a line under the header."""
from __future__ import annotations

import unicodedata


def _width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese, Japanese or Korean character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max([_width(header[i])] + [_width(row[i]) for row in rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = (cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])
