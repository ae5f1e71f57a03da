"""Reading CSV and xlsx files for imports, with every cell's location kept for messages.

All imports share this: the header is found by its labels (NFKC-normalised, spaces
ignored), not by position; each problem is reported with its row and, for xlsx, its cell
address; a file that cannot be read at all raises :class:`ImportFailed` with a Japanese
message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kyosai_desktop.services.file_reading import PendingTable, start_reading
from kyosai_desktop.services.sheet_reader import SheetRows, column_letter, plain_value

__all__ = [
    "Header",
    "ImportFailed",
    "PendingTable",
    "Problem",
    "SheetChoiceRequired",
    "Table",
    "cells_as_read",
    "data_rows",
    "find_header",
    "is_blank",
    "norm_label",
    "plain_value",
    "read_table",
    "start_reading",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file. ``row`` is the 1-based sheet row or CSV line."""

    message: str
    row: int | None = None
    cell: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.cell:
            where.append(f"セル {self.cell}")
        return (" ".join(where) + ": " if where else "") + self.message


class ImportFailed(Exception):
    """An import refused as a whole; nothing was written. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        head = f"取り込みを中止しました ({len(self.problems)} 件の問題)。データは変更していません。"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class SheetChoiceRequired(ImportFailed):
    """Several sheets are visible: ``sheets`` lists them (``active`` is the one Excel showed);
    call the import again with ``sheet=`` one of them."""

    def __init__(self, message: str, sheets: list[str], active: str | None) -> None:
        super().__init__(message)
        self.sheets = sheets
        self.active = active


@dataclass
class Table:
    """A sheet's cell values; ``rows[i][j]`` is at sheet row ``first_row + i``, column j+1.

    An xlsx's rows are a :class:`SheetRows` (converted as they are looked at; see
    :func:`cells_as_read`), a CSV's a list of lists of text."""

    rows: Sequence[list[object]]
    is_excel: bool
    source: str
    first_row: int = 1
    sheet: str | None = None

    def address(self, row_index: int, col_index: int) -> str | None:
        """Cell address like ``C5`` (xlsx only) for a 0-based (row, col) in ``rows``."""
        if not self.is_excel:
            return None
        return f"{column_letter(col_index + 1)}{self.first_row + row_index}"

    def line(self, row_index: int) -> int:
        return self.first_row + row_index

    def problem(self, row_index: int, col_index: int | None, message: str) -> Problem:
        cell = None if col_index is None else self.address(row_index, col_index)
        return Problem(message, self.line(row_index), cell)


def cells_as_read(table: Table) -> Sequence[Sequence[object]]:
    """The table's rows as read — an xlsx's whole numbers still float and its empty cells ""
    — for a reader that goes through every row and converts only the cells it uses with
    :func:`plain_value` (the same value ``rows`` gives); a CSV's rows as they are."""
    rows = table.rows
    return rows.raw if isinstance(rows, SheetRows) else rows


def norm_label(value: object) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: Path | str, *, sheet: str | None = None) -> Table:
    """Read an xlsx (its one visible sheet, or ``sheet``) or a CSV / tab-separated text file.

    Every refusal is an :class:`ImportFailed` with a Japanese message; with several visible
    sheets and no ``sheet`` it is :class:`SheetChoiceRequired`.
    """
    return start_reading(path, sheet=sheet, background=False).result()


@dataclass
class Header:
    """Where a header row was found and which column each wanted label is in."""

    row_index: int
    columns: dict[str, int] = field(default_factory=dict)

    def get(self, row: Sequence[object], name: str) -> object:
        idx = self.columns.get(name)
        if idx is None or idx >= len(row):
            return None
        return row[idx]


def find_header(
    table: Table,
    required: Sequence[str],
    optional: Iterable[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
    *,
    search_rows: int = 20,
) -> Header:
    """Find the first row (within ``search_rows``) holding every required label."""
    aliases = aliases or {}
    wanted = list(required) + [o for o in optional if o not in required]
    names = {w: {norm_label(w), *(norm_label(a) for a in aliases.get(w, ()))} for w in wanted}
    best: tuple[int, list[str]] | None = None
    for i, row in enumerate(table.rows[:search_rows]):
        labels = [norm_label(v) for v in row]
        cols: dict[str, int] = {}
        for want, options in names.items():
            for j, lab in enumerate(labels):
                if lab in options:
                    cols[want] = j
                    break
        missing = [r for r in required if r not in cols]
        if not missing:
            return Header(row_index=i, columns=cols)
        if any(cols) and (best is None or len(missing) < len(best[1])):
            best = (i, missing)
    if best is None:
        raise ImportFailed(
            f"{table.source}: 見出し行が見つかりません。必要な列: {', '.join(required)}"
        )
    row_index, missing = best
    raise ImportFailed(
        [table.problem(row_index, None, f"必要な列がありません: {', '.join(missing)}")]
    )


def data_rows(table: Table, header: Header) -> Iterable[tuple[int, list[object]]]:
    """(row_index, values) for each non-blank row below the header."""
    for i in range(header.row_index + 1, len(table.rows)):
        row = table.rows[i]
        if all(is_blank(v) for v in row):
            continue
        yield i, row
