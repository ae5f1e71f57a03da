"""Benchmark of headquarters mode on a national-size year (not collected by pytest).

    .venv/bin/python tests/bench_hq.py [--unions 2500] [--keep DIR]

47 generated branch databases (about 2,500 unions in all, every union × 15 products × 24
months: FY2023 and FY2024), each exported as a report package; then at headquarters:

1. import of the 47 packages (verify, check, replace, commit each)      — goal < 5 s
2. the national report built (the §1 roll-up and its ReportTable)        — goal < 200 ms
3. its PDF (TablePaper → render_pdf)                                     — goal < 2 s

Floors measured in the same run, to read the goals as ratios on this machine: reading and
hashing every package byte (the least an import must do), and one executemany of the same
900,000 cells into a bare in-memory table.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kyosai_desktop.domain.months import add_months  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.hq_import import import_packages, init_hq  # noqa: E402
from kyosai_desktop.services.report_package import build_package  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402

MONTHS = [add_months("2023-06", i) for i in range(24)]


def timed(fn, repeat: int = 1):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def make_branch(path: Path, pref: str, unions: int, rng: random.Random) -> Path:
    """A branch database with ``unions`` unions × 15 products × 24 months, targets, designations."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    ctx = open_context(path)
    try:
        ctx.settings.set_branch(pref)
        products = [p.id for p in ctx.products.all()][:15]
        conn = ctx.conn
        with transaction(conn):
            conn.executemany(
                "INSERT INTO unions (pref_code, union_code, name, members, holdings, effective_month)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (pref, f"{n:03d}", f"{pref}県 第{n}単組職員労働組合", 1000 + n, 400 + n, 10)
                    for n in range(1, unions + 1)
                ],
            )
            ids = [r[0] for r in conn.execute("SELECT id FROM unions ORDER BY id")]
            conn.executemany(
                "INSERT INTO results (union_id, product_id, month, count) VALUES (?, ?, ?, ?)",
                [(u, p, m, rng.randint(1, 9)) for u in ids for p in products for m in MONTHS],
            )
            targets = [
                (y, p, v, None, rng.randint(100, 900))
                for y in (2023, 2024)
                for p in products
                for v in ("第1次", "第2次")
            ]
            targets += [
                (2024, p, "第1次", u, rng.randint(5, 50)) for u in ids[::5] for p in products
            ]
            conn.executemany(
                "INSERT INTO targets (fiscal_year, product_id, version, union_id, target)"
                " VALUES (?, ?, ?, ?, ?)",
                targets,
            )
            conn.executemany(
                "INSERT INTO model_unions (fiscal_year, union_id, target) VALUES (?, ?, ?)",
                [(y, u, 20) for y in (2023, 2024) for u in ids[:3]],
            )
        return build_package(ctx, 2024, path.with_suffix(".kyosai-report")).path
    finally:
        ctx.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=2500)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_hq_"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)

    ctx0 = open_context(work / "probe.sqlite3")
    prefs = [p.code for p in ctx0.prefectures.all() if p.in_national]
    ctx0.close()
    weights = [rng.uniform(0.4, 2.5) for _ in prefs]
    counts = [max(1, round(w * args.unions / sum(weights))) for w in weights]
    print(
        f"generating 47 branch databases, {sum(counts):,} unions × 15 products × 24 months …",
        flush=True,
    )
    start = time.perf_counter()
    packages = [
        make_branch(work / f"branch_{pref}.sqlite3", pref, n, rng)
        for pref, n in zip(prefs, counts, strict=True)
    ]
    print(
        f"  {time.perf_counter() - start:.1f} s, packages {sum(p.stat().st_size for p in packages) / 1e6:.1f} MB"
    )

    rows: list[tuple[str, float, str]] = []
    # floors
    floor_read, _ = timed(lambda: [hashlib.sha256(p.read_bytes()).hexdigest() for p in packages], 3)
    rows.append(("floor: read + SHA-256 of every package", floor_read, ""))
    cells = [(u, p, m, 1) for u in range(sum(counts)) for p in range(15) for m in MONTHS]

    def bare_insert():
        con = sqlite3.connect(":memory:")
        con.execute(
            "CREATE TABLE r (u INTEGER, p INTEGER, m TEXT, c INTEGER, PRIMARY KEY (u, p, m)) WITHOUT ROWID"
        )
        con.executemany("INSERT INTO r VALUES (?, ?, ?, ?)", cells)
        con.close()

    floor_insert, _ = timed(bare_insert)
    rows.append(
        (
            "floor: executemany of the same cells into a bare table",
            floor_insert,
            f"{len(cells):,} cells",
        )
    )

    hq_path = work / "hq.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(hq_path) + suffix).unlink(missing_ok=True)
    hq = open_context(hq_path)
    init_hq(hq)
    dry, outcomes = timed(lambda: import_packages(hq, packages, dry_run=True))
    rows.append(("import dry run of 47 packages", dry, ""))
    real, outcomes = timed(lambda: import_packages(hq, packages))
    assert all(o.imported for o in outcomes), [o.refused for o in outcomes if o.refused]
    n_cells = hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0]
    rows.append(
        (
            "import of 47 packages — goal < 5 s",
            real,
            f"{n_cells:,} cells, "
            f"{real / floor_insert:.1f}× the bare insert, {real / floor_read:.0f}× the read floor",
        )
    )
    # re-send every package (newer ones): replace, not add
    again = [
        make_branch(work / f"again_{pref}.sqlite3", pref, n, rng)
        for pref, n in zip(prefs, counts, strict=True)
    ]
    resend, outcomes = timed(lambda: import_packages(hq, again))
    assert all(o.imported for o in outcomes)
    assert hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0] == n_cells
    rows.append(("re-import of 47 newer packages (replace)", resend, "cell count unchanged"))

    from kyosai_desktop.services.national_report import build_national_report, national_report_table

    product = hq.products.resolve("マイカー共済")
    over = {product.id: "2024-12"}
    cold, _ = timed(lambda: national_report_table(build_national_report(hq, 2024, "2025-01", over)))
    warm, table = timed(
        lambda: national_report_table(build_national_report(hq, 2024, "2025-01", over)), 5
    )
    rows.append(
        (
            "national report built (roll-up + ReportTable) — goal < 200 ms",
            warm,
            f"first call {cold * 1000:.0f} ms; {len(table.rows)} rows",
        )
    )
    from kyosai_desktop.services.national_report import branch_matrix_table

    mcold, _ = timed(lambda: branch_matrix_table(build_national_report(hq, 2024, "2025-01", over)))
    mwarm, _ = timed(
        lambda: branch_matrix_table(build_national_report(hq, 2024, "2025-01", over)), 3
    )
    rows.append(
        (
            "all branches × products table (pandas pivot)",
            mwarm,
            f"first call incl. pandas import {mcold * 1000:.0f} ms",
        )
    )

    from kyosai_desktop.render.paper import ensure_gui_app, render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    ensure_gui_app()
    pdf, _ = timed(
        lambda: render_pdf(TablePaper(table, paper="A4", landscape=False), work / "national.pdf"), 3
    )
    rows.append(
        ("its PDF — goal < 2 s", pdf, f"{(work / 'national.pdf').stat().st_size / 1e3:.0f} kB")
    )
    hq.close()

    print()
    for label, seconds, note in rows:
        print(f"{label:<62} {seconds * 1000:9.0f} ms  {note}")
    print(f"\nfiles in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
