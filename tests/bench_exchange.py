"""Benchmark of the laptop exchange on national-size data (issue 10; not collected by pytest).

    .venv/bin/python tests/bench_exchange.py [--keep DIR] [--runs 3]

The office database: tests/national_data.py (3,000 unions × 15 products × 36 months, about
670,000 result cells) plus a campaign of 20,000 estimates.  The laptop copy changes 500 result
cells and adds 200 estimates through the repositories.  Each step is timed in-process, the
median of ``--runs`` after one untimed warm-up (the import each time into a fresh copy of the
office database):

* checkout of the whole office database          — goal < 3 s
* export of the laptop's changes                 — goal < 1 s
* dry run of the import at the office            — goal < 2 s
* import at the office                           — goal < 2 s

Floors measured in the same run (medians after a warm-up), each figure printed with its ratio
to them: "backup" — copying the office database with SQLite's backup API (what any
whole-database step must at least do) — and "file copy" — a plain copy of the database file.
Package sizes are printed.  Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_data  # noqa: E402
from bench_floors import Figures, load, median_ms  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="keep the databases and packages in DIR")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    work = Path(tempfile.mkdtemp(prefix="bench-exchange-")) if not args.keep else args.keep
    work.mkdir(parents=True, exist_ok=True)
    office, laptop = work / "office.sqlite3", work / "laptop.sqlite3"
    national_data.build(office, unions=3000).close()
    add_estimates(office)
    con = sqlite3.connect(office)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("unions", "results", "estimates")
    }
    con.close()
    print(
        f"office: {counts['unions']:,} unions, {counts['results']:,} result cells, "
        f"{counts['estimates']:,} estimates; file {office.stat().st_size / 1e6:.1f} MB; {load()}",
        flush=True,
    )

    ctx = open_context(office)

    def backup() -> None:
        target = sqlite3.connect(work / "floor.sqlite3")
        ctx.conn.backup(target)
        target.close()

    floors = {
        "backup": median_ms(backup, runs)[0],
        "file copy": median_ms(lambda: shutil.copyfile(office, work / "floor.copy"), runs)[0],
    }
    (work / "floor.sqlite3").unlink()
    (work / "floor.copy").unlink()
    times: dict[str, tuple[float, list[float]]] = {}
    info: dict = {}

    def checkout() -> None:
        info["checkout"] = exchange.checkout(ctx.conn, work / "copy.kyosai", PASSPHRASE)

    times["checkout"] = median_ms(checkout, runs)
    ctx.close()
    start = time.perf_counter()
    exchange.open_copy(laptop, work / "copy.kyosai", PASSPHRASE)
    t_open = (time.perf_counter() - start) * 1000
    laptop_edits(laptop)

    def export() -> None:
        info["export"] = exchange.export_changes(laptop, work / "changes.kyosai", PASSPHRASE)

    times["export"] = median_ms(export, runs)

    def dry_run() -> None:
        info["dry"] = exchange.import_changes(
            office, work / "changes.kyosai", PASSPHRASE, dry_run=True
        )

    times["dry_run"] = median_ms(dry_run, runs)
    imports = []
    for n in range(runs + 1):  # run 0 is the warm-up; each run imports into a fresh copy
        target = work / f"office-import-{n}.sqlite3"
        shutil.copyfile(office, target)
        start = time.perf_counter()
        res = exchange.import_changes(target, work / "changes.kyosai", PASSPHRASE)
        elapsed = (time.perf_counter() - start) * 1000
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        if n:
            imports.append(elapsed)
        dry = info["dry"]
        assert res["applied"] == dry["applied"] > 600 and res["conflicts"] == 0, res
    times["import"] = (statistics.median(imports), imports)

    out = Figures(width=34)
    for name, goal in GOALS.items():
        median, runs_ms = times[name]
        out.line(name, median, floors, goal_ms=goal * 1000, runs=runs_ms)
    out.line("open on the laptop (once, info)", t_open, floors)
    print(
        f"packages: checkout {info['checkout']['size'] / 1e6:.2f} MB, changes "
        f"{info['export']['size'] / 1e3:.1f} kB ({res['applied']} changes applied); {load()}"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
