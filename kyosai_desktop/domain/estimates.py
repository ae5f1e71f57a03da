"""The arithmetic of マイカー共済 estimates (DOMAIN §6), in one place.

Every figure of 別紙2 (執行部見積り結果一覧), 別紙3 (執行部見積り実施結果報告) and the
campaign summary is computed here, exactly (integers and fractions, no floats):

* k = 12 when 支払 is 月, 1 when 年;
* 年間差額 = (じちろう掛金 − 他社掛金) × k — negative is a saving;
* 引下率 = (じちろう掛金 − 他社掛金) ÷ 他社掛金, a percent rounded half away from zero to
  1 decimal and signed (a premium increase gives a positive rate and stays in the totals);
* a row without both premiums (or without 支払) is listed, flagged and left out of the
  totals;
* totals: Σ 他社 × k, Σ じちろう × k, 節約総額 = their difference, and 1人あたり平均 =
  節約総額 ÷ rows in the totals, rounded down (切り捨て, toward zero) to whole yen;
* 成約率 (conversion rate) = 成約 ÷ returned estimates (返却済 + 成約 + 不成約), 1 decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kyosai_desktop.domain.rates import percent_round

# 支払 (payment) → k, the number of payments in a year.
PAYMENTS: dict[str, int] = {"年": 1, "月": 12}

# Flag reasons (Japanese, shown on screen and in the tooltip of a flagged row).
FLAG_NO_OTHER = "他社掛金が未記入"
FLAG_NO_JICHIRO = "じちろう掛金が未記入"
FLAG_NO_PAYMENT = "支払 (年/月) が未記入"

# Estimate workflow (DOMAIN §6): 依頼受付 → 見積作成 → 返却済 → 成約 / 不成約.
REQUESTED = "依頼受付"
ESTIMATED = "見積作成"
RETURNED = "返却済"
CONTRACTED = "成約"
DECLINED = "不成約"
STATUSES = (REQUESTED, ESTIMATED, RETURNED, CONTRACTED, DECLINED)
CLOSED_STATUSES = (CONTRACTED, DECLINED)
OPEN_STATUSES = (REQUESTED, ESTIMATED, RETURNED)
STATUS_RANK = {REQUESTED: 0, ESTIMATED: 1, RETURNED: 2, CONTRACTED: 3, DECLINED: 3}

# Roles: 執行部 = union officer, 組合員 = member.
OFFICER = "執行部"
MEMBER = "組合員"
ROLES = (OFFICER, MEMBER)

OFFICER_CAMPAIGN = "単組執行部見積り強化月間"  # the campaign kind run with union officers
CAMPAIGN_KINDS = (
    OFFICER_CAMPAIGN,
    "見積りキャンペーン",
    "成約キャンペーン",
    "新規車両付帯キャンペーン",
    "その他",
)
OTHER_KIND = "その他"
DEFAULT_PRODUCT = "マイカー共済"


def default_role(campaign_kind: str) -> str:
    """The role of a new estimate in a campaign of this kind: 執行部 in the
    単組執行部見積り強化月間, 組合員 in every other kind."""
    return OFFICER if campaign_kind == OFFICER_CAMPAIGN else MEMBER


def annual_factor(payment: str | None) -> int | None:
    """k: 12 for 月, 1 for 年, None when 支払 is not given."""
    if payment is None:
        return None
    return PAYMENTS[payment]


def annual_difference(other: int | None, jichiro: int | None, payment: str | None) -> int | None:
    """年間差額 = (じちろう − 他社) × k; None when a premium or 支払 is missing."""
    k = annual_factor(payment)
    if other is None or jichiro is None or k is None:
        return None
    return (jichiro - other) * k


def reduction_rate(other: int | None, jichiro: int | None) -> Decimal | None:
    """引下率 = (じちろう − 他社) ÷ 他社 in percent, 1 decimal, signed; None without a base."""
    if other is None or jichiro is None or other == 0:
        return None
    return percent_round(jichiro - other, other, 1)


def flag_reasons(other: int | None, jichiro: int | None, payment: str | None) -> list[str]:
    """Why a row is left out of the totals (empty list = the row counts)."""
    reasons = []
    if other is None:
        reasons.append(FLAG_NO_OTHER)
    if jichiro is None:
        reasons.append(FLAG_NO_JICHIRO)
    if payment is None:
        reasons.append(FLAG_NO_PAYMENT)
    return reasons


@dataclass(frozen=True)
class RowFigures:
    """The computed figures of one estimate row."""

    annual_other: int | None  # 他社掛金 × k
    annual_jichiro: int | None  # じちろう掛金 × k
    difference: int | None  # 年間差額 (negative = saving)
    rate: Decimal | None  # 引下率 in percent (signed)
    flags: tuple[str, ...]  # empty when the row is in the totals

    @property
    def in_totals(self) -> bool:
        return not self.flags


def row_figures(other: int | None, jichiro: int | None, payment: str | None) -> RowFigures:
    flags = tuple(flag_reasons(other, jichiro, payment))
    k = annual_factor(payment)
    return RowFigures(
        annual_other=None if other is None or k is None else other * k,
        annual_jichiro=None if jichiro is None or k is None else jichiro * k,
        difference=annual_difference(other, jichiro, payment),
        rate=reduction_rate(other, jichiro),
        flags=flags,
    )


def average_down(total: int, count: int) -> int | None:
    """total ÷ count rounded down (toward zero) to whole yen; None when count is 0."""
    if count <= 0:
        return None
    quotient = abs(total) // count
    return quotient if total >= 0 else -quotient


@dataclass(frozen=True)
class Totals:
    """Aggregates of a set of estimate rows (別紙3 and the summary)."""

    rows: int = 0  # every row
    rows_in_totals: int = 0  # rows with both premiums and 支払
    rows_flagged: int = 0  # rows left out of the totals
    other_total: int = 0  # Σ 他社掛金 × k (円/年)
    jichiro_total: int = 0  # Σ じちろう掛金 × k (円/年)

    @property
    def saving_total(self) -> int:
        """年間の節約総額 = 他社総額 − じちろう総額 (positive = members save)."""
        return self.other_total - self.jichiro_total

    @property
    def difference_total(self) -> int:
        """Σ 年間差額 as printed at the foot of 別紙2 (= −節約総額)."""
        return self.jichiro_total - self.other_total

    @property
    def saving_average(self) -> int | None:
        """1人あたり平均 (rounded down to whole yen), None with no row in the totals."""
        return average_down(self.saving_total, self.rows_in_totals)

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.rows + other.rows,
            self.rows_in_totals + other.rows_in_totals,
            self.rows_flagged + other.rows_flagged,
            self.other_total + other.other_total,
            self.jichiro_total + other.jichiro_total,
        )

    def __sub__(self, other: Totals) -> Totals:
        """Every field is a sum over rows, so taking rows' totals out is exact (a list updated
        row by row: minus the old rows' totals, plus the new)."""
        return Totals(
            self.rows - other.rows,
            self.rows_in_totals - other.rows_in_totals,
            self.rows_flagged - other.rows_flagged,
            self.other_total - other.other_total,
            self.jichiro_total - other.jichiro_total,
        )


def totals(rows: Iterable[tuple[int | None, int | None, str | None]]) -> Totals:
    """Totals of (他社掛金, じちろう掛金, 支払) rows; incomplete rows are only counted as flagged."""
    n = n_in = other_sum = jichiro_sum = 0
    for other, jichiro, payment in rows:
        n += 1
        if other is None or jichiro is None or payment is None:
            continue
        k = PAYMENTS[payment]
        n_in += 1
        other_sum += other * k
        jichiro_sum += jichiro * k
    return Totals(n, n_in, n - n_in, other_sum, jichiro_sum)


def totals_from_sums(rows: int, groups: Iterable[tuple[str, int, int, int]]) -> Totals:
    """The same Totals from per-支払 sums of the complete rows: (支払, n, Σ他社, Σじちろう).

    Σ(他社 × k) = k × Σ他社 within one 支払, so a database can sum and this applies k.
    """
    n_in = other_sum = jichiro_sum = 0
    for payment, n, s_other, s_jichiro in groups:
        k = PAYMENTS[payment]
        n_in += n
        other_sum += s_other * k
        jichiro_sum += s_jichiro * k
    return Totals(rows, n_in, rows - n_in, other_sum, jichiro_sum)


def conversion_rate(contracts: int, returned: int) -> Decimal | None:
    """成約率 = 成約 ÷ returned estimates, percent with 1 decimal; None when none returned."""
    return percent_round(contracts, returned, 1) if returned else None


def next_renewal(maturity: date, today: date) -> date:
    """The policy's next 満期日 on or after ``today``: a yearly policy renews on the same day
    each year, so a maturity already past rolls forward by whole years (29 Feb → 28 Feb)."""
    years = max(0, today.year - maturity.year)
    while True:
        year = maturity.year + years
        try:
            candidate = maturity.replace(year=year)
        except ValueError:  # 29 February in a common year
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
        years += 1
