"""A generated national-scale database for the benchmarks (not used by the unit tests).

About 3,000 unions over the 47 prefectures (the national scale the goals are set for), every product with monthly results for 36 months
(FY2022–FY2024 under 6月開始), branch and union targets.  Deterministic (seeded), written
straight into a fresh database made by the real migrations.
"""

from __future__ import annotations

import random
from pathlib import Path

from kyosai_desktop.domain.months import add_months
from kyosai_desktop.services.context import AppContext, open_context
from kyosai_desktop.store.tx import transaction

FIRST_MONTH = "2022-06"
MONTHS = [add_months(FIRST_MONTH, i) for i in range(36)]  # 2022-06 … 2025-05


def build(path: Path, *, unions: int = 3000, branch: str = "13", seed: int = 2024) -> AppContext:
    """Create (or overwrite) ``path`` with national-scale data; returns an open context."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    ctx = open_context(path)
    ctx.settings.set_branch(branch)
    rng = random.Random(seed)
    conn = ctx.conn
    prefs = [p.code for p in ctx.prefectures.all() if p.code != "60"][:47]
    products = [p.id for p in ctx.products.all()][:15]
    # Bigger prefectures hold more unions, as in reality (Tokyo, Osaka, Aichi …).
    weights = [rng.uniform(0.4, 2.5) for _ in prefs]
    scale = unions / sum(weights)
    union_rows = []
    for pref, weight in zip(prefs, weights, strict=True):
        for n in range(1, max(1, round(weight * scale)) + 1):
            members = rng.randint(30, 9000)
            union_rows.append(
                (
                    pref,
                    f"{n:03d}",
                    f"{pref}県 第{n}単組職員労働組合",
                    members,
                    int(members * rng.uniform(0.2, 0.8)),
                    "2024-04-01",
                    rng.choice([4, 5, 6, 7, 10]),
                    rng.random() < 0.8,
                )
            )
    with transaction(conn):
        conn.executemany(
            "INSERT INTO unions (pref_code, union_code, name, members, holdings, figures_as_of,"
            " effective_month, org_joined) VALUES (?,?,?,?,?,?,?,?)",
            union_rows[: unions + 200],
        )
        for year in (2022, 2023, 2024):
            ctx.fiscal_years.ensure(year)
        union_ids = [r[0] for r in conn.execute("SELECT id FROM unions")]
        rates = {p: rng.uniform(0.3, 2.0) for p in products}
        results = []
        for uid in union_ids:
            activity = rng.uniform(0.2, 3.0)
            for p in products:
                for month in MONTHS:
                    value = int(rng.expovariate(1 / (rates[p] * activity)))
                    if value:
                        results.append((uid, p, month, value))
        conn.executemany(
            "INSERT INTO results (union_id, product_id, month, count) VALUES (?,?,?,?)", results
        )
        targets = []
        for year in (2022, 2023, 2024):
            for p in products:
                targets.append((year, p, "第1次", None, rng.randint(200, 3000)))
                for uid in union_ids[::7]:
                    targets.append((year, p, "第1次", uid, rng.randint(5, 60)))
        conn.executemany(
            "INSERT INTO targets (fiscal_year, product_id, version, union_id, target)"
            " VALUES (?,?,?,?,?)",
            targets,
        )
    conn.execute("ANALYZE")
    return ctx


if __name__ == "__main__":
    import sys
    import time

    start = time.perf_counter()
    context = build(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/national.sqlite3"))
    n_unions = context.conn.execute("SELECT count(*) FROM unions").fetchone()[0]
    n_results = context.conn.execute("SELECT count(*) FROM results").fetchone()[0]
    print(f"{n_unions} unions, {n_results} result cells in {time.perf_counter() - start:.1f} s")
