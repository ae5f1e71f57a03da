"""県支部 実績 as a ReportTable (Qt-free): figures against DOMAIN §4 and the seed's rules.

到達率 is 実績 ÷ 目標 truncated to 2 decimals (seed 004 §1: 5,931/12,824 → 46.24 %,
106/45 → 235.55 %); a target of 0 or none shows "—"; colours follow domain/tones against the
share of the fiscal year elapsed; 付帯率 = rider ÷ parent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kyosai_desktop.domain import tones
from kyosai_desktop.services.branch_report import (
    branch_progress,
    branch_report_table,
    rider_goals,
)
from kyosai_desktop.store.results import CellChange


@pytest.fixture
def branch(ctx):
    """One union in 05; FY2024 (6月開始) figures from June to December 2024."""
    ids = {p.name: p.id for p in ctx.products.all()}
    union = ctx.unions.add("05", "001", "仙台市職員労働組合")
    other = ctx.unions.add("13", "001", "東京の単組")  # another prefecture: never counted
    t = ctx.targets
    t.set(2024, ids["自賠責共済"], "第1次", 12824)
    t.set(2024, ids["交通災害共済"], "第1次", 45)
    t.set(2024, ids["団体生命共済"], "第1次", 100)
    t.set(2024, ids["マイカー共済"], "第1次", 120)
    t.set(2024, ids["マイカー共済"], "第2次", 100)  # 第2次 replaces 第1次
    t.set(2024, ids["火災共済"], "第1次", 0)  # zero target → "—"
    cells = [
        (union.id, "自賠責共済", "2024-06", 5000),
        (union.id, "自賠責共済", "2024-12", 931),
        (union.id, "自賠責共済", "2025-01", 77),  # after the as-of month
        (union.id, "交通災害共済", "2024-08", 106),
        (union.id, "団体生命共済", "2024-07", 60),
        (union.id, "団体生命共済", "2024-05", 9),  # FY2023
        (union.id, "団体生命共済", "2023-09", 70),  # same period last year
        (union.id, "団体生命共済", "2024-01", 50),  # last year, but after the same period
        (union.id, "マイカー共済", "2024-10", 20),
        (union.id, "車両損害補償", "2024-10", 12),
        (union.id, "火災共済", "2024-09", 4),
        (union.id, "自然災害共済", "2024-09", 3),
        (other.id, "自賠責共済", "2024-06", 999),
    ]
    ctx.results.apply([CellChange(u, ids[p], m, v) for u, p, m, v in cells])
    return ctx, ids


def rows_by_product(report):
    return {r[0].text: r for r in report.rows}


def test_figures_follow_the_seed_rules(branch):
    ctx, _ids = branch
    table = branch_report_table(branch_progress(ctx, 2024, "2024-12"), rider_goals(ctx))
    rows = rows_by_product(table)
    col = {c.key: i for i, c in enumerate(table.columns)}
    jibai = rows["自賠責共済"]
    assert [jibai[col[k]].text for k in ("target", "actual", "reach")] == [
        "12,824",
        "5,931",
        "46.24%",
    ]
    assert rows["交通災害共済"][col["reach"]].text == "235.55%"
    assert rows["火災共済"][col["reach"]].text == "—"  # target 0
    assert rows["親子共済"][col["reach"]].text == "—"  # no target
    assert rows["親子共済"][col["target"]].text == "—"
    dansei = rows["団体生命共済"]
    assert dansei[col["actual"]].value == 60  # May 2024 belongs to FY2023
    assert dansei[col["last_year"]].value == 70
    assert dansei[col["diff"]].text == "-10"
    mycar = rows["マイカー共済"]
    assert mycar[col["target"]].value == 100 and "第2次" in mycar[col["note"]].text
    assert rows["車両損害補償"][col["rider"]].text == "60.0%"  # 12 ÷ 20
    assert rows["自然災害共済"][col["rider"]].text == "75.0%"  # 3 ÷ 4
    assert rows["総合共済"][col["rider"]].text == ""  # not a rider
    assert dict(table.summary)["車両損害補償付帯率"] == "60.0% (本部目標 60.6%)"


def test_tones_compare_with_the_share_of_the_year_elapsed(branch):
    ctx, _ids = branch
    table = branch_report_table(branch_progress(ctx, 2024, "2024-12"))
    rows = rows_by_product(table)
    reach = table.index("reach")
    assert dict(table.summary)["経過"] == "7か月／12か月 (58.3%)"
    assert rows["交通災害共済"][reach].tone == tones.ACHIEVED  # 235.55 %
    assert rows["団体生命共済"][reach].tone == tones.ON_TRACK  # 60 % ≥ 7/12
    assert rows["自賠責共済"][reach].tone == tones.BEHIND  # 46.24 % < 58.3 % but ≥ half
    assert rows["マイカー共済"][reach].tone == tones.FAR_BEHIND  # 20 % < 29.2 %
    assert rows["火災共済"][reach].tone is None  # no target, no colour
    # Later in the year the same 46.24 % is far behind: in May 12/12 has elapsed.
    late = rows_by_product(branch_report_table(branch_progress(ctx, 2024, "2025-05")))
    assert late["団体生命共済"][reach].tone == tones.BEHIND


def test_totals_row_sums_counts_and_recomputes_the_rate(branch):
    ctx, _ids = branch
    table = branch_report_table(branch_progress(ctx, 2024, "2024-12"))
    total = table.totals[0]
    col = {c.key: i for i, c in enumerate(table.columns)}
    targets = [r[col["target"]].value for r in table.rows if r[col["target"]].value is not None]
    assert total[col["target"]].value == sum(targets) == 12824 + 45 + 100 + 100
    actuals = [r[col["actual"]].value for r in table.rows]
    assert total[col["actual"]].value == sum(actuals)
    # The printed 実績 ÷ the printed 目標 gives the printed 到達率 (products without a target
    # count in 実績, as 新契約総件数 counts every new contract, and the row says how many).
    assert total[col["reach"]].value == Decimal(sum(actuals) * 10000 // 13069) / 100
    assert (
        total[col["reach"]].tooltip
        == f"{sum(actuals):,} ÷ 13,069 (実績合計 ÷ 目標合計、平均ではありません)"
    )
    with_target = 5931 + 106 + 60 + 20 + 4  # 火災 has a (zero) target
    untargeted = sum(actuals) - with_target
    assert untargeted > 0 and total[col["note"]].text == f"目標なし商品 {untargeted:,}件を含む"
    assert any(
        n.startswith(
            f"合計の到達率 = 実績合計 {sum(actuals):,} ÷ 目標合計 13,069 = "
            f"{total[col['reach']].text}"
        )
        and f"{untargeted:,}件を含みます" in n
        for n in table.notes
    )
    assert all(c.tone == tones.TOTAL for c in total)


def test_rider_goal_is_a_setting(branch):
    ctx, _ids = branch
    ctx.settings.set("rider_goal:自然災害共済", "70")
    ctx.settings.set("rider_goal:車両損害補償", "")
    goals = rider_goals(ctx)
    assert goals == {"自然災害共済": Decimal("70")}
    summary = dict(branch_report_table(branch_progress(ctx, 2024, "2024-12"), goals).summary)
    assert summary["自然災害共済付帯率"] == "75.0% (本部目標 70%)"
    assert summary["車両損害補償付帯率"] == "60.0%"


def test_products_off_sale_without_figures_are_left_out(branch):
    ctx, ids = branch
    ctx.products.update(ids["介護保障"], active_to="2023-03-31")
    ctx.products.update(ids["火災共済"], active_to="2023-03-31")  # off sale but has figures
    table = branch_report_table(branch_progress(ctx, 2024, "2024-12"))
    names = [r[0].text for r in table.rows]
    assert "介護保障" not in names and "火災共済" in names
    assert len(names) == 15
