"""Demo data: plausible figures for one prefecture, to explore the app on first launch.

About 30–60 fictitious unions with realistic Japanese names (県職, 市職, 町職, 病院労組 …),
their members / 団生 holdings / 発効月, branch targets for FY2024 and FY2025 scaled from the
national targets of DOMAIN §2 (第1次, a few 第2次), union targets that add up to the branch's
第1次 target, and monthly new contracts FY2023–FY2025 up to ``until`` with seasonality
(April hires, each union's 発効月 peak, riders following their parent product).

Everything is deterministic (seeded) and written through the repositories in one
transaction, audited with source ``demo``.  The work is a list of step functions
(:data:`STEPS`); later features append theirs (model-union designations, an estimate
campaign) either to that list or by naming a module in :data:`EXTRA_STEP_MODULES` whose
``demo_step(data)`` is called after the built-in steps.
"""

from __future__ import annotations

import importlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from kyosai_desktop.domain.months import months_between
from kyosai_desktop.domain.rates import join_rate
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.demo_mark import DEMO_KEY
from kyosai_desktop.services.demo_mark import is_demo as is_demo  # re-exported
from kyosai_desktop.services.import_plan import Progress, report_progress
from kyosai_desktop.store.master import Product
from kyosai_desktop.store.results import CellChange
from kyosai_desktop.store.tx import transaction
from kyosai_desktop.store.unions import Union

DEMO_SEED = 2025
DEMO_UNTIL = "2026-02"  # results up to this month (FY2025 as of 2月, like a 速報)
RESULT_YEARS = (2023, 2024, 2025)
TARGET_YEARS = (2024, 2025)
FIGURES_AS_OF = "2025-04-01"

# FY2024 national targets where seed 004 §1 prints them (else the 2025 figure × 0.98).
NATIONAL_TARGETS_2024 = {
    "団体生命共済": 12441,
    "退職者団体生命共済": 7063,
    "マイカー共済": 22166,
    "車両損害補償": 22892,
    "自賠責共済": 12824,
    "火災共済": 5388,
    "自然災害共済": 4910,
    "長期共済": 9180,
    "税制適格年金": 5836,
    "交通災害共済": 3903,
}
# 2025 national new-contract targets (DOMAIN §2, seed 000 L118–682).
NATIONAL_TARGETS = {
    "総合共済": 36934,
    "団体生命共済": 12360,
    "退職者団体生命共済": 6468,
    "税制適格年金": 5221,
    "長期共済": 8565,
    "マイカー共済": 22728,
    "車両損害補償": 23499,
    "自賠責共済": 12201,
    "火災共済": 4506,
    "自然災害共済": 4279,
    "交通災害共済": 3432,
    "親子共済": 958,
    "退職後共済": 2488,
    "介護保障": 240,
}
NATIONAL_MEMBERS = 800_000  # rough 自治労 membership, to scale a prefecture's share

# Products whose sign-ups follow the April intake of new hires, and those that peak in the
# union's continuing-enrolment month (発効月).
APRIL_PRODUCTS = {"団体生命共済", "総合共済", "交通災害共済", "親子共済", "長期共済"}
RENEWAL_PRODUCTS = {
    "団体生命共済",
    "総合共済",
    "長期共済",
    "税制適格年金",
    "交通災害共済",
    "退職者団体生命共済",
    "介護保障",
    "火災共済",
}
# Riders on new contracts: the national FY2024 figures run at about 95 % of the parent
# (seed 004 §1: 車両 12,445 / マイカー 13,039; 自然災害 1,859 / 火災 1,960).  A share of the
# parent's new contracts take the rider, plus riders added to contracts already held.
RIDER_TAKE_UP = {"車両損害補償": (0.80, 0.92), "自然災害共済": (0.78, 0.88)}
RIDER_ADD_ON = 0.06
NO_TARGET_RATES = {
    "こども保障満期金付タイプ": 0.0009,
    "個人賠償責任共済": 0.0015,
}  # per member per year

# Fictitious place names (plausible, not a list of real municipalities).
PLACES = [
    "青葉",
    "若林",
    "桜川",
    "緑ヶ丘",
    "東山",
    "西原",
    "南浜",
    "北野",
    "中島",
    "高森",
    "大沢",
    "小松原",
    "白石",
    "黒川",
    "若松",
    "松山",
    "竹田",
    "梅津",
    "桑原",
    "柳井",
    "杉浦",
    "栗原",
    "石巻",
    "岩沼",
    "川崎",
    "富谷",
    "名取",
    "角田",
    "丸森",
    "亘理",
    "山元",
    "大郷",
    "大衡",
    "色麻",
    "加美",
    "涌谷",
    "美里",
    "女川",
    "南郷",
    "花山",
    "鳴瀬",
    "志津川",
    "本吉",
    "唐桑",
    "登米",
    "迫",
    "築館",
    "若柳",
    "金成",
    "一迫",
    "瀬峰",
    "鶯沢",
    "栗駒",
    "高清水",
    "村田",
    "七ヶ宿",
    "蔵王",
    "大河原",
    "柴田",
    "川内",
    "泉",
    "秋保",
    "宮床",
    "吉岡",
]


def pref_office_name(pref_name: str) -> str:
    """宮城 → 宮城県, 東京 → 東京都, 大阪/京都 → …府, 北海道 stays."""
    if pref_name == "北海道":
        return pref_name
    if pref_name == "東京":
        return "東京都"
    if pref_name in ("大阪", "京都"):
        return pref_name + "府"
    return pref_name + "県"


@dataclass
class DemoData:
    """What the steps share: the context, the prefecture, the seeded generator, the output."""

    ctx: AppContext
    pref_code: str
    rng: random.Random
    until: str = DEMO_UNTIL
    unions: list[Union] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # Japanese lines for the clerk

    def product(self, name: str) -> Product:
        return next(p for p in self.products if p.name == name)

    @property
    def active_unions(self) -> list[Union]:
        return [u for u in self.unions if u.active]


DemoStep = Callable[[DemoData], None]


# ---------------------------------------------------------------- unions


def _union_plan(rng: random.Random, pref_name: str, pref_code: str) -> list[tuple[str, int, int]]:
    """(name, members, 発効月) for the prefecture's unions."""
    office = pref_office_name(pref_name)
    places = rng.sample(PLACES, len(PLACES))
    take = iter(places)
    months = [4, 5, 6, 6, 7, 7, 8, 9, 10, 10, 10, 11, 12, 1, 2]
    plan: list[tuple[str, int, int]] = []
    if pref_code == "60":
        for _ in range(rng.randint(30, 36)):
            plan.append((f"{next(take)}社会保険労働組合", rng.randint(40, 900), rng.choice(months)))
        return plan
    plan.append((f"{office}職員労働組合", rng.randint(3000, 7000), 10))
    plan.append((f"{office}立病院労働組合", rng.randint(600, 1500), 7))
    plan.append((f"{office}社会福祉協議会職員労働組合", rng.randint(40, 120), rng.choice(months)))
    cities = [next(take) for _ in range(rng.randint(11, 17))]
    for i, city in enumerate(cities):
        members = rng.randint(2500, 6000) if i == 0 else rng.randint(220, 1800)
        plan.append((f"{city}市職員労働組合", members, rng.choice(months)))
    for city in cities[: rng.randint(1, 3)]:
        plan.append((f"{city}市立病院労働組合", rng.randint(150, 700), rng.choice(months)))
    plan.append((f"{cities[0]}市水道局労働組合", rng.randint(80, 300), rng.choice(months)))
    plan.append((f"{cities[0]}市一般職非常勤職員労働組合", rng.randint(60, 400), 4))
    for _ in range(rng.randint(9, 18)):
        plan.append((f"{next(take)}町職員労働組合", rng.randint(40, 300), rng.choice(months)))
    for _ in range(rng.randint(2, 4)):
        plan.append((f"{next(take)}村職員組合", rng.randint(15, 60), rng.choice(months)))
    plan.append((f"{next(take)}地区清掃事業労働組合", rng.randint(30, 120), rng.choice(months)))
    return plan


def add_unions(data: DemoData) -> None:
    ctx, rng = data.ctx, data.rng
    pref_name = ctx.prefectures.name_of(data.pref_code) or data.pref_code
    threshold = ctx.settings.org_join_threshold
    code = 0
    plan = _union_plan(rng, pref_name, data.pref_code)
    merged = rng.randrange(len(plan) // 2, len(plan))  # one union merged away last year
    for index, (name, members, month) in enumerate(plan):
        code += 1 if index == 0 or rng.random() < 0.85 else 2  # the odd gap, as in real lists
        ratio = rng.triangular(0.32, 1.03, 0.72)
        holdings = min(int(members * ratio), int(members * 1.05))
        rate = join_rate(holdings, members)
        union = ctx.unions.add(
            data.pref_code,
            f"{code:03d}",
            name,
            source="demo",
            members=members,
            holdings=holdings,
            figures_as_of=FIGURES_AS_OF,
            effective_month=month,
            org_joined=rate is not None and rate >= threshold,
        )
        if index == merged:
            union = ctx.unions.update(
                union.id,
                source="demo",
                active=False,
                note="2025年3月 近隣単組と統合 (実績は統合前のみ)",
            )
        data.unions.append(union)
    data.summary.append(f"単組 {len(data.unions)} 件 (うち無効 1 件)")


# ---------------------------------------------------------------- targets


def _share(data: DemoData) -> float:
    members = sum(u.members or 0 for u in data.active_unions)
    return min(0.06, max(0.006, members / NATIONAL_MEMBERS))


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder: sums exactly)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def add_targets(data: DemoData) -> None:
    ctx, rng = data.ctx, data.rng
    share = _share(data)
    active = data.active_unions
    weights = [float(u.members or 1) for u in active]
    count = 0
    for year in TARGET_YEARS:
        ctx.fiscal_years.ensure(year)
        revised = set(rng.sample(sorted(NATIONAL_TARGETS), 4))
        for name, national in NATIONAL_TARGETS.items():
            if year == 2024:
                national = NATIONAL_TARGETS_2024.get(name, national * 0.98)  # type: ignore[arg-type]
            product = data.product(name)
            first = max(1, round(national * share * rng.uniform(0.9, 1.1)))
            ctx.targets.set(year, product.id, "第1次", first, source="demo")
            count += 1
            if name in revised:
                second = max(1, round(first * rng.uniform(0.93, 1.08)))
                ctx.targets.set(year, product.id, "第2次", second, source="demo")
                count += 1
            for union, part in zip(active, _spread(first, weights), strict=True):
                if part:
                    ctx.targets.set(year, product.id, "第1次", part, union.id, source="demo")
                    count += 1
    data.summary.append(f"目標 {count} 件 (2024・2025年度、県支部と単組)")


# ---------------------------------------------------------------- results


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _month_weights(name: str, effective_month: int | None, months: list[str]) -> list[float]:
    weights = []
    for ym in months:
        month = int(ym[5:7])
        w = 1.0
        if name in APRIL_PRODUCTS and month == 4:
            w += 2.5
        if name in RENEWAL_PRODUCTS and month == effective_month:
            w += 5.0
        if name in ("マイカー共済", "自賠責共済") and month in (3, 4):
            w += 0.6
        weights.append(w)
    total = sum(weights)
    return [w / total for w in weights]


def add_results(data: DemoData) -> None:
    ctx, rng = data.ctx, data.rng
    years = {y: ctx.fiscal_years.results_year(y) for y in RESULT_YEARS}
    branch_targets = {y: ctx.targets.by_version(y, "第1次") for y in TARGET_YEARS}
    branch_targets[2023] = {p: round(t * 0.97) for p, t in branch_targets[2024].items()}
    activity = {u.id: rng.uniform(0.5, 1.6) for u in data.unions}
    weight_sum = sum((u.members or 1) * activity[u.id] for u in data.unions)
    members_total = sum(u.members or 0 for u in data.unions)
    changes: list[CellChange] = []
    parents = {"車両損害補償": "マイカー共済", "自然災害共済": "火災共済"}
    for fy, year in years.items():
        months = months_between(year.first, min(year.last, data.until))
        if not months:
            continue
        cells: dict[tuple[int, str, str], int] = {}
        for product in data.products:
            if product.name in parents:
                continue
            if product.name in NO_TARGET_RATES:
                annual = members_total * NO_TARGET_RATES[product.name]
            else:
                annual = branch_targets[fy].get(product.id, 0) * rng.uniform(0.72, 1.12)
            for union in data.unions:
                if not union.active and months[0] >= "2025-03":
                    continue
                u_share = (union.members or 1) * activity[union.id] / weight_sum
                weights = _month_weights(product.name, union.effective_month, year.months())
                for ym, w in zip(year.months(), weights, strict=True):
                    if ym not in months or (not union.active and ym >= "2025-03"):
                        continue
                    value = _poisson(rng, annual * u_share * w)
                    if value:
                        cells[(union.id, product.name, ym)] = value
        for rider, parent in parents.items():
            low, high = RIDER_TAKE_UP[rider]
            take_up = {u.id: rng.uniform(low, high) for u in data.unions}
            for (union_id, name, ym), value in list(cells.items()):
                if name == parent:
                    rider_count = _binomial(rng, value, take_up[union_id]) + _poisson(
                        rng, value * RIDER_ADD_ON
                    )
                    if rider_count:
                        cells[(union_id, rider, ym)] = rider_count
        ids = {p.name: p.id for p in data.products}
        changes += [CellChange(u, ids[n], ym, v) for (u, n, ym), v in sorted(cells.items())]
    ctx.results.apply(changes, source="demo")
    data.summary.append(
        f"月別実績 {len(changes):,} 件 ({years[RESULT_YEARS[0]].first}〜{data.until} 発効分)"
    )


def mark_demo(data: DemoData) -> None:
    """Record that the database holds demo figures (the window title says so)."""
    data.ctx.settings.set(DEMO_KEY, f"{data.pref_code}:{DEMO_SEED}", source="demo")


# Built-in steps, in order.  Features append their own (model unions, estimates).
STEPS: list[DemoStep] = [mark_demo, add_unions, add_targets, add_results]
# Modules exposing ``demo_step(data: DemoData) -> None``, run after STEPS (imported lazily).
EXTRA_STEP_MODULES: list[str] = [
    "kyosai_desktop.services.model_union_demo",  # 加入拡大モデル単組 designations (H3)
    "kyosai_desktop.services.estimate_demo",  # an estimate campaign (H4)
]


def demo_steps() -> list[DemoStep]:
    steps = list(STEPS)
    for name in EXTRA_STEP_MODULES:
        steps.append(importlib.import_module(name).demo_step)
    return steps


class DemoRefused(ValueError):
    """Demo data would mix with real data; ``str(exc)`` is Japanese."""


def load_demo(
    ctx: AppContext,
    pref_code: str | None = None,
    *,
    seed: int = DEMO_SEED,
    until: str = DEMO_UNTIL,
    progress: Progress | None = None,
) -> list[str]:
    """Load the demo for ``pref_code`` (default: the branch) in one transaction.

    Returns the Japanese summary lines.  Refused when the prefecture already has unions, so
    demo figures never mix with a branch's real ones.
    """
    pref_code = pref_code or ctx.branch
    if pref_code is None:
        raise DemoRefused("県支部が設定されていません。先に県支部を選んでください。")
    if ctx.prefectures.name_of(pref_code) is None:
        raise DemoRefused(f"県コード「{pref_code}」は登録されていません。")
    if ctx.unions.list(pref_code):
        raise DemoRefused(
            "この県支部には既に単組が登録されています。デモデータは空のデータベースにだけ読み込めます。"
        )
    data = DemoData(
        ctx=ctx,
        pref_code=pref_code,
        rng=random.Random(f"{seed}:{pref_code}"),
        until=until,
        products=list(ctx.products.all()),
    )
    steps = list(demo_steps())
    with transaction(ctx.conn):
        for i, step in enumerate(steps):
            report_progress(progress, i, len(steps), "デモデータ")
            step(data)
    ctx.db.checkpoint()  # a large write: into the main file now
    ctx.products.invalidate()
    return data.summary
