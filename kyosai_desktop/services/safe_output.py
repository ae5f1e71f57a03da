"""Exports that are safe to open: user text never becomes a formula, odd characters never break a write.

Everything a clerk can type (a union name, a campaign name, an estimate's 備考) ends up in an
Excel or CSV file one day, and a spreadsheet program evaluates text that looks like a formula.
Every workbook and CSV the app writes goes through this module (``tests/test_export_safety.py``
fails when a writer elsewhere in the package bypasses it):

* **xlsx** — :func:`put` / :func:`set_text` write a text that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a CR as a *text* cell (``t="s"`` with the quote prefix, so it also stays
  text when edited in Excel); numbers stay numbers.  :func:`save_workbook` checks every cell
  once more before saving (any formula is turned into its text unless the caller asks for
  formulas) and writes atomically.
* **CSV** — :func:`write_csv` writes numbers raw (``-17``, ``1234``: no thousands separators) and
  prefixes a text field that begins with one of those characters with ``'`` (the OWASP
  CSV-injection rule), so Excel shows it as text instead of evaluating it.  A field that is
  just a number (``-17``, ``+3``, ``46.24%``) is a number, not a formula, and is left alone.
* **Characters** — control characters that XML 1.0 cannot hold (openpyxl refuses them with
  ``IllegalCharacterError``), U+FFFE/U+FFFF and lone surrogates are removed; tab, LF and CR are
  kept.  A cell is cut at Excel's 32,767-character limit.
* **Headers and footers** — :func:`header_footer_text` doubles ``&`` (``&D`` would print the
  date) and keeps within Excel's 255-character limit; :func:`sheet_title` makes any text a valid
  sheet name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.services.files import atomic_path

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made: CSV output never loads it
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell as XlCell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_PREFIX = "'"
EXCEL_CELL_LIMIT = 32_767
HEADER_FOOTER_LIMIT = 250  # Excel allows 255 characters per header/footer, codes included

_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)%?\Z")


def clean_text(text: str) -> str:
    """``text`` without the characters no xlsx/CSV reader can take (tab, LF and CR are kept)."""
    return _UNWRITABLE.sub("", text)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program evaluate this text (a lone sign or number excepted)?"""
    return text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text)


# ---------------------------------------------------------------- xlsx


def set_text(xc: XlCell, value: object) -> XlCell:
    """Give an openpyxl cell ``value``: text as text (never a formula), anything else as it is."""
    if isinstance(value, str):
        text = clean_text(value)[:EXCEL_CELL_LIMIT]
        xc.value = text
        if text.startswith(FORMULA_TRIGGERS):
            xc.data_type = "s"
            xc.quotePrefix = True
    else:
        xc.value = value
    return xc


def put(ws: Worksheet, row: int, column: int, value: object = None) -> XlCell:
    """``ws.cell(row, column, value)`` with :func:`set_text`'s rules."""
    return set_text(ws.cell(row, column), value)


def header_footer_text(text: str) -> str:
    """Literal text for a page header or footer: ``&`` doubled, within Excel's limit."""
    cleaned = clean_text(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    out = ""
    for ch in cleaned:
        piece = "&&" if ch == "&" else ch
        if len(out) + len(piece) > HEADER_FOOTER_LIMIT:
            break
        out += piece
    return out


def sheet_title(text: str, fallback: str = "Sheet1") -> str:
    """A valid worksheet name: no ``[]:*?/\\``, no control character, ≤ 31 characters."""
    text = clean_text(text)
    for ch in "[]:*?/\\\t\r\n":
        text = text.replace(ch, " ")
    text = text.strip().strip("'")[:31].strip()
    return text or fallback


def new_workbook() -> Workbook:
    """A new workbook (written later with :func:`save_workbook`)."""
    from openpyxl import Workbook

    return Workbook()


def neutralise_workbook(wb: Workbook, *, formulas: bool = False) -> int:
    """Make every cell safe in place; returns how many cells were changed.

    A formula cell becomes its text unless ``formulas`` (the caller wrote formulas on
    purpose); text that begins with a trigger character gets the quote prefix.
    """
    changed = 0
    for ws in wb.worksheets:
        for xc in ws._cells.values():
            value = xc.value
            if not isinstance(value, str):
                continue
            if xc.data_type == "f" and formulas:
                continue
            if xc.data_type == "f" or (value.startswith(FORMULA_TRIGGERS) and not xc.quotePrefix):
                set_text(xc, value)
                changed += 1
    return changed


def save_workbook(wb: Workbook, path: Path | str, *, formulas: bool = False) -> Path:
    """Check every cell (:func:`neutralise_workbook`) and save atomically."""
    neutralise_workbook(wb, formulas=formulas)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# ---------------------------------------------------------------- CSV


def csv_field(value: object) -> str:
    """One CSV field: numbers raw, dates ISO, text cleaned and prefixed when formula-like."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = clean_text(str(value))
    return CSV_PREFIX + text if is_formula_like(text) else text


def csv_percent(value: Decimal | None) -> str:
    """A rate as CSV writes it: ``46.24%`` (empty when there is none)."""
    return "" if value is None else f"{format(value, 'f')}%"


def write_csv(
    path: Path | str, headers: Sequence[object], rows: Iterable[Sequence[object]]
) -> Path:
    """A CSV (UTF-8 with BOM, so Excel reads the Japanese) of safe fields, written atomically."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([csv_field(h) for h in headers])
        for row in rows:
            writer.writerow([csv_field(v) for v in row])
    return path


def csv_bytes(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """The same safe fields as :func:`write_csv`, as UTF-8 bytes without BOM (for a file inside
    a package, e.g. services/report_package.py); ``unescape_field`` undoes the text prefix."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_field(h) for h in headers])
    for row in rows:
        writer.writerow([csv_field(v) for v in row])
    return buf.getvalue().encode("utf-8")


def unescape_field(text: str) -> str:
    """Read back a text field written by :func:`csv_field`: drop the prefix it added."""
    if text.startswith(CSV_PREFIX) and is_formula_like(text[len(CSV_PREFIX) :]):
        return text[len(CSV_PREFIX) :]
    return text
