"""Benchmark of the laptop exchange on national-size data (issue 10; not collected by pytest).

    .venv/bin/python tests/bench_exchange.py [--keep DIR]

The office database: tests/national_data.py (about 2,500 unions, 600,000 result cells) plus a
campaign of 20,000 estimates.  The laptop copy changes 500 result cells and adds 200 estimates
through the repositories.  Timed (best of 3 where the step can be repeated):

* checkout of the whole office database          — goal < 3 s
* export of the laptop's changes                 — goal < 1 s
* dry run of the import at the office            — goal < 2 s
* import at the office                           — goal < 2 s

The floor, measured in the same run: copying the office database with SQLite's backup API
(what any whole-database step must at least do); each figure is also printed as a ratio to it.
Package sizes are printed.  Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_data  # noqa: E402

from kyosai_desktop.services import exchange  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.store.results import CellChange  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402

PASSPHRASE = "bench passphrase"
GOALS = {"checkout": 3.0, "export": 1.0, "dry_run": 2.0, "import": 2.0}


def add_estimates(path: Path, n: int = 20_000, seed: int = 9) -> None:
    rng = random.Random(seed)
    ctx = open_context(path)
    try:
        camp = ctx.campaigns.add("2024年度 見積りキャンペーン", "見積りキャンペーン")
        unions = [u.id for u in ctx.unions.list()][:600]
        seqs = dict.fromkeys(unions, 0)
        rows = []
        for _ in range(n):
            u = rng.choice(unions)
            seqs[u] += 1
            rows.append(
                (
                    camp.id,
                    u,
                    seqs[u],
                    f"会員{rng.randint(1, 99999)}",
                    rng.randint(20, 65),
                    rng.choice(["プリウス", "アクア", "N-BOX"]),
                    rng.randint(3000, 9000),
                    rng.randint(2000, 8000),
                    rng.choice(["年", "月"]),
                )
            )
        with transaction(ctx.conn):
            ctx.conn.executemany(
                "INSERT INTO estimates (campaign_id, union_id, seq, name, age, car, other_premium,"
                " jichiro_premium, payment) VALUES (?,?,?,?,?,?,?,?,?)",
                rows,
            )
            ctx.conn.executemany(
                "INSERT OR IGNORE INTO estimate_campaign_unions VALUES (?, ?)",
                [(camp.id, u) for u in unions],
            )
    finally:
        ctx.close()


def laptop_edits(path: Path, seed: int = 10) -> None:
    rng = random.Random(seed)
    ctx = open_context(path)
    try:
        unions = [u.id for u in ctx.unions.list()]
        products = [p.id for p in ctx.products.all()][:15]
        cells = {
            (rng.choice(unions), rng.choice(products), rng.choice(national_data.MONTHS))
            for _ in range(600)
        }
        ctx.results.apply(
            [CellChange(u, p, m, rng.randint(0, 30)) for u, p, m in list(cells)[:500]]
        )
        camp = ctx.campaigns.list()[0]
        for _ in range(200):
            ctx.estimates.add(
                camp.id,
                rng.choice(unions[:600]),
                name="訪問先の依頼者",
                other_premium=6000,
                jichiro_premium=4500,
                payment="年",
            )
    finally:
        ctx.close()


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="keep the databases and packages in DIR")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-exchange-")) if not args.keep else args.keep
    work.mkdir(parents=True, exist_ok=True)
    office, laptop = work / "office.sqlite3", work / "laptop.sqlite3"
    pw = work / "pw"
    pw.write_text(PASSPHRASE, encoding="utf-8")
    national_data.build(office).close()
    add_estimates(office)
    con = sqlite3.connect(office)
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("unions", "results", "estimates")
    }
    con.close()
    print(
        f"office: {counts['unions']:,} unions, {counts['results']:,} result cells, "
        f"{counts['estimates']:,} estimates; file {office.stat().st_size / 1e6:.1f} MB"
    )

    times: dict[str, float] = {}
    ctx = open_context(office)
    floors = []
    for i in range(3):
        t, _ = timed(lambda i=i: ctx.conn.backup(sqlite3.connect(work / f"floor{i}.sqlite3")))
        floors.append(t)
    floor = min(floors)
    best = []
    for _ in range(3):
        t, info = timed(lambda: exchange.checkout(ctx.conn, work / "copy.kyosai", PASSPHRASE))
        best.append(t)
    times["checkout"] = min(best)
    ctx.close()
    copy_size = info["size"]  # type: ignore[index]
    t_open, _ = timed(lambda: exchange.open_copy(laptop, work / "copy.kyosai", PASSPHRASE))
    laptop_edits(laptop)
    best = []
    for _ in range(3):
        t, info = timed(
            lambda: exchange.export_changes(laptop, work / "changes.kyosai", PASSPHRASE)
        )
        best.append(t)
    times["export"] = min(best)
    changes_size = info["size"]  # type: ignore[index]
    best = []
    for _ in range(3):
        t, dry = timed(
            lambda: exchange.import_changes(
                office, work / "changes.kyosai", PASSPHRASE, dry_run=True
            )
        )
        best.append(t)
    times["dry_run"] = min(best)
    pristine = work / "office-before-import.sqlite3"
    shutil.copy(office, pristine)
    times["import"], res = timed(
        lambda: exchange.import_changes(office, work / "changes.kyosai", PASSPHRASE)
    )
    assert res["applied"] == dry["applied"] > 600 and res["conflicts"] == 0, res  # type: ignore[index]

    print(f"floor (backup API copy of the office database): {floor:.3f} s")
    ok = True
    for name, goal in GOALS.items():
        within = times[name] < goal
        ok &= within
        print(
            f"{name:9s} {times[name]:6.3f} s  = {times[name] / floor:5.1f}× floor  (goal < {goal:.0f} s)"
            f"  {'OK' if within else 'OVER'}"
        )
    print(f"open on the laptop (not a goal): {t_open:.3f} s")
    print(
        f"packages: checkout {copy_size / 1e6:.2f} MB, changes {changes_size / 1e3:.1f} kB"
        f" ({res['applied']} changes applied)"
    )  # type: ignore[index]
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
