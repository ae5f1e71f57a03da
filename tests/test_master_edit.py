"""Validated master edits (Qt-free): Japanese reasons, zero-padded codes, audited writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kyosai_desktop.services import master_edit as me
from kyosai_desktop.store.master_admin import MasterAdminRepository
from kyosai_desktop.store.settings import ORG_JOIN_THRESHOLD_KEY


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7", "007"),
        ("07", "007"),
        ("007", "007"),
        ("１２", "012"),
        (" 120 ", "120"),
    ],
)
def test_union_codes_are_three_digit_text(raw, expected):
    assert me.parse_union_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "1234", "a1", "-1", "1.5"])
def test_bad_union_codes_are_refused_in_japanese(raw):
    with pytest.raises(me.EditRefused, match="3桁までの数字"):
        me.parse_union_code(raw)


@pytest.mark.parametrize(
    "field, raw, expected",
    [
        ("members", "1,234", 1234),
        ("members", "１２００", 1200),
        ("members", "", None),
        ("effective_month", "10月", 10),
        ("effective_month", "", None),
        ("figures_as_of", "2025/4/1", "2025-04-01"),
        ("figures_as_of", "2025年4月1日", "2025-04-01"),
        ("org_joined", True, True),
        ("note", "  ", None),
        ("name", " 仙台市職員労働組合 ", "仙台市職員労働組合"),
    ],
)
def test_union_values_are_parsed(field, raw, expected):
    assert me.parse_union_value(field, raw) == expected


@pytest.mark.parametrize(
    "field, raw, reason",
    [
        ("members", "三", "数値ではありません"),
        ("members", "-5", "負の数"),
        ("members", "1.5", "整数ではありません"),
        ("effective_month", "13", "1〜12"),
        ("figures_as_of", "2025-02-30", "存在しない日付"),
        ("figures_as_of", "昨日", "日付ではありません"),
        ("name", "  ", "空にできません"),
    ],
)
def test_bad_union_values_give_the_reason(field, raw, reason):
    with pytest.raises(me.EditRefused, match=reason):
        me.parse_union_value(field, raw)


def test_add_union_keeps_leading_zeros_and_refuses_duplicates(ctx):
    union = me.add_union(
        ctx, "05", "7", "七ヶ浜町職員労働組合", members="120", effective_month="10月"
    )
    assert (union.union_code, union.members, union.effective_month) == ("007", 120, 10)
    assert ctx.unions.find("05", "007").name == "七ヶ浜町職員労働組合"
    with pytest.raises(me.EditRefused, match="05-007 は既に「七ヶ浜町職員労働組合」"):
        me.add_union(ctx, "05", "007", "別の単組")
    assert len(ctx.unions.list("05")) == 1


def test_rider_rules(ctx):
    products = {p.name: p for p in ctx.products.all()}
    fire = products["火災共済"]
    assert (
        me.parse_product_value(ctx, products["介護保障"], "rider_of", "住まいる共済") == fire.id
    )  # alias
    with pytest.raises(me.EditRefused, match="自分自身"):
        me.parse_product_value(ctx, fire, "rider_of", "火災共済")
    with pytest.raises(me.EditRefused, match="付帯商品です"):
        me.parse_product_value(ctx, products["介護保障"], "rider_of", "車両損害補償")
    with pytest.raises(me.EditRefused, match="付帯商品があるため"):
        me.parse_product_value(ctx, products["マイカー共済"], "rider_of", "総合共済")
    with pytest.raises(me.EditRefused, match="登録されていません"):
        me.parse_product_value(ctx, products["介護保障"], "rider_of", "宇宙共済")
    assert me.parse_product_value(ctx, products["車両損害補償"], "rider_of", "") is None


def test_product_dates_must_be_in_order(ctx):
    product = ctx.products.resolve("介護保障")
    ctx.products.update(product.id, active_from="2025-04-01")
    product = ctx.products.by_id(product.id)
    with pytest.raises(me.EditRefused, match="適用開始日より前"):
        me.parse_product_value(ctx, product, "active_to", "2025-03-31")
    assert me.parse_product_value(ctx, product, "active_to", "2026/3/31") == "2026-03-31"


def test_org_join_threshold_and_suggestions(ctx):
    a = ctx.unions.add("05", "001", "A", members=1000, holdings=800)  # 80.0 %
    b = ctx.unions.add("05", "002", "B", members=1000, holdings=799, org_joined=True)  # 79.9 %
    ctx.unions.add("05", "003", "C", members=1000, holdings=900, org_joined=True)  # agrees
    suggestions = {
        u.union_code: flag for u, flag in me.org_join_suggestions(ctx, ctx.unions.list("05"))
    }
    assert suggestions == {"001": True, "002": False}
    assert me.set_org_join_threshold(ctx, "75.5") == Decimal("75.5")
    assert ctx.settings.org_join_threshold == 75.5
    suggestions = {u.id: flag for u, flag in me.org_join_suggestions(ctx, ctx.unions.list("05"))}
    assert suggestions == {a.id: True}
    assert b.id not in suggestions
    with pytest.raises(me.EditRefused, match="1〜100"):
        me.set_org_join_threshold(ctx, "120")
    for typed in ("80", "80.0", "８０%"):  # a whole number is stored as typed by a clerk
        assert str(me.parse_percent(typed)) == "80"
    me.set_org_join_threshold(ctx, "80.0")
    assert ctx.audit.history("settings", ORG_JOIN_THRESHOLD_KEY)[-1].new == "80"


def test_admin_writes_are_audited(ctx):
    admin = MasterAdminRepository(ctx.conn)
    admin.set_support_branch("05", True)
    assert admin.support_branch("05") is True
    assert ctx.audit.history("prefectures", "05")[-1].new == "True"
    admin.set_fiscal_year_label(2025, "令和7年度")
    assert [r for r in admin.fiscal_years() if r[0] == 2025][0][1] == "令和7年度"
    assert admin.add_fiscal_year(2030) is True and admin.add_fiscal_year(2030) is False
    assert ctx.fiscal_years.model_year(2030).start_month == 5
    assert [e.field for e in ctx.audit.history("fiscal_years", "2025")] == ["label"]
    aliases = admin.product_aliases()
    assert "団生" in aliases[ctx.products.resolve("団体生命共済").id]
