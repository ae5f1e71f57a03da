"""県支部 実績: per product 目標 · 実績 · 到達率 · 前年同期 · 差 · 付帯率 (data first).

実績 is counted from the fiscal year's start month (June for 2024, DOMAIN §3) through the
as-of month; the same period last year is the twelve-months-earlier window.  到達率 uses
the national report's rule (2 decimals, truncated); 付帯率 = rider ÷ its parent, 1 decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kyosai_desktop.domain import tones
from kyosai_desktop.domain.months import FiscalYear, check_as_of, month_label
from kyosai_desktop.domain.rates import (
    format_percent,
    percent_round,
    reach_rate,
)
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.report_table import (
    COUNT,
    PERCENT,
    SIGNED,
    TEXT,
    Cell,
    Column,
    ReportTable,
    cell,
)
from kyosai_desktop.services.safe_output import csv_percent, write_csv
from kyosai_desktop.store.national import NATIONAL

HEADERS = ["商品", "目標", "実績", "到達率", "前年同期実績", "前年同期差"]

# HQ's 付帯率 goals (seed 000 L403: 車両損害補償付帯率 60.6 %).  A setting
# ``rider_goal:<product>`` overrides or adds one; the goal is stated on contracts in force.
RIDER_GOAL_DEFAULTS = {"車両損害補償": Decimal("60.6")}
RIDER_GOAL_KEY = "rider_goal:"


@dataclass(frozen=True)
class NationalPlace:
    """A product's national figures as headquarters sent them, and this branch's place."""

    as_of: str
    target: int | None
    actual: int
    rank: int | None = None  # this branch's place by 到達率 among the branches listed
    ranked: int | None = None  # how many branches with a target were listed

    @property
    def reach(self) -> Decimal | None:
        return reach_rate(self.actual, self.target)

    @property
    def place(self) -> str:
        return "" if self.rank is None else f"{self.rank}位／{self.ranked}"


@dataclass(frozen=True)
class ProgressRow:
    product_id: int
    product: str
    target: int | None
    actual: int
    last_year: int
    rider_of: str | None = None
    rider_rate: Decimal | None = None
    target_version: str | None = None  # 第1次 / 第2次: which version the target comes from
    active: bool = True  # the product is on sale during the year
    national: NationalPlace | None = None  # headquarters' national figures, once imported

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
    national_source: str | None = None  # the imported national file, when there is one

    @property
    def has_national(self) -> bool:
        return any(r.national is not None for r in self.rows)

    @property
    def title(self) -> str:
        who = f"{self.pref_name}県支部" if self.pref_name else "全体"
        return f"{self.year.label} {who} 新契約実績 ({month_label(self.as_of)}末現在)"

    @property
    def period(self) -> str:
        return (
            f"{month_label(self.year.first)}〜{month_label(min(self.as_of, self.year.last))} 発効分"
        )

    def csv_rows(self) -> list[list[object]]:
        """The CSV rows (the export convention: raw numbers, rates ``46.24%``, a 合計 row last)."""
        national = self.has_national
        rows: list[list[object]] = []
        for r in self.rows:
            row: list[object] = [
                r.product,
                r.target,
                r.actual,
                csv_percent(r.reach),
                r.last_year,
                r.diff,
            ]
            if national:
                row.append(csv_percent(r.national.reach if r.national else None))
            rows.append(row)
        t = totals_of(self.rows)
        total: list[object] = [
            "合計",
            t.target,
            t.actual,
            csv_percent(t.reach),
            t.last_year,
            t.diff,
        ]
        rows.append(total + ([""] if national else []))
        return rows

    def headers(self) -> list[str]:
        """The CSV header: + 全国到達率 once headquarters' national figures are imported."""
        return HEADERS + (["全国到達率"] if self.has_national else [])


@dataclass(frozen=True)
class ProgressTotals:
    """The 合計 (新契約総件数) row: its printed 実績 ÷ its printed 目標, never averaged.

    目標 is the sum of the targets set; 実績 counts every product, those without a target
    included (新契約総件数 counts every new contract), so the printed figures give the printed
    rate.  ``untargeted_actual`` (and ``untargeted``, their names) say how much of 実績 comes
    from products without a target, for the label and the footnote.
    """

    target: int | None
    actual: int
    targeted_actual: int
    last_year: int
    untargeted: tuple[str, ...] = ()

    @property
    def reach(self) -> Decimal | None:
        return reach_rate(self.actual, self.target)

    @property
    def untargeted_actual(self) -> int:
        return self.actual - self.targeted_actual

    @property
    def diff(self) -> int:
        return self.actual - self.last_year


def totals_of(rows: list[ProgressRow]) -> ProgressTotals:
    target = sum(r.target for r in rows if r.target is not None)
    untargeted = tuple(r.product for r in rows if r.target is None and r.actual)
    return ProgressTotals(
        target or None,
        sum(r.actual for r in rows),
        sum(r.actual for r in rows if r.target is not None),
        sum(r.last_year for r in rows),
        untargeted,
    )


def branch_progress(
    ctx: AppContext, fiscal_year: int, as_of: str, pref_code: str | None = None
) -> BranchProgress:
    pref_code = pref_code if pref_code is not None else ctx.branch
    year = ctx.fiscal_years.results_year(fiscal_year)
    check_as_of(as_of, year)
    end = as_of
    actual = ctx.results.totals_by_product(year.first, end, pref_code)
    ly_first, ly_last = year.same_period_last_year(as_of)
    last_year = ctx.results.totals_by_product(ly_first, ly_last, pref_code)
    targets = ctx.targets.effective(fiscal_year)
    second = ctx.targets.by_version(fiscal_year, "第2次")
    products = ctx.products.all()
    names = {p.id: p.name for p in products}
    national = national_places(ctx, fiscal_year, pref_code)
    rows = []
    for p in products:
        rider_rate = None
        if p.rider_of is not None:
            rider_rate = percent_round(actual.get(p.id, 0), actual.get(p.rider_of, 0), 1)
        rows.append(
            ProgressRow(
                product_id=p.id,
                product=p.name,
                target=targets.get(p.id),
                actual=actual.get(p.id, 0),
                last_year=last_year.get(p.id, 0),
                rider_of=names.get(p.rider_of) if p.rider_of else None,
                rider_rate=rider_rate,
                target_version=None
                if p.id not in targets
                else ("第2次" if p.id in second else "第1次"),
                active=_active_during(p.active_from, p.active_to, year),
                national=national.get(p.id),
            )
        )
    source = ctx.national.source(fiscal_year) if national else None
    return BranchProgress(
        pref_code,
        ctx.prefectures.name_of(pref_code) if pref_code else None,
        year,
        as_of,
        rows,
        source[0] if source else None,
    )


def national_places(
    ctx: AppContext, fiscal_year: int, pref_code: str | None
) -> dict[int, NationalPlace]:
    """Per product, the imported national figures and the branch's place by 到達率 among the
    branches headquarters listed (exact ratios; equal rates share a place)."""
    figures = ctx.national.figures(fiscal_year)
    by_product: dict[int, list] = {}
    for f in figures:
        by_product.setdefault(f.product_id, []).append(f)
    out: dict[int, NationalPlace] = {}
    for pid, items in by_product.items():
        total = next((f for f in items if f.pref_code == NATIONAL), None)
        if total is None:
            continue
        listed = [f for f in items if f.pref_code != NATIONAL and f.target]
        own = next((f for f in listed if f.pref_code == pref_code), None)
        rank = None
        if own is not None:
            rank = 1 + sum(1 for f in listed if f.actual * own.target > own.actual * f.target)
        out[pid] = NationalPlace(
            total.as_of, total.target, total.actual, rank, len(listed) if own else None
        )
    return out


def _national_cells(r: ProgressRow) -> list[Cell]:
    n = r.national
    if n is None:
        return [cell(None, PERCENT, decimals=2), cell("")]
    tip = f"全国 {n.actual:,} ÷ {n.target:,} ({month_label(n.as_of)}集計)" if n.target else None
    return [cell(n.reach, PERCENT, decimals=2, tooltip=tip), cell(n.place)]


def _total_note(t: ProgressTotals) -> str:
    """The 合計 row's footnote: which figures its rate divides, and what 実績 includes."""
    rate = "—" if t.reach is None else format_percent(t.reach)
    target = "—" if t.target is None else f"{t.target:,}"
    text = f"合計の到達率 = 実績合計 {t.actual:,} ÷ 目標合計 {target} = {rate} (各商品の到達率の平均ではありません)。"
    if t.untargeted_actual:
        text += f"実績合計には目標のない商品 ({'・'.join(t.untargeted)}) の {t.untargeted_actual:,}件を含みます。"
    return text


def _active_during(active_from: str | None, active_to: str | None, year: FiscalYear) -> bool:
    """A product is on sale during the year when its dates overlap the year's months."""
    return (active_from is None or active_from[:7] <= year.last) and (
        active_to is None or active_to[:7] >= year.first
    )


def write_branch_report(
    report: BranchProgress, out: Path | str, goals: dict[str, Decimal] | None = None
) -> Path:
    """CSV with the command line's fixed headers, or the same print-ready workbook as the screen's."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        write_csv(out, report.headers(), report.csv_rows())
    elif suffix == ".xlsx":
        from kyosai_desktop.services.xlsx_report import write_report_xlsx

        write_report_xlsx(
            branch_report_table(report, goals),
            out,
            paper="A4",
            landscape=True,
            sheet_title="県支部実績",
        )
    else:
        raise ValueError(f"出力形式は .csv か .xlsx です: {out.name}")
    return out


# ---------------------------------------------------------------- the ReportTable


def rider_goals(ctx: AppContext) -> dict[str, Decimal]:
    """付帯率 goals per rider product: the defaults, overridden by settings."""
    goals = dict(RIDER_GOAL_DEFAULTS)
    for name, value in ctx.settings.with_prefix(RIDER_GOAL_KEY).items():
        if value in (None, ""):
            goals.pop(name, None)
        else:
            goals[name] = Decimal(value)
    return goals


def elapsed_months(report: BranchProgress) -> int:
    """Months of the fiscal year from its start through the as-of month (0..12)."""
    return len(report.year.months_to(report.as_of))


def branch_report_table(
    report: BranchProgress, goals: dict[str, Decimal] | None = None
) -> ReportTable:
    """The 県支部 実績 as a ReportTable: one row per product, a 合計 row, tones by progress.

    到達率 is coloured against the share of the year elapsed (domain/tones); products not on
    sale that year and without any figure are left out.
    """
    goals = RIDER_GOAL_DEFAULTS if goals is None else goals
    months = elapsed_months(report)
    elapsed = tones.elapsed_share(months)
    columns = [
        Column("product", "商品", TEXT, width=12, frozen=True),
        Column("target", "目標", COUNT, width=6),
        Column("actual", "実績", COUNT, width=6),
        Column("reach", "到達率", PERCENT, width=6, decimals=2, toned=True),
        Column("last_year", "前年同期実績", COUNT, width=7),
        Column("diff", "前年同期差", SIGNED, width=6),
        Column("rider", "付帯率", PERCENT, width=5),
        Column("note", "備考", TEXT, width=16),
    ]
    national = report.has_national
    if national:  # headquarters' figures beside the branch's own (after `national import`)
        columns[4:4] = [
            Column("national_reach", "全国到達率", PERCENT, width=6, decimals=2),
            Column("national_place", "全国順位", TEXT, width=5),
        ]
    rows: list[list[Cell]] = []
    keys: list[object] = []
    for r in report.rows:
        if not r.active and r.target is None and not r.actual and not r.last_year:
            continue
        reach = r.reach
        tone = tones.progress_tone(r.actual, r.target, elapsed)
        notes = []
        if r.target_version == "第2次":
            notes.append("第2次目標")
        if r.target is None:
            notes.append("目標なし")
        rider_tip = None
        if r.rider_of is not None:
            goal = goals.get(r.product)
            notes.append(f"÷{r.rider_of}" + (f" (本部目標 {goal}%)" if goal is not None else ""))
            rider_tip = f"{r.product} {r.actual:,} ÷ {r.rider_of} の実績 (新契約ベース)"
        reach_tip = (
            None if reach is None else f"{r.actual:,} ÷ {r.target:,} (小数第2位未満切り捨て)"
        )
        rows.append(
            [
                cell(r.product),
                cell(r.target, COUNT),
                cell(r.actual, COUNT),
                cell(reach, PERCENT, decimals=2, tone=tone, tooltip=reach_tip),
                *(_national_cells(r) if national else []),
                cell(r.last_year, COUNT),
                cell(r.diff, SIGNED),
                cell(r.rider_rate, PERCENT, tooltip=rider_tip) if r.rider_of else cell(None, TEXT),
                cell("・".join(notes)),
            ]
        )
        keys.append(r.product_id)
    shown = [r for r in report.rows if r.product_id in keys]
    t = totals_of(shown)
    totals = [
        [
            cell("合計 (新契約総件数)", tone=tones.TOTAL),
            cell(t.target, COUNT, tone=tones.TOTAL),
            cell(t.actual, COUNT, tone=tones.TOTAL),
            cell(
                t.reach,
                PERCENT,
                decimals=2,
                tone=tones.TOTAL,
                tooltip=None
                if t.reach is None
                else f"{t.actual:,} ÷ {t.target:,} (実績合計 ÷ 目標合計、平均ではありません)",
            ),
            *([cell(None, TEXT, tone=tones.TOTAL), cell("", tone=tones.TOTAL)] if national else []),
            cell(t.last_year, COUNT, tone=tones.TOTAL),
            cell(t.diff, SIGNED, tone=tones.TOTAL),
            cell(None, TEXT, tone=tones.TOTAL),
            cell(
                f"目標なし商品 {t.untargeted_actual:,}件を含む" if t.untargeted_actual else "",
                tone=tones.TOTAL,
            ),
        ]
    ]
    summary = [
        ("集計期間", report.period),
        ("経過", f"{months}か月／12か月 ({percent_round(months, 12, 1)}%)"),
    ]
    for r in shown:
        if r.rider_of is not None:
            goal = goals.get(r.product)
            text = format_percent(r.rider_rate) + (
                f" (本部目標 {goal}%)" if goal is not None else ""
            )
            summary.append((f"{r.product}付帯率", text))
    notes = [
        "実績は発効月で集計 (年度の開始月から集計月まで)。前年同期は12か月前の同じ期間。",
        "到達率 = 実績 ÷ 目標 (小数第2位未満切り捨て)。目標が0または未設定の商品は「—」。"
        "第2次目標がある商品は第2次で計算。",
        f"色分けは年度の経過割合 ({months}/12) と比べた進み具合。",
        _total_note(t),
        "付帯率 = 付帯商品の新契約実績 ÷ 主契約商品の新契約実績 (小数第1位四捨五入)。"
        "本部の付帯率目標は保有契約ベースのため参考値。",
    ]
    if national:
        national_months = sorted({r.national.as_of for r in report.rows if r.national})
        summary.append(("全国", "・".join(month_label(m) for m in national_months)))
        notes.append(
            f"全国到達率・全国順位は本部の全国実績 ({report.national_source or '本部'}、集計月は商品ごと) による。"
            "順位は本部の表に載った目標のある県支部の中での到達率の順位。"
        )
    return ReportTable(
        title=report.title,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=summary,
        notes=notes,
        row_keys=keys,
        legend=dict(tones.LEGEND),
    )
