"""Reading CSV exports by column name, collecting every problem with its line and column. Pure.

Class lists come from spreadsheets and student information systems: columns in any order, a byte-order
mark, blank lines, cells padded with spaces. A problem is collected, not raised, so a teacher sees all of
them at once and fixes the file in one go.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator


class CsvRow:
    def __init__(self, table: CsvTable, line: int, cells: list[str]) -> None:
        self.table, self.line, self._cells = table, line, cells

    def get(self, column: str) -> str:
        index = self.table.position.get(column)
        return self._cells[index].strip() if index is not None else ""

    def problem(self, column: str, text: str) -> None:
        self.table.problems.append(f"{self.table.label}line {self.line}, column "
                                   f"{self.table.position[column] + 1} ({column}): {text}")


class CsvTable:
    """``required`` columns must be in the header, ``optional`` ones may be; any other column is a problem
    unless ``others_allowed`` (an export format with more columns than we read). Names match
    case-insensitively; ``position`` keys keep the spelling given here."""

    def __init__(self, text: str, label: str, problems: list[str], required: tuple[str, ...],
                 optional: tuple[str, ...] = (), others_allowed: bool = False) -> None:
        self.label, self.problems = label, problems
        self._reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = next(self._reader, None)
        self.position: dict[str, int] = {}
        self.ok = False
        if header is None:
            problems.append(f"{label}line 1: the file is empty; expected a header with {', '.join(required)}")
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

    def __iter__(self) -> Iterator[CsvRow]:
        if not self.ok:
            return
        for cells in self._reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != self.width:
                self.problems.append(f"{self.label}line {self._reader.line_num}: {len(cells)} fields where "
                                     f"the header has {self.width}")
                continue
            yield CsvRow(self, self._reader.line_num, cells)
