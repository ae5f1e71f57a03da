"""Benchmark of headquarters mode on a national-size year (not collected by pytest).

    .venv/bin/python tests/bench_hq.py [--unions 3000] [--runs 3] [--keep DIR]

47 generated branch databases (3,000 unions in all, every union × 15 products × 24 months:
FY2023 and FY2024), each exported as a report package; then at headquarters, each figure the
median of ``--runs`` after one untimed warm-up (imports into a fresh headquarters database
each run; the re-import into a fresh copy of the imported one):

1. import of the 47 packages (verify, check, replace, commit each)      — goal < 5 s
2. the national report built (the §1 roll-up and its ReportTable)        — goal < 200 ms
3. its PDF (TablePaper → render_pdf)                                     — goal < 2 s

and, as info, the dry run, the re-import of 47 newer packages and the branches × products
table.  Floors measured in the same run (medians after a warm-up), each figure printed with
its ratio to them: "read" (reading and hashing every package byte, the least an import must
do), "insert" (one executemany of the same cells into a bare in-memory table), "SQL" (the two
bare SELECTs the national report reads) and "bare PDF" (a bare QPdfWriter writing the same
strings — read back from our PDF with pdftotext — onto the same pages with the app's font;
tests/bench_floors.py).  Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_floors import Figures, PdfTextFloor, load, median_ms  # noqa: E402

from kyosai_desktop.domain.months import add_months  # noqa: E402
from kyosai_desktop.services.context import open_context  # noqa: E402
from kyosai_desktop.services.hq_import import import_packages, init_hq  # noqa: E402
from kyosai_desktop.services.report_package import build_package  # noqa: E402
from kyosai_desktop.store.tx import transaction  # noqa: E402

MONTHS = [add_months("2023-06", i) for i in range(24)]


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


def fresh_hq(path: Path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    hq = open_context(path)
    init_hq(hq)
    return hq


def main() -> int:  # noqa: C901
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    runs = args.runs
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
        f"  {time.perf_counter() - start:.1f} s, packages "
        f"{sum(p.stat().st_size for p in packages) / 1e6:.1f} MB; {load()}",
        flush=True,
    )

    floor_read, _ = median_ms(
        lambda: [hashlib.sha256(p.read_bytes()).hexdigest() for p in packages], runs
    )
    cells = [(u, p, m, 1) for u in range(sum(counts)) for p in range(15) for m in MONTHS]

    def bare_insert():
        con = sqlite3.connect(":memory:")
        con.execute(
            "CREATE TABLE r (u INTEGER, p INTEGER, m TEXT, c INTEGER, PRIMARY KEY (u, p, m)) WITHOUT ROWID"
        )
        con.executemany("INSERT INTO r VALUES (?, ?, ?, ?)", cells)
        con.close()

    floor_insert, _ = median_ms(bare_insert, runs)
    import_floors = {"read": floor_read, "insert": floor_insert}
    out = Figures(width=52)
    out.line("floor: read + SHA-256 of every package", floor_read)
    out.line(
        "floor: executemany of the same cells, bare table",
        floor_insert,
        note=f"{len(cells):,} cells",
    )

    n = iter(range(10_000))

    def dry_run():
        hq = fresh_hq(work / f"hq_dry{next(n)}.sqlite3")
        try:
            start = time.perf_counter()
            outcomes = import_packages(hq, packages, dry_run=True)
            return (time.perf_counter() - start) * 1000, outcomes
        finally:
            hq.close()

    def real_import():
        path = work / f"hq_run{next(n)}.sqlite3"
        hq = fresh_hq(path)
        try:
            start = time.perf_counter()
            outcomes = import_packages(hq, packages)
            elapsed = (time.perf_counter() - start) * 1000
            assert all(o.imported for o in outcomes), [o.refused for o in outcomes if o.refused]
            cells_in = hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0]
            hq.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return elapsed, cells_in, path
        finally:
            hq.close()

    def medians(fn):  # one warm-up, then ``runs`` timed
        fn()
        got = [fn() for _ in range(runs)]
        times = [g[0] for g in got]
        return statistics.median(times), times, got[-1]

    median, times, _ = medians(dry_run)
    out.line("import dry run of 47 packages", median, import_floors, runs=times)
    median, times, (_, n_cells, hq_path) = medians(real_import)
    out.line(
        "import of 47 packages",
        median,
        import_floors,
        goal_ms=5000,
        runs=times,
        note=f"{n_cells:,} cells",
    )

    # re-send every package (newer ones): replace, not add — into a fresh copy each run
    again = [
        make_branch(work / f"again_{pref}.sqlite3", pref, k, rng)
        for pref, k in zip(prefs, counts, strict=True)
    ]

    def reimport():
        path = work / f"hq_again{next(n)}.sqlite3"
        shutil.copyfile(hq_path, path)
        hq = open_context(path)
        try:
            start = time.perf_counter()
            outcomes = import_packages(hq, again)
            elapsed = (time.perf_counter() - start) * 1000
            assert all(o.imported for o in outcomes)
            got = hq.conn.execute("SELECT count(*) FROM hq_union_results").fetchone()[0]
            assert got == n_cells, (got, n_cells)
            return (elapsed,)
        finally:
            hq.close()

    median, times, _ = medians(reimport)
    out.line(
        "re-import of 47 newer packages (replace)",
        median,
        import_floors,
        runs=times,
        note="cell count unchanged",
    )

    from kyosai_desktop.services.national_report import (
        branch_matrix_table,
        build_national_report,
        national_report_table,
    )

    hq = open_context(hq_path)
    product = hq.products.resolve("マイカー共済")
    over = {product.id: "2024-12"}
    year = hq.fiscal_years.results_year(2024)

    def sql():
        hq.conn.execute(
            "SELECT pref_code, product_id, version, target FROM hq_branch_targets"
            " WHERE fiscal_year = ? ORDER BY version",
            (2024,),
        ).fetchall()
        hq.conn.execute(
            "SELECT pref_code, product_id, month, count FROM hq_branch_results"
            " WHERE month BETWEEN ? AND ?",
            (year.first, "2025-01"),
        ).fetchall()

    floor_sql, _ = median_ms(sql, max(runs, 5))
    start = time.perf_counter()
    table = national_report_table(build_national_report(hq, 2024, "2025-01", over))
    cold = (time.perf_counter() - start) * 1000
    median, times = median_ms(
        lambda: national_report_table(build_national_report(hq, 2024, "2025-01", over)),
        max(runs, 5),
    )
    out.line(
        "national report built (roll-up + ReportTable)",
        median,
        {"SQL": floor_sql},
        goal_ms=200,
        runs=times,
        note=f"first call {cold:.0f} ms; {len(table.rows)} rows",
    )
    start = time.perf_counter()
    branch_matrix_table(build_national_report(hq, 2024, "2025-01", over))
    mcold = (time.perf_counter() - start) * 1000
    median, times = median_ms(
        lambda: branch_matrix_table(build_national_report(hq, 2024, "2025-01", over)), runs
    )
    out.line(
        "all branches × products table (pandas pivot)",
        median,
        {"SQL": floor_sql},
        runs=times,
        note=f"first call {mcold:.0f} ms",
    )

    from kyosai_desktop.render.paper import ensure_gui_app, render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    ensure_gui_app()
    pdf = work / "national.pdf"
    median, times = median_ms(
        lambda: render_pdf(TablePaper(table, paper="A4", landscape=False), pdf), runs
    )
    floor = PdfTextFloor(pdf)
    bare_pdf = work / "bare.pdf"
    floor_pdf, _ = median_ms(lambda: floor.write(bare_pdf), runs)
    pages = floor.pdf_pages(pdf)
    assert floor.pdf_pages(bare_pdf) == pages
    out.line(
        "its PDF",
        median,
        {"bare PDF": floor_pdf},
        goal_ms=2000,
        runs=times,
        note=f"{pages} pages, {pdf.stat().st_size / 1e3:.0f} kB; bare PDF {floor.strings:,} strings",
    )
    hq.close()
    print(f"files kept in {work}" if args.keep else load())
    print("all goals met" if out.ok else "SOME GOALS MISSED")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
