"""Every derived rate and its display, in one place (DOMAIN §4).

Rates are computed exactly with fractions and then rounded or truncated as each figure
requires; totals rows recompute rates from summed counts (never average them).  A
missing or zero denominator gives ``None``, displayed as "—".
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

DASH = "—"


def _split(
    numerator: int | None, denominator: int | None, decimals: int
) -> tuple[int, int, int] | None:
    """(sign, |numerator| × 100 × 10^decimals, |denominator|) in exact integers."""
    if denominator in (None, 0) or numerator is None:
        return None
    num = numerator * 100 * 10**decimals
    sign = -1 if (num < 0) != (denominator < 0) and num != 0 else 1
    return sign, abs(num), abs(denominator)


def _to_decimal(units: int, decimals: int) -> Decimal:
    return Decimal(units).scaleb(-decimals)


def percent_round(numerator: int, denominator: int | None, decimals: int = 1) -> Decimal | None:
    """Percent rounded half away from zero: 4/15 → 26.7, 128,620/58,786 style totals.

    Exact integer arithmetic (no floats, no Fraction objects: a 3,000-union table computes
    thousands of these per refresh).
    """
    parts = _split(numerator, denominator, decimals)
    if parts is None:
        return None
    sign, num, den = parts
    return _to_decimal(sign * ((2 * num + den) // (2 * den)), decimals)


def percent_truncate(numerator: int, denominator: int | None, decimals: int = 2) -> Decimal | None:
    """Percent truncated toward zero: 5,931/12,824 → 46.24, 106/45 → 235.55."""
    parts = _split(numerator, denominator, decimals)
    if parts is None:
        return None
    sign, num, den = parts
    return _to_decimal(sign * (num // den), decimals)


def achievement_rate(actual: int, target: int | None) -> Decimal | None:
    """達成率 (model union) and 目標達成率: 1 decimal, rounded."""
    return percent_round(actual, target, 1)


def reach_rate(actual: int, target: int | None) -> Decimal | None:
    """到達率 of the national report (seed 004 §1): 2 decimals, truncated."""
    return percent_truncate(actual, target, 2)


def join_rate(holdings: int | None, members: int | None) -> Decimal | None:
    """加入率 = 団生保有 ÷ 組合員数, 1 decimal rounded; may exceed 100 %."""
    if holdings is None:
        return None
    return percent_round(holdings, members, 1)


def remaining(target: int | None, actual: int) -> int | None:
    """残件数 = 目標 − 累積, signed (negative when exceeded)."""
    if target is None:
        return None
    return target - actual


def format_percent(value: Decimal | None) -> str:
    return DASH if value is None else f"{value}%"


def format_count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def format_signed(value: int | None) -> str:
    """Signed integer difference, e.g. ``+3``, ``-17``, ``0``."""
    if value is None:
        return DASH
    return f"{value:+,}" if value else "0"


def org_join_shortfall(
    members: int | None, holdings: int | None, threshold: float | Decimal
) -> int | None:
    """団生保有 still needed for 組織加入 (加入率 ≥ threshold, DOMAIN §4); 0 when already reached.

    Judged on the exact ratio, never on the rounded 加入率 shown: 7,996 of 10,000 (79.96 %,
    displayed 80.0 %) is still 4 short of 80 %.  ``None`` when 組合員数 is unknown.
    """
    if not members:
        return None
    needed = -(-members * Fraction(str(threshold)) // 100)  # ceil(members × threshold / 100)
    return max(0, int(needed) - (holdings or 0))


def is_org_joined(
    members: int | None, holdings: int | None, threshold: float | Decimal
) -> bool | None:
    """組織加入 judged by 加入率 ≥ threshold on the exact ratio; ``None`` without 組合員数."""
    shortfall = org_join_shortfall(members, holdings, threshold)
    return None if shortfall is None else shortfall == 0
