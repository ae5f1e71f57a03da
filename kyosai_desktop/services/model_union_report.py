"""The model-union progress table (モデル単組進捗表, seed 004 layout) as data, CSV and xlsx.

``build_report`` reads the designations of a fiscal year and the 団生 monthly counts,
computes every figure with ``domain/model_unions`` and lays them out as a
:class:`ReportTable` (fixed columns, three year bands of months, 累積件数 · 目標件数 ·
前年比 · 達成率 · 残件数, a 合計 row, the summary line).  The screen, the printed/PDF table
and the workbook are all drawn from that one object; the CSV projects it onto the
headers fixed by the issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.domain.model_unions import (
    ModelUnionInput,
    ModelUnionRow,
    ModelUnionTotals,
    TableLayout,
    compute_row,
    compute_table,
    compute_totals,
    totals_scope,
)
from kyosai_desktop.domain.months import FiscalYear, check_as_of, month_label, split_month
from kyosai_desktop.domain.rates import DASH, format_count, format_percent
from kyosai_desktop.domain.tones import LEGEND, TOTAL
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    PERCENT,
    SIGNED,
    TEXT,
    Cell,
    Column,
    ReportTable,
    cell,
)
from kyosai_desktop.services.safe_output import csv_percent
from kyosai_desktop.services.safe_output import write_csv as write_table_csv

if TYPE_CHECKING:
    from kyosai_desktop.services.ops.changes import OpChanges

FIXED_CSV = [
    "自治労県コード",
    "県名",
    "単組コード",
    "加入拡大モデル単組",
    "組合員数",
    "団生保有",
    "加入率",
    "発効",
]
TAIL_CSV = ["累積件数", "目標件数", "前年比", "達成率", "残件数"]


@dataclass
class ModelUnionReport:
    """Rows and totals as numbers (``rows``/``totals``) and as a table (``table``)."""

    layout: TableLayout
    pref_code: str | None  # None: 全国
    scope_label: str  # "全国" / "宮城"
    rows: list[ModelUnionRow]
    totals: ModelUnionTotals
    table: ReportTable


def default_as_of(ctx: AppContext, fiscal_year: int) -> str:
    """The as-of month of the year's imported sheet, else the latest 団生 month of the year, else its start."""
    info = ctx.model_unions.year_info(fiscal_year)
    year = ctx.fiscal_years.model_year(fiscal_year)
    latest = ctx.model_unions.latest_month(fiscal_year, year.first, year.last)
    candidates = [m for m in (info.as_of if info else None, latest) if m and year.first <= m]
    return min(max(candidates), year.last) if candidates else year.first


@dataclass(frozen=True)
class YearData:
    """Every designated unit of a year (national) and their 団生 counts over [first, last]."""

    units: list[ModelUnionInput]
    monthly: dict[int, dict[str, int]]


def build_report(
    ctx: AppContext,
    fiscal_year: int,
    as_of: str,
    *,
    pref_code: str | None = None,
    start_month: int | None = None,
    data: YearData | None = None,
) -> ModelUnionReport:
    """The table of ``fiscal_year`` as of ``as_of`` (all model unions, or one prefecture's).

    ``data``: the year's national units and counts already fetched (see :class:`ReportCache`);
    a prefecture's table is then that data filtered, without another query.
    """
    start = start_month or ctx.fiscal_years.model_year(fiscal_year).start_month
    check_as_of(as_of, FiscalYear(fiscal_year, start))
    layout = TableLayout(fiscal_year, start, as_of)
    first, last = layout.years[0].first, layout.current.last
    if data is None:
        units = ctx.model_unions.inputs(fiscal_year, pref_code)
        monthly = ctx.model_unions.monthly_counts(
            [u.union_id for u in units] if pref_code else None, first, last
        )
    else:
        units = (
            data.units if pref_code is None else [u for u in data.units if u.pref_code == pref_code]
        )
        monthly = data.monthly
    rows, totals = compute_table(units, monthly, layout)
    scope = "全国" if pref_code is None else (ctx.prefectures.name_of(pref_code) or pref_code)
    table = report_table(rows, totals, layout, scope)
    info = ctx.model_unions.year_info(fiscal_year)
    if info and info.sheet_start_month and info.sheet_start_month != start:
        covered = FiscalYear(layout.years[0].year, info.sheet_start_month).first
        missing = [m for m in layout.year_months[0] if m < covered]
        if missing:
            table.notes.append(
                f"本部シートは {info.sheet_start_month}月開始のため、{'・'.join(month_label(m) for m in missing)}"
                " の件数は含まれていません (0 件として集計)。"
            )
    return ModelUnionReport(layout, pref_code, scope, rows, totals, table)


class ReportCache:
    """Model-union reports per (year, as-of, scope, start month), each built once.

    The screen asks again on every refresh and scope change; a national table of 3,000
    unions takes a few hundred milliseconds to fetch and lay out, a cached one nothing.  The
    year's national data is fetched once per month range and a prefecture's table is cut
    from it.  The owner calls :meth:`drop` when the data changes (see :func:`shows`).
    """

    KEEP = 8  # reports kept (year × as-of × scope × start month); the oldest goes first

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._reports: dict[tuple, ModelUnionReport] = {}
        self._data: dict[tuple[int, str, str], YearData] = {}

    def report(
        self,
        fiscal_year: int,
        as_of: str,
        *,
        pref_code: str | None = None,
        start_month: int | None = None,
    ) -> ModelUnionReport:
        start = start_month or self.ctx.fiscal_years.model_year(fiscal_year).start_month
        key = (fiscal_year, as_of, pref_code, start)
        found = self._reports.get(key)
        if found is None:
            check_as_of(as_of, FiscalYear(fiscal_year, start))
            layout = TableLayout(fiscal_year, start, as_of)
            span = (fiscal_year, layout.years[0].first, layout.current.last)
            data = self._data.get(span)
            if data is None:
                data = self._data[span] = YearData(
                    self.ctx.model_unions.inputs(fiscal_year),
                    self.ctx.model_unions.monthly_counts(None, span[1], span[2]),
                )
            found = build_report(
                self.ctx, fiscal_year, as_of, pref_code=pref_code, start_month=start, data=data
            )
            while len(self._reports) >= self.KEEP:
                self._reports.pop(next(iter(self._reports)))
            self._reports[key] = found
        return found

    def drop(self) -> None:
        self._reports.clear()
        self._data.clear()

    def apply_counts(self, counts: Sequence[tuple[int, str, int | None]]) -> None:
        """Take 団生 counts written since (union id, month, new count or None) into the cached
        data and reports: only the unions written are computed again, then the 合計.

        The same figures as a rebuild (tests/test_model_unions_page.py compares them), in a
        few milliseconds instead of a fetch and layout of the whole table."""
        changed: set[int] = set()
        for (_fy, first, last), data in self._data.items():
            for union_id, month, count in counts:
                if first <= month <= last:
                    months = data.monthly.setdefault(union_id, {})
                    if count:
                        months[month] = count
                    else:
                        months.pop(month, None)
                    changed.add(union_id)
        if not changed:
            return
        for key, report in list(self._reports.items()):
            span = (
                report.layout.fiscal_year,
                report.layout.years[0].first,
                report.layout.current.last,
            )
            cached = self._data.get(span)
            where = [i for i, row in enumerate(report.rows) if row.unit.union_id in changed]
            if cached is None or not where:
                continue
            rows = list(report.rows)
            cells = list(report.table.rows)
            for i in where:
                rows[i] = compute_row(
                    rows[i].unit, cached.monthly.get(rows[i].unit.union_id, {}), report.layout
                )
                cells[i] = _row_cells(rows[i])
            totals = compute_totals(totals_scope(rows), report.layout)
            table = replace(
                report.table, rows=cells, totals=[_total_cells(totals)], summary=_summary(totals)
            )
            self._reports[key] = ModelUnionReport(
                report.layout, report.pref_code, report.scope_label, rows, totals, table
            )


def model_counts(ctx: AppContext, changes: OpChanges) -> list[tuple[int, str, int | None]] | None:
    """The 団体生命共済 counts a change set wrote, as (union id, month, new count), in order —
    the only results this table shows; None when a results row is not a plain count write
    (then the table must be built again)."""
    product = str(ctx.model_unions.product_id())
    out = []
    for row in changes.rows_of("results"):
        parts = row.key.split(":")
        if (
            len(parts) != 3
            or row.field != "count"
            or not (row.new is None or isinstance(row.new, int))
        ):
            return None
        union_id, product_id, month = parts
        if product_id == product:
            out.append((int(union_id), month, row.new))
    return out


# ------------------------------------------------------------------ the ReportTable


def _month_title(ym: str) -> str:
    return f"{split_month(ym)[1]}月"


def columns(layout: TableLayout) -> list[Column]:
    cols = [
        Column("pref_code", "自治労県コード", CODE, width=3, frozen=True),
        Column("pref_name", "県名", TEXT, width=3, frozen=True),
        Column("union_code", "単組コード", CODE, width=2.5, frozen=True),
        Column("name", "加入拡大モデル単組", TEXT, width=10, frozen=True),
        Column("members", "組合員数", COUNT, width=3),
        Column("holdings", "団生保有", COUNT, width=3),
        Column("join_rate", "加入率", PERCENT, width=3.6),
        Column("effective", "発効", CODE, width=2.5),
    ]
    for year in layout.previous_years:
        cols.append(Column(f"year_total:{year.year}", f"{year.year}年度実績", COUNT, width=3))
    for i, year in enumerate(layout.years):
        band = f"{year.year}年度"
        for month in layout.year_months[i]:
            cols.append(Column(f"month:{month}", _month_title(month), COUNT, band=band, width=1.6))
        if i < len(layout.years) - 1:
            cols.append(
                Column(f"to_date:{year.year}", layout.to_date_label, COUNT, band=band, width=4)
            )
    cols += [
        Column("cumulative", "累積件数", COUNT, width=2.5),
        Column("target", "目標件数", COUNT, width=2.5),
        Column("yoy", "前年比", SIGNED, width=2.5),
        Column("rate", "達成率", PERCENT, width=3.6, toned=True),
        Column("remaining", "残件数", COUNT, width=2.5),
        Column("pref_name_end", "県名", TEXT, width=3),
    ]
    return cols


_BLANK = Cell(None, "")


@cache
def _count(value: int) -> Cell:
    return Cell(value, format_count(value))


@cache
def _month_cell(value: int | None) -> Cell:
    """Monthly counts print blank for 0, as headquarters' table does."""
    return _BLANK if not value else Cell(value, format_count(value))


@cache
def _code(value: str) -> Cell:
    return Cell(value, value)


@cache
def _percent(value, tone: str | None = None) -> Cell:
    return cell(value, PERCENT, tone=tone)


@cache
def _signed(value: int) -> Cell:
    return cell(value, SIGNED)


def _row_cells(r: ModelUnionRow) -> list[Cell]:
    u = r.unit
    out = [
        _code(u.pref_code),
        _code(u.pref_name),
        _code(u.union_code),
        Cell(u.name, u.name),
        _count(u.members) if u.members is not None else _BLANK,
        _count(u.holdings) if u.holdings is not None else _BLANK,
        _percent(r.join_rate),
        _code(f"{u.effective_month}月") if u.effective_month else _BLANK,
    ]
    out += map(_count, r.year_totals)
    last = len(r.months) - 1
    for i, months in enumerate(r.months):
        out += map(_month_cell, months)
        if i != last:
            out.append(_count(r.to_date[i]))
    tooltip = (
        None
        if r.remaining is None
        else f"目標 {u.target:,} − 累積 {r.cumulative:,} = {r.remaining:,}"
    )
    out += [
        _count(r.cumulative),
        _count(u.target) if u.target is not None else Cell(None, DASH),
        _signed(r.yoy),
        _percent(r.rate, r.tone),
        Cell(r.remaining, format_count(r.remaining), tooltip=tooltip)
        if r.remaining is not None
        else Cell(None, DASH),
        _code(u.pref_name),
    ]
    if not u.in_national:
        out[3] = Cell(u.name, u.name, tooltip="社保労連: 全国集計 (合計) に含みません")
    return out


def _total_cells(t: ModelUnionTotals) -> list[Cell]:
    out = [
        Cell("合計", "合計", TOTAL),
        _BLANK,
        _BLANK,
        Cell(t.count, f"{t.count} 単組"),
        _count(t.members),
        _count(t.holdings),
        cell(t.join_rate, PERCENT),
        _BLANK,
    ]
    out += [_count(v) for v in t.year_totals]
    last = len(t.months) - 1
    for i, months in enumerate(t.months):
        out += [_BLANK if v is None else _count(v) for v in months]
        if i != last:
            out.append(_count(t.to_date[i]))
    out += [
        _count(t.cumulative),
        _count(t.target),
        cell(t.yoy, SIGNED),
        cell(t.rate, PERCENT, tone=t.tone),
        cell(t.remaining, COUNT),
        _BLANK,
    ]
    return out


def _summary(t: ModelUnionTotals) -> list[tuple[str, str]]:
    return [
        ("取組単組", f"{t.count} 単組"),
        ("目標", f"{format_count(t.target)} 件"),
        ("実績", f"{format_count(t.cumulative)} 件"),
        ("到達率", format_percent(t.rate)),
        ("目標達成単組", f"{t.achieved_count} 単組"),
    ]


def report_table(
    rows: Sequence[ModelUnionRow], totals: ModelUnionTotals, layout: TableLayout, scope: str
) -> ReportTable:
    fy = layout.fiscal_year
    notes = [
        f"累積件数は {layout.start_label} ({layout.current.first[:4]}年{layout.start_month}月) から"
        f" {split_month(layout.as_of)[0]}年{layout.as_of_month}月までの団体生命共済 新契約件数 (発効月)。",
        f"前年比 = 累積件数 − {fy - 1}年度の{layout.to_date_label} (件)。達成率 = 累積件数 ÷ 目標件数。"
        " 残件数 = 目標件数 − 累積件数 (超過はマイナス、合計は差引)。",
    ]
    if any(not r.unit.in_national for r in rows):
        notes.append("社保労連 (60) は加入拡大モデル単組の全国集計 (合計) に含みません。")
    summary = _summary(totals)
    return ReportTable(
        title=f"{fy}年度 加入拡大モデル単組 取り組み状況 ({layout.start_label})",
        subtitle=f"{scope} · {layout.period_text}",
        columns=columns(layout),
        rows=[_row_cells(r) for r in rows],
        totals=[_total_cells(totals)],
        summary=summary,
        notes=notes,
        row_keys=[r.unit.union_id for r in rows],
        group_by="pref_name",
        legend=dict(LEGEND),
    )


# ------------------------------------------------------------------ CSV / xlsx


def csv_headers(layout: TableLayout) -> list[str]:
    years = [f"{y.year}年度実績" for y in layout.previous_years]
    months = [f"{y}年{m}月" for y, m in (split_month(x) for x in layout.year_months[-1])]
    return [*FIXED_CSV, *years, *TAIL_CSV, *months]


OUTSIDE_NOTE = "※ 社保労連 (60) は加入拡大モデル単組の全国集計 (合計) に含みません。"


def csv_rows(report: ModelUnionReport) -> list[list[object]]:
    """The CSV convention: raw numbers, rates ``59.5%``, blank where there is no figure.

    As headquarters prints it (DOMAIN §5): the unions of the national total, the 合計 row, then
    the ※ note and the 社保労連 (60) rows, which the 合計 does not include.
    """

    def union_row(r) -> list[object]:
        u = r.unit
        return [
            u.pref_code,
            u.pref_name,
            u.union_code,
            u.name,
            u.members,
            u.holdings,
            csv_percent(r.join_rate),
            f"{u.effective_month}月" if u.effective_month else "",
            *r.year_totals,
            r.cumulative,
            u.target,
            r.yoy,
            csv_percent(r.rate),
            r.remaining,
            *r.months[-1],
        ]

    out: list[list[object]] = [union_row(r) for r in report.rows if r.unit.in_national]
    t = report.totals
    out.append(
        [
            "合計",
            "",
            "",
            "",
            t.members,
            t.holdings,
            csv_percent(t.join_rate),
            "",
            *t.year_totals,
            t.cumulative,
            t.target,
            t.yoy,
            csv_percent(t.rate),
            t.remaining,
            *t.months[-1],
        ]
    )
    outside = [union_row(r) for r in report.rows if not r.unit.in_national]
    if outside:
        note: list[object] = [OUTSIDE_NOTE, *([""] * (len(out[-1]) - 1))]
        out.append(note)
        out += outside
    return out


def write_csv(report: ModelUnionReport, path: Path | str) -> Path:
    """One row per union and the 合計 row (UTF-8 with BOM so Excel reads it), atomically."""
    return write_table_csv(path, csv_headers(report.layout), csv_rows(report))


def printed_table(report: ModelUnionReport) -> ReportTable:
    """``report.table`` as headquarters prints it (DOMAIN §5): the 社保労連 (60) rows, which the
    合計 leaves out, after the 合計 row under the ※ note (xlsx, PDF and screen alike)."""
    table = report.table
    outside = {r.unit.union_id for r in report.rows if not r.unit.in_national}
    if not outside:
        return table
    keep = [i for i, key in enumerate(table.row_keys) if key not in outside]
    moved = [i for i, key in enumerate(table.row_keys) if key in outside]
    return replace(
        table,
        rows=[table.rows[i] for i in keep],
        row_keys=[table.row_keys[i] for i in keep],
        after_totals=[table.rows[i] for i in moved],
        after_totals_keys=[table.row_keys[i] for i in moved],
        after_totals_note=OUTSIDE_NOTE,
        notes=[n for n in table.notes if not n.startswith("社保労連 (60)")],
    )


def write_xlsx(report: ModelUnionReport, path: Path | str, *, paper: str = "A4") -> Path:
    """The print-ready workbook (print titles, one page wide, number formats, fills)."""
    layout = report.layout
    from kyosai_desktop.services.xlsx_report import write_report_xlsx  # openpyxl: xlsx only

    return write_report_xlsx(
        printed_table(report),
        path,
        paper=paper,
        landscape=True,
        sheet_title=f"モデル単組 {layout.fiscal_year} {layout.start_label}",
    )
