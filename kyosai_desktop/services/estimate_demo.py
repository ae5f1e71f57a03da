"""Demo step: an estimate campaign (単組執行部見積り強化月間) for the demo prefecture.

Called by ``services/demo.py`` when this module is listed in its ``EXTRA_STEP_MODULES``
(the demo loads in one transaction; estimates are written through the repository, audited
with source ``demo``).  Six to ten unions take part; each sends 6–18 officers' requests with
fictitious names, cars and premiums of a realistic size (a few without premiums, flagged);
the workflow has moved on for most (見積作成 → 返却済 → 成約 / 不成約), and the current
policies mature over the year after the demo's last month, so the closing list has work.
"""

from __future__ import annotations

from datetime import date, timedelta

from kyosai_desktop.domain.estimates import DEFAULT_PRODUCT, OFFICER_CAMPAIGN, default_role
from kyosai_desktop.domain.months import add_months

SURNAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
]
GIVEN = [
    "太郎",
    "花子",
    "一郎",
    "美咲",
    "翔",
    "陽子",
    "大輔",
    "由美",
    "誠",
    "愛",
    "聡",
    "恵",
    "拓也",
    "真理",
    "健",
    "彩",
    "亮",
    "結衣",
]
CARS = [
    "アクア",
    "プリウス",
    "N-BOX",
    "タント",
    "フィット",
    "ノート",
    "ヤリス",
    "セレナ",
    "ハスラー",
    "ワゴンR",
    "ヴォクシー",
    "CX-5",
    "フリード",
    "デイズ",
    "ムーヴ",
    "インプレッサ",
]


def _day(first: date, rng, span_days: int) -> str:
    return (first + timedelta(days=rng.randint(0, span_days))).isoformat()


def demo_step(data) -> None:  # data: services.demo.DemoData
    ctx, rng = data.ctx, data.rng
    unions = data.active_unions
    if len(unions) < 3:
        return
    year = int(data.until[:4]) - (1 if int(data.until[5:7]) < 10 else 0)
    start, end = date(year, 10, 1), date(year, 12, 26)
    product = ctx.products.resolve(DEFAULT_PRODUCT)
    camp = ctx.campaigns.add(
        f"{year}年度 {OFFICER_CAMPAIGN}",
        OFFICER_CAMPAIGN,
        period_from=start.isoformat(),
        period_to=end.isoformat(),
        product_id=product.id if product else None,
        source="demo",
        note="デモデータ (架空の氏名・掛金)",
    )
    chosen = sorted(
        rng.sample(unions, min(len(unions), rng.randint(6, 10))), key=lambda u: u.union_code
    )
    ctx.campaigns.add_unions(camp.id, [u.id for u in chosen], source="demo")
    first_maturity = date.fromisoformat(add_months(data.until, 1) + "-01")
    total = 0
    for u in chosen:
        for seq in range(1, rng.randint(6, 18) + 1):
            monthly = rng.random() < 0.4
            other = rng.randrange(3000, 9500, 10) if monthly else rng.randrange(30000, 130000, 10)
            jichiro = int(other * rng.uniform(0.5, 0.98)) // 10 * 10
            if rng.random() < 0.05:
                jichiro = int(other * rng.uniform(1.05, 1.6)) // 10 * 10  # a premium that rises
            complete = rng.random() > 0.07
            grade = rng.randint(6, 20)
            requested = _day(start, rng, 30)
            e = ctx.estimates.add(
                camp.id,
                u.id,
                seq=seq,
                role=default_role(camp.kind),
                source="demo",
                name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                age=rng.randint(22, 62),
                contact=f"内線{rng.randint(1000, 9999)}",
                car=rng.choice(CARS),
                grade_now=str(grade),
                grade_new=str(min(20, grade + 1)),
                vehicle_cover=rng.random() < 0.6,
                other_premium=other if complete else None,
                jichiro_premium=jichiro if complete else None,
                payment=("月" if monthly else "年") if complete else None,
                policy_maturity=_day(first_maturity, rng, 360),
                inspection_due=_day(first_maturity, rng, 700),
                requested_on=requested,
            )
            total += 1
            if not complete:
                continue
            r = rng.random()
            ctx.estimates.set_status(
                e.id,
                "見積作成",
                _day(date.fromisoformat(requested) + timedelta(days=7), rng, 10),
                source="demo",
            )
            if r < 0.2:
                continue
            ctx.estimates.set_status(
                e.id, "返却済", _day(date(year, 11, 20), rng, 20), source="demo"
            )
            if r < 0.75:
                continue
            ctx.estimates.set_status(
                e.id,
                "成約" if r < 0.92 else "不成約",
                _day(date(year + 1, 1, 5), rng, 40),
                source="demo",
            )
    data.summary.append(
        f"見積りキャンペーン「{camp.name}」: {len(chosen)} 単組・{total} 件の見積り (架空)"
    )
