"""A ReportTable written as a print-ready workbook (and as CSV).

The workbook is meant to be printed or mailed as it is: title and summary on top, a merged
band header (year bands over month columns), real numbers with number formats (so Excel can
sum them), codes as text with their leading zeros, tone fills plus conditional fills on the
rate columns, frozen panes, print titles repeated on every page, fitted to one page wide on
A4 or A3 landscape, page numbers in the footer.  Always written atomically.
"""

from __future__ import annotations

from copy import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kyosai_desktop.domain.rates import DASH
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    DATE,
    HEADER_FILL,
    PERCENT,
    SIGNED,
    TONE_FILLS,
    YEN,
    Cell,
    Column,
    ReportTable,
)
from kyosai_desktop.services.safe_output import (
    csv_percent,
    header_footer_text,
    new_workbook,
    put,
    save_workbook,
    set_text,
    write_csv,
)
from kyosai_desktop.services.safe_output import sheet_title as safe_sheet_title

PAPER_SIZES = {"A4": 9, "A3": 8}
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_ALIGN = {"left": "left", "right": "right", "center": "center"}


def number_format(col: Column) -> str | None:
    if col.kind == COUNT:
        return "#,##0"
    if col.kind == SIGNED:
        return "+#,##0;-#,##0;0"
    if col.kind == YEN:
        return '"¥"#,##0;"¥"-#,##0'
    if col.kind == PERCENT:
        return "0." + "0" * col.decimals + "%" if col.decimals else "0%"
    if col.kind == CODE:
        return "@"
    if col.kind == DATE:
        return "yyyy年m月d日"
    return None


def excel_value(col: Column, c: Cell) -> object:
    """The value Excel should hold: numbers as numbers, "—" where there is none."""
    value = c.value
    if value is None:
        return c.text if c.text and c.text == DASH else (c.text or None)
    if col.kind in (COUNT, SIGNED, YEN):
        return (
            int(value)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            else c.text
        )
    if col.kind == PERCENT:
        return float(Decimal(value) / 100) if isinstance(value, (int, float, Decimal)) else c.text
    if col.kind == DATE:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return c.text or str(value)
    if col.kind == CODE:
        return str(value)
    return c.text if c.text else str(value)


def _fill(hex_rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=hex_rgb)


def _title_block(ws: Worksheet, report: ReportTable) -> int:
    """Title, subtitle and summary rows; returns the next free row."""
    row = 1
    put(ws, row, 1, report.title).font = Font(size=14, bold=True)
    row += 1
    if report.subtitle:
        put(ws, row, 1, report.subtitle)
        row += 1
    if report.summary:
        put(
            ws, row, 1, "   ".join(f"{label} {text}" for label, text in report.summary)
        ).font = Font(bold=True)
        row += 1
    if report.legend:
        put(ws, row, 1, "色分け")
        for i, (tone, label) in enumerate(report.legend.items(), start=2):
            c = put(ws, row, i, label)
            c.alignment = Alignment(vertical="center", wrap_text=True)
            if tone in TONE_FILLS:
                c.fill = _fill(TONE_FILLS[tone])
        row += 1
    return row + 1


LINE_PT = 15.0  # the height of one line of 11-point text, in points


def _text_width(text: str) -> float:
    """Width in Excel's character units (a full-width character counts about two)."""
    return sum(1.1 if ch.isascii() else 2.1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 1.0)
    return sum(
        max(1, -(-int(_text_width(part) * 10) // int(usable * 10))) for part in text.split("\n")
    )


def _fit_legend_height(ws: Worksheet, report: ReportTable) -> None:
    """Give the colour legend's row the height its wrapped labels need: each label sits in
    one column as wide as the table's column under it, and LibreOffice does not grow the row
    on opening (the model-union legend was cut)."""
    row = next(
        (r for r in range(1, 6) if ws.cell(r, 1).value == "色分け" and ws.cell(r, 2).value),
        None,
    )
    if row is None:
        return
    n = 1
    for i, label in enumerate(report.legend.values(), start=2):
        width = ws.column_dimensions[get_column_letter(i)].width or 8.43
        n = max(n, _lines(label, width))
    ws.row_dimensions[row].height = LINE_PT * n + 3


def _fit_header_heights(
    ws: Worksheet, report: ReportTable, header_row: int, last_header: int
) -> None:
    """Set the header rows' heights for their wrapped titles: LibreOffice does not grow a row
    for wrapped text on opening, so a long title (「満期まで (日)」 in a narrow column) was cut."""
    widths = [
        ws.column_dimensions[get_column_letter(j + 1)].width or 8.43
        for j in range(len(report.columns))
    ]
    lines = {row: 1 for row in range(header_row, last_header + 1)}
    if report.has_bands():
        for first, count, band in report.band_spans():
            if band is None:
                continue  # the title spans both rows: the lower row's count below covers it
            lines[header_row] = max(
                lines[header_row], _lines(band, sum(widths[first : first + count]))
            )
    for j, col in enumerate(report.columns):
        lines[last_header] = max(lines[last_header], _lines(col.title, widths[j]))
    for row, n in lines.items():
        ws.row_dimensions[row].height = LINE_PT * n + 3


def write_report_sheet(
    ws: Worksheet, report: ReportTable, *, paper: str = "A4", landscape: bool = True
) -> None:
    """Lay ``report`` out on ``ws`` (an existing worksheet)."""
    cols = report.columns
    ncols = len(cols)
    header_row = _title_block(ws, report)
    header_fill = _fill(HEADER_FILL)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if report.has_bands():
        for first, count, band in report.band_spans():
            top = put(ws, header_row, first + 1, band)
            for j in range(first, first + count):
                for r in (header_row, header_row + 1):
                    c = ws.cell(r, j + 1)
                    c.fill, c.font, c.alignment, c.border = header_fill, bold, centre, _BORDER
            if band is None:
                # no band: the column title spans both header rows
                put(ws, header_row, first + 1, cols[first].title)
                ws.merge_cells(
                    start_row=header_row,
                    start_column=first + 1,
                    end_row=header_row + 1,
                    end_column=first + 1,
                )
            else:
                set_text(top, band)
                if count > 1:
                    ws.merge_cells(
                        start_row=header_row,
                        start_column=first + 1,
                        end_row=header_row,
                        end_column=first + count,
                    )
                for j in range(first, first + count):
                    put(ws, header_row + 1, j + 1, cols[j].title)
        last_header = header_row + 1
    else:
        for j, col in enumerate(cols):
            c = put(ws, header_row, j + 1, col.title)
            c.fill, c.font, c.alignment, c.border = header_fill, bold, centre, _BORDER
        last_header = header_row
    first_data = last_header + 1

    formats = [number_format(c) for c in cols]
    aligns = [Alignment(horizontal=_ALIGN[c.align], vertical="center") for c in cols]
    fills = {tone: _fill(rgb) for tone, rgb in TONE_FILLS.items()}
    # Styling a cell through openpyxl's API hashes every style object; a 3,000-row table
    # would spend seconds on it.  Each distinct look is styled once and its style array copied.
    looks: dict[tuple, StyleArray] = {}
    r = first_data
    entries: list[tuple[list[Cell] | None, bool]] = [
        *((x, False) for x in report.rows),
        *((x, True) for x in report.totals),
    ]
    if report.after_totals:  # the ※ line (None), then the rows the totals leave out
        entries += [(None, False), *((x, False) for x in report.after_totals)]
    for row_cells, is_total in entries:
        if row_cells is None:
            put(ws, r, 1, report.after_totals_note)
            r += 1
            continue
        for j, (col, c) in enumerate(zip(cols, row_cells, strict=True)):
            xc = put(ws, r, j + 1, excel_value(col, c))
            tone = "total" if is_total and c.tone is None else c.tone
            formatted = bool(formats[j]) and not isinstance(xc.value, str) or col.kind == CODE
            look = (j, tone, is_total, formatted, xc.quotePrefix)
            style = looks.get(look)
            if style is not None:
                xc._style = copy(style)
                continue
            xc.border = _BORDER
            xc.alignment = aligns[j]
            if formatted:
                xc.number_format = formats[j] or "General"
            if tone in fills:
                xc.fill = fills[tone]
            if is_total:
                xc.font = bold
            looks[look] = copy(xc._style)
        r += 1
    last_data = r - 1

    # Conditional fills on toned rate columns, so a value edited in Excel still colours.
    if report.rows:
        for j, col in enumerate(cols):
            if col.toned and col.kind == PERCENT:
                letter = get_column_letter(j + 1)
                area = f"{letter}{first_data}:{letter}{first_data + len(report.rows) - 1}"
                ws.conditional_formatting.add(
                    area,
                    CellIsRule(
                        operator="greaterThanOrEqual", formula=["1"], fill=fills["achieved"]
                    ),
                )

    if report.notes:
        r += 1
        for note in report.notes:
            put(ws, r, 1, note)
            r += 1

    for j, col in enumerate(cols):
        widest = max(
            [
                len(c.text) * (1.1 if c.text.isascii() else 2.1)
                for c in (x[j] for x in [*report.rows[:500], *report.totals])
            ]
            + [0]
        )
        ws.column_dimensions[get_column_letter(j + 1)].width = max(col.width * 2.1, widest, 4) + 1.5

    _fit_header_heights(ws, report, header_row, last_header)
    if report.legend:
        _fit_legend_height(ws, report)
    frozen = sum(1 for c in cols if c.frozen)
    ws.freeze_panes = ws.cell(first_data, frozen + 1)
    ws.print_title_rows = f"{header_row}:{last_header}"
    ws.print_area = f"A1:{get_column_letter(ncols)}{max(r - 1, last_data)}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = PAPER_SIZES.get(paper.upper(), 9)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.center.text = header_footer_text(report.title)
    ws.oddFooter.center.text = (
        "&P / &N ページ"  # page codes: the only header/footer text not escaped
    )


def write_report_xlsx(
    report: ReportTable,
    path: Path | str,
    *,
    paper: str = "A4",
    landscape: bool = True,
    sheet_title: str | None = None,
) -> Path:
    """Write ``report`` as a one-sheet, print-ready workbook (atomically, user text never a formula)."""
    wb = new_workbook()
    ws = wb.active
    ws.title = safe_sheet_title(sheet_title or report.title)
    write_report_sheet(ws, report, paper=paper, landscape=landscape)
    return save_workbook(wb, path)


def csv_headers(report: ReportTable) -> list[str]:
    """Column titles, prefixed by their band where a title alone would repeat (6月 → 2024年度6月)."""
    titles = [c.title for c in report.columns]
    return [
        f"{c.band}{c.title}" if c.band and titles.count(c.title) > 1 else c.title
        for c in report.columns
    ]


def csv_row(report: ReportTable, cells: list[Cell]) -> list[object]:
    """One row as the CSV convention writes it: numbers raw, rates ``46.24%``, text as shown."""
    out: list[object] = []
    for col, c in zip(report.columns, cells, strict=True):
        value = c.value
        if col.kind in (COUNT, SIGNED, YEN):
            out.append(
                value
                if isinstance(value, (int, Decimal)) and not isinstance(value, bool)
                else ("" if c.text == DASH else c.text)
            )
        elif col.kind == PERCENT:
            out.append(
                csv_percent(Decimal(value).quantize(Decimal(1).scaleb(-col.decimals)))
                if isinstance(value, (int, Decimal))
                else ("" if c.text == DASH else c.text)
            )
        elif col.kind == DATE:
            out.append(value if isinstance(value, date) else (str(value)[:10] if value else c.text))
        else:
            out.append(c.text)
    return out


def write_report_csv(
    report: ReportTable, path: Path | str, headers: list[str] | None = None
) -> Path:
    """The table as CSV (UTF-8 with BOM so Excel opens it in Japanese), atomically.

    The CSV convention of every export: raw numbers (no thousands separators), rates as
    ``46.24%``, the 合計 rows last, formula-like text prefixed (services/safe_output.py).
    """
    rows = [csv_row(report, r) for r in [*report.rows, *report.totals]]
    return write_csv(path, headers or csv_headers(report), rows)
