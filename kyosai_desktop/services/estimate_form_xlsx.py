"""別紙3 (見積り実施結果報告) as an Excel sheet laid out like the form the PDF reproduces.

One A4 portrait sheet: the campaign and the <別紙3> mark on top, the heading, 「組合員全員の
可処分所得の向上を！」, 「～ じちろうマイカー共済 ～」, the lead line, the three boxes (★ label,
※ note, the figure in 円/年; the saving box in orange with the 1人あたり平均), the note on rows
left out, the union's name and the (注意) box — the texts of ``UnionReport`` (the same the
PDF prints).  The figures are numbers formatted ``#,##0"円/年"``, so they can be added up in
Excel.  Written through ``safe_output`` like every workbook of the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.services import safe_output

if TYPE_CHECKING:
    from kyosai_desktop.services.estimate_reports import UnionReport

WIDTHS = [3, 12, 12, 12, 12, 12, 12, 3]  # A…H: a margin column each side, six inside
BLUE, ORANGE, GREY = "2E75B6", "C55A11", "7F7F7F"
BLUE_FILL, ORANGE_FILL = "F3F8FD", "FFF2CC"


def write_union_report_xlsx(report: UnionReport, path: Path | str) -> Path:
    """Write 別紙3 of one union to ``path`` (the form's layout, one printed page)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from kyosai_desktop.services.estimate_reports import REPORT_CAUTION

    wb = safe_output.new_workbook()
    ws = wb.active
    ws.title = safe_output.sheet_title("別紙3")
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_view.showGridLines = False

    def line(
        row: int,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: str = "center",
        first: int = 1,
        last: int = 8,
        height: float | None = None,
        wrap: bool = False,
    ):
        cell = safe_output.put(ws, row, first, text)
        cell.font = Font(size=size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        ws.row_dimensions[row].height = height or size * 1.6
        return cell

    line(1, report.campaign, 8, align="left", first=1, last=5)
    safe_output.put(ws, 1, 8, "<別紙3>").alignment = Alignment(horizontal="right")
    ws.cell(1, 8).font = Font(size=8)
    line(3, report.heading, 15, bold=True)
    line(5, "組合員全員の可処分所得の向上を！", 22, bold=True)
    line(6, "～ じちろうマイカー共済 ～", 15, bold=True)
    line(8, report.lead, 11)
    row = 10
    for i, (label, note, _figure) in enumerate(report.items()):  # the figure goes in as a number
        saving = i == 2
        colour, fill = (ORANGE, ORANGE_FILL) if saving else (BLUE, BLUE_FILL)
        top = row
        line(row, label, 13, bold=True, align="left", first=2, last=7)
        line(row + 1, note, 11 if saving else 9.5, bold=saving, align="left", first=2, last=7)
        value = line(row + 2, "", 24, bold=True, align="right", first=2, last=7, height=36)
        value.value = figure_value(report, i)
        value.number_format = '#,##0"円/年"'
        bottom = row + 2
        if saving:
            average = line(
                row + 3, report.average_text, 12, bold=True, align="right", first=2, last=7
            )
            if (
                report.totals.saving_average is not None
            ):  # a number Excel can use, shown as the form words it
                average.value = report.totals.saving_average
                average.number_format = '"※1人あたり平均"#,##0"円"'
            bottom = row + 3
        side = Side(style="medium" if saving else "thin", color=colour)
        for r in range(top, bottom + 1):
            for c in range(2, 8):
                cell = ws.cell(r, c)
                cell.fill = PatternFill("solid", fgColor=fill)
                cell.border = Border(
                    left=side if c == 2 else None,
                    right=side if c == 7 else None,
                    top=side if r == top else None,
                    bottom=side if r == bottom else None,
                )
        row = bottom + 2
    if report.totals.rows_flagged:
        line(
            row - 1,
            f"※掛金が未確定の {report.totals.rows_flagged} 件は集計に含めていません。",
            9,
            align="left",
            first=2,
            last=7,
        )
    row += 1
    line(row, report.union_name, 16, bold=True, align="right", first=2, last=7, height=26)
    row += 2
    grey = Side(style="thin", color=GREY)
    line(row, "(注意)", 10, bold=True, align="left", first=2, last=7)
    line(row + 1, REPORT_CAUTION, 10, align="left", first=2, last=7, height=42, wrap=True)
    for r in (row, row + 1):
        for c in range(2, 8):
            ws.cell(r, c).border = Border(
                left=grey if c == 2 else None,
                right=grey if c == 7 else None,
                top=grey if r == row else None,
                bottom=grey if r == row + 1 else None,
            )
    ws.print_area = f"A1:H{row + 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    return safe_output.save_workbook(wb, path)


def figure_value(report: UnionReport, index: int) -> int:
    t = report.totals
    return (t.other_total, t.jichiro_total, t.saving_total)[index]


__all__ = ["write_union_report_xlsx"]
