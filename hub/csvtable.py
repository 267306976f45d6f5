"""Reading CSV exports by column name, collecting every problem with its line and column. Pure.

Class lists come from spreadsheets and student information systems: columns in any order, a byte-order
mark, blank lines, cells padded with spaces, names with line breaks inside quotes. A problem is collected,
not raised, so a teacher sees all of them at once and fixes the file in one go.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator


def one_line(text: str) -> str:
    """A cell as one line: a name typed with a line break (or a tab) in its cell is read as spaces."""
    return " ".join(text.split())


class CsvRow:
    __slots__ = ("table", "line", "cells")

    def __init__(self, table: CsvTable, line: int, cells: list[str]) -> None:
        self.table, self.line, self.cells = table, line, cells

    def get(self, column: str) -> str:
        index = self.table.position.get(column)
        return self.cells[index].strip() if index is not None else ""

    def problem(self, column: str, text: str) -> None:
        self.table.problems.append(self.table.where(self.line, column) + f": {text}")


class CsvTable:
    """``required`` columns must be in the header, ``optional`` ones may be; any other column is a problem
    unless ``others_allowed`` (an export format with more columns than we read). Names match
    case-insensitively; ``position`` keys keep the spelling given here. ``source`` is the text, or an open
    text file read row by row (an export's files can be large)."""

    def __init__(self, source: str | Iterable[str], label: str, problems: list[str], required: tuple[str, ...],
                 optional: tuple[str, ...] = (), others_allowed: bool = False) -> None:
        self.label, self.problems = label, problems
        self._reader = csv.reader(io.StringIO(source.lstrip("\ufeff")) if isinstance(source, str) else source)
        header = next(self._reader, None)
        self.position: dict[str, int] = {}
        self.ok = False
        if header is None:
            problems.append(f"{label}line 1: the file is empty; expected a header with {', '.join(required)}")
            return
        if header:
            header[0] = header[0].lstrip("\ufeff")
        if len(header) == 1 and ";" in header[0] and len(required) > 1:
            problems.append(f"{label}line 1: the columns are separated by semicolons (;): save the file as CSV "
                            "with commas (in a spreadsheet: CSV UTF-8, comma-delimited)")
            return
        spelling = {name.lower(): name for name in optional + required}
        self.width = len(header)
        for index, raw in enumerate(header):
            name = raw.strip()
            canonical = spelling.get(name.lower())
            if canonical in self.position:
                problems.append(f"{label}line 1, column {index + 1}: column {name!r} appears twice")
            elif canonical is not None:
                self.position[canonical] = index
            elif not others_allowed:
                problems.append(f"{label}line 1, column {index + 1}: unknown column {name!r}")
        missing = [name for name in required if name not in self.position]
        problems.extend(f"{label}line 1: missing column {name!r}" for name in missing)
        self.ok = not missing and (others_allowed or len(self.position) == len(header))

    def where(self, line: int, column: str) -> str:
        return f"{self.label}line {line}, column {self.position[column] + 1} ({column})"

    def __iter__(self) -> Iterator[CsvRow]:
        if not self.ok:
            return
        reader, width = self._reader, self.width
        for cells in reader:
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue  # a blank line, or a row of empty cells a spreadsheet left
            if len(cells) != width:
                self.problems.append(f"{self.label}line {reader.line_num}: {len(cells)} fields where "
                                     f"the header has {width}")
                continue
            yield CsvRow(self, reader.line_num, cells)
