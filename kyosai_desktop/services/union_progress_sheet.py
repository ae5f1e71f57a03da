"""The 単組進捗シート (DOMAIN §7): one union's progress on one A4 page, as plain data.

For a union visit the clerk takes: the union's facts (組合員数, 団生保有, 加入率, 発効, 組織加入
judged against the threshold setting), this year's monthly new contracts per product
against the union's targets, its model-union status (目標, 累積, 達成率, 残件数, 前年比, the
months of the model year beside last year's), its open マイカー estimates with their
maturity dates, and the union's notes.  ``render/union_sheet_paper.py`` paints it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kyosai_desktop.domain.model_unions import (
    SHEET_START_MONTHS,
    ModelUnionInput,
    TableLayout,
    compute_row,
)
from kyosai_desktop.domain.months import FiscalYear, check_as_of, month_label
from kyosai_desktop.domain.rates import achievement_rate, join_rate, org_join_shortfall
from kyosai_desktop.domain.tones import elapsed_share, progress_tone
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.store.unions import Union

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class SheetsCancelled(Exception):
    """The clerk cancelled while the sheets were being prepared."""


@dataclass(frozen=True)
class ProductLine:
    product: str
    months: tuple[int | None, ...]  # the results year's 12 months; None after the as-of month
    total: int
    target: int | None
    rate: Decimal | None
    tone: str | None


@dataclass(frozen=True)
class ModelStatus:
    fiscal_year: int
    start_label: str  # "6月開始"
    months: tuple[str, ...]  # the model year's 12 months
    counts: tuple[int | None, ...]  # this year; None after as-of
    last_year: tuple[int, ...]  # the same months a year earlier
    target: int | None
    cumulative: int
    previous: int  # last year's same-period cumulative
    rate: Decimal | None
    remaining: int | None
    yoy: int
    achieved: bool
    tone: str | None
    elapsed: Fraction  # share of the year elapsed (for the progress bar)


@dataclass(frozen=True)
class EstimateLine:
    seq: int
    name: str
    role: str
    car: str
    maturity: str | None
    status: str
    campaign: str


@dataclass(frozen=True)
class OrgStatus:
    joined: bool  # 加入率 ≥ threshold
    threshold: float
    needed: int | None  # holdings still needed to reach the threshold
    registered: bool  # the master's 組織加入 flag

    @property
    def text(self) -> str:
        if self.joined:
            return f"組織加入 (加入率 {self.threshold:g}% 以上)"
        if self.needed is None:
            return "判定できません (組合員数が未登録)"
        return f"基準未満 — あと {self.needed:,} 件で {self.threshold:g}% (みなし組織加入が外れるおそれ)"


@dataclass(frozen=True)
class UnionSheet:
    union: Union
    pref_name: str
    fiscal_year: int
    as_of: str
    members: int | None
    holdings: int | None
    figures_as_of: str | None
    join_rate: Decimal | None
    effective_month: int | None
    org: OrgStatus
    results_year: FiscalYear
    months: tuple[str, ...]
    products: tuple[ProductLine, ...]
    model: ModelStatus | None
    estimates: tuple[EstimateLine, ...]
    note: str | None

    @property
    def title(self) -> str:
        return f"単組進捗シート {self.union.key} {self.union.name}"

    @property
    def as_of_text(self) -> str:
        return f"{month_label(self.as_of)}末現在"


def org_status(
    members: int | None, holdings: int | None, threshold: float, registered: bool
) -> OrgStatus:
    """組織加入 judged by 加入率 ≥ threshold, and how many holdings are still needed."""
    shortfall = org_join_shortfall(members, holdings, threshold)
    return OrgStatus(shortfall == 0, threshold, shortfall, registered)


def build_union_sheet(ctx: AppContext, union_id: int, fiscal_year: int, as_of: str) -> UnionSheet:
    union = ctx.unions.get(union_id)
    if union is None:
        raise KeyError(union_id)
    designation = ctx.model_unions.get(fiscal_year, union_id)
    members = (
        union.members
        if union.members is not None
        else (designation.members if designation else None)
    )
    holdings = (
        union.holdings
        if union.holdings is not None
        else (designation.holdings if designation else None)
    )
    effective = union.effective_month or (designation.effective_month if designation else None)
    year = ctx.fiscal_years.results_year(fiscal_year)
    # The sheet shows the results year and the model-union status of either of HQ's layouts.
    check_as_of(
        as_of,
        year,
        ctx.fiscal_years.model_year(fiscal_year),
        *(FiscalYear(fiscal_year, m) for m in SHEET_START_MONTHS),
    )
    months = tuple(year.months())
    end = min(as_of, year.last)
    grid = ctx.results.union_grid(union_id, year.first, year.last)
    targets = ctx.targets.effective(fiscal_year, union_id)
    elapsed = elapsed_share(len([m for m in months if m <= end]))
    products = []
    for p in ctx.products.active_on(as_of):
        counts = tuple(grid.get((p.id, m), 0) if m <= end else None for m in months)
        total = sum(v for v in counts if v)
        target = targets.get(p.id)
        if target is None and not total:
            continue
        products.append(
            ProductLine(
                p.name,
                counts,
                total,
                target,
                achievement_rate(total, target),
                progress_tone(total, target, elapsed),
            )
        )
    pref_name = ctx.prefectures.name_of(union.pref_code) or union.pref_code
    model = None
    if designation is not None:
        model = _model_status(ctx, union, pref_name, designation.target, fiscal_year, as_of)
    return UnionSheet(
        union=union,
        pref_name=pref_name,
        fiscal_year=fiscal_year,
        as_of=as_of,
        members=members,
        holdings=holdings,
        figures_as_of=union.figures_as_of,
        join_rate=join_rate(holdings, members),
        effective_month=effective,
        org=org_status(members, holdings, ctx.settings.org_join_threshold, union.org_joined),
        results_year=year,
        months=months,
        products=tuple(products),
        model=model,
        estimates=_estimates(ctx, union_id),
        note=union.note,
    )


def _model_status(
    ctx: AppContext, union: Union, pref_name: str, target: int | None, fiscal_year: int, as_of: str
) -> ModelStatus:
    year = ctx.fiscal_years.model_year(fiscal_year)
    layout = TableLayout(fiscal_year, year.start_month, as_of)
    monthly = ctx.model_unions.monthly_counts(
        [union.id], layout.years[0].first, layout.current.last
    )
    unit = ModelUnionInput(
        union.id,
        union.pref_code,
        pref_name,
        union.union_code,
        union.name,
        union.members,
        union.holdings,
        union.effective_month,
        target,
    )
    row = compute_row(unit, monthly.get(union.id, {}), layout)
    return ModelStatus(
        fiscal_year=fiscal_year,
        start_label=layout.start_label,
        months=layout.year_months[-1],
        counts=row.months[-1],
        last_year=tuple(v or 0 for v in row.months[-2]),
        target=target,
        cumulative=row.cumulative,
        previous=row.to_date[-1],
        rate=row.rate,
        remaining=row.remaining,
        yoy=row.yoy,
        achieved=row.achieved,
        tone=row.tone,
        elapsed=elapsed_share(layout.elapsed_months),
    )


def _estimates(ctx: AppContext, union_id: int) -> tuple[EstimateLine, ...]:
    return tuple(
        EstimateLine(
            e.seq, e.name or "", e.role or "", e.car or "", e.policy_maturity, e.status, e.campaign
        )
        for e in ctx.estimates.open_for_union(union_id)
    )


def model_union_ids(ctx: AppContext, fiscal_year: int, pref_code: str | None = None) -> list[int]:
    """The year's model unions (one prefecture's, or all), in code order."""
    return [u.union_id for u in ctx.model_unions.inputs(fiscal_year, pref_code)]


def build_union_sheets(
    ctx: AppContext,
    union_ids: Sequence[int],
    fiscal_year: int,
    as_of: str,
    progress: Progress | None = None,
) -> list[UnionSheet]:
    """Sheets for several unions; ``progress`` returning False cancels (SheetsCancelled)."""
    out = []
    for i, union_id in enumerate(union_ids):
        out.append(build_union_sheet(ctx, union_id, fiscal_year, as_of))
        if progress is not None and not progress(i + 1, len(union_ids)):
            raise SheetsCancelled()
    return out
