"""47 generated branch databases whose roll-up must reproduce seed 004 §1.

The per-branch figures are derived from the seed's table: the branches the seed lists as
having reached their target get exactly their printed 目標 / 実績; the rest of each national
目標 and 実績 (from ../shared/samples/national_results_2025-02.csv) is spread over the other 46
branches so that none of them reaches its target.  Each branch's 実績 is split over its
unions and over the months from June 2024 to the product's own as-of month; every branch
also has figures the report must leave out (the month after the as-of month, the previous
year, a 第1次 target superseded by a 第2次 one), and 社保労連 (60) sends a package too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kyosai_desktop.domain.months import FiscalYear, add_months, months_between
from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.report_package import build_package
from kyosai_desktop.store.results import CellChange

SAMPLES = Path("/work/shared/samples")
FY = 2024
YEAR = FiscalYear(FY, 6)

# seed 004 §1 (lines 1–100): the branches that reached their target, with their figures.
SEED_REACHED: dict[str, list[tuple[str, int, int, str]]] = {
    "団体生命共済": [
        ("秋田", 140, 144, "102.85%"),
        ("東京", 139, 183, "131.65%"),
        ("和歌山", 214, 220, "102.80%"),
        ("熊本", 324, 372, "114.81%"),
    ],
    "長期共済": [("愛媛", 115, 131, "113.91%")],
    "こども保障満期金付タイプ": [("埼玉", 5, 5, "100.00%")],
    "交通災害共済": [
        ("北海道", 13, 14, "107.69%"),
        ("福井", 10, 394, "3940.00%"),
        ("徳島", 192, 207, "107.81%"),
        ("福岡", 45, 106, "235.55%"),
        ("佐賀", 18, 990, "5500.00%"),
    ],
}
# The sample CSV names products as printed; the app's names (aliases resolve them).
APP_NAME = {
    "じちろう退職者団体生命共済": "退職者団体生命共済",
    "じちろうマイカー共済": "マイカー共済",
    "こども保障満期金付きタイプ": "こども保障満期金付タイプ",
}


@dataclass(frozen=True)
class SeedLine:
    product: str  # the app's name
    as_of: str
    target: int
    actual: int
    rate: str  # as printed
    reached: int


def sample_path() -> Path:
    return SAMPLES / "national_results_2025-02.csv"


def seed_lines() -> list[SeedLine]:
    with open(sample_path(), encoding="utf-8") as fh:
        return [
            SeedLine(
                APP_NAME.get(r["product"], r["product"]),
                r["as_of"],
                int(r["target"]),
                int(r["actual"]),
                r["reach_rate_printed"],
                int(r["branches_reached"]),
            )
            for r in csv.DictReader(fh)
        ]


def prefectures() -> list[tuple[str, str]]:
    with open(SAMPLES / "prefectures.csv", encoding="utf-8") as fh:
        return [(r["pref_code"], r["pref_name"]) for r in csv.DictReader(fh)]


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` in integer parts proportional to ``weights`` (largest remainders)."""
    s = sum(weights)
    parts = [total * w // s for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -((total * weights[i]) % s))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def branch_figures() -> dict[str, dict[str, tuple[int, int]]]:
    """{product: {pref_code: (目標, 実績)}} for the 47 branches, derived from the seed."""
    prefs = [(c, n) for c, n in prefectures() if c != "60"]
    by_name = {n: c for c, n in prefs}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for k, line in enumerate(seed_lines()):
        reached = SEED_REACHED.get(line.product, [])
        figures = {by_name[n]: (t, a) for n, t, a, _ in reached}
        others = [c for c, _ in prefs if c not in figures]
        rest_t = line.target - sum(t for t, _ in figures.values())
        rest_a = line.actual - sum(a for _, a in figures.values())
        targets = split(rest_t, [1 + (i * 7 + k * 3) % 5 for i in range(len(others))])
        actuals = [t * rest_a // rest_t for t in targets]
        left = rest_a - sum(actuals)
        for i in range(len(others)):
            if left and actuals[i] + 1 < targets[i]:
                actuals[i] += 1
                left -= 1
        assert left == 0 and all(a < t for a, t in zip(actuals, targets, strict=True)), line.product
        figures.update({c: (t, a) for c, t, a in zip(others, targets, actuals, strict=True)})
        out[line.product] = figures
    return out


def _months(as_of: str) -> list[str]:
    return months_between(YEAR.first, as_of)


def build_branch(
    path: Path,
    pref: str,
    figures: dict[str, dict[str, tuple[int, int]]],
    as_of: dict[str, str],
    *,
    unions: int = 3,
    extra: int = 0,
):
    """One branch database: unions, 第1次/第2次 targets, monthly results; returns the context."""
    ctx = open_context(path)
    ctx.settings.set_branch(pref)
    made = [
        ctx.unions.add(
            pref,
            f"{n:03d}",
            f"{pref}県 第{n}単組",
            members=100 * n,
            holdings=40 * n,
            effective_month=10,
        )
        for n in range(1, unions + 1)
    ]
    changes = []
    for k, (product, per_branch) in enumerate(figures.items()):
        if pref not in per_branch:
            continue
        pid = ctx.products.resolve(product).id
        target, actual = per_branch[pref]
        if (int(pref) + k) % 2:
            ctx.targets.set(FY, pid, "第1次", target + 7)  # superseded by the 第2次 target
            ctx.targets.set(FY, pid, "第2次", target)
        else:
            ctx.targets.set(FY, pid, "第1次", target)
        ctx.targets.set(FY - 1, pid, "第1次", target + 3)
        ctx.targets.set(FY, pid, "第1次", 2, union_id=made[0].id)
        months = _months(as_of[product])
        per_union = split(actual, [u + 1 for u in range(unions)])
        for union, amount in zip(made, per_union, strict=True):
            for month, count in zip(months, split(amount, [1] * len(months)), strict=True):
                if count:
                    changes.append(CellChange(union.id, pid, month, count))
            # figures the report must leave out: after the as-of month, and the year before
            changes.append(CellChange(union.id, pid, add_months(as_of[product], 1), 11 + extra))
            changes.append(CellChange(union.id, pid, add_months(YEAR.first, -3), 13))
    ctx.results.apply(changes, source="import")
    return ctx


def build_national(folder: Path, *, extra: int = 0) -> dict[str, Path]:
    """47 branch databases + 社保労連, each exported as a package; {pref: package path}."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = branch_figures()
    as_of = {line.product: line.as_of for line in seed_lines()}
    packages = {}
    for pref, _name in prefectures():
        if pref == "60":  # 社保労連: big figures that must never reach the national total
            own = {p: {"60": (500, 900)} for p in figures}
        else:
            own = figures
        ctx = build_branch(folder / f"branch_{pref}.sqlite3", pref, own, as_of, extra=extra)
        try:
            packages[pref] = build_package(ctx, FY, folder / f"{pref}.kyosai-report").path
        finally:
            ctx.close()
    return packages
