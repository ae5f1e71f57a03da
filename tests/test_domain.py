"""Rules of DOMAIN §3–§4 checked against the seeds' printed figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kyosai_desktop.domain.months import FiscalYear, add_months, parse_month
from kyosai_desktop.domain.numbers import CountError, parse_count
from kyosai_desktop.domain.rates import (
    achievement_rate,
    format_percent,
    format_signed,
    join_rate,
    reach_rate,
    remaining,
)


@pytest.mark.parametrize(
    "actual,target,expected",
    [
        (5931, 12824, "46.24"),  # seed 004 §1 自賠責共済
        (106, 45, "235.55"),  # DOMAIN §4
        (144, 140, "102.85"),  # seed 004 秋田 団生 (rounding would give 102.86)
        (8312, 12441, "66.81"),  # seed 004 団体生命共済
        (13039, 22166, "58.82"),
    ],
)
def test_reach_rate_truncates_to_two_decimals(actual, target, expected):
    assert reach_rate(actual, target) == Decimal(expected)


def test_achievement_and_join_rates_round_to_one_decimal():
    assert achievement_rate(4, 15) == Decimal("26.7")
    assert achievement_rate(7676, 8435) == Decimal("91.0")  # seed 003
    assert join_rate(58786, 128620) == Decimal("45.7")  # totals row, DOMAIN §4
    assert format_percent(achievement_rate(1, 0)) == "—"
    assert format_percent(achievement_rate(1, None)) == "—"
    assert remaining(60, 77) == -17
    assert format_signed(-49) == "-49" and format_signed(3) == "+3"


def test_fiscal_year_months():
    fy2024 = FiscalYear(2024, 6)
    assert fy2024.months()[0] == "2024-06" and fy2024.months()[-1] == "2025-05"
    assert fy2024.months_to("2025-02") == [
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
        "2024-10",
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert fy2024.same_period_last_year("2025-02") == ("2023-06", "2024-02")
    assert FiscalYear(2025, 5).last == "2026-04"
    assert add_months("2024-12", 1) == "2025-01"
    assert parse_month("2025年2月") == "2025-02" and parse_month("２０２５-０２") == "2025-02"


@pytest.mark.parametrize(
    "value,expected", [("12", 12), ("１２", 12), ("1,234", 1234), (12.0, 12), ("3件", 3), (0, 0)]
)
def test_parse_count_accepts(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    "value,reason",
    [("-1", "負の数"), ("1.5", "整数ではありません"), ("abc", "数値ではありません"), ("", "空")],
)
def test_parse_count_refuses_with_reason(value, reason):
    with pytest.raises(CountError, match=reason):
        parse_count(value)


def test_org_join_is_judged_on_the_exact_ratio_everywhere():
    from kyosai_desktop.domain.rates import is_org_joined, join_rate, org_join_shortfall

    assert join_rate(7996, 10000) == Decimal("80.0")  # shown as 80.0 % …
    assert org_join_shortfall(10000, 7996, 80) == 4  # … but still 4 short
    assert is_org_joined(10000, 7996, 80) is False
    assert is_org_joined(1000, 800, 80) is True and org_join_shortfall(1000, 801, 80) == 0
    assert org_join_shortfall(1552, 1132, 80) == 110  # 高知市: 1,242 needed
    assert org_join_shortfall(999, 0, Decimal("75.5")) == 755  # ceil(754.245)
    assert is_org_joined(None, 10, 80) is None and is_org_joined(0, 0, 80) is None
