"""The rules of the model-union table (DOMAIN §4/§5, seed 004), without Qt or SQL."""

from __future__ import annotations

from decimal import Decimal

from kyosai_desktop.domain.model_unions import (
    ModelUnionInput,
    TableLayout,
    calendar_month,
    compute_row,
    compute_table,
    is_achieved,
)
from kyosai_desktop.domain.tones import ACHIEVED, BEHIND, FAR_BEHIND, ON_TRACK


def unit(
    uid: int,
    target: int | None,
    *,
    members: int = 100,
    holdings: int = 50,
    national: bool = True,
    pref: str = "05",
) -> ModelUnionInput:
    return ModelUnionInput(
        uid, pref, "宮城", f"{uid:03d}", f"単組{uid}", members, holdings, 10, target, national
    )


def spread(total: int, months: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(total):
        m = months[i % len(months)]
        out[m] = out.get(m, 0) + 1
    return out


def test_layout_six_and_five_month_start():
    six = TableLayout(2024, 6, "2025-02")
    assert [y.year for y in six.years] == [2022, 2023, 2024]
    assert six.year_months[-1][0] == "2024-06" and six.year_months[-1][-1] == "2025-05"
    assert six.year_months[0][0] == "2022-06"
    assert six.to_date_label == "2月累計"
    assert six.elapsed_months == 9
    assert six.previous_to_date[-1][-1] == "2024-02" and six.previous_to_date[0][-1] == "2023-02"
    five = TableLayout(2024, 5, "2025-02")
    assert five.year_months[-1][0] == "2024-05" and five.year_months[-1][-1] == "2025-04"
    assert five.elapsed_months == 10
    assert five.period_text == "2024年5月〜2025年4月 (2025年2月速報値)"
    # as-of before the year starts: nothing counted yet; after its end: clamped
    assert TableLayout(2024, 6, "2024-04").elapsed_months == 0
    assert TableLayout(2024, 6, "2025-09").elapsed_months == 12
    assert calendar_month(2024, 6, 5) == "2025-05" and calendar_month(2024, 5, 5) == "2024-05"


def test_row_figures_follow_seed_004():
    layout = TableLayout(2024, 6, "2025-02")
    cur = list(layout.shown_months[-1])
    # 自治労奥州市職員労働組合: 4 of 15 → 26.7 %, 残 11; previous year's 2月累計 0 → 前年比 +4
    oshu = compute_row(unit(1, 15, members=214, holdings=160), spread(4, cur), layout)
    assert (oshu.cumulative, oshu.rate, oshu.remaining, oshu.yoy) == (4, Decimal("26.7"), 11, 4)
    assert oshu.join_rate == Decimal("74.8")
    # 千葉市職員労働組合: 47 of 30 → 156.7 %, 残件数 signed −17
    chiba = compute_row(unit(2, 30), spread(47, cur), layout)
    assert (chiba.rate, chiba.remaining, chiba.achieved, chiba.tone) == (
        Decimal("156.7"),
        -17,
        True,
        ACHIEVED,
    )
    # 福島: 累積 102, 2023年度 2月累計 203 → 前年比 −101 (件, not %)
    prev = list(layout.previous_to_date[-1])
    counts = spread(102, cur)
    counts.update(spread(203, prev))
    counts["2024-03"] = 13  # after the previous year's 2月: not in its 2月累計
    fukushima = compute_row(unit(3, 200), counts, layout)
    assert fukushima.to_date[-1] == 203 and fukushima.year_totals[-1] == 216
    assert fukushima.yoy == -101 and fukushima.rate == Decimal("51.0")
    # months after the as-of month are not shown and not counted
    late = dict(counts)
    late["2025-03"] = 99
    assert compute_row(unit(3, 200), late, layout).cumulative == 102
    assert compute_row(unit(3, 200), late, layout).months[-1][9:] == (None, None, None)


def test_no_target_shows_dash_not_error():
    layout = TableLayout(2024, 6, "2025-02")
    row = compute_row(unit(1, None), {"2024-06": 3}, layout)
    assert row.rate is None and row.remaining is None and not row.achieved and row.tone is None
    zero = compute_row(unit(2, 0), {"2024-06": 3}, layout)
    assert zero.rate is None and not zero.achieved
    assert not is_achieved(0, 0) and is_achieved(10, 10)


def test_tones_against_elapsed_share():
    layout = TableLayout(2024, 6, "2025-02")  # 9 of 12 months gone → 75 %
    cur = list(layout.shown_months[-1])
    tones = [
        compute_row(unit(i, 100), spread(n, cur), layout).tone
        for i, n in enumerate((100, 80, 40, 30))
    ]
    assert tones == [ACHIEVED, ON_TRACK, BEHIND, FAR_BEHIND]


def test_totals_recompute_rates_from_sums_and_net_remaining():
    layout = TableLayout(2024, 6, "2025-02")
    cur = list(layout.shown_months[-1])
    units = [
        unit(1, 200, members=4541, holdings=3069),
        unit(2, 20, members=420, holdings=151),
        unit(3, 50, members=1552, holdings=1132),
    ]
    monthly = {1: spread(102, cur), 2: spread(34, cur), 3: spread(48, cur)}
    rows, totals = compute_table(units, monthly, layout)
    assert [r.remaining for r in rows] == [98, -14, 2]
    assert totals.remaining == 86  # net: the −14 counts (not 100)
    assert totals.cumulative == 184 and totals.target == 270
    assert totals.rate == Decimal("68.1")  # 184 / 270, not the mean of 51.0, 170.0, 96.0
    assert totals.join_rate == Decimal("66.8")  # 4,352 / 6,513 = 66.82 %
    assert totals.achieved_count == 1 and totals.count == 3


def test_shaho_roren_shown_but_not_in_national_total():
    layout = TableLayout(2024, 6, "2025-02")
    units = [unit(1, 20), unit(2, 80, pref="60", national=False)]
    monthly = {1: {"2024-06": 5}, 2: {"2024-06": 53}}
    rows, totals = compute_table(units, monthly, layout)
    assert len(rows) == 2
    assert (totals.count, totals.target, totals.cumulative) == (1, 20, 5)
    # a table of only 社保労連 totals itself
    _rows, only = compute_table(units[1:], monthly, layout)
    assert (only.count, only.cumulative) == (1, 53)


def test_same_data_both_ways():
    """Seed 004: 6月開始 1,945 vs 5月開始 2,237 — the difference is May 2024 (292)."""
    six = TableLayout(2024, 6, "2025-02")
    five = TableLayout(2024, 5, "2025-02")
    monthly = {
        1: {
            "2024-05": 292,
            "2024-06": 386,
            "2025-02": 65,
            "2025-03": 7,
            "2023-05": 209,
            "2023-06": 421,
        }
    }
    r6 = compute_row(unit(1, 3447), monthly[1], six)
    r5 = compute_row(unit(1, 3447), monthly[1], five)
    assert r5.cumulative - r6.cumulative == 292
    assert r6.to_date[-1] == 421 and r5.to_date[-1] == 209 + 421


# The national 合計 row of seed 004 (L331 6月開始, L404 5月開始): the months of each band.
SEED_MONTHS = {
    "2022-05": 206,
    **dict(
        zip(
            [f"2022-{m:02d}" for m in range(6, 13)] + [f"2023-{m:02d}" for m in range(1, 6)],
            [311, 185, 77, 100, 330, 247, 31, 386, 108, 65, 225, 209],
            strict=True,
        )
    ),
    **dict(
        zip(
            [f"2023-{m:02d}" for m in range(6, 13)] + [f"2024-{m:02d}" for m in range(1, 6)],
            [421, 190, 118, 122, 325, 217, 46, 415, 104, 51, 233, 292],
            strict=True,
        )
    ),
    **dict(
        zip(
            [f"2024-{m:02d}" for m in range(6, 13)] + ["2025-01", "2025-02"],
            [386, 241, 168, 143, 267, 194, 68, 413, 65],
            strict=True,
        )
    ),
}


def test_seed_004_national_figures_both_ways():
    """110 単組, 目標 3,447: 6月開始 1,945 (56.4 %, 前年比 −13, 残 1,502); 5月開始 2,237 (64.9 %, +70, 1,210)."""
    nation = unit(1, 3447, members=128620, holdings=58786)
    six = compute_row(nation, SEED_MONTHS, TableLayout(2024, 6, "2025-02"))
    assert (six.cumulative, six.rate, six.yoy, six.remaining) == (1945, Decimal("56.4"), -13, 1502)
    assert six.year_totals == (2274, 2534) and six.to_date == (1775, 1958)
    assert six.join_rate == Decimal("45.7")
    five = compute_row(nation, SEED_MONTHS, TableLayout(2024, 5, "2025-02"))
    assert (five.cumulative, five.rate, five.yoy, five.remaining) == (
        2237,
        Decimal("64.9"),
        70,
        1210,
    )
    assert five.to_date == (1981, 2167)
    # the seed prints 2,271 / 2,487 as the 5月開始 year totals; the months add up to 2,271 / 2,451
    assert five.year_totals == (2271, 2451)
