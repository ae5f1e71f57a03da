"""Demo data: deterministic, plausible, written in one transaction, never over real data."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter

import pytest

from kyosai_desktop.domain.rates import join_rate
from kyosai_desktop.services import demo
from kyosai_desktop.services.branch_report import branch_progress


def digest(path) -> str:
    con = sqlite3.connect(path)
    try:
        parts = [
            repr(con.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall())
            for t in ("unions", "targets", "results")
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


def test_demo_is_plausible_for_one_prefecture(ctx):
    summary = demo.load_demo(ctx)
    assert any("単組" in line for line in summary)
    unions = ctx.unions.list("05")
    assert 30 <= len(unions) <= 60
    assert ctx.unions.list("13") == []
    names = [u.name for u in unions]
    assert names[0] == "宮城県職員労働組合" and unions[0].union_code == "001"
    assert any(n.endswith("市職員労働組合") for n in names)
    assert any(n.endswith("町職員労働組合") for n in names)
    assert any("病院労働組合" in n for n in names)
    assert all(len(u.union_code) == 3 and u.union_code.isdigit() for u in unions)
    assert all(
        u.members and u.holdings is not None and 1 <= u.effective_month <= 12 for u in unions
    )
    assert [u.active for u in unions].count(False) == 1
    # 組織加入 follows the 80 % threshold of 団生保有 ÷ 組合員数 (DOMAIN §4).
    for u in unions:
        assert u.org_joined == (join_rate(u.holdings, u.members) >= 80), u


def test_targets_are_scaled_and_union_targets_add_up(ctx):
    demo.load_demo(ctx)
    ids = {p.name: p.id for p in ctx.products.all()}
    for year in demo.TARGET_YEARS:
        branch = ctx.targets.by_version(year, "第1次")
        assert set(branch) == {ids[n] for n in demo.NATIONAL_TARGETS}
        share = branch[ids["総合共済"]] / demo.NATIONAL_TARGETS["総合共済"]
        assert 0.005 < share < 0.07
        rows = ctx.conn.execute(
            "SELECT product_id, sum(target) FROM targets WHERE fiscal_year = ? AND version = '第1次'"
            " AND union_id IS NOT NULL GROUP BY product_id",
            (year,),
        ).fetchall()
        assert {p: s for p, s in rows} == branch  # union targets sum to the branch's 第1次
        assert 1 <= len(ctx.targets.by_version(year, "第2次")) <= 4
    assert ctx.targets.by_version(2023, "第1次") == {}


def test_results_have_seasonality_and_stop_at_the_demo_month(ctx):
    demo.load_demo(ctx)
    con = ctx.conn
    first, last = con.execute("SELECT min(month), max(month) FROM results").fetchone()
    assert first == "2023-06" and last == demo.DEMO_UNTIL
    dansei = ctx.products.resolve("団生").id
    by_month = Counter()
    for month, count in con.execute(
        "SELECT month, sum(count) FROM results WHERE product_id = ?"
        " AND month BETWEEN '2024-06' AND '2025-05' GROUP BY month",
        (dansei,),
    ):
        by_month[month] = count
    assert by_month["2025-04"] > sum(by_month.values()) / 12 * 1.5  # April hires
    # Riders follow their parent: 車両 ÷ マイカー near the national new-contract ratio.
    report = branch_progress(ctx, 2024, "2025-05")
    rider = {r.product: r.rider_rate for r in report.rows if r.rider_rate is not None}
    assert 75 <= rider["車両損害補償"] <= 100 and 75 <= rider["自然災害共済"] <= 100
    reach = {r.product: r.reach for r in report.rows if r.reach is not None}
    assert all(40 < v < 140 for v in reach.values()), reach
    # The merged (inactive) union has no results after it merged.
    merged = next(u for u in ctx.unions.list("05") if not u.active)
    assert (
        con.execute(
            "SELECT count(*) FROM results WHERE union_id = ? AND month >= '2025-03'", (merged.id,)
        ).fetchone()[0]
        == 0
    )
    # Audited as demo data.
    assert con.execute("SELECT count(*) FROM audit WHERE source = 'demo'").fetchone()[0] > 1000


def test_demo_is_deterministic(tmp_path):
    from kyosai_desktop.services.context import open_context

    digests = []
    for name in ("a.sqlite3", "b.sqlite3"):
        c = open_context(tmp_path / name)
        c.settings.set_branch("05")
        demo.load_demo(c)
        c.close()
        digests.append(digest(tmp_path / name))
    assert digests[0] == digests[1]


def test_demo_refuses_a_prefecture_with_unions_and_writes_nothing(ctx, db_path):
    ctx.unions.add("05", "001", "仙台市職員労働組合")
    before = digest(db_path)
    with pytest.raises(demo.DemoRefused, match="既に単組"):
        demo.load_demo(ctx)
    assert digest(db_path) == before


def test_a_failing_step_rolls_everything_back(ctx, db_path, monkeypatch):
    def broken(data):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "STEPS", [*demo.STEPS, broken])
    before = digest(db_path)
    with pytest.raises(RuntimeError):
        demo.load_demo(ctx)
    assert digest(db_path) == before
    assert ctx.unions.list() == []


def test_extra_step_modules_run_after_the_built_in_steps(ctx, monkeypatch, tmp_path):
    import sys
    import types

    seen = []
    module = types.ModuleType("demo_extra_for_test")
    module.demo_step = lambda data: seen.append(len(data.unions))
    monkeypatch.setitem(sys.modules, "demo_extra_for_test", module)
    monkeypatch.setattr(demo, "EXTRA_STEP_MODULES", ["demo_extra_for_test"])
    demo.load_demo(ctx)
    assert seen and seen[0] == len(ctx.unions.list("05"))


def all_tables_digest(path) -> str:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        parts = [repr(con.execute(f"SELECT * FROM {n}").fetchall()) for n in names]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    finally:
        con.close()


def test_feature_steps_run_in_the_same_transaction(ctx, db_path, monkeypatch):
    """The model-union and estimate steps of their owners are part of the demo, all or nothing."""
    import sys
    import types

    assert demo.EXTRA_STEP_MODULES == [
        "kyosai_desktop.services.model_union_demo",
        "kyosai_desktop.services.estimate_demo",
    ]
    broken = types.ModuleType("demo_broken_for_test")

    def fail(data):
        raise RuntimeError("boom")

    broken.demo_step = fail
    monkeypatch.setitem(sys.modules, "demo_broken_for_test", broken)
    monkeypatch.setattr(
        demo, "EXTRA_STEP_MODULES", [*demo.EXTRA_STEP_MODULES, "demo_broken_for_test"]
    )
    before = all_tables_digest(db_path)
    with pytest.raises(RuntimeError):
        demo.load_demo(ctx)
    assert all_tables_digest(db_path) == before
    monkeypatch.setattr(demo, "EXTRA_STEP_MODULES", demo.EXTRA_STEP_MODULES[:2])
    summary = demo.load_demo(ctx)
    assert any("加入拡大モデル単組" in line for line in summary)
    assert any("見積りキャンペーン" in line for line in summary)
    assert demo.is_demo(ctx)
