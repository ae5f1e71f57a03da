"""The one set of cell parsers (domain/cells) used by every importer and every form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kyosai_desktop.domain import cells
from kyosai_desktop.domain.cells import CellError


@pytest.mark.parametrize(
    "value,expected",
    [
        ("令和7年4月1日", "2025-04-01"),
        ("R7.4.1", "2025-04-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("2025/4/1", "2025-04-01"),
        ("２０２５年４月１日", "2025-04-01"),
        (dt.datetime(2025, 4, 1), "2025-04-01"),
        ("2025-04-01 00:00:00", "2025-04-01"),
        ("", None),
    ],
)
def test_one_date_rule(value, expected):
    assert cells.parse_date(value) == expected


@pytest.mark.parametrize(
    "value,reason",
    [
        ("2025-02-30", "存在しない日付"),
        ("昨日", "日付ではありません"),
        ("0001-01-01", "範囲外"),
        ("9999-12-31", "範囲外"),
        ("٢٠٢٥-04-01", "使えない数字"),
        (3.5, "日付ではありません"),
    ],
)
def test_dates_refused_with_a_reason(value, reason):
    with pytest.raises(CellError, match=reason):
        cells.parse_date(value)


def test_the_union_form_and_the_estimate_form_share_the_date_rule():
    from kyosai_desktop.domain.estimate_values import parse_date as estimate_date
    from kyosai_desktop.services.master_edit import parse_union_value

    assert (
        parse_union_value("figures_as_of", "令和7年4月1日")
        == estimate_date("令和7年4月1日")
        == "2025-04-01"
    )


@pytest.mark.parametrize("value", ["0000-01", "9999-12", "1999-12", "2101-01", "10000-01"])
def test_months_are_bounded(value):
    with pytest.raises(CellError, match="範囲外|YYYY-MM"):
        cells.parse_month(value)


def test_months_accept_eras_and_date_cells():
    assert cells.parse_month("令和7年2月") == "2025-02"
    assert cells.parse_month(dt.date(2025, 2, 1)) == "2025-02"
    with pytest.raises(CellError, match="1〜12"):
        cells.parse_month("2025-13")


@pytest.mark.parametrize("value", ["٣", "00٣", "²", "①", "۱۲"])
def test_codes_take_only_ascii_or_full_width_digits(value):
    with pytest.raises(CellError, match="使えない数字"):
        cells.parse_code(value, 3, label="単組コード")


def test_codes_keep_their_zeros():
    assert (
        cells.parse_code("７", 3) == "007"
        and cells.parse_code(12.0, 3) == "012"
        and cells.parse_code(" ", 3) is None
    )
    with pytest.raises(CellError, match="3桁までの数字"):
        cells.parse_code("1234", 3)
    with pytest.raises(CellError):
        cells.parse_code(1e300, 3)


@pytest.mark.parametrize(
    "value", [2**63, str(2**63), "9" * 5000, 1e300, "1e5", float("inf"), float("nan")]
)
def test_counts_are_bounded_and_never_overflow(value):
    with pytest.raises(CellError) as info:
        cells.parse_count(value)
    assert "大きすぎます" in str(info.value) or "数値ではありません" in str(info.value)
    assert "digits" not in str(info.value)


def test_counts_accept_the_clerks_forms():
    assert (
        cells.parse_count("１，２３４件") == 1234
        and cells.parse_count(cells.MAX_COUNT) == cells.MAX_COUNT
    )
    with pytest.raises(CellError, match="99,999,999"):
        cells.parse_count(cells.MAX_COUNT + 1)


def test_yen_bounds_and_forms():
    assert (
        cells.parse_yen("￥４９，６９０") == 49690
        and cells.parse_yen("-¥25,820", signed=True) == -25820
    )
    for bad in ("9" * 400, 2**63, "1e400"):
        with pytest.raises(CellError):
            cells.parse_yen(bad)


def test_percent_and_rate_are_bounded_before_arithmetic():
    assert cells.parse_percent("80") == Decimal(80) and cells.parse_percent("80.5%") == Decimal(
        "80.5"
    )
    with pytest.raises(CellError, match="1〜100"):
        cells.parse_percent("1e999999")
    with pytest.raises(CellError, match="率として読めません"):
        cells.parse_rate("9" * 5000)
    assert cells.percent_candidates(-0.52) == [Decimal("-52.0"), Decimal("-0.5")]


def test_flags_are_strict():
    assert (
        cells.parse_flag("○") is True
        and cells.parse_flag("") is False
        and cells.parse_flag(None) is False
    )
    with pytest.raises(CellError, match="○"):
        cells.parse_flag("たぶん", label="組織加入")


def test_names_refuse_control_characters_and_overlong_text():
    assert cells.parse_name("　仙台市職員労働組合 ") == "仙台市職員労働組合"
    with pytest.raises(CellError, match="制御文字"):
        cells.parse_name("仙台\x01労組", label="単組名")
    with pytest.raises(CellError, match="改行"):
        cells.parse_name("仙台\n労組")
    with pytest.raises(CellError, match="60 文字以内"):
        cells.parse_name("あ" * 61)
    with pytest.raises(CellError, match="空にできません"):
        cells.parse_name("  ")


def test_a_rate_read_as_a_number_is_the_decimal_it_was_written_as():
    """parse_rate's shortcut for Excel's numbers gives what the general path gives."""
    import random

    from kyosai_desktop.domain.cells import _RATE_HIGH, _RATE_LOW, parse_decimal

    rng = random.Random(5)
    values = [0.0, -0.0, 0.457, 45.7, 1e-9, 99999.99999999999, 100000.0, -100000.0]
    values += [100000.00000000001, -100000.00000000001, 1e300, float("nan"), float("inf")]
    values += [rng.uniform(-2e5, 2e5) for _ in range(500)] + [rng.random() for _ in range(500)]
    for value in values:
        try:
            general: object = parse_decimal(value, label="率", low=_RATE_LOW, high=_RATE_HIGH)
        except CellError:
            general = "refused"
        try:
            fast: object = cells.parse_rate(value)
        except CellError:
            fast = "refused"
        assert str(fast) == str(general), value
