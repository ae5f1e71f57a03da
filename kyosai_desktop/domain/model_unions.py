"""Figures of the model-union (加入拡大モデル単組) progress table — pure rules (DOMAIN §4, §5).

One table shows a fiscal year and the two before it, each as twelve month columns in the
year's own order (6月開始: June → May, 5月開始: May → April), the previous years with a
"N月累計" (cumulative to the same month as the as-of month), then 累積件数, 目標件数,
前年比, 達成率 and 残件数 of the year:

* 累積件数 = Σ months from the year's start month through the as-of month;
* 前年比 = 累積件数 − the previous year's same-period cumulative, a signed difference in 件;
* 達成率 = 累積 ÷ 目標 (1 decimal, rounded, ``rates.achievement_rate``), "—" without a target;
* 残件数 = 目標 − 累積, signed (negative when exceeded);
* the 合計 row sums counts and recomputes every rate from the sums; its 残件数 is the net sum;
* 目標達成単組 counts unions with a target and 累積 ≥ 目標.

Monthly counts come in by calendar month (``YYYY-MM``), so the same data can be laid out
either way (seed 004 prints the 2024 table both ways).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from kyosai_desktop.domain import rates, tones
from kyosai_desktop.domain.months import FiscalYear, add_months, month_label, split_month
from kyosai_desktop.domain.rates import remaining
from kyosai_desktop.domain.tones import elapsed_share

# The rules of domain/rates and domain/tones, memoised: a national table asks the same
# small questions (7 of 20, 0 of 10 …) thousands of times, and again on every refresh.
achievement_rate = lru_cache(maxsize=65536)(rates.achievement_rate)
join_rate = lru_cache(maxsize=65536)(rates.join_rate)


@lru_cache(maxsize=65536)
def progress_tone(actual: int | None, target: int | None, elapsed_months: int) -> str | None:
    return tones.progress_tone(actual, target, elapsed_share(elapsed_months))


YEARS_SHOWN = 3  # the fiscal year and the two before it
_ZEROS = (0,) * 12


SHEET_START_MONTHS = (6, 5)  # headquarters' two layouts of a year: 6月開始 and 5月開始


@dataclass(frozen=True)
class TableLayout:
    """Which months a table shows: fiscal year, its start month and the as-of month."""

    fiscal_year: int
    start_month: int
    as_of: str

    @cached_property
    def years(self) -> tuple[FiscalYear, ...]:
        """The years shown, oldest first; the last one is the report's year."""
        first = self.fiscal_year - YEARS_SHOWN + 1
        return tuple(FiscalYear(y, self.start_month) for y in range(first, self.fiscal_year + 1))

    @cached_property
    def year_months(self) -> tuple[tuple[str, ...], ...]:
        """The twelve calendar months of each year shown, in the year's order."""
        return tuple(tuple(y.months()) for y in self.years)

    @cached_property
    def shown_months(self) -> tuple[tuple[str, ...], ...]:
        """Per year, the months whose counts are shown (the current year stops at as-of)."""
        return (*self.year_months[:-1], tuple(self.to_date_months(self.current)))

    @cached_property
    def previous_year_months(self) -> tuple[tuple[str, ...], ...]:
        return self.year_months[:-1]

    @cached_property
    def current_shown_months(self) -> tuple[str, ...]:
        return self.shown_months[-1]

    @cached_property
    def current_padding(self) -> tuple[None, ...]:
        """The current year's months after as-of: shown empty."""
        return (None,) * (12 - len(self.current_shown_months))

    @cached_property
    def previous_to_date(self) -> tuple[tuple[str, ...], ...]:
        """Per previous year, the months of its same-period cumulative ("N月累計")."""
        return tuple(tuple(self.to_date_months(y)) for y in self.previous_years)

    @property
    def current(self) -> FiscalYear:
        return self.years[-1]

    @property
    def previous_years(self) -> tuple[FiscalYear, ...]:
        return self.years[:-1]

    def to_date_months(self, year: FiscalYear) -> list[str]:
        """Months of ``year`` from its start through the as-of month moved into it (same period)."""
        return year.months_to(add_months(self.as_of, -12 * (self.fiscal_year - year.year)))

    @cached_property
    def previous_to_date_lengths(self) -> tuple[int, ...]:
        return tuple(len(ms) for ms in self.previous_to_date)

    @cached_property
    def elapsed_months(self) -> int:
        return len(self.shown_months[-1])

    @property
    def as_of_month(self) -> int:
        return split_month(self.as_of)[1]

    @property
    def to_date_label(self) -> str:
        """The header of the previous years' same-period column, e.g. "2月累計"."""
        return f"{self.as_of_month}月累計"

    @property
    def start_label(self) -> str:
        return f"{self.start_month}月開始"

    @property
    def period_text(self) -> str:
        cur = self.current
        return (
            f"{month_label(cur.first)}〜{month_label(cur.last)} ({month_label(self.as_of)}速報値)"
        )


@dataclass(frozen=True)
class ModelUnionInput:
    """One designated union of a fiscal year, as stored (figures as printed for that year)."""

    union_id: int
    pref_code: str
    pref_name: str
    union_code: str
    name: str
    members: int | None
    holdings: int | None
    effective_month: int | None
    target: int | None
    in_national: bool = True  # False for 60 社保労連: shown, not in the national total

    @property
    def key(self) -> str:
        return f"{self.pref_code}-{self.union_code}"


@dataclass(frozen=True)
class ModelUnionRow:
    unit: ModelUnionInput
    months: tuple[tuple[int | None, ...], ...]  # per year shown: 12 counts; None after as-of
    year_totals: tuple[int, ...]  # previous years: the whole year
    to_date: tuple[int, ...]  # previous years: cumulative to the same month
    cumulative: int
    join_rate: Decimal | None
    rate: Decimal | None
    remaining: int | None
    yoy: int
    achieved: bool
    tone: str | None


@dataclass(frozen=True)
class ModelUnionTotals:
    count: int
    members: int
    holdings: int
    join_rate: Decimal | None
    months: tuple[tuple[int | None, ...], ...]
    year_totals: tuple[int, ...]
    to_date: tuple[int, ...]
    cumulative: int
    target: int
    yoy: int
    rate: Decimal | None
    remaining: int
    achieved_count: int
    tone: str | None


def compute_row(
    unit: ModelUnionInput, monthly: Mapping[str, int], layout: TableLayout
) -> ModelUnionRow:
    """The derived figures of one union from its counts by calendar month."""
    get = monthly.get
    zeros = _ZEROS
    previous = [tuple(map(get, ms, zeros)) for ms in layout.previous_year_months]
    current = tuple(map(get, layout.current_shown_months, zeros))
    year_totals = tuple(map(sum, previous))
    # a previous year's same period is a prefix of its months (from its start month)
    lengths = layout.previous_to_date_lengths
    to_date = tuple([sum(m[:n]) for m, n in zip(previous, lengths, strict=True)])
    cumulative = sum(current)
    target = unit.target
    return ModelUnionRow(  # positional, in field order: a national table builds thousands
        unit,
        (*previous, current + layout.current_padding),
        year_totals,
        to_date,
        cumulative,
        join_rate(unit.holdings, unit.members),
        achievement_rate(cumulative, target),
        remaining(target, cumulative),
        cumulative - (to_date[-1] if to_date else 0),
        is_achieved(cumulative, target),
        progress_tone(cumulative, target, layout.elapsed_months),
    )


def is_achieved(cumulative: int, target: int | None) -> bool:
    """目標達成: a real target (> 0) reached or exceeded."""
    return target is not None and target > 0 and cumulative >= target


def _sum_columns(rows: Sequence[tuple[int | None, ...]]) -> tuple[int | None, ...]:
    if not rows:
        return ()
    out: list[int | None] = []
    for column in zip(*rows, strict=True):
        present = [v for v in column if v is not None]
        out.append(sum(present) if present else None)
    return tuple(out)


def compute_totals(rows: Sequence[ModelUnionRow], layout: TableLayout) -> ModelUnionTotals:
    """The 合計 row: sums of counts, rates recomputed from the sums, net 残件数."""
    n_years = len(layout.years)
    months = tuple(
        _sum_columns([r.months[i] for r in rows]) or (None,) * 12 for i in range(n_years)
    )
    members = sum(r.unit.members or 0 for r in rows)
    holdings = sum(r.unit.holdings or 0 for r in rows)
    cumulative = sum(r.cumulative for r in rows)
    target = sum(r.unit.target or 0 for r in rows)
    n_prev = len(layout.previous_years)
    year_totals = tuple(sum(r.year_totals[i] for r in rows) for i in range(n_prev))
    to_date = tuple(sum(r.to_date[i] for r in rows) for i in range(n_prev))
    return ModelUnionTotals(
        count=len(rows),
        members=members,
        holdings=holdings,
        join_rate=join_rate(holdings, members),
        months=months,
        year_totals=year_totals,
        to_date=to_date,
        cumulative=cumulative,
        target=target,
        yoy=sum(r.yoy for r in rows),
        rate=achievement_rate(cumulative, target or None),
        remaining=sum(r.remaining for r in rows if r.remaining is not None),
        achieved_count=sum(1 for r in rows if r.achieved),
        tone=progress_tone(cumulative, target or None, layout.elapsed_months),
    )


def totals_scope(rows: Iterable[ModelUnionRow]) -> list[ModelUnionRow]:
    """Rows that count in the 合計: national ones (社保労連 excluded), unless only others are shown."""
    rows = list(rows)
    national = [r for r in rows if r.unit.in_national]
    return national if national else rows


def compute_table(
    units: Sequence[ModelUnionInput], monthly: Mapping[int, Mapping[str, int]], layout: TableLayout
) -> tuple[list[ModelUnionRow], ModelUnionTotals]:
    """Every row (in the given order) and the 合計 over :func:`totals_scope`."""
    empty: dict[str, int] = {}
    rows = [compute_row(u, monthly.get(u.union_id, empty), layout) for u in units]
    return rows, compute_totals(totals_scope(rows), layout)


def calendar_month(fiscal_year: int, start_month: int, month: int) -> str:
    """The calendar month of month number ``month`` in a year starting at ``start_month``."""
    year = fiscal_year if month >= start_month else fiscal_year + 1
    return f"{year:04d}-{month:02d}"
