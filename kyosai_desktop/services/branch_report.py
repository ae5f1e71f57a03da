"""県支部 実績: per product 目標 · 実績 · 到達率 · 前年同期 · 差 · 付帯率 (data first).

実績 is counted from the fiscal year's start month (June for 2024, DOMAIN §3) through the
as-of month; the same period last year is the twelve-months-earlier window.  到達率 uses
the national report's rule (2 decimals, truncated); 付帯率 = rider ÷ its parent, 1 decimal.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kyosai_desktop.domain.months import FiscalYear, month_label
from kyosai_desktop.domain.rates import (
    format_count,
    format_percent,
    format_signed,
    percent_round,
    reach_rate,
)
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.files import atomic_path

HEADERS = ["商品", "目標", "実績", "到達率", "前年同期実績", "前年同期差"]


@dataclass(frozen=True)
class ProgressRow:
    product_id: int
    product: str
    target: int | None
    actual: int
    last_year: int
    rider_of: str | None = None
    rider_rate: Decimal | None = None

    @property
    def reach(self) -> Decimal | None:
        return reach_rate(self.actual, self.target)

    @property
    def diff(self) -> int:
        return self.actual - self.last_year


@dataclass(frozen=True)
class BranchProgress:
    pref_code: str | None
    pref_name: str | None
    year: FiscalYear
    as_of: str
    rows: list[ProgressRow]

    @property
    def title(self) -> str:
        who = f"{self.pref_name}県支部" if self.pref_name else "全体"
        return f"{self.year.label} {who} 新契約実績 ({month_label(self.as_of)}末現在)"

    @property
    def period(self) -> str:
        return f"{month_label(self.year.first)}〜{month_label(min(self.as_of, self.year.last))} 発効分"

    def table(self) -> list[list[str]]:
        """Display strings, the same on screen, in CSV and in print."""
        return [
            [r.product, format_count(r.target), format_count(r.actual), format_percent(r.reach),
             format_count(r.last_year), format_signed(r.diff)]
            for r in self.rows
        ]


def branch_progress(ctx: AppContext, fiscal_year: int, as_of: str, pref_code: str | None = None) -> BranchProgress:
    pref_code = pref_code if pref_code is not None else ctx.branch
    year = ctx.fiscal_years.results_year(fiscal_year)
    end = min(as_of, year.last)
    actual = ctx.results.totals_by_product(year.first, end, pref_code)
    ly_first, ly_last = year.same_period_last_year(as_of)
    last_year = ctx.results.totals_by_product(ly_first, ly_last, pref_code)
    targets = ctx.targets.effective(fiscal_year)
    products = ctx.products.all()
    names = {p.id: p.name for p in products}
    rows = []
    for p in products:
        rider_rate = None
        if p.rider_of is not None:
            rider_rate = percent_round(actual.get(p.id, 0), actual.get(p.rider_of, 0), 1)
        rows.append(ProgressRow(
            product_id=p.id, product=p.name, target=targets.get(p.id), actual=actual.get(p.id, 0),
            last_year=last_year.get(p.id, 0), rider_of=names.get(p.rider_of) if p.rider_of else None,
            rider_rate=rider_rate,
        ))
    return BranchProgress(pref_code, ctx.prefectures.name_of(pref_code) if pref_code else None, year, as_of, rows)


def write_branch_report(report: BranchProgress, out: Path | str) -> Path:
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(report.table())
    elif suffix == ".xlsx":
        _write_xlsx(report, out)
    else:
        raise ValueError(f"出力形式は .csv か .xlsx です: {out.name}")
    return out


def _write_xlsx(report: BranchProgress, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "県支部実績"
    ws.append([report.title])
    ws.append([report.period])
    ws.append(HEADERS + ["付帯率"])
    for r in report.rows:
        ws.append([
            r.product, r.target, r.actual,
            None if r.reach is None else float(r.reach) / 100,
            r.last_year, r.diff,
            None if r.rider_rate is None else float(r.rider_rate) / 100,
        ])
    bold = Font(bold=True)
    for cell in ws[3]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for row in ws.iter_rows(min_row=4):
        for c in row[1:3] + row[4:5]:
            c.number_format = "#,##0"
        row[3].number_format = "0.00%"
        row[5].number_format = "+#,##0;-#,##0;0"
        row[6].number_format = "0.0%"
    ws.column_dimensions["A"].width = 26
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 13
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"
    with atomic_path(out) as tmp:
        wb.save(tmp)
