"""The arithmetic of DOMAIN §6 against the seed's 別紙2 sample (seed 002 L1270–1300).

DONE WHEN of issue 4: every complete row reproduces the seed's 年間差額 and 引下率; the 18
complete rows total 他社 1,233,150 / じちろう 788,650 / 節約 444,500 円 with rows 8–9
flagged, and 444,500 ÷ 18 rounds down to 24,694.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from estimate_fixtures import (
    INCOMPLETE,
    JICHIRO_TOTAL,
    OTHER_TOTAL,
    SAVING_AVERAGE,
    SAVING_TOTAL,
    SEED_ROWS,
)

from kyosai_desktop.domain.estimate_values import (
    grade_text,
    parse_age,
    parse_cover,
    parse_date,
    parse_payment,
    parse_percent_candidates,
    parse_yen,
)
from kyosai_desktop.domain.estimates import (
    FLAG_NO_JICHIRO,
    FLAG_NO_OTHER,
    FLAG_NO_PAYMENT,
    annual_difference,
    average_down,
    conversion_rate,
    reduction_rate,
    row_figures,
    totals,
)


def seed_premiums(row: list[str]) -> tuple[int | None, int | None, str | None]:
    return parse_yen(row[7]), parse_yen(row[8]), parse_payment(row[9])


@pytest.mark.parametrize("row", SEED_ROWS, ids=[f"No.{r[0]}" for r in SEED_ROWS])
def test_every_seed_row_reproduces_its_printed_difference_and_rate(row):
    other, jichiro, payment = seed_premiums(row)
    f = row_figures(other, jichiro, payment)
    if int(row[0]) in INCOMPLETE:
        assert f.difference is None and f.rate is None
        assert not f.in_totals
        return
    assert f.in_totals
    assert f.difference == parse_yen(row[10], signed=True)
    assert f"{f.rate}%" == row[11]


def test_seed_totals_of_the_18_complete_rows():
    t = totals(seed_premiums(r) for r in SEED_ROWS)
    assert (t.rows, t.rows_in_totals, t.rows_flagged) == (20, 18, 2)
    assert t.other_total == OTHER_TOTAL == 1_233_150
    assert t.jichiro_total == JICHIRO_TOTAL == 788_650
    assert t.saving_total == SAVING_TOTAL == 444_500
    assert t.difference_total == -444_500
    assert t.saving_average == SAVING_AVERAGE == 24_694


def test_flagged_rows_are_rows_8_and_9():
    flagged = [int(r[0]) for r in SEED_ROWS if not row_figures(*seed_premiums(r)).in_totals]
    assert tuple(flagged) == INCOMPLETE


def test_row_16_premium_increase_is_positive_and_stays_in_the_totals():
    row16 = next(r for r in SEED_ROWS if r[0] == "16")
    f = row_figures(*seed_premiums(row16))
    assert f.difference == 25_080 and f.rate == Decimal("119.4") and f.in_totals
    without = totals(seed_premiums(r) for r in SEED_ROWS if r[0] != "16")
    assert without.saving_total == SAVING_TOTAL + 25_080


def test_monthly_payment_multiplies_by_twelve():
    assert annual_difference(5_250, 3_900, "月") == -16_200
    assert annual_difference(49_690, 23_870, "年") == -25_820


def test_rate_rounds_half_away_from_zero_both_signs():
    # (−1)/8 = −12.5 % → exactly representable; 1/16 = 6.25 → 6.3; −1/16 → −6.3
    assert reduction_rate(16, 17) == Decimal("6.3")
    assert reduction_rate(16, 15) == Decimal("-6.3")
    assert reduction_rate(0, 10) is None
    assert reduction_rate(None, 10) is None


def test_flags_name_every_missing_part():
    assert row_figures(None, 100, "年").flags == (FLAG_NO_OTHER,)
    assert row_figures(100, None, None).flags == (FLAG_NO_JICHIRO, FLAG_NO_PAYMENT)
    assert row_figures(100, 90, None).difference is None


def test_average_rounds_down_toward_zero():
    assert average_down(444_500, 18) == 24_694
    assert average_down(-100, 3) == -33
    assert average_down(10, 0) is None


def test_conversion_rate_is_contracts_over_returned():
    assert conversion_rate(1, 3) == Decimal("33.3")
    assert conversion_rate(2, 3) == Decimal("66.7")
    assert conversion_rate(0, 0) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("¥49,690", 49_690),
        ("49690", 49_690),
        ("49,690円", 49_690),
        ("￥４９，６９０", 49_690),
        (49690, 49_690),
        (49690.0, 49_690),
        ("", None),
        (None, None),
    ],
)
def test_parse_yen_accepts_the_clerks_forms(text, expected):
    assert parse_yen(text) == expected


@pytest.mark.parametrize("text", ["-500", "¥-500", "abc", "12.5", 12.5, "1万"])
def test_parse_yen_refuses_negative_and_text(text):
    with pytest.raises(ValueError):
        parse_yen(text)


def test_parse_signed_yen_for_the_difference_column():
    assert parse_yen("¥-25,820", signed=True) == -25_820
    assert parse_yen("-¥25,820", signed=True) == -25_820


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2022年2月14日", "2022-02-14"),
        ("2022-02-14", "2022-02-14"),
        ("2022/2/14", "2022-02-14"),
        ("令和4年2月14日", "2022-02-14"),
        ("R4.2.14", "2022-02-14"),
        ("平成31年4月30日", "2019-04-30"),
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2022年2月30日", "2023-02-29", "2022-13-01", "来年"])
def test_parse_date_refuses_impossible_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_payment_cover_age_grade():
    assert (
        parse_payment("年") == "年" and parse_payment("月払") == "月" and parse_payment("") is None
    )
    with pytest.raises(ValueError):
        parse_payment("半年")
    assert parse_cover("○") and parse_cover("〇") and not parse_cover("") and not parse_cover(None)
    with pytest.raises(ValueError):
        parse_cover("たぶん")
    assert parse_age("28歳") == 28
    with pytest.raises(ValueError):
        parse_age("200")
    assert grade_text("6(5)") == "6(5)" and grade_text("-") == "-" and grade_text(11.0) == "11"


def test_percent_candidates_accept_text_and_excel_fractions():
    assert parse_percent_candidates("-52.0%") == [Decimal("-52.0")]
    assert Decimal("-52.0") in parse_percent_candidates(-0.5196)
    assert Decimal("119.4") in parse_percent_candidates(1.194)
