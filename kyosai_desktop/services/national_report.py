"""The national roll-up at headquarters, and its report in the seed 004 §1 form.

For a fiscal year, each product is cut at its own as-of month (団生 as of 2025-01,
マイカー as of 2024-12 …): 実績 = Σ of every branch's monthly results from the year's start
month through that month; 目標 = Σ of the branches' own targets (第2次 over 第1次).  社保労連
(60) and any other code outside the national total (``prefectures.in_national``) is left
out.  到達率 is truncated to 2 decimals with integer arithmetic (domain/rates.reach_rate);
a branch reached its target when 実績 ≥ 目標 > 0.

Three outputs from the same figures: :func:`national_report_table` (the §1 form as a
ReportTable: screen, print, PDF, Excel), :func:`branch_matrix_table` (every branch ×
product, coloured by progress, for HQ staff; the pivot is done with pandas) and
:func:`write_national_csv` (the machine-readable CSV a branch imports back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kyosai_desktop.domain import tones
from kyosai_desktop.domain.months import FiscalYear, check_as_of, month_label
from kyosai_desktop.domain.rates import reach_rate
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.report_table import (
    CODE,
    COUNT,
    PERCENT,
    TEXT,
    Cell,
    Column,
    ReportTable,
    cell,
)
from kyosai_desktop.services.safe_output import csv_percent, write_csv

CSV_HEADERS = [
    "商品",
    "集計月",
    "県支部コード",
    "県支部",
    "目標",
    "実績",
    "到達率",
    "目標達成",
    "目標達成県支部数",
]
NATIONAL_CODE = "00"
NATIONAL_NAME = "全国"


@dataclass(frozen=True)
class BranchFigure:
    pref_code: str
    pref_name: str
    target: int | None
    actual: int

    @property
    def reach(self):
        return reach_rate(self.actual, self.target)

    @property
    def reached(self) -> bool:
        return bool(self.target) and self.actual >= self.target  # type: ignore[operator]


@dataclass(frozen=True)
class ProductRollup:
    product_id: int
    product: str
    as_of: str
    target: int
    actual: int
    branches: list[BranchFigure]  # every national branch with a target or a figure, by code

    @property
    def reach(self):
        return reach_rate(self.actual, self.target)

    @property
    def reached(self) -> list[BranchFigure]:
        return [b for b in self.branches if b.reached]


@dataclass(frozen=True)
class NationalReport:
    year: FiscalYear
    as_of: str
    products: list[ProductRollup]
    excluded: dict[str, dict[int, int]]  # 社保労連 etc.: pref → {product: 実績}, not in the totals
    branch_names: dict[str, str]
    senders: int  # national branches whose package is held

    @property
    def title(self) -> str:
        return f"{self.year.label} 新契約件数 主要共済の実績 (全国)"

    def product(self, name: str) -> ProductRollup:
        for p in self.products:
            if p.product == name:
                return p
        raise KeyError(name)


def build_national_report(
    ctx: AppContext, fiscal_year: int, as_of: str, product_as_of: Mapping[int, str] | None = None
) -> NationalReport:
    """Roll every held branch up; ``product_as_of`` = {product id: YYYY-MM} overrides ``as_of``."""
    product_as_of = dict(product_as_of or {})
    year = ctx.fiscal_years.results_year(fiscal_year)
    for month in (as_of, *product_as_of.values()):
        check_as_of(month, year)  # a month outside the year would print zeros or stop silently
    prefs = ctx.prefectures.all()
    names = {p.code: p.name for p in prefs}
    national = {p.code for p in prefs if p.in_national}
    targets = ctx.hq.branch_targets(fiscal_year)
    cut = dict(product_as_of)
    last = max([as_of, *cut.values()])
    actual: dict[tuple[str, int], int] = {}
    for pref, product, month, count in ctx.hq.branch_actuals(year.first, min(last, year.last)):
        if month <= cut.get(product, as_of):
            actual[(pref, product)] = actual.get((pref, product), 0) + count
    rollups = []
    for p in ctx.products.all():
        prefs_with = sorted({pref for pref, pid in targets if pid == p.id and pref in national})
        total_target = sum(targets[(pref, p.id)] for pref in prefs_with)
        if not total_target:
            continue  # no national target this year: not a line of the §1 report
        involved = sorted(
            set(prefs_with) | {pref for pref, pid in actual if pid == p.id and pref in national}
        )
        branches = [
            BranchFigure(
                pref, names.get(pref, pref), targets.get((pref, p.id)), actual.get((pref, p.id), 0)
            )
            for pref in involved
        ]
        rollups.append(
            ProductRollup(
                p.id,
                p.name,
                product_as_of.get(p.id, as_of),
                total_target,
                sum(b.actual for b in branches),
                branches,
            )
        )
    excluded: dict[str, dict[int, int]] = {}
    for (pref, pid), count in actual.items():
        if pref not in national:
            excluded.setdefault(pref, {})[pid] = count
    senders = sum(1 for pref in ctx.hq.packages() if pref in national)
    return NationalReport(year, as_of, rollups, excluded, names, senders)


# ---------------------------------------------------------------- the §1 form


def national_report_table(report: NationalReport) -> ReportTable:
    """Per product: the national line (目標 · 実績 · 到達率 · 目標達成県支部 N 県), then each
    branch that reached its target (or なし), as in seed 004 §1."""
    columns = [
        Column("product", "商品", TEXT, width=14),
        Column("as_of", "集計月", TEXT, width=7),
        Column("branch", "県支部", TEXT, width=5),
        Column("target", "目標", COUNT, width=6),
        Column("actual", "実績", COUNT, width=6),
        Column("reach", "到達率", PERCENT, width=7, decimals=2),
        Column("reached", "目標達成県支部", TEXT, width=7),
    ]
    rows: list[list[Cell]] = []
    keys: list[object] = []
    for p in report.products:
        month = month_label(p.as_of)
        reached = p.reached
        tip = f"{p.actual:,} ÷ {p.target:,} (小数第2位未満切り捨て)"
        rows.append(
            [
                cell(p.product, tone=tones.TOTAL),
                cell(month, tone=tones.TOTAL),
                cell(NATIONAL_NAME, tone=tones.TOTAL),
                cell(p.target, COUNT, tone=tones.TOTAL),
                cell(p.actual, COUNT, tone=tones.TOTAL),
                cell(p.reach, PERCENT, decimals=2, tone=tones.TOTAL, tooltip=tip),
                cell(len(reached), text=f"{len(reached)} 県", tone=tones.TOTAL),
            ]
        )
        keys.append((p.product_id, NATIONAL_CODE))
        for b in reached:
            rows.append(
                [
                    cell(p.product),
                    cell(month, text=""),
                    cell(b.pref_name),
                    cell(b.target, COUNT),
                    cell(b.actual, COUNT),
                    cell(b.reach, PERCENT, decimals=2, tone=tones.ACHIEVED),
                    cell("○"),
                ]
            )
            keys.append((p.product_id, b.pref_code))
        if not reached:
            rows.append(
                [
                    cell(p.product),
                    cell(month, text=""),
                    cell("なし"),
                    cell(None, TEXT),
                    cell(None, TEXT),
                    cell(None, TEXT),
                    cell(""),
                ]
            )
            keys.append((p.product_id, None))
    as_ofs = sorted({p.as_of for p in report.products})
    summary = [
        (
            "年度",
            f"{report.year.label} ({month_label(report.year.first)}〜{month_label(report.year.last)} 発効分)",
        ),
        ("集計月", "・".join(month_label(m) for m in as_ofs) or month_label(report.as_of)),
        ("報告済み県支部", f"{report.senders} / 47"),
    ]
    notes = [
        "実績は発効月で集計 (年度の開始月から各商品の集計月まで)。目標は各県支部の目標 (第2次があれば第2次) の合計。",
        "到達率 = 実績 ÷ 目標 (小数第2位未満切り捨て)。目標達成県支部 = 実績が目標以上の県支部。",
        _excluded_note(report),
    ]
    return ReportTable(
        title=report.title,
        columns=columns,
        rows=rows,
        summary=summary,
        notes=[n for n in notes if n],
        row_keys=keys,
        group_by="product",
        subtitle="1. 新契約件数 主要共済の実績",
    )


def _excluded_note(report: NationalReport) -> str:
    if not report.excluded:
        return "社保労連 (60) は全国計に含めません。"
    parts = []
    for pref, by_product in sorted(report.excluded.items()):
        parts.append(
            f"{report.branch_names.get(pref, pref)} ({pref}) 実績 {sum(by_product.values()):,} 件"
        )
    return "全国計に含めないもの: " + "、".join(parts) + "。"


# ---------------------------------------------------------------- all branches × products


def branch_matrix_table(
    report: NationalReport, ctx_prefs: list[tuple[str, str]] | None = None
) -> ReportTable:
    """Every branch (rows) × product (目標 · 実績 · 到達率 bands), 全国 as the totals row.

    The cross-table is a pandas pivot of the roll-up's long figures; 到達率 is coloured by
    progress against the share of each product's year elapsed at its as-of month.
    """
    import pandas as pd

    long = pd.DataFrame(
        [
            (b.pref_code, p.product_id, b.target, b.actual)
            for p in report.products
            for b in p.branches
        ],
        columns=["pref", "product", "target", "actual"],
    )
    prefs = ctx_prefs or sorted(
        (c, n) for c, n in report.branch_names.items() if c not in report.excluded and c != "60"
    )
    if len(long):
        target = long.pivot_table(index="pref", columns="product", values="target", aggfunc="sum")
        actual = long.pivot_table(index="pref", columns="product", values="actual", aggfunc="sum")
    else:
        target = actual = pd.DataFrame()

    def value(frame, pref: str, pid: int) -> int | None:
        if pref not in frame.index or pid not in frame.columns:
            return None
        v = frame.at[pref, pid]
        return None if pd.isna(v) else int(v)

    columns = [
        Column("pref_code", "県コード", CODE, width=3, frozen=True),
        Column("pref", "県支部", TEXT, width=5, frozen=True),
    ]
    for p in report.products:
        band = f"{p.product} ({month_label(p.as_of)})"
        columns += [
            Column(f"t{p.product_id}", "目標", COUNT, band=band, width=4),
            Column(f"a{p.product_id}", "実績", COUNT, band=band, width=4),
            Column(
                f"r{p.product_id}", "到達率", PERCENT, band=band, width=5, decimals=2, toned=True
            ),
        ]
    elapsed = {
        p.product_id: tones.elapsed_share(len(report.year.months_to(p.as_of)))
        for p in report.products
    }
    rows: list[list[Cell]] = []
    keys: list[object] = []
    for code, name in prefs:
        row = [cell(code, CODE), cell(name)]
        for p in report.products:
            t, a = value(target, code, p.product_id), value(actual, code, p.product_id)
            if a is None and code in actual.index:
                a = 0  # a branch that reported, with no figure for this product
            row += [
                cell(t, COUNT),
                cell(a, COUNT),
                cell(
                    None if a is None else reach_rate(a, t),
                    PERCENT,
                    decimals=2,
                    tone=tones.progress_tone(a, t, elapsed[p.product_id]),
                ),
            ]
        rows.append(row)
        keys.append(code)
    total = [cell(NATIONAL_CODE, CODE, tone=tones.TOTAL), cell(NATIONAL_NAME, tone=tones.TOTAL)]
    for p in report.products:
        total += [
            cell(p.target, COUNT, tone=tones.TOTAL),
            cell(p.actual, COUNT, tone=tones.TOTAL),
            cell(p.reach, PERCENT, decimals=2, tone=tones.TOTAL),
        ]
    return ReportTable(
        title=f"{report.year.label} 県支部別 新契約実績 (全県支部 × 商品)",
        columns=columns,
        rows=rows,
        totals=[total],
        row_keys=keys,
        legend=dict(tones.LEGEND),
        summary=[("報告済み県支部", f"{report.senders} / 47")],
        notes=[
            "到達率 = 実績 ÷ 目標 (小数第2位未満切り捨て)。色分けは各商品の集計月までの経過割合と比べた進み具合。",
            _excluded_note(report),
        ],
    )


# ---------------------------------------------------------------- CSV


def national_csv_rows(report: NationalReport) -> list[list[object]]:
    """A 全国 row (code 00) per product, then each branch with a target for it."""
    rows: list[list[object]] = []
    for p in report.products:
        reached = p.reached
        rows.append(
            [
                p.product,
                p.as_of,
                NATIONAL_CODE,
                NATIONAL_NAME,
                p.target,
                p.actual,
                csv_percent(p.reach),
                "○" if p.actual >= p.target else "",
                len(reached),
            ]
        )
        for b in p.branches:
            if b.target is None:
                continue
            rows.append(
                [
                    p.product,
                    p.as_of,
                    b.pref_code,
                    b.pref_name,
                    b.target,
                    b.actual,
                    csv_percent(b.reach),
                    "○" if b.reached else "",
                    "",
                ]
            )
    return rows


def write_national_csv(report: NationalReport, out: Path | str) -> Path:
    """The machine-readable national CSV (the shared safe CSV writer: UTF-8 with BOM, atomic)."""
    return write_csv(out, CSV_HEADERS, national_csv_rows(report))


# ---------------------------------------------------------------- who has sent a package


def branch_status_table(ctx: AppContext) -> ReportTable:
    """The 47 branches (and 社保労連) with the package held for each: 年度, 作成, 取り込み;
    the ones that have not sent one are marked 未送信 (tone flagged) and listed in the summary."""
    held = ctx.hq.packages()
    columns = [
        Column("pref_code", "県コード", CODE, width=3),
        Column("pref", "県支部", TEXT, width=5),
        Column("state", "状況", TEXT, width=4),
        Column("fy", "年度", TEXT, width=5),
        Column("created", "作成日時 (県支部)", TEXT, width=9),
        Column("imported", "取り込み日時", TEXT, width=9),
        Column("cells", "実績セル数", COUNT, width=5),
        Column("file", "ファイル", TEXT, width=12),
    ]
    rows: list[list[Cell]] = []
    keys: list[object] = []
    missing = []
    for p in ctx.prefectures.all():
        h = held.get(p.code)
        if h is None:
            if p.in_national:
                missing.append(p.name)
            rows.append(
                [
                    cell(p.code, CODE),
                    cell(p.name),
                    cell("未送信", tone=tones.FLAGGED if p.in_national else None),
                    cell(None),
                    cell(None),
                    cell(None),
                    cell(None, COUNT),
                    cell(None),
                ]
            )
        else:
            rows.append(
                [
                    cell(p.code, CODE),
                    cell(p.name),
                    cell("報告済み", tone=tones.ACHIEVED),
                    cell(h.fiscal_year, text=f"{h.fiscal_year}年度"),
                    cell(h.created_at, text=h.created_at[:16].replace("T", " ")),
                    cell(h.imported_at, text=h.imported_at[:16].replace("T", " ")),
                    cell(h.counts.get("results.csv"), COUNT),
                    cell(h.file_name or ""),
                ]
            )
        keys.append(p.code)
    sent = sum(1 for p in ctx.prefectures.all() if p.in_national and p.code in held)
    summary = [
        ("報告済み", f"{sent} / 47 県支部"),
        ("未送信", "、".join(missing) if missing else "なし"),
    ]
    return ReportTable(
        title="県支部からの報告パッケージ",
        columns=columns,
        rows=rows,
        row_keys=keys,
        summary=summary,
        notes=["社保労連 (60) は全国計に含めません。"],
    )
