"""Blank import templates: an xlsx whose header row is exactly what the importer reads.

``write_template(kind, path)`` writes the template of one importer (``KINDS``): 単組
(unions), 目標 (targets), 実績 (results), 別紙2 見積り (estimates) and the HQ モデル単組 sheet
(model-unions).  The headers come from the importers' own column lists (``master_import``,
``estimate_import``, ``model_union_sheet_parser``), so a template cannot drift from what the
import accepts; code and month columns are formatted as text so Excel keeps "05" and
"2025-04".  The model-union sheet is headquarters' layout: a title row naming the year and
its start month, the year band over the twelve month columns, then the header row.
Written through ``safe_output`` like every workbook the app makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kyosai_desktop.services import safe_output


@dataclass(frozen=True)
class Template:
    key: str
    label: str  # 単組 / 目標 / 実績 / 見積り (別紙2) / モデル単組
    headers: tuple[str, ...]
    text_columns: tuple[str, ...] = ()  # kept as text in Excel (leading zeros, months)


def _kinds() -> dict[str, Template]:
    from kyosai_desktop.services.estimate_import import LIST_COLUMNS
    from kyosai_desktop.services.master_import import RESULT_HEADERS, TARGET_HEADERS, UNION_HEADERS

    codes = ("自治労県コード", "単組コード")
    return {
        "unions": Template("unions", "単組", tuple(UNION_HEADERS), codes),
        "targets": Template("targets", "目標", tuple(TARGET_HEADERS), ("単組コード",)),
        "results": Template("results", "実績", tuple(RESULT_HEADERS), (*codes, "発効年月")),
        "estimates": Template("estimates", "見積り (別紙2)", tuple(LIST_COLUMNS)),
        "model-unions": Template(
            "model-unions", "モデル単組", tuple(model_union_headers(6)), codes
        ),
    }


KEYS = ("unions", "targets", "results", "estimates", "model-unions")


def template(kind: str) -> Template:
    kinds = _kinds()
    if kind not in kinds:
        raise ValueError(f"テンプレートの種類は {' / '.join(KEYS)} のいずれかです: {kind}")
    return kinds[kind]


def model_union_headers(start_month: int) -> list[str]:
    from kyosai_desktop.services.model_union_sheet_parser import REQUIRED

    identity = [h for h in REQUIRED if h != "目標件数"]
    months = [f"{(start_month - 1 + k) % 12 + 1}月" for k in range(12)]
    return [identity[0], "県名", *identity[1:], "発効", *months, "目標件数"]


def current_fiscal_year(today: date | None = None, start_month: int = 6) -> int:
    today = today or date.today()
    return today.year if today.month >= start_month else today.year - 1


def write_template(
    kind: str, path: Path | str, *, fiscal_year: int | None = None, start_month: int = 6
) -> Path:
    """Write the blank template of ``kind`` to ``path`` (xlsx); returns the path written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    spec = template(kind)
    headers = list(spec.headers)
    wb = safe_output.new_workbook()
    ws = wb.active
    ws.title = safe_output.sheet_title(f"{spec.label}テンプレート")
    first = 1
    if kind == "model-unions":
        fy = fiscal_year or current_fiscal_year(start_month=start_month)
        headers = model_union_headers(start_month)
        safe_output.put(ws, 1, 1, f"{fy}年度 加入拡大モデル単組 ({start_month}月開始)")
        month_from = headers.index(f"{start_month}月") + 1
        safe_output.put(ws, 2, month_from, f"{fy}年度")
        ws.merge_cells(start_row=2, start_column=month_from, end_row=2, end_column=month_from + 11)
        ws.cell(2, month_from).alignment = Alignment(horizontal="center")
        first = 3
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for col, title in enumerate(headers, start=1):
        cell = safe_output.put(ws, first, col, title)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(8, min(24, 2.2 * len(title) + 2))
        if title in spec.text_columns:  # the column's style: typed codes keep their leading zeros
            ws.column_dimensions[letter].number_format = "@"
    ws.row_dimensions[first].height = 30
    ws.freeze_panes = ws.cell(first + 1, 1)
    return safe_output.save_workbook(wb, path)


__all__ = [
    "KEYS",
    "Template",
    "current_fiscal_year",
    "model_union_headers",
    "template",
    "write_template",
]
